"""One load per write (issue 16): the fast paths give what the slow paths give.

The write path checks an append by extending the load made under the lock
(:func:`ledger.loader.extend_ledger`) instead of loading the books again, keeps the load of
the commit it made for the next command of the process, and the fold of a load is shared
by its readers (:meth:`ledger.view.View.of`). Each fast path is compared here with the
full load it stands for: the same entries, the same errors (file and line), and a kept load
is never used once HEAD moved or a file changed.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import amount, data

import ledger.books as books_module
from ledger.books import Books
from ledger.demo import build_demo
from ledger.errors import WriteRejectedError
from ledger.loader import Ledger, appendable, extend_ledger, format_error, load_ledger
from ledger.view import View

GOOD = """
{day} * "Fictive supplier" "extra entry {n}"
  Expenses:Services-et-biens-divers  {amount} EUR
  Equity:Fonds-associatif  -{amount} EUR
"""
UNBALANCED = """
{day} * "Fictive supplier" "unbalanced {n}"
  Expenses:Services-et-biens-divers  10.00 EUR
  Equity:Fonds-associatif  -9.00 EUR
"""


@pytest.fixture(scope="module")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A demo hub of two years (one closed), built once for the module."""
    base = tmp_path_factory.mktemp("oneload")
    xdg = base / "xdg"
    xdg.mkdir()
    saved = os.environ.get("XDG_CONFIG_HOME")
    os.environ["XDG_CONFIG_HOME"] = str(xdg)
    try:
        build_demo(base / "demo", year=2025, seed=7, years=2, participants=5)
    finally:
        if saved is None:
            os.environ.pop("XDG_CONFIG_HOME", None)
        else:
            os.environ["XDG_CONFIG_HOME"] = saved
    yield base / "demo", xdg


@pytest.fixture
def demo(demo_source: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo hub (its git history included)."""
    source, xdg = demo_source
    root = tmp_path / "demo"
    shutil.copytree(source, root, symlinks=True)
    key = source.parent / "demo.key"
    if key.exists():
        shutil.copy(key, tmp_path / "demo.key")
        monkeypatch.setenv("COOPLEDGER_KEY_FILE", str(tmp_path / "demo.key"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    monkeypatch.setenv("GIT_AUTHOR_NAME", "coopledger tests")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "tests@example.invalid")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "coopledger tests")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "tests@example.invalid")
    return root


def errors_of(ledger: Ledger, root: Path) -> list[str]:
    return sorted(format_error(e, root) for e in ledger.errors)


def append(path: Path, text: str) -> tuple[bytes, int]:
    """Append ``text`` to ``path``; what extend_ledger is given for it."""
    old = path.read_bytes()
    path.write_bytes(old + text.encode())
    return text.encode(), old.count(b"\n") + 1


def assert_same_load(fast: Ledger, full: Ledger, root: Path) -> None:
    assert fast.entries == full.entries
    assert [e.meta.get("lineno") for e in fast.entries] == [
        e.meta.get("lineno") for e in full.entries
    ]
    assert errors_of(fast, root) == errors_of(full, root)
    assert fast.options["include"] == full.options["include"]
    assert fast.booked == full.booked


def live_file(root: Path, kind: str) -> Path:
    return root / "2025" / f"{kind}.beancount"


def test_extending_a_load_gives_the_entries_and_errors_of_a_full_load(demo: Path) -> None:
    before = load_ledger(demo / "main.beancount")
    assert before.errors == []
    cash = live_file(demo, "cash")
    bank = live_file(demo, "bank")
    # Entries of one date in two files, some on the same line number as an entry of the
    # other file: they keep the order a full load gives them.
    appended = {
        os.path.realpath(cash): append(
            cash, GOOD.format(day="2025-06-02", n=1, amount="5.00")
            + UNBALANCED.format(day="2025-06-02", n=2)
        ),
        os.path.realpath(bank): append(bank, GOOD.format(day="2025-06-02", n=3, amount="7.00")),
    }  # fmt: skip
    fast = extend_ledger(before, appended, [])
    assert fast is not None
    full = load_ledger(demo / "main.beancount")
    assert_same_load(fast, full, demo)
    shown = [line for line in errors_of(fast, demo) if "2025/cash.beancount:" in line]
    assert shown, errors_of(fast, demo)  # the unbalanced entry, named by file and line


def test_extending_a_load_with_a_new_included_file_matches_a_full_load(demo: Path) -> None:
    before = load_ledger(demo / "main.beancount")
    new = demo / "2025" / "extra.beancount"
    new.write_text(GOOD.format(day="2025-03-04", n=4, amount="3.00"))
    main = demo / "main.beancount"
    main.write_text(main.read_text() + 'include "2025/extra.beancount"\n')
    fast = extend_ledger(before, {}, [os.path.realpath(new)])
    assert fast is not None
    assert_same_load(fast, load_ledger(main), demo)


def test_an_append_that_needs_the_rest_of_the_books_is_not_extended(demo: Path) -> None:
    before = load_ledger(demo / "main.beancount")
    cash = live_file(demo, "cash")
    interpolated = '\n2025-06-03 * "Fictive" "to interpolate"\n  Expenses:Services-et-biens-divers  1.00 EUR\n  Equity:Fonds-associatif\n'
    assert extend_ledger(before, {os.path.realpath(cash): append(cash, interpolated)}, []) is None


@pytest.mark.parametrize(
    "added",
    [
        "  Expenses:Services-et-biens-divers  1.00 EUR\n",  # continues the last entry of the file
        'pushtag #fictive\n2025-06-03 * "x"\n',
        'option "operating_currency" "USD"\n',
        'plugin "plugins.money"\n',
        'include "other.beancount"\n',
    ],
)
def test_appendable_refuses_text_that_parses_differently_alone(added: str) -> None:
    before = b'2025-01-01 open Assets:Caisse EUR\n2025-01-02 * "x"\n  Expenses:Services-et-biens-divers  1 EUR\n'
    assert not appendable(before, before + added.encode())


def test_appendable_refuses_changed_text_and_open_pushtags() -> None:
    before = b"2025-01-01 open Assets:Caisse EUR\n"
    assert appendable(before, before + b"\n2025-01-02 open Assets:Autre EUR\n")
    assert not appendable(before, b"2025-01-01 open Assets:Banque EUR\n2025-01-02 open A EUR\n")
    assert not appendable(b"pushtag #t\n" + before, b"pushtag #t\n" + before + b"\n")
    assert not appendable(before.rstrip(b"\n"), before + b"2025-01-03 open Assets:X EUR\n")


def txn(day: dt.date, n: str) -> data.Transaction:
    return data.Transaction(
        data.new_metadata("<test>", 0, {"kind": "test"}), day, "*", None, f"test entry {n}",
        data.EMPTY_SET, data.EMPTY_SET,
        [data.Posting(acc, amount.Amount(Decimal(v), "EUR"), None, None, None, None)
         for acc, v in (("Expenses:Services-et-biens-divers", n), ("Equity:Fonds-associatif", f"-{n}"))],
    )  # fmt: skip


class Counter:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        monkeypatch.setattr(books_module, "load_ledger", self)

    def __call__(self, main_file: Path, checked: bool = True) -> Ledger:
        self.calls += 1
        return load_ledger(main_file, checked)


def test_a_write_loads_the_books_once_and_its_check_is_a_full_load(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # fmt: skip
    books = Books.open(demo)
    counter = Counter(monkeypatch)
    with books.transaction("test: one entry") as tx:
        tx.add_entries([txn(dt.date(2025, 6, 5), "2.00")], kind="cash")
    assert counter.calls == 1  # under the lock; the check extended that load
    kept = books.load()
    assert counter.calls == 1  # the load of the commit just made, reused
    assert_same_load(kept, load_ledger(books.main_file), demo)
    with books.transaction("test: a new file") as tx:
        tx.add_entries([txn(dt.date(2025, 6, 6), "3.00")], kind="other")
    assert counter.calls == 1  # a new included file is checked by extending too
    assert_same_load(books.load(), load_ledger(books.main_file), demo)


def test_a_rejected_append_names_the_file_and_line_a_full_load_names(demo: Path) -> None:
    books = Books.open(demo)
    cash = live_file(demo, "cash")
    before = cash.read_bytes()
    bad = txn(dt.date(2025, 6, 5), "10.00")
    bad = bad._replace(postings=[bad.postings[0], bad.postings[1]._replace(
        units=amount.Amount(Decimal("-9.00"), "EUR"))])  # fmt: skip
    with pytest.raises(WriteRejectedError) as info:
        with books.transaction("test: unbalanced") as tx:
            tx.add_entries([bad], kind="cash")
    assert cash.read_bytes() == before
    # The same text appended by hand, loaded in full: the same file and line.
    lines = before.count(b"\n")
    named = [w for w in info.value.message.split() if w.startswith("2025/cash.beancount:")]
    assert named, info.value.message
    assert int(named[0].split(":")[1].rstrip(":,")) > lines


def test_a_hand_edit_after_a_kept_load_is_caught_with_file_and_line(demo: Path) -> None:
    books = Books.open(demo)
    with books.transaction("test: one entry") as tx:
        tx.add_entries([txn(dt.date(2025, 6, 5), "2.00")], kind="cash")
    cash = live_file(demo, "cash")
    lines = cash.read_bytes().count(b"\n")
    append(cash, UNBALANCED.format(day="2025-06-07", n=5))  # an editor, no commit
    shown = books.error_lines(books.load())
    assert any(f"2025/cash.beancount:{lines + 2}" in line for line in shown), shown
    subprocess.run(["git", "-C", str(demo), "commit", "-qam", "hand edit"], check=True)
    shown = books.error_lines(books.load())  # committed by hand: HEAD moved
    assert any(f"2025/cash.beancount:{lines + 2}" in line for line in shown), shown


def test_a_kept_load_is_never_used_after_another_process_wrote(demo: Path) -> None:
    mine, theirs = Books.open(demo), Books.open(demo)
    with mine.transaction("test: mine") as tx:
        tx.add_entries([txn(dt.date(2025, 6, 5), "2.00")], kind="cash")
    with theirs.transaction("test: theirs") as tx:
        tx.add_entries([txn(dt.date(2025, 6, 6), "4.00")], kind="cash")
    narrations = {getattr(e, "narration", None) for e in mine.load().entries}
    assert {"test entry 2.00", "test entry 4.00"} <= narrations
    with mine.transaction("test: mine again") as tx:
        seen = {getattr(e, "narration", None) for e in tx.ledger.entries}
        assert "test entry 4.00" in seen  # under the lock too: HEAD moved, loaded again
        tx.add_entries([txn(dt.date(2025, 6, 7), "6.00")], kind="cash")
    assert_same_load(mine.load(), load_ledger(mine.main_file), demo)


def test_the_fold_of_a_load_is_shared_and_never_outlives_it(demo: Path) -> None:
    books = Books.open(demo)
    first = load_ledger(books.main_file)
    view = View.of(first.entries, books.config)
    assert View.of(first.entries, books.config) is view
    second = load_ledger(books.main_file)
    other = View.of(second.entries, books.config)
    assert other is not view
    assert other.accounts == view.accounts if hasattr(view, "accounts") else True
    copied = list(first.entries)  # a plain list is not a load: folded afresh
    assert View.of(copied, books.config) is not view


# ---------------------------------------------------------------- the plugins run once a write
#
# The load under the lock runs beancount's transformations without coopledger's plugins
# (they only check); the plugins run over the books as written, and over the books as loaded
# only when the books as written have errors (to tell the new ones from the old).


def with_text(entry: data.Transaction, narration: str) -> data.Transaction:
    return entry._replace(narration=narration)


def test_the_load_under_the_lock_has_the_entries_of_a_full_load(demo: Path) -> None:
    unchecked = load_ledger(demo / "main.beancount", checked=False)
    full = load_ledger(demo / "main.beancount")
    assert not unchecked.checked and full.checked
    assert unchecked.entries == full.entries and unchecked.booked == full.booked
    assert {format_error(e, demo) for e in unchecked.errors} <= set(errors_of(full, demo))
    from ledger.loader import check_ledger

    assert_same_load(check_ledger(unchecked), full, demo)


def test_a_planted_plugin_error_is_refused_as_a_full_reload_names_it(demo: Path) -> None:
    """A write that breaks an invariant only a plugin checks (an e-mail address in a
    narration, the privacy plugin): refused, naming the file and line a full load names."""
    books = Books.open(demo)
    cash = live_file(demo, "cash")
    before, head = cash.read_bytes(), books_module.git_head(demo)
    bad = with_text(txn(dt.date(2025, 6, 5), "2.00"), "to fictive.person@example.org")
    with pytest.raises(WriteRejectedError) as info:
        with books.transaction("test: a plugin error") as tx:
            tx.add_entries([bad], kind="cash")
    assert cash.read_bytes() == before and books_module.git_head(demo) == head
    # The same entry appended by hand and loaded in full: the same error, file and line.
    cash.write_bytes(before + books_module.render_entries([bad]).encode())
    full = [line for line in books.error_lines(load_ledger(books.main_file))
            if "e-mail" in line]  # fmt: skip
    cash.write_bytes(before)
    assert len(full) == 1 and full[0] in info.value.message, (full, info.value.message)


def test_books_with_an_error_accept_a_write_that_adds_none_and_refuse_one_that_does(
    demo: Path,
) -> None:
    """The books as loaded are checked (with their previous bytes) only when the books as
    written have errors: an old error is no new one, a new one is refused, and the bytes
    written are the ones staged."""
    books = Books.open(demo)
    cash = live_file(demo, "cash")
    old = with_text(txn(dt.date(2025, 6, 4), "1.00"), "to old.person@example.org")
    cash.write_bytes(cash.read_bytes() + books_module.render_entries([old]).encode())
    subprocess.run(["git", "-C", str(demo), "commit", "-qam", "hand edit"], check=True)
    assert any("e-mail" in line for line in books.error_lines(books.load()))
    with books.transaction("test: adds no error") as tx:
        tx.add_entries([txn(dt.date(2025, 6, 5), "2.00")], kind="cash")
        tx.add_entries([txn(dt.date(2025, 6, 5), "3.00")], kind="other")  # a new file
        staged = dict(tx.staged)
    for relpath, payload in staged.items():
        assert (demo / relpath).read_bytes() == payload
    status = subprocess.run(["git", "-C", str(demo), "status", "--porcelain"],
                            capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert status == ""
    assert_same_load(books.load(), load_ledger(books.main_file), demo)
    before, head = cash.read_bytes(), books_module.git_head(demo)
    new = with_text(txn(dt.date(2025, 6, 6), "4.00"), "to new.person@example.org")
    with pytest.raises(WriteRejectedError) as info:
        with books.transaction("test: adds one") as tx:
            tx.add_entries([new], kind="cash")
    assert "(and" not in info.value.message  # the old error is not named as new
    assert cash.read_bytes() == before and books_module.git_head(demo) == head
