"""Line parsing, TOML files, totals and rounding, VAT rates per regime, client models."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from invoicing_support import make_config
from pydantic import ValidationError

from invoicing.lines import parse_line, read_invoice_file
from invoicing.models import Client, LineInput
from invoicing.totals import MAX_AMOUNT, compute
from ledger.errors import InputError

D = Decimal


def line(desc: str, qty: str, price: str, rate: str) -> LineInput:
    return LineInput(description=desc, quantity=D(qty), unit_price=D(price), vat_rate=D(rate))


def test_parse_line_keeps_pipes_in_description_and_accepts_decimal_comma() -> None:
    parsed = parse_line("Menu | midi|3,5|12,50|21")
    assert parsed.description == "Menu | midi"
    assert (parsed.quantity, parsed.unit_price, parsed.vat_rate) == (D("3.5"), D("12.50"), D(21))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Buffet|10|12.5", "malformed line"),
        ("Buffet", "malformed line"),
        ("Buffet|ten|12.5|0", "quantity: not a number"),  # the value is never repeated
        ("Buffet|1|abc|0", "unit price: not a number"),
        ("Buffet|1|1|x", "VAT rate: not a number"),
        ("|1|1|0", "description: must not be empty"),
        ("Buffet|0|1|0", "quantity: must not be zero"),
        ("Buffet|1|-5|0", "unit price: must not be negative"),
        ("Buffet|1|1.123456|0", "at most 4 decimals"),
        ("Buffet|1|1|121", "VAT rate"),
        ("Buffet|1|NaN|0", "not a finite number"),
        ("Bad\x07bell|1|1|0", "control characters"),
    ],
)
def test_malformed_lines_are_clear_errors(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_line(text, "--line 1")


def test_toml_file_with_tables_and_strings(tmp_path: Path) -> None:
    path = tmp_path / "inv.toml"
    path.write_text(
        'participant = "P-7K3Q9X"\nclient = "C0001"\ndate = 2026-03-01\nlang = "nl"\n'
        'lines = ["Extra|1|5|0"]\n',
        encoding="utf-8",
    )
    settings, lines = read_invoice_file(path)
    assert settings.participant == "P-7K3Q9X" and settings.lang == "nl"
    assert [x.description for x in lines] == ["Extra"]
    path.write_text(
        '[[lines]]\ndescription = "Buffet"\nquantity = 2.5\nunit_price = "10.10"\nvat_rate = 0\n',
        encoding="utf-8",
    )
    _, lines = read_invoice_file(path)
    assert lines[0].quantity == D("2.5") and lines[0].unit_price == D("10.10")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("lines = [", "not valid TOML"),
        ('unknown = "x"', "unknown"),
        ('[[lines]]\ndescription = "B"\nquantity = 1\nunit_price = 1\n', "vat_rate"),
        ('lines = ["Buffet|1|1"]', "line 1: malformed line"),
        # every error names the file and the line, never pydantic's internal model names
        (
            '[[lines]]\ndescription = "A"\nquantity = 1\nunit_price = 1\nvat_rate = 0\n'
            '[[lines]]\ndescription = "B"\nquantity = 1\nunit_price = "abc"\nvat_rate = 0\n',
            r"bad\.toml: line 2: unit_price: not a number \(write it like 2 or 2,5; what was typed is not repeated\)$",
        ),
        (
            '[[lines]]\ndescription = "B"\nquantity = 1\nunit_price = 1\n',
            r"bad\.toml: line 1: vat_rate: Field required$",
        ),
        (
            '[[lines]]\ndescription = "B"\nquantity = true\nunit_price = 1\nvat_rate = 0\n',
            r"bad\.toml: line 1: quantity: must be a number$",
        ),
        ("lines = [1]", r"bad\.toml: line 1: expected a \[\[lines\]\] table"),
    ],
)
def test_bad_toml_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_invoice_file(path)


def test_vat_per_rate_on_the_total_not_per_line() -> None:
    config = make_config("standard")
    lines, totals = compute(config, [line("x", "1", "0.07", "21")] * 3)
    # per line: 3 × round(0.0147) = 0.03; on the total: round(0.21 × 0.21 = 0.0441) = 0.04
    assert totals.vat == D("0.04")
    assert totals.net == D("0.21") and totals.gross == D("0.25")
    assert all(x.net == D("0.07") for x in lines)


def test_round_half_up() -> None:
    config = make_config("standard")
    _, totals = compute(config, [line("x", "1", "0.50", "21")])
    assert totals.vat == D("0.11")  # 0.105 → 0.11 (banker's rounding would give 0.10)
    _, totals = compute(config, [line("x", "3", "0.3333", "0")])
    assert totals.net == D("1.00")  # line net: 0.9999 → 1.00


def test_breakdown_per_rate_and_category() -> None:
    config = make_config("standard")
    _, totals = compute(
        config,
        [line("a", "2", "10", "21"), line("b", "1", "10", "6"), line("c", "1", "5", "21"),
         line("d", "1", "3", "0")],
    )  # fmt: skip
    rows = [(g.category, g.rate, g.base, g.vat) for g in totals.groups]
    assert rows == [
        ("S", D(21), D("25.00"), D("5.25")),
        ("S", D(6), D("10.00"), D("0.60")),
        ("Z", D(0), D("3.00"), D("0.00")),
    ]
    assert totals.gross == totals.net + totals.vat == D("43.85")


@given(
    st.lists(
        st.tuples(
            st.decimals(min_value=D("0.0001"), max_value=D(1000), places=4),
            st.decimals(min_value=D(0), max_value=D(5000), places=4),
            st.sampled_from(["21", "12", "6", "0"]),
        ),
        min_size=1,
        max_size=8,
    )
)
@example([(D("889.5627"), D("3669.7389"), "21"), (D(1000), D(5000), "21")])  # over the cap
def test_totals_add_up(raw: list[tuple[Decimal, Decimal, str]]) -> None:
    config = make_config("standard")
    inputs = [line("x", str(q), str(p), r) for q, p, r in raw]
    try:
        lines, totals = compute(config, inputs)
    except InputError as exc:
        net = sum(q * p for q, p, _ in raw)
        if "the most one invoice may ask" in exc.message:  # 8 lines of 1000 x 5000 may exceed it
            assert net > MAX_AMOUNT / Decimal("1.21") - 1  # VAT at most 21 %, cents rounded
        else:
            assert net.quantize(D("0.01")) <= D("0.01")
        return
    assert totals.net == sum(x.net for x in lines)
    assert totals.vat == sum(g.vat for g in totals.groups)
    assert totals.gross == totals.net + totals.vat
    for g in totals.groups:
        assert g.vat == (g.base * g.rate / 100).quantize(D("0.01"), rounding="ROUND_HALF_UP")
        assert g.vat.as_tuple().exponent == -2


@pytest.mark.parametrize("regime", ["exempt", "franchise"])
def test_no_vat_on_an_exempt_or_franchise_hub(regime: str) -> None:
    config = make_config(regime)
    _, totals = compute(config, [line("x", "1", "10", "0")])
    assert [g.category for g in totals.groups] == ["E"] and totals.vat == 0
    with pytest.raises(InputError, match=f"VAT rate 21 % on a VAT-{regime} hub"):
        compute(config, [line("x", "1", "10", "21")])


@pytest.mark.parametrize("rate", ["7", "5.5", "20"])
def test_unknown_rate_for_the_standard_regime(rate: str) -> None:
    with pytest.raises(InputError, match=f"unknown VAT rate {rate} %"):
        compute(make_config("standard"), [line("x", "1", "10", rate)])


@pytest.mark.parametrize(
    "lines",
    [
        [("x", "1", "0", "0")],
        [("x", "1", "10", "0"), ("remise", "-2", "5", "0")],
        [("x", "-1", "10", "0")],
    ],
)
def test_zero_or_negative_total_is_refused(lines: list[tuple[str, str, str, str]]) -> None:
    with pytest.raises(InputError, match="must be positive"):
        compute(make_config("exempt"), [line(*x) for x in lines])


def test_discount_line_with_negative_quantity_is_allowed() -> None:
    _, totals = compute(
        make_config("exempt"), [line("x", "1", "10", "0"), line("r", "-1", "2", "0")]
    )
    assert totals.gross == D("8.00")


def test_client_identifiers() -> None:
    c = Client(id="C0001", name="X SRL", vat_number="be 0202.239.951")
    assert c.vat_number == "BE0202239951" and c.enterprise_number == "0202239951"
    assert c.is_business and c.endpoint() == ("0208", "0202239951")
    p = Client(id="C0002", name="Personne")
    assert not p.is_business and p.endpoint() is None
    f = Client(id="C0003", name="Y", country="fr", vat_number="FR40303265045")
    assert f.country == "FR" and f.endpoint() is None
    assert (
        Client(id="C0004", name="Z", peppol_id="0208:0202.239.951").peppol_id == "0208:0202239951"
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"enterprise_number": "0202239952"}, "invalid Belgian enterprise number"),
        ({"vat_number": "BE0202239952"}, "invalid Belgian VAT number"),
        ({"vat_number": "FR00000000000"}, "invalid VAT number"),
        ({"country": "XX"}, "invalid country code"),
        ({"peppol_id": "0208:0202239952"}, "invalid Belgian enterprise number"),
        ({"peppol_id": "nonsense"}, "invalid Peppol id"),
        ({"email": "not-an-email"}, "not an e-mail"),
        ({"country": "FR", "enterprise_number": "0202239951"}, "needs country BE"),
        ({"enterprise_number": "0202239951", "vat_number": "BE0417497106"}, "does not match"),
        ({"name": "Line\nbreak"}, "control characters"),
    ],
)
def test_invalid_clients(fields: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Client.model_validate({"id": "C0001", "name": "X", **fields})
