"""``purchase import``: supplier documents checked, then booked in one write.

Every document is first validated with the official rules (UBL 2.1 XSD, CEN EN 16931 and
Peppol BIS 3.0 schematron), then read and checked (:mod:`invoicing.purchases.booking`);
only when all of them pass are they booked, in one transaction of the write path (entries,
archived XML and attachments together) — so nothing is ever half-booked. Invoices are
booked before credit notes, so a credit note may come in the same command as its invoice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from beancount.core import data

from invoicing.purchases.booking import ENTRIES_KIND, Charge, Planned, plan_purchase
from invoicing.purchases.document import MAX_BYTES, DocumentError, SupplierDocument, parse
from invoicing.validation import Validator, dtd_problem
from ledger import dates
from ledger.books import Books
from ledger.config import HubConfig
from ledger.errors import BooksError, InputError
from ledger.i18n import _

MAX_RULES_SHOWN = 8
# Sees each document's free text, ``[(text, field)]``, and raises a one-line error to refuse
# it (the roster guard: a supplier's XML naming a participant must not be archived).
TextCheck = Callable[[list[tuple[str, str]]], None]


@dataclass(frozen=True)
class Source:
    """A supplier document's bytes, how to name it in messages, and its access-point id."""

    label: str
    payload: bytes
    provider_id: str = ""


def checked(source: Source, validator: Validator | None) -> SupplierDocument:
    """The document, once the official rules and our reading accept it."""
    if len(source.payload) > MAX_BYTES:
        raise InputError(_("{label}: larger than 50 MB; refused", label=source.label))
    refused = dtd_problem(source.payload)  # before the schema, which cannot take one
    if refused:
        raise InputError(_("{label}: {refused}; refused", label=source.label, refused=refused))
    if validator is not None:
        report = validator.validate_bytes(source.payload, source.label)
        if not report.ok:
            rules = sorted({f.rule for f in report.fatal})
            shown = ", ".join(rules[:MAX_RULES_SHOWN])
            more = (
                _(" and {count} more", count=len(rules) - MAX_RULES_SHOWN)
                if len(rules) > MAX_RULES_SHOWN
                else ""
            )
            first = report.fatal[0]
            raise InputError(
                _(
                    "{label}: fails the Peppol rules ({shown}{more}); first: [{rule}] {text}",
                    label=source.label,
                    shown=shown,
                    more=more,
                    rule=first.rule,
                    text=first.text[:200],
                )
            )
    try:
        return parse(source.payload)
    except DocumentError as exc:
        raise InputError(_("{label}: {exc}", label=source.label, exc=exc)) from None


def plan_all(
    config: HubConfig,
    entries: list[data.Directive],
    docs: Sequence[tuple[Source, SupplierDocument]],
    charge: Charge,
    *,
    today: dt.date,
    day: dt.date | None,
    validated: bool,
) -> list[Planned]:
    """Plans for every document, invoices first, each seeing the ones before it."""
    current = list(entries)
    order = sorted(
        range(len(docs)),
        key=lambda i: (docs[i][1].kind == "credit-note" or docs[i][1].payable < 0, i),
    )
    planned: list[Planned] = []
    for i in order:
        source, doc = docs[i]
        plan = plan_purchase(
            config, current, doc, source.payload, charge, label=source.label, today=today,
            day=day, provider_id=source.provider_id, validated=validated,
            in_command={p.expense: p.label for p in planned},
        )  # fmt: skip
        current += plan.entries
        planned.append(plan)
    return planned


def import_purchases(
    books: Books,
    sources: Sequence[Source],
    charge: Charge,
    *,
    validator: Validator | None,
    today: dt.date | None = None,
    day: dt.date | None = None,
    dry_run: bool = False,
    check_text: TextCheck | None = None,
) -> list[Planned]:
    """Check and book supplier documents (all or nothing); ``dry_run`` writes nothing."""
    if not sources:
        raise InputError(_("no supplier document given"))
    today = dates.today(today)
    docs = [(s, checked(s, validator)) for s in sources]
    if check_text is not None:
        for source, doc in docs:
            check_text([(text, f"{source.label}: {what}") for text, what in doc.texts])
    validated = validator is not None
    if dry_run:
        return plan_all(books.config, books.load().entries, docs, charge, today=today, day=day,
                        validated=validated)  # fmt: skip
    with books.transaction("purchase: import") as tx:
        planned = plan_all(books.config, tx.ledger.entries, docs, charge, today=today, day=day,
                           validated=validated)  # fmt: skip
        for plan in planned:
            for relpath, payload in plan.files.items():
                if tx.read_file(relpath) is not None:
                    raise BooksError(
                        _(
                            "{relpath} already exists; refusing to overwrite a document",
                            relpath=relpath,
                        )
                    )
                tx.write_file(relpath, payload)
        tx.add_entries([e for p in planned for e in p.entries], kind=ENTRIES_KIND)
        ids = ", ".join(p.expense for p in planned)
        tx.message = f"purchase: import {len(planned)} supplier document(s) ({ids})"
    return planned
