"""Sealing a closed year: its hash chain, its seal, its tag, as one step of the write path.

:func:`seal_year` is called inside the close's :meth:`Books.transaction`, after the close
has staged whatever year-end entries it books (that is ``ledger.money.closing``'s business): it
chains every record of the year — the entries in the books, the entries the close just
staged, and the bytes of every issued document — writes ``<year>/chain.jsonl`` and the
``custom "year-closed"`` seal holding the chain head, and asks the transaction to write the
annotated tag ``close-YYYY`` on the commit. The write path makes commit and tag one
recoverable step: killed between the two, the next command finishes the tag (or, if the tag
cannot be written, undoes the commit).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beancount.core import data
from beancount.parser import booking, parser
from beancount.parser.grammar import ValueType

from ledger.books import Transaction, render_entries
from ledger.errors import BooksError
from ledger.i18n import _
from ledger.integrity import carried as carriedlib
from ledger.integrity import chain as chainlib
from ledger.integrity.anchors import TAG_PREFIX, seals

CLOSING_KIND = "closing"


@dataclass(frozen=True)
class Sealed:
    """What a close sealed."""

    year: int
    head: str
    records: int
    entries: int
    documents: int
    chain_file: str
    tag: str


def chain_file_path(year: int) -> str:
    return f"{year}/chain.jsonl"


def as_loaded(entries: list[data.Directive], options: dict[str, Any]) -> list[data.Directive]:
    """Entries staged in memory as the next load will read them back (printed, parsed,
    booked), so their records are the ones the sealing plugin will recompute."""
    if not entries:
        return []
    parsed, _errors, _opts = parser.parse_string(render_entries(entries))
    booked, _booking_errors = booking.book(parsed, options)
    return list(booked)


def _previous(entries: list[data.Directive], year: int) -> tuple[str, dt.date | None]:
    """Head and last day of the close before ``year`` (the genesis when there is none)."""
    earlier = {y: str(s.values[1].value) for y, s in seals(entries).items() if y < year}
    mark = carriedlib.marker(entries)  # the live books: the sealed years are carried
    if mark is not None:
        carried = carriedlib.sealed_heads(mark)
        earlier.update({y: h for y, h in carried.items() if y < year and y not in earlier})
    if not earlier:
        return chainlib.GENESIS, None
    last = max(earlier)
    return earlier[last], dt.date(last, 12, 31)


def year_chain(
    tx: Transaction, year: int, produced: list[data.Directive]
) -> tuple[chainlib.Chain, int, int]:
    """The chain of ``year``: its records, in order, chained on the previous close."""
    ledger = tx.ledger
    root = str(tx.books.root)
    entries = [*ledger.entries, *as_loaded(produced, ledger.options)]
    previous, after = _previous(ledger.entries, year)
    until = dt.date(year, 12, 31)
    records = chainlib.entry_records(entries, root, after, until)
    documents = []
    for day, relpath, recorded in chainlib.document_files(entries, root, after, until):
        payload = tx.read_file(relpath)
        if payload is None:
            raise BooksError(
                _(
                    "{relpath}: missing; {year} cannot be sealed without its documents",
                    relpath=relpath,
                    year=year,
                )
            )
        digest = hashlib.sha256(payload).hexdigest()
        if recorded and recorded != digest:
            raise BooksError(
                _(
                    "{relpath} changed since it was issued (its sha256 no longer matches the one "
                    "recorded then); {year} cannot be sealed — run 'coopledger verify'",
                    relpath=relpath,
                    year=year,
                )
            )
        documents.append(chainlib.document_record(day, relpath, digest))
    chain = chainlib.build_chain([*records, *documents], previous)
    return chain, len(records), len(documents)


def tag_message(year: int, sealed: Sealed, summary: list[str]) -> str:
    lines = [
        f"Year {year} closed by coopledger.",
        "",
        f"seal sha256: {sealed.head}",
        f"chain version: {chainlib.CHAIN_VERSION}",
        f"chain file: {sealed.chain_file}",
        f"records: {sealed.records} ({sealed.entries} entries, {sealed.documents} documents)",
        *summary,
    ]
    return "\n".join(lines) + "\n"


def seal_year(
    tx: Transaction,
    year: int,
    produced: list[data.Directive],
    meta: dict[str, Any],
    summary: list[str] | None = None,
) -> Sealed:
    """Seal ``year`` in this transaction: chain file, seal entry and close tag.

    ``produced`` are the entries the close itself staged (they are sealed with the year);
    ``meta`` is added to the seal (the close's summary for the auditor)."""
    chain, entries, documents = year_chain(tx, year, produced)
    relpath = chain_file_path(year)
    sealed = Sealed(
        year,
        chain.head,
        len(chain.links),
        entries,
        documents,
        relpath,
        f"{TAG_PREFIX}{year}",
    )
    tx.write_file(relpath, chainlib.render_chain_file(year, chain))
    seal_meta: dict[str, Any] = {
        "seal-version": str(chainlib.CHAIN_VERSION),
        "chain": relpath,
        "records": Decimal(sealed.records),
        "entries": Decimal(entries),
        **meta,
    }
    seal = data.Custom(
        data.new_metadata("<coopledger>", 0, seal_meta),
        dt.date(year, 12, 31),
        chainlib.SEAL_TYPE,
        [ValueType(str(year), str), ValueType(chain.head, str)],
    )
    tx.add_entries([seal], kind=CLOSING_KIND)
    tx.tag(sealed.tag, tag_message(year, sealed, summary or []))
    return sealed
