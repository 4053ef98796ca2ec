"""The books folded into pandas DataFrames: the one layer every report is built on.

:func:`fold` reads the entries once and gives two frames:

* ``postings`` — one row per posting of every transaction: ``entry`` (position in the
  load), ``date``, ``year``, ``journal`` and ``number`` (:mod:`ledger.view.journals`), ``kind``,
  ``flag``, ``narration``, ``piece`` (the document it rests on), ``links``, ``documents``
  (books-relative paths of the files linked to the entry), ``account``, ``root``
  (``Assets``…), ``pcmn``, ``role``, ``label``, ``participant`` (a code, never a name),
  ``grant``, ``amount`` (its weight, an exact :class:`~decimal.Decimal`, debit positive),
  ``money`` (a bank account or the cash box: PCMN 54-57);
* ``accounts`` — one row per opened account: ``account``, ``pcmn``, ``role``, ``label``,
  ``participant``, ``opened``, ``closed``;

and, beside them, the one fold of the books (:class:`ledger.view.View`: invoices and their
state, issued documents, bank lines, participants' balances), once for the whole books
(``view``) and once per day a report stands on (:meth:`Frames.view_on`).

Amounts stay ``Decimal`` (object columns): :func:`dsum` sums them exactly, and every report
is a short transformation of these frames.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd
from beancount.core import convert, data

from ledger.config import HubConfig
from ledger.view import View
from ledger.view.journals import Ledgers, number_entries, opens_of, participant_of, piece_of
from plugins.sealed import SEAL_TYPE

ZERO = Decimal("0.00")
POSTING_COLUMNS = (
    "entry",
    "date",
    "year",
    "journal",
    "number",
    "kind",
    "flag",
    "narration",
    "piece",
    "links",
    "documents",
    "account",
    "root",
    "pcmn",
    "role",
    "label",
    "participant",
    "grant",
    "amount",
    "money",
)
LIQUID_RANGES = ("54-58",)  # cash at bank and in hand (58: transfers between them)
MONEY_RANGES = ("54-57",)  # the money accounts themselves: banks, the cash box
ACCOUNT_COLUMNS = ("account", "pcmn", "role", "label", "participant", "opened", "closed")
BALANCE_SHEET_ROOTS = ("Assets", "Liabilities", "Equity")
RESULT_ROOTS = ("Income", "Expenses")


def dsum(values: Iterable[object]) -> Decimal:
    """The exact sum of Decimal amounts (``0.00`` for none, never pandas' integer 0)."""
    total = ZERO
    for value in values:
        total += value  # type: ignore[operator]
    return total


@dataclass
class Frames:
    """The books as DataFrames, with what a report needs besides them."""

    config: HubConfig
    entries: list[data.Directive]
    postings: pd.DataFrame
    accounts: pd.DataFrame
    ledgers: Ledgers
    closed_years: set[int] = field(default_factory=set)
    first_date: dt.date | None = None  # of the first transaction
    last_date: dt.date | None = None
    views: dict[dt.date | None, View] = field(default_factory=dict, repr=False)  # by day

    @property
    def view(self) -> View:
        """The one fold of the whole books."""
        return self.view_on(None)

    def view_on(self, day: dt.date | None) -> View:
        """The one fold of the entries dated up to ``day`` (all of them for None), computed
        once per day asked."""
        if day not in self.views:
            entries = self.entries if day is None else [e for e in self.entries if e.date <= day]
            self.views[day] = View.of(entries, self.config)
        return self.views[day]

    def label(self, account: str) -> str:
        row = self.accounts[self.accounts["account"] == account]
        return str(row["label"].iloc[0]) if len(row) else account.rsplit(":", 1)[-1]

    def between(self, start: dt.date, end: dt.date) -> pd.DataFrame:
        """The postings dated within ``[start, end]``."""
        p = self.postings
        return p[(p["date"] >= start) & (p["date"] <= end)]

    def until(self, end: dt.date) -> pd.DataFrame:
        """The postings dated up to ``end`` included."""
        p = self.postings
        return p[p["date"] <= end]

    def before(self, start: dt.date) -> pd.DataFrame:
        p = self.postings
        return p[p["date"] < start]

    def has_entries(self, start: dt.date, end: dt.date) -> bool:
        return bool(len(self.between(start, end)))

    def is_closed(self, year: int) -> bool:
        return year in self.closed_years


def _relpath(filename: str, root: Path | None) -> str:
    if root is None or not os.path.isabs(filename):
        return filename
    try:
        return Path(filename).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(filename).name


def fold(entries: list[data.Directive], config: HubConfig, root: Path | None = None) -> Frames:
    """Every transaction's postings and every account, as DataFrames."""
    opens = opens_of(entries)
    ledgers = Ledgers.of(opens)
    closes = {e.account: e.date for e in entries if isinstance(e, data.Close)}
    documents: dict[str, list[str]] = defaultdict(list)
    closed_years: set[int] = set()
    for e in entries:
        if isinstance(e, data.Document):
            for link in e.links or ():
                documents[link].append(_relpath(e.filename, root))
        elif isinstance(e, data.Custom) and e.type == SEAL_TYPE and e.values:
            closed_years.add(int(str(e.values[0].value)))
    accounts = []
    for account, entry in sorted(opens.items()):
        meta = entry.meta or {}
        role = str(meta.get("role", "") or "")
        label = str(meta.get("label", "") or "")
        if not label and role in config.accounts:
            label = config.accounts[role].label
        accounts.append(
            {
                "account": account,
                "pcmn": str(meta.get("pcmn", "") or ""),
                "role": role,
                "label": label or account.rsplit(":", 1)[-1],
                "participant": str(meta.get("participant", "") or ""),
                "opened": entry.date,
                "closed": closes.get(account),
            }
        )
    info = {row["account"]: row for row in accounts}
    rows = []
    first = last = None
    for position, numbered in enumerate(number_entries(entries, ledgers)):
        e = numbered.entry
        first = e.date if first is None or e.date < first else first
        last = e.date if last is None or e.date > last else last
        links = sorted(e.links or ())
        docs = sorted({d for link in links for d in documents.get(link, ())})
        for p in e.postings:
            weight = convert.get_weight(p).number
            if weight is None:
                continue
            acc = info.get(p.account, {})
            rows.append(
                (
                    position,
                    e.date,
                    e.date.year,
                    numbered.journal,
                    numbered.number,
                    str(e.meta.get("kind", "") or ""),
                    e.flag,
                    e.narration or "",
                    piece_of(e),
                    " ".join(links),
                    " ".join(docs),
                    p.account,
                    p.account.split(":", 1)[0],
                    acc.get("pcmn", ""),
                    acc.get("role", ""),
                    acc.get("label", p.account.rsplit(":", 1)[-1]),
                    participant_of(p.account, p, e),
                    str(e.meta.get("grant", "") or ""),
                    weight,
                    pcmn_in(str(acc.get("pcmn", "")), MONEY_RANGES),
                )
            )
    postings = pd.DataFrame.from_records(rows, columns=list(POSTING_COLUMNS))
    postings = postings.astype(
        {"amount": object, "date": object, "entry": int, "year": int, "number": int, "money": bool}
    )
    frame_accounts = pd.DataFrame.from_records(accounts, columns=list(ACCOUNT_COLUMNS))
    return Frames(config, entries, postings, frame_accounts, ledgers, closed_years, first, last)


def balances(postings: pd.DataFrame, by: str | list[str] = "account") -> dict[object, Decimal]:
    """The sum of ``amount`` per value of ``by`` (exact; zero sums kept)."""
    if not len(postings):
        return {}
    grouped = postings.groupby(by, sort=True)["amount"]
    return {key: dsum(group) for key, group in grouped}


def pcmn_in(code: str, ranges: Iterable[str]) -> bool:
    """Whether a PCMN code falls in ranges written as prefixes (``"40"``) or spans
    (``"22-27"``, inclusive, compared on the span's length)."""
    for spec in ranges:
        if "-" in spec:
            low, high = spec.split("-", 1)
            head = code[: len(low)]
            if len(head) == len(low) and low <= head <= high:
                return True
        elif code.startswith(spec):
            return True
    return False
