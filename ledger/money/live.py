"""The live ledger's layout: a close (or ``books compact``) takes the sealed years out of
the live books.

``main.beancount`` keeps the books' options, plugins, the chart and the participants, the
balances the last close carried (``carried.beancount``, :mod:`ledger.integrity.carried`)
and the open years' files; ``history.beancount`` has the same options and plugins, every
closed year's files and ``main.beancount`` itself, and a load of it leaves the carried
balances out (``ledger.loader.load_ledger(..., full_history=True)``): the full history is
exactly the books as they were before.
"""

from __future__ import annotations

import datetime as dt
import os

from beancount.core import data

from ledger.books import MAIN_FILE, Books, Transaction, entries_file, render_entries
from ledger.config import HubConfig
from ledger.entries import ZERO
from ledger.errors import BooksError, InputError
from ledger.i18n import _, hub_lang
from ledger.integrity import carried as carriedlib
from ledger.integrity.anchors import is_git_books, seals
from ledger.money.grants import grants
from ledger.money.recall import read_back, recalled_header
from ledger.money.year_end import KIND as YEAR_END_KIND
from ledger.view import IssuedRef, View

INCLUDE = 'include "'


def open_links(entries: list[data.Directive], config: HubConfig, until: dt.date) -> set[str]:
    """The links the open years still need from the closed ones: invoices still open or
    not settled in the clients account, pending items the bank should still show, bank
    lines in suspense, and the last document of every numbering series (the next number
    follows it)."""
    upto = [e for e in entries if e.date <= until]
    view = View.of(upto, config)
    seeds = {i.link for i in view.invoices.values() if i.open != ZERO or i.receivable != ZERO}
    seeds |= {p.link for p in view.pending.values() if p.open != ZERO}
    seeds |= {line.link for line in view.lines.values() if line.is_open}
    seeds |= {
        f"grant-{g.id}" for g in grants(upto, config).values() if g.deferred or g.expected
    }  # a grant still deferred to the next years, or still to be received
    last: dict[tuple[str, str], IssuedRef] = {}
    for doc in view.documents:
        key = (doc.kind, doc.series)
        if key not in last or doc.seq > last[key].seq:
            last[key] = doc
    for doc in last.values():
        seeds |= {lk for lk in doc.entry.links or () if lk.startswith(("inv-", "cn-"))}
    return seeds


def sealed_heads(entries: list[data.Directive]) -> dict[int, str]:
    """The chain head of every closed year: the seals loaded and those carried."""
    heads = {}
    mark = carriedlib.marker(entries)
    if mark is not None:
        heads.update(carriedlib.sealed_heads(mark))
    heads.update({year: str(seal.values[1].value) for year, seal in seals(entries).items()})
    return heads


def _year_of(line: str) -> int | None:
    name = line.split('"')[1]
    head = name.split("/", 1)[0]
    return int(head) if "/" in name and head.isdigit() else None


def live_layout(main: str, history: str | None, year: int) -> tuple[str, str]:
    """``main.beancount`` without the files of the years up to ``year`` (and including the
    carried balances), and ``history.beancount``: main's options and plugins, every closed
    year's files, then main itself."""
    moved: list[str] = []
    kept: list[str] = []
    for line in main.splitlines():
        found = _year_of(line) if line.startswith(INCLUDE) else None
        (moved if found is not None and found <= year else kept).append(line)
    carried_line = f'{INCLUDE}{carriedlib.CARRIED_FILE}"'
    if carried_line not in kept:
        includes = [i for i, ln in enumerate(kept) if ln.startswith(INCLUDE)]
        dated = [i for i in includes if _year_of(kept[i]) is not None]
        at = dated[0] if dated else (includes[-1] + 1 if includes else len(kept))
        kept.insert(at, carried_line)
    main_line = f'{INCLUDE}{MAIN_FILE}"'
    before = [
        ln for ln in (history or "").splitlines() if ln.startswith(INCLUDE) and ln != main_line
    ]
    header = [ln for ln in main.splitlines() if ln.startswith(("option ", "plugin "))]
    lines = [
        "; The books' full history, kept by coopledger: every closed year, then the live",
        f"; books ({MAIN_FILE}); the balances those carry ({carriedlib.CARRIED_FILE}) are",
        "; left out of a load of this file. `coopledger audit verify`, the reports of a",
        "; closed year and `books serve --all-years` read it. Do not edit.",
        "",
        *header,
        "",
        *dict.fromkeys([*before, *moved]),
        main_line,
    ]
    return "\n".join(kept) + "\n", "\n".join(lines) + "\n"


def carry_closed_years(
    tx: Transaction, year: int, produced: list[data.Directive], heads: dict[int, str]
) -> str:
    """Write the live layout in this transaction: ``carried.beancount`` (what the close of
    ``year`` carries), ``main.beancount`` without the closed years, ``history.beancount``
    with them. Returns the carried digest (for the close's tag)."""
    ledger = tx.ledger
    root = str(tx.books.root)
    # the close's own entries, as read back from the closed year's file they go to
    entries = list(ledger.entries)
    for entry in produced:
        written = os.path.join(root, entries_file(YEAR_END_KIND, entry.date))
        entries += read_back([entry], ledger.options, written)
    entries.sort(key=data.entry_sortkey)
    seeds = open_links(entries, tx.config, dt.date(year, 12, 31))
    mark, *body = carriedlib.carry(
        entries, year, seeds, heads, root, hub_lang(tx.config.invoicing.default_lang),
        offset=tx.config.account("retained_result"),
    )[0]  # fmt: skip
    sha = str(mark.meta[carriedlib.DIGEST_META])
    text = (
        f"; {carriedlib.CARRIED_FILE}: the balances carried by the close of {year}, written "
        "by coopledger. Do not edit: their digest is in the close's tag.\n\n"
        + render_entries([mark])
        + carriedlib.render_body(body)
    )
    tx.write_file(carriedlib.CARRIED_FILE, text.encode("utf-8"))
    main_now = (tx.read_file(MAIN_FILE) or b"").decode("utf-8")
    history_now = tx.read_file(carriedlib.HISTORY_FILE)
    main, history = live_layout(
        main_now, history_now.decode("utf-8") if history_now else None, year
    )
    tx.write_file(MAIN_FILE, main.encode("utf-8"))
    tx.write_file(carriedlib.HISTORY_FILE, history.encode("utf-8"))
    if tx.read_file(carriedlib.RECALLED_FILE) is not None:
        # what was recalled is carried now, if the open years still need it
        tx.write_file(carriedlib.RECALLED_FILE, recalled_header(year).encode("utf-8"))
    return sha


def compact(books: Books) -> tuple[int, str]:
    """``books compact``: books closed before the live layout (every year included from
    ``main.beancount``) get it now, from their last close; the annotated tag
    ``carried-YYYY`` anchors the carried digest. Returns the year carried and the digest."""
    if not is_git_books(books.root):
        raise BooksError(_("books compact needs the books' git history (its tags anchor it)"))
    with books.transaction("books: compact (the live books start from the last close)") as tx:
        entries = tx.ledger.entries
        mark = carriedlib.marker(entries)
        if mark is not None:
            raise InputError(
                _("the books are already compact: the live books start after {year}",
                  year=str(mark.values[0].value))
            )  # fmt: skip
        heads = {y: str(s.values[1].value) for y, s in seals(entries).items()}
        if not heads:
            raise InputError(_("no year is closed yet: there is nothing to compact"))
        year = max(heads)
        sha = carry_closed_years(tx, year, [], heads)
        tx.tag(
            f"{carriedlib.CARRIED_TAG_PREFIX}{year}",
            f"Books compacted by coopledger: the live books start from the close of {year}."
            f"\n\nseal sha256: {heads[year]}\n{carriedlib.TAG_LINE}{sha}\n",
        )
    return year, sha
