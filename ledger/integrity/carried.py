"""The live ledger: what the last close carries into the open years.

Once a year is closed and sealed its entries never change, so the live books
(``main.beancount``) need not load them: they start from ``carried.beancount``, written by
``year close`` (and ``books compact`` for books closed before the live layout):

* one ``custom "books-carried"`` entry dated on the last closed day, holding the last
  close's year and chain head, the head of every sealed year (``head-YYYY``), and the
  SHA-256 of every carried entry (``carried-sha256``, over the canonical fields of the hash
  chain, :func:`ledger.integrity.chain.entry_fields`) — the same digest is written in the
  close's annotated tag, so neither can change alone;
* the entries of the closed years that still matter in the open year, copied with
  ``carried: "YYYY"``: every entry linked (through any chain of shared links) to an invoice
  still open or not fully in the clients account, a pending payout, cost, grant or refund
  the bank should still show, a bank line still in suspense, and the last document of
  every numbering series (so the next number follows it);
* one ``kind: "carried"`` transaction on the last closed day with the balance of every
  account at that day, less what the copied entries post: the live books and the full
  history have the same balances on every close date;
* for an account closed before that day (a participant closed during the year: nothing
  reaches her accounts after her close), a ``kind: "carried"`` transaction on the day of
  its close with its balance, balanced by the retained result, which the transaction of
  the last closed day takes back (:func:`_carried_at_close`).

A write that needs a document the close did not carry (an invoice settled in a closed
year, credited or paid in an open one) recalls it: :func:`recall` gives the copies of it
and of every closed-year entry linked to it, each day's cancelled that day, which
:mod:`ledger.money.recall` appends to ``recalled.beancount``; :func:`recalled_problems`
checks them on every load against the sealed chains, and the next close empties the file.

The full history, ``history.beancount``, has the same options and plugins, includes every
closed year's files and ``main.beancount``; a load of it drops ``carried.beancount``'s
(and ``recalled.beancount``'s) entries (:func:`ledger.loader.load_ledger` with
``full_history=True``), so it is exactly the books as they were before the live layout.
Pure functions over entries; the files are written by :mod:`ledger.money.closing` through
the write path.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from beancount.core import amount as bc_amount
from beancount.core import data
from beancount.parser import printer
from beancount.parser.grammar import ValueType

from ledger.errors import InputError
from ledger.i18n import _
from ledger.integrity import chain as chainlib

CARRIED_FILE = "carried.beancount"
# What writes since the last close recalled from the closed years (an invoice settled
# there, credited, paid, resent or whose payment came back in an open year): exact copies
# of sealed entries, cancelled the same day, as the close carries them (see recall()).
RECALLED_FILE = "recalled.beancount"
RECALLED_META = "recalled"  # on a recalled copy: the document number that recalled it
HISTORY_FILE = "history.beancount"
CARRIED_TYPE = "books-carried"
CARRIED_KIND = "carried"
CARRIED_META = "carried"
DIGEST_META = "carried-sha256"
# the entries of the closed years that stay in the live load (the chart, the participants'
# opens, main's own directives): their digest, so nothing is added to a closed year there
STAYING_META = "staying-sha256"
HEAD_META = "head-"  # head-YYYY: the chain head of each sealed year
CARRIED_TAG_PREFIX = "carried-"  # the tag of a compaction without a close
TAG_LINE = "carried sha256: "
ZERO = Decimal("0")


def is_carried_file(filename: object) -> bool:
    """True for the files that stand for the closed years in the live load only: the
    carried balances and what writes recalled since (a full-history load drops both)."""
    return isinstance(filename, str) and os.path.basename(filename) in (
        CARRIED_FILE,
        RECALLED_FILE,
    )


def is_recalled_file(filename: object) -> bool:
    return isinstance(filename, str) and os.path.basename(filename) == RECALLED_FILE


def carried_entries(entries: Iterable[data.Directive]) -> list[data.Directive]:
    """The entries of the live load read from ``carried.beancount`` (the marker included)."""
    return [e for e in entries if is_carried_file((e.meta or {}).get("filename"))]


def marker(entries: Iterable[data.Directive]) -> data.Custom | None:
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.type == CARRIED_TYPE:
            return entry
    return None


def sealed_heads(entry: data.Custom) -> dict[int, str]:
    """The sealed years' chain heads a marker carries."""
    heads = {}
    for key, value in (entry.meta or {}).items():
        if key.startswith(HEAD_META) and key[len(HEAD_META) :].isdigit():
            heads[int(key[len(HEAD_META) :])] = str(value)
    return heads


def digest(entries: Iterable[data.Directive], root: str) -> str:
    """SHA-256 of the carried entries (the marker excluded), whatever their order."""
    lines = sorted(
        chainlib.content_hash(chainlib.entry_fields(e, root))
        for e in entries
        if not (isinstance(e, data.Custom) and e.type == CARRIED_TYPE)
    )
    out = hashlib.sha256(b"coopledger-carried-v1\n")
    for line in lines:
        out.update(line.encode("ascii") + b"\n")
    return out.hexdigest()


def staying(entries: Iterable[data.Directive], until: dt.date) -> list[data.Directive]:
    """The live load's own entries dated in the closed years (the carried file's apart, and
    what beancount synthesises: pad transactions, documents found on disk)."""
    entries = list(entries)
    pads = chainlib.pad_positions(entries)
    return [
        e
        for e in entries
        if e.date <= until
        and not is_carried_file((e.meta or {}).get("filename"))
        and not chainlib.is_synthesised_pad(e, pads)
        and not (isinstance(e, data.Document) and not (e.meta or {}).get("lineno"))
    ]


MARKER_TEXT = f'custom "{CARRIED_TYPE}"'.encode()


def body_digest(payload: bytes) -> str | None:
    """SHA-256 of ``carried.beancount`` after its marker entry (the marker holds it): the
    file is written by the close and never edited, so its bytes are what is sealed; one
    hash of the file, whatever the number of entries carried (``None``: no marker)."""
    at = payload.find(MARKER_TEXT)
    if at < 0:
        return None
    end = payload.find(b"\n\n", at)
    body = payload[end + 2 :] if end >= 0 else b""
    return hashlib.sha256(b"coopledger-carried-v1\n" + body).hexdigest()


def _closure(entries: list[data.Directive], seeds: set[str]) -> list[data.Directive]:
    """Every entry sharing a link, directly or through other entries, with ``seeds``."""
    by_link: dict[str, list[int]] = defaultdict(list)
    for index, entry in enumerate(entries):
        for link in getattr(entry, "links", None) or ():
            by_link[link].append(index)
    todo, seen, chosen = list(seeds), set(seeds), set()
    while todo:
        for index in by_link.get(todo.pop(), ()):
            if index in chosen:
                continue
            chosen.add(index)
            for link in getattr(entries[index], "links", None) or ():
                if link not in seen:
                    seen.add(link)
                    todo.append(link)
    return [entries[i] for i in sorted(chosen)]


STRUCTURAL = (data.Open, data.Close, data.Commodity)


def _moves(entry: data.Directive, year: int, root: str) -> bool:
    """True for an entry of a closed year's own file (``YYYY/…``, YYYY ≤ ``year``) or of
    the previous carry: it leaves the live load with them."""
    filename = str((entry.meta or {}).get("filename", ""))
    if is_carried_file(filename):
        return True
    if not os.path.isabs(filename):
        return False
    head = os.path.relpath(filename, root).split(os.sep, 1)[0]
    return head.isdigit() and int(head) <= year


def _own(meta: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (meta or {}).items() if k not in ("filename", "lineno")}


def _copy(
    entry: data.Directive, year: int, root: str, extra: dict[str, Any] | None = None
) -> data.Directive:
    meta = _own(entry.meta)
    meta[CARRIED_META] = str(year)
    meta.update(extra or {})
    new = entry._replace(meta=data.new_metadata("<carried>", 0, meta))
    if isinstance(new, data.Document) and os.path.isabs(new.filename):
        new = new._replace(filename=os.path.relpath(new.filename, root))
    if isinstance(new, data.Transaction):
        new = new._replace(postings=[p._replace(meta=_own(p.meta) or None) for p in new.postings])
    return new


Lot = tuple[str, str, Any, str | None]  # account, currency, cost, price currency


def lots(entries: Iterable[data.Directive], until: dt.date) -> dict[Lot, list[Decimal]]:
    """Units and weight of every position at ``until``, per account, currency, cost lot and
    price currency (a currency bought at a price keeps the weight it was bought for)."""
    out: dict[Lot, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for entry in entries:
        if not isinstance(entry, data.Transaction) or entry.date > until:
            continue
        for p in entry.postings:
            units = p.units
            if units is None or not isinstance(units.number, Decimal):
                continue
            at = p.price if p.cost is None else None
            price = at.currency if at is not None else None
            slot = out[(p.account, units.currency, p.cost, price)]
            slot[0] += units.number
            if at is not None and isinstance(at.number, Decimal):
                slot[1] += units.number * at.number
    return out


def balances(entries: Iterable[data.Directive], until: dt.date) -> dict[tuple[str, str], Decimal]:
    out: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for entry in entries:
        if not isinstance(entry, data.Transaction) or entry.date > until:
            continue
        for posting in entry.postings:
            units = posting.units
            if units is None or not isinstance(units.number, Decimal):
                continue
            out[(posting.account, units.currency)] += units.number
    return out


def _postings(positions: dict[Lot, list[Decimal]], sign: int = 1) -> list[data.Posting]:
    out = []
    for (account, currency, cost, price), (number, weight) in sorted(
        positions.items(), key=lambda kv: (kv[0][0], kv[0][1], str(kv[0][2]), str(kv[0][3]))
    ):
        if number == ZERO:
            continue
        at = bc_amount.Amount(weight / number, price) if price is not None else None
        units = bc_amount.Amount(sign * number, currency)
        out.append(data.Posting(account, units, cost, at, None, None))
    return out


def _by_grant(entries: list[data.Directive]) -> list[tuple[bool, list[data.Directive]]]:
    """The entries apart from those a grant pays (``grant`` metadata): a participant's
    sales, share and costs add up to zero in every entry but those (``plugins.money``), so
    each carried sum keeps the rule of the entries it sums."""
    funded = [e for e in entries if (e.meta or {}).get("grant")]
    plain = [e for e in entries if not (e.meta or {}).get("grant")]
    return [(False, plain), (True, funded)]


def _cancelled_days(
    kept: list[data.Directive], year: int, until: dt.date, root: str, lang: str,
    extra: dict[str, Any] | None = None,
) -> list[data.Directive]:  # fmt: skip
    """Copies of ``kept``, each day's followed by what cancels their postings that very day:
    before the carried day the live books hold no balance (no running check can trip on the
    closed years' partial history); on it, the full history's balances."""
    by_day: dict[dt.date, list[data.Directive]] = defaultdict(list)
    for entry in kept:
        by_day[entry.date].append(entry)
    out: list[data.Directive] = []
    for day, group in sorted(by_day.items()):
        out += [_copy(e, year, root, extra) for e in group]
        text = _(
            "Carried items of {day}, balanced on {until}",
            day=day.isoformat(),
            until=until.isoformat(),
        ).shown(lang)
        for funded, part in _by_grant(group):
            back = _postings(lots(part, day), -1)
            if back:
                out.append(_carried_txn(day, year, text, back, funded, extra))
    return out


def _carried_txn(
    day: dt.date, year: int, narration: str, postings: list[data.Posting], funded: bool = False,
    extra: dict[str, Any] | None = None,
) -> data.Transaction:  # fmt: skip
    values: dict[str, Any] = {"kind": CARRIED_KIND, CARRIED_META: str(year), **(extra or {})}
    if funded:
        values["grant"] = CARRIED_KIND  # the costs a grant paid (see _by_grant)
    meta = data.new_metadata("<carried>", 0, values)
    return data.Transaction(meta, day, "*", None, narration, frozenset(), frozenset(), postings)


def _closed_before(entries: Iterable[data.Directive], until: dt.date) -> dict[str, dt.date]:
    """The accounts closed before ``until`` (a ``close`` dated before it), with their day."""
    return {e.account: e.date for e in entries if isinstance(e, data.Close) and e.date < until}


def _weights(positions: dict[Lot, list[Decimal]]) -> dict[str, Decimal]:
    """What ``positions`` weigh, per currency (a lot at cost weighs its cost, a position
    bought at a price what it was bought for): what balances them."""
    out: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for (_account, currency, cost, price), (number, weight) in positions.items():
        if cost is not None and isinstance(getattr(cost, "number", None), Decimal):
            out[cost.currency] += number * cost.number
        elif price is not None:
            out[price] += weight
        else:
            out[currency] += number
    return out


def _carried_at_close(
    positions: dict[Lot, list[Decimal]], closed: dict[str, dt.date], offset: str | None,
    opened: dict[str, dt.date],
) -> dict[dt.date, dict[Lot, list[Decimal]]]:  # fmt: skip
    """Take out of ``positions`` (carried on the last closed day) those of the accounts
    ``closed`` before it: each day of a close gets its accounts' positions, balanced by
    ``offset`` (the retained result), and ``positions`` the reverse of that balance, so
    that on the last closed day every account holds what the full history holds. An
    account closed receives nothing after its close (Beancount, ``plugins.participants``):
    a participant closed during the year has her sales, share, costs and contribution
    carried on her day, never after it."""
    early: dict[dt.date, dict[Lot, list[Decimal]]] = defaultdict(dict)
    for lot in sorted(positions, key=lambda k: (k[0], k[1], str(k[2]), str(k[3]))):
        day = closed.get(lot[0])
        if day is not None and positions[lot][0] != ZERO:
            early[day][lot] = positions.pop(lot)
    for day, moved in sorted(early.items()):
        if offset is None or opened.get(offset, dt.date.max) > day:
            account = min(lot[0] for lot in moved)
            raise InputError(
                _(
                    "{account} was closed on {day} with a balance, which the close carries "
                    "on that day against {offset}, not open then: open {offset} from the "
                    "books' first day (accounts.beancount), then close the year again",
                    account=account,
                    day=day.isoformat(),
                    offset=offset or "retained_result",
                )
            )
        for currency, weight in sorted(_weights(moved).items()):
            if weight != ZERO:
                moved[(offset, currency, None, None)] = [-weight, ZERO]
                slot = positions.setdefault((offset, currency, None, None), [ZERO, ZERO])
                slot[0] += weight
    return early


def carry(
    entries: list[data.Directive],
    year: int,
    seeds: set[str],
    heads: dict[int, str],
    root: str,
    lang: str = "en",
    offset: str | None = None,
) -> tuple[list[data.Directive], str]:
    """The entries of ``carried.beancount`` after the close of ``year`` (the marker first)
    and their digest. ``entries`` is a load holding every entry up to the end of ``year``
    (the full history, or the live books with the previous carry); ``seeds`` are the links
    still open (:func:`ledger.money.closing.open_links`). Their narrations are in ``lang``
    (the hub's language). An account closed before the last closed day (a participant
    closed during the year) has its balance carried on the day of its close, balanced by
    ``offset`` (the retained result, 14) until the last closed day, whose carried totals
    take that balance back (:func:`_carried_at_close`)."""
    until = dt.date(year, 12, 31)
    closed = [e for e in entries if e.date <= until]
    movable = [
        e
        for e in closed
        if isinstance(e, data.Document) or (isinstance(e, data.Transaction) and e.flag != "P")
    ]
    kept = [
        e
        for e in _closure([e for e in movable if getattr(e, "links", None)], seeds)
        if not (isinstance(e, data.Transaction) and e.meta.get("kind") == CARRIED_KIND)
    ]
    structural = [
        e for e in closed if isinstance(e, STRUCTURAL) and _moves(e, year, root)
    ]  # the accounts and currencies a closed year's own files declared
    copies = [_copy(e, year, root) for e in structural]
    copies += _cancelled_days(kept, year, until, root, lang)
    narration = _("Balances carried by the close of {year}", year=str(year)).shown(lang)
    ended = _closed_before(closed, until)
    opened = {e.account: e.date for e in closed if isinstance(e, data.Open)}
    totals: list[data.Directive] = []
    early: list[data.Directive] = []
    for funded, part in _by_grant(closed):
        positions = lots(part, until)
        for day, moved in sorted(_carried_at_close(positions, ended, offset, opened).items()):
            text = _(
                "Balances of the accounts closed on {day}, carried by the close of {year}",
                day=day.isoformat(),
                year=str(year),
            ).shown(lang)
            early.append(_carried_txn(day, year, text, _postings(moved), funded))
        if postings := _postings(positions):
            totals.append(_carried_txn(until, year, narration, postings, funded))
    body = [*totals, *early, *copies]
    sha = body_digest(MARKER_TEXT + b"\n\n" + render_body(body).encode("utf-8")) or ""
    stays = staying([e for e in closed if not _moves(e, year, root)], until)
    meta: dict[str, Any] = {
        DIGEST_META: sha,
        STAYING_META: digest(stays, root),
        "entries": Decimal(len(body)),
    }
    for sealed_year, head in sorted(heads.items()):
        meta[f"{HEAD_META}{sealed_year}"] = head
    mark = data.Custom(
        data.new_metadata("<carried>", 0, meta),
        until,
        CARRIED_TYPE,
        [ValueType(str(year), str), ValueType(heads.get(year, ""), str)],
    )
    return [mark, *body], sha


def render_body(entries: list[data.Directive]) -> str:
    """The text of the carried entries, as ``carried.beancount`` holds it after its marker."""
    return "".join(printer.format_entry(e).rstrip("\n") + "\n\n" for e in entries)


def chain_file_head(path: str) -> str | None:
    """The head written on the last line of a chain file (``None``: missing or unreadable)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 4096))
            last = handle.read().decode("utf-8").rstrip("\n").rsplit("\n", 1)[-1]
        return str(json.loads(last)["head"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


# ---------------------------------------------------------------- recalled from the closed years


def record_hash(entry: data.Directive, root: str) -> str:
    """The content hash the hash chain gives ``entry`` as it was sealed: a carried or
    recalled copy is hashed without the metadata its copy added."""
    meta = {k: v for k, v in (entry.meta or {}).items() if k not in (CARRIED_META, RECALLED_META)}
    return chainlib.content_hash(chainlib.entry_fields(entry._replace(meta=meta), root))


def _is_cancel(entry: data.Directive) -> bool:
    return isinstance(entry, data.Transaction) and entry.meta.get("kind") == CARRIED_KIND


def recall(
    full: list[data.Directive],
    live: list[data.Directive],
    seeds: set[str],
    year: int,
    root: str,
    number: str,
    lang: str = "en",
) -> list[data.Directive]:
    """What ``recalled.beancount`` gets so that the live books hold the documents linked
    ``seeds`` again (an invoice settled in a closed year, and everything that settled it):
    the entries of the full history ``full`` sharing a link with them up to the end of
    ``year`` (the last close), as the close would have carried them had they still been
    open — each day's copies (``recalled: NUMBER``), then what cancels them that day, so
    no balance of the live books changes. Entries the live load ``live`` holds already
    are not copied twice."""
    until = dt.date(year, 12, 31)
    movable: list[data.Directive] = [
        e
        for e in full
        if e.date <= until
        and getattr(e, "links", None)
        and (isinstance(e, data.Document) or (isinstance(e, data.Transaction) and e.flag != "P"))
    ]
    have = {record_hash(e, root) for e in live if e.date <= until}
    kept = [
        e
        for e in _closure(movable, seeds)
        if not _is_cancel(e) and record_hash(e, root) not in have
    ]
    return _cancelled_days(kept, year, until, root, lang, {RECALLED_META: number})


def _chain_payload(root: str, year: int, cache: dict[int, bytes | None]) -> bytes | None:
    if year not in cache:
        try:
            with open(os.path.join(root, f"{year}/chain.jsonl"), "rb") as handle:
                cache[year] = handle.read()
        except OSError:
            cache[year] = None
    return cache[year]


def recalled_problems(
    entries: list[data.Directive], sealed_years: Iterable[int], until: dt.date, root: str
) -> list[tuple[data.Directive, Any]]:
    """What is wrong with ``recalled.beancount`` in a live load, each with the entry to
    name: every copy there must be an entry of a sealed year exactly as its chain holds it
    (its content hash is in ``YYYY/chain.jsonl``: one read of that file, no load of the
    closed year), recalled once and not carried already, and each day's copies cancelled
    that same day; nothing is dated after ``until``, the last closed day. ``audit verify``
    and ``books check --all-years`` check those chains against the closed years' entries."""
    names = {(e.meta or {}).get("filename") for e in entries}  # one test per file
    recalled_files = {name for name in names if is_recalled_file(name)}
    if not recalled_files:
        return []
    recalled = [e for e in entries if (e.meta or {}).get("filename") in recalled_files]
    years = sorted(sealed_years)
    links = {lk for e in recalled for lk in getattr(e, "links", None) or ()}
    carried_now = {  # a copy carried twice shares its links: only those are hashed
        record_hash(e, root)
        for e in entries
        if links.intersection(getattr(e, "links", None) or ())
        and (e.meta or {}).get("filename") not in recalled_files
        and is_carried_file((e.meta or {}).get("filename"))
    }
    chains: dict[int, bytes | None] = {}
    seen: set[str] = set()
    sums: dict[tuple[dt.date, str, str], Decimal] = defaultdict(lambda: ZERO)
    first_of_day: dict[dt.date, data.Directive] = {}
    problems: list[tuple[data.Directive, Any]] = []
    for entry in recalled:
        first_of_day.setdefault(entry.date, entry)
        if entry.date > until:
            problems.append((entry, _(
                "this entry of {file} is dated after {day}, the last closed day: only a "
                "closed year's entries are recalled", file=RECALLED_FILE, day=until.isoformat(),
            )))  # fmt: skip
            continue
        if isinstance(entry, data.Transaction):
            for p in entry.postings:
                if p.units is not None and isinstance(p.units.number, Decimal):
                    sums[(entry.date, p.account, p.units.currency)] += p.units.number
        if _is_cancel(entry):
            continue  # what cancels the copies: the sums below
        at = bisect.bisect_left(years, entry.date.year)
        year = years[at] if at < len(years) else None
        payload = _chain_payload(root, year, chains) if year is not None else None
        digest = record_hash(entry, root)
        if payload is None or f'"sha256":"{digest}"'.encode("ascii") not in payload:
            problems.append((entry, _(
                "this entry of {file} is not an entry sealed in {year} as its chain holds "
                "it: the live books recall a closed year's entries only as they were sealed",
                file=RECALLED_FILE, year=str(year or entry.date.year),
            )))  # fmt: skip
        elif digest in seen or digest in carried_now:
            problems.append((entry, _(
                "this entry of {file} is in the live books already: a closed year's entry "
                "is recalled once", file=RECALLED_FILE,
            )))  # fmt: skip
        seen.add(digest)
    for (day, account, currency), total in sorted(sums.items()):
        if total != ZERO:
            problems.append((first_of_day[day], _(
                "the entries {file} recalls on {day} do not cancel out ({account} {total} "
                "{currency}): they may change no balance of the live books",
                file=RECALLED_FILE, day=day.isoformat(), account=account, total=total,
                currency=currency,
            )))  # fmt: skip
    return problems


def recalls_not_in(
    live: list[data.Directive], full: list[data.Directive], until: dt.date, root: str
) -> tuple[int, list[data.Directive]]:
    """The copies ``recalled.beancount`` holds in the live load ``live`` (their number) and
    those that are not an entry of the full history ``full`` dated up to ``until`` as it is
    (``audit verify``: the live check compares them with the chains, this with the sealed
    entries themselves). Only the full history's entries sharing a link are hashed."""
    copies = [
        e for e in live if is_recalled_file((e.meta or {}).get("filename")) and not _is_cancel(e)
    ]
    links = {lk for e in copies for lk in getattr(e, "links", None) or ()}
    sealed = {
        record_hash(e, root)
        for e in full
        if e.date <= until and links.intersection(getattr(e, "links", None) or ())
    }
    return len(copies), [e for e in copies if record_hash(e, root) not in sealed]
