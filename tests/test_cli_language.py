"""The command line speaks the hub's language: a message is English in the code and in
the tests (the source language), and shown in French or Dutch to the user."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest
from conftest import Cli
from tests_support import ENTERPRISE, IBAN

from ledger.i18n import LANG_ENV, Message, _, set_ui_lang, shown, ui_lang


def test_a_message_is_english_in_the_code_and_translated_when_shown() -> None:
    inner = _("coopledger: interrupted; the books are unchanged")
    message = _("coopledger: error: {message}", message=inner)
    assert message == "coopledger: error: coopledger: interrupted; the books are unchanged"
    assert shown(message, "fr") == (
        "coopledger : erreur : coopledger : interrompu ; les livres sont inchangés"
    )
    assert shown(message, "nl").startswith("coopledger: fout: coopledger: onderbroken")
    assert shown(message, "en") == message
    assert shown("plain text", "fr") == "plain text"
    assert pickle.loads(pickle.dumps(message)).shown("fr") == shown(message, "fr")
    assert isinstance(pickle.loads(pickle.dumps(message)), Message)


def test_the_language_is_chosen_once_and_unknown_ones_fall_back_to_english(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    try:
        monkeypatch.delenv(LANG_ENV, raising=False)
        assert set_ui_lang("nl") == "nl" and ui_lang() == "nl"
        assert set_ui_lang("de") == "en"
        monkeypatch.setenv(LANG_ENV, "fr")
        assert set_ui_lang("nl") == "fr"
    finally:
        monkeypatch.undo()
        set_ui_lang(None)


def _in(env: dict[str, str], lang: str | None) -> dict[str, str]:
    out = {k: v for k, v in env.items() if k not in (LANG_ENV, "LANG", "LC_ALL", "LC_MESSAGES")}
    # a locale that names no language (English outside books), but UTF-8: what renders a
    # PDF in this process may set the C library's locale from it, and later tests read files
    out["LANG"] = "C.UTF-8"
    if lang:
        out[LANG_ENV] = lang
    return out


def test_errors_are_shown_in_the_hubs_language(cli: Cli, books_dir: Path) -> None:
    # the books' hub.toml says default_lang = "fr" (the default): French without any setting
    missing = books_dir / "nowhere"
    proc = cli("--books", str(books_dir), "invoice", "show", "INV-2026-999999",
               check=False, env=_in(cli.env, None))  # fmt: skip
    assert proc.returncode == 1
    assert proc.stderr.startswith("coopledger : erreur : "), proc.stderr
    proc = cli("--books", str(books_dir), "invoice", "show", "INV-2026-999999",
               check=False, env=_in(cli.env, "nl"))  # fmt: skip
    assert proc.stderr.startswith("coopledger: fout: "), proc.stderr
    proc = cli("--books", str(missing), "books", "check", check=False,
               env={**_in(cli.env, None), "LANG": "nl_BE.UTF-8"})  # fmt: skip
    assert proc.stderr.startswith("coopledger: fout: "), proc.stderr


def _words(text: str) -> str:
    """The text on one line, its spaces (a non-breaking one too) made one space."""
    return " ".join(text.split())


def test_help_is_shown_in_the_hubs_language(cli: Cli, books_dir: Path) -> None:
    """``--help`` in a French hub (no setting): French, click's own words too; Dutch with
    COOPLEDGER_LANG=nl, English with en."""
    b = ("--books", str(books_dir))
    root = _words(cli(*b, "--help", env=_in(cli.env, None)).stdout)
    assert root.startswith("Usage : coopledger [OPTIONS] COMMAND [ARGS]..."), root
    assert "Comptabilité et facturation d'un hub" in root
    assert "Commandes : " in root and "Afficher ce message et quitter." in root
    assert "les livres eux-mêmes : créer, vérifier, parcourir" in root
    noun = _words(cli(*b, "participant", "add", "--help", env=_in(cli.env, None)).stdout)
    assert "ouvrir un·e participant·e sous un nouveau code aléatoire" in noun
    assert "une catégorie courte, p. ex. traiteur" in noun
    dutch = cli(*b, "invoice", "--help", env=_in(cli.env, "nl")).stdout
    assert dutch.startswith("Gebruik: coopledger invoice [OPTIONS] COMMAND [ARGS]...")
    assert "Opdrachten:" in dutch and "een factuur op naam van de hub uitreiken" in dutch
    english = cli(*b, "invoice", "issue", "--help", env=_in(cli.env, "en")).stdout
    assert english.startswith("Usage: coopledger invoice issue [OPTIONS]")
    assert "issue an invoice in the hub's name" in english and "[required]" not in english
    init = _words(cli("books", "init", "--help", env=_in(cli.env, "nl")).stdout)
    assert "de wettelijke naam van de hub [vereist]" in init


def test_usage_errors_are_shown_in_the_hubs_language(cli: Cli, books_dir: Path) -> None:
    b = ("--books", str(books_dir))
    proc = cli(*b, "invoice", "issue", "--participnt", "X", check=False, env=_in(cli.env, None))
    assert proc.returncode == 2
    assert proc.stderr.startswith("coopledger : erreur : Option '--participnt' inconnue."), (
        proc.stderr
    )
    assert "(voir 'coopledger invoice issue --help')" in proc.stderr
    proc = cli(*b, "participant", "show", check=False, env=_in(cli.env, "nl"))
    assert proc.stderr.startswith("coopledger: fout: Argument 'CODE' ontbreekt."), proc.stderr
    proc = cli("books", "init", "x", "--name", "H", "--enterprise-number", ENTERPRISE, "--iban",
               IBAN, "--vat-regime", "Fictive Aline", check=False, env=_in(cli.env, "fr"))  # fmt: skip
    assert proc.returncode == 2 and "Aline" not in proc.stderr
    assert proc.stderr.startswith(
        "coopledger : erreur : Valeur invalide pour '--vat-regime' : n'est pas l'un de 'exempt',"
    ), proc.stderr
    proc = cli(*b, "year", "plan", "deux-mille", check=False, env=_in(cli.env, "nl"))
    assert "Ongeldige waarde voor 'YEAR': is geen geldig jaar" in proc.stderr, proc.stderr


def test_commands_say_what_they_did_in_french_and_dutch(cli: Cli, tmp_path: Path) -> None:
    french, dutch = _in(cli.env, None), _in(cli.env, "nl")
    root = tmp_path / "livres"
    proc = cli("books", "init", str(root), "--name", "Hub Fictif ASBL", "--enterprise-number",
               ENTERPRISE, "--iban", IBAN, "--address", "Rue de l'Exemple 1, 1030 Schaerbeek",
               "--recovery-key-file", str(tmp_path / "cle.txt"), env=french)  # fmt: skip
    # no books yet: the user's locale decides (none here: English), until the hub says fr
    assert proc.stdout.startswith("Created the books of Hub Fictif ASBL in ")
    b = ("--books", str(root))
    proc = cli(*b, "participant", "add", "--activity", "couture", env=french)
    assert proc.stdout.startswith("Participant·e ouvert·e. Gardez le code ; qui elle est ne reste")
    code = proc.stdout.splitlines()[-1]
    proc = cli(*b, "participant", "add", env=dutch)
    assert proc.stdout.startswith("Deelnemer geopend. Bewaar de code; wie ze is, blijft alleen")
    listed = cli(*b, "participant", "list", env=french).stdout.splitlines()
    assert listed[0].split() == ["code", "état", "ouverture", "solde", "activité"]
    assert [code, "ouvert"] in [line.split()[:2] for line in listed[1:]]
    proc = cli(*b, "client", "add", "--name", "Atelier Fictif SRL", "--enterprise-number",
               "0403.170.701", env=dutch)  # fmt: skip
    assert proc.stdout.startswith("Klant toegevoegd: onderneming (Peppol-e-factuur naar 0208:")
    client = proc.stdout.splitlines()[-1]
    proc = cli(*b, "invoice", "issue", "--participant", code, "--client", client,
               "--line", "Retouches|3|12,50|0", env=french)  # fmt: skip
    lines = proc.stdout.splitlines()
    assert re.fullmatch(rf"Facture \d{{4}}-0001 émise \(\S+\) à {client}", lines[0]), lines
    assert any(re.fullmatch(r"Total : 37\.50 EUR, échéance \S+", line) for line in lines), lines
    assert "Communication structurée : +++" in proc.stdout
    listed = cli(*b, "invoice", "list", env=dutch).stdout
    assert re.search(r"vervalt \S+ open 37\.50 EUR rest 37\.50 ", " ".join(listed.split()))
    assert re.fullmatch(r"OK : \d+ écritures, aucune erreur\n",
                        cli(*b, "books", "check", env=french).stdout)  # fmt: skip
    assert re.fullmatch(r"OK: \d+ boekingen, geen fouten\n",
                        cli(*b, "books", "check", env=dutch).stdout)  # fmt: skip
    # machine output stays as it is: --json keys and values are not translated
    assert '"status": "open"' in cli(*b, "participant", "list", "--json", env=french).stdout
