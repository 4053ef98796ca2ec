"""Helpers of the report tests: the report hub's handle, running ``coopledger report``."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests_support import run_cli

from ledger.books import Books

IDENTITY = {
    "GIT_AUTHOR_NAME": "coopledger tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "coopledger tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
}


@dataclass
class Hub:
    """The report hub's books and the configuration home holding its key."""

    root: Path
    xdg: Path

    def books(self) -> Books:
        return Books.open(self.root)

    def env(self) -> dict[str, str]:
        env = dict(os.environ, XDG_CONFIG_HOME=str(self.xdg), BEANCOUNT_DISABLE_LOAD_CACHE="1")
        env.pop("COOPLEDGER_KEY_FILE", None)
        env.pop("COOPLEDGER_BOOKS", None)
        return {**env, **IDENTITY}


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def report(*args: str) -> Run:
    """``coopledger report ARGS`` in this process (click's runner, ``tests_support``)."""
    proc = run_cli(["report", *args])
    return Run(proc.returncode, proc.stdout, proc.stderr)


def report_ok(*args: str) -> Run:
    run = report(*args)
    assert run.code == 0, f"coopledger report {' '.join(args)}: {run.stderr}"
    return run


def report_subprocess(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ledger.cli", "report", *args],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
