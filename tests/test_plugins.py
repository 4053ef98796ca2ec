"""Plugins on small ledgers written in the test (beancount style)."""

from __future__ import annotations

import textwrap

from beancount import loader
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.be import ogm_vcs

from plugins.rules.invoices import valid_ogm

HEADER = """
plugin "plugins.participants"
plugin "plugins.privacy"
2026-01-01 open Assets:Banque:Courant EUR
2026-01-01 open Assets:Clients EUR
2026-01-01 open Liabilities:Participants:P-AAAAAA EUR
  participant: "P-AAAAAA"
  role: "participant_held"
2026-01-01 open Expenses:Participants:P-AAAAAA:Quote-part EUR
  participant: "P-AAAAAA"
  role: "participant_share"
2026-01-01 open Income:Participants:P-AAAAAA:Contribution EUR
  participant: "P-AAAAAA"
  role: "participant_contribution"
"""


def load(body: str) -> list[str]:
    _entries, errors, _ = loader.load_string(HEADER + textwrap.dedent(body))
    return [e.message for e in errors]


def test_clean_ledger_has_no_errors() -> None:
    assert (
        load(
            """
        2026-02-01 * "allocation"
          kind: "payment"
          Expenses:Participants:P-AAAAAA:Quote-part  100.00 EUR
          Liabilities:Participants:P-AAAAAA         -100.00 EUR
        2026-02-02 * "payout"
          kind: "payout"
          Liabilities:Participants:P-AAAAAA   100.00 EUR
          Assets:Banque:Courant              -100.00 EUR
        """
        )
        == []
    )


def test_balance_held_may_not_go_below_zero() -> None:
    messages = load(
        """
        2026-02-01 * "payout of money that is not there"
          Liabilities:Participants:P-AAAAAA   50.00 EUR
          Assets:Banque:Courant              -50.00 EUR
        """
    )
    assert len(messages) == 1
    assert "P-AAAAAA" in messages[0] and "below zero" in messages[0]


def test_same_day_order_does_not_matter() -> None:
    # The payout is written before the receipt on the same day: fine at the end of the day.
    assert (
        load(
            """
        2026-02-01 * "payout"
          Liabilities:Participants:P-AAAAAA   40.00 EUR
          Assets:Banque:Courant              -40.00 EUR
        2026-02-01 * "allocation"
          Expenses:Participants:P-AAAAAA:Quote-part  40.00 EUR
          Liabilities:Participants:P-AAAAAA         -40.00 EUR
        """
        )
        == []
    )


def test_unknown_participant_account_is_refused() -> None:
    messages = load(
        """
        2026-01-01 open Liabilities:Participants:P-BBBBBB EUR
        2026-02-01 * "to a code nobody opened"
          Assets:Banque:Courant                10.00 EUR
          Liabilities:Participants:P-BBBBBB   -10.00 EUR
        """
    )
    assert any("P-BBBBBB" in m and "participant add" in m for m in messages)


def test_closed_participant_receives_nothing() -> None:
    messages = load(
        """
        2026-03-01 close Liabilities:Participants:P-AAAAAA
        2026-03-05 * "late allocation"
          Expenses:Participants:P-AAAAAA:Quote-part  10.00 EUR
          Liabilities:Participants:P-AAAAAA         -10.00 EUR
        """
    )
    assert any("closed since 2026-03-01" in m for m in messages)


def test_a_closed_participant_holds_nothing_at_her_close() -> None:
    """An entry dated before the close, added after it (a hand edit, a backdated sale):
    the close no longer finds her balance at zero, and the entry is named."""
    messages = load(
        """
        2026-02-20 * "backdated allocation"
          Expenses:Participants:P-AAAAAA:Quote-part  10.00 EUR
          Liabilities:Participants:P-AAAAAA         -10.00 EUR
        2026-03-01 close Liabilities:Participants:P-AAAAAA
        """
    )
    assert messages == [
        "participant P-AAAAAA is closed since 2026-03-01, but Liabilities:Participants:P-AAAAAA"
        " is 10.00 EUR at the close: a closed participant holds and owes nothing"
    ]


def test_errors_carry_file_and_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ledger = tmp_path / "main.beancount"
    ledger.write_text(
        textwrap.dedent(HEADER)
        + '\n2026-02-01 * "payout"\n  Liabilities:Participants:P-AAAAAA 5.00 EUR\n'
        "  Assets:Banque:Courant -5.00 EUR\n"
    )
    _, errors, _ = loader.load_file(str(ledger))
    (error,) = errors
    assert error.source["filename"] == str(ledger)
    lines = ledger.read_text().splitlines()
    assert lines[error.source["lineno"] - 1].startswith('2026-02-01 * "payout"')


def test_identity_metadata_refused_on_participant_entries() -> None:
    messages = load(
        """
        2026-02-01 * "allocation"
          participant: "P-AAAAAA"
          name: "Someone"
          Expenses:Participants:P-AAAAAA:Quote-part  1.00 EUR
          Liabilities:Participants:P-AAAAAA         -1.00 EUR
        """
    )
    assert any("metadata name refused" in m for m in messages)


def test_the_same_bank_line_is_never_allocated_twice() -> None:
    allocation = """
        2026-02-01 * "allocation" ^bank-T1 ^inv-2026-0001
          kind: "payment"
          Expenses:Participants:P-AAAAAA:Quote-part  10.00 EUR
          Liabilities:Participants:P-AAAAAA         -10.00 EUR
        """
    header = 'plugin "plugins.reconciliation"\n'
    _entries, errors, _ = loader.load_string(header + HEADER + textwrap.dedent(allocation))
    assert errors == []
    _entries, errors, _ = loader.load_string(
        header + HEADER + textwrap.dedent(allocation) + textwrap.dedent(allocation)
    )
    assert len(errors) == 1 and "booked twice" in errors[0].message


def test_a_load_folds_its_books_once_the_plugins_fold_included(books_dir, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """plugins.money folds the books (``View.of`` needs no ``hub.toml``); the load hands
    that fold to its entries, so every reader after it shares it: one fold per load."""
    from ledger.books import Books
    from ledger.loader import load_ledger
    from ledger.view import View

    made: list[View] = []
    real = View.__init__

    def counting(self: View, *args: object, **kwargs: object) -> None:
        real(self, *args, **kwargs)  # type: ignore[arg-type]
        made.append(self)

    monkeypatch.setattr(View, "__init__", counting)
    books = Books.open(books_dir)
    ledger = load_ledger(books.main_file)
    assert not ledger.errors
    assert len(made) == 1  # the money plugin's
    assert View.of(ledger.entries, books.config) is made[0]
    assert made[0].settings is books.config  # the reader's settings, kept for it
    assert View.of(ledger.entries) is made[0] and len(made) == 1
    # a plugin run outside coopledger's loader (bean-check, Fava) keeps nothing
    loader.load_file(str(books.main_file))
    assert View.of(list(ledger.entries)) is not made[0]


def test_our_plugins_check_entries_and_never_change_them(books_dir) -> None:  # type: ignore[no-untyped-def]
    """Every plugin of ours gives back the very entries it was given: a load without their
    checks (``load_ledger(checked=False)``, what ``audit verify`` rebuilds each close's
    chain from) holds the same entries as a checked one."""
    import importlib

    from ledger.books import Books
    from ledger.loader import load_ledger, our_plugin_modules

    books = Books.open(books_dir)
    unchecked = load_ledger(books.main_file, checked=False)
    for name in sorted(our_plugin_modules()):
        module = importlib.import_module(name)
        for function in module.__plugins__:
            given = list(unchecked.entries)
            returned, _errors = getattr(module, function)(given, unchecked.options)
            assert returned is given, f"{name}.{function} changed the entries"
    checked = load_ledger(books.main_file)
    assert list(checked.entries) == list(unchecked.entries)


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(alphabet="0123456789", min_size=12, max_size=12),
        st.integers(0, 10**10 - 1).map(lambda n: f"{n:010d}{n % 97 or 97:02d}"),
        st.text(alphabet="0123456789 +/٣", min_size=10, max_size=14),
    )
)
def test_valid_ogm_is_stdnums_rule(ogm: str) -> None:
    assert valid_ogm(ogm) == bool(ogm_vcs.is_valid(ogm))
