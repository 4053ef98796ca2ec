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
    return Numbering(entries, config).next(kind, day)


class Numbering:
    """The issued documents' numbers, from one scan of the entries: the next number of any
    series, then :meth:`take` each number a batch gives out (a batch of 100 invoices scans
    the books once, not once per invoice; same numbers, same refusals as
    :func:`next_number` over the books and the batch's earlier documents)."""

    def __init__(self, entries: Iterable[data.Directive], config: HubConfig) -> None:
        self.config = config
        self.numbers: set[str] = set()
        # the last document (highest seq) of each (kind, series): its seq, date and number
        self.last: dict[tuple[str, str], tuple[int, dt.date, str]] = {}
        for doc in issued(entries):
            self._record(doc.kind, doc.series, doc.seq, doc.date, doc.number)

    def _record(self, kind: str, series: str, seq: int, day: dt.date, number: str) -> None:
        self.numbers.add(number)
        last = self.last.get((kind, series))
        if last is None or seq > last[0]:  # the first of equal seqs, as max() keeps it
            self.last[(kind, series)] = (seq, day, number)

    def next(self, kind: DocKind, day: dt.date) -> NextNumber:
        """The next number of ``kind`` for a document dated ``day`` (not taken yet)."""
        series = series_key(self.config, kind, day)
        last = self.last.get((kind, series))
        what = _("invoice") if kind == "invoice" else _("credit note")
        if last is not None and day < last[1]:
            raise InputError(
                _(
                    "{what} date {day} is before the last {what} of its series "
                    "({number}, dated {date}): numbers must follow dates",
                    what=what,
                    day=day.isoformat(),
                    number=last[2],
                    date=last[1].isoformat(),
                )
            )
        seq = (last[0] if last else 0) + 1
        number = format_number(self.config, kind, day.year, seq)
        if number in self.numbers:
            raise InputError(
                _(
                    "number {number} is already used; check the series formats in hub.toml",
                    number=number,
                )
            )
        return NextNumber(kind, number, series, seq)

    def take(self, nxt: NextNumber, day: dt.date) -> None:
        """``nxt`` is given to a document dated ``day``: the next one follows it."""
        self._record(nxt.kind, nxt.series, nxt.seq, day, nxt.number)


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
