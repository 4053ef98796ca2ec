"""Concurrent issuers and killed issuers, in real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from invoicing_support import YEAR, Hub

from invoicing import numbering
from invoicing.entries import DOCUMENTS_DIR, file_stem
from ledger.books import Books

WORKER = """
import sys, time, datetime as dt
from pathlib import Path
from ledger.books import Books
from invoicing.issue import IssueRequest, issue_invoice
from invoicing.lines import parse_line
root, participant, client, go, count, when = sys.argv[1:7]
while not Path(go).exists():
    time.sleep(0.01)
books = Books.open(root)
for i in range(int(count)):
    issue_invoice(books, IssueRequest(participant=participant, client=client,
                  lines=[parse_line(f"Travail {i}|1|50|0")], date=dt.date.fromisoformat(when)))
"""


def _env() -> dict[str, str]:
    return {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}


def _numbers(root: Path, kind: str = "invoice") -> list[int]:
    entries = Books.open(root).load().entries
    return sorted(d.seq for d in numbering.issued(entries) if d.kind == kind)


def _check(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ledger.cli", "check", "--books", str(root)],
        capture_output=True, text=True, env=_env(), timeout=300,
    )  # fmt: skip


def _assert_files_match(root: Path) -> None:
    entries = Books.open(root).load().entries
    issued = {file_stem(d.number) for d in numbering.issued(entries)}
    folder = root / DOCUMENTS_DIR / str(YEAR)
    on_disk = {p.stem for p in folder.glob("*")} if folder.exists() else set()
    assert on_disk == issued


@pytest.mark.slow
def test_four_processes_issue_five_invoices_each(hub: Hub, tmp_path: Path) -> None:
    go = tmp_path / "go"
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                str(hub.root),
                hub.participant,
                hub.business if i % 2 else hub.person,
                str(go),
                "5",
                f"{YEAR}-03-01",
            ],
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(4)
    ]
    time.sleep(1.0)  # let every worker import and wait at the start line
    go.touch()
    for w in workers:
        _out, err = w.communicate(timeout=600)
        assert w.returncode == 0, err
    assert _numbers(hub.root) == list(range(1, 21))
    check = _check(hub.root)
    assert check.returncode == 0 and check.stdout.startswith("OK"), check.stdout + check.stderr
    _assert_files_match(hub.root)


@pytest.mark.parametrize("point", ["after-first-file", "after-files", "after-git-add"])
def test_issuer_killed_mid_write_leaves_no_trace(hub: Hub, point: str) -> None:
    args = [sys.executable, "-m", "ledger.cli", "invoice", "issue", "--books", str(hub.root),
            "--participant", hub.participant, "--client", hub.business,
            "--line", "Buffet|2|30|0", "--date", f"{YEAR}-03-01", "--no-validate"]  # fmt: skip
    killed = subprocess.run(args, capture_output=True, text=True, timeout=300,
                            env={**_env(), "COOPLEDGER_FAULT_INJECT": point})  # fmt: skip
    assert killed.returncode == 86
    done = subprocess.run(args, capture_output=True, text=True, env=_env(), timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"Invoice {YEAR}-0001 issued" in done.stdout
    assert _numbers(hub.root) == [1]
    assert _check(hub.root).returncode == 0
    _assert_files_match(hub.root)


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.8, 1.6, 2.4])
def test_sigkill_during_a_batch(hub: Hub, tmp_path: Path, delay: float) -> None:
    go = tmp_path / "go"
    go.touch()
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(hub.root), hub.participant, hub.business, str(go),
         "50", f"{YEAR}-03-01"],
        env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(delay)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=60)
    # The next command recovers whatever the killed one left half-written.
    after = subprocess.run(
        [sys.executable, "-c", WORKER, str(hub.root), hub.participant, hub.person, str(go),
         "1", f"{YEAR}-03-01"],
        env=_env(), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert after.returncode == 0, after.stderr
    numbers = _numbers(hub.root)
    assert numbers == list(range(1, len(numbers) + 1))
    assert _check(hub.root).returncode == 0
    _assert_files_match(hub.root)
