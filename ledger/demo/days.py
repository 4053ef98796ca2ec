"""The day the demo books stand on."""

from __future__ import annotations

import datetime as dt


def demo_today(year: int) -> dt.date:
    """The day the demo books stand on: early in the year after the demo year."""
    return dt.date(year + 1, 1, 12)
