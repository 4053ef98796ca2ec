"""Benchmark: invoices issued per second (PDF + UBL + entry through the write path),
against beancount's own load time of the same books.

Issuing an invoice loads the books under the lock, renders the PDF and the UBL, writes them
and the entry atomically, reloads the books with the plugins and commits to git; so the
cost of one invoice is mostly a few loads of the books. The ratio printed is the time of
one invoice over the time of one plain ``beancount.loader.load_file`` of the books.

    .venv/bin/python benchmarks/bench_invoicing.py [--seed-invoices 300] [--invoices 40]
        [--validate] [--keep DIR]

No assertion on wall-clock time: this prints numbers to compare over time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from beancount import loader  # noqa: E402

from invoicing.clients import add_client  # noqa: E402
from invoicing.issue import IssueRequest, issue_invoice  # noqa: E402
from invoicing.lines import parse_line  # noqa: E402
from invoicing.validation import DEFAULT_RULES_DIR, get_validator, rules_available  # noqa: E402
from ledger.books import Books  # noqa: E402
from ledger.config import HubConfig  # noqa: E402
from ledger.layout import init_books  # noqa: E402
from ledger.participants import add_participant  # noqa: E402

YEAR = dt.date.today().year - 1
TODAY = dt.date(YEAR, 12, 31)


def make_books(root: Path, regime: str) -> tuple[Books, list[str], list[str]]:
    config = HubConfig.model_validate(
        {
            "id": "bench-hub",
            "hub": {
                "name": "Hub Benchmark ASBL",
                "enterprise_number": "0403170701",
                "vat_regime": regime,
                "vat_number": None if regime == "exempt" else "BE0403170701",
                "address": "Rue du Banc 1",
                "postal_code": "1030",
                "city": "Schaerbeek",
            },
            "bank_accounts": [{"iban": "BE68539007547034", "bic": "GKCCBEBB"}],
        }
    )
    books, _ = init_books(root, config, dt.date(YEAR, 1, 1))
    codes = [
        add_participant(books, alias=f"Bench {i}", activity="catering", day=dt.date(YEAR, 1, 1))
        for i in range(5)
    ]
    clients = [
        add_client(books, {"name": "Banc Démo SRL", "enterprise_number": "0202239951"}).id,
        add_client(books, {"name": "Client Fictif Banc"}).id,
    ]
    return books, codes, clients


def issue_many(
    books: Books,
    codes: list[str],
    clients: list[str],
    count: int,
    start: int,
    validate: bool,
    rules: Path = DEFAULT_RULES_DIR,
) -> list[float]:
    validator = get_validator(rules) if validate else None
    rate = "21" if books.config.hub.vat_regime == "standard" else "0"
    timings = []
    for i in range(start, start + count):
        day = dt.date(YEAR, 1, 1) + dt.timedelta(days=min(i // 3, 360))
        request = IssueRequest(
            participant=codes[i % len(codes)],
            client=clients[i % len(clients)],
            lines=[
                parse_line(f"Buffet {i}|{1 + i % 30}|12.50|{rate}"),
                parse_line(f"Service|2|25|{rate}"),
            ],
            date=day,
        )
        t0 = time.perf_counter()
        issue_invoice(books, request, today=TODAY, validator=validator)
        timings.append(time.perf_counter() - t0)
    return timings


def load_time(books: Books, repeat: int = 3) -> float:
    """The best of ``repeat`` plain beancount loads of the books (no cache)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        _entries, errors, _options = loader.load_file(str(books.main_file))
        best = min(best, time.perf_counter() - t0)
        if errors:
            raise SystemExit(f"the benchmark books have errors: {errors[0].message}")
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed-invoices", type=int, default=300, help="invoices already booked")
    parser.add_argument("--invoices", type=int, default=40, help="invoices to time")
    parser.add_argument(
        "--regime", choices=["exempt", "franchise", "standard"], default="standard"
    )
    parser.add_argument("--validate", action="store_true", help="also run the Peppol validation")
    parser.add_argument(
        "--rules", metavar="DIR", type=Path, default=DEFAULT_RULES_DIR,
        help=f"Peppol rules for --validate (default {DEFAULT_RULES_DIR})",
    )  # fmt: skip
    parser.add_argument("--keep", metavar="DIR", help="build the books here and keep them")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args()
    if args.validate and not rules_available(args.rules):
        parser.error(f"no Peppol rules at {args.rules} (give --rules DIR)")

    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-invoicing-"))
    root = tmp / "books" if not args.keep else tmp
    key = tmp.parent / f"{tmp.name}.key" if args.keep else tmp / "bench.key"
    os.environ["COOPLEDGER_KEY_FILE"] = str(key)  # a throwaway key, never the user's
    try:
        books, codes, clients = make_books(root, args.regime)
        t0 = time.perf_counter()
        issue_many(books, codes, clients, args.seed_invoices, 0, validate=False)
        seeding = time.perf_counter() - t0
        before = load_time(books)
        timings = issue_many(
            books, codes, clients, args.invoices, args.seed_invoices, args.validate, args.rules
        )
        after = load_time(books)
        per_invoice = statistics.mean(timings)
        load = (before + after) / 2
        result = {
            "regime": args.regime,
            "validate": args.validate,
            "books_invoices": args.seed_invoices + args.invoices,
            "entries": len(loader.load_file(str(books.main_file))[0]),
            "seeding_invoices_per_second": round(args.seed_invoices / seeding, 2)
            if args.seed_invoices
            else None,
            "invoices_per_second": round(1 / per_invoice, 2),
            "seconds_per_invoice": {
                "mean": round(per_invoice, 4),
                "median": round(statistics.median(timings), 4),
                "max": round(max(timings), 4),
            },
            "beancount_load_seconds": round(load, 4),
            "ratio_invoice_to_load": round(per_invoice / load, 2),
        }
        print(f"books: {result['books_invoices']} invoices, {result['entries']} entries")
        print(
            f"issued {args.invoices} invoices (PDF + UBL + entry"
            f"{' + Peppol validation' if args.validate else ''}): "
            f"{result['invoices_per_second']} invoices/s, "
            f"{per_invoice * 1000:.1f} ms each (median {statistics.median(timings) * 1000:.1f} ms)"
        )
        print(f"beancount load_file of the same books: {load * 1000:.1f} ms")
        print(f"ratio (one invoice / one beancount load): {result['ratio_invoice_to_load']}")
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
