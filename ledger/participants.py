"""Participants: onboarding, closing, and what the books say about each one.

A participant exists in the books only as a pseudonymous code and the accounts of its
activity subtree (see ``docs/accounting-model.md``). Who the person is lives in the
encrypted roster, never here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data

from ledger.books import Books
from ledger.codes import is_code, new_code
from ledger.config import PARTICIPANT_ROLES, HubConfig
from ledger.dates import booking_date
from ledger.errors import InputError, ParticipantError
from ledger.guard import TextGuard
from ledger.roster import DETAIL_FIELDS, Payee, RosterEntry, editing_roster

ACTIVITY_RE = re.compile(r"^[^\W\d_][\w \-/&']{0,39}$")
ZERO = Decimal("0")
# Entries whose ``received-net`` is money clients paid for the activity (or took back).
RECEIVED_KINDS = ("payment", "credit-reversal", "cash-sale")


@dataclass
class ParticipantInfo:
    code: str
    opened: dt.date
    closed: dt.date | None = None
    activity: str = ""
    accounts: dict[str, str] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return "closed" if self.closed else "open"

    def is_open_on(self, day: dt.date) -> bool:
        return self.opened <= day and (self.closed is None or day <= self.closed)


@dataclass
class Movement:
    """One change of the balance held for a participant."""

    date: dt.date
    kind: str
    description: str
    amount: Decimal  # positive: the hub holds more for the participant
    balance: Decimal
    links: list[str] = field(default_factory=list)
    owed: Decimal = ZERO  # change of what the participant owes the hub (positive: owes more)
    owed_balance: Decimal = ZERO


@dataclass
class ParticipantSummary:
    info: ParticipantInfo
    balance: Decimal = ZERO  # what the hub holds for (owes) the participant
    sales: Decimal = ZERO  # invoiced for the activity, excl. VAT, net of credit notes
    received: Decimal = ZERO  # what clients actually paid (excl. VAT) for the activity
    contribution: Decimal = ZERO  # the hub's contribution taken
    costs: Decimal = ZERO  # costs of the activity, whoever paid them
    costs_charged: Decimal = ZERO  # the part of them charged to them (now or later)
    payouts: Decimal = ZERO  # paid out to the participant
    pending: Decimal = ZERO  # their share of invoices not paid yet (not theirs to take yet)
    owed: Decimal = ZERO  # what they owe the hub, recovered from their next client payments
    movements: list[Movement] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        info = self.info
        return {
            "code": info.code,
            "status": info.status,
            "activity": info.activity,
            "opened": info.opened.isoformat(),
            "closed": info.closed.isoformat() if info.closed else None,
            "currency": "EUR",
            "balance": str(self.balance),
            "sales": str(self.sales),
            "received": str(self.received),
            "contribution": str(self.contribution),
            "costs": str(self.costs),
            "costs_charged": str(self.costs_charged),
            "payouts": str(self.payouts),
            "pending": str(self.pending),
            "owed": str(self.owed),
            "accounts": info.accounts,
            "movements": [
                {
                    "date": m.date.isoformat(),
                    "kind": m.kind,
                    "description": m.description,
                    "amount": str(m.amount),
                    "balance": str(m.balance),
                    "owed": str(m.owed),
                    "owed_balance": str(m.owed_balance),
                    "links": m.links,
                }
                for m in self.movements
            ],
        }


# ---------------------------------------------------------------- reading the books


def participant_accounts(config: HubConfig, code: str) -> dict[str, str]:
    return {role: config.account(role, code) for role in PARTICIPANT_ROLES}


def find_participants(
    entries: Iterable[data.Directive], config: HubConfig
) -> dict[str, ParticipantInfo]:
    """Every participant the books know, from the ``open``/``close`` of its held account."""
    found: dict[str, ParticipantInfo] = {}
    held_names: dict[str, str] = {}
    for entry in entries:
        if isinstance(entry, data.Open) and entry.meta.get("role") == "participant_held":
            code = str(entry.meta.get("participant", ""))
            if not code:
                continue
            found[code] = ParticipantInfo(
                code=code,
                opened=entry.date,
                activity=str(entry.meta.get("activity", "")),
                accounts=participant_accounts(config, code),
            )
            held_names[entry.account] = code
        elif isinstance(entry, data.Close) and entry.account in held_names:
            found[held_names[entry.account]].closed = entry.date
    return found


def require_participant(
    entries: Iterable[data.Directive], config: HubConfig, code: str
) -> ParticipantInfo:
    """The participant with this code, or a clear error."""
    if not is_code(code):  # what was typed is not repeated: it may be a name
        raise ParticipantError("not a participant code (expected P- and 6 characters)")
    info = find_participants(entries, config).get(code)
    if info is None:
        raise ParticipantError(f"unknown participant {code}")
    return info


def require_open_participant(
    entries: Iterable[data.Directive], config: HubConfig, code: str, on: dt.date | None = None
) -> ParticipantInfo:
    """An open participant (on ``on`` when given), or a clear error."""
    info = require_participant(entries, config, code)
    if info.closed is not None and (on is None or on > info.closed):
        raise ParticipantError(f"participant {code} is closed since {info.closed.isoformat()}")
    if on is not None and on < info.opened:
        raise ParticipantError(
            f"participant {code} was opened on {info.opened.isoformat()}, after {on.isoformat()}"
        )
    return info


def summarize_all(
    entries: Iterable[data.Directive], config: HubConfig
) -> dict[str, ParticipantSummary]:
    """Every participant's balances and movements, in one pass over the entries."""
    entries = list(entries)
    summaries = {
        code: ParticipantSummary(info=info)
        for code, info in find_participants(entries, config).items()
    }
    # account -> (code, role) of every participant account
    roles = {
        account: (code, role)
        for code, summary in summaries.items()
        for role, account in summary.info.accounts.items()
    }
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        kind = str(entry.meta.get("kind", ""))
        held_delta: dict[str, Decimal] = {}
        owed_delta: dict[str, Decimal] = {}
        for posting in entry.postings:
            if posting.units is None or posting.units.number is None:
                continue
            owner = roles.get(posting.account)
            if owner is None:
                continue
            code, role = owner
            summary, number = summaries[code], posting.units.number
            if role == "participant_held":
                held_delta[code] = held_delta.get(code, ZERO) - number
                if kind == "payout":
                    summary.payouts += number
            elif role == "participant_sales":
                summary.sales -= number
            elif role == "participant_contribution":
                summary.contribution -= number
            elif role == "participant_costs":
                summary.costs += number
            elif role == "participant_pending":
                summary.pending -= number
            elif role == "participant_owed":
                owed_delta[code] = owed_delta.get(code, ZERO) + number
        if kind in RECEIVED_KINDS:
            received = entry.meta.get("received-net")
            code = str(entry.meta.get("participant", ""))
            if received is not None and code in summaries:
                summaries[code].received += Decimal(str(received))
        for code in sorted(set(held_delta) | set(owed_delta)):
            summary = summaries[code]
            delta, owed = held_delta.get(code, ZERO), owed_delta.get(code, ZERO)
            if kind == "expense":
                summary.costs_charged += owed - delta
            elif kind == "settlement" and entry.meta.get("returned"):
                summary.payouts -= delta  # a bank payout that came back
            if delta != ZERO or owed != ZERO:
                summary.balance += delta
                summary.owed += owed
                summary.movements.append(
                    Movement(
                        date=entry.date,
                        kind=kind or "other",
                        description=entry.narration or "",
                        amount=delta,
                        balance=summary.balance,
                        links=sorted(entry.links or ()),
                        owed=owed,
                        owed_balance=summary.owed,
                    )
                )
    return summaries


def summarize(
    entries: Iterable[data.Directive], config: HubConfig, code: str
) -> ParticipantSummary:
    """Balances of a participant's subtree and every movement of the balance held."""
    entries = list(entries)
    require_participant(entries, config, code)
    return summarize_all(entries, config)[code]


def held_balance(entries: Iterable[data.Directive], config: HubConfig, code: str) -> Decimal:
    return summarize(entries, config, code).balance


# ---------------------------------------------------------------- changing the books


def check_activity(activity: str, alias: str | None) -> str:
    activity = " ".join(activity.split())
    if not activity:
        return ""
    if not ACTIVITY_RE.match(activity):
        raise InputError(
            "invalid --activity: a short category such as 'catering' or 'couture' "
            "(letters, digits, spaces, hyphens; at most 40 characters)"
        )
    if alias and alias.strip() and alias.strip().lower() in activity.lower():
        raise InputError("invalid --activity: it must not contain the participant's alias")
    return activity


def open_entries(config: HubConfig, code: str, day: dt.date, activity: str) -> list[data.Open]:
    out = []
    for index, (role, account) in enumerate(participant_accounts(config, code).items()):
        meta: dict[str, Any] = {
            "participant": code,
            "role": role,
            "pcmn": config.accounts[role].pcmn,
        }
        if activity and role == "participant_held":
            meta["activity"] = activity
        out.append(
            data.Open(data.new_metadata("<coopledger>", index, meta), day, account, ["EUR"], None)
        )
    return out


def check_details(details: dict[str, str] | None) -> dict[str, str]:
    """The roster details of a new participant: known fields, one line each."""
    out = {}
    for key, value in (details or {}).items():
        if key not in DETAIL_FIELDS:
            raise InputError(
                f"unknown roster field {key!r} (known: alias, {', '.join(DETAIL_FIELDS)})"
            )
        text = " ".join(str(value).split())
        if text:
            out[key] = text
    return out


def add_participant(
    books: Books,
    alias: str | None = None,
    activity: str = "",
    day: dt.date | None = None,
    details: dict[str, str] | None = None,
    payee: Payee | None = None,
    today: dt.date | None = None,
) -> str:
    """Open a new participant under a fresh random code; returns the code.

    Who she is goes to the roster only; the activity, which the books keep, passes the
    roster guard (her own values included)."""
    day = booking_date(day, today)
    activity = check_activity(activity, alias)
    details = check_details(details)
    config = books.config
    own = [alias or "", *details.values()] + ([payee.iban, payee.name] if payee else [])
    TextGuard.for_books(books).with_values(own).check(activity, "--activity")
    with editing_roster(books, "participant: open a participant") as edit:
        tx = edit.tx
        known = find_participants(tx.ledger.entries, config)
        code = new_code(set(known) | set(edit.roster.participants) | set(edit.roster.purged))
        tx.message = f"participant: open {code}"
        edit.roster.participants[code] = RosterEntry(
            code=code, alias=(alias or "").strip(), details=details, added=day, payee=payee
        )
        tx.add_entries(open_entries(config, code, day, activity), kind="participants")
    return code


def close_participant(
    books: Books, code: str, day: dt.date | None = None, today: dt.date | None = None
) -> ParticipantInfo:
    """Close a participant's accounts; refused while anything is still held or owed."""
    day = booking_date(day, today)
    config = books.config
    with books.transaction(f"participant: close {code}") as tx:
        entries = tx.ledger.entries
        info = require_open_participant(entries, config, code)
        if day < info.opened:
            raise InputError(f"--date {day.isoformat()} is before the participant was opened")
        summary = summarize(entries, config, code)
        if summary.balance != ZERO:
            raise ParticipantError(
                f"participant {code} cannot be closed: the hub still holds "
                f"{summary.balance} EUR for them (pay it out first)"
            )
        if summary.owed != ZERO:
            raise ParticipantError(
                f"participant {code} cannot be closed: they still owe the hub "
                f"{summary.owed} EUR (recovered from their next client payments)"
            )
        last = _last_posting_date(entries, set(info.accounts.values()))
        if last is not None and day < last:
            raise InputError(
                f"--date {day.isoformat()} is before the participant's last entry "
                f"({last.isoformat()})"
            )
        unpaid = _unpaid_invoices(entries, config, code)
        if unpaid:
            raise ParticipantError(
                f"participant {code} cannot be closed: invoice(s) {', '.join(unpaid)} "
                "are not settled yet"
            )
        closes = []
        for index, account in enumerate(info.accounts.values()):
            meta = data.new_metadata("<coopledger>", index, {"participant": code})
            closes.append(data.Close(meta, day, account))
        tx.add_entries(closes, kind="participants")
    info.closed = day
    return info


def _last_posting_date(entries: Iterable[data.Directive], accounts: set[str]) -> dt.date | None:
    last = None
    for entry in entries:
        if isinstance(entry, data.Transaction) and any(
            p.account in accounts for p in entry.postings
        ):
            last = entry.date if last is None or entry.date > last else last
    return last


def _unpaid_invoices(entries: Iterable[data.Directive], config: HubConfig, code: str) -> list[str]:
    """Invoices of the participant whose receivable is not settled (by link)."""
    clients = config.account("clients")
    invoice_links: dict[str, str] = {}
    balances: dict[str, Decimal] = {}
    entries = list(entries)
    for entry in entries:
        if (
            isinstance(entry, data.Transaction)
            and entry.meta.get("kind") == "invoice"
            and entry.meta.get("participant") == code
        ):
            for link in entry.links or ():
                if link.startswith("inv-"):
                    invoice_links[link] = str(entry.meta.get("invoice", link[4:]))
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        for link in (entry.links or set()) & set(invoice_links):
            for posting in entry.postings:
                if posting.account == clients and posting.units and posting.units.number:
                    balances[link] = balances.get(link, ZERO) + posting.units.number
    return sorted(invoice_links[lk] for lk, bal in balances.items() if bal != ZERO)
