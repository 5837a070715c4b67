"""Plug-in tools for the custom_tools suite: plain LangChain tools the planner has never been trained on.

muse loads them like any user's `--tools FILE`; their answers are fixed so cases are reproducible.
"""

from __future__ import annotations

import json

from langchain_core.tools import tool

RATES_TO_EUR = {"EUR": 1.0, "USD": 0.92, "GBP": 1.17, "JPY": 0.0062, "NOK": 0.086, "SEK": 0.088, "CHF": 1.04}


@tool
def get_weather(city: str, unit: str = "celsius") -> str:
    """Current weather for a city.

    Args:
        city: the city name
        unit: celsius or fahrenheit
    """
    temperature = 12 if unit == "celsius" else 54
    return json.dumps({"city": city, "temperature": temperature, "unit": unit, "sky": "light rain"})


@tool
def convert_currency(amount: float, from_currency: str, to_currency: str) -> str:
    """Convert an amount of money between currencies.

    Args:
        amount: how much money
        from_currency: ISO code of the currency to convert from, like USD
        to_currency: ISO code of the currency to convert to, like EUR
    """
    source, target = from_currency.upper(), to_currency.upper()
    if source not in RATES_TO_EUR or target not in RATES_TO_EUR:
        return json.dumps({"error": f"unknown currency {source if source not in RATES_TO_EUR else target}"})
    value = amount * RATES_TO_EUR[source] / RATES_TO_EUR[target]
    return json.dumps({"amount": round(value, 2), "currency": target})


@tool
def count_words(text: str) -> str:
    """Count the words in a piece of text.

    Args:
        text: the text to count
    """
    return json.dumps({"words": len(text.split())})


@tool
def add_calendar_event(title: str, date: str, time: str = "") -> str:
    """Put an event in the user's calendar.

    Args:
        title: what the event is
        date: the day, like 2025-03-14 or "next Friday"
        time: the time of day, like 18:30
    """
    return json.dumps({"added": {"title": title, "date": date, "time": time}})


tools = [get_weather, convert_currency, count_words, add_calendar_event]
