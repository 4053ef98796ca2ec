"""The command line speaks the hub's language: a message is English in the code and in
the tests (the source language), and shown in French or Dutch to the user."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from conftest import Cli

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
