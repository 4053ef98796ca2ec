"""Fixtures for the money tests (builders are in ``money_builders``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"
sys.path.insert(0, str(Path(__file__).resolve().parent))  # for money_builders

from money_builders import new_books

from ledger.books import Books


@pytest.fixture
def key_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    xdg = tmp_path / "xdg"
    xdg.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    monkeypatch.delenv("COOPLEDGER_KEY_FILE", raising=False)
    monkeypatch.setenv("GIT_AUTHOR_NAME", "coopledger tests")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "tests@example.invalid")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "coopledger tests")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "tests@example.invalid")
    return xdg


@pytest.fixture
def books(tmp_path: Path, key_env: Path) -> Iterator[Books]:
    yield new_books(tmp_path / "books")


