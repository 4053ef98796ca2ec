"""A batch's PDFs rendered on worker processes (invoicing.parallel): the same bytes as in
one process, the results in order, a job's error raised, and Ctrl-C leaving neither a
worker nor a change to the books."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from invoicing_support import YEAR, Hub, snapshot

from invoicing import parallel
from invoicing.models import Document
from invoicing.parallel import mapped
from invoicing.pdf import render_pdf
from ledger.books import Books

pytestmark = pytest.mark.skipif(parallel.cores() < 2, reason="one core: no workers")


def batch_file(hub: Hub, path: Path, count: int) -> Path:
    path.write_text(
        "\n".join(
            f'[[invoices]]\nparticipant = "{hub.participant}"\nclient = "{hub.business}"\n'
            f"date = {(dt.date(YEAR, 3, 1) + dt.timedelta(days=n % 90)).isoformat()}\n"
            f'lines = ["Prestation {n}|1|{10 + n}.00|0"]\n'
            for n in range(count)
        ),
        encoding="utf-8",
    )
    return path


def env() -> dict[str, str]:
    return {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1", "COOPLEDGER_LANG": "en"}


def test_mapped_keeps_the_order_of_the_jobs_and_raises_a_jobs_error() -> None:
    assert parallel.MIN_JOBS > 1
    with mapped(str.upper, ["a", "b", "c"] * 10, min_jobs=2) as results:
        assert results() == ["A", "B", "C"] * 10
    with pytest.raises(ValueError), mapped(int, ["1", "2", "x", "4"], min_jobs=2) as results:
        results()


def test_a_pooled_batch_gives_the_pdfs_one_process_gives(hub: Hub, tmp_path: Path) -> None:
    count = parallel.MIN_JOBS + 4
    path = batch_file(hub, tmp_path / "invoices.toml", count)
    done = subprocess.run(
        [sys.executable, "-m", "ledger.cli", "invoice", "issue", "--books", str(hub.root),
         "--from", str(path)],
        capture_output=True, text=True, env=env(), timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    config = Books.open(hub.root).config
    records = sorted((hub.root / "documents").rglob("*.json"))
    assert len(records) == count
    for record in records:
        doc = Document.model_validate_json(record.read_bytes())
        assert record.with_suffix(".pdf").read_bytes() == render_pdf(config, doc), record.name


def _descendants(pid: int) -> set[int]:
    """Every living process whose ancestry reaches ``pid`` (read from /proc)."""
    parents: dict[int, int] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        ppid = next(line.split()[1] for line in text.splitlines() if line.startswith("PPid:"))
        parents[int(status.parent.name)] = int(ppid)
    found: set[int] = set()
    for child in parents:
        up = child
        while up in parents and up not in (0, 1):
            up = parents[up]
            if up == pid:
                found.add(child)
                break
    return found


def _workers(pid: int) -> set[int]:
    """The pool's worker processes under ``pid`` (not multiprocessing's resource tracker)."""
    found = set()
    for child in _descendants(pid):
        with contextlib.suppress(OSError):
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.add(child)
    return found


def _start_batch(hub: Hub, path: Path) -> subprocess.Popen[str]:
    """The batch in its own session, so that Ctrl-C goes to the command and its workers,
    as from a terminal; returns once its workers run."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "ledger.cli", "invoice", "issue", "--books", str(hub.root),
         "--from", str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(),
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while len(_workers(proc.pid)) < 2 and proc.poll() is None:
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            raise AssertionError("the workers never started")
        time.sleep(0.05)
    return proc


def _finish(proc: subprocess.Popen[str]) -> str:
    try:
        return proc.communicate(timeout=60)[1]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _gone(pids: set[int]) -> None:
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in pids):
        assert time.monotonic() < deadline, "a worker outlived the command"
        time.sleep(0.05)


def _kill_a_worker(proc: subprocess.Popen[str]) -> None:
    os.kill(min(_workers(proc.pid)), signal.SIGKILL)  # as the kernel's out-of-memory killer


def _ctrl_c(proc: subprocess.Popen[str]) -> None:
    time.sleep(0.1)  # the workers importing or rendering (the batch takes seconds more)
    os.killpg(proc.pid, signal.SIGINT)  # to the command and its workers, as a terminal does


@pytest.mark.slow
@pytest.mark.parametrize(
    ("stop", "code", "error"),
    [
        (_kill_a_worker, 1,
         "coopledger: error: a worker process stopped before its work was done (out of memory?)"),
        (_ctrl_c, 130, "coopledger: interrupted; the books are unchanged"),
    ],
    ids=["a-worker-killed", "ctrl-c"],
)  # fmt: skip
def test_a_pooled_batch_stopped_says_so_in_one_line_and_leaves_the_books_and_no_worker(
    hub: Hub, tmp_path: Path, stop: Callable[[subprocess.Popen[str]], None], code: int,
    error: str,
) -> None:  # fmt: skip
    path = batch_file(hub, tmp_path / "invoices.toml", 120)
    before = snapshot(hub.root)
    proc = _start_batch(hub, path)
    left = _descendants(proc.pid)
    stop(proc)
    err = _finish(proc)
    assert proc.returncode == code, err
    assert err.strip().splitlines() == [error]
    _gone(left)
    assert before.unchanged()
