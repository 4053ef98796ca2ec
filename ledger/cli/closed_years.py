"""What the live books refuse about a closed year (QA of issue 16): a booking date in it.

(A document settled in a closed year is recalled into the live books by the write that
needs it, :mod:`ledger.money.recall`, and booked on in an open year.)
"""

from __future__ import annotations

import datetime as dt

from ledger.books import Books
from ledger.errors import InputError
from ledger.i18n import _
from ledger.loader import carried_until


def refuse_a_closed_date(books: Books, day: dt.date | None, what: str = "--date") -> None:
    """A booking date in a closed year is refused before anything is computed: the live
    books hold only balances before their carried day, so a check made there (what a
    participant held, what the cash box held) would tell a wrong amount."""
    until = carried_until(books.main_file)
    if day is not None and until is not None and day <= until:
        raise InputError(
            _(
                "{what} {date} is in {year}, a closed year: nothing more can be booked in it; "
                "date it after {until} (a correction of a closed year is booked in an open "
                "year)",
                what=what,
                date=day.isoformat(),
                year=str(day.year),
                until=until.isoformat(),
            )
        )
