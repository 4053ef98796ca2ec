"""Builders and fixtures for the money tests: small fictional hubs, through the real write
path or in memory.

Bank movements are written as the bank importer writes them (``kind: "bank"``, link
``^bank-<ref>``, ``bank-ref``, ``counterparty``, ``counterparty-iban``, ``communication``,
``ogm``; to ``clients`` with the invoice's link when the OGM is an issued invoice's, else
to suspense flagged ``!``), so these tests do not depend on a bank file format.
All names, IBANs and amounts are fictional.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from beancount.core import data

from ledger.books import Books
from ledger.config import BankAccount, ContributionSettings, HubConfig, HubIdentity, RateChange
from ledger.entries import posting
from ledger.layout import init_books
from ledger.participants import open_entries

os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"

HUB_IBAN = "BE68539007547034"
# Fictional client and participant accounts (valid check digits, made up).
CLIENT_IBANS = ("BE21001234567803", "BE91001345678976", "BE77001456789042")
PAYEE_IBAN = "BE48001123456727"
CODES = ("P-7K3Q9X", "P-2M8D4R", "P-9H6T1W")
TODAY = dt.date(2027, 1, 15)  # the day these books stand on: every 2026 date is past


def make_config(year: int = 2026, rate: str = "10", regime: str = "exempt") -> HubConfig:
    return HubConfig(
        id="hub-test-money",
        hub=HubIdentity(
            name="Hub Test Money ASBL",
            enterprise_number="0403170701",
            vat_regime=regime,  # type: ignore[arg-type]
            vat_number="BE0403170701" if regime != "exempt" else None,
            address="Rue de l'Essai 1",
            postal_code="1000",
            city="Bruxelles",
        ),
        bank_accounts=[BankAccount(iban=HUB_IBAN)],
        contribution=ContributionSettings(
            rate=rate, changes=[RateChange(since=dt.date(year, 7, 1), rate="12")]
        ),
    )


def new_books(root: Path, year: int = 2026, regime: str = "exempt") -> Books:
    books, _ = init_books(root, make_config(year, regime=regime), dt.date(year, 1, 1))
    with books.transaction("participants: fixed codes for tests") as tx:
        for index, code in enumerate(CODES):
            tx.add_entries(
                open_entries(books.config, code, dt.date(year, 1, 2 + index), "catering"),
                kind="participants",
            )
    return books


# ---------------------------------------------------------------- fixtures
# (imported by the test modules: a conftest.py here would shadow the top-level one for
# ``from conftest import …`` under pytest's default import mode)


@pytest.fixture(name="key_env")
def key_env_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keys under a temporary XDG config home; a neutral git identity."""
    xdg = tmp_path / "xdg"
    xdg.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    monkeypatch.delenv("COOPLEDGER_KEY_FILE", raising=False)
    monkeypatch.setenv("GIT_AUTHOR_NAME", "coopledger tests")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "tests@example.invalid")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "coopledger tests")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "tests@example.invalid")
    return xdg


@pytest.fixture(name="books")
def books_fixture(tmp_path: Path, key_env: Path) -> Iterator[Books]:
    """Fresh books of a fictional exempt hub with the three test participants."""
    yield new_books(tmp_path / "books")


def add_client(books: Books, name: str = "Client Fictif SRL") -> str:
    from invoicing.clients import add_client as _add

    return _add(books, {"name": name, "address": "Rue Imaginaire 2, 1000 Bruxelles"}).id


def issue(books: Books, code: str, client: str, amount: str, day: dt.date, vat: str = "0") -> Any:
    """Issue an invoice through the invoicing package; returns its Document."""
    from invoicing.issue import IssueRequest, issue_invoice
    from invoicing.models import LineInput

    req = IssueRequest(
        participant=code,
        client=client,
        lines=[
            LineInput(
                description="Prestation fictive",
                quantity=Decimal(1),
                unit_price=Decimal(amount),
                vat_rate=Decimal(vat),
            )
        ],
        date=day,
    )
    return issue_invoice(books, req, today=dt.date(day.year, 12, 31)).document


def bank_entry(
    config: HubConfig,
    ref: str,
    day: dt.date,
    amount: str | Decimal,
    *,
    invoice: str | None = None,
    ogm: str | None = None,
    counterparty: str = "",
    iban: str = "",
    communication: str = "",
    extra: dict[str, Any] | None = None,
) -> data.Transaction:
    """A bank movement as the importer books it (``importers/entries.py``)."""
    number = Decimal(str(amount))
    meta: dict[str, Any] = {"kind": "bank", "bank-ref": ref}
    # As the importer does: who the hub pays may be a participant, so for money going out
    # only the last four characters of the account are kept.
    if counterparty and number > 0:
        meta["counterparty"] = counterparty
    if iban and number > 0:
        meta["counterparty-iban"] = iban
    elif iban:
        meta["counterparty-iban-last4"] = iban[-4:]
    if communication:
        meta["communication"] = communication
    if ogm:
        meta["ogm"] = ogm
    meta.update(extra or {})
    links = {f"bank-{ref}"}
    if invoice:
        links.add(f"inv-{invoice}")
        other = config.account("clients")
        flag = "*"
    else:
        other = config.account("suspense")
        flag = "!"
    return data.Transaction(
        data.new_metadata("<test>", 0, meta),
        day,
        flag,
        None,
        "Bank movement",
        frozenset(),
        frozenset(links),
        [posting(config.main_bank.account, number), posting(other, -number)],
    )


def fill_cash(books: Books, amount: str, day: dt.date) -> None:
    """Cash taken from the bank into the cash box (the cash box is never below zero)."""
    from ledger.money.cash import book_transfer

    book_transfer(books, "withdraw", amount, day, today=TODAY)


def import_bank(books: Books, *entries: data.Transaction) -> None:
    with books.transaction("test: bank movements") as tx:
        tx.add_entries(list(entries), kind="bank")


# ---------------------------------------------------------------- in memory (property tests)


def open_all(config: HubConfig, day: dt.date) -> list[data.Directive]:
    """The hub's chart and the test participants' accounts, as entries."""
    from ledger.layout import chart_entries

    out = list(chart_entries(config, day))
    for code in CODES:
        out.extend(open_entries(config, code, day, "catering"))
    return out


def invoice_entry(
    config: HubConfig, seq: int, code: str, client: str, day: dt.date, net: Decimal,
    vat: Decimal = Decimal(0),
) -> data.Transaction:  # fmt: skip
    """An invoice entry with the invoicing package's own postings (the share accrued)."""
    from invoicing.entries import document_postings
    from invoicing.ogm import make_ogm

    number = f"{day.year}-{seq:04d}"
    meta = {
        "kind": "invoice", "invoice": number, "ogm": make_ogm(day.year, seq),
        "participant": code, "client": client, "due": day + dt.timedelta(days=30),
        "series": str(day.year), "seq": Decimal(seq),
    }  # fmt: skip
    postings = document_postings(config, "invoice", code, net, vat)
    return data.Transaction(
        data.new_metadata("<test>", 0, meta), day, "*", None, f"Invoice {number} to {client}",
        frozenset(), frozenset({f"inv-{number}"}), postings,
    )  # fmt: skip


def credit_note_entry(
    config: HubConfig, seq: int, invoice: data.Transaction, day: dt.date, net: Decimal,
    vat: Decimal = Decimal(0),
) -> data.Transaction:  # fmt: skip
    """A credit note on ``invoice`` with the invoicing package's own postings."""
    from invoicing.entries import document_postings

    number = f"NC{day.year}-{seq:04d}"
    code = str(invoice.meta["participant"])
    meta = {
        "kind": "credit-note", "credit-note": number, "invoice": invoice.meta["invoice"],
        "participant": code, "client": invoice.meta["client"], "series": str(day.year),
        "seq": Decimal(seq),
    }  # fmt: skip
    return data.Transaction(
        data.new_metadata("<test>", 0, meta), day, "*", None,
        f"Credit note {number} on invoice {invoice.meta['invoice']}", frozenset(),
        frozenset({f"cn-{number}", f"inv-{invoice.meta['invoice']}"}),
        document_postings(config, "credit-note", code, net, vat),
    )  # fmt: skip
