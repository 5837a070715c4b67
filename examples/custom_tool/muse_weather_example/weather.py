"""`get_weather(city, unit)`: made-up weather, the same for the same city every time.

The figures are EXAMPLE DATA derived from a hash of the city's name, not a forecast: the point is
to show how a LangChain tool becomes a muse tool, with a test that needs no network.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Literal

from langchain_core.tools import tool

CONDITIONS = ("sunny", "partly cloudy", "cloudy", "light rain", "heavy rain", "snow", "fog", "windy")


@tool
def get_weather(
    city: Annotated[str, "the city, e.g. Oslo"],
    unit: Annotated[Literal["celsius", "fahrenheit"], "temperature unit"] = "celsius",
) -> str:
    """Get the current weather in a city (example data, not a real forecast)."""
    name = " ".join(city.split())
    if not name:
        return json.dumps({"error": "name a city, e.g. Oslo"})
    digest = hashlib.sha256(name.lower().encode()).digest()
    celsius = digest[0] % 36 - 5  # -5 .. 30 °C
    temperature = celsius if unit == "celsius" else round(celsius * 9 / 5 + 32)
    return json.dumps(
        {
            "city": name,
            "temperature": temperature,
            "unit": unit,
            "conditions": CONDITIONS[digest[1] % len(CONDITIONS)],
            "humidity": 30 + digest[2] % 61,  # percent
            "note": "example data",
        },
        separators=(",", ":"),
    )
