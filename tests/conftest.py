"""Shared fixtures: temporary books, a private key directory, running the CLI."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests_support import ENTERPRISE, IBAN, git_state, run_cli, tree_digest

from ledger.dates import TODAY_ENV
from ledger.i18n import LANG_ENV

os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"

# One "today" for the whole run (the test hook of ledger.dates.today(), docs/operations.md):
# pinned before any test module computes its dates, and inherited by every command the tests
# start, so a run that crosses midnight UTC sees the same day in the tests and the product.
# Set COOPLEDGER_TODAY yourself to run the suite on another day (e.g. 2026-12-31).
os.environ.setdefault(TODAY_ENV, dt.date.today().isoformat())
# English messages for the run (English is the source language, and what the assertions
# read); the tests of the French and Dutch command line set COOPLEDGER_LANG themselves.
os.environ.setdefault(LANG_ENV, "en")

REPO = Path(__file__).resolve().parent.parent
STARTED = time.monotonic()
SHARED = REPO.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test when the reference material is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (fresh clone without ../shared)")
    return path


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment for subprocesses: keys under a temporary XDG config home."""
    xdg = tmp_path / "xdg"
    xdg.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    monkeypatch.delenv("COOPLEDGER_KEY_FILE", raising=False)
    monkeypatch.delenv("COOPLEDGER_BOOKS", raising=False)
    env = dict(os.environ)
    env["XDG_CONFIG_HOME"] = str(xdg)
    env["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"
    env.setdefault("GIT_AUTHOR_NAME", "coopledger tests")
    env.setdefault("GIT_AUTHOR_EMAIL", "tests@example.invalid")
    env.setdefault("GIT_COMMITTER_NAME", "coopledger tests")
    env.setdefault("GIT_COMMITTER_EMAIL", "tests@example.invalid")
    return env


class Cli:
    """Runs ``coopledger`` as a user would: in this process, through click's runner, with
    the fixture's environment and working directory (:func:`tests_support.run_cli`)."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env = env
        self.cwd = cwd

    def __call__(
        self,
        *args: str,
        check: bool = True,
        input: str | None = None,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        proc = run_cli(args, env=env or self.env, cwd=self.cwd, input=input)
        if check and proc.returncode != 0:
            raise AssertionError(
                f"coopledger {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
            )
        return proc


@pytest.fixture
def cli(cli_env: dict[str, str], tmp_path: Path) -> Cli:
    return Cli(cli_env, tmp_path)


@pytest.fixture
def books_dir(cli: Cli, tmp_path: Path) -> Path:
    """Freshly initialised books (through the CLI)."""
    root = tmp_path / "books"
    cli(
        "init", str(root), "--name", "Hub Test ASBL", "--enterprise-number", ENTERPRISE,
        "--iban", IBAN, "--start", "2026-01-01",
    )  # fmt: skip
    return root


@pytest.fixture
def snapshot_books() -> Iterator[object]:
    """Compare the books before and after something that must change nothing."""

    class Snap:
        def __init__(self) -> None:
            self.root: Path | None = None
            self.digest: dict[str, str] = {}
            self.git = ""

        def take(self, root: Path) -> None:
            self.root = root
            self.digest = tree_digest(root)
            self.git = git_state(root)

        def assert_unchanged(self) -> None:
            assert self.root is not None
            assert tree_digest(self.root) == self.digest
            assert git_state(self.root) == self.git

    yield Snap()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The suite's wall time and the cores it ran on, printed by .ci/run's pytest just
    before its closing line (benchmarks measure speed; this keeps the suite honest)."""
    elapsed = time.monotonic() - STARTED
    terminalreporter.write_line(f"suite wall time: {elapsed:.0f} s on {os.cpu_count()} core(s)")
