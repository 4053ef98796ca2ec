"""The privacy patterns' cheap prefilters are necessary conditions: the same findings as
the full regexes alone, on any text (hypothesis), the ignore-case corners included."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.privacy import patterns as p

WORDS = [*p._STREET_NEEDLES, "Rue", "RUE", "AVENUE", "Chaussée", "STRAAT", "Kerkstraat"]
ODD = ["\u0130", "\u0131", "\u017f", "\u212a", "É", "ß", "Σ", "ς", "\u0307", "\xb5"]
PIECES = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(ODD),
    st.sampled_from(["@", "+++", "***", "+32", "0032", "/", "-", ".", ",", " ", "\n"]),
    st.from_regex(r"\d{1,12}", fullmatch=True),
    st.sampled_from(
        ["a@b.be", "BE68539007547034", "539-0075470-34", "02/123.45.67", "470 12 34 56"]
    ),
    st.text(max_size=6),
)
TEXTS = st.lists(PIECES, max_size=12).map("".join)


def reference(text: str) -> str | None:
    """pattern_problem as it was, every regex run (on the text folded as it folds it)."""
    text = p.fold_compatible(text)
    digits = sum(c.isdigit() for c in text)
    if digits == 0 and "@" not in text:
        return None
    if p._EMAIL.search(text):
        return "email"
    if any(p._valid_iban(m.group()) for m in p._IBAN.finditer(text)):
        return "iban"
    if any(p._valid_bban(m.group()) for m in p._BBAN.finditer(text)):
        return "bban"
    street = bool(p._STREET.search(text) or p._STRAAT.search(text))
    if digits < 7:
        return "street" if street else None
    rest = p._DATE.sub(p._drop_date, p._OGM.sub(" ", text))
    if p._PHONE_INTL.search(rest):
        return "phone"
    if any(not p._enterprise_number(m.group()) for m in p._PHONE_BE.finditer(rest)):
        return "phone"
    if any(not p._old_enterprise_number(m.group()) for m in p._MOBILE_BE.finditer(rest)):
        return "phone"
    return "street" if street else None


KINDS = {
    "an e-mail address": "email",
    "an IBAN": "iban",
    "a bank account number": "bban",
    "a street address": "street",
    "a phone number": "phone",
}


def found(text: str) -> str | None:
    problem = p.pattern_problem(text)
    return None if problem is None else KINDS[str(problem)]


@settings(max_examples=3000, deadline=None)
@given(TEXTS)
def test_prefilters_are_necessary_conditions(text: str) -> None:
    if p._STREET.search(text) or p._STRAAT.search(text):
        assert p.may_hold_street(text)
    if p._EMAIL.search(text):
        assert "@" in text
    if p._OGM.search(text):
        assert "+++" in text or "***" in text
    assert found(text) == reference(text)


def test_ignore_case_corners() -> None:
    # re's IGNORECASE matches "ı" to "i", "ſ" to "s", "İ" to "i", "K" (Kelvin) to "k"
    for text in ("Rue 12", "ſquare du Bois 3", "Kaaİ 12", "Aı 3", "Plaatskaaı 4", "Dorpsweg 1"):
        street = bool(p._STREET.search(text) or p._STRAAT.search(text))
        assert p.may_hold_street(text) or not street
        assert found(text) == reference(text)
    assert p.may_hold_street("ſquare du Bois 3")
    assert p.may_hold_street("Zeekaaİ 12")
    assert not p.may_hold_street("Paiement de la facture 2025-0308")


@settings(max_examples=1000, deadline=None)
@given(TEXTS)
def test_street_prefilter_is_a_substring_test(text: str) -> None:
    folded = p._folded(text)
    assert p.may_hold_street(text) == any(word in folded for word in p._STREET_NEEDLES)
