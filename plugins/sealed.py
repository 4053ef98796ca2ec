"""Closed years are sealed: their entries can no longer change.

``coopledger close-year YEAR`` books a ``custom "year-closed"`` entry. On every load this
plugin checks each seal against the books:

* **seal version 2** (every close since the hash chain): the seal holds the head of the
  year's hash chain (:mod:`ledger.integrity.chain`) and names its chain file
  ``<year>/chain.jsonl``.
  The plugin recomputes every sealed record and reports each one that changed *at the
  changed entry's own file and line*, with the fields that changed (names only, never
  values); a record that disappeared is reported at the seal. A chain must start from the
  head of the close before it, and may not go back to an older version (a downgrade).
* **seal version 1** (books closed before the chain): a SHA-256 digest of every entry dated
  in or before the year; a change is reported at the seal (``coopledger verify`` names the
  entry from the git history).

The write path refuses any change that would add such an error. Corrections of a closed
year are booked in an open year. The seal only proves something when compared with
the annotated ``close-YYYY`` git tag, which ``ledger.integrity.anchors`` does on every load
of the books.
"""

from __future__ import annotations

import bisect
import collections
import datetime as dt
import hashlib
import os
from decimal import Decimal
from typing import Any

from beancount.core import data

from ledger.i18n import _
from ledger.integrity import carried as carriedlib
from ledger.integrity import chain as chainlib

__plugins__ = ("check_sealed_years",)

SealError = collections.namedtuple("SealError", "source message entry")

SEAL_TYPE = "year-closed"
SEAL_VERSION = "1"  # the legacy digest; closes now write version 2 (ledger.integrity.chain)
LATEST_SEAL_VERSION = 2
# The hash chain exists since 2026: no close of a year from 2026 on was ever made without
# it, so a version-1 seal there is a downgrade (QA 8/9/10 item 14).
CHAIN_FIRST_YEAR = 2026
SKIPPED_META = frozenset({"filename", "lineno"})


def _value(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (set, frozenset, list, tuple)):
        return "[" + ",".join(sorted(_value(v) for v in value)) + "]"
    return repr(value)


def _meta(meta: dict[str, Any] | None) -> str:
    if not meta:
        return ""
    items = sorted(
        (k, v) for k, v in meta.items() if k not in SKIPPED_META and not k.startswith("__")
    )
    return ";".join(f"{k}={_value(v)}" for k, v in items)


def canonical(entry: data.Directive) -> str | None:
    """One line that changes whenever the entry's meaning does (None: not sealed)."""
    head = f"{entry.date.isoformat()}|{type(entry).__name__}"
    if isinstance(entry, data.Transaction):
        if entry.flag == "P":  # synthesised by the pad plugin
            return None
        postings = ",".join(
            sorted(
                f"{p.account} {_value(p.units.number) if p.units else ''} "
                f"{p.units.currency if p.units else ''} {_meta(p.meta)}"
                for p in entry.postings
            )
        )
        return (
            f"{head}|{entry.flag}|{entry.payee!r}|{entry.narration!r}|{_value(entry.tags or [])}"
            f"|{_value(entry.links or [])}|{postings}|{_meta(entry.meta)}"
        )
    if isinstance(entry, data.Custom):
        if entry.type == SEAL_TYPE:
            return None
        values = ",".join(_value(v.value) for v in entry.values)
        return f"{head}|{entry.type}|{values}|{_meta(entry.meta)}"
    if isinstance(entry, data.Open):
        return f"{head}|{entry.account}|{_value(entry.currencies or [])}|{_meta(entry.meta)}"
    if isinstance(entry, data.Balance):
        return f"{head}|{entry.account}|{_value(entry.amount.number)} {entry.amount.currency}"
    if isinstance(entry, data.Document):
        return f"{head}|{entry.account}|{os.path.basename(entry.filename)}|{_meta(entry.meta)}"
    fields = [
        _value(getattr(entry, name))
        for name in entry._fields
        if name not in ("meta", "date", "diff_amount", "tolerance")
    ]
    return f"{head}|{'|'.join(fields)}|{_meta(entry.meta)}"


def seal_digest(entries: list[data.Directive], year: int) -> tuple[str, int]:
    """SHA-256 of the canonical lines of every entry dated up to the end of ``year``."""
    until = dt.date(year, 12, 31)
    lines = sorted(
        line for entry in entries if entry.date <= until and (line := canonical(entry)) is not None
    )
    digest = hashlib.sha256()
    digest.update(f"coopledger-seal-v{SEAL_VERSION}\n".encode())
    for line in lines:
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest(), len(lines)


def _error(meta: Any, message: str, entry: Any = None) -> SealError:
    return SealError(meta, message, entry)


def check_sealed_years(
    entries: list[data.Directive], options_map: dict[str, Any], config: str | None = None
) -> tuple[list[data.Directive], list[Any]]:
    errors: list[Any] = []
    root = os.path.dirname(str(options_map.get("filename") or "")) or "."
    seals = []
    carried: list[data.Directive] = []
    for entry in entries:  # one pass: the seals, and what the live books carry
        if carriedlib.is_carried_file((entry.meta or {}).get("filename")):
            carried.append(entry)
        if not isinstance(entry, data.Custom) or entry.type != SEAL_TYPE:
            continue
        try:
            year = int(str(entry.values[0].value))
            sealed = str(entry.values[1].value)
            version = int(str(entry.meta.get("seal-version", "1")))
        except (IndexError, ValueError):
            errors.append(
                _error(entry.meta, _("a year-closed entry needs YEAR and DIGEST"), entry)
            )
            continue
        seals.append((year, version, sealed, entry))
    seals.sort(key=lambda s: s[0])
    if carried:
        errors.extend(_check_carried(entries, carried, root))
    buckets = _by_year(entries, sorted({s[0] for s in seals}))
    previous_head, previous_end, highest = chainlib.GENESIS, None, 0
    years: set[int] = set()
    for year, version, sealed, seal in seals:
        until = dt.date(year, 12, 31)
        if year in years:
            errors.append(_error(seal.meta, _("{year} is sealed twice", year=year), seal))
            continue
        years.add(year)
        if version < highest:
            errors.append(
                _error(
                    seal.meta,
                    _(
                        "the seal of {year} uses version {version} after a version-{highest} "
                        "seal: a chain may not go back to an older algorithm (downgrade)",
                        year=year,
                        version=version,
                        highest=highest,
                    ),
                    seal,
                )
            )
        elif version == 1 and year >= CHAIN_FIRST_YEAR:
            errors.append(
                _error(
                    seal.meta,
                    _(
                        "the seal of {year} uses version 1, but every close of a year from "
                        "{chain_first_year} on writes version {latest_seal_version} (the hash "
                        "chain): a downgrade",
                        year=year,
                        chain_first_year=CHAIN_FIRST_YEAR,
                        latest_seal_version=LATEST_SEAL_VERSION,
                    ),
                    seal,
                )
            )
        elif version == 1:
            errors.extend(_check_v1(entries, seal, year, sealed))
        elif version == chainlib.CHAIN_VERSION:
            errors.extend(
                _check_v2(buckets[year], root, seal, year, sealed, previous_end, previous_head)
            )
        else:
            errors.append(
                _error(
                    seal.meta,
                    _("seal version {version} is unknown to this coopledger", version=version),
                    seal,
                )
            )
        highest = max(highest, version)
        previous_head, previous_end = sealed, until
    return entries, errors


def _by_year(entries: list[data.Directive], years: list[int]) -> dict[int, list[data.Directive]]:
    """The entries each sealed year covers (after the close before it, up to its last day),
    in one pass over the books whatever the number of closed years."""
    ends = [dt.date(year, 12, 31) for year in years]
    buckets: dict[int, list[data.Directive]] = {year: [] for year in years}
    if not years:
        return buckets
    last = ends[-1]
    for entry in entries:
        if entry.date > last:
            continue
        buckets[years[bisect.bisect_left(ends, entry.date)]].append(entry)
    return buckets


OUT_OF_LIVE = (data.Transaction, data.Balance, data.Pad, data.Note, data.Document)


def _check_carried(
    entries: list[data.Directive], carried: list[data.Directive], root: str
) -> list[Any]:
    """The live books: the carried balances against their digest and the sealed chain
    they continue, and nothing else booked in the closed years they stand for."""
    mark = carriedlib.marker(carried)
    if mark is None:
        return [
            _error(
                carried[0].meta,
                _("{file} holds no books-carried entry", file=carriedlib.CARRIED_FILE),
            )
        ]
    try:
        year = int(str(mark.values[0].value))
        head = str(mark.values[1].value)
    except (IndexError, ValueError):
        return [_error(mark.meta, _("a books-carried entry needs YEAR and HEAD"), mark)]
    errors = []
    written = str(mark.meta.get(carriedlib.DIGEST_META, ""))
    try:
        with open(str(mark.meta.get("filename")), "rb") as handle:
            now = carriedlib.body_digest(handle.read()) or ""
    except OSError:
        now = ""
    if now != written:
        errors.append(
            _error(
                mark.meta,
                _(
                    "the balances carried from {year} changed after the close (digest "
                    "{written}…, now {now}…): they must be what the seal of {year} carried; "
                    "book corrections in an open year",
                    year=year,
                    written=written[:12],
                    now=now[:12],
                ),
                mark,
            )
        )
    relpath = f"{year}/chain.jsonl"
    stored = carriedlib.chain_file_head(os.path.join(root, relpath))
    if stored != head:
        errors.append(
            _error(
                mark.meta,
                _(
                    "the carried head of {year} is not the head of {relpath}",
                    year=year,
                    relpath=relpath,
                )
                if stored
                else _(
                    "the chain file {relpath} of {year} is missing or unreadable",
                    relpath=relpath,
                    year=year,
                ),
                mark,
            )
        )
    until = mark.date
    stays = carriedlib.staying(entries, until)
    if carriedlib.digest(stays, root) != str(mark.meta.get(carriedlib.STAYING_META, "")):
        named = [e for e in stays if isinstance(e, OUT_OF_LIVE)]
        for entry in named:
            errors.append(
                _error(
                    entry.meta,
                    _(
                        "this entry is dated in {year}, closed and carried into the live "
                        "books: book corrections in an open year",
                        year=entry.date.year,
                    ),
                    entry,
                )
            )
        if not named:
            errors.append(
                _error(
                    mark.meta,
                    _(
                        "an entry dated on or before {day} (a closed year) was added to or "
                        "changed in the live books' own files (the chart, the participants): "
                        "book corrections in an open year",
                        day=until.isoformat(),
                    ),
                    mark,
                )
            )
    # what writes recalled since the close: exact copies of sealed entries, cancelled
    heads = carriedlib.sealed_heads(mark)
    for copy, message in carriedlib.recalled_problems(carried, heads, until, root):
        errors.append(_error(copy.meta, message, copy))
    return errors


def _check_v1(
    entries: list[data.Directive], seal: data.Custom, year: int, sealed: str
) -> list[Any]:
    now, count = seal_digest(entries, year)
    if now == sealed:
        return []
    return [
        _error(
            seal.meta,
            _(
                "the entries of {year} changed after the year was closed (sealed digest "
                "{sealed}…, now {now}… over {count} entries): book corrections "
                "in an open year",
                year=year,
                sealed=sealed[:12],
                now=now[:12],
                count=count,
            ),
            seal,
        )
    ]


def _check_v2(
    entries: list[data.Directive],
    root: str,
    seal: data.Custom,
    year: int,
    sealed: str,
    after: dt.date | None,
    previous: str,
) -> list[Any]:
    relpath = str(seal.meta.get("chain") or f"{year}/chain.jsonl")
    path = os.path.join(root, relpath)
    try:
        with open(path, "rb") as handle:
            payload = handle.read()
    except OSError:
        return [
            _error(
                seal.meta,
                _("the chain file {relpath} of {year} is missing", relpath=relpath, year=year),
                seal,
            )
        ]
    try:
        stored = chainlib.parse_chain_file(payload, relpath)
    except chainlib.ChainFileError as exc:
        return [_error(seal.meta, exc.args[0] if exc.args else str(exc), seal)]  # a Message
    until = dt.date(year, 12, 31)
    now = chainlib.entry_records(entries, root, after, until)
    known = {r.sha256: r.fields for r in now}
    errors = [
        _error(
            data.new_metadata(path, lineno),
            _("chain file of {year}: {problem}", year=year, problem=problem),
        )
        for lineno, problem in chainlib.chain_file_problems(stored, known)
    ]
    if stored.year != year or stored.version != chainlib.CHAIN_VERSION:
        errors.append(
            _error(
                seal.meta,
                _("{relpath} is not the version-2 chain of {year}", relpath=relpath, year=year),
                seal,
            )
        )
    if stored.head != sealed:
        errors.append(
            _error(
                seal.meta,
                _("the seal of {year} is not the head of {relpath}", year=year, relpath=relpath),
                seal,
            )
        )
    if stored.previous != previous:
        errors.append(
            _error(
                seal.meta,
                _(
                    "the chain of {year} does not start from the head of the close before it",
                    year=year,
                ),
                seal,
            )
        )
    sealed_entries = [r for r in stored.records if r.kind == "entry"]
    for change in chainlib.compare(sealed_entries, now):
        if change.what == "removed":
            assert change.sealed is not None
            errors.append(
                _error(
                    seal.meta,
                    _(
                        "record #{pos} of the {year} chain (was at "
                        "{ref}) is no longer in the books: book corrections in an "
                        "open year",
                        pos=change.sealed.pos,
                        year=year,
                        ref=change.sealed.ref,
                    ),
                    seal,
                )
            )
            continue
        assert change.now is not None and change.now.entry is not None
        what = (
            _("changed after {year} was closed (field {fields})", year=year,
              fields=", ".join(change.fields))
            if change.what == "changed"
            else _("is dated in closed year {year} but was not sealed", year=year)
        )  # fmt: skip
        errors.append(
            _error(
                change.now.entry.meta,
                _("this entry {what}: book corrections in an open year", what=what),
                change.now.entry,
            )
        )
    if not errors:
        documents = chainlib.stored_as_records(r for r in stored.records if r.kind != "entry")
        if chainlib.build_chain([*now, *documents], previous).head != sealed:
            errors.append(
                _error(
                    seal.meta, _("the records of {year} are out of chain order", year=year), seal
                )
            )
    return errors
