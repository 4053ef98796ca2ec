"""The books' journals: which journal each entry belongs to and its number in it.

One computation for everyone who numbers entries — ``coopledger report journals`` and the
auditor's export (:mod:`ledger.audit.export`) — so an entry has the same journal and number
wherever an accountant or an auditor meets it.

* ``VEN`` sales: invoices and credit notes;
* ``ACH`` purchases and costs;
* ``BQ1``, ``BQ2``… one per bank account of the hub, in the order they were opened;
* ``CAI`` the cash box;
* ``OD`` miscellaneous operations (allocations, contributions, grants, year-end…);
* ``AN`` the opening balances (à-nouveaux), which carry no number of their own.

Entries are numbered per journal and calendar year, from 1, gapless, in the order of the
hash chain (date, then the sha256 of the entry's canonical record:
:mod:`ledger.integrity.chain`), so the numbers do not depend on how the entries are spread
over files, and a report of part of a year shows the numbers of the whole year.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from beancount.core import data

from ledger.integrity.chain import content_hash, entry_fields

OPENING = "AN"
SALES = "VEN"
PURCHASES = "ACH"
CASH = "CAI"
MISC = "OD"
BANK_PREFIX = "BQ"
LABELS = {
    OPENING: "À-nouveaux (soldes d'ouverture)",
    SALES: "Ventes (factures et notes de crédit)",
    PURCHASES: "Achats et frais",
    CASH: "Caisse",
    MISC: "Opérations diverses",
}
SALES_KINDS = frozenset({"invoice", "credit-note"})
PURCHASE_KINDS = frozenset({"expense"})  # costs, and purchase invoices received (issue 13)
ORDER = (OPENING, SALES, PURCHASES, BANK_PREFIX, CASH, MISC)


@dataclass(frozen=True)
class Ledgers:
    """The hub's bank and cash accounts, from their ``open`` entries."""

    banks: dict[str, str]  # account -> journal code (BQ1…)
    bank_labels: dict[str, str]  # journal code -> label
    cash: frozenset[str]

    @classmethod
    def of(cls, opens: Mapping[str, data.Open]) -> Ledgers:
        banks = sorted(
            (e for e in opens.values() if (e.meta or {}).get("role") == "bank"),
            key=lambda e: (e.date, e.account),
        )
        codes = {e.account: f"{BANK_PREFIX}{n}" for n, e in enumerate(banks, start=1)}
        labels = {}
        for e in banks:
            meta = e.meta or {}
            iban = str(meta.get("iban", "") or "")
            name = str(meta.get("label", "") or e.account.rsplit(":", 1)[-1])
            labels[codes[e.account]] = f"Banque {name}" + (f" ({iban})" if iban else "")
        cash = frozenset(a for a, e in opens.items() if (e.meta or {}).get("role") == "cash")
        return cls(codes, labels, cash)

    def label(self, journal: str) -> str:
        return self.bank_labels.get(journal) or LABELS.get(journal, journal)


def opens_of(entries: Iterable[data.Directive]) -> dict[str, data.Open]:
    return {e.account: e for e in entries if isinstance(e, data.Open)}


def journal_of(entry: data.Transaction, ledgers: Ledgers) -> str:
    """The journal of a transaction: by its kind, else by the money account it moves."""
    kind = str(entry.meta.get("kind", ""))
    if kind in SALES_KINDS:
        return SALES
    if kind in PURCHASE_KINDS:
        return PURCHASES
    accounts = [p.account for p in entry.postings]
    bank = next((ledgers.banks[a] for a in accounts if a in ledgers.banks), None)
    if bank is not None:
        return bank
    if any(a in ledgers.cash for a in accounts):
        return CASH
    return MISC


def chain_order(entry: data.Transaction) -> tuple[dt.date, int, str]:
    """The order of the hash chain: date, then the canonical record's sha256 (transactions
    the pad plugin synthesises, which the chain does not cover, come last on their day)."""
    return (entry.date, 1 if entry.flag == "P" else 0, content_hash(entry_fields(entry, "")))


def journal_sort_key(journal: str) -> tuple[int, str]:
    for index, prefix in enumerate(ORDER):
        if journal == prefix or (prefix == BANK_PREFIX and journal.startswith(prefix)):
            return index, journal
    return len(ORDER), journal


@dataclass(frozen=True)
class Numbered:
    """A transaction with its journal and its number in that journal for its year."""

    entry: data.Transaction
    journal: str
    number: int


def number_entries(entries: Iterable[data.Directive], ledgers: Ledgers) -> list[Numbered]:
    """Every transaction, in chain order, numbered per journal and calendar year."""
    txns = sorted((e for e in entries if isinstance(e, data.Transaction)), key=chain_order)
    counters: dict[tuple[int, str], int] = defaultdict(int)
    out = []
    for entry in txns:
        journal = journal_of(entry, ledgers)
        counters[(entry.date.year, journal)] += 1
        out.append(Numbered(entry, journal, counters[(entry.date.year, journal)]))
    return out


def participant_of(account: str, posting: data.Posting, entry: data.Transaction) -> str:
    """The participant code a posting concerns (from the account, else the metadata)."""
    for part in account.split(":"):
        if part.startswith("P-") and len(part) == 8:
            return part
    return str((posting.meta or {}).get("participant") or entry.meta.get("participant") or "")


def piece_of(entry: data.Transaction) -> str:
    """The reference of the document an entry rests on (invoice number, else its first
    link: ``bank-…``, ``exp-…``, ``po-…``, ``cash-…``, ``grant-…``)."""
    for key in ("credit-note", "invoice"):
        if entry.meta.get("kind") == key and entry.meta.get(key):
            return str(entry.meta[key])
    return sorted(entry.links)[0] if entry.links else ""
