"""What the reports cost, as ratios against a bare beancount load.

Builds the demo hub (``coopledger demo build``) in a temporary directory, loads its entries
once with beancount alone (the plugin lines removed from a copy of ``main.beancount``),
then times the fold of the books into DataFrames (``reports.frame.fold``) and each report
built from it (the treasurer's with the folds of the books it asks for, ``ledger.view``),
rendering included (xlsx, PDF). The ratio printed is each one's time over the bare load's.
Run::

    .venv/bin/python benchmarks/bench_reports.py [--year 2025] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"

from beancount import loader

from ledger.demo import build_demo
from reports import annual, fees, ledgers, treasurer, trial_balance
from reports.common import header
from reports.frame import fold
from reports.pdf import render_pdf
from reports.period import Period
from reports.xlsx import render_xlsx


def _timed(repeat: int, work: Callable[[], Any]) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        work()
    return (time.perf_counter() - start) / repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_CONFIG_HOME"] = tmp
        books = build_demo(Path(tmp) / "demo", year=args.year)
        main_file = books.root / "main.beancount"
        bare = books.root / "bare.beancount"
        bare.write_text(
            "".join(line for line in main_file.read_text().splitlines(keepends=True)
                    if not line.startswith("plugin "))
        )  # fmt: skip
        load = _timed(args.repeat, lambda: loader._load([(str(bare), True)], None, None, None))
        entries = books.load().entries
        year = max(e.date.year for e in entries if hasattr(e, "postings"))
        year = year if args.year is None else args.year
        period = Period.of_year(year - 1 if args.year is None else year)
        print(f"{len(entries)} entries; a bare beancount load: {load * 1000:.0f} ms")
        frames = fold(entries, books.config, books.root)
        head = header(frames, "fr", period)

        def treasurer_pdf() -> bytes:
            frames.views.clear()  # the folds of the books it asks for, each time
            month = Period.of_month(f"{period.end.year}-12")
            return render_pdf(treasurer.build(frames, month, "fr", head, period.end, 0))

        steps: dict[str, Callable[[], Any]] = {
            "fold": lambda: fold(entries, books.config, books.root),
            "trial-balance (xlsx)": lambda: render_xlsx(
                trial_balance.build(frames, period, "fr", head)
            ),
            "journals (xlsx)": lambda: render_xlsx(ledgers.journals(frames, period, "fr", head)),
            "general-ledger (xlsx)": lambda: render_xlsx(
                ledgers.general_ledger(frames, period, "fr", head)
            ),
            "annual-accounts (pdf)": lambda: render_pdf(annual.build(frames, period, "fr", head)),
            "treasurer (pdf)": treasurer_pdf,
            "fees-slips (xlsx)": lambda: render_xlsx(
                fees.build(frames, period.end.year, "fr", head)
            ),
        }
        for name, work in steps.items():
            spent = _timed(args.repeat, work)
            print(f"  {name:<24} {spent * 1000:8.1f} ms   ratio {spent / load:.2f}")


if __name__ == "__main__":
    main()
