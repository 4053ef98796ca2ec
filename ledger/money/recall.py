"""Recalling a document of a closed year into the live books, for a write that needs it.

After ``year close`` an invoice settled in the closed year is not in the live books (the
close carries only what the open years still need, :mod:`ledger.integrity.carried`). A
credit note on it, a cash or bank payment, a returned payment or a new delivery in an
open year needs it there again: the write finds it (and what settled it) in the full
history and stages, in ``recalled.beancount``, exact copies of those sealed entries with
what cancels them the same day — as the close would have carried it, had it still been
open. Every invariant then runs on the live books as for an invoice open at the close;
the correction itself is booked in the open year, by the usual code.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from beancount.core import data
from beancount.parser import booking, parser

from ledger.books import Transaction, render_entries
from ledger.i18n import hub_lang
from ledger.integrity import carried as carriedlib
from ledger.loader import carried_until, load_ledger
from ledger.view import issued_documents


def read_back(
    entries: list[data.Directive], options: dict[str, object], filename: str
) -> list[data.Directive]:
    """Entries as the next load reads them back from ``filename`` (printed, parsed there:
    documents resolve from its folder; booked)."""
    if not entries:
        return []
    text = render_entries(entries)
    parsed, _errors, _opts = parser.parse_string(text, filename)
    booked, _booking_errors = booking.book(parsed, options)
    return list(booked)


def recalled_header(year: int) -> str:
    return (
        f"; {carriedlib.RECALLED_FILE}: entries of the closed years (up to {year}) that writes "
        f"since the close of\n; {year} recalled into the live books: exact copies of sealed "
        "entries, each day's cancelled\n; that day, checked on every load against the "
        "chains. Written by coopledger and\n; emptied by the next close. Do not edit.\n\n"
    )


def _number(text: str) -> str:
    return text.strip().removeprefix("return:").removeprefix("inv-").removeprefix("cn-")


def with_recalled(tx: Transaction, numbers: Iterable[str]) -> list[data.Directive]:
    """The entries of the live books this write works on: ``tx.ledger``'s, and — for each
    of ``numbers`` that is an invoice or credit note settled in a closed year, so not in the
    live books — what recalls it from the full history (the document and everything linked
    to it up to the last closed day, :func:`ledger.integrity.carried.recall`), staged in
    ``recalled.beancount`` with this write. The full history is read only then (a number
    the live books hold, or an unknown one, costs nothing); an unknown number is left to
    the caller to refuse as before."""
    entries = tx.ledger.entries
    until = carried_until(tx.books.main_file)
    if until is None:
        return entries
    live = {d.number for d in issued_documents(entries)}
    wanted = [n for n in dict.fromkeys(_number(t) for t in numbers) if n and n not in live]
    if not wanted:
        return entries
    full = load_ledger(tx.books.main_file, checked=False, full_history=True)
    found = {d.number: d for d in issued_documents(full.entries) if d.date <= until}
    seeds = {lk for n in wanted if n in found for lk in found[n].entry.links or ()
             if lk.startswith(("inv-", "cn-"))}  # fmt: skip
    if not seeds:
        return entries
    root = str(tx.books.root)
    recalled = carriedlib.recall(
        full.entries,
        entries,
        seeds,
        until.year,
        root,
        ", ".join(n for n in wanted if n in found),
        hub_lang(tx.config.invoicing.default_lang),
    )
    if not recalled:
        return entries
    current = tx.read_file(carriedlib.RECALLED_FILE)
    text = (current or b"").decode("utf-8") or recalled_header(until.year)
    tx.write_file(carriedlib.RECALLED_FILE, (text + render_entries(recalled)).encode("utf-8"))
    tx.ensure_included(carriedlib.RECALLED_FILE)
    path = os.path.join(root, carriedlib.RECALLED_FILE)
    return sorted([*entries, *read_back(recalled, tx.ledger.options, path)],
                  key=data.entry_sortkey)  # fmt: skip
