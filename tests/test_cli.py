"""The core commands through a subprocess, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests_support import ENTERPRISE, IBAN


def test_init_creates_books_under_git(cli, books_dir: Path) -> None:  # type: ignore[no-untyped-def]
    for name in ("hub.toml", "main.beancount", "accounts.beancount", "participants.beancount",
                 ".gitignore", "roster.age"):  # fmt: skip
        assert (books_dir / name).is_file(), name
    log = (books_dir / ".git").is_dir()
    assert log
    accounts = (books_dir / "accounts.beancount").read_text()
    for pcmn in ("550", "400", "440", "411", "451", "499", "570", "60", "61", "62", "70",
                 "73", "10", "14"):  # fmt: skip
        assert f'pcmn: "{pcmn}"' in accounts, pcmn
    proc = cli("check", "--books", str(books_dir))
    assert proc.stdout.startswith("OK:")


def test_init_prints_key_location_outside_the_books(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    proc = cli("init", str(tmp_path / "b"), "--name", "Hub Test ASBL",
               "--enterprise-number", ENTERPRISE, "--iban", IBAN)  # fmt: skip
    key_line = next(line for line in proc.stdout.splitlines() if line.startswith("Hub key"))
    key_path = Path(key_line.split(": ", 1)[1])
    assert key_path.is_file()
    assert (tmp_path / "b") not in key_path.parents
    assert "back" in proc.stdout.lower()
    assert key_path.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("option", "value", "needle"),
    [
        ("--iban", "BE68539007547035", "invalid IBAN"),
        ("--enterprise-number", "0403170702", "enterprise number"),
        ("--contribution-rate", "140", "contribution-rate"),
        ("--contribution-rate", "x", "contribution-rate"),
        ("--start", "2026-13-01", "invalid date"),
        ("--vat-number", "BE123", "VAT number"),
    ],
)
def test_init_bad_input_creates_nothing(
    cli, tmp_path: Path, option: str, value: str, needle: str
) -> None:  # type: ignore[no-untyped-def]
    args = {"--name": "Hub Test ASBL", "--enterprise-number": ENTERPRISE, "--iban": IBAN}
    args[option] = value
    flat = [x for pair in args.items() for x in pair]
    proc = cli("init", str(tmp_path / "nb"), *flat, check=False)
    assert proc.returncode != 0
    assert needle in proc.stderr
    assert not (tmp_path / "nb").exists()


def test_init_refuses_non_empty_directory(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "full"
    target.mkdir()
    (target / "keep.txt").write_text("x")
    proc = cli("init", str(target), "--name", "H", "--enterprise-number", ENTERPRISE,
               "--iban", IBAN, check=False)  # fmt: skip
    assert proc.returncode == 1
    assert "not an empty directory" in proc.stderr
    assert sorted(p.name for p in target.iterdir()) == ["keep.txt"]


def test_participant_lifecycle(cli, books_dir: Path) -> None:  # type: ignore[no-untyped-def]
    b = ("--books", str(books_dir))
    code = cli(
        "participant", "add", *b, "--activity", "catering", "--date", "2026-02-01"
    ).stdout.splitlines()[-1]
    assert code.startswith("P-") and len(code) == 8
    listed = json.loads(cli("participant", "list", *b, "--json").stdout)
    assert listed == [
        {"code": code, "status": "open", "activity": "catering", "opened": "2026-02-01",
         "closed": None, "balance": "0"}
    ]  # fmt: skip
    shown = json.loads(cli("participant", "show", code, *b, "--json").stdout)
    assert shown["code"] == code and shown["balance"] == "0"
    cli("participant", "close", code, *b, "--date", "2026-03-01")
    listed = json.loads(cli("participant", "list", *b, "--json").stdout)
    assert listed[0]["status"] == "closed"
    log = cli.__class__  # keep linters quiet about unused fixtures
    assert log


def test_books_default_from_environment(cli, books_dir: Path) -> None:  # type: ignore[no-untyped-def]
    env = dict(cli.env, COOPLEDGER_BOOKS=str(books_dir))
    proc = cli("participant", "list", "--json", env=env)
    assert json.loads(proc.stdout) == []


@pytest.mark.parametrize(
    "args",
    [
        ["participant", "show", "P-ZZZZZZ"],
        ["participant", "show", "not-a-code"],
        ["participant", "close", "P-ZZZZZZ"],
        ["participant", "add", "--date", "2026-02-30"],
        ["participant", "add", "--activity", "<script>"],
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    cli, books_dir: Path, snapshot_books, args
) -> None:  # type: ignore[no-untyped-def]
    snapshot_books.take(books_dir)
    proc = cli(*args, "--books", str(books_dir), check=False)
    assert proc.returncode != 0
    assert proc.stderr.startswith("coopledger: error:") and proc.stderr.count("\n") == 1
    snapshot_books.assert_unchanged()


def test_close_refused_while_money_is_held(cli, books_dir: Path, snapshot_books) -> None:  # type: ignore[no-untyped-def]
    b = ("--books", str(books_dir))
    code = cli("participant", "add", *b, "--date", "2026-02-01").stdout.splitlines()[-1]
    extra = books_dir / "2026" / "manual.beancount"
    extra.parent.mkdir()
    extra.write_text(
        f'2026-02-10 * "a sale booked by hand"\n  Assets:Clients 25.00 EUR\n'
        f"  Income:Participants:{code}:Ventes -25.00 EUR\n"
        f"  Expenses:Participants:{code}:Quote-part 25.00 EUR\n"
        f"  Liabilities:Participants:{code} -25.00 EUR\n"
    )
    main = books_dir / "main.beancount"
    main.write_text(main.read_text() + 'include "2026/manual.beancount"\n')
    cli("check", *b, "--adopt-changes")  # a hand edit: committed under its own message
    snapshot_books.take(books_dir)
    proc = cli("participant", "close", code, *b, check=False)
    assert proc.returncode == 1
    assert "still holds 25.00 EUR" in proc.stderr
    snapshot_books.assert_unchanged()


def test_books_that_do_not_parse_give_one_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    proc = cli("participant", "list", "--books", str(tmp_path / "nowhere"), check=False)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "hub.toml").write_text("this is = not [toml")
    proc = cli("participant", "list", "--books", str(bad), check=False)
    assert proc.returncode == 1 and "not valid TOML" in proc.stderr


def test_check_reports_file_and_line(cli, books_dir: Path) -> None:  # type: ignore[no-untyped-def]
    main = books_dir / "main.beancount"
    main.write_text(
        main.read_text()
        + '2026-02-01 * "unbalanced"\n  Assets:Caisse 1.00 EUR\n  Assets:Clients 2.00 EUR\n'
    )
    lineno = len(main.read_text().splitlines()) - 2
    proc = cli("check", "--books", str(books_dir), check=False)
    assert proc.returncode == 1
    assert f"main.beancount:{lineno}:" in proc.stderr
    report = json.loads(cli("check", "--books", str(books_dir), "--json", check=False).stdout)
    assert report["ok"] is False and report["errors"][0]["lineno"] == lineno


def test_every_change_is_committed_without_identity(cli, books_dir: Path) -> None:  # type: ignore[no-untyped-def]
    import subprocess

    cli("participant", "add", "--books", str(books_dir), "--from-file", "-",
        input='alias = "Fictive Kilo (test)"')  # fmt: skip
    log = subprocess.run(["git", "-C", str(books_dir), "log", "--format=%s"],
                         capture_output=True, text=True, check=True).stdout.splitlines()  # fmt: skip
    assert log[0].startswith("participant: open P-")
    assert log[-1] == "init: create the hub's books"
    status = subprocess.run(["git", "-C", str(books_dir), "status", "--porcelain"],
                            capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert status == ""


def test_several_bank_accounts(cli, books_dir: Path, snapshot_books) -> None:  # type: ignore[no-untyped-def]
    b = ("--books", str(books_dir))
    cli(
        "bank",
        "add",
        *b,
        "--iban",
        "BE71 0961 2345 6769",
        "--label",
        "Épargne",
        "--date",
        "2026-01-01",
    )
    banks = json.loads(cli("bank", "list", *b, "--json").stdout)
    assert [x["iban"] for x in banks] == [IBAN, "BE71096123456769"]
    assert banks[1]["account"] == "Assets:Banque:6769"
    assert "Assets:Banque:6769" in (books_dir / "accounts.beancount").read_text()
    cli("check", *b)
    snapshot_books.take(books_dir)
    for bad in (["--iban", "BE71096123456768"], ["--iban", "BE71096123456769"]):
        proc = cli("bank", "add", *b, *bad, check=False)
        assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    snapshot_books.assert_unchanged()


def test_init_records_the_seat_for_invoices(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "seat"
    cli("init", str(root), "--name", "Hub Test ASBL", "--enterprise-number", ENTERPRISE, "--iban", IBAN,
        "--address", "Rue de l'Exemple 1, 1030 Schaerbeek", "--legal-form", "VZW",
        "--court-register", "RPR Brussel", "--email", "hub@example.org")  # fmt: skip
    hub = (root / "hub.toml").read_text()
    assert 'address = "Rue de l\'Exemple 1"' in hub
    assert 'postal_code = "1030"' in hub and 'city = "Schaerbeek"' in hub
    assert 'legal_form = "VZW"' in hub and 'court_register = "RPR Brussel"' in hub


def test_check_warns_of_a_hand_edit_and_a_pickle_and_git_failing_is_one_line(
    cli, books_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    """git status runs beside the load (cmd_check): its changes still warn, and a git that
    cannot read the books is still one line, after the load."""
    (books_dir / "notes.txt").write_text("a hand edit\n")
    (books_dir / ".main.beancount.picklecache").write_bytes(b"planted")
    report = json.loads(cli("check", "--books", str(books_dir), "--json").stdout)
    assert report["ok"] is True
    assert any("notes.txt" in w for w in report["warnings"])
    assert any(".main.beancount.picklecache" in w for w in report["warnings"])
    (books_dir / ".git" / "HEAD").write_text("garbage\n")
    proc = cli("check", "--books", str(books_dir), check=False)
    assert proc.returncode != 0
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
