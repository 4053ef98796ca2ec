"""The reports' words (``--lang fr|nl|en``), by key: each key names an English text, the
source; its French and Dutch translations are in the one catalogue
(``ledger/locale/<lang>/LC_MESSAGES/coopledger.po``, read by :mod:`ledger.i18n`), in the
context ``report`` (or ``report assets and debts`` and ``report grant``, where the same
English text is translated otherwise). A test checks that every key the reports use has its
French and Dutch text. Placeholders are ``str.format`` fields (``python-brace-format``).
"""

from __future__ import annotations

from typing import Any

from ledger.i18n import LANGS, translate

# A key's context in the catalogue: "report", unless the same English text is translated
# otherwise there (the simplified model's "avoirs" are not the balance sheet's "actif").
PREFIX_CONTEXTS = {"pat": "report assets and debts", "gr": "report grant"}
KEY_CONTEXTS = {"size.assets": "report assets and debts"}

TEXTS: dict[str, str] = {
    # -- common
    "provisional": "PROVISIONAL — year not closed",
    "enterprise_no": "Enterprise no.",
    "total": "Total",
    "col.pcmn": "PCMN",
    "col.label": "Label",
    "col.account": "Account",
    "col.opening": "Opening",
    "col.debit": "Debit",
    "col.credit": "Credit",
    "col.closing_debit": "Closing debit",
    "col.closing_credit": "Closing credit",
    "col.balance": "Balance",
    "col.date": "Date",
    "col.journal": "Journal",
    "col.number": "No.",
    "col.piece": "Document",
    "col.narration": "Entry",
    "col.participant": "Participant (code)",
    "col.documents": "Files",
    "col.entries": "Entries",
    "col.code": "Code",
    "col.rubric": "Rubric",
    "col.pcmn_ranges": "PCMN accounts",
    "col.counter_pcmn": "Counter-leg PCMN",
    "col.amount": "Amount",
    "col.net_of_contributions": "Share net of contributions",
    "col.rights": "Rights and commitments",
    "col.grant": "Grant",
    "col.funder": "Funder",
    "col.purpose": "Purpose",
    "col.granted": "Granted",
    "col.received": "Received",
    "col.spent": "Spent",
    "col.deferred": "Deferred (493)",
    "col.remaining": "Remaining",
    "col.criterion": "Criterion",
    "col.value": "Value",
    "col.limit": "Limit",
    "col.exceeded": "Exceeded",
    "col.rubric_double": "Rubric (double entry)",
    "col.rubric_simplified": "Rubric (simplified model)",
    # -- trial balance, general ledger, journals
    "tb.title": "Trial balance",
    "tb.by_account": "By account",
    "tb.by_code": "By PCMN code",
    "gl.title": "General ledger",
    "gl.opening": "opening balance",
    "gl.closing": "Movements and closing balance",
    "j.title": "Journals",
    "j.overview": "Overview",
    "j.opening": "Opening balances",
    "j.numbering": (
        "Gapless numbering per journal and calendar year, in the order of the integrity chain "
        "(date, then the entry's digest): the same numbers as the auditor's export."
    ),
    # -- annual accounts: parts
    "aa.title": "Annual accounts",
    "part.summary": "Summary",
    "part.receipts_expenses": "Statement of receipts and expenses (simplified model)",
    "part.assets_debts": "Statement of assets and debts (annex of the simplified model)",
    "part.rights": "Significant rights and commitments",
    "part.balance_sheet": "Balance sheet (micro / abridged association model)",
    "part.income_statement": "Income statement (micro / abridged association model)",
    "part.identity": "Result identity (accounting model)",
    "part.appendix": "Appendix",
    "part.size": "Size criteria",
    "part.trace": "Traceability: every account and its rubric",
    # -- summary
    "sum.hub": "Association",
    "sum.period": "Financial year",
    "sum.model": "Declared model (hub.toml)",
    "sum.status": "Status",
    "sum.provisional": "provisional: the year is not closed",
    "sum.closed": "closed and sealed",
    "sum.result": "Result of the year",
    "sum.filing": "Filing",
    "sum.both_models": (
        "Both models are drawn from the same entries; the declared one comes first. The choice "
        "of model is the board's (docs/annual-accounts.md, Q13)."
    ),
    "model.simplified": "simplified (CSA art. 3:47 §2): receipts and expenses, annex",
    "model.micro": "micro association model (double entry)",
    "model.abridged": "abridged association model (double entry)",
    "filing.simplified": (
        "registry of the enterprise court, within 30 days of the general assembly's approval "
        "(at most 6 months after the close)"
    ),
    "filing.micro": (
        "registry of the enterprise court (small ASBL), or the NBB Central Balance Sheet Office"
        " (voluntarily, for a fee), within 30 days of approval"
    ),
    "filing.abridged": (
        "NBB Central Balance Sheet Office (or the registry for a small ASBL), within 30 days of"
        " approval"
    ),
    # -- balance sheet
    "bs.assets": "ASSETS",
    "bs.liabilities": "LIABILITIES",
    "bs.total_assets": "Total assets",
    "bs.total_liabilities": "Total liabilities",
    "bs.20": "Formation expenses",
    "bs.21": "Intangible fixed assets",
    "bs.22_27": "Tangible fixed assets",
    "bs.28": "Financial fixed assets",
    "bs.29": "Amounts receivable after more than one year",
    "bs.3": "Stocks and contracts in progress",
    "bs.40": "Trade debtors",
    "bs.41": "Other amounts receivable",
    "bs.50_53": "Current investments",
    "bs.54_58": "Cash at bank and in hand",
    "bs.490_1": "Deferred charges and accrued income",
    "bs.499": "Suspense (to clear before the close)",
    "bs.10": "Association funds",
    "bs.12": "Revaluation surpluses",
    "bs.13": "Restricted funds",
    "bs.14": "Result carried forward",
    "bs.15": "Capital grants",
    "bs.16": "Provisions",
    "bs.17": "Amounts payable after more than one year",
    "bs.42_48": "Amounts payable within one year",
    "bs.42": "Current portion of long-term debts",
    "bs.43": "Financial debts",
    "bs.44": "Trade debts",
    "bs.45": "Taxes, remuneration and social security",
    "bs.46": "Advances received",
    "bs.47_48": "Other debts (including the amounts held for participants)",
    "bs.492_3": "Accrued charges and deferred income (including deferred grants)",
    "bs.result_year": "Result of the year to be appropriated",
    "bs.note_held": (
        "Other debts include {held} held for {n} participant(s): what clients paid for their "
        "activity, less the contribution to the hub, their costs and what they were paid out."
    ),
    # -- income statement
    "is.operating_income": "Operating income",
    "is.operating_charges": "Operating charges",
    "is.70": "Turnover (including the participants' sales)",
    "is.73": "Membership fees, gifts, legacies and grants",
    "is.74": "Other operating income",
    "is.74_contributions": "of which participants' contributions to the hub",
    "is.76A": "Non-recurring operating income",
    "is.total_operating_income": "Total operating income",
    "is.60": "Raw materials, consumables and goods",
    "is.61": "Services and other goods",
    "is.613_share": "of which participants' share (fees to third parties, 613)",
    "is.61_participant_costs": "of which costs of the participants' activities",
    "is.62": "Remuneration, social security and pensions",
    "is.630": "Depreciation",
    "is.631_4": "Write-downs",
    "is.635_8": "Provisions for risks and charges",
    "is.640_8": "Other operating charges (including cash differences)",
    "is.649": "Operating charges capitalised",
    "is.66A": "Non-recurring operating charges",
    "is.total_operating_charges": "Total operating charges",
    "is.operating_result": "Operating result",
    "is.75": "Financial income",
    "is.65": "Financial charges (including bank charges)",
    "is.67_77": "Income taxes",
    "is.69_79": "Appropriations",
    "is.result": "Result of the year",
    "is.note_gross": (
        "The hub invoices in its own name: its income includes the participants' sales (70) and"
        " their contributions ({c}, 74), and the participants' share (613) is counted before "
        "the contribution, so 74 and 613 are both higher by the contributions; the last column "
        "shows the share net of contributions and no contribution income: the same result."
    ),
    # -- receipts and expenses (simplified, cash basis)
    "re.receipts": "RECEIPTS",
    "ex.expenses": "EXPENSES",
    "re.membership": "Membership fees",
    "re.gifts": "Gifts and legacies",
    "re.grants": "Grants",
    "re.other": "Other receipts",
    "ex.goods": "Goods and services",
    "ex.remuneration": "Remuneration",
    "ex.services": "Services and other goods",
    "ex.other": "Other expenses",
    "re.total_receipts": "Total receipts",
    "ex.total_expenses": "Total expenses",
    "sub.gifts": "gifts received",
    "sub.grants": "grants received",
    "sub.membership": "membership fees received",
    "sub.sales": "client payments and cash sales (participants' and hub's activities)",
    "sub.advances": "advances received",
    "sub.other_income": "other income (interest, cash surpluses…)",
    "sub.vat": "VAT (paid to or refunded by the State)",
    "sub.payouts": "payouts to participants",
    "sub.refunds": "refunds to clients",
    "sub.unexplained": "bank lines not yet explained (suspense)",
    "sub.opening": "opening balances",
    "sub.goods": "purchases of goods",
    "sub.services": "services, other goods and activities' costs",
    "sub.remuneration": "salaries and social security",
    "sub.other_charges": "bank charges, cash differences, other charges",
    "sub.other_in": "other receipts",
    "sub.other_out": "other expenses",
    "re.reconciliation": "Reconciliation with cash at bank and in hand",
    "re.liquid_opening": "Cash at the start of the year",
    "re.opening_entered": "Opening balances entered during the year",
    "re.plus_receipts": "+ receipts",
    "re.minus_expenses": "− expenses",
    "re.transfers_under_way": "± transfers between the hub's accounts under way (58)",
    "re.liquid_closing": "Cash at the end of the year",
    "re.note_cash_basis": (
        "Cash basis: each bank and cash movement is classified by what it paid or collected "
        "(the entry's counter-leg); transfers between the hub's own accounts are neither "
        "receipts nor expenses."
    ),
    "re.note_vat": (
        "Client payments are counted including VAT; VAT paid to or refunded by the State is "
        "shown apart (presentation excluding VAT to be confirmed by the accountant, "
        "docs/annual-accounts.md Q4)."
    ),
    # -- statement of assets and debts
    "pat.assets": "ASSETS",
    "pat.debts": "DEBTS",
    "pat.total_assets": "Total assets",
    "pat.total_debts": "Total debts",
    "pat.net": "Net assets",
    "pat.buildings": "Buildings (land, constructions)",
    "pat.machines": "Machines",
    "pat.furniture": "Furniture and vehicles",
    "pat.stocks": "Stocks",
    "pat.receivables": "Receivables",
    "pat.investments": "Investments",
    "pat.cash": "Cash",
    "pat.other_assets": "Other assets",
    "pat.financial_debts": "Financial debts",
    "pat.suppliers": "Suppliers",
    "pat.members": "Debts to members",
    "pat.tax_social": "Tax, salary and social debts",
    "pat.other_debts": "Other debts (including the amounts held for participants)",
    "pat.note_held": "Other debts include {held} held for the participants.",
    "rc.grants_promised": "Grants granted, not yet received",
    # -- identity
    "id.contributions": "Participants' contributions",
    "id.own_income": "+ the hub's own income (grants, gifts, own sales, interest…)",
    "id.own_costs": "− the hub's own costs",
    "id.grant_paid": "− costs of participants' activities paid by a grant",
    "id.computed": "= result by the accounting model",
    "id.books_result": "The books' result (income − charges of every account)",
    "id.contributions_meta": "Contributions by the receipts' metadata (check)",
    "id.ok": "The identity holds: every participant's subtree nets to zero.",
    "id.fails": "The identity does NOT hold.",
    # -- appendix
    "ap.valuation": "1. Summary of the valuation rules",
    "ap.valuation_default": (
        "Receivables, debts and cash are valued at their nominal value. Machines, furniture and"
        " vehicles are valued at their resale value. Other items are valued at their nominal "
        "value."
    ),
    "ap.adaptation": "2. Changes to the valuation rules",
    "ap.adaptation_none": "None.",
    "ap.adaptation_switched": "The association keeps double-entry books since {date}.",
    "ap.complementary": "3. Complementary information",
    "ap.grants": "Grants and gifts of the year",
    "ap.no_grants": "none",
    "ap.restricted": "restricted",
    "ap.held_title": "Amounts held and deferred at the end of the year",
    "ap.held": "Amounts held for participants ({n} participant(s); codes only in the books)",
    "ap.pending_share": "Participants' share of invoices not yet paid",
    "ap.owed_by_participants": "Owed to the hub by participants",
    "ap.payouts_in_transit": "Payouts ordered, not yet debited",
    "ap.refunds_due": "Refunds due to clients",
    "ap.deferred": "Unspent restricted grants, deferred (493)",
    "ap.restricted_funds": "Restricted funds (13)",
    "ap.restricted_moved": (
        "Movements of restricted funds in the year (appropriation of the result)"
    ),
    "ap.gross_note": (
        "The participants' sales are the hub's sales (it invoices in its own name); the "
        "contributions ({c}) are the hub's part. An unspent restricted grant is deferred on "
        "493, never on restricted funds (13), which only arise from an appropriation of the "
        "result."
    ),
    "ap.rights": "4. Significant rights and commitments",
    "ap.rights_grants": "Promised grants (granted, not yet received): {amount}.",
    # -- size
    "size.simplified": "Small ASBL — simplified accounts (CSA art. 3:47 §2)",
    "size.micro": "Micro association (CSA art. 1:29)",
    "size.small": "Small association (CSA art. 1:28)",
    "size.fte": "Workers (average FTE, hub.toml)",
    "size.receipts": "Receipts (cash basis, non-recurring excluded)",
    "size.assets": "Total assets",
    "size.debts": "Total debts",
    "size.turnover": "Turnover (70, excl. VAT)",
    "size.total": "Balance-sheet total",
    "size.over": "yes",
    "size.fits": "At most one criterion exceeded: the category applies",
    "size.exceeds": "More than one criterion exceeded",
    "size.note": (
        "The category only changes when the criteria are exceeded two years in a row. The "
        "participants' sales count in the hub's turnover (docs/annual-accounts.md, Q3)."
    ),
    # -- traceability
    "trace.equity": "— (equity: not in the statement of assets and debts)",
    "trace.no_money": "— (no money movement)",
    "trace.note": (
        "Every account of the books falls in one rubric of each model, by its PCMN code (the "
        "pcmn metadata of its open entry)."
    ),
    # -- VAT
    "vat.title": "VAT",
    "vat.regime.franchise": "franchise regime (art. 56bis)",
    "vat.regime.standard": "standard regime",
    "vat.regime.exempt": "exempt (art. 44)",
    "col.vat_number": "VAT number",
    "col.clients": "Client(s)",
    "col.turnover": "Turnover excl. VAT",
    "col.vat": "VAT",
    "col.listed": "Listed",
    "col.month": "Month",
    "col.cumulative": "Cumulative",
    "col.period": "Period",
    "col.grid": "Grid",
    "col.grids": "By the grids",
    "col.books": "By the accounts",
    "col.agrees": "Agrees",
    "vat.yes": "yes",
    "vat.no": "no",
    "vat.franchise_title": "Turnover and the franchise threshold",
    "vat.turnover_ytd": "Turnover of the year at {date} (excl. VAT, net of credit notes)",
    "vat.threshold": "Annual franchise threshold",
    "vat.share": "Share of the threshold reached (%)",
    "vat.projection": "Projection over the year",
    "vat.previous": "Turnover {year}",
    "vat.ok": "The turnover stays below the threshold.",
    "vat.warning": (
        "WARNING: {share} % of the threshold is reached. Consult the accountant before going "
        "over it (e604B declaration, leaving the franchise)."
    ),
    "vat.projected": (
        "WARNING: at this pace the year would reach {projection}, over the threshold. Consult "
        "the accountant."
    ),
    "vat.over": (
        "THE {threshold} THRESHOLD IS EXCEEDED: the franchise ends; consult the accountant now "
        "(e604B)."
    ),
    "vat.franchise_note": (
        "Threshold of 25,000 EUR excl. VAT per calendar year (VAT Code art. 56bis; SPF "
        "Finances). Warning from 80 %. The exact moment the franchise ends during a year is for"
        " the accountant to confirm (docs/vat-outputs.md, Q1)."
    ),
    "vat.communication": (
        "To communicate by 31 March: the total of the operations of {year} in Belgium, {amount}."
    ),
    "vat.listing_title": "Annual listing of VAT-registered clients {year}",
    "vat.listing_note": (
        "Belgian VAT-registered clients invoiced more than 250 EUR excl. VAT in the year, net "
        "of credit notes, grouped by VAT number; clients without a Belgian VAT number never "
        "appear. Due by 31 March (to be confirmed, Q4)."
    ),
    "vat.listing_nihil": "No client to list: a nil listing.",
    "vat.returns_title": "Periodic returns (grids)",
    "vat.check_title": "Check against the VAT accounts",
    "vat.check_due": "VAT due on sales − credit notes (451)",
    "vat.grids_note": (
        "Grids per docs/vat-outputs.md §2.2 (to have the accountant sign them off before the "
        "first filing, Q8). Amounts are always positive; 71 (to pay) or 72 (to recover) is "
        "always filled."
    ),
    "grid.00": "Operations under a special regime / at 0 %",
    "grid.01": "Operations at 6 % (base)",
    "grid.02": "Operations at 12 % (base)",
    "grid.03": "Operations at 21 % (base)",
    "grid.49": "Credit notes issued (base)",
    "grid.54": "VAT due on grids 01 to 03",
    "grid.64": "VAT to recover on credit notes issued",
    "grid.59": "Deductible VAT",
    "grid.81": "Purchases: goods, raw materials (base)",
    "grid.82": "Purchases: services and other goods (base)",
    "grid.83": "Purchases: investment goods (base)",
    "grid.71": "VAT due to the State",
    "grid.72": "Sum due by the State",
    "vat.exempt_title": "Exempt taxable person (VAT Code art. 44)",
    "vat.exempt_statement": "No periodic return, no client listing and no VAT are due.",
    "vat.exempt_why": (
        "The hub is under the exemption of article 44 of the VAT Code (exemptions without right"
        " to deduction, transposing articles 132 and 135 of the VAT directive): it charges no "
        "VAT, deducts none and files no periodic return and no client listing."
    ),
    "vat.exempt_intra": (
        "The one exception: intra-Community purchases of goods or services taxable in Belgium "
        "need an identification and a special return (form 629)."
    ),
    "vat.exempt_warning": (
        "{n} movement(s) on VAT accounts do not fit the exemption: review them with the "
        "accountant."
    ),
    # -- grants
    "gr.title": "Grant report",
    "gr.summary": "Overview",
    "gr.granted": "Granted",
    "gr.received": "Received",
    "gr.spent_before": "Spent before the period",
    "gr.spent_period": "Spent in the period",
    "gr.spent": "Spent in all",
    "gr.deferred": "Deferred to later years (493)",
    "gr.remaining": "Remaining",
    "gr.intro": "Granted by {funder} on {date}: {amount}. {restricted}",
    "gr.restricted": "Restricted grant: it pays for its purpose only.",
    "gr.costs": "Costs the grant paid in the period",
    "gr.by_category": "By category of cost",
    "gr.by_activity": "By activity (participants' codes, never a name)",
    "gr.hub": "the hub (shared costs)",
    "gr.no_receipt": "(no receipt attached)",
    "gr.note": (
        "Participants are named by their code only. The deferred balance (493) is the part of a"
        " restricted grant unspent at the close, released as later years spend it."
    ),
    "col.description": "Description",
    "col.category": "Category",
    "col.receipt": "Receipt",
    "col.activity": "Activity",
    # -- treasurer
    "tr.title": "Treasurer's report",
    "tr.bank": "Banks: books and statements",
    "tr.books_end": "Books at the end of the period",
    "tr.statement_date": "Last statement at",
    "tr.bank_balance": "Balance per bank",
    "tr.books_then": "Books at that date",
    "tr.difference": "Difference",
    "tr.bank_differs": (
        "The books and the bank differ: import the missing statements or find the difference."
    ),
    "tr.month": "Receipts and expenses of the period",
    "tr.invoices": "Open and overdue invoices",
    "tr.overdue": "{n} overdue invoice(s), for {amount}.",
    "tr.review": "To decide: bank lines waiting, receipts not allocated",
    "tr.best": "Best candidate / why",
    "tr.nothing": "nothing waits",
    "tr.review_note": "Decide them with 'coopledger reconcile'.",
    "tr.cash": "Cash box",
    "tr.cash_books": "Cash per the books at {date}",
    "tr.cash_counted": "Last count ({date})",
    "tr.cash_books_then": "Books on the day of the count",
    "tr.cash_since": "Movements since the count",
    "tr.count_due": (
        "No cash count for more than a month: count the cash box ('coopledger cash count')."
    ),
    "tr.payouts": "Payouts ordered, not yet debited",
    "tr.iban_end": "Account (end)",
    "tr.exported": "Exported (pain.001)",
    "tr.close": "Closing {year}",
    "tr.closed": "{year} is closed and sealed.",
    "tr.nothing_blocks": "Nothing blocks the close.",
    "col.invoice": "Invoice",
    "col.due": "Due",
    "col.client": "Client",
    "col.total": "Total incl. VAT",
    "col.outstanding": "Outstanding",
    "col.status": "Status",
    "status.open": "open",
    "status.partly-paid": "partly paid",
    "status.overdue": "overdue",
    "status.paid": "paid",
    "status.credited": "credited",
    # -- a participant's year (plain words, for her)
    "py.title": "Your year {year}",
    "py.code": "Your code:",
    "py.summary": "In a few words",
    "py.invoiced": (
        "In {period}, the hub invoiced your clients {amount} for your work (without VAT)."
    ),
    "py.credited": (
        "In {period}, credit notes took back {amount} more than the hub invoiced your clients "
        "for your work (without VAT): they correct invoices of an earlier year."
    ),
    "py.received": "Your clients paid {amount} (without VAT).",
    "py.contribution": (
        "The hub kept {amount} as its contribution: {share} % of what your clients paid."
    ),
    "py.costs": "The hub paid {amount} of costs for your activity, taken from your money.",
    "py.payouts": "The hub paid you {amount}.",
    "py.in_transit": "{amount} of it is still on its way to your account.",
    "py.held": "On {date}, the hub keeps {amount} for you.",
    "py.pending": (
        "Your clients still have invoices to pay: your share, {amount}, comes to you when they "
        "pay."
    ),
    "py.owed": "You owe the hub {amount}: it will be taken from your next payments.",
    "py.footer": "A question? Talk to your community worker.",
    "py.year": "Your money this year",
    "py.l.held_opening": "What the hub kept for you on {date}",
    "py.l.received": "+ paid by your clients (without VAT)",
    "py.l.contribution": "− contribution to the hub",
    "py.l.costs": "− costs of your activity",
    "py.l.payouts": "− paid out to you",
    "py.l.closing": "= what the hub keeps for you on {date}",
    "py.l.invoiced": "Invoiced to your clients (without VAT)",
    "py.l.pending": "Your share of invoices not paid yet",
    "py.months": "Month by month",
    "py.c.invoiced": "Invoiced",
    "py.c.received": "Paid by clients",
    "py.c.contribution": "Contribution",
    "py.c.costs": "Costs",
    "py.c.payouts": "Paid to you",
    "py.c.balance": "Kept for you",
    "py.movements": "Every movement",
    "py.c.what": "What",
    "py.c.held": "For you",
    "py.c.owed": "You owe the hub",
    "py.none": "No movement this year.",
    "py.k.payment": "payment from a client",
    "py.k.expense": "cost of your activity",
    "py.k.payout": "payout to you",
    "py.k.credit-reversal": "credit note on an invoice already paid",
    "py.k.cash-sale": "sale paid in cash",
    "py.k.settlement": "payout returned (refused by the bank)",
    "py.k.payout-cancel": "payout cancelled before it was sent to the bank",
    # -- fees slips
    "fs.title": "281.50 slips: amounts per participant",
    "fs.amounts": "Amounts {year} per participant code",
    "fs.received": "Paid by her clients (excl. VAT)",
    "fs.contribution": "Contribution to the hub",
    "fs.attributed": "Attributed (zone {zone})",
    "fs.costs": "Costs charged (for information)",
    "fs.total": "Total (zone 2064)",
    "fs.paid": "Actually paid (zone 2065)",
    "fs.slip": "Slip (> {threshold} EUR)",
    "fs.codes_only": "Codes only: this document identifies no one.",
    "fs.rules": (
        "281.50 slip for commissions, fees and remunerations paid or attributed in the year, "
        "above 250 EUR per beneficiary (CIR 92 art. 57; RD/CIR 92 art. 30-31), due by 29 June "
        "of the next year in Belcotax-on-web; otherwise a separate assessment and fines "
        "(docs/fees-slips.md)."
    ),
    "fs.open": (
        "For the accountant and the lawyer to decide: the zone (2060 commissions or 2061 fees),"
        " expenses (2063), the threshold on the total or on what was paid, and first what the "
        "payouts legally are (docs/fees-slips.md, Q1-Q5)."
    ),
    "fs.disclosure": "What a slip discloses, and to whom",
    "fs.disclose_what": (
        "A 281.50 slip identifies a person (surname, first names, address, national number or "
        "birth data) and states that the hub paid her a given amount for services in the year."
    ),
    "fs.disclose_whom": (
        "It is sent to the SPF Finances (Belcotax), which uses it to tax the beneficiary. What "
        "of it may reach other services (social inspection, the immigration office, the police)"
        " was not established."
    ),
    "fs.disclose_lawyer": (
        "Whether to file slips for participants is for the hub's lawyer to decide."
    ),
    "fs.enabled": (
        "hub.toml: slips turned on (decision recorded). Identity data are produced only with "
        "--identities and the hub key, in a separate file (0600), never in the books."
    ),
    "fs.disabled": "hub.toml: slips not turned on; no identity data can be produced.",
    "fs.sheet_written": (
        "Separate file written: the data of {n} slip(s) with the identities, to encode in "
        "Belcotax-on-web. Keep it encrypted and destroy it once sent."
    ),
}


def context(key: str) -> str:
    """The catalogue's context of ``key``."""
    return KEY_CONTEXTS.get(key) or PREFIX_CONTEXTS.get(key.split(".")[0], "report")


def has(key: str) -> bool:
    return key in TEXTS


def t(lang: str, key: str, **values: Any) -> str:
    """The text of ``key`` in ``lang`` (fr, nl or en), with ``values`` filled in."""
    text = translate(lang, TEXTS[key], context(key))
    return text.format(**values) if values else text


__all__ = ["LANGS", "TEXTS", "context", "has", "t"]
