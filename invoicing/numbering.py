"""Gapless, date-ordered numbering of invoices and credit notes, read from the books.

A series is one kind of document (invoice or credit note) and, when the number format
contains ``{year}`` (the default), one year. The next number is computed from the entries
loaded under the books' lock, so it is used only if the whole issue is written: a failed or
crashed issue leaves no gap. An invoice may not be dated before the last one of its series.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Iterable
from dataclasses import dataclass

from beancount.core import data

from invoicing.models import DocKind
from ledger.config import HubConfig
from ledger.errors import ConfigError, InputError, typed
from ledger.i18n import _
from ledger.view import IssuedRef
from ledger.view import issued_documents as issued

KINDS: tuple[DocKind, ...] = ("invoice", "credit-note")
ALLOWED_FIELDS = {"year", "seq"}


def number_format(config: HubConfig, kind: DocKind) -> str:
    """The configured format of a kind's numbers, checked (only ``{year}`` and ``{seq}``)."""
    fmt = (
        config.invoicing.series_format
        if kind == "invoice"
        else config.invoicing.credit_series_format
    )
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(fmt) if name is not None}
    except ValueError as exc:
        raise ConfigError(
            _("hub.toml: invoicing series format {fmt!r}: {exc}", fmt=fmt, exc=exc)
        ) from None
    if "seq" not in fields or not fields <= ALLOWED_FIELDS:
        raise ConfigError(
            _(
                "hub.toml: invoicing series format {fmt!r} must contain {{seq}} and may contain "
                "only {{year}} besides",
                fmt=fmt,
            )
        )
    return fmt


def series_key(config: HubConfig, kind: DocKind, day: dt.date) -> str:
    """The series a document dated ``day`` belongs to: its year, or ``all`` when the format
    has no ``{year}`` (one series for ever)."""
    return str(day.year) if "{year" in number_format(config, kind) else "all"


def format_number(config: HubConfig, kind: DocKind, year: int, seq: int) -> str:
    """The number of sequence ``seq`` of the series of ``year``."""
    return number_format(config, kind).format(year=year, seq=seq)


@dataclass(frozen=True)
class NextNumber:
    """The number a new document will get."""

    kind: DocKind
    number: str
    series: str
    seq: int


def next_number(
    entries: Iterable[data.Directive], config: HubConfig, kind: DocKind, day: dt.date
) -> NextNumber:
    """The next number of ``kind`` for a document dated ``day``; InputError if ``day`` is
    before the last document of the series or the number is already taken."""
    docs = issued(entries)
    series = series_key(config, kind, day)
    same = [d for d in docs if d.kind == kind and d.series == series]
    last = max(same, key=lambda d: d.seq, default=None)
    what = _("invoice") if kind == "invoice" else _("credit note")
    if last is not None and day < last.date:
        raise InputError(
            _(
                "{what} date {day} is before the last {what} of its series "
                "({number}, dated {date}): numbers must follow dates",
                what=what,
                day=day.isoformat(),
                number=last.number,
                date=last.date.isoformat(),
            )
        )
    seq = (last.seq if last else 0) + 1
    number = format_number(config, kind, day.year, seq)
    if any(d.number == number for d in docs):
        raise InputError(
            _(
                "number {number} is already used; check the series formats in hub.toml",
                number=number,
            )
        )
    return NextNumber(kind, number, series, seq)


def find(entries: Iterable[data.Directive], number: str, kind: DocKind = "invoice") -> IssuedRef:
    """The issued document with this number, or a clear error."""
    wanted = number.strip()
    for doc in issued(entries):
        if doc.kind == kind and doc.number == wanted:
            return doc
    what = _("invoice") if kind == "invoice" else _("credit note")
    raise InputError(
        _(
            "unknown {what} {number} (see 'coopledger invoice list')",
            what=what,
            number=typed(number),
        )
    )
