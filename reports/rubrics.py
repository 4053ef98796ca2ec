"""The rubrics of the annual accounts, each traced to PCMN ranges (``docs/annual-accounts.md``
§4): the double-entry models (balance sheet, income statement of the micro and abridged
association models, NBB codes) and the simplified model (statement of receipts and
expenses, cash basis; statement of assets and debts).

A range is a PCMN prefix (``"40"``) or an inclusive span of prefixes of one length
(``"22-27"``). Every account of the books must fall in exactly one rubric of each
statement; :func:`balance_rubric` and :func:`income_rubric` say which, and the annual
accounts refuse books with an account that fits none (the accountant adds its PCMN code).
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.frame import pcmn_in


@dataclass(frozen=True)
class Rubric:
    key: str  # the i18n key of its name (``bs.40``…)
    code: str  # the NBB code printed beside it
    ranges: tuple[str, ...]
    side: str  # "assets" / "liabilities" / "income" / "charges"


BALANCE_SHEET = (
    Rubric("bs.20", "20", ("20",), "assets"),
    Rubric("bs.21", "21", ("21",), "assets"),
    Rubric("bs.22_27", "22/27", ("22-27",), "assets"),
    Rubric("bs.28", "28", ("28",), "assets"),
    Rubric("bs.29", "29", ("29",), "assets"),
    Rubric("bs.3", "3", ("3",), "assets"),
    Rubric("bs.40", "40", ("40",), "assets"),
    Rubric("bs.41", "41", ("41",), "assets"),
    Rubric("bs.50_53", "50/53", ("50-53",), "assets"),
    Rubric("bs.54_58", "54/58", ("54-58",), "assets"),
    Rubric("bs.490_1", "490/1", ("490", "491"), "assets"),
    Rubric("bs.499", "499", ("499",), "assets"),  # suspense: empty once a year is closed
    Rubric("bs.10", "10", ("10",), "liabilities"),
    Rubric("bs.12", "12", ("12",), "liabilities"),
    Rubric("bs.13", "13", ("13",), "liabilities"),
    Rubric("bs.14", "14", ("14",), "liabilities"),
    Rubric("bs.15", "15", ("15",), "liabilities"),
    Rubric("bs.16", "16", ("16",), "liabilities"),
    Rubric("bs.17", "17", ("17",), "liabilities"),
    Rubric("bs.42", "42", ("42",), "liabilities"),
    Rubric("bs.43", "43", ("43",), "liabilities"),
    Rubric("bs.44", "44", ("44",), "liabilities"),
    Rubric("bs.45", "45", ("45",), "liabilities"),
    Rubric("bs.46", "46", ("46",), "liabilities"),
    Rubric("bs.47_48", "47/48", ("47", "48"), "liabilities"),
    Rubric("bs.492_3", "492/3", ("492", "493"), "liabilities"),
)
# The amounts payable within one year, grouped under one heading (42/48).
WITHIN_ONE_YEAR = ("bs.42", "bs.43", "bs.44", "bs.45", "bs.46", "bs.47_48")

INCOME_STATEMENT = (
    Rubric("is.70", "70", ("70",), "income"),
    Rubric("is.73", "73", ("73",), "income"),
    Rubric("is.74", "74", ("74",), "income"),
    Rubric("is.76A", "76A", ("76",), "income"),
    Rubric("is.60", "60", ("60",), "charges"),
    Rubric("is.61", "61", ("61",), "charges"),
    Rubric("is.62", "62", ("62",), "charges"),
    Rubric("is.630", "630", ("630", "63"), "charges"),  # a bare 63: depreciation
    Rubric("is.631_4", "631/4", ("631-634",), "charges"),
    Rubric("is.635_8", "635/8", ("635-638",), "charges"),
    Rubric("is.640_8", "640/8", ("640-648", "64"), "charges"),  # a bare 64: other charges
    Rubric("is.649", "649", ("649",), "charges"),
    Rubric("is.66A", "66A", ("66",), "charges"),
    Rubric("is.75", "75", ("75",), "income"),
    Rubric("is.65", "65", ("65",), "charges"),
    Rubric("is.67_77", "67/77", ("67", "77"), "charges"),
    Rubric("is.69_79", "69/79", ("69", "79"), "charges"),
)
OPERATING = (
    "is.70",
    "is.73",
    "is.74",
    "is.76A",
    "is.60",
    "is.61",
    "is.62",
    "is.630",
    "is.631_4",
    "is.635_8",
    "is.640_8",
    "is.649",
    "is.66A",
)
FINANCIAL = ("is.75", "is.65")

# The statement of assets and debts of the simplified model (état du patrimoine).
ASSETS_AND_DEBTS = (
    Rubric("pat.buildings", "22", ("22",), "assets"),
    Rubric("pat.machines", "23", ("23",), "assets"),
    Rubric("pat.furniture", "24", ("24",), "assets"),
    Rubric("pat.stocks", "3", ("3",), "assets"),
    Rubric("pat.receivables", "40/41", ("40", "41", "29"), "assets"),
    Rubric("pat.investments", "50/53", ("50-53",), "assets"),
    Rubric("pat.cash", "54/58", ("54-58",), "assets"),
    Rubric(
        "pat.other_assets", "20/21, 25/28, 490/1", ("20", "21", "25-28", "490", "491"), "assets"
    ),
    Rubric("pat.financial_debts", "17, 42/43", ("17", "42", "43"), "liabilities"),
    Rubric("pat.suppliers", "44", ("44",), "liabilities"),
    Rubric("pat.members", "—", (), "liabilities"),
    Rubric("pat.tax_social", "45", ("45",), "liabilities"),
    Rubric("pat.other_debts", "46, 47/48, 492/3", ("46", "47", "48", "492", "493"), "liabilities"),
)
SUSPENSE = "499"  # shown as "other assets" when debit, "other debts" when credit


def find(rubrics: tuple[Rubric, ...], pcmn: str) -> Rubric | None:
    """The rubric whose ranges hold ``pcmn`` (the most specific prefix wins)."""
    best: Rubric | None = None
    best_len = -1
    for rubric in rubrics:
        for spec in rubric.ranges:
            length = len(spec.split("-", 1)[0])
            if pcmn_in(pcmn, (spec,)) and length > best_len:
                best, best_len = rubric, length
    return best


def balance_rubric(pcmn: str) -> Rubric | None:
    return find(BALANCE_SHEET, pcmn)


def income_rubric(pcmn: str) -> Rubric | None:
    return find(INCOME_STATEMENT, pcmn)


def patrimoine_rubric(pcmn: str, balance_sign: int) -> Rubric | None:
    """The rubric of the statement of assets and debts (equity, classes 10-15, is in none:
    the statement lists assets and debts only)."""
    if pcmn.startswith(SUSPENSE):
        key = "pat.other_assets" if balance_sign >= 0 else "pat.other_debts"
        return next(r for r in ASSETS_AND_DEBTS if r.key == key)
    return find(ASSETS_AND_DEBTS, pcmn)


# The statement of receipts and expenses (cash basis): the rubric of a money movement,
# by its counter-leg. The four receipts and the four expenses of the model, each with the
# sub-lines that show what it holds.
RECEIPTS = ("re.membership", "re.gifts", "re.grants", "re.other")
EXPENSES = ("ex.goods", "ex.remuneration", "ex.services", "ex.other")
GRANT_ROLES = frozenset({"grants", "grant", "grants_receivable"})
GIFT_ROLES = frozenset({"gifts", "gift"})
# What the hub holds for, or is owed by, participants: paying it out is a payout.
PARTICIPANT_MONEY_ROLES = frozenset(
    {"participant_held", "participant_pending", "participant_owed", "payouts_pending"}
)
VAT_ROLES = frozenset({"vat_payable", "vat_recoverable"})
OPENING_RANGES = ("10", "11", "12", "13", "14", "15")


def cash_rubric(pcmn: str, role: str, amount_in: bool) -> tuple[str, str]:
    """``(rubric, sub-line)`` of a money movement by its counter-leg's PCMN code and role;
    ``amount_in``: money came in. The rubric ``opening`` is not a receipt nor an expense
    (an opening balance entered), ``unexplained`` is a bank line still in suspense."""
    if role in GIFT_ROLES:
        return "re.gifts", "sub.gifts"
    if role in GRANT_ROLES:
        return "re.grants", "sub.grants"
    if role in VAT_ROLES or pcmn.startswith(("451", "411")):
        return ("re.other", "sub.vat") if amount_in else ("ex.other", "sub.vat")
    if role in PARTICIPANT_MONEY_ROLES:
        return "ex.other", "sub.payouts"
    if role == "refunds_due":
        return "ex.other", "sub.refunds"
    if pcmn.startswith(SUSPENSE):
        return ("re.other" if amount_in else "ex.other"), "sub.unexplained"
    if pcmn_in(pcmn, OPENING_RANGES):
        return "opening", "sub.opening"
    if pcmn.startswith("73"):
        return "re.membership", "sub.membership"
    if pcmn.startswith(("40", "70", "71", "72")):
        return "re.other", "sub.sales"
    if pcmn.startswith("46"):
        return "re.other", "sub.advances"
    if pcmn.startswith(("74", "75", "76", "77", "78", "79")):
        return "re.other", "sub.other_income"
    if pcmn.startswith("60"):
        return "ex.goods", "sub.goods"
    if pcmn.startswith("61"):
        return "ex.services", "sub.services"
    if pcmn.startswith("62") or pcmn_in(pcmn, ("453-456",)):
        return "ex.remuneration", "sub.remuneration"
    if pcmn.startswith(("64", "65", "66", "67", "68", "69")):
        return "ex.other", "sub.other_charges"
    return ("re.other", "sub.other_in") if amount_in else ("ex.other", "sub.other_out")
