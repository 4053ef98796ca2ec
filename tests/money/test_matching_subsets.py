"""Several invoices of one client paid by one movement: the combinations whose open
amounts add up to the line are found by pairs (``subsets_summing``), and they are exactly
those the sum of every combination finds, in the same order (hypothesis)."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.entries import ZERO
from ledger.money.reconcile.matching import MAX_SUBSET_INVOICES, MAX_SUBSET_SIZE, subsets_summing


def every_combination(opens: list[Decimal], target: Decimal) -> list[tuple[int, ...]]:
    """What matching did before: sum every combination, size by size."""
    return [
        combo
        for size in range(2, min(MAX_SUBSET_SIZE, len(opens)) + 1)
        for combo in itertools.combinations(range(len(opens)), size)
        if sum((opens[k] for k in combo), ZERO) == target
    ]


# Few distinct amounts (with a third decimal now and then, as a hand edit may write), so
# that many combinations add up to the same target; a negative one too (the bounds).
AMOUNTS = st.sampled_from(
    ["10.00", "20.00", "30", "15.50", "4.50", "0.01", "12.345", "25.00", "-5.00"]
)
OPENS = st.lists(AMOUNTS.map(Decimal), min_size=0, max_size=MAX_SUBSET_INVOICES)


@settings(max_examples=300, deadline=None)
@given(opens=OPENS, pick=st.lists(st.integers(0, MAX_SUBSET_INVOICES - 1), max_size=4),
       other=st.sampled_from(["0", "30.00", "40", "45.50", "60.000", "-10"]))  # fmt: skip
def test_subsets_summing_is_every_combination_that_adds_up(
    opens: list[Decimal], pick: list[int], other: str
) -> None:
    # the target: a sum of some of the amounts (found), or an amount given (maybe not)
    chosen = sorted({k for k in pick if k < len(opens)})
    for target in (sum((opens[k] for k in chosen), ZERO), Decimal(other)):
        assert subsets_summing(opens, target) == every_combination(opens, target)


def test_twelve_equal_invoices() -> None:
    opens = [Decimal("50.00")] * MAX_SUBSET_INVOICES
    for target in ("100", "150.00", "200.0", "250", "50"):
        assert subsets_summing(opens, Decimal(target)) == every_combination(opens, Decimal(target))
    assert len(subsets_summing(opens, Decimal("200"))) == 495  # C(12, 4)
