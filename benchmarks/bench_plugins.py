"""What the invariant plugins cost, as ratios against a bare beancount load.

Builds the demo hub (``coopledger demo``) in a temporary directory, loads its entries
once with beancount alone (the plugin lines removed from a copy of ``main.beancount``),
then times each of coopledger's plugins on those entries. Each plugin makes one pass over
the entries; the ratio printed is its time over the bare load's. Run::

    .venv/bin/python benchmarks/bench_plugins.py [--year 2025] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"

from beancount import loader

from ledger.demo import build_demo
from ledger.view import View
from plugins.invoices import check_invoices
from plugins.money import check_money
from plugins.participants import check_participants
from plugins.privacy import check_privacy
from plugins.reconciliation import check_reconciliation
from plugins.sealed import check_sealed_years

PLUGINS = (check_participants, check_privacy, check_invoices, check_reconciliation,
           check_money, check_sealed_years)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=5)
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
        start = time.perf_counter()
        for _ in range(args.repeat):
            entries, _errors, options = loader._load([(str(bare), True)], None, None, None)
        load = (time.perf_counter() - start) / args.repeat
        print(f"{len(entries)} entries; a bare beancount load: {load * 1000:.0f} ms")
        total = 0.0
        for plugin in PLUGINS:
            start = time.perf_counter()
            for _ in range(args.repeat):
                plugin(entries, options)
            spent = (time.perf_counter() - start) / args.repeat
            total += spent
            print(f"  {plugin.__module__:<24} {spent * 1000:7.1f} ms   ratio {spent / load:.3f}")
        print(f"all plugins / bare load: {total / load:.3f}")
        # plugins.money's time includes the fold (View.of): on a load by coopledger that
        # fold is the load's own, which every reader after the plugins shares
        start = time.perf_counter()
        for _ in range(args.repeat):
            View.of(list(entries))
        spent = (time.perf_counter() - start) / args.repeat
        print(
            f"  of which the fold (ledger.view) {spent * 1000:7.1f} ms   ratio {spent / load:.3f}"
        )


if __name__ == "__main__":
    main()
