"""The one dates policy of every command (see ``docs/accounting-model.md``, "Dates").

* No entry is dated in the future: the books record what has happened. An invoice, a
  payout, a cost, a grant, a cash movement, a participant opened or closed — each is dated
  today or earlier, and a date after today is refused with a one-line error naming it.
* A SEPA requested execution date is never in the past: a bank executes a transfer on or
  after the date it is asked for, so a file asking for yesterday is refused rather than
  silently executed on another day.
* A year is closed only once it has ended.

``today`` is a parameter of every function that needs it, so the demo (which replays a
finished year) and the tests pass the day they stand on; commands pass nothing and get the
calendar's today.
"""

from __future__ import annotations

import datetime as dt

from ledger.errors import InputError


def today(value: dt.date | None = None) -> dt.date:
    """``value`` when given, else the calendar's today."""
    return value or dt.date.today()


def booking_date(day: dt.date | None, now: dt.date | None = None, what: str = "--date") -> dt.date:
    """The date of a new entry: ``day`` (default today), never after today."""
    now = today(now)
    day = day or now
    if day > now:
        raise InputError(
            f"{what} {day.isoformat()} is in the future (today is {now.isoformat()}): "
            "the books record what has happened"
        )
    return day


def execution_date(day: dt.date | None, now: dt.date | None = None) -> dt.date:
    """A SEPA requested execution date: ``day`` (default today), never before today."""
    now = today(now)
    day = day or now
    if day < now:
        raise InputError(
            f"--date {day.isoformat()} is in the past (today is {now.isoformat()}): a bank "
            "executes a transfer on or after the date asked for; give today or later"
        )
    return day
