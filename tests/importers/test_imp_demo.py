"""The demo's year of bank statements goes through the real import path."""

from __future__ import annotations

import random

from bank_support import make_books
from beancount.core import data

from importers.text import iban_or_none
from ledger.demo.bank import populate, random_iban


def test_a_year_of_statements_is_imported(tmp_path) -> None:  # type: ignore[no-untyped-def]
    books = make_books(tmp_path / "books")
    populate(books, random.Random(3), 2026)
    led = books.load()
    assert not led.errors, books.error_lines(led)
    balances = [e for e in led.entries if isinstance(e, data.Balance)]
    files = [e for e in led.entries if isinstance(e, data.Custom) and e.type == "bank-file"]
    assert len(files) == 12 and len(balances) >= 20  # weekly statements, monthly files
    bank = [e for e in led.entries if isinstance(e, data.Transaction)
            and e.meta.get("kind") == "bank"]  # fmt: skip
    narrations = {e.narration for e in bank}
    assert {"Bank fees", "Rent of the workspace"} <= narrations  # the demo's import rules
    assert len(books.config.import_rules) == 2


def test_random_ibans_are_valid() -> None:
    rng = random.Random(1)
    assert all(iban_or_none(random_iban(rng)) for _ in range(200))
