"""The demo hub's year of invoices and credit notes, through the real issuing path."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from invoicing_support import YEAR

from invoicing import numbering
from invoicing.clients import read_clients
from invoicing.status import invoice_statuses
from invoicing.validation import Validator
from ledger.config import normalize_enterprise_number
from ledger.demo import DEMO_PARTICIPANTS, demo_config
from ledger.demo.invoicing import enterprise_number, populate
from ledger.layout import init_books
from ledger.participants import add_participant


def test_enterprise_numbers_have_valid_checksums() -> None:
    rng = random.Random(1)
    for _ in range(200):
        number = enterprise_number(rng)
        assert normalize_enterprise_number(number) == number


def test_demo_year(tmp_path: Path, validator: Validator) -> None:
    books, _ = init_books(tmp_path / "demo", demo_config(YEAR), dt.date(YEAR, 1, 1))
    rng = random.Random(2025)
    aliases = []
    for alias, activity, month in DEMO_PARTICIPANTS:
        add_participant(books, alias=alias, activity=activity, day=dt.date(YEAR, month, 5))
        aliases.append(alias)
    populate(books, rng, YEAR)
    ledger = books.load()
    assert not ledger.errors, books.error_lines(ledger)
    docs = numbering.issued(ledger.entries)
    invoices = [d for d in docs if d.kind == "invoice"]
    credits = [d for d in docs if d.kind == "credit-note"]
    assert 50 <= len(invoices) <= 60 and len(credits) >= 3
    assert len({d.entry.meta["participant"] for d in invoices}) >= 5
    clients = read_clients(books)
    assert any(c.is_business for c in clients.values())
    assert any(not c.is_business for c in clients.values())
    statuses = invoice_statuses(ledger.entries, books.config, dt.date(YEAR, 12, 31))
    assert sum(s.status == "credited" for s in statuses) >= 3
    xml_files = sorted((books.root / "documents" / "invoices" / str(YEAR)).glob("*.xml"))
    assert xml_files
    for path in xml_files:
        report = validator.validate_file(path)
        assert report.ok, (path.name, [f.rule for f in report.fatal])
    for path in (books.root / "documents").rglob("*"):
        if path.is_file():
            blob = path.read_bytes()
            assert not any(a.encode() in blob for a in aliases), path
