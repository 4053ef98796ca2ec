"""A batch's numbers come from one scan of the books (:class:`numbering.Numbering`): the
same numbers and the same refusals as :func:`numbering.next_number` asked again over the
books and the batch's earlier documents, whatever the dates, kinds and series formats."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from functools import partial

import pytest
from beancount.core import data
from invoicing_support import make_config

from invoicing import numbering
from invoicing.models import DocKind
from ledger.errors import InputError


def entry(kind: DocKind, nxt: numbering.NextNumber, day: dt.date) -> data.Transaction:
    """The books' entry of an issued document (what :func:`numbering.issued` reads)."""
    meta = {"kind": kind, kind: nxt.number, "series": nxt.series, "seq": nxt.seq}
    return data.Transaction(meta, day, "*", None, "", frozenset(), frozenset(), [])


def outcome(next_of: Callable[[DocKind, dt.date], numbering.NextNumber], kind: DocKind,
            day: dt.date) -> object:  # fmt: skip
    try:
        return next_of(kind, day)
    except InputError as exc:
        return ("refused", exc.message)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("fmt", ["{year}-{seq:04d}", "F{seq:05d}"])
def test_one_scan_numbers_as_a_scan_per_document(seed: int, fmt: str) -> None:
    config = make_config("exempt", series_format=fmt)
    rng = random.Random(seed)
    entries: list[data.Directive] = []
    taken = numbering.Numbering(entries, config)
    day = dt.date(2024, 11, 1)
    for _ in range(60):
        day += dt.timedelta(days=rng.choice([-20, 0, 0, 1, 3, 30]))  # some go back in time
        kind: DocKind = rng.choice(["invoice", "invoice", "credit-note"])
        expected = outcome(partial(numbering.next_number, entries, config), kind, day)
        got = outcome(taken.next, kind, day)
        assert got == expected
        if isinstance(got, numbering.NextNumber):
            entries.append(entry(kind, got, day))
            taken.take(got, day)
    # a scan of books that already hold documents starts where they end
    assert numbering.Numbering(entries, config).last == taken.last


def test_a_number_taken_in_another_series_is_refused() -> None:
    config = make_config("exempt", series_format="{seq}", credit_series_format="{seq}")
    first = numbering.Numbering([], config).next("invoice", dt.date(2024, 1, 2))
    books = [entry("invoice", first, dt.date(2024, 1, 2))]
    with pytest.raises(InputError, match="already used"):
        numbering.Numbering(books, config).next("credit-note", dt.date(2024, 1, 3))
