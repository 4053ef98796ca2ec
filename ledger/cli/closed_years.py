"""What the live books cannot do for a document of a closed year (QA of issue 16).

After ``year close``, an invoice settled in the closed year is no longer in the live books
(only what the open years still need is carried, ``docs/operations.md``). A credit note
on it, or a returned payment booked against it, then found no invoice and said
"unknown invoice" about an invoice the books do hold. This module tells the true reason,
reading the full history only on that error path. (A booking date in a closed year is
refused by :func:`ledger.cli.support.refuse_a_closed_date`, for every command: it needs
no invoice.)
"""

from __future__ import annotations

from ledger.books import Books
from ledger.errors import InputError
from ledger.i18n import _
from ledger.loader import carried_until


def settled_in_a_closed_year(books: Books, number: str) -> bool:
    """True when ``number`` is an invoice of the full history the live books do not hold."""
    number = number.strip().removeprefix("return:").removeprefix("inv-")
    if carried_until(books.main_file) is None:
        return False
    from invoicing import numbering  # (the error path only: 'reconcile' needs no invoice model)

    live = books.load(strict=False)
    if any(d.number == number for d in numbering.issued(live.entries)):
        return False
    full = books.load(strict=False, full_history=True)
    return any(d.kind == "invoice" and d.number == number for d in numbering.issued(full.entries))


def refuse_closed_year_credit(number: str) -> InputError:
    return InputError(
        _(
            "invoice {number} was settled in a closed year: the live books no longer carry "
            "it, so a credit note on it cannot be issued from them yet; ask the hub's "
            "accountant for the correcting entry of the open year",
            number=number,
        )
    )


def refuse_closed_year_return(number: str) -> InputError:
    return InputError(
        _(
            "invoice {number} was settled in a closed year: the live books no longer carry "
            "it, so a returned payment cannot be booked against it yet; assign the line to an "
            "account with the hub's accountant",
            number=number,
        )
    )


def refuse_closed_year_invoice(number: str) -> InputError:
    return InputError(
        _(
            "invoice {number} was settled in a closed year: the live books no longer carry "
            "it, so nothing can be booked on it from them; its files are listed by "
            "'coopledger invoice show {number}'",
            number=number,
        )
    )
