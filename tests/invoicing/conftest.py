"""Fixtures for the invoicing tests: private keys per test, fresh books, the Peppol
validator (skipped when ../shared is absent). Helpers live in ``invoicing_support``."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"
sys.path.append(str(Path(__file__).resolve().parent))  # for invoicing_support (never first)

from invoicing_support import ALIAS, RULES, Hub, create_hub

from invoicing.validation import Validator, get_validator, rules_available


@pytest.fixture(scope="session")
def validator() -> Validator:
    """The Peppol validator over ../shared/peppol-validation (skip when absent)."""
    if not rules_available(RULES):
        pytest.skip(f"{RULES} is absent (fresh clone without ../shared)")
    return get_validator(RULES)


@pytest.fixture(autouse=True)
def _private_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's hub key lives in its own temporary folder."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("COOPLEDGER_KEY_FILE", str(tmp_path / "hub.key"))
    monkeypatch.setenv("GIT_AUTHOR_NAME", "coopledger tests")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "tests@example.invalid")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "coopledger tests")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "tests@example.invalid")


@pytest.fixture(autouse=True)
def _every_generated_ubl_validates(tmp_path: Path) -> Iterator[None]:
    """After each test, every UBL file the test left in books under its temporary folder
    must pass the XSD, CEN and Peppol layers with no fatal (when the rules are present)."""
    yield
    files = sorted(tmp_path.rglob("documents/invoices/*/*.xml"))
    if not files or not rules_available(RULES):
        return
    validator = get_validator(RULES)
    for path in files:
        report = validator.validate_file(path)
        assert report.ok, (path.name, [(f.rule, f.text) for f in report.fatal])


@pytest.fixture
def hub_factory(tmp_path: Path) -> Callable[..., Hub]:
    """Make fresh books: ``hub_factory(regime)``."""
    counter = iter(range(1000))

    def make(regime: str = "exempt", **invoicing: object) -> Hub:
        return create_hub(tmp_path / f"books-{next(counter)}", regime, **invoicing)

    return make


@pytest.fixture
def hub(hub_factory: Callable[..., Hub]) -> Hub:
    return hub_factory("exempt")


@pytest.fixture
def no_leak() -> Iterator[Callable[[bytes | str], None]]:
    """Assert that a text or bytes holds no participant alias."""

    def check(blob: bytes | str) -> None:
        text = blob.decode("utf-8", "replace") if isinstance(blob, bytes) else blob
        assert ALIAS not in text
        assert "Closed Alias" not in text

    yield check
