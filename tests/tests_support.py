"""Helpers shared by tests (importable from test modules: tests/ is on pythonpath)."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ledger.cli import main
from ledger.i18n import set_ui_lang

ENTERPRISE = "0403170701"  # a valid-checksum enterprise number used only in tests
IBAN = "BE68539007547034"  # the textbook Belgian IBAN (valid, no real bank)


def tree_digest(root: Path) -> dict[str, str]:
    """sha256 of every file of the books (git internals and the lock state excluded)."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith((".git/", ".coopledger/")):
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def git_state(root: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(root), "log", "--format=%H"], capture_output=True, text=True, check=True
    ).stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(env: dict[str, str], books_dir: Path, *extra: str) -> Iterator[int]:
    """``coopledger serve`` in a subprocess; yields its port once it accepts connections."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ledger.cli", "serve", "--books", str(books_dir),
         "--port", str(port), *extra],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError(f"serve exited: {proc.stderr.read() if proc.stderr else ''}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def chromium_browser() -> Iterator[Any]:
    """Debian's chromium driven by playwright (no browser download), or skip the test."""
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Debian's chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )  # fmt: skip
        try:
            yield browser
        finally:
            browser.close()


def run_cli(
    args: list[str] | tuple[str, ...],
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """``coopledger ARGS`` in this process, through click's runner isolation: the same
    ``main`` as the installed command, with ``env`` as the whole environment, ``cwd`` as
    the working directory and ``input`` on stdin (empty when None: never the terminal).

    Many times faster than an interpreter per command; the tests where a process is the
    point (crashes, SIGKILL, concurrency, serve, the entry point) keep a subprocess, and
    so does a command run with an injected fault (``COOPLEDGER_FAULT_INJECT``)."""
    argv = [str(a) for a in args]
    if (env if env is not None else os.environ).get("COOPLEDGER_FAULT_INJECT"):
        # an injected fault kills the process at that point: that process is the point
        return subprocess.run(
            [sys.executable, "-m", "ledger.cli", *argv], capture_output=True, text=True,
            env=env, cwd=cwd, input=input, timeout=300,
            stdin=subprocess.DEVNULL if input is None else None,
        )  # fmt: skip
    overrides: dict[str, str | None] | None = None
    if env is not None:
        overrides = {k: None for k in os.environ if k not in env}
        overrides.update(env)
    before = Path.cwd()
    with CliRunner().isolation(input=input or "", env=overrides) as (out, err, _):
        try:
            if cwd is not None:
                os.chdir(cwd)
            try:
                code = main(argv)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:  # what a subprocess would print before dying
                sys.stderr.write(traceback.format_exc())
                code = 1
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os.chdir(before)
        stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    set_ui_lang(None)  # the run's language (its env's) ends with it: the suite's is English
    return subprocess.CompletedProcess(argv, code, stdout, stderr)


def old_layout(root: Path) -> None:
    """The books as a release before the live ledger left them after a close: every year
    included from main.beancount, no carried or history file."""
    history = (root / "history.beancount").read_text()
    years = [line for line in history.splitlines()
             if line.startswith('include "') and line.split('"')[1][:4].isdigit()]  # fmt: skip
    main = [line for line in (root / "main.beancount").read_text().splitlines()
            if line != 'include "carried.beancount"']  # fmt: skip
    (root / "main.beancount").write_text("\n".join([*main, *years]) + "\n")
    (root / "carried.beancount").unlink()
    (root / "history.beancount").unlink()
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(root), "commit", "-qm", "books of an earlier release"],
                   check=True, capture_output=True)  # fmt: skip
