"""Invoice invariants over the books' entries: pure functions, run by ``plugins.invoices``.

For the transactions with ``kind`` ``invoice`` or ``credit-note``:

* the metadata the rest of coopledger relies on is there: the document's number
  (``invoice`` / ``credit-note``), ``series``, ``seq``, ``participant``, ``client``, the
  link ``^inv-<number>`` (``^cn-<number>``), and for an invoice a valid 12-digit ``ogm``;
* no number and no OGM is used twice;
* within each series (kind + ``series``), sequence numbers run 1, 2, 3… without gaps, and
  dates never go down as numbers go up (Royal Decree no. 1, art. 5);
* a credit note refers to an existing invoice, is not dated before it, and carries its link;
* per VAT rate (meta ``vat-groups``, ``RATE:BASE:VAT`` per rate: the document's VAT
  breakdown, written since credits were bounded per rate; entries without it are not
  checked), the credit notes of an invoice credit, each in its turn, a base and a VAT
  between 0 and what is left of that rate on the invoice, whatever its sign (a discount is
  never credited beyond what was invoiced of it), and never a rate it does not have.
"""

from __future__ import annotations

import collections
import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, NamedTuple

from beancount.core import data
from stdnum.be import ogm_vcs

from ledger.i18n import _

# A document's kind as a message names it (as invoicing.i18n.KIND_WORDS).
KIND_WORDS = {"invoice": _("invoice"), "credit-note": _("credit-note")}


class InvoiceCheckError(NamedTuple):
    """A Beancount-style error: where, what, which entry."""

    source: dict[str, Any]
    message: str
    entry: Any


KINDS = ("invoice", "credit-note")
REQUIRED = ("series", "seq", "participant", "client")


def _link(prefix: str, number: str) -> str:
    return prefix + re.sub(r"[^A-Za-z0-9\-_./]", "-", number)


class _Doc(NamedTuple):
    kind: str
    number: str
    series: str
    seq: int
    date: dt.date
    entry: data.Transaction


def valid_ogm(ogm: str) -> bool:
    """``stdnum``'s ``ogm_vcs.is_valid`` of 12 digits: for ASCII digits (every invoice's),
    its rule itself — a number above zero whose last two digits are the first ten mod 97
    (97 for 0) — without its cleaning of Unicode, a tenth of the time per invoice."""
    if ogm.isascii() and ogm.isdigit() and len(ogm) == 12:
        return int(ogm) > 0 and f"{int(ogm[:10]) % 97 or 97:02d}" == ogm[-2:]
    return bool(ogm_vcs.is_valid(ogm))


def _blank(value: Any) -> bool:
    """No value (a value of another type, an amount, is compared by type first: a hand
    edit never crashes the plugin)."""
    return value is None or (isinstance(value, str) and value == "")


def _documents(entries: Iterable[data.Directive], errors: list[InvoiceCheckError]) -> list[_Doc]:
    docs = []
    for entry in entries:
        if not isinstance(entry, data.Transaction) or entry.meta.get("kind") not in KINDS:
            continue
        kind = str(entry.meta["kind"])
        own_key = "invoice" if kind == "invoice" else "credit-note"
        missing = [k for k in (own_key, *REQUIRED) if _blank(entry.meta.get(k))]
        if kind == "credit-note" and _blank(entry.meta.get("invoice")):
            missing.append("invoice")
        if missing:
            errors.append(
                InvoiceCheckError(
                    entry.meta,
                    _(
                        "{kind} entry lacks metadata: {missing}",
                        kind=KIND_WORDS.get(kind, kind),
                        missing=", ".join(missing),
                    ),
                    entry,
                )
            )
            continue
        number = str(entry.meta[own_key])
        seq = entry.meta["seq"]
        if (
            isinstance(seq, bool)
            or not isinstance(seq, (int, Decimal))
            or (isinstance(seq, Decimal) and not seq.is_finite())
            or int(seq) != seq
            or int(seq) < 1
        ):
            errors.append(
                InvoiceCheckError(
                    entry.meta,
                    _(
                        "{kind} {number}: seq must be 1, 2, 3…",
                        kind=KIND_WORDS.get(kind, kind),
                        number=number,
                    ),
                    entry,
                )
            )
            continue
        link = _link("inv-" if kind == "invoice" else "cn-", number)
        if link not in (entry.links or ()):
            errors.append(
                InvoiceCheckError(
                    entry.meta,
                    _(
                        "{kind} {number}: link ^{link} is missing",
                        kind=KIND_WORDS.get(kind, kind),
                        number=number,
                        link=link,
                    ),
                    entry,
                )
            )
        if kind == "invoice":
            ogm = str(entry.meta.get("ogm", ""))
            if not (re.fullmatch(r"\d{12}", ogm) and valid_ogm(ogm)):
                errors.append(
                    InvoiceCheckError(
                        entry.meta,
                        _(
                            "invoice {number}: ogm must be a valid 12-digit structured "
                            "communication, got {ogm!r}",
                            number=number,
                            ogm=ogm,
                        ),
                        entry,
                    )
                )
        docs.append(_Doc(kind, number, str(entry.meta["series"]), int(seq), entry.date, entry))
    return docs


def _duplicates(docs: list[_Doc], errors: list[InvoiceCheckError]) -> None:
    seen: dict[str, _Doc] = {}
    ogms: dict[str, _Doc] = {}
    for doc in docs:
        if doc.number in seen:
            errors.append(
                InvoiceCheckError(
                    doc.entry.meta,
                    _(
                        "number {number} is used twice (also on {date})",
                        number=doc.number,
                        date=seen[doc.number].date,
                    ),
                    doc.entry,
                )
            )
        seen.setdefault(doc.number, doc)
        ogm = doc.entry.meta.get("ogm")
        if doc.kind == "invoice" and ogm:
            if ogm in ogms:
                errors.append(
                    InvoiceCheckError(
                        doc.entry.meta,
                        _(
                            "invoice {number}: structured communication {ogm} is also used "
                            "by invoice {other}",
                            number=doc.number,
                            ogm=ogm,
                            other=ogms[ogm].number,
                        ),
                        doc.entry,
                    )
                )
            ogms.setdefault(str(ogm), doc)


def _series(docs: list[_Doc], errors: list[InvoiceCheckError]) -> None:
    groups: dict[tuple[str, str], list[_Doc]] = collections.defaultdict(list)
    for doc in docs:
        groups[(doc.kind, doc.series)].append(doc)
    for (kind, series), group in sorted(groups.items()):
        group.sort(key=lambda d: (d.seq, d.date))
        expected = 1
        previous: _Doc | None = None
        for doc in group:
            # Carried from a sealed year into the live books (ledger.integrity.carried):
            # its series was proven gapless when sealed; the open year's continue from it.
            if doc.seq != expected and not doc.entry.meta.get("carried"):
                what = (
                    _("repeated")
                    if doc.seq < expected
                    else _("gap: {expected} is missing", expected=expected)
                )
                errors.append(
                    InvoiceCheckError(
                        doc.entry.meta,
                        _(
                            "{kind} series {series}: {number} has sequence {seq} "
                            "({what}); numbers must be gapless",
                            kind=KIND_WORDS.get(kind, kind),
                            series=series,
                            number=doc.number,
                            seq=doc.seq,
                            what=what,
                        ),
                        doc.entry,
                    )
                )
            if previous is not None and doc.date < previous.date:
                errors.append(
                    InvoiceCheckError(
                        doc.entry.meta,
                        _(
                            "{kind} series {series}: {number} ({date}) is dated before "
                            "{previous} ({previous_date}); dates must follow numbers",
                            kind=KIND_WORDS.get(kind, kind),
                            series=series,
                            number=doc.number,
                            date=doc.date,
                            previous=previous.number,
                            previous_date=previous.date,
                        ),
                        doc.entry,
                    )
                )
            expected = max(expected, doc.seq) + 1
            previous = doc


def _credit_notes(docs: list[_Doc], errors: list[InvoiceCheckError]) -> None:
    invoices = {d.number: d for d in docs if d.kind == "invoice"}
    for doc in docs:
        if doc.kind != "credit-note":
            continue
        original = str(doc.entry.meta["invoice"])
        inv = invoices.get(original)
        if inv is None:
            errors.append(
                InvoiceCheckError(
                    doc.entry.meta,
                    _(
                        "credit note {number} refers to unknown invoice {original}",
                        number=doc.number,
                        original=original,
                    ),
                    doc.entry,
                )
            )
            continue
        if doc.date < inv.date:
            errors.append(
                InvoiceCheckError(
                    doc.entry.meta,
                    _(
                        "credit note {number} ({date}) is dated before invoice "
                        "{original} ({original_date})",
                        number=doc.number,
                        date=doc.date,
                        original=original,
                        original_date=inv.date,
                    ),
                    doc.entry,
                )
            )
        if _link("inv-", original) not in (doc.entry.links or ()):
            errors.append(
                InvoiceCheckError(
                    doc.entry.meta,
                    _(
                        "credit note {number}: link ^{link} is missing",
                        number=doc.number,
                        link=_link("inv-", original),
                    ),
                    doc.entry,
                )
            )


VAT_GROUPS = "vat-groups"  # meta of an invoice or credit-note entry: its VAT breakdown


def format_vat_groups(groups: Iterable[tuple[Decimal, Decimal, Decimal]]) -> str:
    """``RATE:BASE:VAT`` of each (rate, base, VAT), space-separated: ``21:100.00:21.00``."""
    return " ".join(f"{format(r.normalize(), 'f')}:{b}:{v}" for r, b, v in groups)


def parse_vat_groups(text: object) -> dict[Decimal, tuple[Decimal, Decimal]] | None:
    """Rate → (base, VAT) of a ``vat-groups`` meta; None when it is not one."""
    out: dict[Decimal, tuple[Decimal, Decimal]] = {}
    for item in str(text).split():
        parts = item.split(":")
        if len(parts) != 3 or not all(re.fullmatch(r"-?\d+(\.\d+)?", p) for p in parts):
            return None
        rate, base, vat = (Decimal(p) for p in parts)
        if rate.normalize() in out:
            return None
        out[rate.normalize()] = (base, vat)
    return out or None


def _between(value: Decimal, bound: Decimal) -> bool:
    return min(Decimal(0), bound) <= value <= max(Decimal(0), bound)


def _vat_groups(
    docs: list[_Doc], errors: list[InvoiceCheckError], clients: frozenset[str]
) -> None:
    """Each credit note of an invoice credits, per rate, between 0 and what is left; the
    breakdown adds up to what the entry asks of the client (``clients``: the accounts of
    role ``clients``; none known, not checked)."""
    left: dict[str, dict[Decimal, tuple[Decimal, Decimal]]] = {}
    for doc in docs:
        raw = doc.entry.meta.get(VAT_GROUPS)
        groups = parse_vat_groups(raw) if raw is not None else None
        asked = sum(
            (p.units.number for p in doc.entry.postings
             if p.account in clients and p.units is not None and p.units.number is not None),
            Decimal(0),
        )  # fmt: skip
        sign = 1 if doc.kind == "invoice" else -1
        total = sum((b + v for b, v in (groups or {}).values()), Decimal(0))
        if groups is not None and clients and asked != sign * total:
            errors.append(
                InvoiceCheckError(
                    doc.entry.meta,
                    _(
                        "{kind} {number}: its vat-groups come to {total} EUR, its entry "
                        "moves {asked} EUR on the clients account",
                        kind=KIND_WORDS.get(doc.kind, doc.kind),
                        number=doc.number,
                        total=total,
                        asked=abs(asked),
                    ),
                    doc.entry,
                )
            )
        if raw is not None and groups is None:
            errors.append(
                InvoiceCheckError(
                    doc.entry.meta,
                    _(
                        "{kind} {number}: vat-groups must be RATE:BASE:VAT per rate (the "
                        "value is not repeated here)",
                        kind=KIND_WORDS.get(doc.kind, doc.kind),
                        number=doc.number,
                    ),
                    doc.entry,
                )
            )
        if doc.kind == "invoice" and groups is not None:
            left[doc.number] = dict(groups)
    credits = [d for d in docs if d.kind == "credit-note"]
    for doc in sorted(credits, key=lambda d: (d.date, d.seq)):
        raw = doc.entry.meta.get(VAT_GROUPS)
        groups = parse_vat_groups(raw) if raw is not None else None
        rest = left.get(str(doc.entry.meta.get("invoice")))
        if groups is None or rest is None:
            continue
        for rate, (base, vat) in sorted(groups.items()):
            base_left, vat_left = rest.get(rate, (Decimal(0), Decimal(0)))
            if rate not in rest or not (_between(base, base_left) and _between(vat, vat_left)):
                errors.append(
                    InvoiceCheckError(
                        doc.entry.meta,
                        _(
                            "credit note {number} credits {base} (VAT {vat}) at {rate} % of "
                            "invoice {original}, outside what was left of that rate ({left}, "
                            "VAT {vat_left}): a credit lies between 0 and it",
                            number=doc.number,
                            base=base,
                            vat=vat,
                            rate=format(rate, "f"),
                            original=doc.entry.meta.get("invoice"),
                            left=base_left,
                            vat_left=vat_left,
                        ),
                        doc.entry,
                    )
                )
            rest[rate] = (base_left - base, vat_left - vat)


def check_invoice_entries(entries: Iterable[data.Directive]) -> list[InvoiceCheckError]:
    """Every violation of the invoice invariants in ``entries``."""
    errors: list[InvoiceCheckError] = []
    entries = list(entries)
    clients = frozenset(
        e.account for e in entries if isinstance(e, data.Open) and e.meta.get("role") == "clients"
    )
    docs = _documents(entries, errors)
    _duplicates(docs, errors)
    _series(docs, errors)
    _credit_notes(docs, errors)
    _vat_groups(docs, errors, clients)
    return errors


__all__ = ["InvoiceCheckError", "check_invoice_entries", "format_vat_groups", "parse_vat_groups"]
