"""Payouts: paying a participant what the hub holds for them, by bank or in cash.

A payout is refused when it is more than the balance held for the participant less what
she owes the hub (on any day from its date on), when the participant is closed, when it is
dated in the future, in cash beyond what the cash box holds, or, by bank, when the IBAN is
not a valid one. Entries (see ``docs/accounting-model.md``):

* by bank: ``held X / payouts_pending -X`` now (link ``^po-…``, ``end-to-end-id`` = the
  payout's id); reconciliation settles it when the statement shows the debit. The order is
  exported for the bank's upload as a SEPA credit-transfer file (pain.001.001.03);
* in cash: ``held X / cash -X`` and a receipt PDF to sign (code, amount, date, hub; no
  identity) stored under ``documents/payouts/<year>/``.

**The participant's IBAN is never written into the books.** It is personal data that
would tie a pseudonymous code to a bank account holder. The books keep only its last four
characters (``iban-last4``): too few to find the account (the rest of a Belgian IBAN is
ten free digits), enough to catch a typo at export and to help match the debit. A keyed
hash was considered and rejected: it would be a stable identifier of the bank account
across codes and years (linking two codes of one person), and with the key it can be
brute-forced over the 10^10 Belgian account numbers. The IBAN and the account holder's
name live in the participant's encrypted roster record (``participant set-payee``,
:mod:`ledger.participants.payees`); a bank payout and its export take them from there, in
memory, and
they go only into the pain.001 file, which is written outside the books (mode 0600).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount.core import data
from beancount.parser.grammar import ValueType
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from sepaxml import SepaTransfer

from ledger.books import Books, atomic_write
from ledger.config import HubConfig
from ledger.dates import booking_date, execution_date
from ledger.daybook import AFTER_COUNT, last_counts
from ledger.entries import (
    ZERO,
    document_entry,
    id_link,
    next_id,
    parse_amount,
    posting,
    q2,
    transaction,
)
from ledger.errors import InputError, ParticipantError, typed
from ledger.i18n import Message, _, fmt_amount, fmt_date, hub_lang, shown, translate
from ledger.ibans import iban_problem
from ledger.money.batches import naming, read_batch, refuse_repeats
from ledger.money.reconcile.state import State, check_cash
from ledger.outputs import outside_books
from ledger.participants import require_open_participant
from ledger.participants.payees import payee_of, payees_of
from ledger.privacy.guard import TextGuard
from ledger.render import A4, fonts, mm, page_canvas
from ledger.view import PAYOUT_EXPORTED, Pending, payout_exports

METHODS = ("bank", "cash")
EXPORTED = PAYOUT_EXPORTED
RECEIPTS_DIR = "documents/payouts"
KIND = "payouts"
CANCEL_KIND = "payout-cancel"  # a bank payout cancelled before its export


@dataclass(frozen=True)
class PendingPayout:
    """A bank payout ordered and not yet seen debited."""

    payout: str
    participant: str
    date: dt.date
    amount: Decimal
    iban_last4: str
    exported: dt.date | None = None  # when it was last written to a pain.001 file
    returned: dt.date | None = None  # a debited payout the bank brought back (it bounced)
    returned_by: str | None = None  # the bank reference of the credit that brought it back


def check_iban(value: str) -> str:
    """A valid IBAN in compact form, or a one-line InputError (no digits echoed back)."""
    try:
        return str(IBAN(value).compact)
    except SchwiftyException as exc:
        raise InputError(_("invalid IBAN: {exc}", exc=iban_problem(exc))) from None


def payout_entry(
    config: HubConfig, payout_id: str, code: str, amount: Decimal, day: dt.date, method: str,
    iban: str | None, after_count: str | None = None,
) -> data.Transaction:  # fmt: skip
    """The payout transaction (bank: ordered, pending the debit; cash: paid now, after
    ``after_count``, the last count of the cash box booked that day, if any)."""
    held = config.account("participant_held", code)
    meta: dict[str, Any] = {
        "kind": "payout",
        "payout": payout_id,
        "participant": code,
        "method": method,
        "amount": amount,
    }
    if method == "bank":
        assert iban is not None
        meta["iban-last4"] = iban[-4:]
        meta["end-to-end-id"] = payout_id
        other = posting(config.account("payouts_pending"), -amount)
        narration = _(
            "Payout {payout_id} to {code}, by bank transfer (ordered)",
            payout_id=payout_id,
            code=code,
        ).shown(hub_lang(config.invoicing.default_lang))
    else:
        meta[AFTER_COUNT] = after_count
        other = posting(config.account("cash"), -amount)
        narration = _(
            "Payout {payout_id} to {code}, in cash", payout_id=payout_id, code=code
        ).shown(hub_lang(config.invoicing.default_lang))
    return transaction(day, narration, [posting(held, amount), other], meta, {id_link(payout_id)})


RECEIPT_LANGS = ("fr", "nl", "en")  # the cash receipt says everything in each


def receipt_pdf(hub_name: str, payout_id: str, code: str, amount: Decimal, day: dt.date) -> bytes:
    """A one-page receipt to sign for a cash payout: no identity, only the code. Complete in
    French, Dutch and English (the catalogue's words); the amount and the date as Belgian
    French writes them (Babel), in the one Unicode font."""

    def each(text: str) -> list[str]:
        return [translate(lang, text, "receipt") for lang in RECEIPT_LANGS]

    def all3(text: str) -> str:
        return " / ".join(each(text))

    regular, bold = fonts()
    buf = io.BytesIO()
    pdf = page_canvas(buf, f"{all3('Receipt')} {payout_id}", hub_name)
    _, height = A4
    y = height - 25 * mm
    pdf.setFont(bold, 14)
    for title in each("Cash payment receipt"):
        pdf.drawString(25 * mm, y, title)
        y -= 7 * mm
    pdf.setFont(regular, 10)
    rows = [
        (all3("Organisation"), hub_name),
        (all3("Receipt no."), payout_id),
        (all3("Participant (code)"), code),
        (all3("Amount"), fmt_amount(amount, "fr")),
        (all3("Date"), fmt_date(day, "fr")),
    ]
    y -= 8 * mm
    for label, value in rows:
        pdf.drawString(25 * mm, y, f"{label}:")
        pdf.drawString(140 * mm, y, value)
        y -= 7 * mm
    y -= 5 * mm
    pdf.setFont(regular, 9)
    for sentence in each("The participant acknowledges having received this amount in cash "
                         "from the organisation."):  # fmt: skip
        pdf.drawString(25 * mm, y, sentence)
        y -= 5.5 * mm
    y -= 18 * mm
    for i, (mine, theirs) in enumerate(
        zip(each("Participant's signature"), each("For the organisation"), strict=True)
    ):
        pdf.drawString(25 * mm, y - i * 4.5 * mm, mine)
        pdf.drawString(115 * mm, y - i * 4.5 * mm, theirs)
    y -= 3 * 4.5 * mm
    pdf.line(25 * mm, y - 20 * mm, 95 * mm, y - 20 * mm)
    pdf.line(115 * mm, y - 20 * mm, 185 * mm, y - 20 * mm)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def check_payout(state: State, code: str, amount: Decimal, day: dt.date, method: str) -> None:
    """Refuse a payout the balance held (less what she owes) or the cash box cannot bear."""
    available = state.held_available(code, day)
    payable = state.payable(code, day)
    if amount > payable:
        owes = state.owed_by(code, day)
        if owes <= 0:
            raise ParticipantError(
                _(
                    "payout refused: {amount} EUR is more than the {available} EUR held for "
                    "{code} (from {day} on)",
                    amount=amount,
                    available=q2(available),
                    code=code,
                    day=day.isoformat(),
                )
            )
        raise ParticipantError(
            _(
                "payout refused: {amount} EUR is more than the {payable} EUR that "
                "may be paid out to {code} from {day} on ({available} EUR held, "
                "less the {owes} EUR they owe the hub)",
                amount=amount,
                payable=q2(max(payable, ZERO)),
                code=code,
                day=day.isoformat(),
                available=q2(available),
                owes=owes,
            )
        )
    if method == "cash":
        check_cash(state, amount, day, _("payout"))


@dataclass(frozen=True)
class PayoutRequest:
    """One payout to book: the participant, the amount, by bank or in cash, its date."""

    code: str
    amount: Decimal
    method: str = "bank"
    day: dt.date | None = None
    iban: str | None = None  # given (the demo's); else the participant's payee in the roster


PAYOUT_COLUMNS = ("participant", "amount", "method", "date")


def read_payouts(
    books: Books, path: Path, method: str | None = None, day: dt.date | None = None
) -> list[tuple[str, PayoutRequest]]:
    """The payouts of a ``payout add --from FILE`` (see :mod:`ledger.money.batches`):
    columns ``participant``, ``amount``, ``method`` (``bank`` or ``cash``; default
    ``method``, else bank) and ``date`` (default ``day``, else today)."""
    rows = read_batch(path, "payouts", PAYOUT_COLUMNS, ("participant", "amount"),
                      TextGuard.for_books(books))  # fmt: skip
    out = []
    for row in rows:
        with naming(row.where):
            request = PayoutRequest(
                code=str(row.text("participant")),
                amount=parse_amount(str(row.text("amount")), "amount"),
                method=row.text("method") or method or "bank",
                day=row.date() or day,
            )
        out.append((row.where, request))
    return out


def book_payout(
    books: Books, code: str, amount_text: str, method: str, iban: str | None = None,
    day: dt.date | None = None, today: dt.date | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Check and book a payout; returns what was booked (never the IBAN)."""
    request = PayoutRequest(code, parse_amount(amount_text), method, day, iban)
    return book_payouts(books, [("", request)], today)[0]


def book_payouts(
    books: Books, requests: Sequence[tuple[str, PayoutRequest]], today: dt.date | None = None
) -> list[dict[str, Any]]:
    """Check and book payouts in one write, all of them or none; ``requests`` are
    ``(where, request)``: an error about one names its ``where`` (a batch file's row).

    Each payout is checked against the books with the batch's earlier payouts in them (the
    balance held, the cash box), so a batch books exactly what the payouts one after the
    other would. The bank payouts' IBANs come from the roster (one decryption)."""
    config = books.config
    prepared: list[tuple[str, PayoutRequest, dt.date]] = []
    for where, req in requests:
        with naming(where):
            day = booking_date(req.day, today)
            if req.method not in METHODS:
                raise InputError(
                    _("--method must be one of {methods}", methods=", ".join(METHODS))
                )
            if req.method != "bank" and req.iban:
                raise InputError(_("--iban is only for --method bank"))
        prepared.append((where, req, day))
    refuse_repeats([(w, (r.code, r.amount, r.method, d)) for w, r, d in prepared], _("payout"))
    out: list[dict[str, Any]] = []
    with books.transaction("payout") as tx:
        entries = tx.ledger.entries
        for where, req, day in prepared:  # nothing in a payout opens or closes anyone
            with naming(where):
                require_open_participant(entries, config, req.code, on=day)
        wanted = {r.code for _w, r, _d in prepared if r.method == "bank" and not r.iban}
        payees = payees_of(books, wanted) if wanted else {}
        state = State.of(entries, config)  # the batch's payouts are folded in as booked
        seqs: dict[int, int] = {}
        counts: dict[dt.date, str] | None = None
        new: list[data.Directive] = []
        for where, req, day in prepared:
            with naming(where):
                iban = req.iban
                if req.method == "bank":
                    if not iban:
                        iban = (payees.get(req.code) or payee_of(books, req.code)).iban
                    iban = check_iban(iban)
                    if config.bank_account_for_iban(iban) is not None:
                        raise InputError(_("--iban is one of the hub's own accounts"))
                check_payout(state, req.code, req.amount, day, req.method)
            if day.year not in seqs:
                first = next_id(entries, "payout", "PO", day.year)
                seqs[day.year] = int(first.rsplit("-", 1)[1]) - 1
            seqs[day.year] += 1
            payout_id = f"PO-{day.year}-{seqs[day.year]:04d}"
            counted = None
            if req.method == "cash":
                counts = last_counts(entries) if counts is None else counts  # a batch adds none
                counted = counts.get(day)
            entry = payout_entry(
                config, payout_id, req.code, req.amount, day, req.method, iban, counted
            )
            state.add(entry)
            new.append(entry)
            relpath = None
            if req.method == "cash":
                relpath = f"{RECEIPTS_DIR}/{day.year}/{id_link(payout_id)}.pdf"
                tx.write_file(
                    relpath, receipt_pdf(config.hub.name, payout_id, req.code, req.amount, day)
                )
                new.append(
                    document_entry(
                        day, config.account("cash"), relpath, f"{day.year}/{KIND}.beancount",
                        id_link(payout_id), "payout-receipt",
                    )
                )  # fmt: skip
            out.append({
                "payout": payout_id, "link": id_link(payout_id), "participant": req.code,
                "amount": req.amount, "method": req.method, "date": day, "receipt": relpath,
                "iban-last4": iban[-4:] if iban else None,
            })  # fmt: skip
        tx.add_entries(new, kind=KIND)
        if len(out) == 1:
            one = out[0]
            tx.message = f"payout: {one['payout']} ({one['participant']}, {one['method']})"
        else:
            tx.message = (
                f"payout: {len(out)} payouts ({out[0]['payout']} to {out[-1]['payout']})\n\n"
                + "\n".join(f"{p['payout']} ({p['participant']}, {p['method']})" for p in out)
            )
    return out


# ---------------------------------------------------------------- SEPA export


def pending_payouts(
    entries: list[data.Directive], config: HubConfig, since: dt.date | None = None
) -> list[PendingPayout]:
    """Bank payouts ordered and not yet settled by a bank debit."""
    state = State.of(entries, config)
    exported = {ident: last for ident, (_first, last) in payout_exports(entries).items()}
    out = []
    for pend in state.open_pending("payout"):
        if not pend.iban_last4 or (since is not None and pend.date < since):
            continue
        out.append(
            PendingPayout(
                payout=pend.link.upper(),
                participant=pend.participant,
                date=pend.date,
                amount=-pend.open,
                iban_last4=pend.iban_last4,
                exported=exported.get(pend.link.upper()),
            )
        )
    return sorted(out, key=lambda p: (p.date, p.payout))


def returned_payouts(
    entries: list[data.Directive], config: HubConfig, since: dt.date | None = None
) -> list[PendingPayout]:
    """Bank payouts debited and then returned by the bank (back on the balance held)."""
    state = State.of(entries, config)
    out = []
    for pend in state.pending.values():
        if pend.kind != "payout" or not pend.returned_by:
            continue
        if since is not None and pend.date < since:
            continue
        line = state.lines.get(pend.returned_by)
        out.append(
            PendingPayout(
                payout=pend.link.upper(),
                participant=pend.participant,
                date=pend.date,
                amount=-pend.amount,
                iban_last4=pend.iban_last4,
                returned=pend.returned_on,
                returned_by=line.ref if line is not None else pend.returned_by[5:],
            )
        )
    return sorted(out, key=lambda p: (p.date, p.payout))


def parse_pairs(values: list[str], what: str) -> dict[str, str]:
    """``KEY=VALUE`` options (``--iban PO-2026-0001=BE…``) as a dict."""
    out = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key.strip() or not rest.strip():
            raise InputError(
                _("--{what} expects KEY=VALUE (a payout id or participant code)", what=what)
            )
        out[key.strip().upper()] = rest.strip()
    return out


@dataclass(frozen=True)
class SkippedPayout:
    """A waiting bank payout that an export left out, and why (never its IBAN)."""

    payout: PendingPayout
    reason: Message


@dataclass(frozen=True)
class PayoutExport:
    """What ``payout export`` wrote to the file, and what it left waiting."""

    payouts: list[PendingPayout]
    skipped: list[SkippedPayout]


def export_pain001(
    books: Books, out: Path, ibans: dict[str, str], names: dict[str, str] | None = None,
    since: dt.date | None = None, execution: dt.date | None = None, again: bool = False,
    today: dt.date | None = None,
) -> PayoutExport:  # fmt: skip
    """Write the pending bank payouts as a pain.001.001.03 file at ``out`` (outside the
    books); each payout's IBAN comes from ``ibans`` (by payout id or participant code).

    Each payout exported is recorded in the books (``custom "payout-exported"``), and is not
    exported again unless ``again``: a file uploaded twice would pay twice. A payout whose
    account is missing or is not the one it was ordered to is left out and keeps waiting,
    named in :attr:`PayoutExport.skipped`: one participant's changed account does not hold
    back everyone's pay. When no payout can be exported, nothing is written."""
    config = books.config
    target = outside_books(books.root, out, "--out", _("the file holds bank account numbers"))
    day = execution_date(execution, today)
    marked = booking_date(None, today)
    written = False
    try:
        with books.transaction("payout: export") as tx:
            every = pending_payouts(tx.ledger.entries, config, since)
            waiting = [p for p in every if again or p.exported is None]
            if not waiting:
                done = len(every) - len(waiting)
                raise InputError(
                    _(
                        "no bank payout waits to be exported{done}",
                        done=_(
                            " ({done} already exported; --again to export them again)", done=done
                        )
                        if done
                        else "",
                    )
                )
            ibans, names = _with_payees(books, waiting, ibans, names or {})
            accounts, skipped = _accounts_of(waiting, ibans)
            payouts = [p for p in waiting if p.payout in accounts]
            if not payouts:
                raise InputError(_nothing_exported(skipped))
            payload = _pain001(config, payouts, accounts, names, day)
            # The mark is dated when the file was written (today: never in the future); the
            # requested execution date is in the file and in the mark's metadata.
            marks: list[data.Directive] = [
                data.Custom(
                    data.new_metadata("<coopledger>", n, {"kind": "payout-export",
                                                          "execution-date": day}),
                    max(marked, p.date), EXPORTED, [ValueType(p.payout, str)],
                )
                for n, p in enumerate(payouts)
            ]  # fmt: skip
            tx.add_entries(marks, kind=KIND)
            tx.message = f"payout: export {len(payouts)} transfer(s) to pain.001"
            if skipped:
                tx.message += f" ({', '.join(k.payout.payout for k in skipped)} left waiting)"
            atomic_write(target, payload, mode=0o600)  # outside the books, before the commit
            written = True
    except BaseException:
        if written:  # the books refused the marks: no file that says otherwise
            target.unlink(missing_ok=True)
        raise
    return PayoutExport(payouts, skipped)


def _nothing_exported(skipped: list[SkippedPayout]) -> Message:
    """The one line of an export that can write no payout: the first reason, and how many
    more there are (``payout export`` names each when it writes the others)."""
    if len(skipped) == 1:
        return skipped[0].reason
    return _(
        "{first} ({more} more payout(s) cannot be exported either)",
        first=skipped[0].reason,
        more=len(skipped) - 1,
    )


def _accounts_of(
    payouts: list[PendingPayout], ibans: dict[str, str]
) -> tuple[dict[str, str], list[SkippedPayout]]:
    """The account of each payout that can be exported (by payout id), and the others with
    why: no account, or one that does not end in the four characters the payout was ordered
    to (its payee changed since: the way out is to cancel it and order it again)."""
    accounts: dict[str, str] = {}
    skipped: list[SkippedPayout] = []
    for payout in payouts:
        given = ibans.get(payout.payout) or ibans.get(payout.participant)
        if not given:
            reason = _(
                "no payout account for {payout} ({participant}) in the roster: "
                "store it with 'coopledger participant set-payee {participant}'",
                payout=payout.payout,
                participant=payout.participant,
            )
        else:
            try:
                iban = check_iban(given)
            except InputError as exc:
                reason = _("{payout}: {problem}", payout=payout.payout, problem=shown(exc))
            else:
                if iban[-4:] == payout.iban_last4:
                    accounts[payout.payout] = iban
                    continue
                reason = (
                    _(
                        "the payout account for {payout} does not end in the {iban_last4} "
                        "recorded when the payout was ordered (it changed since): cancel it "
                        "with 'coopledger payout cancel {payout}' and order it again",
                        payout=payout.payout,
                        iban_last4=payout.iban_last4,
                    )
                    if payout.exported is None
                    # exported already: the bank has the first file, nothing cancels it here
                    else _(
                        "the payout account for {payout} does not end in the {iban_last4} it "
                        "was exported to on {date} (it changed since): the bank has that "
                        "file; if the transfer comes back, order the payout again",
                        payout=payout.payout,
                        iban_last4=payout.iban_last4,
                        date=payout.exported.isoformat(),
                    )
                )
        skipped.append(SkippedPayout(payout, reason))
    return accounts, skipped


def _with_payees(
    books: Books, payouts: list[PendingPayout], ibans: dict[str, str], names: dict[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """The IBAN and name of each payout: given, else the participant's payee in the roster
    (decrypted in memory; it goes into the pain.001 file only)."""
    missing = {
        p.participant for p in payouts if not (ibans.get(p.payout) or ibans.get(p.participant))
    }
    ibans, names = dict(ibans), dict(names)
    for code, payee in payees_of(books, missing).items():
        ibans.setdefault(code, payee.iban)
        names.setdefault(code, payee.name)
    return ibans, names


def _pain001(
    config: HubConfig, payouts: list[PendingPayout], accounts: dict[str, str],
    names: dict[str, str], when: dt.date,
) -> bytes:  # fmt: skip
    """The bytes of a pain.001.001.03 file for ``payouts`` (their checked ``accounts``, by
    payout id), validated against its schema."""

    bank = config.main_bank
    sepa_config: dict[str, Any] = {
        "name": config.hub.name[:70],
        "IBAN": bank.iban,
        "batch": True,
        "currency": "EUR",
    }
    if bank.bic:
        sepa_config["BIC"] = bank.bic
    sepa = SepaTransfer(sepa_config, schema="pain.001.001.03", clean=True)
    for payout in payouts:
        iban = accounts[payout.payout]
        name = names.get(payout.payout) or names.get(payout.participant) or payout.participant
        sepa.add_payment(
            {
                "name": name[:70],
                "IBAN": iban,
                "amount": int(payout.amount * 100),
                "execution_date": when,
                "description": f"{payout.payout} {payout.participant}",
                "endtoend_id": payout.payout,
            }
        )
    try:
        return bytes(sepa.export(validate=True))
    except Exception as exc:
        raise InputError(
            _("the SEPA file does not validate (pain.001.001.03): {exc}", exc=exc)
        ) from None


# ---------------------------------------------------------------- cancelling an order


def _exported_on(entries: list[data.Directive], payout_id: str) -> dt.date | None:
    """When ``payout_id`` was first written to a pain.001 file (None: never)."""
    days = payout_exports(entries).get(payout_id.upper())
    return days[0] if days else None


def _refuse_cancel(state: State, entries: list[data.Directive], payout_id: str) -> Pending:
    """The bank payout ``payout_id`` if it may be cancelled: ordered, never exported, not
    debited, not cancelled already; else a one-line error giving the way out."""
    pend = state.pending.get(id_link(payout_id))
    if pend is None or pend.kind != "payout":
        raise InputError(_("no payout {payout} in the books", payout=typed(payout_id)))
    if not pend.iban_last4:
        raise InputError(
            _(
                "{payout} was paid in cash: the money left the cash box, there is nothing "
                "to cancel",
                payout=payout_id,
            )
        )
    if pend.debited_by:
        raise InputError(
            _(
                "{payout} was debited by the bank: it cannot be cancelled (if the bank "
                "returns it, reconciliation puts it back on the balance held)",
                payout=payout_id,
            )
        )
    if pend.open == ZERO:
        raise InputError(_("{payout} is already cancelled", payout=payout_id))
    exported = _exported_on(entries, payout_id)
    if exported is not None:
        raise InputError(
            _(
                "{payout} was exported for the bank on {date}: it cannot be cancelled here; "
                "cancel the transfer at the bank — if the bank pays it, its debit is "
                "matched, if it comes back, the credit puts it back on the balance held",
                payout=payout_id,
                date=exported.isoformat(),
            )
        )
    return pend


def cancel_entry(config: HubConfig, pend: Pending, day: dt.date) -> data.Transaction:
    """The reversal of a bank payout not yet exported: ``payouts_pending X / held −X``,
    linked to the payout (the payout's own entry is never edited)."""
    payout_id, code, amount = pend.link.upper(), pend.participant, -pend.open
    meta: dict[str, Any] = {
        "kind": CANCEL_KIND,
        "payout": payout_id,
        "participant": code,
        "method": "bank",
        "amount": amount,
    }
    narration = _(
        "Payout {payout_id} to {code} cancelled before its export, back on the balance held",
        payout_id=payout_id,
        code=code,
    ).shown(hub_lang(config.invoicing.default_lang))
    postings = [
        posting(config.account("payouts_pending"), amount),
        posting(config.account("participant_held", code), -amount),
    ]
    return transaction(day, narration, postings, meta, {pend.link})


def cancel_payout(books: Books, payout_id: str, today: dt.date | None = None) -> dict[str, Any]:
    """Cancel a bank payout not yet exported (nor debited): a new entry reverses it, so the
    money is back on her balance held and reconciliation no longer expects the debit."""
    config = books.config
    ident = payout_id.strip().upper()
    day = booking_date(None, today)
    with books.transaction("payout: cancel") as tx:
        entries = tx.ledger.entries
        pend = _refuse_cancel(State.of(entries, config), entries, ident)
        require_open_participant(entries, config, pend.participant, on=day)
        entry = cancel_entry(config, pend, day)
        tx.add_entries([entry], kind=KIND)
        tx.message = f"payout: cancel {ident} ({pend.participant}, not exported)"
    return {"payout": ident, "participant": pend.participant, "amount": -pend.open,
            "date": day, "link": pend.link}  # fmt: skip
