"""How much of the demo year's incoming money is matched without a human.

Builds the demo hub (``coopledger demo``) in a temporary directory and classifies every
movement that brought money into the bank account:

* ``import (OGM)``: posted to the invoice by its structured communication at import;
* ``reconcile (auto)``: settled later by reconciliation without asking (typed OGM,
  invoice number, amount + client account, grant…);
* ``import rule``: sent to an account by a rule of ``hub.toml``;
* ``decision``: settled by ``reconcile --assign`` (none in the demo);
* ``waiting``: still in the review queue.

It prints the share of *payments* (incoming movements that are not handled by an import
rule) matched automatically, and how long matching took. Run::

    .venv/bin/python benchmarks/bench_matching.py [--year 2025] [--seed 2025]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from beancount.core import data

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"

from ledger.demo import build_demo
from ledger.money.reconcile import State, reconcile_new_entries


def classify(entries: list[data.Directive], year: int, config: object) -> Counter[str]:
    """Count the incoming movements of ``year`` by how they were matched."""
    suspense = config.account("suspense")  # type: ignore[attr-defined]
    clients = config.account("clients")  # type: ignore[attr-defined]
    settled: dict[str, str] = {}
    for e in entries:
        if isinstance(e, data.Transaction) and e.meta.get("kind") == "settlement":
            for link in e.links or ():
                if link.startswith("bank-"):
                    settled[link] = str(e.meta.get("matched-by", "auto"))
    state = State.of(entries, config)  # type: ignore[arg-type]
    out: Counter[str] = Counter()
    for e in entries:
        if not (isinstance(e, data.Transaction) and e.meta.get("kind") == "bank"):
            continue
        if e.date.year != year or e.postings[0].units.number <= 0:
            continue
        link = next(lk for lk in e.links if lk.startswith("bank-"))
        other = e.postings[1].account
        if other == clients:
            out["import (OGM)"] += 1
        elif other != suspense:
            out["import rule"] += 1
        elif state.lines[link].is_open:
            out["waiting"] += 1
        elif settled.get(link) == "decision":
            out["decision"] += 1
        else:
            out["reconcile (auto)"] += 1
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=dt.date.today().year - 1)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["COOPLEDGER_KEY_FILE"] = str(Path(tmp) / "demo.key")
        started = time.perf_counter()
        books = build_demo(Path(tmp) / "books", year=args.year, seed=args.seed)
        built = time.perf_counter() - started
        entries = books.load().entries
        started = time.perf_counter()
        again = reconcile_new_entries(entries, books.config)
        matching = time.perf_counter() - started
        counts = classify(entries, args.year, books.config)
    payments = sum(n for kind, n in counts.items() if kind != "import rule")
    auto = counts["import (OGM)"] + counts["reconcile (auto)"]
    print(f"demo year {args.year} (seed {args.seed}): {sum(counts.values())} incoming movements")
    for kind in ("import (OGM)", "reconcile (auto)", "import rule", "decision", "waiting"):
        print(f"  {kind:<18} {counts[kind]:>4}")
    share = auto / payments if payments else 0.0
    print(f"payments matched automatically: {auto}/{payments} = {share:.1%}")
    print(f"a second reconciliation books {len(again)} entries (idempotent: 0 expected)")
    print(f"one reconciliation pass over {len(entries)} entries: {matching * 1000:.0f} ms "
          f"(demo built in {built:.1f} s)")  # fmt: skip
    return 0 if not again else 1


if __name__ == "__main__":
    sys.exit(main())
