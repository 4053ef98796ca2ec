"""Closed years are sealed: their entries can no longer change.

``coopledger close-year YEAR`` books a ``custom "year-closed"`` entry carrying a SHA-256
digest of every entry dated in or before that year. On every load this plugin recomputes
the digest; if an entry of a closed year was edited, removed or added since (by hand or
by a command), the load fails with an error naming the seal, and the write path refuses
any change that would do so. Corrections of a closed year are booked in an open year.

The digest covers what entries mean, not how files are laid out: moving an entry to
another file, reformatting or re-ordering lines keeps the seal; changing a date, an
account, an amount, a link, a narration or any metadata breaks it.
"""

from __future__ import annotations

import collections
import datetime as dt
import hashlib
import os
from decimal import Decimal
from typing import Any

from beancount.core import data

__plugins__ = ("check_sealed_years",)

SealError = collections.namedtuple("SealError", "source message entry")

SEAL_TYPE = "year-closed"
SEAL_VERSION = "1"
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


def check_sealed_years(
    entries: list[data.Directive], options_map: dict[str, Any], config: str | None = None
) -> tuple[list[data.Directive], list[Any]]:
    errors = []
    seals = [e for e in entries if isinstance(e, data.Custom) and e.type == SEAL_TYPE]
    for seal in seals:
        try:
            year = int(str(seal.values[0].value))
            sealed = str(seal.values[1].value)
        except (IndexError, ValueError):
            errors.append(SealError(seal.meta, "a year-closed entry needs YEAR and DIGEST", seal))
            continue
        now, count = seal_digest(entries, year)
        if now != sealed:
            errors.append(
                SealError(
                    seal.meta,
                    f"the entries of {year} changed after the year was closed (sealed digest "
                    f"{sealed[:12]}…, now {now[:12]}… over {count} entries): book corrections "
                    "in an open year",
                    seal,
                )
            )
    return entries, errors
