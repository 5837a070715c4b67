"""An example muse plug-in: the `get_weather` tool, registered under the entry-point group `muse.tools`.

This module stays light: muse imports it to list tools, and the tool's own module is imported
only when `load_tools()` is called (a real plug-in would import its heavy client or model there).
"""

from __future__ import annotations


def load_tools() -> list:
    """The plug-in's tools; muse calls this through the `muse.tools` entry point."""
    from muse_weather_example.weather import get_weather

    return [get_weather]
