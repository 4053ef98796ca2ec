"""Issue 16's figures (P1–P4): coopledger's commands as ratios against a bare beancount
load of the same books, measured in one run on this machine.

Each command runs as its own process, as a user runs it (``/usr/bin/time`` gives its wall
time and peak memory). Two denominators, run in the same session:

* ``bean-check`` of the same books with coopledger's plugin lines removed (a bare load:
  beancount's parse, booking and validation alone), and
* ``bean-check`` of the books as they are, their plugins included (what the issue measured
  ``check`` against when it was filed: "1.07× a bare bean-check").

Every command runs once to warm the disk cache and Python's bytecode (a user's machine
writes ``__pycache__``; the benchmark unsets ``PYTHONDONTWRITEBYTECODE``, which some
sandboxes set), then ``--runs`` times; the median is kept. Writes run on a fresh copy of
the books each time. Nothing here is asserted: the figures are printed, as a Markdown
table for ``benchmarks/README.md``. Make the books first, then run::

    .venv/bin/coopledger demo build /tmp/hub10 --years 10 --participants 40 --seed 1
    .venv/bin/python benchmarks/bench_perf.py /tmp/hub10
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from importers.model import Movement, Statement
from ledger.demo.coda_writer import CodaHeader, write_coda

BIN = Path(sys.executable).parent


def timed(
    cmd: list[str], env: dict[str, str], cwd: Path, *, errors: bool = False
) -> tuple[float, int, str]:
    """Wall seconds, peak resident memory (KiB) and output of one process (which must
    succeed, unless ``errors``: one year loaded alone misses its opening balances)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "%e %M", "-o", out.name, *cmd],
            env=env, cwd=cwd, capture_output=True, text=True,
        )  # fmt: skip
        wall, rss = out.read().split()[-2:]
    if proc.returncode != 0 and not errors:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}")
    return float(wall), int(rss), proc.stdout


def bare_copy(root: Path, target: Path, keep: str | None = None, *, plugins: bool = False) -> Path:
    """main.beancount without coopledger's plugin lines (with them if ``plugins``), outside
    the books (its includes and documents folder made absolute), and with ``keep`` only
    the includes of that year and the files of no year: what bean-check alone loads."""
    lines = []
    for line in (root / "main.beancount").read_text().splitlines(keepends=True):
        if line.startswith("plugin ") and not plugins:
            continue
        if line.startswith('include "'):
            name = line.split('"')[1]
            if keep and "/" in name and not name.startswith(f"{keep}/"):
                continue
            line = f'include "{root / name}"\n'
        elif line.startswith('option "documents"'):
            line = f'option "documents" "{root / line.split(chr(34))[3]}"\n'
        lines.append(line)
    target.write_text("".join(lines))
    return target


def open_year(root: Path) -> str:
    years = sorted(p.name for p in root.iterdir() if p.is_dir() and p.name.isdigit())
    files = [root / "main.beancount", root / "history.beancount"]  # the live layout too
    closed = {
        line.split()[1].strip('"')[:4]
        for path in files
        if path.is_file()
        for line in path.read_text().splitlines()
        if line.startswith('include "') and "closing" in line
    }
    opened = [y for y in years if y not in closed]
    return opened[0] if opened else years[-1]


def invoices_file(root: Path, env: dict[str, str], path: Path, count: int, day: dt.date) -> None:
    people = json.loads(
        subprocess.run(
            [str(BIN / "coopledger"), "--json", "participant", "list"],
            env=env, cwd=root, capture_output=True, text=True, check=True,
        ).stdout
    )  # fmt: skip
    codes = [p["code"] for p in people if not p.get("closed")]
    clients = [c["id"] for c in tomllib.loads((root / "clients.toml").read_text())["clients"]]
    rng = random.Random(16)
    out = []
    for n in range(count):
        line = f"Prestation (bench {n})|2|{rng.randint(20, 90)}.00|0"
        out.append(
            f'[[invoices]]\nparticipant = "{rng.choice(codes)}"\n'
            f'client = "{rng.choice(clients)}"\ndate = "{day.isoformat()}"\nlines = ["{line}"]\n'
        )
    path.write_text("\n".join(out))


def coda_month(root: Path, bare: Path, path: Path, count: int) -> None:
    """A month of ``count`` movements on the hub's bank account, after its last statement."""
    config = tomllib.loads((root / "hub.toml").read_text())
    bank = config["bank_accounts"][0]
    from beancount import loader

    entries, _errors, _options = loader.load_file(str(bare))
    balance, last = Decimal(0), dt.date(2000, 1, 1)
    for entry in entries:
        for posting in getattr(entry, "postings", ()):
            if posting.account == bank["account"]:
                balance += posting.units.number
                last = max(last, entry.date)
    first = (last.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    rng = random.Random(500)
    moves = []
    for n in range(count):
        day = first + dt.timedelta(days=rng.randint(0, 27))
        amount = Decimal(rng.randint(-9000, 9000) or 1) / 100
        moves.append(
            Movement(
                ref="", bank_ref=f"BENCH{n:06d}", booking_date=day, value_date=day,
                amount=amount, currency="EUR", counterparty_name=f"Fictive payer {n % 50}",
                communication=f"Fictive movement {n}",
            )
        )  # fmt: skip
    moves.sort(key=lambda m: m.booking_date)
    statement = Statement(
        format="coda", account=bank["iban"], iban=bank["iban"], currency="EUR",
        opening_balance=balance, opening_date=last,
        closing_balance=balance + sum((m.amount for m in moves), Decimal(0)),
        closing_date=moves[-1].booking_date, sequence="900", movements=tuple(moves),
    )  # fmt: skip
    header = CodaHeader(bank_id="539", company_id="0" + config["hub"]["enterprise_number"])
    path.write_bytes(write_coda([statement], header, created=statement.closing_date))


def first_page(cmd: list[str], env: dict[str, str], cwd: Path, path: str) -> float:
    """Seconds from starting a server to its first page answered."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    start = time.perf_counter()
    proc = subprocess.Popen(
        [*cmd, "--port", str(port)], env=env, cwd=cwd,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"{' '.join(cmd)} exited")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=600) as r:
                    r.read()
                return time.perf_counter() - start
            except OSError:
                time.sleep(0.05)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def measured(
    cmd: list[str],
    env: dict[str, str],
    cwd: Path,
    runs: int,
    *,
    errors: bool = False,
    fresh: Callable[[], Path] | None = None,
) -> tuple[float, int, str]:
    """The median wall time and peak memory of ``runs`` runs of ``cmd``, after one run
    that warms the disk cache and the bytecode. ``fresh`` gives each run (the warm one
    too) its own copy of the books, in which ``cmd`` runs: for writes."""
    walls, peaks, out = [], [], ""
    for n in range(runs + 1):
        where = fresh() if fresh else cwd
        wall, rss, out = timed(cmd, env, where, errors=errors)
        if n:
            walls.append(wall)
            peaks.append(rss)
    return statistics.median(walls), int(statistics.median(peaks)), out


def copier(source: Path, tmp: Path, env: dict[str, str]) -> Callable[[], Path]:
    """Fresh copies of the books, their git index refreshed (a copied work tree has new
    inode times: git would re-hash every file once, which a user's books never pay)."""
    count = 0

    def fresh() -> Path:
        nonlocal count
        count += 1
        root = tmp / f"copy{count}" / source.name
        if root.parent.exists():
            shutil.rmtree(root.parent)
        shutil.copytree(source, root, symlinks=True)
        subprocess.run(["git", "-C", str(root), "status", "--porcelain"], env=env,
                       capture_output=True, check=False)  # fmt: skip
        return root

    return fresh


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("books", type=Path, help="books made by `coopledger demo build`")
    parser.add_argument("--invoices", type=int, default=100)
    parser.add_argument("--movements", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each (median)")
    parser.add_argument("--skip-serve", action="store_true")
    args = parser.parse_args()
    source = args.books.resolve()
    runs = args.runs
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        key = source.parent / f"{source.name}.key"
        # English output (the entry count is read from "OK: N entries"); bytecode written
        # as on a user's machine
        env = dict(os.environ, BEANCOUNT_DISABLE_LOAD_CACHE="1", COOPLEDGER_LANG="en")
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        if key.exists():
            env["COOPLEDGER_KEY_FILE"] = str(key)
        fresh = copier(source, tmp, env)
        root = fresh()  # the read-only commands' copy
        year = open_year(root)
        bare_file = bare_copy(root, tmp / "bare.beancount")
        plugged_file = root / "main.beancount"  # the books as they are
        year_file = bare_copy(root, tmp / "bare-year.beancount", keep=year)
        check_cmd = [str(BIN / "coopledger"), "books", "check"]
        rows: list[tuple[str, str, float, int, float, float]] = []

        bare, bare_rss, _ = measured([str(BIN / "bean-check"), str(bare_file)], env, root, runs)
        plugged, _, _ = measured([str(BIN / "bean-check"), str(plugged_file)], env, root, runs)
        year_bare, _, _ = measured(
            [str(BIN / "bean-check"), str(year_file)], env, root, runs, errors=True
        )
        check, check_rss, out = measured(check_cmd, env, root, runs)
        entries = out.split()[1] if out.startswith("OK") else "?"
        rows.append(("bare", "`bean-check`, plugins removed", bare, bare_rss, bare, plugged))
        rows.append(("bare+", "`bean-check`, the books' plugins", plugged, 0, bare, plugged))
        rows.append(("P1", "`coopledger books check`", check, check_rss, bare, plugged))

        coda = tmp / "month.cod"
        coda_month(root, bare_file, coda, args.movements)
        wall, rss, _ = measured(
            [str(BIN / "coopledger"), "bank", "import", str(coda)], env, root, runs, fresh=fresh
        )
        rows.append(("P2", f"`bank import`, {args.movements} movements", wall, rss, bare, plugged))

        batch = tmp / "invoices.toml"
        invoices_file(root, env, batch, args.invoices, dt.date.today())
        wall, rss, _ = measured(
            [str(BIN / "coopledger"), "invoice", "issue", "--from", str(batch)], env, root, runs,
            fresh=fresh,
        )  # fmt: skip
        rows.append(("P3", f"{args.invoices} invoices, `issue --from`", wall, rss, bare, plugged))

        rows.append(
            ("P4a", f"`books check` vs {year} alone", check, check_rss, year_bare, year_bare)
        )
        if not args.skip_serve:
            page = "/"
            ours = statistics.median(
                first_page([str(BIN / "coopledger"), "books", "serve"], env, root, page)
                for _ in range(runs + 1)
            )
            fava = statistics.median(
                first_page([str(BIN / "fava"), "main.beancount"], env, root, page)
                for _ in range(runs + 1)
            )
            rows.append(("P4b", "`books serve` first page vs plain Fava", ours, 0, fava, fava))

        print(f"Books: {source} ({entries} entries, open year {year}); "
              f"a bare load {bare:.2f} s, {bare_rss / 1024:.0f} MiB; with the books' plugins "
              f"{plugged:.2f} s; a bare load of {year} alone {year_bare:.2f} s; "
              f"median of {runs} runs after a warm one\n")  # fmt: skip
        print("| | what | seconds | × bare | × with plugins | peak MiB | × bare memory |")
        print("|---|---|---|---|---|---|---|")
        for name, what, wall, rss, against, against_plugged in rows:
            memory = f"{rss / 1024:.0f} | {rss / bare_rss:.2f}" if rss else "– | –"
            print(f"| {name} | {what} | {wall:.2f} | {wall / against:.2f} | "
                  f"{wall / against_plugged:.2f} | {memory} |")  # fmt: skip


if __name__ == "__main__":
    main()
