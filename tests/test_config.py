"""hub.toml: validation of identifiers and rates, round trip of the rendered file."""

from __future__ import annotations

import datetime as dt
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from ledger.books import Books
from ledger.config import (
    BankAccount,
    ContributionSettings,
    HubConfig,
    HubIdentity,
    RateChange,
    parse_config,
    parse_rate,
    render_config,
)
from ledger.errors import ConfigError
from ledger.layout import init_books
from ledger.money.contributions import set_rate


def make_config(**hub: object) -> HubConfig:
    identity = {"name": "Hub Test ASBL", "enterprise_number": "0403.170.701", **hub}
    return HubConfig(
        id="hub-test-000000",
        hub=HubIdentity(**identity),  # type: ignore[arg-type]
        bank_accounts=[BankAccount(iban="BE68 5390 0754 7034", bic="GKCCBEBB")],
    )


def test_identifiers_are_normalised() -> None:
    config = make_config(vat_regime="standard", vat_number="BE 0403.170.701")
    assert config.hub.enterprise_number == "0403170701"
    assert config.hub.vat_number == "BE0403170701"
    assert config.bank_accounts[0].iban == "BE68539007547034"
    assert config.bank_accounts[0].bic == "GKCCBEBB"


def test_render_parse_round_trip() -> None:
    config = make_config()
    config.contribution = ContributionSettings(
        rate="8.5",
        changes=[RateChange(since=dt.date(2026, 7, 1), rate="12")],
        participants={"P-ABCDEF": [RateChange(since=dt.date(2026, 1, 1), rate="5")]},
    )
    text = render_config(config)
    assert parse_config(text) == config
    assert render_config(parse_config(text)) == text


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("iban", "BE68539007547035", "bank_accounts.0.iban: invalid IBAN"),
        ("enterprise_number", "0403170702", "hub.enterprise_number: invalid Belgian enterprise"),
        ("vat_number", "BE0403170702", "hub.vat_number: invalid Belgian VAT number"),
        ("bic", "NOTABIC!", "bank_accounts.0.bic: invalid BIC"),
    ],
)
def test_invalid_identifier_names_the_field(field: str, value: str, expected: str) -> None:
    text = render_config(make_config())
    good = {
        "iban": "BE68539007547034",
        "enterprise_number": "0403170701",
        "vat_number": None,
        "bic": "GKCCBEBB",
    }[field]
    if good is None:
        text = text.replace(
            'vat_regime = "exempt"', f'vat_regime = "exempt"\nvat_number = "{value}"'
        )
    else:
        text = text.replace(f'"{good}"', f'"{value}"', 1)
    with pytest.raises(ConfigError) as info:
        parse_config(text)
    assert expected in info.value.message
    assert "\n" not in info.value.message


def test_vat_number_required_for_taxable_regimes() -> None:
    with pytest.raises(ValueError, match="vat_number"):
        make_config(vat_regime="franchise")


@pytest.mark.parametrize("value", ["-1", "100.01", "abc", "NaN", "Infinity"])
def test_rates_outside_0_100_are_refused(value: str) -> None:
    with pytest.raises(ValueError):
        parse_rate(value)


def test_rate_in_force_by_date_and_participant() -> None:
    settings = ContributionSettings(
        rate="10",
        changes=[RateChange(since=dt.date(2026, 7, 1), rate="12")],
        participants={"P-ABCDEF": [RateChange(since=dt.date(2026, 3, 1), rate="5")]},
    )
    assert settings.rate_for("P-XXXXXX", dt.date(2026, 6, 30))[0] == Decimal("10")
    assert settings.rate_for("P-XXXXXX", dt.date(2026, 7, 1))[0] == Decimal("12")
    assert settings.rate_for("P-ABCDEF", dt.date(2026, 2, 1))[0] == Decimal("10")
    rate, rule = settings.rate_for("P-ABCDEF", dt.date(2026, 8, 1))
    assert rate == Decimal("5") and "P-ABCDEF" in rule


def test_hub_toml_edit_keeps_the_treasurers_comments_and_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``hub.toml`` is edited in place (tomlkit): a rate change through the write path keeps
    every comment and every line that did not change."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("COOPLEDGER_KEY_FILE", raising=False)
    books, _ = init_books(tmp_path / "books", make_config(), dt.date(2026, 1, 1))
    path = books.root / "hub.toml"
    original = path.read_text().replace(
        "[contribution]\n",
        "[contribution]\n# Voted by the general assembly of 2025-06-14 (fictional minutes).\n",
    )
    original = original.replace('name = "Hub', '# our name as registered\nname = "Hub', 1)
    path.write_text(original)
    git = ["git", "-C", str(books.root)]
    subprocess.run([*git, "commit", "-qam", "treasurer: notes in hub.toml"], check=True)
    books = Books.open(books.root)
    set_rate(books, "12", dt.date(2026, 7, 1))
    edited = path.read_text()
    assert "# Voted by the general assembly of 2025-06-14 (fictional minutes).\n" in edited
    assert "# our name as registered\n" in edited
    assert '[[contribution.changes]]\nsince = 2026-07-01\nrate = "12"\n' in edited
    removed = [line for line in original.splitlines() if line not in edited.splitlines()]
    assert removed == []  # only lines added
    assert parse_config(edited).contribution.rate_for(None, dt.date(2026, 7, 2))[0] == 12
    # and once more: the edit of an edit keeps them too
    set_rate(Books.open(books.root), "13", dt.date(2026, 9, 1))
    again = path.read_text()
    assert "# Voted by the general assembly of 2025-06-14 (fictional minutes).\n" in again
    assert [line for line in edited.splitlines() if line not in again.splitlines()] == []
