"""The annual accounts of the hub (``coopledger report annual-accounts``).

What Belgian law asks of an association, as researched in ``docs/annual-accounts.md``: a
small ASBL (CSA art. 3:47 §2) may keep simplified accounts and file the **simplified
model** — the statement of receipts and expenses and the annex with the statement of
assets and debts — at the registry of the enterprise court; an ASBL keeping double entry
files a **micro or abridged association model** — balance sheet, income statement, annex.
The books are double entry either way, so the report gives both, from the same books, and
says which model the hub declared in ``hub.toml`` (``[annual_accounts] model``).

Every rubric is traced to PCMN ranges (:mod:`reports.rubrics`) and every account of the
books to its rubric (the *traceability* part). The report checks, and refuses to print if
any fails, naming the accounts:

* the result identity of the accounting model — the hub's result = contributions + its own
  income − its own costs, each participant's subtree netting to zero apart from the costs a
  grant pays for her activity;
* the balance sheet balances (assets = liabilities + the year's result);
* the cash-basis statement reconciles: liquid assets at the start + opening balances
  entered + receipts − expenses = liquid assets at the end.

Participants' activity is booked gross (the hub invoices in its own name): turnover (70)
holds their sales, 74 their contributions, and 613 their share *before* the contribution,
so 74 and 613 are both higher by the contributions. The income statement shows, beside
the figures as booked, a column with the participants' share net of the contributions (and
no contribution income): same result, honest gross lines (``docs/annual-accounts.md`` Q10).

An unclosed year is allowed (the board prepares the accounts before the assembly) and
marked *provisional* on every page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd
from beancount.core import data

from ledger.errors import InputError
from ledger.i18n import _
from reports import rubrics as rb
from reports.common import enterprise_text, money_text
from reports.frame import BALANCE_SHEET_ROOTS, LIQUID_RANGES, ZERO, Frames, dsum, pcmn_in
from reports.i18n import t
from reports.model import Column, Header, Paragraph, Part, Report, RowStyle, Table, row
from reports.period import Period
from reports.sources import Grant, all_grants
from reports.trial_balance import account_balances

# A participant's accounts that only move money between the hub and her within an entry:
# they are not what a money movement was for (see cash_flows).
TRANSIT_RANGES = ("58",)  # transfers between the hub's money accounts, under way
INTERNAL_ROLES = frozenset(
    {
        "participant_held",
        "participant_pending",
        "participant_owed",
        "participant_share",
        "participant_contribution",
    }
)
# Size criteria (docs/annual-accounts.md §1.1; amounts from 1 January 2024).
SIMPLIFIED_LIMITS = {
    "fte": Decimal(5),
    "receipts": Decimal(391000),
    "assets": Decimal(1562000),
    "debts": Decimal(1562000),
}
MICRO_LIMITS = {"fte": Decimal(10), "turnover": Decimal(900000), "total": Decimal(450000)}
SMALL_LIMITS = {"fte": Decimal(50), "turnover": Decimal(11250000), "total": Decimal(6000000)}


@dataclass
class Line:
    """A rubric's amount and the accounts it holds."""

    key: str
    code: str
    amount: Decimal = ZERO
    accounts: dict[str, Decimal] = field(default_factory=dict)

    def add(self, account: str, amount: Decimal) -> None:
        self.amount += amount
        self.accounts[account] = self.accounts.get(account, ZERO) + amount


@dataclass
class Identity:
    contributions: Decimal
    contributions_meta: Decimal  # the same, from the entries' ``contribution`` metadata
    own_income: Decimal
    own_costs: Decimal
    grant_paid_costs: Decimal  # participants' activity costs a grant paid (the hub's own)
    result: Decimal  # the books' result: income − charges of every account

    @property
    def computed(self) -> Decimal:
        return self.contributions + self.own_income - self.own_costs - self.grant_paid_costs


@dataclass
class Annual:
    """Every figure of the annual accounts of one period."""

    period: Period
    model: str
    provisional: bool
    balances: pd.DataFrame
    assets: dict[str, Line]
    liabilities: dict[str, Line]
    income: dict[str, Line]
    result: Decimal
    contributions: Decimal
    participants_share: Decimal
    participants_costs: Decimal
    identity: Identity
    flows: pd.DataFrame  # the cash-basis movements
    liquid_opening: Decimal
    liquid_closing: Decimal
    transfers_under_way: Decimal  # money that left one account of the hub, not yet the other
    patrimoine: dict[str, Line]
    grants: list[Grant]
    held: Decimal
    held_participants: int
    pending_share: Decimal
    owed_by_participants: Decimal
    payouts_in_transit: Decimal
    refunds_due: Decimal
    deferred_grants: Decimal
    restricted_funds: Decimal
    restricted_moved: Decimal
    grants_receivable: Decimal
    size: dict[str, dict[str, Any]]
    rights: list[str] = field(default_factory=list)  # hub.toml: significant rights, commitments

    def receipts(self, key: str | None = None) -> Decimal:
        f = self.flows[self.flows["rubric"].str.startswith("re.")]
        return dsum(f[f["rubric"] == key]["amount"] if key else f["amount"])

    def expenses(self, key: str | None = None) -> Decimal:
        f = self.flows[self.flows["rubric"].str.startswith("ex.")]
        return dsum(f[f["rubric"] == key]["amount"] if key else f["amount"])

    def opening_entered(self) -> Decimal:
        return dsum(self.flows[self.flows["rubric"] == "opening"]["amount"])

    def total(self, side: dict[str, Line]) -> Decimal:
        return sum((line.amount for line in side.values()), ZERO)


# ---------------------------------------------------------------- computing


def _role_sum(frame: pd.DataFrame, roles: set[str] | frozenset[str]) -> Decimal:
    return dsum(frame[frame["role"].isin(roles)]["amount"])


def compute(frames: Frames, period: Period) -> Annual:
    """Every figure, checked (an :class:`InputError` naming the accounts otherwise)."""
    cfg = frames.config
    balances = account_balances(frames, period)
    during = frames.between(period.start, period.end)
    until = frames.until(period.end)
    unmapped = []
    assets = {r.key: Line(r.key, r.code) for r in rb.BALANCE_SHEET if r.side == "assets"}
    liabilities = {r.key: Line(r.key, r.code) for r in rb.BALANCE_SHEET if r.side == "liabilities"}
    income = {r.key: Line(r.key, r.code) for r in rb.INCOME_STATEMENT}
    patrimoine = {r.key: Line(r.key, r.code) for r in rb.ASSETS_AND_DEBTS}
    result = ZERO
    for acc in balances.itertuples(index=False):
        root = acc.account.split(":", 1)[0]
        if root in BALANCE_SHEET_ROOTS:
            if acc.closing == 0:
                continue
            rubric = rb.balance_rubric(acc.pcmn)
            if rubric is None:
                unmapped.append(f"{acc.account} (PCMN {acc.pcmn or '?'})")
                continue
            if rubric.side == "assets":
                assets[rubric.key].add(acc.account, acc.closing)
            else:
                liabilities[rubric.key].add(acc.account, -acc.closing)
            pat = rb.patrimoine_rubric(acc.pcmn, 1 if acc.closing > 0 else -1)
            if pat is not None:
                patrimoine[pat.key].add(
                    acc.account, acc.closing if pat.side == "assets" else -acc.closing
                )
        else:
            movement = acc.closing
            result -= movement
            rubric = rb.income_rubric(acc.pcmn)
            if rubric is None:
                if movement:
                    unmapped.append(f"{acc.account} (PCMN {acc.pcmn or '?'})")
                continue
            income[rubric.key].add(acc.account, -movement if rubric.side == "income" else movement)
    if unmapped:
        accounts = ", ".join(unmapped[:3])
        raise InputError(
            _("annual accounts: no rubric for {accounts} and {more} more: give the account a "
              "PCMN code in its open entry (pcmn metadata)", accounts=accounts,
              more=len(unmapped) - 3)
            if len(unmapped) > 3
            else _("annual accounts: no rubric for {accounts}: give the account a PCMN code in "
                   "its open entry (pcmn metadata)", accounts=accounts)
        )  # fmt: skip
    identity = _identity(during, _contributions_meta(frames, period))
    _check_identity(identity, during)
    # Balance sheet: assets = liabilities (funds, debts) + the year's result.
    total_assets = sum((line.amount for line in assets.values()), ZERO)
    total_liabilities = sum((line.amount for line in liabilities.values()), ZERO)
    if total_assets != total_liabilities + result:
        raise InputError(
            _(
                "annual accounts: the balance sheet does not balance (assets {total_assets}, "
                "liabilities {total_liabilities}, result {result})",
                total_assets=total_assets,
                total_liabilities=total_liabilities,
                result=result,
            )
        )
    flows = cash_flows(frames, period)
    before = frames.before(period.start)
    liquid_opening = dsum(before[before["money"]]["amount"])
    liquid_closing = dsum(until[until["money"]]["amount"])
    transit = during[during["pcmn"].map(lambda c: pcmn_in(str(c), TRANSIT_RANGES))]
    in_transit = -dsum(transit["amount"])
    receipts = dsum(flows[flows["rubric"].str.startswith("re.")]["amount"])
    expenses = dsum(flows[flows["rubric"].str.startswith("ex.")]["amount"])
    opening_entered = dsum(flows[flows["rubric"] == "opening"]["amount"])
    if liquid_opening + opening_entered + receipts - expenses + in_transit != liquid_closing:
        raise InputError(
            _(
                "annual accounts: receipts {receipts} and expenses {expenses} do not reconcile "
                "the liquid assets ({liquid_opening} → {liquid_closing})",
                receipts=receipts,
                expenses=expenses,
                liquid_opening=liquid_opening,
                liquid_closing=liquid_closing,
            )
        )
    grants_found = [
        g
        for g in all_grants([e for e in frames.entries if e.date <= period.end], cfg).values()
        if g.date <= period.end and (g.date >= period.start or g.remaining or g.deferred)
    ]
    held_rows = until[until["role"] == "participant_held"]
    held_by = held_rows.groupby("participant")["amount"].agg(dsum) if len(held_rows) else {}
    restricted = until[until["role"] == "restricted_funds"]
    annual = Annual(
        period=period,
        model=cfg.annual_accounts.model,
        provisional=any(
            not frames.is_closed(y) for y in range(period.start.year, period.end.year + 1)
        ),
        balances=balances,
        assets=assets,
        liabilities=liabilities,
        income=income,
        result=result,
        contributions=identity.contributions,
        participants_share=_role_sum(during, {"participant_share"}),
        participants_costs=_role_sum(during, {"participant_costs"}),
        identity=identity,
        flows=flows,
        liquid_opening=liquid_opening,
        liquid_closing=liquid_closing,
        transfers_under_way=in_transit,
        patrimoine=patrimoine,
        grants=grants_found,
        held=-dsum(held_rows["amount"]),
        held_participants=sum(1 for v in dict(held_by).values() if v != 0),
        pending_share=-_role_sum(until, {"participant_pending"}),
        owed_by_participants=_role_sum(until, {"participant_owed"}),
        payouts_in_transit=-_role_sum(until, {"payouts_pending"}),
        refunds_due=-_role_sum(until, {"refunds_due"}),
        deferred_grants=-_role_sum(until, {"deferred_income"}),
        restricted_funds=-dsum(restricted["amount"]),
        restricted_moved=-dsum(during[during["role"] == "restricted_funds"]["amount"]),
        grants_receivable=_role_sum(until, {"grants_receivable"}),
        size={},
        rights=list(cfg.annual_accounts.rights_and_commitments),
    )
    annual.size = size_criteria(frames, annual)
    return annual


def _contributions_meta(frames: Frames, period: Period) -> Decimal:
    """The contributions the entries' own metadata record (``contribution`` of each
    allocation, credit reversal and cash sale): a second count of the same figure."""
    total = ZERO
    for entry in frames.entries:
        if (
            isinstance(entry, data.Transaction)
            and period.start <= entry.date <= period.end
            and entry.meta.get("kind") in ("payment", "credit-reversal", "cash-sale")
            and entry.meta.get("contribution") is not None
        ):
            total += Decimal(str(entry.meta["contribution"]))
    return total


def _identity(during: pd.DataFrame, contributions_meta: Decimal) -> Identity:
    roles = during["role"]
    participant = roles.str.startswith("participant_")
    pnl = during["root"].isin(("Income", "Expenses"))
    contributions = -dsum(during[roles == "participant_contribution"]["amount"])
    own = during[pnl & ~participant]
    own_income = -dsum(own[own["root"] == "Income"]["amount"])
    own_costs = dsum(own[own["root"] == "Expenses"]["amount"])
    costs = during[(roles == "participant_costs") & (during["grant"] != "")]
    grant_paid = dsum(costs[costs["kind"] == "expense"]["amount"])
    return Identity(
        contributions=contributions,
        contributions_meta=contributions_meta,
        own_income=own_income,
        own_costs=own_costs,
        grant_paid_costs=grant_paid,
        result=-dsum(during[pnl]["amount"]),
    )


def _check_identity(identity: Identity, during: pd.DataFrame) -> None:
    if identity.computed == identity.result:
        return
    roles = ("participant_sales", "participant_share", "participant_costs")
    subtree = during[during["role"].isin(roles)]
    grant_costs = subtree[
        (subtree["role"] == "participant_costs")
        & (subtree["grant"] != "")
        & (subtree["kind"] == "expense")
    ]
    wrong = []
    for code, group in subtree.groupby("participant"):
        net = dsum(group["amount"]) - dsum(
            grant_costs[grant_costs["participant"] == code]["amount"]
        )
        if net != 0:
            wrong.append(f"{code} ({', '.join(sorted(set(group['account'])))}: {net})")
    raise InputError(
        _(
            "annual accounts: the result identity fails: contributions + own income − own costs "
            "= {computed}, the books' result = {result}; participants' "
            "subtrees that do not net to zero: {subtrees}",
            computed=identity.computed,
            result=identity.result,
            subtrees="; ".join(wrong) or _("none found"),
        )
    )


Leg = tuple[str, str, str, Decimal]  # (pcmn, role, account, amount)
VAT_ROLES = frozenset({"vat_payable", "vat_recoverable"})


def cash_flows(frames: Frames, period: Period) -> pd.DataFrame:
    """The period's money movements (bank and cash, 54/58), each classified by what it was
    for into the rubrics of the statement of receipts and expenses.

    What a movement was for is the entry's counter-leg, followed through the accounts that
    only wait: a bank line booked to the suspense account (499) is what the settlements of
    that line (same ``bank-…`` link) booked it to, a payment to a supplier (44) is what the
    cost it settles (same ``exp-…`` link) was for, pro rata. The VAT of a sale or a
    purchase goes with it (the statement counts receipts and expenses VAT included); VAT
    paid to or refunded by the State is a line of its own. Transfers between the hub's own
    money accounts are neither receipts nor expenses. ``amount`` is positive for a receipt
    in a receipts rubric and for an expense in an expenses rubric (a returned payment is a
    negative receipt)."""
    during = frames.between(period.start, period.end)
    settled = _settlement_legs(frames)
    costs = _expense_legs(frames)
    rows = []
    for entry, group in _by_entry(during):
        money = [g for g in group if g.money]
        others = [g for g in group if not g.money]
        if not money or not others:
            continue  # no money moved, or only between the hub's own money accounts
        cash = dsum(g.amount for g in money)
        legs = [g for g in others if g.role not in INTERNAL_ROLES]
        if dsum(g.amount for g in legs) != -cash:
            legs = others  # a payout: the participant's money is what it was for
        first = group[0]
        links = str(first.links).split()
        resolved: list[Leg] = []
        for leg in legs:
            resolved += _follow(
                (leg.pcmn, leg.role, leg.account, leg.amount), links, settled, costs
            )
        for pcmn, role, account, amount in _with_vat(resolved):
            if pcmn_in(pcmn, LIQUID_RANGES):
                continue  # a transfer between the hub's own money accounts (58)
            rubric, sub = rb.cash_rubric(pcmn, role, amount < 0)
            value = amount if rubric.startswith("ex.") else -amount
            rows.append((entry, first.date, rubric, sub, pcmn, account, value, first.piece))
    out = pd.DataFrame.from_records(
        rows, columns=["entry", "date", "rubric", "sub", "pcmn", "account", "amount", "piece"]
    )
    return out.astype({"amount": object})


def _by_entry(postings: pd.DataFrame) -> list[tuple[int, list[Any]]]:
    """The postings grouped by entry (in entry order), as plain named tuples: a loop over
    entries in Python is far cheaper than one pandas selection per entry."""
    grouped: dict[int, list[Any]] = defaultdict(list)
    for posting in postings.itertuples(index=False):
        grouped[int(posting.entry)].append(posting)
    return sorted(grouped.items())


def _settlement_legs(frames: Frames) -> dict[str, list[tuple[Leg, list[str]]]]:
    """For each ``bank-…`` link, where the settlements took its line out of suspense: the
    non-suspense legs of the entries that move the suspense account without moving money."""
    suspense = frames.config.account("suspense")
    p = frames.postings
    out: dict[str, list[tuple[Leg, list[str]]]] = defaultdict(list)
    touching = set(p[p["account"] == suspense]["entry"]) - set(p[p["kind"] == "bank"]["entry"])
    for _entry, group in _by_entry(p[p["entry"].isin(touching)]):
        links = str(group[0].links).split()
        lines = [lk for lk in links if lk.startswith("bank-")]
        if len(lines) != 1:
            continue
        for leg in group:
            if leg.account != suspense and leg.role not in INTERNAL_ROLES:
                out[lines[0]].append(((leg.pcmn, leg.role, leg.account, leg.amount), links))
    return out


def _expense_legs(frames: Frames) -> dict[str, list[Leg]]:
    """For each ``exp-…`` link, what the cost was for (its charge and VAT postings)."""
    costs = frames.postings[frames.postings["kind"] == "expense"]
    out: dict[str, list[Leg]] = defaultdict(list)
    for leg in costs.itertuples(index=False):
        if leg.role in INTERNAL_ROLES or not (
            leg.root == "Expenses" or leg.role == "vat_recoverable"
        ):
            continue
        for link in str(leg.links).split():
            if link.startswith("exp-"):
                out[link].append((leg.pcmn, leg.role, leg.account, leg.amount))
    return out


def _pro_rata(amount: Decimal, parts: list[Leg]) -> list[Leg]:
    """``amount`` spread over ``parts`` in proportion (cents; the last takes the rest)."""
    total = sum((p[3] for p in parts), ZERO)
    out, left = [], amount
    for index, (pcmn, role, account, value) in enumerate(parts):
        share = (
            left if index == len(parts) - 1 else (amount * value / total).quantize(Decimal("0.01"))
        )
        left -= share
        out.append((pcmn, role, account, share))
    return out


def _follow(
    leg: Leg,
    links: list[str],
    settled: dict[str, list[tuple[Leg, list[str]]]],
    costs: dict[str, list[Leg]],
) -> list[Leg]:
    """A waiting leg (suspense, supplier) replaced by what it waited for; what is still
    waiting in suspense stays a line of its own ("not yet explained")."""
    pcmn, role, account, amount = leg
    if pcmn.startswith(rb.SUSPENSE):
        parts = [
            part for link in links if link.startswith("bank-") for part in settled.get(link, ())
        ]
        out: list[Leg] = []
        for part, part_links in parts:
            out += _follow(part, part_links, {}, costs)
        explained = sum((part[0][3] for part in parts), ZERO)
        if amount != explained:
            out.append((pcmn, role, account, amount - explained))
        return out
    if pcmn.startswith("44"):
        charges: list[Leg] = [
            c for link in links if link.startswith("exp-") for c in costs.get(link, [])
        ]
        if charges and sum((c[3] for c in charges), ZERO) != 0:
            return _pro_rata(amount, charges)
    return [leg]


def _with_vat(legs: list[Leg]) -> list[Leg]:
    """VAT legs joined to the sale or purchase they belong to (the largest other leg)."""
    vat = [leg for leg in legs if leg[1] in VAT_ROLES]
    other = [leg for leg in legs if leg[1] not in VAT_ROLES]
    if not vat or not other:
        return legs
    main = max(other, key=lambda leg: abs(leg[3]))
    return [*other, *((main[0], main[1], main[2], leg[3]) for leg in vat)]


def size_criteria(frames: Frames, annual: Annual) -> dict[str, dict[str, Any]]:
    """The figures the size tests use, against the limits (docs/annual-accounts.md §1.1)."""
    fte = frames.config.annual_accounts.average_fte
    receipts = annual.receipts()
    assets = annual.total(annual.assets)
    debts = sum((annual.liabilities[k].amount for k in ("bs.17", *rb.WITHIN_ONE_YEAR)), ZERO)
    turnover = annual.income["is.70"].amount

    def exceeded(values: dict[str, Decimal], limits: dict[str, Decimal]) -> int:
        return sum(1 for k, limit in limits.items() if values[k] > limit)

    values = {
        "fte": fte,
        "receipts": receipts,
        "assets": assets,
        "debts": debts,
        "turnover": turnover,
        "total": assets,
    }
    return {
        "figures": {k: str(v) for k, v in values.items()},
        "simplified": {
            "limits": {k: str(v) for k, v in SIMPLIFIED_LIMITS.items()},
            "exceeded": exceeded(values, SIMPLIFIED_LIMITS),
        },
        "micro": {
            "limits": {k: str(v) for k, v in MICRO_LIMITS.items()},
            "exceeded": exceeded(values, MICRO_LIMITS),
        },
        "small": {
            "limits": {k: str(v) for k, v in SMALL_LIMITS.items()},
            "exceeded": exceeded(values, SMALL_LIMITS),
        },
    }


# ---------------------------------------------------------------- the report


def _money_table(lang: str, rows: list[dict[str, Any]], with_net: bool = False) -> Table:
    cols = [
        Column("code", t(lang, "col.code"), width=0.6),
        Column("label", t(lang, "col.rubric"), width=3.4),
        Column("ranges", t(lang, "col.pcmn_ranges"), width=1.1),
        Column("amount", t(lang, "col.amount"), "money", width=1.0),
    ]
    if with_net:
        cols.append(Column("net", t(lang, "col.net_of_contributions"), "money", width=1.5))
    return Table(cols, rows)


def _ranges(rubric: rb.Rubric) -> str:
    return ", ".join(rubric.ranges) or "—"


def _balance_sheet_part(a: Annual, lang: str) -> Part:
    rows: list[dict[str, Any]] = [row("head", label=t(lang, "bs.assets"))]
    for r in rb.BALANCE_SHEET:
        if r.side == "assets":
            rows.append(
                row(
                    code=r.code,
                    label=t(lang, r.key),
                    ranges=_ranges(r),
                    amount=a.assets[r.key].amount,
                )
            )
    rows.append(row("total", label=t(lang, "bs.total_assets"), amount=a.total(a.assets)))
    rows.append(row("head", label=t(lang, "bs.liabilities")))
    for r in rb.BALANCE_SHEET:
        if r.side != "liabilities":
            continue
        if r.key == "bs.42":
            within = sum((a.liabilities[k].amount for k in rb.WITHIN_ONE_YEAR), ZERO)
            rows.append(
                row("bold", code="42/48", label=t(lang, "bs.42_48"), ranges="42-48", amount=within)
            )
        style: RowStyle = "sub" if r.key in rb.WITHIN_ONE_YEAR else ""
        rows.append(
            row(
                style,
                code=r.code,
                label=t(lang, r.key),
                ranges=_ranges(r),
                amount=a.liabilities[r.key].amount,
            )
        )
    rows.append(row(code="9905", label=t(lang, "bs.result_year"), ranges="6, 7", amount=a.result))
    rows.append(
        row(
            "total",
            label=t(lang, "bs.total_liabilities"),
            amount=a.total(a.liabilities) + a.result,
        )
    )
    part = Part("balance-sheet", t(lang, "part.balance_sheet")).add(_money_table(lang, rows))
    part.add(
        Paragraph(
            t(lang, "bs.note_held", held=money_text(a.held, lang), n=a.held_participants), "note"
        )
    )
    return part


def _income_part(a: Annual, lang: str) -> Part:
    c = a.contributions
    rows: list[dict[str, Any]] = []

    def add(key: str, style: RowStyle = "", net: Decimal | None = None) -> None:
        r = next(x for x in rb.INCOME_STATEMENT if x.key == key)
        amount = a.income[key].amount
        rows.append(
            row(
                style,
                code=r.code,
                label=t(lang, key),
                ranges=_ranges(r),
                amount=amount,
                net=amount if net is None else net,
            )
        )

    rows.append(row("head", label=t(lang, "is.operating_income")))
    for key in ("is.70", "is.73"):
        add(key)
    add("is.74", net=a.income["is.74"].amount - c)
    rows.append(row("sub", label=t(lang, "is.74_contributions"), amount=c, net=ZERO))
    add("is.76A")
    income_total = sum((a.income[k].amount for k in ("is.70", "is.73", "is.74", "is.76A")), ZERO)
    rows.append(
        row(
            "bold",
            label=t(lang, "is.total_operating_income"),
            amount=income_total,
            net=income_total - c,
        )
    )
    rows.append(row("head", label=t(lang, "is.operating_charges")))
    add("is.60")
    add("is.61", net=a.income["is.61"].amount - c)
    rows.append(
        row(
            "sub",
            label=t(lang, "is.613_share"),
            ranges="613",
            amount=a.participants_share,
            net=a.participants_share - c,
        )
    )
    rows.append(
        row(
            "sub",
            label=t(lang, "is.61_participant_costs"),
            ranges="61",
            amount=a.participants_costs,
            net=a.participants_costs,
        )
    )
    for key in ("is.62", "is.630", "is.631_4", "is.635_8", "is.640_8", "is.649", "is.66A"):
        add(key)
    charges = sum(
        (
            a.income[k].amount
            for k in rb.OPERATING
            if k not in ("is.70", "is.73", "is.74", "is.76A")
        ),
        ZERO,
    )
    rows.append(
        row("bold", label=t(lang, "is.total_operating_charges"), amount=charges, net=charges - c)
    )
    operating = income_total - charges
    rows.append(
        row(
            "total",
            code="9901",
            label=t(lang, "is.operating_result"),
            amount=operating,
            net=operating,
        )
    )
    add("is.75")
    add("is.65")
    add("is.67_77")
    add("is.69_79")
    rows.append(
        row("total", code="9904", label=t(lang, "is.result"), amount=a.result, net=a.result)
    )
    part = Part("income-statement", t(lang, "part.income_statement"))
    part.add(_money_table(lang, rows, with_net=True))
    part.add(Paragraph(t(lang, "is.note_gross", c=money_text(c, lang)), "note"))
    return part


def _receipts_part(a: Annual, lang: str) -> Part:
    f = a.flows
    rows: list[dict[str, Any]] = [row("head", label=t(lang, "re.receipts"))]
    for key in rb.RECEIPTS:
        rows.append(row("bold", label=t(lang, key), amount=a.receipts(key)))
        rows += _sub_rows(f[f["rubric"] == key], lang)
    rows.append(row("total", label=t(lang, "re.total_receipts"), amount=a.receipts()))
    rows.append(row("head", label=t(lang, "ex.expenses")))
    for key in rb.EXPENSES:
        rows.append(row("bold", label=t(lang, key), amount=a.expenses(key)))
        rows += _sub_rows(f[f["rubric"] == key], lang)
    rows.append(row("total", label=t(lang, "ex.total_expenses"), amount=a.expenses()))
    cols = [
        Column("label", t(lang, "col.rubric"), width=3.6),
        Column("ranges", t(lang, "col.counter_pcmn"), width=1.4),
        Column("amount", t(lang, "col.amount"), "money"),
    ]
    recon = [
        row(label=t(lang, "re.liquid_opening"), amount=a.liquid_opening),
        row(label=t(lang, "re.opening_entered"), amount=a.opening_entered()),
        row(label=t(lang, "re.plus_receipts"), amount=a.receipts()),
        row(label=t(lang, "re.minus_expenses"), amount=-a.expenses()),
        row(label=t(lang, "re.transfers_under_way"), amount=a.transfers_under_way),
        row("total", label=t(lang, "re.liquid_closing"), amount=a.liquid_closing),
    ]
    part = Part("receipts-expenses", t(lang, "part.receipts_expenses")).add(
        Table(cols, rows),
        Table([cols[0], cols[2]], recon, title=t(lang, "re.reconciliation"), in_csv=False),
        Paragraph(t(lang, "re.note_cash_basis"), "note"),
    )
    if a.receipts() or a.expenses():
        part.add(Paragraph(t(lang, "re.note_vat"), "note"))
    return part


def _sub_rows(flows: pd.DataFrame, lang: str) -> list[dict[str, Any]]:
    out = []
    for sub, group in flows.groupby("sub", sort=True):
        codes = sorted({str(p) for p in group["pcmn"]})
        out.append(
            row(
                "sub",
                label=t(lang, str(sub)),
                ranges=", ".join(codes),
                amount=dsum(group["amount"]),
            )
        )
    return out


def _patrimoine_side(a: Annual, lang: str, side: str, rows: list[dict[str, Any]]) -> Decimal:
    """Append the rubrics of one side of the statement of assets; their total."""
    total = ZERO
    for r in rb.ASSETS_AND_DEBTS:
        if r.side == side:
            amount = a.patrimoine[r.key].amount
            rows.append(row(code=r.code, label=t(lang, r.key), ranges=_ranges(r), amount=amount))
            total += amount
    return total


def _patrimoine_part(a: Annual, lang: str) -> Part:
    rows: list[dict[str, Any]] = [row("head", label=t(lang, "pat.assets"))]
    total_assets = _patrimoine_side(a, lang, "assets", rows)
    rows.append(row("total", label=t(lang, "pat.total_assets"), amount=total_assets))
    rows.append(row("head", label=t(lang, "pat.debts")))
    total_debts = _patrimoine_side(a, lang, "liabilities", rows)
    rows.append(row("total", label=t(lang, "pat.total_debts"), amount=total_debts))
    rows.append(row("bold", label=t(lang, "pat.net"), amount=total_assets - total_debts))
    rights = [
        row(label=t(lang, "rc.grants_promised"), amount=a.grants_receivable),
        *[row(label=text) for text in a.rights],
    ]
    return Part("assets-debts", t(lang, "part.assets_debts")).add(
        _money_table(lang, rows),
        Paragraph(t(lang, "pat.note_held", held=money_text(a.held, lang)), "note"),
        Table(
            [
                Column("label", t(lang, "col.rights"), width=4.5),
                Column("amount", t(lang, "col.amount"), "money"),
            ],
            rights,
            title=t(lang, "part.rights"),
            in_csv=False,
        ),
    )


def _identity_part(a: Annual, lang: str) -> Part:
    i = a.identity
    rows = [
        row(
            label=t(lang, "id.contributions"),
            ranges="74 (participant_contribution)",
            amount=i.contributions,
        ),
        row(label=t(lang, "id.own_income"), ranges="7 (hub)", amount=i.own_income),
        row(label=t(lang, "id.own_costs"), ranges="6 (hub)", amount=-i.own_costs),
        row(label=t(lang, "id.grant_paid"), ranges="61 (grant)", amount=-i.grant_paid_costs),
        row("total", label=t(lang, "id.computed"), amount=i.computed),
        row("bold", label=t(lang, "id.books_result"), ranges="6, 7", amount=i.result),
        row("muted", label=t(lang, "id.contributions_meta"), amount=i.contributions_meta),
    ]
    cols = [
        Column("label", t(lang, "col.label"), width=3.6),
        Column("ranges", t(lang, "col.pcmn_ranges"), width=1.6),
        Column("amount", t(lang, "col.amount"), "money"),
    ]
    verdict = t(lang, "id.ok") if i.computed == i.result else t(lang, "id.fails")
    return Part("result-identity", t(lang, "part.identity")).add(
        Table(cols, rows, in_csv=False), Paragraph(verdict, "heading")
    )


def _appendix_part(a: Annual, frames: Frames, lang: str) -> Part:
    settings = frames.config.annual_accounts
    part = Part("appendix", t(lang, "part.appendix"))
    part.add(Paragraph(t(lang, "ap.valuation"), "heading"))
    part.add(Paragraph(settings.valuation_rules or t(lang, "ap.valuation_default")))
    part.add(Paragraph(t(lang, "ap.adaptation"), "heading"))
    since = settings.double_entry_since
    if since is not None and a.period.start <= since <= a.period.end:
        part.add(Paragraph(t(lang, "ap.adaptation_switched", date=since.isoformat())))
    else:
        part.add(Paragraph(t(lang, "ap.adaptation_none")))
    part.add(Paragraph(t(lang, "ap.complementary"), "heading"))
    grant_rows = [
        row(
            grant=g.id + (f" ({t(lang, 'ap.restricted')})" if g.restricted else ""),
            purpose=g.purpose,
            amount=g.amount,
            received=g.amount - g.expected,
            spent=g.charged,
            deferred=g.deferred,
            remaining=g.remaining,
        )
        for g in a.grants
    ]
    part.add(
        Table(
            [
                Column("grant", t(lang, "col.grant"), width=1.8),
                Column("purpose", t(lang, "col.purpose"), width=1.6),
                Column("amount", t(lang, "col.granted"), "money"),
                Column("received", t(lang, "col.received"), "money"),
                Column("spent", t(lang, "col.spent"), "money"),
                Column("deferred", t(lang, "col.deferred"), "money"),
                Column("remaining", t(lang, "col.remaining"), "money"),
            ],
            grant_rows or [row(grant=t(lang, "ap.no_grants"))],
            title=t(lang, "ap.grants"),
            in_csv=False,
        )
    )
    facts = [
        row(label=t(lang, "ap.held", n=a.held_participants), amount=a.held),
        row(label=t(lang, "ap.pending_share"), amount=a.pending_share),
        row(label=t(lang, "ap.owed_by_participants"), amount=a.owed_by_participants),
        row(label=t(lang, "ap.payouts_in_transit"), amount=a.payouts_in_transit),
        row(label=t(lang, "ap.refunds_due"), amount=a.refunds_due),
        row(label=t(lang, "ap.deferred"), amount=a.deferred_grants),
        row(label=t(lang, "ap.restricted_funds"), amount=a.restricted_funds),
        row(label=t(lang, "ap.restricted_moved"), amount=a.restricted_moved),
    ]
    part.add(
        Table(
            [
                Column("label", t(lang, "col.label"), width=4.5),
                Column("amount", t(lang, "col.amount"), "money"),
            ],
            facts,
            title=t(lang, "ap.held_title"),
            in_csv=False,
        )
    )
    part.add(Paragraph(t(lang, "ap.gross_note", c=money_text(a.contributions, lang)), "note"))
    part.add(Paragraph(t(lang, "ap.rights"), "heading"))
    part.add(Paragraph(t(lang, "ap.rights_grants", amount=money_text(a.grants_receivable, lang))))
    for text in settings.rights_and_commitments:
        part.add(Paragraph(text))
    return part


def _size_part(a: Annual, frames: Frames, lang: str) -> Part:
    s = a.size
    fig = {k: Decimal(v) for k, v in s["figures"].items()}
    rows = []
    for test in ("simplified", "micro", "small"):
        limits = s[test]["limits"]
        rows.append(row("head", label=t(lang, f"size.{test}"), value=None, limit=None))
        for key, limit in limits.items():
            rows.append(
                row(
                    "sub",
                    label=t(lang, f"size.{key}"),
                    value=fig[key],
                    limit=Decimal(limit),
                    over=t(lang, "size.over") if fig[key] > Decimal(limit) else "",
                )
            )
        verdict = t(lang, "size.fits") if s[test]["exceeded"] <= 1 else t(lang, "size.exceeds")
        rows.append(row("bold", label=verdict, over=str(s[test]["exceeded"])))
    cols = [
        Column("label", t(lang, "col.criterion"), width=3.2),
        Column("value", t(lang, "col.value"), "money"),
        Column("limit", t(lang, "col.limit"), "money"),
        Column("over", t(lang, "col.exceeded"), width=0.8),
    ]
    return Part("size", t(lang, "part.size")).add(
        Table(cols, rows, in_csv=False), Paragraph(t(lang, "size.note"), "note")
    )


def _trace_part(a: Annual, lang: str) -> Part:
    rows = []
    flows = a.flows
    for acc in a.balances.itertuples(index=False):
        root = acc.account.split(":", 1)[0]
        if root in BALANCE_SHEET_ROOTS:
            r = rb.balance_rubric(acc.pcmn)
            amount = acc.closing
            pat = rb.patrimoine_rubric(acc.pcmn, 1 if acc.closing >= 0 else -1)
            simplified = t(lang, pat.key) if pat else t(lang, "trace.equity")
        else:
            r = rb.income_rubric(acc.pcmn)
            amount = acc.closing
            subs = sorted(set(flows[flows["account"] == acc.account]["rubric"]))
            simplified = ", ".join(t(lang, s) for s in subs) or t(lang, "trace.no_money")
        if amount == 0 and acc.debit == 0:
            continue
        rows.append(
            row(
                pcmn=acc.pcmn,
                account=acc.account,
                label=acc.label,
                rubric=f"{r.code} {t(lang, r.key)}" if r else "",
                simplified=simplified,
                amount=amount,
            )
        )
    cols = [
        Column("pcmn", t(lang, "col.pcmn"), width=0.5),
        Column("account", t(lang, "col.account"), width=2.4),
        Column("label", t(lang, "col.label"), width=1.6),
        Column("rubric", t(lang, "col.rubric_double"), width=2.0),
        Column("simplified", t(lang, "col.rubric_simplified"), width=1.8),
        Column("amount", t(lang, "col.balance"), "money", width=0.9),
    ]
    return Part("traceability", t(lang, "part.trace")).add(
        Table(cols, rows), Paragraph(t(lang, "trace.note"), "note")
    )


def _summary_part(a: Annual, frames: Frames, lang: str) -> Part:
    hub = frames.config.hub
    declared = t(lang, f"model.{a.model}")
    rows = [
        row(label=t(lang, "sum.hub"), value=f"{hub.name} ({hub.legal_form})"),
        row(label=t(lang, "enterprise_no"), value=enterprise_text(hub.enterprise_number)),
        row(label=t(lang, "sum.period"), value=f"{a.period.start} – {a.period.end}"),
        row(label=t(lang, "sum.model"), value=declared),
        row(
            label=t(lang, "sum.status"),
            value=t(lang, "sum.provisional") if a.provisional else t(lang, "sum.closed"),
        ),
        row(label=t(lang, "sum.result"), value=money_text(a.result, lang)),
        row(label=t(lang, "sum.filing"), value=t(lang, f"filing.{a.model}")),
    ]
    return Part("summary", t(lang, "part.summary")).add(
        Table(
            [Column("label", "", width=1.6), Column("value", "", width=3.4)], rows, in_csv=False
        ),
        Paragraph(t(lang, "sum.both_models"), "note"),
    )


def build(frames: Frames, period: Period, lang: str, header: Header) -> Report:
    """The annual accounts: summary, both models' statements, identity, appendix, size,
    traceability (one xlsx sheet, one PDF section each)."""
    a = compute(frames, period)
    simplified = [_receipts_part(a, lang), _patrimoine_part(a, lang)]
    double = [_balance_sheet_part(a, lang), _income_part(a, lang)]
    statements = simplified + double if a.model == "simplified" else double + simplified
    parts = [
        _summary_part(a, frames, lang),
        *statements,
        _identity_part(a, lang),
        _appendix_part(a, frames, lang),
        _size_part(a, frames, lang),
        _trace_part(a, lang),
    ]
    return Report(
        kind="annual-accounts",
        title=t(lang, "aa.title"),
        subtitle=period.text(),
        lang=lang,
        parts=parts,
        figures=figures(a),
        stem=f"annual-accounts-{period.slug}",
        head=header,
    )


def figures(a: Annual) -> dict[str, Any]:
    """Every figure of the annual accounts, as ``--json`` prints it."""

    def lines(side: dict[str, Line]) -> dict[str, Any]:
        return {
            line.code: {
                "amount": str(line.amount),
                "accounts": {k: str(v) for k, v in sorted(line.accounts.items())},
            }
            for line in side.values()
        }

    flows = a.flows
    return {
        "period": {"from": a.period.start.isoformat(), "to": a.period.end.isoformat()},
        "model": a.model,
        "provisional": a.provisional,
        "balance_sheet": {
            "assets": lines(a.assets),
            "liabilities": lines(a.liabilities),
            "total_assets": str(a.total(a.assets)),
            "result_of_the_year": str(a.result),
        },
        "income_statement": {
            **lines(a.income),
            "contributions": str(a.contributions),
            "participants_share": str(a.participants_share),
            "participants_share_net_of_contributions": str(a.participants_share - a.contributions),
            "participants_costs": str(a.participants_costs),
            "result": str(a.result),
        },
        "receipts_and_expenses": {
            **{key: str(a.receipts(key)) for key in rb.RECEIPTS},
            **{key: str(a.expenses(key)) for key in rb.EXPENSES},
            "by_sub_line": {
                f"{r}/{s}": str(dsum(g["amount"]))
                for (r, s), g in flows.groupby(["rubric", "sub"])
            }
            if len(flows)
            else {},
            "total_receipts": str(a.receipts()),
            "total_expenses": str(a.expenses()),
            "opening_entered": str(a.opening_entered()),
            "liquid_opening": str(a.liquid_opening),
            "liquid_closing": str(a.liquid_closing),
            "transfers_under_way": str(a.transfers_under_way),
        },
        "assets_and_debts": lines(a.patrimoine),
        "result_identity": {
            "contributions": str(a.identity.contributions),
            "contributions_from_metadata": str(a.identity.contributions_meta),
            "own_income": str(a.identity.own_income),
            "own_costs": str(a.identity.own_costs),
            "participants_costs_paid_by_grants": str(a.identity.grant_paid_costs),
            "computed": str(a.identity.computed),
            "books_result": str(a.identity.result),
            "holds": a.identity.computed == a.identity.result,
        },
        "appendix": {
            "held_for_participants": str(a.held),
            "participants_with_a_balance": a.held_participants,
            "share_of_open_invoices": str(a.pending_share),
            "owed_by_participants": str(a.owed_by_participants),
            "payouts_in_transit": str(a.payouts_in_transit),
            "refunds_due": str(a.refunds_due),
            "deferred_grants": str(a.deferred_grants),
            "restricted_funds": str(a.restricted_funds),
            "restricted_funds_moved": str(a.restricted_moved),
            "grants_promised": str(a.grants_receivable),
            "grants": [g.as_json() for g in a.grants],
        },
        "size": a.size,
    }
