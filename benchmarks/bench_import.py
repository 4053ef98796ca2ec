"""Import throughput against the time Beancount takes to load the same books.

    .venv/bin/python benchmarks/bench_import.py [--movements 5000] [--files 12]

Builds fresh books in a temporary directory, writes a year of CODA statements (one file
per month, weekly statements) with our own writer, then measures:

* reading (parsing and checking the CODA files),
* planning (categorising, deduplicating, balance checks against the books),
* the whole ``coopledger import`` path (lock, plan, write, reload with plugins, git commit),
* Beancount loading the resulting books (our guarded loader, no pickle cache).

It prints movements per second for each and the ratio of the import to one load of the
books. Nothing is asserted: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from importers.formats import read_statements
from importers.model import Movement, Statement
from importers.run import import_files
from importers.service import BankFile, plan_import
from importers.settings import ImportSettings
from ledger.config import BankAccount, HubConfig, HubIdentity
from ledger.demo.bank import random_iban
from ledger.demo.coda_writer import CodaHeader, write_coda
from ledger.layout import init_books

IBAN = "BE68539007547034"
YEAR = 2026


def make_files(count: int, months: int, rng: random.Random) -> list[BankFile]:
    """``count`` movements over a year, in weekly statements, one CODA file per month."""
    payers = [random_iban(rng) for _ in range(50)]
    start = dt.date(YEAR, 1, 1)
    moves = sorted(
        (
            Movement(
                ref="",
                booking_date=start + dt.timedelta(days=rng.randint(0, 364)),
                amount=Decimal(rng.randint(-40000, 90000)).scaleb(-2) or Decimal("1.00"),
                currency="EUR",
                counterparty_name=f"Payeur fictif {i % 50}",
                counterparty_account=payers[i % 50],
                communication=f"Paiement fictif {i}",
            )
            for i in range(count)
        ),
        key=lambda m: m.booking_date,
    )
    weeks: dict[tuple[int, int], list[Movement]] = {}
    for m in moves:
        weeks.setdefault(m.booking_date.isocalendar()[:2], []).append(m)
    balance, previous = Decimal("10000.00"), dt.date(YEAR - 1, 12, 31)
    per_month: dict[int, list[Statement]] = {}
    for number, key in enumerate(sorted(weeks), start=1):
        week = weeks[key]
        closing = balance + sum((m.amount for m in week), Decimal(0))
        last = max(m.booking_date for m in week)
        month = min(12, (last.month - 1) * months // 12 + 1)
        per_month.setdefault(month, []).append(
            Statement(format="coda", account=IBAN, iban=IBAN, currency="EUR",
                      opening_balance=balance, opening_date=previous, closing_balance=closing,
                      closing_date=last, sequence=f"{number:03d}", movements=tuple(week))
        )  # fmt: skip
        balance, previous = closing, last
    header = CodaHeader(bank_id="539", holder="HUB BENCH ASBL")
    return [
        BankFile(f"bench-{m:02d}.cod", write_coda(sts, header))
        for m, sts in sorted(per_month.items())
    ]


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movements", type=int, default=5000)
    parser.add_argument("--files", type=int, default=12, help="how many files (months)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("COOPLEDGER_KEY_FILE", str(Path(tmp) / "bench.key"))
        config = HubConfig(
            id="hub-bench",
            hub=HubIdentity(name="Hub Bench ASBL", enterprise_number="0403170701"),
            bank_accounts=[BankAccount(iban=IBAN)],
        )
        books, _ = init_books(Path(tmp) / "books", config, dt.date(YEAR, 1, 1))
        files = make_files(args.movements, args.files, rng)
        n = args.movements
        _, t_read = timed(lambda: [read_statements(f.data, f.name) for f in files])
        entries = books.load().entries
        settings = ImportSettings.from_config(books.config)
        _, t_plan = timed(lambda: plan_import(files, entries, settings))
        result, t_import = timed(lambda: import_files(books, files))
        led, t_load = timed(books.load)
        assert not led.errors, books.error_lines(led)[:3]
        written = result.summary()["movements"]
        print(f"{n} movements in {len(files)} CODA files; the books hold {len(led.entries)} "
              f"entries after the import ({written} movements written)")  # fmt: skip
        print(f"{'step':<38}{'seconds':>9}{'movements/s':>14}")
        for label, seconds in (
            ("read and check the files", t_read),
            ("plan (categorise, dedup, balances)", t_plan),
            ("coopledger import (write path)", t_import),
            ("beancount load of the same books", t_load),
        ):
            print(f"{label:<38}{seconds:>9.3f}{n / seconds:>14.0f}")
        print(f"import / load ratio: {t_import / t_load:.2f} (the write path itself loads")
        print("the books twice: before writing, under the lock, and after, to check them)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
