"""The core speaks the hub's language: its errors are shown in French or Dutch through the
command line, and the entries it writes are narrated in the hub's ``default_lang`` (English
when ``COOPLEDGER_LANG=en`` pins it, as in the rest of the suite). Fictional data only."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

from conftest import Cli
from tests_support import git_state, tree_digest

from ledger.entries import transaction
from ledger.i18n import LANG_ENV, shown
from ledger.money.grants import _charge
from ledger.money.year_end import Blocker


def _in(env: dict[str, str], lang: str | None) -> dict[str, str]:
    """The test environment with ``COOPLEDGER_LANG=lang`` (none: the hub's language)."""
    out = {k: v for k, v in env.items() if k not in (LANG_ENV, "LANG", "LC_ALL", "LC_MESSAGES")}
    if lang:
        out[LANG_ENV] = lang
    return out


def _refused(cli: Cli, books: Path, lang: str, *args: str) -> str:
    """Run a command that must be refused in ``lang``: its one line, books unchanged."""
    before, history = tree_digest(books), git_state(books)
    proc = cli("--books", str(books), *args, check=False, env=_in(cli.env, lang))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    assert tree_digest(books) == before and git_state(books) == history
    return proc.stderr.strip()


def _participant(cli: Cli, books: Path) -> str:
    out = cli("--books", str(books), "participant", "add", "--activity", "catering",
              "--date", "2026-01-05").stdout  # fmt: skip
    return out.strip().splitlines()[-1]


def test_core_errors_are_shown_in_french_and_dutch(cli: Cli, books_dir: Path) -> None:
    bad_amount = ("expense", "add", "--amount", "12,505", "--description", "papier",
                  "--paid-from", "cash", "--date", "2026-03-03")  # fmt: skip
    assert _refused(cli, books_dir, "en", *bad_amount) == (
        "coopledger: error: --amount: at most 2 decimals"
    )
    assert _refused(cli, books_dir, "fr", *bad_amount) == (
        "coopledger : erreur : --amount : au plus 2 décimales"
    )
    assert _refused(cli, books_dir, "nl", *bad_amount) == (
        "coopledger: fout: --amount: hoogstens 2 decimalen"
    )
    unknown = ("payout", "add", "P-ZZZZZZ", "10", "--method", "cash")
    assert _refused(cli, books_dir, "fr", *unknown).endswith("participant·e P-ZZZZZZ inconnu·e")
    assert _refused(cli, books_dir, "nl", *unknown).endswith("onbekende deelnemer P-ZZZZZZ")
    # what was typed in the wrong place is never repeated, in any language
    refund = ("cash", "refund", "Jean Dupont")
    assert "(ce qui a été tapé n'est pas répété)" in _refused(cli, books_dir, "fr", *refund)
    assert "Dupont" not in _refused(cli, books_dir, "nl", *refund)
    # a write refused: nothing is held for her yet, so nothing may be paid out
    code = _participant(cli, books_dir)
    payout = ("payout", "add", code, "10", "--method", "cash", "--date", "2026-03-04")
    assert _refused(cli, books_dir, "en", *payout).startswith(
        "coopledger: error: payout refused: 10.00 EUR is more than the 0.00 EUR held for"
    )
    assert _refused(cli, books_dir, "fr", *payout).startswith(
        "coopledger : erreur : versement refusé : 10.00 EUR, c'est plus que les 0.00 EUR "
        f"détenus pour {code}"
    )
    assert _refused(cli, books_dir, "nl", *payout).startswith(
        "coopledger: fout: uitbetaling geweigerd: 10.00 EUR is meer dan de 0.00 EUR die voor "
        f"{code} bewaard wordt"
    )
    # a message nested in another one (what was expected) is translated with it
    word = ("expense", "add", "--amount", "douze", "--description", "papier",
            "--paid-from", "cash", "--date", "2026-03-03")  # fmt: skip
    assert "--amount : pas un montant (écrivez-le comme 12,50 ou 12.50 ;" in _refused(
        cli, books_dir, "fr", *word
    )
    assert "--amount: een bedrag verwacht (schrijf het zoals 12,50 of 12.50;" in _refused(
        cli, books_dir, "nl", *word
    )


def _narrations(books: Path) -> list[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(books.rglob("*.beancount")))
    return re.findall(r'^\d{4}-\d\d-\d\d \* "([^"]*)"', text, re.M)


def _write_some_entries(cli: Cli, books: Path, env: dict[str, str], *first: str) -> None:
    run = ("--books", str(books), *first)
    cli(*run, "cash", "withdraw", "200.00", "--date", "2026-03-02", env=env)
    cli("--books", str(books), "expense", "add", "--amount", "12.00", "--description",
        "papier", "--paid-from", "cash", "--date", "2026-03-03", env=env)  # fmt: skip
    cli("--books", str(books), "grant", "add", "fondation-fictive", "--amount", "500",
        "--date", "2026-03-04", "--purpose", "atelier", env=env)  # fmt: skip


def test_a_french_hub_narrates_its_entries_in_french(cli: Cli, books_dir: Path) -> None:
    # hub.toml says default_lang = "fr" (the default of init); no COOPLEDGER_LANG
    _write_some_entries(cli, books_dir, _in(cli.env, None))
    narrations = _narrations(books_dir)
    assert "Caisse CASH-2026-0001 : 200.00 EUR retirés de la banque" in narrations
    assert "Coût EXP-2026-0001 (hub) : papier" in narrations
    assert "Subside fondation-fictive-2026 de fondation-fictive : atelier" in narrations
    # the grants read a cost's description back after the first ": " of its narration
    entry = transaction(dt.date(2026, 3, 3), "Coût EXP-2026-0001 (P-ABC123) : papier", [], {})
    assert _charge(entry, "EXP-2026-0001", Decimal("12.00")).description == "papier"


def test_a_dutch_hub_narrates_its_entries_in_dutch(cli: Cli, books_dir: Path) -> None:
    hub = books_dir / "hub.toml"
    hub.write_text(hub.read_text(encoding="utf-8").replace(
        'default_lang = "fr"', 'default_lang = "nl"'), encoding="utf-8")  # fmt: skip
    _write_some_entries(cli, books_dir, _in(cli.env, None), "--adopt-changes")
    narrations = _narrations(books_dir)
    assert "Kas CASH-2026-0001: 200.00 EUR afgehaald bij de bank" in narrations
    assert "Kost EXP-2026-0001 (hub): papier" in narrations
    assert "Subsidie fondation-fictive-2026 van fondation-fictive: atelier" in narrations


def test_an_english_run_keeps_english_narrations(cli: Cli, books_dir: Path) -> None:
    _write_some_entries(cli, books_dir, _in(cli.env, "en"))
    assert "Cost EXP-2026-0001 (hub): papier" in _narrations(books_dir)


def test_a_year_end_blocker_is_a_message_shown_in_the_hubs_language() -> None:
    blocker = Blocker("errors", "the books have {count} error(s); fix them first (see "
                      "'coopledger check')", {"count": 2})  # fmt: skip
    message = blocker.message()
    assert message == str(blocker)
    assert shown(message, "en") == str(blocker)
    assert shown(message, "fr") != str(blocker) and "2" in shown(message, "fr")


def test_an_invalid_hub_toml_is_explained_in_the_hubs_language(cli: Cli, books_dir: Path) -> None:
    hub = books_dir / "hub.toml"
    text = hub.read_text(encoding="utf-8")
    assert text.count('iban = "BE68539007547034"') == 1
    hub.write_text(text.replace('iban = "BE68539007547034"', 'iban = "BE68539007547035"'),
                   encoding="utf-8")  # fmt: skip
    proc = cli("--books", str(books_dir), "books", "check", check=False, env=_in(cli.env, None))
    assert proc.returncode == 1
    assert proc.stderr.strip().endswith(
        "hub.toml : bank_accounts.0.iban : IBAN invalide : chiffres de contrôle erronés"
    ), proc.stderr
    proc = cli("--books", str(books_dir), "books", "check", check=False, env=_in(cli.env, "nl"))
    assert proc.stderr.strip().endswith(
        "hub.toml: bank_accounts.0.iban: ongeldige IBAN: verkeerde controlecijfers"
    ), proc.stderr
    proc = cli("--books", str(books_dir), "books", "check", check=False, env=_in(cli.env, "en"))
    assert proc.stderr.strip().endswith(
        "hub.toml: bank_accounts.0.iban: invalid IBAN: wrong check digits"
    ), proc.stderr
