"""The bank's own words, decrypted in memory from the archived statements.

The books keep only what proves and settles a movement (:mod:`importers.minimise`); the
statement itself is archived in the books encrypted with age (``documents/…/*.age``). With
the hub key at hand, this module reads those archives back **in memory only** — never to a
file — and gives, for each ``^bank-`` link, what the bank wrote: the other party's name and
account and the free communication. Reconciliation scores with them
(:class:`ledger.money.reconcile.BankOriginal`) and ``coopledger bank-line show REF`` prints one
line's original for the treasurer who must decide about it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from beancount.core import data

from importers.entries import FILE_DIRECTIVE, money, movement_link
from importers.formats import read_statements
from importers.minimise import kept_statement, original_of
from importers.model import Detail, Movement
from importers.settings import BankRef, ImportSettings
from ledger.books import Books
from ledger.errors import InputError
from ledger.i18n import _
from ledger.keys import Identity, decrypt_with, has_key, load_identities
from ledger.privacy.guard import TextGuard
from ledger.view import BankOriginal
from ledger.view import View as State

# Reconciliation reads the originals of the archives that end at most this long before the
# oldest line still open (its windows: late payments 120 days, returned payouts 90): older
# statements are not decrypted at every command. What it learns from older lines (the
# accounts a client paid from) comes from the books, which keep known clients' accounts.
ORIGINALS_WINDOW_DAYS = 400


@dataclass(frozen=True)
class Archived:
    """One archived bank file the books record."""

    relpath: str
    account: str
    format: str
    day: dt.date


@dataclass(frozen=True)
class Original:
    """A movement (or a detail of a batch) as the bank wrote it."""

    link: str
    ref: str
    movement: Movement
    detail: Detail | None = None


def archives(entries: list[data.Directive]) -> list[Archived]:
    out = []
    for entry in entries:
        if not (isinstance(entry, data.Custom) and entry.type == FILE_DIRECTIVE):
            continue
        relpath = entry.meta.get("archive")
        if relpath and len(entry.values) > 2:
            values = [str(v.value) for v in entry.values]
            out.append(Archived(str(relpath), values[2], values[0], entry.date))
    return out


def _bank(settings: ImportSettings, account: str) -> BankRef | None:
    return next((b for b in settings.banks if b.account == account), None)


def read_archive(books: Books, archived: Archived, identities: list[Identity]) -> bytes:
    """The archived file's bytes, decrypted in memory."""
    try:
        blob = (books.root / archived.relpath).read_bytes()
    except OSError:
        raise InputError(
            _("{relpath}: the archived statement is missing", relpath=archived.relpath)
        ) from None
    return decrypt_with(identities, blob, archived.relpath)


def originals_in(
    payload: bytes, name: str, bank: BankRef, guard: TextGuard | None = None
) -> Iterator[Original]:
    """Every movement of a bank file with its ``^bank-`` link (and each batch detail).

    The link is the one the import gave it: from the reference the books keep
    (:func:`importers.minimise.kept_statement`, with the roster's values in ``guard``) —
    and, when the bank's own reference was kept then (the roster has changed since), from
    that one too."""
    _, statements = read_statements(payload, name)
    for raw in statements:
        kept = kept_statement(raw, guard)
        for movement, original in zip(kept.movements, raw.movements, strict=True):
            refs = list(dict.fromkeys((movement.ref, original.ref)))
            for ref in refs:
                yield Original(movement_link(bank, ref), ref, original)
                for detail in original.details:
                    part = f"{ref}/{detail.sequence}"
                    yield Original(movement_link(bank, part), part, original, detail)


def walk_archives(
    books: Books, entries: list[data.Directive], since: dt.date | None = None
) -> Iterator[Original]:
    """Every movement of the archived statements (ending on ``since`` or later)."""
    settings = ImportSettings.from_config(books.config)
    identities = load_identities(books.config, books.root)
    guard = TextGuard.for_books(books)
    for archived in archives(entries):
        if since is not None and archived.day < since:
            continue
        bank = _bank(settings, archived.account)
        if bank is None:
            continue
        payload = read_archive(books, archived, identities)
        yield from originals_in(payload, archived.relpath, bank, guard)


def load_originals(
    books: Books, entries: list[data.Directive], new: Sequence[data.Directive] = ()
) -> dict[str, BankOriginal]:
    """What the bank wrote, by ``^bank-`` link, for reconciliation over ``entries`` (and
    ``new``, about to be added): nothing without the hub key at hand, nothing when no bank
    line waits, else the archives of the window before the oldest line open."""
    if not has_key(books.config):
        return {}
    return originals_for(books, entries, State.of([*entries, *new], books.config))


def originals_for(
    books: Books, entries: list[data.Directive], state: State
) -> dict[str, BankOriginal]:
    """:func:`load_originals` with the fold of the books already made (``state``, of
    ``entries`` and what is about to be added): the lines still open tell the window."""
    if not has_key(books.config):
        return {}
    waiting = state.open_lines()
    if not waiting:
        return {}
    since = min(line.date for line in waiting) - dt.timedelta(days=ORIGINALS_WINDOW_DAYS)
    out: dict[str, BankOriginal] = {}
    for found in walk_archives(books, entries, since):
        source = found.detail if found.detail is not None else found.movement
        out[found.link] = original_of(
            source.counterparty_name, source.counterparty_account, source.communication
        )
    return out


def bank_entry(entries: list[data.Directive], ref: str) -> data.Transaction:
    """The bank entry with this ``bank-ref`` or ``^bank-`` link (the ref is not echoed)."""
    wanted = ref.strip().removeprefix("^")
    for entry in entries:
        if not (isinstance(entry, data.Transaction) and entry.meta.get("kind") == "bank"):
            continue
        if wanted == entry.meta.get("bank-ref") or wanted in (entry.links or ()):
            return entry
    raise InputError(
        _("no bank line with that reference in the books (give its bank-ref or ^bank- link)")
    )


def find_original(books: Books, entries: list[data.Directive], ref: str) -> Original:
    """The original of one bank line, from its archived statement."""
    entry = bank_entry(entries, ref)
    link = next(lk for lk in sorted(entry.links or ()) if lk.startswith("bank-"))
    if not has_key(books.config):
        raise InputError(_("the hub key is not at hand: the archived statements cannot be opened"))
    for found in walk_archives(books, entries):
        if found.link == link:
            return found
    raise InputError(
        _(
            "bank line {meta}: not found in the archived statements "
            "(imported before statements were archived?)",
            meta=entry.meta.get("bank-ref"),
        )
    )


def describe_original(found: Original) -> dict[str, Any]:
    """What ``bank-line show`` prints (personal data: shown to the key holder only)."""
    m, d = found.movement, found.detail
    source = d if d is not None else m
    return {
        "bank-ref": found.ref,
        "bank-reference": m.bank_ref,  # the bank's own, which the books may not keep
        "link": found.link,
        "date": m.booking_date.isoformat(),
        "amount": str(money(d.amount if d is not None and d.amount is not None else m.amount)),
        "currency": m.currency,
        "counterparty": source.counterparty_name,
        "counterparty-account": source.counterparty_account,
        "communication": source.communication,
        "ogm": source.ogm,
        "end-to-end-id": m.end_to_end_id,
        "information": list(m.information),
        "details": [
            {"sequence": x.sequence, "amount": str(x.amount) if x.amount is not None else None,
             "counterparty": x.counterparty_name, "communication": x.communication}
            for x in m.details
        ] if d is None else [],
    }  # fmt: skip
