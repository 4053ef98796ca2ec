"""The Participants page in Fava: codes and balances, never identities."""

from __future__ import annotations

from pathlib import Path

from ledger.books import Books
from ledger.fava.serve import make_app


def test_participants_page_lists_codes_only(cli, books_dir: Path) -> None:  # type: ignore[no-untyped-def]
    b = ("--books", str(books_dir))
    codes = [
        cli(
            "participant",
            "add",
            *b,
            "--from-file",
            "-",
            "--activity",
            "couture",
            input=f'alias = "Fictive Yankee {i} (test)"',
        ).stdout.splitlines()[-1]
        for i in range(3)
    ]
    app = make_app(Books.open(books_dir), read_only=True)
    client = app.test_client()
    response = client.get("/hub-test-asbl/extension/Participants/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for code in codes:
        assert code in page
    assert "Fictive Yankee" not in page
    assert "couture" in page
    assert client.put("/hub-test-asbl/api/source", json={}).status_code == 401
    ledger = app.config["LEDGERS"]["hub-test-asbl"]
    assert ledger.errors == []
