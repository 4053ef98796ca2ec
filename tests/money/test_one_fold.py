"""One fold for reconciliation with the bank's originals (issue 16): the books folded once,
the originals learnt after, give what folding them again with the originals gives."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

import pytest
from beancount.core import data
from beancount.parser import printer

from importers.originals import load_originals
from ledger.books import Books
from ledger.demo import build_demo
from ledger.money.reconcile import State
from ledger.money.reconcile.booking import (
    auto_entries,
    reconcile_new_entries,
    reconcile_with_archives,
)
from ledger.money.reconcile.review import queue_with_archives, review_queue
from ledger.money.reconcile.state import folded_with_originals
from ledger.view import BankOriginal


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Books]:
    """A demo hub of two years, its statements archived (the key beside it)."""
    base = tmp_path_factory.mktemp("onefold")
    saved = {k: os.environ.get(k) for k in ("XDG_CONFIG_HOME", "COOPLEDGER_KEY_FILE")}
    (base / "xdg").mkdir()
    os.environ["XDG_CONFIG_HOME"] = str(base / "xdg")
    try:
        build_demo(base / "demo", year=2025, seed=7, years=2, participants=5)
        os.environ["COOPLEDGER_KEY_FILE"] = str(base / "demo.key")
        yield Books.open(base / "demo")
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _texts(entries: Sequence[data.Directive]) -> list[str]:
    return [printer.format_entry(e) for e in entries]


def _unnamed(entry: data.Directive) -> data.Directive:
    if not (isinstance(entry, data.Transaction) and entry.meta.get("kind") == "bank"):
        return entry
    meta = {k: v for k, v in entry.meta.items() if not k.startswith("counterparty")}
    return entry._replace(meta=meta)


def _learnt(state: State) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    return (
        {k: v for k, v in state.client_ibans.items() if v},
        {k: v for k, v in state.client_names.items() if v},
    )


def _same_fold(a: State, b: State) -> None:
    assert _learnt(a) == _learnt(b)
    assert a.originals == b.originals
    assert a.lines == b.lines and a.receipts == b.receipts and a.allocated == b.allocated
    assert [(i.link, d) for i, d in a.open_dues()] == [(i.link, d) for i, d in b.open_dues()]
    assert a.generation == b.generation
    assert _texts(auto_entries(a)) == _texts(auto_entries(b))


def test_the_archives_originals_learnt_after_the_fold(demo: Books) -> None:
    entries = list(demo.load().entries)
    originals = load_originals(demo, entries)
    assert originals  # the demo archives its statements and keeps lines open
    twice = State.of(list(entries), demo.config, originals)
    once = folded_with_originals(entries, demo.config, lambda _state: originals)
    assert once.originals is originals
    _same_fold(twice, once)


def test_originals_that_teach_every_client_an_account(demo: Books) -> None:
    """Originals naming an account and a payer for every bank line, the books keeping
    neither: what the clients paid from comes from them only, and is the same learnt
    after the fold."""
    entries = [_unnamed(e) for e in demo.load().entries]
    plain = State.of(list(entries), demo.config)
    originals = {
        link: BankOriginal(f"Fictive payer {n % 7}", f"BE{n:014d}", "")
        for n, link in enumerate(sorted(plain.lines))
    }
    twice = State.of(list(entries), demo.config, originals)
    once = folded_with_originals(entries, demo.config, lambda _state: originals)
    assert _learnt(twice) != _learnt(plain)  # the originals matter to this fold
    _same_fold(twice, once)


def test_no_original_leaves_the_fold_as_it_is(demo: Books) -> None:
    entries = list(demo.load().entries)
    once = folded_with_originals(entries, demo.config, lambda _state: {})
    _same_fold(State.of(list(entries), demo.config), once)


def test_reconcile_with_archives_books_what_two_folds_booked(demo: Books) -> None:
    """The import's and ``reconcile auto``'s reconciliation: one fold, the same entries."""
    entries = list(demo.load().entries)
    new = entries[-40:]  # as if the last entries were about to be added
    old = entries[:-40]
    extra = {"bank-fictive": BankOriginal("Fictive payer", "BE00000000000000", "")}
    twice = reconcile_new_entries(
        [*old, *new], demo.config, {**load_originals(demo, old, new), **extra}
    )
    assert _texts(reconcile_with_archives(demo, old, new, extra)) == _texts(twice)
    assert _texts(reconcile_with_archives(demo, entries)) == _texts(
        reconcile_new_entries(entries, demo.config, load_originals(demo, entries))
    )


def test_the_review_queue_in_one_fold(demo: Books) -> None:
    entries = demo.load().entries
    twice = review_queue(entries, demo.config, load_originals(demo, entries))
    assert twice  # the demo leaves lines for review
    once = queue_with_archives(demo, entries)
    assert [q.as_json() for q in once] == [q.as_json() for q in twice]
