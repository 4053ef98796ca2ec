"""Issuing invoices and credit notes: the one code path the CLI, the demo and the tests use.

Everything that depends on the books (the participant, the client, the next number) is
read under the books' lock inside :meth:`Books.transaction`; the PDF, the UBL, the JSON
record and the entries are staged in that same transaction, so a document and its number
exist only if all of it was written and the books still check.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import posixpath
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beancount.core import data
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from invoicing import numbering
from invoicing.clients import FileReader, read_clients, require_client
from invoicing.entries import DOCUMENTS_DIR, ENTRIES_KIND, build_entries, document_paths, file_stem
from invoicing.entries import entries_file as books_file_of
from invoicing.i18n import kind_word
from invoicing.integrity import committed_before, entry_differences
from invoicing.models import Document, InvoiceRef, Lang, LineInput, Totals, clean_text, link_safe
from invoicing.ogm import make_ogm
from invoicing.parallel import workers
from invoicing.totals import compute, fmt_rate
from ledger import dates
from ledger.books import Books
from ledger.config import HubConfig
from ledger.errors import BooksError, ConfigError, CoopledgerError, InputError, ParticipantError
from ledger.i18n import _
from ledger.integrity.chain import stamp_documents
from ledger.money.recall import with_recalled
from ledger.money.reconcile.booking import credit_reversal
from ledger.money.reconcile.state import State
from ledger.participants import require_open_participant, require_participant
from ledger.privacy.guard import TextGuard
from ledger.view import ParticipantInfo

if TYPE_CHECKING:  # the validator is given, never made here
    from invoicing.validation import Validator


class IssueRequest(BaseModel):
    """What it takes to issue an invoice."""

    model_config = ConfigDict(extra="forbid")

    participant: str
    client: str
    lines: list[LineInput] = Field(default_factory=list)
    date: dt.date | None = None
    due: dt.date | None = None
    lang: Lang | None = None


class CreditRequest(BaseModel):
    """What it takes to issue a credit note (no lines: the whole invoice is credited)."""

    model_config = ConfigDict(extra="forbid")

    invoice: str
    lines: list[LineInput] = Field(default_factory=list)
    date: dt.date | None = None
    reason: str | None = None
    lang: Lang | None = None
    # When the participant was paid out since the payment, book what she must give back
    # as owed to the hub (recovered from her next client payments) instead of refusing.
    recover_from_participant: bool = False
    # When her participant is closed since (she holds and receives nothing): the hub bears
    # the reversal of her share, its own sales reduced (docs/accounting-model.md).
    hub_bears: bool = False

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str | None) -> str | None:
        return clean_text(value, "reason", 300) or None if value else None


@dataclass(frozen=True)
class Issued:
    """An issued document and where its files are."""

    document: Document
    root: Path
    paths: dict[str, str]

    def path(self, what: str) -> Path | None:
        rel = self.paths.get(what)
        return self.root / rel if rel else None

    def as_json(self) -> dict[str, Any]:
        doc = self.document
        t = doc.totals
        return {
            "kind": doc.kind,
            "number": doc.number,
            "date": doc.date.isoformat(),
            "due": doc.due.isoformat() if doc.due else None,
            "ogm": doc.ogm,
            "currency": "EUR",
            "total": str(t.gross),
            "net": str(t.net),
            "vat": str(t.vat),
            "participant": doc.participant,
            "client": doc.client.id,
            "lang": doc.lang,
            "invoice": doc.reference.number if doc.reference else None,
            "pdf": str(self.path("pdf")),
            "ubl": str(self.path("ubl")) if self.paths.get("ubl") else None,
        }


def require_hub_identity(config: HubConfig) -> None:
    """Refuse to issue when hub.toml lacks a mention Belgian law requires of the issuer."""
    missing = [
        f"hub.{name}"
        for name in ("address", "postal_code", "city")
        if not getattr(config.hub, name).strip()
    ]
    if missing:
        raise ConfigError(
            _(
                "hub.toml: {missing} must be set before issuing invoices "
                "(the hub's seat is a mandatory mention)",
                missing=", ".join(missing),
            )
        )


def _dates(
    config: HubConfig, day: dt.date | None, due: dt.date | None, today: dt.date
) -> tuple[dt.date, dt.date]:
    day = day or today
    if day > today:
        raise InputError(
            _(
                "--date {day} is in the future (today is {today})",
                day=day.isoformat(),
                today=today.isoformat(),
            )
        )
    due = due or day + dt.timedelta(days=config.invoicing.payment_terms_days)
    if due < day:
        raise InputError(
            _(
                "--due {due} is before the invoice date {day}",
                due=due.isoformat(),
                day=day.isoformat(),
            )
        )
    return day, due


def render_files(
    config: HubConfig, doc: Document, validator: Validator | None = None
) -> dict[str, bytes]:
    """The bytes of the PDF, the UBL (business clients) and the JSON record of ``doc``."""
    # Imported on the first document: reportlab's layout engine and the QR encoder take
    # about 0.15 s that reading an issued document (list, show, pay, send) never needs.
    from invoicing.pdf import render_pdf

    return {document_paths(doc)["pdf"]: render_pdf(config, doc),
            **record_files(config, doc, validator)}  # fmt: skip


def record_files(
    config: HubConfig, doc: Document, validator: Validator | None = None
) -> dict[str, bytes]:
    """The bytes of ``doc``'s UBL (business clients; checked by ``validator``) and of its
    JSON record: every file of the document but its PDF."""
    from invoicing.ubl import render_ubl

    paths = document_paths(doc)
    files = {}
    if doc.client.is_business and doc.client.endpoint() is not None:
        ubl = render_ubl(config, doc)
        if validator is not None:
            report = validator.validate_bytes(ubl, paths["ubl"])
            if not report.ok:
                first = report.fatal[0]
                raise InputError(
                    _(
                        "the e-invoice would fail Peppol validation ({count} rule(s)); "
                        "first: [{rule}] {text}",
                        count=len(report.fatal),
                        rule=first.rule,
                        text=first.text,
                    )
                )
        files[paths["ubl"]] = ubl
    files[paths["json"]] = doc.model_dump_json(indent=2).encode("utf-8")
    return files


def _stage(
    tx: Any, config: HubConfig, doc: Document, files: dict[str, bytes]
) -> tuple[dict[str, str], data.Transaction]:
    """Stage the files and the entries of ``doc``; returns the paths written by kind."""
    for relpath in files:
        if tx.read_file(relpath) is not None:
            raise BooksError(
                _(
                    "{relpath} already exists: number {number} was issued and no entry of "
                    "the books issues it any more (its entry was removed; see 'coopledger "
                    "books check'); restore the entry from git, nothing was issued",
                    relpath=relpath,
                    number=doc.number,
                )
            )
    for relpath, payload in files.items():
        tx.write_file(relpath, payload)
    paths = document_paths(doc)
    attached = {what: rel for what, rel in paths.items() if what != "json" and rel in files}
    entries = build_entries(config, doc, attached)
    # The sha256 of every file, recorded as it is issued (the hash chain seals them).
    stamp_documents(entries, files, paths["json"], posixpath.dirname(books_file_of(doc)))
    tx.add_entries(entries, kind=ENTRIES_KIND)
    txn = next(e for e in entries if isinstance(e, data.Transaction))
    return {what: rel for what, rel in paths.items() if rel in files}, txn


def issue_invoice(
    books: Books,
    request: IssueRequest,
    *,
    today: dt.date | None = None,
    validator: Validator | None = None,
) -> Issued:
    """Issue an invoice in the hub's name for a participant's work; returns it."""
    return issue_invoices(books, [request], today=today, validator=validator)[0]


def issue_invoices(
    books: Books,
    requests: Sequence[IssueRequest],
    *,
    today: dt.date | None = None,
    validator: Validator | None = None,
) -> list[Issued]:
    """Issue many invoices in one write: numbered gaplessly in date order (the order given
    for the same date), all of them or, if any one is refused, none. Returns them in the
    order given. An error names the request (``invoice N: …``) when there are several."""
    config = books.config
    require_hub_identity(config)
    today = dates.today(today)
    prepared = []
    guard = TextGuard.for_books(books)  # the roster is read once for the whole batch
    for index, request in enumerate(requests, start=1):
        with _naming(index, len(requests)):
            day, due = _dates(config, request.date, request.due, today)
            lines, totals = compute(config, request.lines)  # bad lines fail before the lock
            check_texts(books, request.lines, guard=guard)
        prepared.append((index, request, day, due, lines, totals))
    order = sorted(prepared, key=lambda item: (item[2], item[0]))
    issued: dict[int, Issued] = {}
    # The PDFs (most of a batch's time) are rendered on other cores, by workers that start
    # now, while the books load.
    with (
        workers(len(requests), preload=["invoicing.pdf"]) as pool,
        books.transaction("invoice: issue") as tx,
    ):
        entries = tx.ledger.entries
        clients = read_clients(tx)
        taken = numbering.Numbering(entries, config)  # one scan for the whole batch
        ogms = {str(e.meta["ogm"]) for e in entries
                if isinstance(e, data.Transaction) and e.meta.get("ogm")}  # fmt: skip
        made: list[tuple[int, Document]] = []
        for index, request, day, due, lines, totals in order:
            with _naming(index, len(requests)):
                participant = _open_participant(entries, config, request.participant, day)
                client = require_client(clients, request.client)
                nxt = taken.next("invoice", day)
                ogm = make_ogm(day.year, nxt.seq)
                if ogm in ogms:
                    raise InputError(_("structured communication {ogm} is already used", ogm=ogm))
                made.append((index, Document(
                    kind="invoice",
                    number=nxt.number,
                    series=nxt.series,
                    seq=nxt.seq,
                    date=day,
                    due=due,
                    lang=request.lang or client.lang or config.invoicing.default_lang,
                    participant=participant.code,
                    client=client,
                    lines=lines,
                    totals=totals,
                    ogm=ogm,
                )))  # fmt: skip
            taken.take(nxt, day)
            ogms.add(ogm)
        from invoicing.pdf import render_pdf_job

        pdfs = pool.map(render_pdf_job, [(config, doc) for _i, doc in made])
        records = []  # while the workers render: the e-invoices, validated, and the records
        for index, doc in made:
            with _naming(index, len(requests)):
                records.append(record_files(config, doc, validator))
        refuse_issued_before(books, [doc for _i, doc in made])
        rendered = pdfs()
        for (index, doc), pdf, record in zip(made, rendered, records, strict=True):
            with _naming(index, len(requests)):
                files = {document_paths(doc)["pdf"]: pdf, **record}
                written, _txn = _stage(tx, config, doc, files)
            issued[index] = Issued(doc, books.root, written)
        docs = [issued[i].document for i in sorted(issued)]
        if len(docs) == 1:
            doc = docs[0]
            tx.message = f"invoice: issue {doc.number} ({doc.participant}, {doc.client.id})"
        elif docs:
            numbers = sorted(docs, key=lambda d: d.seq)
            tx.message = (
                f"invoice: issue {len(docs)} invoices ({numbers[0].number} to "
                f"{numbers[-1].number})\n\n"
                + "\n".join(f"{d.number} ({d.participant}, {d.client.id})" for d in numbers)
            )
    return [issued[i] for i in sorted(issued)]


def refuse_issued_before(books: Books, docs: Sequence[Document]) -> None:
    """A number is issued once: when git history already had a document's file, the number
    was issued before and its entry and files were removed since (a hand edit that
    ``coopledger audit verify`` reports); it is not given to another document."""
    paths = {
        rel: doc
        for doc in docs
        for rel in document_paths(doc).values()
        if not (books.root / rel).exists()
    }  # fmt: skip  (a file there: _stage says)
    for rel, commit in sorted(committed_before(books.root, paths).items()):
        raise BooksError(
            _(
                "number {number} was issued before: git history has {rel} (last changed "
                "in commit {commit}) and the books no longer do; an issued number is never "
                "given again: restore the document and its entry from git, nothing was issued",
                number=paths[rel].number,
                rel=rel,
                commit=commit[:12],
            )
        )


@contextlib.contextmanager
def _naming(index: int, count: int) -> Iterator[None]:
    """In a batch, an error says which invoice it is about (its position in the batch)."""
    try:
        yield
    except CoopledgerError as exc:
        if count > 1:
            exc.message = _("invoice {index} of {count}: {message}; nothing was issued",
                            index=index, count=count, message=exc.message)  # fmt: skip
            exc.args = (exc.message,)
        raise


def check_texts(
    books: Books,
    lines: Iterable[LineInput],
    reason: str | None = None,
    *,
    guard: TextGuard | None = None,
) -> None:
    """What the client will read (PDF, UBL) passes the roster guard: no participant's
    name, no phone, IBAN, e-mail or address in a line or a credit note's reason (``guard``:
    the books' guard when the caller has it already)."""
    guard = guard or TextGuard.for_books(books)
    guard.check_all((line.description, f"--line {n}") for n, line in enumerate(lines, 1))
    guard.check(reason, "--reason")


def _open_participant(
    entries: list[data.Directive], config: HubConfig, code: str, day: dt.date
) -> ParticipantInfo:
    """The participant, open on ``day`` and not closed since (a closed participant gets no
    new invoice or credit note, whatever its date)."""
    info = require_open_participant(entries, config, code, on=day)
    if info.closed is not None:
        raise ParticipantError(
            _(
                "participant {code} is closed since {closed}",
                code=code,
                closed=info.closed.isoformat(),
            )
        )
    return info


def _who_bears(
    entries: list[data.Directive], config: HubConfig, code: str, day: dt.date,
    request: CreditRequest,
) -> bool:  # fmt: skip
    """Whether the hub bears the reversal of the participant's share (``--hub-bears``):
    only, and necessarily, when she is closed since before ``day``. An issued invoice is
    corrected only by a credit note, whatever became of her; but she holds and receives
    nothing once closed, so her share (paid out) cannot be taken back from her: the
    treasurer says the hub bears it, or nothing is issued."""
    info = require_participant(entries, config, code)
    if info.closed is None:
        if request.hub_bears:
            raise InputError(
                _(
                    "--hub-bears is for the invoice of a closed participant; {code} is open: "
                    "the credit is taken back from them (--recover-from-participant after "
                    "a payout)",
                    code=code,
                )
            )
        _open_participant(entries, config, code, day)
        return False
    if not request.hub_bears:
        raise ParticipantError(
            _(
                "participant {code} is closed since {closed}: nothing can be taken back from "
                "them; give --hub-bears to issue the credit note with the hub bearing the "
                "reversal of their share (its own sales reduced, the client refunded)",
                code=code,
                closed=info.closed.isoformat(),
            )
        )
    if request.recover_from_participant:
        raise InputError(
            _(
                "--recover-from-participant and --hub-bears exclude each other: participant "
                "{code} is closed and owes nothing any more",
                code=code,
            )
        )
    if day <= info.closed:
        raise InputError(
            _(
                "--date {day}: a credit note the hub bears is dated after the close of "
                "participant {code} ({closed})",
                day=day.isoformat(),
                code=code,
                closed=info.closed.isoformat(),
            )
        )
    return True


def read_document(reader: FileReader, ref: numbering.IssuedRef) -> Document:
    """The issued document's JSON record (kept next to its PDF)."""
    rel = f"{DOCUMENTS_DIR}/{ref.date.year}/{file_stem(ref.number)}.json"
    raw = reader.read_file(rel)
    if raw is None:
        raise BooksError(
            _(
                "{rel}: missing; cannot read {kind} {number}",
                rel=rel,
                kind=kind_word(ref.kind),
                number=ref.number,
            )
        )
    try:
        return Document.model_validate_json(raw)
    except ValidationError:
        raise BooksError(_("{rel}: not a valid document record", rel=rel)) from None


def _credits_of(entries: Iterable[data.Directive], number: str) -> list[numbering.IssuedRef]:
    return [
        d
        for d in numbering.issued(entries)
        if d.kind == "credit-note" and str(d.entry.meta.get("invoice")) == number
    ]


def issue_credit_note(
    books: Books,
    request: CreditRequest,
    *,
    today: dt.date | None = None,
    validator: Validator | None = None,
) -> Issued:
    """Issue a credit note on an invoice (the whole invoice when no lines are given)."""
    config = books.config
    require_hub_identity(config)
    today = dates.today(today)
    day = request.date or today
    if day > today:
        raise InputError(
            _(
                "--date {day} is in the future (today is {today})",
                day=day.isoformat(),
                today=today.isoformat(),
            )
        )
    if request.lines:
        compute(config, request.lines, credit=True)  # bad lines fail before the lock
    check_texts(books, request.lines, request.reason)
    with books.transaction("invoice: credit") as tx:
        # an invoice settled in a closed year is recalled into the live books first
        entries = with_recalled(tx, [request.invoice])
        ref = _invoice_to_credit(entries, request.invoice)
        original = read_document(tx, ref)
        _check_entry(config, books, tx, ref)
        _check_record(config, books, ref, original)
        if day < original.date:
            raise InputError(
                _(
                    "--date {day} is before invoice {number} ({date})",
                    day=day.isoformat(),
                    number=original.number,
                    date=original.date.isoformat(),
                )
            )
        hub_bears = _who_bears(entries, config, original.participant, day, request)
        previous = [read_document(tx, c) for c in _credits_of(entries, original.number)]
        lang = request.lang or original.lang
        inputs = list(request.lines) or _rest(original, previous, lang)
        lines, totals = compute(config, inputs, credit=True)
        totals = _within(original, previous, totals)
        _takes_off(config, original.number, totals)
        state = State.of(entries, config)
        inv_link = f"inv-{link_safe(original.number)}"
        credited = _left_in_books(config, state, inv_link, original.number, totals)
        nxt = numbering.next_number(entries, config, "credit-note", day)
        doc = Document(
            kind="credit-note",
            number=nxt.number,
            series=nxt.series,
            seq=nxt.seq,
            date=day,
            due=None,
            lang=lang,
            participant=original.participant,
            client=original.client,
            lines=lines,
            totals=totals,
            reference=InvoiceRef(number=original.number, date=original.date),
            reason=request.reason,
            hub_bears=hub_bears,
        )
        reversal = credit_reversal(
            state, inv_link, credited, totals.net, day, doc.number, doc.link,
            recover=request.recover_from_participant, hub_bears=hub_bears,
        )  # fmt: skip
        refuse_issued_before(books, [doc])
        written, _txn = _stage(tx, config, doc, render_files(config, doc, validator))
        if reversal is not None:
            tx.add_entries([reversal], kind="payments")
        tx.message = f"invoice: credit note {doc.number} on {original.number}"
    return Issued(doc, books.root, written)


def _invoice_to_credit(entries: list[data.Directive], number: str) -> numbering.IssuedRef:
    """The invoice a credit note corrects (a credit note itself is never credited)."""
    try:
        return numbering.find(entries, number, "invoice")
    except InputError:
        note = next(
            (d for d in numbering.issued(entries)
             if d.kind == "credit-note" and d.number == number.strip()),
            None,
        )  # fmt: skip
        if note is None:
            raise
        raise InputError(
            _(
                "{number} is a credit note: a credit note corrects an invoice, not another "
                "credit note (credit invoice {meta} instead)",
                number=note.number,
                meta=note.entry.meta.get("invoice"),
            )
        ) from None


def _check_entry(
    config: HubConfig, books: Books, reader: FileReader, ref: numbering.IssuedRef
) -> None:
    """An invoice whose record is the one issued (its sha256 is the entry's) but whose
    entry says something else: the entry was changed after the issue, not the record."""
    rel = f"{DOCUMENTS_DIR}/{ref.date.year}/{file_stem(ref.number)}.json"
    raw = reader.read_file(rel) or b""
    if hashlib.sha256(raw).hexdigest() != ref.entry.meta.get("record-sha256"):
        return  # no sha256, or not the record issued: _check_record says so
    try:
        record = json.loads(raw)
    except ValueError:
        return
    fields = entry_differences(config, ref.entry, record) if isinstance(record, dict) else []
    if fields:
        raise BooksError(
            _(
                "invoice {number} in the books ({where}) no longer says what was issued "
                "({fields}); its record {rel} is intact: the entry was changed after the "
                "invoice was issued, restore it; nothing is credited from it",
                number=ref.number,
                where=_where(books, ref.entry),
                fields="; ".join(fields),
                rel=rel,
            )
        )


def _check_record(
    config: HubConfig, books: Books, ref: numbering.IssuedRef, doc: Document
) -> None:
    """The JSON record beside the PDF must say what the books say about the invoice: the
    books are the authority, a record that differs was changed after the invoice was issued."""
    clients = sum(
        (p.units.number for p in ref.entry.postings
         if p.account == config.account("clients") and p.units and p.units.number is not None),
        Decimal(0),
    )  # fmt: skip
    sales = -sum(
        (p.units.number for p in ref.entry.postings
         if p.account == config.account("participant_sales", doc.participant)
         and p.units and p.units.number is not None),
        Decimal(0),
    )  # fmt: skip
    vat = doc.totals.vat if config.hub.vat_regime == "standard" else Decimal(0)
    if (
        doc.number != ref.number
        or doc.participant != str(ref.entry.meta.get("participant", ""))
        or sales != doc.totals.net
        or clients != doc.totals.net + vat
    ):
        where = _where(books, ref.entry)
        raise BooksError(
            _(
                "{documents_dir}/{year}/{file_stem}.json does not match "
                "invoice {number} in the books ({where}): the record was changed after the "
                "invoice was issued; nothing is credited from it",
                documents_dir=DOCUMENTS_DIR,
                year=ref.date.year,
                file_stem=file_stem(ref.number),
                number=ref.number,
                where=where,
            )
        )


def _where(books: Books, entry: data.Transaction) -> str:
    """``file:line`` of an entry, the file relative to the books."""
    filename = Path(str(entry.meta.get("filename", "")))
    try:
        shown = filename.resolve().relative_to(books.root).as_posix()
    except (OSError, ValueError):
        shown = filename.name
    return f"{shown}:{entry.meta.get('lineno', 0)}"


def _left_in_books(
    config: HubConfig, state: State, inv_link: str, number: str, totals: Totals
) -> Decimal:
    """What the credit takes off the receivable, checked against what the books say is left
    of the invoice (total and net), whatever the documents say."""
    inv = state.invoices[inv_link]
    credited = totals.net + (totals.vat if config.hub.vat_regime == "standard" else Decimal(0))
    if totals.net > inv.effective_net:
        raise InputError(
            _(
                "credit of {net} EUR excl. VAT exceeds what is left to credit on invoice "
                "{number} excl. VAT ({effective_net} EUR in the books)",
                net=totals.net,
                number=number,
                effective_net=inv.effective_net,
            )
        )
    if credited > inv.effective_total:
        raise InputError(
            _(
                "credit of {credited} EUR exceeds what is left to credit on invoice {number} "
                "({effective_total} EUR in the books)",
                credited=credited,
                number=number,
                effective_total=inv.effective_total,
            )
        )
    return credited


def _within(original: Document, previous: list[Document], totals: Totals) -> Totals:
    """A credit note may not credit more than was invoiced, per VAT rate: neither more base
    nor more VAT. The VAT of a rate is computed on the credited base as for an invoice, but
    never above the VAT left on the invoice at that rate, and a credit that takes the last of
    a rate's base gives back exactly the VAT left — so the invoice's receivable and its VAT
    end at zero, not at a rounding cent (three credits of 99.99 at 21 % would otherwise
    give back 63.00 of the 62.99 invoiced)."""
    invoiced = {g.rate.normalize(): g for g in original.totals.groups}
    credited_base: dict[Decimal, Decimal] = {}
    credited_vat: dict[Decimal, Decimal] = {}
    for doc in previous:
        for g in doc.totals.groups:
            rate = g.rate.normalize()
            credited_base[rate] = credited_base.get(rate, Decimal(0)) + g.base
            credited_vat[rate] = credited_vat.get(rate, Decimal(0)) + g.vat
    groups = []
    for group in totals.groups:
        rate = group.rate.normalize()
        if rate not in invoiced:
            raise InputError(
                _(
                    "invoice {number} has no line at VAT rate {rate} %; a credit note "
                    "corrects the invoice's own lines",
                    number=original.number,
                    rate=rate,
                )
            )
        left = invoiced[rate].base - credited_base.get(rate, Decimal(0))
        # Between 0 and what is left, whatever its sign: a discount (a negative base) is
        # credited down to what was invoiced of it, never beyond (sales never made).
        if _between(group.base, left) != group.base:
            raise InputError(
                _(
                    "credit of {base} at {rate} % exceeds what is left to credit on invoice "
                    "{number} at that rate ({left}; a credit lies between 0 and it)",
                    base=group.base,
                    rate=rate,
                    number=original.number,
                    left=left,
                )
            )
        vat_left = invoiced[rate].vat - credited_vat.get(rate, Decimal(0))
        vat = vat_left if group.base == left else _between(group.vat, vat_left)
        groups.append(group.model_copy(update={"vat": vat}))
    net = sum((g.base for g in groups), Decimal(0))
    tax = sum((g.vat for g in groups), Decimal(0))
    return Totals(net=net, vat=tax, gross=net + tax, groups=tuple(groups))


def _between(value: Decimal, bound: Decimal) -> Decimal:
    """``value`` held between 0 and ``bound`` (either sign)."""
    low, high = sorted((Decimal(0), bound))
    return min(max(value, low), high)


def _left_per_rate(
    original: Document, previous: list[Document]
) -> dict[Decimal, tuple[Decimal, Decimal]]:
    """What is left to credit of each VAT rate of the invoice: (base, VAT)."""
    left = {g.rate.normalize(): (g.base, g.vat) for g in original.totals.groups}
    for doc in previous:
        for g in doc.totals.groups:
            rate = g.rate.normalize()
            base, vat = left.get(rate, (Decimal(0), Decimal(0)))
            left[rate] = (base - g.base, vat - g.vat)
    return left


def _rest(original: Document, previous: list[Document], lang: str) -> list[LineInput]:
    """The lines of a credit note with no ``--line``: the invoice's own lines at each rate
    no credit note touched, one line of what is left at each rate one did — so a partial
    credit can be followed by the rest, exactly (each rate's base and VAT end at zero)."""
    left = _left_per_rate(original, previous)
    touched = {g.rate.normalize() for doc in previous for g in doc.totals.groups}
    inputs = [
        LineInput(description=line.description, quantity=line.quantity,
                  unit_price=line.unit_price, vat_rate=line.vat_rate)
        for line in original.lines
        if line.vat_rate.normalize() not in touched
    ]  # fmt: skip
    for group in original.totals.groups:
        rate = group.rate.normalize()
        base, vat = left[rate]
        if rate not in touched or (base == 0 and vat == 0):
            continue
        text = _("Rest of invoice {number}, VAT {rate} %", number=original.number,
                 rate=fmt_rate(rate)).shown(lang)  # fmt: skip
        inputs.append(LineInput(description=text, quantity=Decimal(-1 if base < 0 else 1),
                                unit_price=abs(base), vat_rate=group.rate))  # fmt: skip
    if not inputs:
        raise InputError(
            _(
                "invoice {number} is fully credited ({previous}): nothing is left to credit",
                number=original.number,
                previous=", ".join(p.number for p in previous),
            )
        )
    return inputs


def _takes_off(config: HubConfig, number: str, totals: Totals) -> None:
    """A credit note takes something off the invoice: never a negative net (crediting a
    discount alone would add to what the client owes), never nothing. A net of zero is
    right when the VAT is what is left (the rest of an invoice with a discount)."""
    if totals.net < 0:
        raise InputError(
            _(
                "the credited total excl. VAT is negative ({net} {currency}): a credit note "
                "takes amounts off invoice {number}, it never adds to them (credit a "
                "discount with the lines it reduces)",
                net=totals.net,
                currency=config.currency,
                number=number,
            )
        )
    if totals.gross <= 0:
        raise InputError(
            _(
                "the credited total is {gross} {currency}: a credit note must take "
                "something off invoice {number}",
                gross=totals.gross,
                currency=config.currency,
                number=number,
            )
        )
