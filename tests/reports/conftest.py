"""Fixtures for the report tests: the fixed small hub (``report_hub.py``), built once per
session through the real write path, read by ``coopledger report …`` (``report_support``).

The folder and ``tests/money`` (for its builders) are *appended* to ``sys.path``, so
``from conftest import …`` in the top-level tests still finds the top-level conftest.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"
HERE = Path(__file__).resolve().parent
for folder in (HERE, HERE.parent / "money"):
    if str(folder) not in sys.path:
        sys.path.append(str(folder))

from report_hub import build, copy_books  # noqa: E402
from report_support import IDENTITY, Hub, environment  # noqa: E402


@pytest.fixture(scope="session")
def built_hub(tmp_path_factory: pytest.TempPathFactory) -> Hub:
    base = tmp_path_factory.mktemp("report-hub")
    xdg = base / "xdg"
    xdg.mkdir()
    with environment({"XDG_CONFIG_HOME": str(xdg), **IDENTITY}):
        os.environ.pop("COOPLEDGER_KEY_FILE", None)
        build(base / "books", base)
    return Hub(base / "books", xdg)


@pytest.fixture
def hub(built_hub: Hub, monkeypatch: pytest.MonkeyPatch) -> Hub:
    """The report hub, read-only (reports never write the books), with its key at hand."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(built_hub.xdg))
    monkeypatch.delenv("COOPLEDGER_KEY_FILE", raising=False)
    monkeypatch.delenv("COOPLEDGER_BOOKS", raising=False)
    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)
    return built_hub


@pytest.fixture
def hub_copy(built_hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Hub:
    """A copy of the report hub a test may change."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(built_hub.xdg))
    monkeypatch.delenv("COOPLEDGER_KEY_FILE", raising=False)
    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)
    copy_books(built_hub.root, tmp_path / "books")
    return Hub(tmp_path / "books", built_hub.xdg)


@pytest.fixture(autouse=True)
def _elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every report test runs from a folder of its own: a report written to the default
    folder (the current one) never lands in the repository."""
    monkeypatch.chdir(tmp_path)
