"""What booking a supplier document writes: pure functions over the books' entries.

The cost itself is booked by :func:`ledger.money.expenses.expense_entry`, the one booking rule of
costs: the same entry as ``expense add --participant CODE`` (or ``--account`` for the
hub) paid by bank — owed to ``suppliers`` until the bank debit is reconciled, VAT
recoverable only for a hub in the standard regime, a participant's cost charged to what
the hub holds for her (and refused beyond it, :func:`ledger.money.expenses.check_expense`). What
this module adds is the document's identity, as metadata, and its files:

* ``purchase`` (``invoice``/``credit-note``), ``supplier-id`` (its Peppol endpoint),
  ``supplier-vat``, ``supplier-doc`` (its number), ``credits`` (a credit note's invoice),
  ``issued``, ``due``, ``net``, ``vat-breakdown``, ``payment-ref``, ``supplier-iban``,
  ``document-sha256``, ``access-point-id`` (when fetched), ``validated``;
* the XML under ``documents/purchases/<year>/<exp-…>.xml`` and its embedded PDF/PNG/JPEG
  attachments beside it (``<exp-…>-1.pdf``…), each with a ``document`` entry.

Nothing of the document's free text (notes, line descriptions, contacts, addresses) is
copied into the entries: the archived XML is the document.

A credit note offsets its invoice: the same booking with the amounts negated, on the
invoice's own ``^exp-`` link, charged where the invoice was (and charged later, when the
invoice was, :attr:`Charge.charge_later`).

VAT is recoverable only when it is Belgian VAT (:func:`deductible_vat`): a hub in the
standard regime deducts on its Belgian return the VAT a supplier charged under the Belgian
VAT code, never another country's (``docs/peppol.md`` §5.6); foreign VAT is part of the
cost, recorded as ``vat-not-deductible``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data
from stdnum.be import ogm_vcs

from invoicing.i18n import kind_word
from invoicing.peppol.ids import hub_ids
from invoicing.purchases.document import Attachment, SupplierDocument
from ledger.config import HubConfig
from ledger.dates import booking_date
from ledger.entries import ZERO, document_entry, id_link, next_id, q2
from ledger.errors import InputError, ParticipantError
from ledger.i18n import _, hub_lang
from ledger.ibans import normalize_iban
from ledger.integrity.carried import marker as carried_marker
from ledger.integrity.carried import sealed_heads as carried_heads
from ledger.money.expenses import (
    ExpenseRequest,
    charged_cost,
    check_expense,
    expense_entry,
    hub_account,
)
from ledger.money.reconcile.state import State
from ledger.participants import require_open_participant
from ledger.privacy.receipts import clean_receipt
from ledger.view.purchases import PurchaseRecord, purchase_records
from plugins.sealed import SEAL_TYPE

DOCUMENTS_DIR = "documents/purchases"
ENTRIES_KIND = "purchases"  # entries go to <year>/purchases.beancount
ACCEPTED_CATEGORIES = frozenset({"S", "Z", "E", "O", "G"})
SELF_ASSESSED = {
    "AE": "reverse charge",
    "K": "intra-community supply",
    "L": "Canary Islands tax",
    "M": "Ceuta and Melilla tax",
    "B": "split payment",
}
EXTRACTED_MIMES = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}
MAX_REFERENCE = 35  # a SEPA structured or unstructured reference fits in 35 characters
# The Belgian VAT rates (art. 1 of Royal Decree no. 20 of 20 July 1970): 0, 6, 12, 21 %.
BELGIAN_RATES = frozenset({Decimal(0), Decimal(6), Decimal(12), Decimal(21)})


@dataclass(frozen=True)
class Charge:
    """Who bears the cost: a participant's activity, or the hub (its expense account)."""

    participant: str | None = None
    account: str | None = None
    given: bool = False  # said on the command line (a credit note may leave it out)
    # a participant's cost beyond what the hub holds for her: owed by her, recovered from
    # her next client payments (as ``expense add --charge-later``)
    charge_later: bool = False


@dataclass
class Planned:
    """One supplier document ready to book."""

    label: str
    doc: SupplierDocument
    expense: str
    link: str
    entries: list[data.Directive]
    files: dict[str, bytes]
    warnings: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)


def clean(value: str, limit: int = 80) -> str:
    """One printable line without quotes or backslashes (metadata and narration)."""
    text = " ".join(str(value).replace('"', "'").replace("\\", "/").split())
    return "".join(c for c in text if c.isprintable())[:limit].strip()


def _key(endpoint: tuple[str, str] | None) -> str:
    return f"{endpoint[0]}:{endpoint[1].lower()}" if endpoint else ""


def _compact_vat(value: str | None) -> str:
    return re.sub(r"[\s.\-]", "", value or "").upper()


# ---------------------------------------------------------------- checks


def check_receiver(config: HubConfig, doc: SupplierDocument, label: str) -> None:
    """Refuse a document not addressed to this hub (its endpoint, VAT or enterprise no.).
    The hub's VAT id is its VAT number, or ``BE`` and its enterprise number — what a
    supplier writes for a hub without a VAT number (exempt) as for one with it."""
    ours = {pid.key for pid in hub_ids(config)}
    primary = str(hub_ids(config)[0])
    buyer = doc.buyer
    if buyer.endpoint is None:
        raise InputError(
            _("{label}: names no receiver (the buyer's EndpointID); refused", label=label)
        )
    if _key(buyer.endpoint) not in ours:
        raise InputError(
            _(
                "{label}: addressed to {endpoint_text}, not to this hub ({primary}); refused",
                label=label,
                endpoint_text=buyer.endpoint_text,
                primary=primary,
            )
        )
    hub_vats = {config.hub.vat_number or "", f"BE{config.hub.enterprise_number}"} - {""}
    if buyer.vat and _compact_vat(buyer.vat) not in hub_vats:
        raise InputError(
            _("{label}: the buyer's VAT number in it is not the hub's; refused", label=label)
        )
    if buyer.legal_id:
        scheme, value = buyer.legal_id
        digits = re.sub(r"\D", "", value)
        belgian = scheme == "0208" or (not scheme and len(digits) == 10)
        if belgian and digits != config.hub.enterprise_number:
            raise InputError(
                _(
                    "{label}: the buyer's enterprise number in it is not the hub's; refused",
                    label=label,
                )
            )


def check_document(config: HubConfig, doc: SupplierDocument, label: str) -> None:
    """Refuse what purchase import cannot book exactly (each with what to do instead)."""
    if doc.currency != "EUR":
        raise InputError(
            _(
                "{label}: currency {currency}; the books are kept in EUR and "
                "purchase import books EUR documents only (book it with 'expense add' in EUR)",
                label=label,
                currency=doc.currency or _("(none)"),
            )
        )
    check_receiver(config, doc, label)
    if doc.supplier.endpoint is None and not doc.supplier.vat:
        raise InputError(
            _("{label}: the supplier has neither a Peppol endpoint nor a VAT number", label=label)
        )
    for line in doc.taxes:
        if line.category in SELF_ASSESSED:
            raise InputError(
                _(
                    "{label}: VAT category {category} ({self_assessed}): the "
                    "hub owes that VAT itself, which purchase import does not book; book it with "
                    "'expense add' and declare the VAT with the accountant",
                    label=label,
                    category=line.category,
                    self_assessed=SELF_ASSESSED[line.category],
                )
            )
        if line.category not in ACCEPTED_CATEGORIES:
            raise InputError(
                _(
                    "{label}: unknown VAT category {category!r}",
                    label=label,
                    category=line.category,
                )
            )
    if doc.prepaid != 0:
        raise InputError(
            _(
                "{label}: {prepaid} EUR already paid in advance (PrepaidAmount); purchase "
                "import books whole invoices only: book it with 'expense add'",
                label=label,
                prepaid=q2(doc.prepaid),
            )
        )
    for what, value in ((_("amount due"), doc.payable), (_("VAT"), doc.vat),
                        (_("total"), doc.gross)):  # fmt: skip
        if value != q2(value):
            raise InputError(
                _("{label}: the {what} has more than two decimals", label=label, what=what)
            )
    if doc.payable == 0:
        raise InputError(_("{label}: nothing to pay (0.00 EUR); nothing booked", label=label))
    if doc.kind == "credit-note" and doc.payable < 0:
        raise InputError(_("{label}: a credit note with a negative amount; refused", label=label))


def _duplicate(
    records: list[PurchaseRecord], doc: SupplierDocument, kind: str, sha: str,
    in_command: Mapping[str, str],
) -> str:  # fmt: skip
    """Why ``doc`` is booked already ('' if it is not); ``in_command``: the documents
    planned before it in the same command (expense id → their label)."""
    for r in records:
        other = in_command.get(r.expense)
        if r.sha256 == sha:
            if other:
                return _("the same file as {other}, given twice", other=other)
            return _(
                "this very file was booked already ({expense}, {date})",
                expense=r.expense,
                date=r.date.isoformat(),
            )
        if (
            r.kind == kind
            and r.number == doc.number
            and r.same_supplier(_key(doc.supplier.endpoint), _compact_vat(doc.supplier.vat))
        ):
            if other:
                return _(
                    "{kind} {number} of this supplier is {other} too, given twice",
                    kind=kind_word(kind),
                    number=doc.number,
                    other=other,
                )
            return _(
                "{kind} {number} of this supplier is already booked ({expense}, {date})",
                kind=kind_word(kind),
                number=doc.number,
                expense=r.expense,
                date=r.date.isoformat(),
            )
    return ""


def deductible_vat(config: HubConfig, doc: SupplierDocument) -> bool:
    """Whether the document's VAT is deducted on the hub's Belgian return: only for a hub
    in the standard regime, and only Belgian VAT — charged by a supplier identified for
    VAT in Belgium (a ``BE`` VAT number) at a Belgian rate (6, 12 or 21 %). Another
    country's VAT is not Belgian VAT (art. 45 §1 CTVA/WBTW); it may be reclaimed in that
    country (Directive 2008/9/EC), never on the Belgian return."""
    if config.hub.vat_regime != "standard":
        return False
    charged = [t for t in doc.taxes if t.vat != 0]
    belgian = _compact_vat(doc.supplier.vat).startswith("BE")
    return belgian and all(t.rate in BELGIAN_RATES for t in charged)


def _booking_day(
    doc: SupplierDocument, day: dt.date | None, today: dt.date, label: str
) -> dt.date:
    """The booking date: ``--date``, else the document's (the one dates policy, never
    after today)."""
    try:
        return booking_date(day or doc.issued, today, "--date")
    except InputError as exc:
        if day is not None:
            raise
        raise InputError(
            _(
                "{label}: dated {issued}, after today ({today}); give "
                "--date (today or earlier) to book it now",
                label=label,
                issued=doc.issued.isoformat(),
                today=today.isoformat(),
            )
        ) from exc


def _books_open(entries: list[data.Directive], config: HubConfig) -> dt.date | None:
    """The day the books open: when the suppliers' account every purchase posts to opens."""
    suppliers = config.account("suppliers")
    return next((e.date for e in entries if isinstance(e, data.Open) and e.account == suppliers),
                None)  # fmt: skip


def _original(records: list[PurchaseRecord], doc: SupplierDocument, label: str) -> PurchaseRecord:
    """The supplier invoice a credit note corrects, which must be in the books."""
    if not doc.references:
        raise InputError(
            _(
                "{label}: a credit note that names no invoice (BillingReference); import refused",
                label=label,
            )
        )
    key, vat = _key(doc.supplier.endpoint), _compact_vat(doc.supplier.vat)
    found = [
        r
        for r in records
        if r.kind == "invoice" and r.number in doc.references and r.same_supplier(key, vat)
    ]
    if not found:
        raise InputError(
            _(
                "{label}: credit note {number} corrects invoice "
                "{references} of this supplier, which is not in the books; import "
                "the invoice first",
                label=label,
                number=doc.number,
                references=", ".join(doc.references),
            )
        )
    if len(found) > 1:
        raise InputError(
            _(
                "{label}: credit note {number} corrects several invoices; book it with "
                "'expense add' per invoice",
                label=label,
                number=doc.number,
            )
        )
    return found[0]


# ---------------------------------------------------------------- the plan


def _attachments(
    attachments: tuple[Attachment, ...], base: str, label: str
) -> tuple[dict[str, bytes], list[str]]:
    files: dict[str, bytes] = {}
    warnings: list[str] = []
    for index, att in enumerate(attachments, start=1):
        if att.mime not in EXTRACTED_MIMES:
            warnings.append(
                _(
                    "{label}: attachment {index} ({mime}) kept inside the XML only",
                    label=label,
                    index=index,
                    mime=att.mime or _("no type"),
                )
            )
            continue
        try:  # stored without its metadata (author, EXIF, GPS…), as any receipt
            cleaned, ext = clean_receipt(att.payload, field=f"attachment {index}")
        except InputError as exc:
            warnings.append(
                _("{label}: {message}; kept inside the XML only", label=label, message=exc.message)
            )
            continue
        files[f"{base}-{index}.{ext}"] = cleaned
    return files, warnings


def _reference(doc: SupplierDocument, label: str, warnings: list[str]) -> str:
    ref = clean(doc.payment.reference if doc.payment else "", 200)
    digits = re.sub(r"\D", "", ref)
    if len(digits) == 12 and ogm_vcs.is_valid(digits) and re.fullmatch(r"[+*/\d .]+", ref):
        return ref
    if len(ref) > MAX_REFERENCE:
        warnings.append(
            _(
                "{label}: the payment reference is longer than {limit} characters; not kept",
                label=label,
                limit=MAX_REFERENCE,
            )
        )
        return ""
    return ref


def _iban(doc: SupplierDocument, label: str, warnings: list[str]) -> str:
    raw = doc.payment.iban if doc.payment else ""
    if not raw:
        return ""
    try:
        return normalize_iban(raw)
    except ValueError:
        warnings.append(
            _("{label}: the supplier's account is not a valid IBAN; not kept", label=label)
        )
        return ""


def _breakdown(doc: SupplierDocument, sign: Decimal) -> str:
    return ", ".join(
        f"{t.category} {t.rate.normalize():f}%: {q2(sign * t.base)} + {q2(sign * t.vat)}"
        for t in doc.taxes
    )


def plan_purchase(
    config: HubConfig,
    entries: list[data.Directive],
    doc: SupplierDocument,
    xml: bytes,
    charge: Charge,
    *,
    label: str,
    today: dt.date,
    day: dt.date | None = None,
    provider_id: str = "",
    validated: bool = True,
    in_command: Mapping[str, str] | None = None,
) -> Planned:
    """The entries and files of one supplier document (``entries``: the books as they are,
    including what was planned before in the same command, ``in_command``: their expense
    ids and labels)."""
    check_document(config, doc, label)
    credit = doc.kind == "credit-note" or doc.payable < 0
    kind = "credit-note" if credit else "invoice"
    records = purchase_records(entries)
    sha = hashlib.sha256(xml).hexdigest()
    duplicate = _duplicate(records, doc, kind, sha, in_command or {})
    if duplicate:
        raise InputError(
            _("{label}: {duplicate}; nothing booked", label=label, duplicate=duplicate)
        )
    if provider_id and any(r.provider_id == provider_id for r in records):
        raise InputError(
            _(
                "{label}: access-point document {provider_id} is already booked",
                label=label,
                provider_id=provider_id,
            )
        )
    amount, vat = q2(abs(doc.payable)), q2(abs(doc.vat))
    if vat >= amount:
        raise InputError(
            _(
                "{label}: the VAT ({vat}) is not less than the amount due ({amount})",
                label=label,
                vat=vat,
                amount=amount,
            )
        )

    original = _original(records, doc, label) if credit else None
    participant, account = charge.participant, charge.account
    charge_later = charge.charge_later
    if original is not None:
        cost_account = original.entry.postings[0].account
        if charge.given and (charge.participant or None) != (original.participant or None):
            who = original.participant or "the hub"
            raise InputError(
                _(
                    "{label}: credit note {number} corrects a cost charged to {who}; it is "
                    "charged there too (leave out --participant/--hub)",
                    label=label,
                    number=doc.number,
                    who=who,
                )
            )
        participant = original.participant or None
        account = None if participant else cost_account
        charge_later = bool(original.entry.meta.get("charged-later"))
        left = original.amount - sum(
            (r.amount for r in records if r.kind == "credit-note" and r.link == original.link),
            ZERO,
        )
        if amount > left:
            raise InputError(
                _(
                    "{label}: credit note of {amount} EUR exceeds what is left of invoice "
                    "{number} ({left} EUR); refused",
                    label=label,
                    amount=amount,
                    number=original.number,
                    left=left,
                )
            )
    elif not charge.given:
        raise InputError(
            _(
                "{label}: say who bears this cost: --participant CODE (an activity's cost) "
                "or --hub",
                label=label,
            )
        )
    if participant is None:
        hub_account(config, account)
        if charge_later:
            raise InputError(_("--charge-later is for a participant's cost (--participant CODE)"))

    given = day
    day = _booking_day(doc, day, today, label)
    opens = _books_open(entries, config)
    if opens is not None and day < opens:
        what = (_("--date {day} is", day=day.isoformat()) if given
                else _("dated {day},", day=day.isoformat()))  # fmt: skip
        raise InputError(
            _(
                "{label}: {what} before the books open on {opens}; give --date (on "
                "or after that day): its XML keeps the supplier's own date",
                label=label,
                what=what,
                opens=opens.isoformat(),
            )
        )
    closed = {
        str(e.values[0].value)
        for e in entries
        if isinstance(e, data.Custom) and e.type == SEAL_TYPE and e.values
    }
    mark = carried_marker(entries)  # the live books: the closed years are carried
    closed |= {str(y) for y in carried_heads(mark)} if mark is not None else set()
    if str(day.year) in closed:
        raise InputError(
            _(
                "{label}: {year} is closed; book it in the open year (--date, e.g. "
                "--date {today}): its XML keeps the supplier's own date",
                label=label,
                year=day.year,
                today=today.isoformat(),
            )
        )
    if participant:
        require_open_participant(entries, config, participant, on=day)

    warnings: list[str] = []
    supplier = clean(doc.supplier.name) or f"supplier {doc.supplier.endpoint_text}"
    number = clean(doc.number, 60)
    sign = Decimal(-1) if credit else Decimal(1)
    deductible = deductible_vat(config, doc)
    if config.hub.vat_regime == "standard" and vat and not deductible:
        warnings.append(
            _(
                "{label}: its VAT ({vat} EUR) is not Belgian VAT (the supplier's VAT number or "
                "rate is not Belgian): not deductible on the Belgian return, booked in the cost "
                "(see docs/peppol.md, 5.6)",
                label=label,
                vat=vat,
            )
        )
    description = (
        _("supplier credit note {number} on invoice {invoice}", number=number,
          invoice=original.number)
        if original is not None
        else _("supplier invoice {number}", number=number)
    ).shown(hub_lang(config.invoicing.default_lang))  # fmt: skip
    req = ExpenseRequest(
        amount=sign * amount,
        description=description,
        participant=participant,
        supplier=supplier,
        # VAT the hub cannot deduct is part of the cost (as in the exempt regime)
        vat=sign * vat if deductible or config.hub.vat_regime != "standard" else ZERO,
        paid_from="bank",
        account=account,
        day=day,
        charge_later=bool(participant) and charge_later,
    )
    if not credit:
        _check_cost(config, entries, req, day, label)
    expense = next_id(entries, "expense", "EXP", day.year)
    entry = expense_entry(config, req, expense, day)
    link = original.link if original is not None else id_link(expense)
    extra: dict[str, Any] = {
        "purchase": kind,
        "supplier-id": clean(doc.supplier.endpoint_text, 60) or None,
        "supplier-vat": clean(_compact_vat(doc.supplier.vat), 30) or None,
        "supplier-doc": number,
        "credits": original.number if original is not None else None,
        "issued": doc.issued,
        "due": doc.due,
        "net": sign * q2(abs(doc.net)),
        "vat-breakdown": _breakdown(doc, sign) or None,
        "vat-not-deductible": (
            sign * vat if config.hub.vat_regime == "standard" and vat and not deductible else None
        ),
        "payment-ref": _reference(doc, label, warnings) or None,
        "supplier-iban": _iban(doc, label, warnings) or None,
        "document-sha256": sha,
        "access-point-id": clean(provider_id, 80) or None,
        "validated": validated,
    }
    meta = {**entry.meta, **{k: v for k, v in extra.items() if v is not None}}
    entry = entry._replace(meta=meta, links=frozenset({link}))

    base = f"{DOCUMENTS_DIR}/{day.year}/{id_link(expense)}"
    files = {f"{base}.xml": xml}
    extracted, more = _attachments(doc.attachments, base, label)
    files.update(extracted)
    warnings += more
    kind_file = f"{day.year}/{ENTRIES_KIND}.beancount"
    cost_account = entry.postings[0].account
    docs: list[data.Directive] = [
        document_entry(day, cost_account, rel, kind_file, link,
                       "purchase-ubl" if rel.endswith(".xml") else "purchase-attachment")
        for rel in files
    ]  # fmt: skip
    recoverable = vat if deductible else ZERO
    summary = {
        "file": label,
        "kind": kind,
        "supplier": supplier,
        "supplier_id": doc.supplier.endpoint_text or None,
        "number": doc.number,
        "expense": expense,
        "link": link,
        "credits": original.number if original is not None else None,
        "issued": doc.issued.isoformat(),
        "booked": day.isoformat(),
        "due": doc.due.isoformat() if doc.due else None,
        "amount": f"{amount:.2f}",
        "vat": f"{vat:.2f}",
        "vat_recoverable": f"{recoverable:.2f}",
        "participant": participant,
        "charged_later": bool(req.charge_later),
        "account": cost_account,
        "payment_ref": extra["payment-ref"],
        "files": sorted(files),
        "warnings": warnings,
    }
    return Planned(label, doc, expense, link, [entry, *docs], files, warnings, summary)


def _check_cost(
    config: HubConfig, entries: list[data.Directive], req: ExpenseRequest, day: dt.date,
    label: str,
) -> None:  # fmt: skip
    """The check of ``expense add`` (:func:`ledger.money.expenses.check_expense`), said in the
    words of ``purchase import``: what it can do instead."""
    state = State.of(entries, config)
    try:
        check_expense(state, req, day)
    except ParticipantError:
        code = req.participant or ""
        available = q2(state.held_available(code, day))
        raise ParticipantError(
            _(
                "{label}: cost refused: {charged_cost} EUR would take the balance "
                "held for {code} below zero (available from {day}: {available} EUR); "
                "give --charge-later to recover it from their next client payments, or --hub for "
                "a cost of the hub",
                label=label,
                charged_cost=q2(charged_cost(config, req)),
                code=code,
                day=day.isoformat(),
                available=available,
            )
        ) from None
