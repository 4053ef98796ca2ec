"""The demo's year of bank statements goes through the real import path."""

from __future__ import annotations

import datetime as dt
import random

from bank_support import hub_config
from beancount.core import data

from importers.text import iban_or_none
from ledger.dates import today as calendar_today
from ledger.demo.bank import populate, random_iban
from ledger.layout import init_books


def test_a_year_of_statements_is_imported(tmp_path) -> None:  # type: ignore[no-untyped-def]
    year = calendar_today().year - 1  # a finished year: nothing is dated after today
    books, _ = init_books(tmp_path / "books", hub_config(), dt.date(year, 1, 1))
    populate(books, random.Random(3), year)
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
