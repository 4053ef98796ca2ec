"""What a new treasurer following the guides (docs/guide/) ran into, pinned one by one.

Each test is one defect found by walking the guides on fresh books: the hub's language
chosen at ``books init``, the words coopledger writes and prints in it, a report or a
statement asked for from inside the books, a year or a file typed wrong.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from tests_support import ENTERPRISE, IBAN, git_state, run_cli, tree_digest

from ledger.dates import today
from ledger.i18n import LANG_ENV

YEAR = today().year


def shell(cli_env: dict[str, str], tmp_path: Path, locale: str) -> dict[str, str]:
    """A treasurer's shell: her locale, no COOPLEDGER_LANG, reports under her home."""
    env = {k: v for k, v in cli_env.items() if k not in (LANG_ENV, "LC_ALL", "LC_MESSAGES")}
    env["LANG"] = locale
    env["HOME"] = env["XDG_DATA_HOME"] = str(tmp_path / "home")
    return env


def new_hub(env: dict[str, str], tmp_path: Path, *lang: str) -> Path:
    root = tmp_path / "books"
    proc = run_cli(
        ["books", "init", str(root), "--name", "Hub Fictif ASBL", "--enterprise-number",
         ENTERPRISE, "--iban", IBAN, "--start", f"{YEAR}-01-01", *lang],
        env=env, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return root


def participant(env: dict[str, str], books: Path, tmp_path: Path) -> str:
    alias = tmp_path / "alias.toml"
    alias.write_text('alias = "Fictive Personne (test)"\n', encoding="utf-8")
    proc = run_cli(["participant", "add", "--from-file", str(alias)], env=env, cwd=books)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()[-1]


def test_books_init_lang_makes_the_hub_speak_dutch(cli_env: dict[str, str], tmp_path: Path):
    env = shell(cli_env, tmp_path, "nl_BE.UTF-8")
    books = new_hub(env, tmp_path, "--lang", "nl")
    assert 'default_lang = "nl"' in (books / "hub.toml").read_text(encoding="utf-8")
    env["LANG"] = "fr_BE.UTF-8"  # inside the books, the hub's language speaks
    check = run_cli(["books", "check"], env=env, cwd=books)
    assert check.returncode == 0 and "geen fouten" in check.stdout, check.stdout
    # without --lang the hub is French, as before
    other = shell(cli_env, tmp_path / "fr", "nl_BE.UTF-8")
    (tmp_path / "fr").mkdir()
    french = new_hub(other, tmp_path / "fr")
    assert 'default_lang = "fr"' in (french / "hub.toml").read_text(encoding="utf-8")
    refused = run_cli(["books", "init", str(tmp_path / "x"), "--name", "Hub", "--lang", "de",
                       "--enterprise-number", ENTERPRISE, "--iban", IBAN], env=env, cwd=tmp_path)  # fmt: skip
    assert refused.returncode == 2 and not (tmp_path / "x").exists()


def test_a_cash_sale_and_its_count_are_written_and_shown_in_the_hubs_language(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    env = shell(cli_env, tmp_path, "nl_BE.UTF-8")
    books = new_hub(env, tmp_path, "--lang", "nl")
    code = participant(env, books, tmp_path)
    for args in (["cash", "sale", "12,50", "--participant", code], ["cash", "count", "12,50"]):
        proc = run_cli(args, env=env, cwd=books)
        assert proc.returncode == 0, proc.stderr
    written = "".join(p.read_text(encoding="utf-8") for p in books.rglob("cash.beancount"))
    assert "contante verkoop" in written and "vente au comptant" not in written
    book = run_cli(["cash", "book"], env=env, cwd=books).stdout
    assert "geteld" in book and "counted" not in book, book
    # a French hub writes French, and a treasurer reading English reads English
    env_en = {**env, LANG_ENV: "en"}
    assert "counted" in run_cli(["cash", "book"], env=env_en, cwd=books).stdout


def test_a_year_out_of_range_is_said_in_the_users_language_without_repeating_it(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    env = shell(cli_env, tmp_path, "fr_BE.UTF-8")
    books = new_hub(env, tmp_path)
    before, history = tree_digest(books), git_state(books)
    proc = run_cli(["year", "trial-balance", "26"], env=env, cwd=books)
    assert proc.returncode == 2
    assert "n'est pas une année de 1900 à 2999" in proc.stderr, proc.stderr
    assert "26" not in proc.stderr.replace("2999", "") and "range" not in proc.stderr
    assert tree_digest(books) == before and git_state(books) == history


def test_from_file_says_a_missing_file_is_missing(cli_env: dict[str, str], tmp_path: Path):
    env = shell(cli_env, tmp_path, "fr_BE.UTF-8")
    books = new_hub(env, tmp_path)
    before, history = tree_digest(books), git_state(books)
    proc = run_cli(["participant", "add", "--from-file", "../aline-fictive.toml"], env=env,
                   cwd=books)  # fmt: skip
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "UTF-8" not in lines[0] and "aline" not in lines[0], lines
    assert "--from-file : illisible (" in lines[0], lines
    bad = tmp_path / "latin1.toml"
    bad.write_bytes('alias = "Fictive Hélène"\n'.encode("latin-1"))
    proc = run_cli(["participant", "add", "--from-file", str(bad)], env=env, cwd=books)
    assert "UTF-8" in proc.stderr and "Hélène" not in proc.stderr
    assert tree_digest(books) == before and git_state(books) == history


def test_a_statement_asked_for_from_inside_the_books_goes_to_the_reports_folder_in_the_hubs_language(
    cli_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reports.statement

    env = shell(cli_env, tmp_path, "nl_BE.UTF-8")
    books = new_hub(env, tmp_path, "--lang", "nl")
    code = participant(env, books, tmp_path)
    langs: list[str] = []

    def render(summary: Any, config: Any, lang: str, *rest: Any) -> bytes:
        langs.append(lang)
        return b"%PDF-1.4 fictional\n"

    monkeypatch.setattr(reports.statement, "render_statement", render)
    before, history = tree_digest(books), git_state(books)
    proc = run_cli(["participant", "statement", code], env=env, cwd=books)
    assert proc.returncode == 0, proc.stderr
    written = list((tmp_path / "home" / "coopledger").rglob(f"statement-{code}-*.pdf"))
    assert len(written) == 1 and written[0].parent.name == "reports", written
    assert langs == ["nl"]
    assert tree_digest(books) == before and git_state(books) == history
    proc = run_cli(["participant", "statement", code, "--lang", "fr", "--out", "s.pdf"],
                   env=env, cwd=books)  # fmt: skip
    assert proc.returncode == 1 and len(proc.stderr.strip().splitlines()) == 1  # inside
    out = tmp_path / "s.pdf"
    proc = run_cli(["participant", "statement", code, "--lang", "fr", "--out", str(out)],
                   env=env, cwd=books)  # fmt: skip
    assert proc.returncode == 0 and out.exists() and langs[-1] == "fr"


@pytest.mark.parametrize("name", ["trial-balance", "general-ledger", "journals", "vat"])
def test_every_report_of_a_year_takes_it_as_its_argument_and_the_hubs_language(
    name: str, cli_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reports import builders

    env = shell(cli_env, tmp_path, "fr_BE.UTF-8")
    books = new_hub(env, tmp_path, "--lang", "nl")
    asked: list[tuple[Any, str]] = []

    def build(books: Any, name: str, period: Any, lang: str, *rest: Any, **kw: Any) -> Any:
        asked.append((period, lang))
        raise SystemExit(0)  # what was asked is the point, not the report

    monkeypatch.setattr(builders, "build", build)
    proc = run_cli(["report", name, str(YEAR)], env=env, cwd=books)
    assert proc.returncode == 0, proc.stderr
    ((period, lang),) = asked
    assert (period.start.isoformat(), period.end.isoformat(), lang) == (
        f"{YEAR}-01-01", f"{YEAR}-12-31", "nl")  # fmt: skip
    proc = run_cli(["report", name, str(YEAR), "--year", str(YEAR - 1)], env=env, cwd=books)
    assert proc.returncode == 1 and len(proc.stderr.strip().splitlines()) == 1
    run_cli(["report", name, "--year", str(YEAR), "--lang", "en"], env=env, cwd=books)
    assert asked[-1][1] == "en"


def test_the_close_summary_lines_up_in_french(cli_env: dict[str, str], tmp_path: Path):
    env = shell(cli_env, tmp_path, "fr_BE.UTF-8")
    books = new_hub(env, tmp_path)
    env["COOPLEDGER_TODAY"] = f"{YEAR + 1}-01-05"
    proc = run_cli(["year", "close", str(YEAR)], env=env, cwd=books)
    assert proc.returncode == 0, proc.stderr
    rows = [ln for ln in proc.stdout.splitlines() if ln.endswith(" EUR")]
    assert len(rows) == 5 and any("participant·es" in r for r in rows), rows
    assert len({len(r) for r in rows}) == 1, rows  # one column of amounts
    assert all(re.fullmatch(r"  \S.*\S +-?[\d,]+\.\d\d EUR", r) for r in rows), rows
