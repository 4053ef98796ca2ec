"""Helpers for the importer tests (importable as ``bank_support``): fictional statements,
the test hub's settings, books created in-process, the sample folders.

Every name, IBAN and amount here is invented; IBANs have valid check digits only.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"

import pytest

from importers.minimise import KnownParties
from importers.model import Detail, Movement, Statement
from importers.settings import BankRef, ImportSettings, Rule
from ledger.books import Books
from ledger.config import BankAccount, HubConfig, HubIdentity, ImportRule
from ledger.demo.coda_writer import CodaHeader, write_coda
from ledger.layout import init_books

HERE = Path(__file__).resolve().parent
DOCUMENTS = HERE / "documents"
REPO = HERE.parents[1]
SAMPLES = REPO.parent / "shared" / "samples"

IBAN = "BE68539007547034"  # the hub's (textbook IBAN, no bank behind it)
OTHER_IBAN = "BE43730004200601"  # an account the hub does not have
CLIENT_IBAN = "BE25944771278282"
SUPPLIER_IBAN = "BE66926197306943"
ACCOUNT = "Assets:Banque:Courant"
START = dt.date(2026, 1, 1)

SAVINGS_IBAN = "BE62510007547061"  # the hub's second account (golden files only)
SAVINGS = "Assets:Banque:Epargne"

# The roster the settings below carry: one fictional participant whom no document names
# (beangulp's importers refuse to extract with settings that carry no roster; books give
# theirs through importers.ingest.settings_from_books, see test_imp_ingest_roster.py).
ROSTER_VALUES = ("Zelinda", "Zelinda Fictaria", "BE14063123456783")
SETTINGS = ImportSettings(
    banks=(BankRef(IBAN, ACCOUNT, "Compte courant"), BankRef(SAVINGS_IBAN, SAVINGS, "Epargne")),
    rules=(Rule("Expenses:Frais-bancaires", contains="FRAIS DE GESTION", narration="Bank fees"),),
    known=KnownParties.of(roster_values=ROSTER_VALUES),
)
HEADER = CodaHeader(bank_id="539", bic="GKCCBEBB", holder="HUB TEST ASBL")


def samples(folder: str) -> Path:
    """A folder of ../shared/samples, or skip when the reference material is absent."""
    path = SAMPLES / folder
    if not path.is_dir():
        pytest.skip(f"{path} is absent (fresh clone without ../shared)")
    return path


def move(
    day: dt.date, amount: str, text: str = "", ogm: str | None = None,
    who: str | None = None, iban: str | None = None,
) -> Movement:  # fmt: skip
    return Movement(
        ref="",
        booking_date=day,
        value_date=day,
        amount=Decimal(amount),
        currency="EUR",
        communication=text,
        ogm=ogm,
        counterparty_name=who,
        counterparty_account=iban,
    )


def statement(
    number: int, opening: str, movements: list[Movement], iban: str = IBAN,
    opening_date: dt.date | None = None,
) -> Statement:  # fmt: skip
    """A consistent statement: its closing balance is opening + movements."""
    days = [m.booking_date for m in movements]
    start = opening_date or (min(days) - dt.timedelta(days=1) if days else START)
    total = sum((m.amount for m in movements), Decimal(0))
    return Statement(
        format="coda",
        account=iban,
        iban=iban,
        currency="EUR",
        opening_balance=Decimal(opening),
        opening_date=start,
        closing_balance=Decimal(opening) + total,
        closing_date=max(days) if days else start,
        sequence=f"{number:03d}",
        movements=tuple(movements),
    )


def coda(*statements: Statement, newline: str = "\n") -> bytes:
    return write_coda(list(statements), HEADER, newline=newline)


def day(month: int, dom: int) -> dt.date:
    return dt.date(2026, month, dom)


def hub_config(rules: list[ImportRule] | None = None) -> HubConfig:
    return HubConfig(
        id="hub-test-import",
        hub=HubIdentity(
            name="Hub Test ASBL",
            enterprise_number="0403170701",
            address="Rue de l'Essai 1",
            postal_code="1030",
            city="Schaerbeek",
        ),
        bank_accounts=[BankAccount(iban=IBAN, account=ACCOUNT, label="Compte courant")],
        import_rules=rules or [],
    )


def make_books(root: Path, rules: list[ImportRule] | None = None) -> Books:
    """Fresh books (opened on 2026-01-01), created in-process."""
    books, _key = init_books(root, hub_config(rules), START)
    return books


def camt(st: Statement, version: str = "02") -> bytes:
    """A minimal camt.053 document for ``st`` (tests only)."""

    def bal(code: str, amount: Decimal, when: dt.date) -> str:
        sign = "CRDT" if amount >= 0 else "DBIT"
        return (
            f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
            f'<Amt Ccy="{st.currency}">{abs(amount):.2f}</Amt><CdtDbtInd>{sign}</CdtDbtInd>'
            f"<Dt><Dt>{when.isoformat()}</Dt></Dt></Bal>"
        )

    def tx(m: Movement | Detail, amount: Decimal, e2e: str | None) -> str:
        party = "Dbtr" if amount >= 0 else "Cdtr"
        who = f"<{party}><Nm>{m.counterparty_name}</Nm></{party}>" if m.counterparty_name else ""
        acct = (f"<{party}Acct><Id><IBAN>{m.counterparty_account}</IBAN></Id></{party}Acct>"
                if m.counterparty_account else "")  # fmt: skip
        remit = (f"<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>BBA</Issr></Tp>"
                 f"<Ref>{m.ogm}</Ref></CdtrRefInf></Strd>" if m.ogm
                 else f"<Ustrd>{m.communication}</Ustrd>")  # fmt: skip
        sign = "CRDT" if amount >= 0 else "DBIT"
        refs = f"<Refs><EndToEndId>{e2e}</EndToEndId></Refs>" if e2e else ""
        return (f'<TxDtls>{refs}<Amt Ccy="EUR">{abs(amount):.2f}</Amt><CdtDbtInd>{sign}</CdtDbtInd>'
                f"<RltdPties>{who}{acct}</RltdPties><RmtInf>{remit}</RmtInf></TxDtls>")  # fmt: skip

    entries = []
    for index, m in enumerate(st.movements, start=1):
        sign = "CRDT" if m.amount >= 0 else "DBIT"
        if m.details:
            txs = "".join(tx(d, d.amount or Decimal(0), d.end_to_end_id) for d in m.details)
        else:
            txs = tx(m, m.amount, m.end_to_end_id)
        entries.append(
            f'<Ntry><Amt Ccy="{m.currency}">{abs(m.amount):.2f}</Amt><CdtDbtInd>{sign}</CdtDbtInd>'
            f"<Sts>BOOK</Sts><BookgDt><Dt>{m.booking_date.isoformat()}</Dt></BookgDt>"
            f"<AcctSvcrRef>CAMT-{st.sequence}-{index}</AcctSvcrRef><NtryDtls>{txs}</NtryDtls>"
            f"</Ntry>"
        )
    assert st.opening_balance is not None and st.closing_balance is not None
    assert st.opening_date is not None and st.closing_date is not None
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:'
        f'xsd:camt.053.001.{version}"><BkToCstmrStmt><GrpHdr><MsgId>T</MsgId></GrpHdr><Stmt>'
        f"<Id>S{st.sequence}</Id><LglSeqNb>{st.sequence}</LglSeqNb><Acct><Id><IBAN>{st.iban}"
        f"</IBAN></Id><Ccy>{st.currency}</Ccy></Acct>"
        + bal("OPBD", st.opening_balance, st.opening_date)
        + bal("CLBD", st.closing_balance, st.closing_date)
        + "".join(entries)
        + "</Stmt></BkToCstmrStmt></Document>"
    ).encode()
