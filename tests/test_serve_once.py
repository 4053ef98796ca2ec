"""`serve` loads the books once before its first page (issue 16), and again only when a
file changed, each time with coopledger's guarded loader (never Fava's own)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import ledger.fava.serve as serve_module
from ledger.books import Books
from ledger.loader import Ledger, load_ledger

SLUG = "hub-test-asbl"


class Counts:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.ours = 0
        self.favas = 0
        original = serve_module._fava_load_uncached
        monkeypatch.setattr(serve_module, "load_ledger", self.load)

        def favas(path: str, *, is_encrypted: bool) -> object:
            self.favas += 1
            return original(path, is_encrypted=is_encrypted)

        monkeypatch.setattr(serve_module, "_fava_load_uncached", favas)

    def load(self, main_file: Path, full_history: bool = False) -> Ledger:
        self.ours += 1
        return load_ledger(main_file, full_history=full_history)


def test_serve_loads_once_before_its_first_page_and_reloads_on_change(
    cli, books_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    cli("participant", "add", "--books", str(books_dir), "--from-file", "-",
        input='alias = "Fictive Quebec (test)"')  # fmt: skip
    counts = Counts(monkeypatch)
    app = serve_module.make_app(Books.open(books_dir))
    client = app.test_client()
    page = client.get(f"/{SLUG}/income_statement/")
    assert page.status_code == 200
    assert (counts.ours, counts.favas) == (1, 0)
    client.get(f"/{SLUG}/balance_sheet/")
    assert (counts.ours, counts.favas) == (1, 0)  # nothing changed: no reload
    main = books_dir / "main.beancount"
    main.write_text(main.read_text() + "\n2026-02-01 open Assets:Fictif EUR\n")
    later = time.time() + 5
    os.utime(main, (later, later))
    deadline = time.monotonic() + 30  # Fava's watcher notices changes in a thread
    while counts.ours == 1 and time.monotonic() < deadline:
        time.sleep(0.2)
        assert client.get(f"/{SLUG}/income_statement/").status_code == 200
    assert (counts.ours, counts.favas) == (2, 0)  # one guarded load on change
    ledger = app.config["LEDGERS"].ledgers[0]
    assert any(getattr(e, "account", None) == "Assets:Fictif" for e in ledger.all_entries)


def test_serve_first_load_shows_the_anchor_errors_once(
    cli, books_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    app = serve_module.make_app(Books.open(books_dir))
    served = app.config["LEDGERS"].ledgers[0]
    again = load_ledger(books_dir / "main.beancount")
    assert len(served.all_entries) == len(again.entries)
    assert len(served.load_errors) == len(Books.open(books_dir).load().errors)
