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
calendar's today from :func:`today`, the one place the product reads the clock's date.

Test hook: when the environment variable ``COOPLEDGER_TODAY`` holds an ISO date
(``YYYY-MM-DD``), :func:`today` returns it instead of the calendar's today, so a test suite
that runs across midnight sees one day throughout (``docs/operations.md``). It is for tests
only: never set it for real books.
"""

from __future__ import annotations

import datetime as dt
import os

from ledger.errors import InputError
from ledger.i18n import _

TODAY_ENV = "COOPLEDGER_TODAY"


def today(value: dt.date | None = None) -> dt.date:
    """``value`` when given, else ``$COOPLEDGER_TODAY`` (test hook), else the calendar's today."""
    if value:
        return value
    pinned = os.environ.get(TODAY_ENV)
    if pinned:
        try:
            return dt.date.fromisoformat(pinned)
        except ValueError:
            raise InputError(
                _(
                    "{today_env}={pinned!r} is not a date (YYYY-MM-DD)",
                    today_env=TODAY_ENV,
                    pinned=pinned,
                )
            ) from None
    return dt.date.today()


def booking_date(day: dt.date | None, now: dt.date | None = None, what: str = "--date") -> dt.date:
    """The date of a new entry: ``day`` (default today), never after today."""
    now = today(now)
    day = day or now
    if day > now:
        raise InputError(
            _(
                "{what} {day} is in the future (today is {now}): "
                "the books record what has happened",
                what=what,
                day=day.isoformat(),
                now=now.isoformat(),
            )
        )
    return day


def execution_date(day: dt.date | None, now: dt.date | None = None) -> dt.date:
    """A SEPA requested execution date: ``day`` (default today), never before today."""
    now = today(now)
    day = day or now
    if day < now:
        raise InputError(
            _(
                "--date {day} is in the past (today is {now}): a bank "
                "executes a transfer on or after the date asked for; give today or later",
                day=day.isoformat(),
                now=now.isoformat(),
            )
        )
    return day
