"""QA of the hub's language (issue 14): what still came out in English for a French or a
Dutch hub, each leak found on the demo or in the source, and a scan of the source that
fails on a text shown to the user without ``_()``.

The suite pins ``COOPLEDGER_LANG=en`` (conftest); these tests take it out of the
environment so that the books' ``default_lang`` decides, as for a treasurer.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tests_support import run_cli

from ledger import errors
from ledger.fava.edit import RefusedWriteError
from ledger.i18n import LANG_ENV, _, set_ui_lang, shown

REPO = Path(__file__).resolve().parent.parent
SOURCES = ("ledger", "importers", "invoicing", "plugins", "reports")
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The French demo (``default_lang = "fr"``), no language set in the environment."""
    base = tmp_path_factory.mktemp("qa-i18n")
    env = dict(os.environ, XDG_CONFIG_HOME=str(base / "xdg"), BEANCOUNT_DISABLE_LOAD_CACHE="1")
    for name in (LANG_ENV, "LANG", "LC_ALL", "LC_MESSAGES", "COOPLEDGER_KEY_FILE"):
        env.pop(name, None)
    # a locale that names no language, but UTF-8: rendering a PDF in this process may set
    # the C library's locale from it, and later tests read files (see test_cli_language)
    env["LANG"] = "C.UTF-8"
    root = base / "demo-books"
    proc = subprocess.run(
        [sys.executable, "-m", "ledger.cli", "demo", "build", str(root), "--year", "2025"],
        env=env, check=True, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert "Démo" in proc.stdout or "démo" in proc.stdout, proc.stdout  # the hub's language
    env["COOPLEDGER_BOOKS"] = str(root)
    env["COOPLEDGER_KEY_FILE"] = str(base / "demo-books.key")
    return root, env


def _run(env: dict[str, str], *args: str, lang: str | None = None, code: int = 0) -> str:
    run_env = dict(env, **({LANG_ENV: lang} if lang else {}))
    proc = run_cli(args, env=run_env)
    assert proc.returncode == code, proc.stderr
    return proc.stdout + proc.stderr


def test_leak_demo_build_says_ready_in_the_hubs_language(demo) -> None:  # type: ignore[no-untyped-def]
    # checked by the fixture: the demo's last line is French (its hub.toml says fr)
    root, _env = demo
    assert 'default_lang = "fr"' in (root / "hub.toml").read_text(encoding="utf-8")


def test_leak_invoice_list_credit_note_line_in_french(demo) -> None:  # type: ignore[no-untyped-def]
    _root, env = demo
    out = _run(env, "invoice", "list")
    assert "note de crédit sur" in out
    assert "credit note on" not in out
    assert "creditnota op" in _run(env, "invoice", "list", lang="nl")


def test_leak_participant_show_labels_kinds_and_carried_narrations(demo) -> None:  # type: ignore[no-untyped-def]
    root, env = demo
    codes = re.findall(r"^(P-\w{6})", _run(env, "participant", "list"), re.M)
    out = "\n".join(_run(env, "participant", "show", code) for code in codes)
    assert "dont imputés" in out and "of which" not in out
    # the kinds of the movements (a participant opened before the close is shown from the
    # full history, so no carried line: test_defect_qa_live_1), and the close's narrations
    assert " carried " not in out
    assert " coût " in out and " expense " not in out
    carried = (root / "carried.beancount").read_text(encoding="utf-8")
    assert "Soldes reportés par la clôture de 2025" in carried
    assert "Balances carried" not in carried and "Carried items" not in carried
    dutch = _run(env, "participant", "show", codes[0], lang="nl")
    assert " carried " not in dutch and " expense " not in dutch


def test_leak_statement_inside_the_books_says_why_in_french(demo) -> None:  # type: ignore[no-untyped-def]
    root, env = demo
    code = re.findall(r"^(P-\w{6})", _run(env, "participant", "list"), re.M)[0]
    out = _run(env, "participant", "statement", code, "--out", str(root / "s.pdf"), code=1)
    assert "il nomme un·e participant·e" in out and "names a participant" not in out


def test_leak_invoice_validate_of_a_missing_file_in_dutch(demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _root, env = demo
    out = _run(env, "invoice", "validate", str(tmp_path / "nowhere.xml"), lang="nl", code=1)
    assert "blokkerend" in out and "kan niet gelezen worden" in out
    assert "fatal" not in out and "cannot read" not in out


def test_leak_help_headings_in_french_typography(demo) -> None:  # type: ignore[no-untyped-def]
    _root, env = demo
    out = _run(env, "payout", "--help")
    assert f"Usage{NBSP}: " in out
    assert f"\nOptions{NBSP}:\n" in out and f"\nCommandes{NBSP}:\n" in out
    assert "Commandes:" not in out and "Options:" not in out
    dutch = _run(env, "payout", "--help", lang="nl")
    assert "\nOpties:\n" in dutch or "\nOptions:\n" in dutch
    assert NBSP + ":" not in dutch


def test_leak_fava_refusals_and_serve_lines_are_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LANG_ENV, raising=False)
    try:
        set_ui_lang("fr")
        refused = RefusedWriteError(_("{path} is outside the books", path="/x"), 403)  # type: ignore[arg-type]
        assert str(refused) == "/x est hors des livres"
        closed = _(
            "{what} is dated {day}, in a closed year (closed until {until}): book "
            "corrections in an open year",
            what=_("this entry"), day="2025-03-01", until="2025-12-31",
        )  # fmt: skip
        assert shown(closed).startswith("cette écriture est daté·e du 2025-03-01")
        assert shown(_("refusing to serve: {errors}", errors="x"), "nl").startswith("weigering")
    finally:
        set_ui_lang(None)


# ---------------------------------------------------------------- the source, scanned

ENGLISH = re.compile(r"[a-z]{2,}[ ,;:]+[a-z]{2,}")  # two lowercase words: a sentence
ERRORS = {
    name
    for name, value in vars(errors).items()
    if isinstance(value, type) and issubclass(value, errors.CoopledgerError)
} | {"RefusedWriteError"}
SHOWING = {"say", "print", "echo"}
LOAD_ERRORS = {"AnchorError", "SealedFileError", "UnsafeDirectiveError", "MissingPluginError"} | {
    node.id
    for path in (REPO / "plugins").rglob("*.py")
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
    if isinstance(node, ast.Name) and node.id.endswith("Error")
}


def _english(node: ast.AST) -> bool:
    """A literal (or an f-string, a ``+`` or ``%`` of them) with English words in it."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(ENGLISH.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(
            isinstance(v, ast.Constant) and ENGLISH.search(str(v.value)) for v in node.values
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return _english(node.left) or _english(node.right)
    return False


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def unwrapped_texts() -> list[str]:
    """``raise SomeCoopledgerError("…")`` / ``say("…")`` / ``print(f"… {x}")`` whose text
    is English words not made with ``_()``: the user would read them in English."""
    found = []
    for top in SOURCES:
        for path in sorted((REPO / top).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                name = _name(node.func)
                shown_text = (name in ERRORS or name in SHOWING) and _english(node.args[0])
                # a beancount-style error, ``SomeError(source, message, entry)`` (plugins,
                # the loader's guards): its message is what ``books check`` prints
                load_error = name in LOAD_ERRORS and len(node.args) == 3
                if shown_text or (load_error and _english(node.args[1])):
                    found.append(f"{path.relative_to(REPO)}:{node.lineno}: {name}")
    return found


def test_no_error_or_printed_line_of_english_words_without_a_message() -> None:
    assert unwrapped_texts() == []


def test_leak_python_stdnum_and_schwifty_reasons_in_french() -> None:
    from ledger.config import normalize_bic, normalize_enterprise_number

    with pytest.raises(ValueError) as bad_number:
        normalize_enterprise_number("0123456780")
    assert shown(bad_number.value, "fr").endswith(": chiffres de contrôle erronés")
    assert "checksum" not in shown(bad_number.value, "fr")
    assert "The number's checksum" not in str(bad_number.value)  # English: ours, too
    with pytest.raises(ValueError) as bad_bic:
        normalize_bic("XX")
    assert shown(bad_bic.value, "nl") == "ongeldige BIC: verkeerde lengte"


def test_leak_a_broken_batch_file_says_where_in_french(demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _root, env = demo
    batch = tmp_path / "batch.toml"
    batch.write_text("not toml [[", encoding="utf-8")
    out = _run(env, "payout", "add", "--from", str(batch), code=1)
    assert "TOML non valide : erreur de syntaxe à la ligne 1, colonne 5 (« Expected" in out
    english = _run(env, "payout", "add", "--from", str(batch), lang="en", code=1)
    assert "Expected '=' after a key in a key/value pair (at line 1, column 5)" in english


def test_leak_bank_show_line_field_names_in_french_and_dutch(demo) -> None:  # type: ignore[no-untyped-def]
    _root, env = demo
    ref = _run(env, "reconcile", "list").split()[1]
    out = _run(env, "bank", "show-line", ref)
    assert f"contrepartie{NBSP}:" in out and "counterparty" not in out
    assert "bank-reference" not in out
    dutch = _run(env, "bank", "show-line", ref, lang="nl")
    assert "tegenpartij:" in dutch and "counterparty" not in dutch


def test_leak_progress_steps_punctuated_in_french(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from ledger.progress import Progress

    monkeypatch.delenv(LANG_ENV, raising=False)
    monkeypatch.setenv("COOPLEDGER_PROGRESS", "1")
    try:
        set_ui_lang("fr")
        screen = io.StringIO()
        with Progress("reading", 1, stream=screen) as progress:
            progress.step(_("this entry"))
        assert "\rlecture : 1/1 cette écriture" in screen.getvalue()
    finally:
        set_ui_lang(None)


def test_leak_hand_edit_words_and_stray_file_in_french(demo) -> None:  # type: ignore[no-untyped-def]
    root, env = demo
    stray = root / "stray.beancount"
    stray.write_text("; a stray file\n", encoding="utf-8")
    try:
        out = _run(env, "books", "check", code=1)
    finally:
        stray.unlink()
    assert "stray.beancount (nouveau)" in out and "(new)" not in out
    assert "stray.beancount n'est pas inclus depuis main.beancount" in out
    assert "is not included" not in out


def test_leak_a_parser_error_hides_the_quote_in_french() -> None:
    import collections

    from ledger.loader import format_error

    LexerError = collections.namedtuple("LexerError", "source message entry")
    error = LexerError({"filename": "main.beancount", "lineno": 3}, "Invalid token: 'Zorb'", None)
    message = format_error(error)
    assert message == "main.beancount:3: Invalid token: (the text is not repeated)"
    assert shown(message, "fr").endswith("Invalid token: (le texte n'est pas répété)")
    assert "Zorb" not in shown(message, "fr")


def test_leak_joined_errors_are_each_shown_in_french() -> None:
    from ledger.i18n import joined

    both = joined([_("this entry"), "x.beancount", _("a new entry")], "; ")
    assert both == "this entry; x.beancount; a new entry"  # English, as the code reads it
    assert shown(both, "fr") == "cette écriture; x.beancount; une nouvelle écriture"
    assert joined([]) == "" and joined(["plain"]) == "plain"
    refusal = _("refusing to serve: {errors}", errors=joined([_("this entry")], "; "))
    assert shown(refusal, "fr") == "refus de servir les livres : cette écriture"


NARRATION = re.compile(r'^\d{4}-\d\d-\d\d [*!] "([^"]*)"', re.M)


def test_leak_every_narration_of_the_french_demo_is_french(demo) -> None:  # type: ignore[no-untyped-def]
    root, _env = demo
    narrations = {
        text
        for path in root.rglob("*.beancount")
        for text in NARRATION.findall(path.read_text(encoding="utf-8"))
    }
    english = sorted(n for n in narrations if re.search(r"\b(the|of|for|by|on)\b", n))
    assert english == []
    assert "Loyer de l'espace de travail" in narrations and "Frais bancaires" in narrations
    assert "Soldes reportés par la clôture de 2025" in narrations


def test_leak_invoice_validate_of_a_broken_xml_in_french(demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _root, env = demo
    broken = tmp_path / "broken.xml"
    broken.write_text("<Invoice>", encoding="utf-8")
    out = _run(env, "invoice", "validate", str(broken), code=1)
    assert "bloquant (xml) : XML mal formé" in out or "bloquant (xml): XML mal formé" in out
    assert "not well-formed" not in out


def test_leak_the_systems_file_errors_in_french(demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _root, env = demo
    missing = str(tmp_path / "nowhere.xml")
    out = _run(env, "purchase", "import", missing, code=1)
    assert "fichier ou dossier introuvable" in out and "No such file" not in out
    english = _run(env, "purchase", "import", missing, lang="en", code=1)
    assert "(No such file or directory)" in english  # the system's words, unchanged
