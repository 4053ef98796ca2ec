"""OGM/VCS: check digits (mod 97, 97 for a zero remainder), derivation from the number."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicing.ogm import format_ogm, is_valid_ogm, make_ogm, normalize_ogm, parse_ogm
from ledger.errors import InputError


def test_known_check_digits() -> None:
    assert normalize_ogm("+++010/8068/17183+++") == "010806817183"
    assert format_ogm("010806817183") == "+++010/8068/17183+++"
    assert is_valid_ogm("000000000097")  # remainder 0 gives check digits 97
    assert not is_valid_ogm("000000000000")
    assert not is_valid_ogm("010806817184")


def test_derived_from_year_kind_and_sequence() -> None:
    ogm = make_ogm(2026, 1)
    assert ogm == "2026000001" + f"{int('2026000001') % 97:02d}"
    assert parse_ogm(ogm) == (2026, "invoice", 1)
    assert format_ogm(ogm) == "+++202/6000/00192+++"


@given(st.integers(1000, 9999), st.integers(1, 99_999))
def test_every_derived_ogm_is_valid_and_reversible(year: int, seq: int) -> None:
    ogm = make_ogm(year, seq)
    assert len(ogm) == 12 and ogm.isdigit()
    remainder = int(ogm[:10]) % 97
    assert int(ogm[10:]) == (remainder or 97)
    assert is_valid_ogm(ogm)
    assert parse_ogm(ogm) == (year, "invoice", seq)


@given(st.integers(1, 99_999), st.integers(1, 99_999))
def test_distinct_sequences_give_distinct_ogms(a: int, b: int) -> None:
    assert (make_ogm(2026, a) == make_ogm(2026, b)) == (a == b)


@pytest.mark.parametrize("seq", [0, 100_000])
def test_sequence_out_of_range_is_refused(seq: int) -> None:
    with pytest.raises(InputError):
        make_ogm(2026, seq)


def test_invalid_ogm_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="invalid structured communication"):
        normalize_ogm("+++010/8068/17184+++")
