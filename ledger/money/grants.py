"""Grants and gifts: money from funders, and what it paid for.

``coopledger grant add FUNDER --amount G --date D`` books the grant as income of the hub
the funder granted (``grants_receivable G / Income:Subsides:<Funder> -G``; a gift goes to
``Income:Dons:<Funder>``), link ``^grant-<id>``. The money itself arrives on the bank
statement and reconciliation settles the receivable with it (by amount, the grant id in
the communication, or the funder's account), so the bank is only moved by statements.

A *restricted* grant (``--restricted``) may only pay for what it was given for: costs are
charged to it when they are booked (``expense add --grant ID``, metadata ``grant``) or
later (``grant charge ID EXP-…``, a ``custom "grant-charge"`` entry, since booked entries
are never edited), and never beyond its amount. ``grant report ID`` tells the funder what
the grant paid for.

A restricted grant is income of the year only as far as it was spent: when the year is
closed, the unspent part is deferred (``grants_income -U / deferred_income`` (493),
``kind: "grant-deferral"``, dated 31 December), and in the following years each cost
charged to the grant releases as much of it (``kind: "grant-release"``, dated at the
charge), so each year's result holds the grant exactly as far as it paid for that year's
costs (see ``docs/accounting-model.md`` for the source and what the accountant confirms).

Funders are organisations (foundations, public bodies); their identifier and name are no
personal data. A gift from a private person is booked under a neutral funder id
(e.g. ``donateur-2026-01``), never under the person's name.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data
from beancount.core.amount import Amount
from beancount.parser.grammar import ValueType

from ledger.books import Books
from ledger.config import HubConfig
from ledger.dates import booking_date
from ledger.entries import ZERO, clean_text, parse_amount, posting, transaction
from ledger.errors import InputError, typed
from ledger.i18n import _, hub_lang
from ledger.ibans import normalize_iban
from ledger.privacy.guard import PARTICIPANTS_ACCOUNT, TextGuard

FUNDER_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
KIND = "grants"


@dataclass
class Charge:
    """A cost the grant paid for."""

    date: dt.date
    expense: str
    description: str
    amount: Decimal
    participant: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "expense": self.expense,
            "description": self.description,
            "amount": str(self.amount),
            "participant": self.participant,
        }


@dataclass
class Grant:
    """A grant or gift and what it paid for."""

    id: str
    funder: str
    date: dt.date
    amount: Decimal
    account: str
    purpose: str = ""
    restricted: bool = False
    gift: bool = False
    expected: Decimal = ZERO  # still to be received
    deferred: Decimal = ZERO  # unspent part carried to the next years (493), not yet released
    released: set[str] = field(default_factory=set)  # costs whose release is booked
    charges: list[Charge] = field(default_factory=list)

    @property
    def charged(self) -> Decimal:
        return sum((c.amount for c in self.charges), Decimal("0.00"))

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.charged

    def as_json(self) -> dict[str, Any]:
        return {
            "grant": self.id,
            "funder": self.funder,
            "kind": "gift" if self.gift else "grant",
            "date": self.date.isoformat(),
            "purpose": self.purpose,
            "restricted": self.restricted,
            "currency": "EUR",
            "amount": str(self.amount),
            "received": str(self.amount - self.expected),
            "charged": str(self.charged),
            "remaining": str(self.remaining),
            "deferred": str(self.deferred),
            "account": self.account,
            "costs": [c.as_json() for c in self.charges],
        }


def funder_account(config: HubConfig, funder: str, gift: bool) -> str:
    """``Income:Subsides:Fondation-exemple`` for funder ``fondation-exemple``."""
    base = config.account("gifts" if gift else "grants")
    return f"{base}:{funder[0].upper()}{funder[1:]}"


def grants(entries: list[data.Directive], config: HubConfig) -> dict[str, Grant]:
    """Every grant in the books with what was charged to it."""
    found: dict[str, Grant] = {}
    expenses: dict[str, data.Transaction] = {}
    receivable = config.account("grants_receivable")
    deferred = config.account("deferred_income")
    for entry in entries:
        if isinstance(entry, data.Transaction):
            kind = entry.meta.get("kind")
            if kind == "grant" and entry.meta.get("grant"):
                gid = str(entry.meta["grant"])
                found[gid] = Grant(
                    id=gid,
                    funder=str(entry.meta.get("funder", "")),
                    date=entry.date,
                    amount=Decimal(str(entry.meta.get("amount", "0"))),
                    account=next(
                        (p.account for p in entry.postings if p.account.startswith("Income:")),
                        "",
                    ),
                    purpose=str(entry.meta.get("purpose", "") or ""),
                    restricted=bool(entry.meta.get("restricted", False)),
                    gift=bool(entry.meta.get("gift", False)),
                )
            elif kind == "expense":
                expenses[str(entry.meta.get("expense", ""))] = entry
            for p in entry.postings:
                if p.account in (receivable, deferred) and p.units is not None and p.units.number:
                    for link in entry.links or ():
                        if link.startswith("grant-") and link[6:] in found:
                            grant = found[link[6:]]
                            if p.account == receivable:
                                grant.expected += p.units.number
                            else:
                                grant.deferred -= p.units.number
            if kind == "grant-release" and str(entry.meta.get("grant", "")) in found:
                found[str(entry.meta["grant"])].released.add(str(entry.meta.get("expense", "")))
    for exp_id, cost in expenses.items():
        ref = str(cost.meta.get("grant", "") or "")
        if ref in found:
            found[ref].charges.append(_charge(cost, exp_id, expense_amount(cost, config)))
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.type == "grant-charge":
            gid, exp_id = str(entry.values[0].value), str(entry.values[1].value)
            amount = entry.values[2].value.number
            if gid in found and exp_id in expenses:
                charge = _charge(expenses[exp_id], exp_id, amount)
                charge.date = entry.date
                found[gid].charges.append(charge)
    for grant in found.values():
        grant.charges.sort(key=lambda c: (c.date, c.expense))
    return found


def expense_amount(entry: data.Transaction, config: HubConfig) -> Decimal:
    """The cost of an expense entry (the amount less recoverable VAT)."""
    amount = Decimal(str(entry.meta.get("amount", "0")))
    vat = config.account("vat_recoverable")
    for p in entry.postings:
        if p.account == vat and p.units is not None and p.units.number:
            amount -= p.units.number
    return amount


def _charge(entry: data.Transaction, exp_id: str, amount: Decimal) -> Charge:
    narration = entry.narration or ""
    description = narration.split(": ", 1)[1] if ": " in narration else narration
    return Charge(
        date=entry.date,
        expense=exp_id,
        description=description,
        amount=amount,
        participant=entry.meta.get("participant"),
    )


def release_entries(
    entries: list[data.Directive], config: HubConfig, grant_id: str, amount: Decimal,
    day: dt.date, expense_id: str,
) -> list[data.Transaction]:  # fmt: skip
    """The release of a restricted grant's deferred part by a cost charged to it (none when
    nothing of it is deferred)."""
    grant = grants(entries, config).get(grant_id)
    if grant is None or grant.deferred <= 0 or amount <= 0:
        return []
    return [_release(config, grant, min(amount, grant.deferred), day, expense_id)]


def _release(
    config: HubConfig, grant: Grant, amount: Decimal, day: dt.date, expense_id: str
) -> data.Transaction:
    meta = {"kind": "grant-release", "grant": grant.id, "expense": expense_id, "amount": amount}
    return transaction(
        day,
        _(
            "Grant {grant}: {amount} EUR of its deferred part released, spent on {expense_id}",
            grant=grant.id,
            amount=amount,
            expense_id=expense_id,
        ).shown(hub_lang(config.invoicing.default_lang)),
        [posting(config.account("deferred_income"), amount), posting(grant.account, -amount)],
        meta,
        {f"grant-{grant.id}"},
    )


def year_end_entries(
    entries: list[data.Directive], config: HubConfig, year: int
) -> list[data.Transaction]:
    """What closing ``year`` books for restricted grants: the unspent part deferred on
    31 December (or released, if more was deferred than is unspent), and the release of the
    costs charged to them since, in the next year, that no release covers yet."""
    end = dt.date(year, 12, 31)
    until_end = [e for e in entries if e.date <= end]
    out: list[data.Transaction] = []
    for grant in grants(until_end, config).values():
        if not grant.restricted or grant.gift:
            continue
        unspent = max(grant.remaining, ZERO)
        change = unspent - grant.deferred
        if change > 0:
            meta = {"kind": "grant-deferral", "grant": grant.id, "amount": change,
                    "year": str(year)}  # fmt: skip
            out.append(
                transaction(
                    end,
                    _("Grant {grant}: {change} EUR not spent in {year}, deferred to the "
                      "next years", grant=grant.id, change=change, year=year).shown(
                        hub_lang(config.invoicing.default_lang)),
                    [posting(grant.account, change),
                     posting(config.account("deferred_income"), -change)],
                    meta,
                    {f"grant-{grant.id}"},
                )
            )  # fmt: skip
        elif change < 0:
            out.append(_release(config, grant, -change, end, f"year-end {year}"))
    deferred_now = {g.id: g.deferred for g in grants(entries, config).values()}
    for entry in out:
        gid = str(entry.meta["grant"])
        sign = 1 if entry.meta["kind"] == "grant-deferral" else -1
        deferred_now[gid] = deferred_now.get(gid, ZERO) + sign * entry.meta["amount"]
    for grant in grants(entries, config).values():
        for charge in grant.charges:
            if charge.date <= end or charge.expense in grant.released:
                continue
            left = deferred_now.get(grant.id, ZERO)
            if left <= 0:
                break
            amount = min(charge.amount, left)
            out.append(_release(config, grant, amount, charge.date, charge.expense))
            deferred_now[grant.id] = left - amount
    return out


def require_grant(entries: list[data.Directive], grant_id: str) -> None:
    """A clear error unless a grant with this id was booked."""
    for entry in entries:
        if (
            isinstance(entry, data.Transaction)
            and entry.meta.get("kind") == "grant"
            and entry.meta.get("grant") == grant_id
        ):
            return
    raise InputError(
        _(
            "no grant {grant_id} in the books (see 'coopledger grant list')",
            grant_id=typed(grant_id),
        )
    )


def grant_entry(
    config: HubConfig, gid: str, funder: str, amount: Decimal, day: dt.date,
    purpose: str = "", restricted: bool = False, gift: bool = False, iban: str | None = None,
) -> data.Transaction:  # fmt: skip
    """The grant (or gift) as income of the hub, receivable until its money arrives."""
    meta: dict[str, Any] = {
        "kind": "grant",
        "grant": gid,
        "funder": funder,
        "amount": amount,
        "purpose": purpose or None,
        "restricted": True if restricted else None,
        "gift": True if gift else None,
        "funder-iban": iban,
    }
    lang = hub_lang(config.invoicing.default_lang)
    what = _("Gift") if gift else _("Grant")
    narration = _("{what} {gid} from {funder}", what=what, gid=gid, funder=funder).shown(lang) + (
        _(": {purpose}", purpose=purpose).shown(lang) if purpose else ""
    )
    return transaction(
        day,
        narration,
        [
            posting(config.account("grants_receivable"), amount),
            posting(funder_account(config, funder, gift), -amount),
        ],
        meta,
        {f"grant-{gid}"},
    )


def add_grant(
    books: Books, funder: str, amount_text: str, day: dt.date | None = None,
    purpose: str | None = None, restricted: bool = False, gift: bool = False,
    funder_iban: str | None = None, today: dt.date | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Book a grant (or gift) as income, receivable until the bank shows it."""
    config = books.config
    day = booking_date(day, today)
    funder = funder.strip().lower()
    if not FUNDER_RE.match(funder):
        raise InputError(
            _("invalid FUNDER_ID: lower-case letters, digits and hyphens (e.g. fondation-exemple)")
        )
    amount = parse_amount(amount_text)
    purpose = clean_text(purpose, "--purpose", 200)
    # Both become account names, narrations and commit messages: never a person's name.
    guard = TextGuard.for_books(books)
    guard.check_all([(funder, "FUNDER_ID"), (purpose, "--purpose")])
    iban = None
    if funder_iban:
        try:
            iban = normalize_iban(funder_iban)
        except ValueError as exc:
            raise InputError(_("--funder-iban: {exc}", exc=exc)) from None
        # kept in the books to match the funder's transfer: an organisation's, never hers
        guard.check_roster_only(iban, "--funder-iban", PARTICIPANTS_ACCOUNT)
    account = funder_account(config, funder, gift)
    with books.transaction("grant: add") as tx:
        entries = tx.ledger.entries
        known = grants(entries, config)
        gid = f"{funder}-{day.year}"
        n = 1
        while gid in known:
            n += 1
            gid = f"{funder}-{day.year}-{n}"
        new: list[data.Directive] = []
        opened = [e for e in entries if isinstance(e, data.Open) and e.account == account]
        if not opened:
            meta = {"role": "gift" if gift else "grant", "pcmn": "73", "funder": funder}
            tx.add_entries(
                [data.Open(data.new_metadata("<coopledger>", 0, meta), day, account, ["EUR"],
                           None)],
                kind="accounts",
            )  # fmt: skip
        elif opened[0].date > day:
            raise InputError(
                _(
                    "--date is before {account} was opened ({date})",
                    account=account,
                    date=opened[0].date,
                )
            )
        new.append(grant_entry(config, gid, funder, amount, day, purpose, restricted, gift, iban))
        tx.add_entries(new, kind=KIND)
        tx.message = f"grant: {gid}"
    return {"grant": gid, "funder": funder, "amount": amount, "date": day, "account": account}


def charge_grant(
    books: Books, grant_id: str, expense_id: str, amount_text: str | None = None,
    day: dt.date | None = None, today: dt.date | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Charge (part of) an already booked cost to a grant."""
    config = books.config
    day = booking_date(day, today)
    with books.transaction(f"grant: charge {expense_id} to {grant_id}") as tx:
        entries = tx.ledger.entries
        known = grants(entries, config)
        grant = known.get(grant_id)
        if grant is None:
            raise InputError(
                _(
                    "no grant {grant_id} in the books (see 'coopledger grant list')",
                    grant_id=typed(grant_id),
                )
            )
        expense = next(
            (
                e for e in entries
                if isinstance(e, data.Transaction) and e.meta.get("kind") == "expense"
                and e.meta.get("expense") == expense_id
            ),
            None,
        )  # fmt: skip
        if expense is None:
            raise InputError(_("no cost {expense_id} in the books", expense_id=expense_id))
        if expense.meta.get("participant") and not expense.meta.get("grant"):
            raise InputError(
                _(
                    "{expense_id} was charged to the participant's balance; book the cost "
                    "with --grant instead",
                    expense_id=expense_id,
                )
            )
        cost = expense_amount(expense, config)
        already = sum(
            (c.amount for g in known.values() for c in g.charges if c.expense == expense_id),
            ZERO,
        )
        amount = parse_amount(amount_text) if amount_text else cost - already
        if amount <= 0 or already + amount > cost:
            raise InputError(
                _(
                    "{expense_id}: {already} of its {cost} EUR is already charged to grants",
                    expense_id=expense_id,
                    already=already,
                    cost=cost,
                )
            )
        if grant.restricted and amount > grant.remaining:
            raise InputError(
                _(
                    "grant {grant_id} is restricted and has {remaining} EUR left, "
                    "not {amount} EUR",
                    grant_id=grant_id,
                    remaining=grant.remaining,
                    amount=amount,
                )
            )
        if day < expense.date:
            raise InputError(_("--date is before the cost was booked"))
        releases = release_entries(entries, config, grant_id, amount, day, expense_id)
        meta = data.new_metadata("<coopledger>", 0, {"kind": "grant-charge"})
        custom = data.Custom(
            meta,
            day,
            "grant-charge",
            [
                ValueType(grant_id, str),
                ValueType(expense_id, str),
                ValueType(Amount(amount, "EUR"), Amount),
            ],
        )
        tx.add_entries([custom, *releases], kind=KIND)
    return {"grant": grant_id, "expense": expense_id, "amount": amount, "date": day}


def report(entries: list[data.Directive], config: HubConfig, grant_id: str) -> Grant:
    """What a grant paid for (a clear error if there is no such grant)."""
    found = grants(entries, config).get(grant_id)
    if found is None:
        raise InputError(
            _(
                "no grant {grant_id} in the books (see 'coopledger grant list')",
                grant_id=typed(grant_id),
            )
        )
    return found
