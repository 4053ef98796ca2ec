"""A Belgian decimal comma is an amount like any other (``12,50``), on every command that
takes one; a likely slip (more than two decimals) is refused, never rounded, and the books
stay as they were."""

from __future__ import annotations

import json
from pathlib import Path

from tests_support import git_state, tree_digest


def _participant(cli, books: tuple[str, str]) -> str:  # type: ignore[no-untyped-def]
    return str(
        cli("participant", "add", *books, "--from-file", "-", "--activity", "couture",
            input='alias = "Fictive Kilo (test)"').stdout.splitlines()[-1]
    )  # fmt: skip


def test_decimal_comma_is_accepted_and_a_third_decimal_refused(cli, books_dir: Path) -> None:  # type: ignore[no-untyped-def]
    b = ("--books", str(books_dir))
    code = _participant(cli, b)
    cli("cash", "sale", "12,50", "--participant", code, *b)
    book = json.loads(cli("cash", "book", "--json", *b).stdout)
    assert [r["amount"] for r in book if r["amount"] is not None] == ["12.50"]
    cli("contribution", "set-rate", "12,5", "--since", "2099-07-01", *b)
    before, history = tree_digest(books_dir), git_state(books_dir)
    for args in (
        ("cash", "sale", "12,505", "--participant", code),
        ("cash", "sale", "12.505", "--participant", code),
        ("cash", "withdraw", "0,001"),
    ):
        proc = cli(*args, *b, check=False)
        assert proc.returncode != 0, args
        assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert tree_digest(books_dir) == before and git_state(books_dir) == history
