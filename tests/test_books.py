"""The one write path: atomic, checked, rolled back, crash-safe, committed."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import amount, data
from tests_support import tree_digest

from ledger.books import JOURNAL_FILE, Books
from ledger.errors import BooksWriteError, WriteRejectedError


def txn(day: dt.date, postings: list[tuple[str, str]]) -> data.Transaction:
    return data.Transaction(
        data.new_metadata("<test>", 0, {"kind": "test"}), day, "*", None, "test entry",
        data.EMPTY_SET, data.EMPTY_SET,
        [data.Posting(acc, amount.Amount(Decimal(n), "EUR"), None, None, None, None)
         for acc, n in postings],
    )  # fmt: skip


GOOD = [("Assets:Caisse", "10.00"), ("Equity:Fonds-associatif", "-10.00")]
UNBALANCED = [("Assets:Caisse", "10.00"), ("Equity:Fonds-associatif", "-9.00")]


def test_good_write_is_committed(cli_env, books_dir: Path) -> None:  # type: ignore[no-untyped-def]
    books = Books.open(books_dir)
    with books.transaction("test: a good entry") as tx:
        tx.add_entries([txn(dt.date(2026, 3, 1), GOOD)], kind="other")
    assert 'include "2026/other.beancount"' in (books_dir / "main.beancount").read_text()
    assert "test entry" in (books_dir / "2026/other.beancount").read_text()
    assert books.load().errors == []
    log = subprocess.run(["git", "-C", str(books_dir), "log", "-1", "--format=%s"],
                         capture_output=True, text=True).stdout.strip()  # fmt: skip
    assert log == "test: a good entry"


def test_write_that_breaks_the_books_is_rolled_back(cli_env, books_dir: Path) -> None:  # type: ignore[no-untyped-def]
    books = Books.open(books_dir)
    before = tree_digest(books_dir)
    with pytest.raises(WriteRejectedError) as info:
        with books.transaction("test: unbalanced") as tx:
            tx.add_entries([txn(dt.date(2026, 3, 1), UNBALANCED)], kind="other")
    assert "2026/other.beancount:" in info.value.message
    assert tree_digest(books_dir) == before
    assert not (books_dir / "2026").exists()


def test_exception_inside_the_block_writes_nothing(cli_env, books_dir: Path) -> None:  # type: ignore[no-untyped-def]
    books = Books.open(books_dir)
    before = tree_digest(books_dir)
    with pytest.raises(RuntimeError), books.transaction("test: aborted") as tx:
        tx.add_entries([txn(dt.date(2026, 3, 1), GOOD)], kind="other")
        raise RuntimeError("boom")
    assert tree_digest(books_dir) == before


def test_failed_rename_leaves_previous_bytes(cli_env, books_dir: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    books = Books.open(books_dir)
    before = tree_digest(books_dir)
    real_replace = os.replace
    calls = {"n": 0}

    def flaky_replace(src, dst):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", flaky_replace)
    with pytest.raises(BooksWriteError) as info, books.transaction("test: disk full") as tx:
        tx.add_entries([txn(dt.date(2026, 3, 1), GOOD)], kind="other")
    assert info.value.message == (
        "2026/other.beancount: No space left on device (ENOSPC); nothing was changed"
    )
    monkeypatch.setattr(os, "replace", real_replace)
    assert tree_digest(books_dir) == before
    assert not list(books_dir.rglob("*.tmp"))


@pytest.mark.parametrize("point", ["after-first-file", "after-files", "after-git-add"])
def test_crash_mid_write_is_undone_by_the_next_command(cli, books_dir: Path, point: str) -> None:  # type: ignore[no-untyped-def]
    before = tree_digest(books_dir)
    env = dict(cli.env, COOPLEDGER_FAULT_INJECT=point)
    proc = cli("participant", "add", "--books", str(books_dir), "--from-file", "-",
               input='alias = "Fictive Lima (test)"', env=env, check=False)  # fmt: skip
    assert proc.returncode == 86  # the process died in the middle of the write
    assert (books_dir / JOURNAL_FILE).exists()
    # The next command, whatever it is, first puts the previous bytes back.
    cli("participant", "list", "--books", str(books_dir))
    assert tree_digest(books_dir) == before
    assert not (books_dir / JOURNAL_FILE).exists()
    status = subprocess.run(["git", "-C", str(books_dir), "status", "--porcelain"],
                            capture_output=True, text=True).stdout  # fmt: skip
    assert status == ""
    cli("check", "--books", str(books_dir))


def test_killed_writer_never_leaves_a_torn_file(cli, books_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """SIGKILL at arbitrary moments: the books are always the old or the new version."""
    import signal
    import time

    main = books_dir / "participants.beancount"
    for delay in (0.05, 0.15, 0.3, 0.5, 0.8):
        before = main.read_bytes()
        proc = subprocess.Popen(
            [sys.executable, "-m", "ledger.cli", "participant", "add", "--books", str(books_dir)],
            env=cli.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        cli("check", "--books", str(books_dir))
        after = main.read_bytes()
        assert after == before or after.startswith(before)


def test_recovery_removes_temp_files_of_a_killed_writer(cli_env, books_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from ledger.books import recover_journal, write_journal

    books = Books.open(books_dir)
    before = tree_digest(books_dir)
    target = books_dir / "2026" / "other.beancount"
    write_journal(books, {"2026/other.beancount": None}, subprocess.run(
        ["git", "-C", str(books_dir), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip())  # fmt: skip
    target.parent.mkdir()
    (target.parent / ".other.beancount.abc123.tmp").write_text("half")
    assert recover_journal(books)
    assert tree_digest(books_dir) == before
    assert not target.parent.exists()


def _stat_dirty(root: Path) -> list[str]:
    """Files git would have to read again (its index's stat cache does not match them)."""
    proc = subprocess.run(
        ["git", "--no-optional-locks", "-C", str(root), "diff-files", "--name-only"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return proc.stdout.split()


def test_books_copied_are_hashed_once_by_a_write_or_a_check(
    cli, books_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # A copy (a restore, a benchmark) keeps no stat cache git trusts: each git command
    # would read every file again. The write path and a check with no write running let
    # git keep what it read (its index only: the books' files do not change).
    for name, command in (("written", ("participant", "add")), ("checked", ("check",))):
        copy = tmp_path / name
        subprocess.run(["cp", "-a", str(books_dir), str(copy)], check=True)  # new inodes
        past = time.time() - 100  # files older than git's index: not "racily clean"
        for path in copy.rglob("*"):
            if ".git" not in path.relative_to(copy).parts and path.is_file():
                os.utime(path, (past, past))
        before = tree_digest(copy)
        assert _stat_dirty(copy)
        cli(*command, "--books", str(copy))
        assert _stat_dirty(copy) == []
        if name == "checked":
            assert tree_digest(copy) == before


def test_qa22_no_write_while_an_anchor_says_a_seal_or_its_carry_is_not_the_tags() -> None:
    """The anchors (a seal or the carried balances against their tag, a books file left
    out) refuse a write as a changed sealed year does, whatever the books had before."""
    import collections

    from ledger.books import SEALED_ERRORS, _refuse_changed_sealed_years
    from ledger.errors import WriteRejectedError
    from ledger.loader import Ledger

    AnchorError = collections.namedtuple("AnchorError", "source message entry")
    error = AnchorError({"filename": "/books/carried.beancount", "lineno": 3}, "rewritten", None)
    ledger = Ledger([], [error], {}, [], [], [], {}, True)  # type: ignore[arg-type]

    class FakeBooks:
        root = Path("/books")

    with pytest.raises(WriteRejectedError) as caught:
        _refuse_changed_sealed_years(FakeBooks(), ledger, SEALED_ERRORS)  # type: ignore[arg-type]
    assert "carried.beancount:3: rewritten" in caught.value.message
