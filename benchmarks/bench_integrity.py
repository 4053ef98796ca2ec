"""Benchmark: what integrity costs, as ratios against a bare Beancount load of the same books.

    .venv/bin/python benchmarks/bench_integrity.py [--entries 5000] [--keep DIR]

Builds fictional books with ``--entries`` transactions in last year, closes that year, then
measures: a Beancount load of the books (``loader._load``, as the other benchmarks; in this
process it runs through our guard, so it includes the plugins), ``Books.load`` (the same plus
the anchors reading the close tags), ``close-year`` (chain, seal, commit, tag), ``verify``
(the chain rebuilt from the tag's commit and compared with the books) and ``export audit``.
Nothing is asserted: timings depend on the machine; the ratios are what to compare.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from beancount import loader  # noqa: E402

from ledger.audit.export import export_audit  # noqa: E402
from ledger.audit.verify import verify_books  # noqa: E402
from ledger.books import Books, git  # noqa: E402
from ledger.config import BankAccount, HubConfig, HubIdentity  # noqa: E402
from ledger.layout import init_books  # noqa: E402
from ledger.money.closing import close_year  # noqa: E402


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def build(root: Path, entries: int, year: int) -> Books:
    config = HubConfig(
        id="bench-integrity",
        hub=HubIdentity(name="Hub Bench ASBL", enterprise_number="0403170701"),
        bank_accounts=[BankAccount(iban="BE68539007547034")],
    )
    init_books(root, config, dt.date(year, 1, 1))
    lines = []
    for i in range(entries):
        day = dt.date(year, 1, 1) + dt.timedelta(days=i % 365)
        lines.append(
            f'{day.isoformat()} * "frais {i}"\n  kind: "bench"\n'
            f"  Expenses:Frais-bancaires  {1 + i % 97}.{i % 100:02d} EUR\n  Assets:Caisse\n"
        )
    (root / f"{year}").mkdir()
    (root / f"{year}/bench.beancount").write_text("\n".join(lines))
    main = root / "main.beancount"
    main.write_text(main.read_text() + f'include "{year}/bench.beancount"\n')
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "bench entries")
    return Books.open(root)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--keep", help="keep the books in this folder")
    args = parser.parse_args()
    year = dt.date.today().year - 1
    tmp = Path(tempfile.mkdtemp(prefix="bench-integrity-"))
    os.environ.setdefault("XDG_CONFIG_HOME", str(tmp / "xdg"))
    try:
        books = build(tmp / "books", args.entries, year)
        main_file = str(books.main_file)
        t_close, _ = timed(lambda: close_year(books, year))
        t_bare = min(
            timed(lambda: loader._load([(main_file, True)], None, None, None))[0] for _ in range(3)
        )
        t_load = min(timed(lambda: books.load())[0] for _ in range(3))
        ledger = books.load()
        assert not ledger.errors, ledger.errors[:3]
        t_verify, report = timed(lambda: verify_books(books))
        assert report.ok
        t_export, _ = timed(lambda: export_audit(books, f"close-{year}", tmp / "export"))
        print(f"{args.entries} entries sealed")
        for name, seconds in (
            ("beancount load", t_bare),
            ("Books.load (+ anchors)", t_load),
            ("close-year", t_close),
            ("verify", t_verify),
            ("export audit", t_export),
        ):
            print(f"  {name:<38} {seconds:7.3f} s   {seconds / t_bare:5.2f} × a load")
        if args.keep:
            shutil.copytree(tmp / "books", args.keep)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
