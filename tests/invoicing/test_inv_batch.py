"""``invoice issue --from FILE`` with many invoices (issue 16): one write, gapless numbers
in date order, all or none."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

from invoicing_support import YEAR, Hub, snapshot
from tests_support import run_cli


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = run_cli(args, env={**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"})
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} failed: {proc.stdout}\n{proc.stderr}")
    return proc


def batch(hub: Hub, count: int, bad: int | None = None) -> str:
    """``count`` invoices, dated out of order; invoice ``bad`` (1-based) for a closed
    participant."""
    out = []
    for n in range(1, count + 1):
        who = hub.closed if n == bad else hub.participant
        day = dt.date(YEAR, 3, 1) + dt.timedelta(days=(n * 37) % 200)
        out.append(
            f'[[invoices]]\nparticipant = "{who}"\nclient = "{hub.business}"\n'
            f'date = {day.isoformat()}\nlines = ["Prestation {n}|1|{10 + n}.00|0"]\n'
        )
    return "\n".join(out)


def commits(root: Path) -> list[str]:
    log = subprocess.run(["git", "-C", str(root), "log", "--format=%s"], capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    return log.splitlines()


def test_batch_issue_one_bad_invoice_in_100_issues_nothing(hub: Hub, tmp_path: Path) -> None:
    path = tmp_path / "invoices.toml"
    path.write_text(batch(hub, 100, bad=57), encoding="utf-8")
    before = snapshot(hub.root)
    proc = run("invoice", "issue", "--books", str(hub.root), "--from", str(path), check=False)
    assert proc.returncode != 0
    error = proc.stderr.strip()
    assert "invoice 57" in error and "nothing was issued" in error
    assert len(error.splitlines()) == 1 and "Traceback" not in proc.stderr
    assert before.unchanged()


def test_batch_issue_numbers_gaplessly_in_date_order_in_one_write(
    hub: Hub, tmp_path: Path
) -> None:  # fmt: skip
    path = tmp_path / "invoices.toml"
    path.write_text(batch(hub, 12), encoding="utf-8")
    before = len(commits(hub.root))
    out = run(
        "invoice", "issue", "--books", str(hub.root), "--from", str(path), "--json"
    ).stdout  # fmt: skip
    assert len(commits(hub.root)) == before + 1  # one write
    listed = json.loads(run("invoice", "list", "--books", str(hub.root), "--json").stdout)
    numbers = sorted(i["number"] for i in listed)
    assert numbers == [f"{YEAR}-{n:04d}" for n in range(1, 13)]
    by_number = sorted(listed, key=lambda i: i["number"])
    dates = [i["date"] for i in by_number]
    assert dates == sorted(dates)
    assert out.strip()


def test_batch_issue_from_csv_groups_rows_by_invoice(hub: Hub, tmp_path: Path) -> None:
    path = tmp_path / "invoices.csv"
    path.write_text(
        "invoice,participant,client,date,description,quantity,unit_price,vat_rate\n"
        f"A,{hub.participant},{hub.business},{YEAR}-04-02,Buffet,2,10.00,0\n"
        f"A,{hub.participant},{hub.business},{YEAR}-04-02,Service,1,5.00,0\n"
        f"B,{hub.participant},{hub.person},{YEAR}-04-01,Coupe,1,28.00,0\n",
        encoding="utf-8",
    )
    run("invoice", "issue", "--books", str(hub.root), "--from", str(path))
    listed = json.loads(run("invoice", "list", "--books", str(hub.root), "--json").stdout)
    totals = {i["number"]: i["total"] for i in listed}
    assert totals == {f"{YEAR}-0001": "28.00", f"{YEAR}-0002": "25.00"}
