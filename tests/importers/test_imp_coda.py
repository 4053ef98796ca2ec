"""The CODA reader and our CODA writer: fields, structures, checks, round trips."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from bank_support import DOCUMENTS, IBAN, coda, day, move, statement
from hypothesis import given, settings
from hypothesis import strategies as st

from importers.coda import parse_coda
from importers.errors import BankFileError
from importers.model import Detail, Movement, Statement
from importers.text import belgian_bban_to_iban, squash

SAMPLE = statement(5, "1000.00", [
    move(day(4, 1), "250.00", ogm="202600000192", who="Client Fictif SA (test)",
         iban="BE25944771278282"),
    move(day(4, 1), "-19.99", "Papier"),
])  # fmt: skip


def records(data: bytes) -> list[str]:
    return data.decode("cp1252").splitlines()


def join(lines: list[str], newline: str = "\n") -> bytes:
    return (newline.join(lines) + newline).encode("cp1252")


def replace(line: str, start: int, text: str) -> str:
    return line[:start] + text + line[start + len(text) :]


def error_of(data: bytes, name: str = "t.cod") -> BankFileError:
    with pytest.raises(BankFileError) as info:
        parse_coda(data, name)
    return info.value


# ---------------------------------------------------------------- reading


def test_reads_the_fields_of_a_movement() -> None:
    (st_,) = parse_coda(coda(SAMPLE)).statements
    assert (st_.iban, st_.currency, st_.sequence) == (IBAN, "EUR", "005")
    assert (st_.opening_balance, st_.closing_balance) == (Decimal("1000"), Decimal("1230.01"))
    first, second = st_.movements
    assert first.ogm == "202600000192" and first.communication == "+++202/6000/00192+++"
    assert first.structured_type == "101"
    assert (first.counterparty_name, first.counterparty_account) == (
        "Client Fictif SA (test)", "BE25944771278282",
    )  # fmt: skip
    assert first.amount == Decimal("250.000") and second.amount == Decimal("-19.990")
    assert first.ref == "20260401-005-0001" and second.ref == "20260401-005-0002"


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("final", [True, False])
def test_line_endings_and_final_newline_do_not_matter(newline: str, final: bool) -> None:
    data = coda(SAMPLE, newline=newline)
    if not final:
        data = data[: -len(newline)]
    assert parse_coda(data).statements == parse_coda(coda(SAMPLE)).statements


def test_several_statements_in_one_file() -> None:
    second = statement(6, "1230.01", [move(day(4, 2), "5.00", "Don")])
    statements = parse_coda(coda(SAMPLE, second)).statements
    assert [s.sequence for s in statements] == ["005", "006"]


def test_belgian_bban_structure_gives_the_iban() -> None:
    lines = records(coda(SAMPLE))
    bban = "539007547034"
    assert belgian_bban_to_iban(bban) == IBAN
    zone = bban + " EUR" + " " * 21
    lines[1] = lines[1][:1] + "0" + lines[1][2:5] + zone + lines[1][42:]
    lines[-2] = lines[-2][:4] + zone + lines[-2][41:]
    (st_,) = parse_coda(join(lines)).statements
    assert (st_.account, st_.iban, st_.currency) == (bban, IBAN, "EUR")


def test_foreign_iban_and_foreign_bban_structures() -> None:
    foreign = "FR7630006000011234567890189"
    statement_fr = SAMPLE.model_copy(update={"iban": foreign, "account": foreign})
    (st_,) = parse_coda(coda(statement_fr)).statements
    assert (st_.iban, st_.account) == (foreign, foreign)
    lines = records(coda(statement_fr))
    lines[1] = lines[1][:1] + "1" + lines[1][2:]
    (st_,) = parse_coda(join(lines)).statements
    assert st_.iban is None and st_.account == foreign  # a BBAN is never taken for an IBAN


@pytest.mark.parametrize(("kind", "is_ogm"), [("101", True), ("102", True), ("127", False)])
def test_structured_communication_types(kind: str, is_ogm: bool) -> None:
    lines = records(coda(SAMPLE))
    lines[2] = replace(lines[2], 62, kind)
    (st_,) = parse_coda(join(lines)).statements
    movement = st_.movements[0]
    assert movement.structured_type == kind
    assert (movement.ogm is not None) is is_ogm
    if not is_ogm:
        assert movement.structured_ref and not movement.communication.startswith("+++")


def test_a_101_with_wrong_check_digits_is_no_ogm() -> None:
    lines = records(coda(SAMPLE))
    lines[2] = replace(lines[2], 65, "202600000193")
    movement = parse_coda(join(lines)).statements[0].movements[0]
    assert movement.ogm is None and movement.structured_ref == "202600000193"


def test_free_communication_is_joined_across_records_without_splitting_words() -> None:
    text = "Reglement des factures de mars et avril, avec nos remerciements pour la patience"
    (st_,) = parse_coda(coda(statement(1, "0", [move(day(4, 1), "1.00", text)]))).statements
    assert st_.movements[0].communication == text


def test_globalised_details_move_no_money() -> None:
    batch = move(day(4, 1), "30.00", "Groupe").model_copy(update={"details": (
        Detail(sequence="", amount=Decimal("10.00"), ogm="202600000192"),
        Detail(sequence="", amount=Decimal("20.00"), communication="acompte"),
    )})  # fmt: skip
    (st_,) = parse_coda(coda(statement(1, "5.00", [batch]))).statements
    assert st_.closing_balance == Decimal("35.00") and len(st_.movements) == 1
    assert [d.amount for d in st_.movements[0].details] == [Decimal("10.000"), Decimal("20.000")]
    assert st_.movements[0].details[0].ogm == "202600000192"


@pytest.mark.parametrize(
    ("zone", "expected"),
    [("   2AC04", "2/AC04"), ("   4    ", "4"), ("        ", None), ("   0AC04", None),
     ("0084AC04", None)],  # the last: bank data in columns 110-117, as in some KBC files
)  # fmt: skip
def test_r_transaction_type_of_record_22(zone: str, expected: str | None) -> None:
    refund = move(day(4, 1), "-250.00", "Retour", iban="BE25944771278282")
    lines = records(coda(statement(5, "1000.00", [refund])))
    at = next(i for i, line in enumerate(lines) if line.startswith("22"))
    lines[at] = replace(lines[at], 109, zone)
    (m,) = parse_coda(join(lines)).statements[0].movements
    assert m.r_transaction == expected


def test_information_records_stay_out_of_the_communication() -> None:
    doc = (DOCUMENTS / "coda" / "hub-test-2026-03-04.cod").read_bytes()
    first = parse_coda(doc).statements[0].movements[0]
    assert any("Rue de la Fiction" in i for i in first.information)
    assert "Fiction" not in first.communication
    golden = (DOCUMENTS / "coda" / "hub-test-2026-03-04.cod.beancount").read_text()
    assert "Rue de la Fiction" not in golden


def test_empty_statement_has_no_record_8() -> None:
    lines = records(coda(statement(1, "42.00", [], opening_date=day(4, 1))))
    lines = [ln for ln in lines if not ln.startswith("8")]
    lines[-1] = replace(lines[-1], 16, "000001")
    (st_,) = parse_coda(join(lines)).statements
    assert st_.movements == () and st_.closing_balance == Decimal("42.00")


# ---------------------------------------------------------------- checks


def test_trailer_totals_are_checked() -> None:
    lines = records(coda(SAMPLE))
    lines[-1] = replace(lines[-1], 37, "000000000120000")
    err = error_of(join(lines))
    assert str(err) == (
        f"t.cod:{len(lines)}: trailer: total credit 120.000 != sum of movements 250.000"
    )
    lines = records(coda(SAMPLE))
    lines[-1] = replace(lines[-1], 16, "000009")
    assert error_of(join(lines)).check == "trailer"


def test_balances_must_add_up() -> None:
    lines = records(coda(SAMPLE))
    lines[-2] = replace(lines[-2], 42, "000000001230020")
    err = error_of(join(lines))
    assert err.check == "balance" and err.line == len(lines) - 1
    assert "old balance 1000.000 + movements 230.010 != new balance 1230.020" in str(err)


def test_lenient_reading_reports_instead_of_raising() -> None:
    lines = records(coda(SAMPLE))
    lines[-2] = replace(lines[-2], 42, "000000001230020")
    result = parse_coda(join(lines), strict=False)
    assert {p.check for p in result.problems} == {"balance"}
    assert len(result.statements[0].movements) == 2


@pytest.mark.parametrize(
    ("mutate", "check"),
    [
        (lambda ls: ls[:1] + ls[2:], "record order"),  # no old balance
        (lambda ls: [ls[0], ls[1], ls[3], ls[2], *ls[4:]], "record order"),  # 2.2 before 2.1
        (lambda ls: ls[:-1], "truncated"),  # no trailer
        (lambda ls: [*ls, ls[-2]], "record order"),  # record 8 after the trailer
        (lambda ls: [ls[0], *ls], "record order"),  # a header inside a statement
        (lambda ls: [ls[0], ls[1], "3100010001" + ls[2][10:], *ls[2:]], "record order"),
        (lambda ls: [ls[0], ls[1], "7" + ls[2][1:], *ls[2:]], "record order"),
        (lambda ls: [replace(ls[0], 127, "3"), *ls[1:]], "version"),
        (lambda ls: [ls[0], replace(ls[1], 1, "7"), *ls[2:]], "account"),
        (lambda ls: [ls[0], ls[1], replace(ls[2], 40, "X"), *ls[3:]], "amount"),
        (lambda ls: [ls[0], ls[1], replace(ls[2], 115, "310226"), *ls[3:]], "entry date"),
        (lambda ls: [ls[0], ls[1], replace(ls[2], 61, "2"), *ls[3:]], "communication"),
    ],
)
def test_structure_errors_name_the_check(mutate, check: str) -> None:  # type: ignore[no-untyped-def]
    assert error_of(join(mutate(records(coda(SAMPLE))))).check == check


def test_sequence_numbers_must_increase() -> None:
    lines = records(coda(SAMPLE))
    second = next(i for i, ln in enumerate(lines) if ln.startswith("2100020000"))
    lines[second] = replace(lines[second], 2, "0001")
    assert error_of(join(lines)).check == "sequence"


@pytest.mark.parametrize(
    ("data", "check"),
    [
        (b"", "empty"),
        (b"\n\r\n  \n", "empty"),
        (b"\xef\xbb\xbf" + b"0" * 128, "encoding"),
        (b"0" * 127 + b"\n", "record length"),
        (b"0" * 127 + b"\x81\n", "encoding"),
        (b"0" * 127 + b"\x01\n", "encoding"),
        (b"0" * 60 + b"\r" + b"0" * 67 + b"\n", "line endings"),
    ],
)
def test_encoding_and_length(data: bytes, check: str) -> None:
    assert error_of(data).check == check


def test_utf8_re_encoded_file_is_recognised_as_such() -> None:
    name_with_accent = move(day(4, 1), "1.00", "Café", who="Société Fictive (test)")
    data = coda(statement(1, "0", [name_with_accent]))
    reencoded = data.decode("cp1252").encode("utf-8")
    err = error_of(reencoded)
    assert err.check == "encoding" and "re-encoded to UTF-8" in str(err)
    assert "129 bytes" in str(err) or "130 bytes" in str(err)


# ---------------------------------------------------------------- writer round trip

NAMES = st.text(
    alphabet=st.characters(codec="cp1252", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
    max_size=35,
).map(str.strip)
AMOUNTS = st.decimals(min_value=Decimal("-99999.99"), max_value=Decimal("99999.99"), places=2)
OGMS = st.integers(1, 9_999_999_999).map(lambda n: f"{n:010d}{(n % 97) or 97:02d}")


@st.composite
def movements(draw: st.DrawFn, when: dt.date) -> Movement:
    return Movement(
        ref="",
        booking_date=when,
        value_date=draw(st.none() | st.just(when)),
        amount=draw(AMOUNTS.filter(lambda a: a != 0)),
        currency="EUR",
        counterparty_name=draw(NAMES) or None,
        communication=" ".join(draw(NAMES).split())[:140],
        ogm=draw(st.none() | OGMS),
    )


@st.composite
def statements(draw: st.DrawFn) -> Statement:
    when = draw(st.dates(dt.date(2001, 1, 2), dt.date(2079, 12, 31)))
    moves = draw(st.lists(movements(when), max_size=6))
    return statement(draw(st.integers(1, 999)), str(draw(AMOUNTS)), moves)


@settings(max_examples=150, deadline=None)
@given(st.lists(statements(), min_size=1, max_size=3), st.sampled_from(["\n", "\r\n"]))
def test_what_we_write_reads_back(written: list[Statement], newline: str) -> None:
    read = parse_coda(coda(*written, newline=newline)).statements
    assert len(read) == len(written)
    for got, want in zip(read, written, strict=True):
        assert (got.opening_balance, got.closing_balance) == (
            want.opening_balance, want.closing_balance,
        )  # fmt: skip
        assert got.sequence == want.sequence
        for g, w in zip(got.movements, want.movements, strict=True):
            assert (g.amount, g.booking_date, g.value_date, g.ogm) == (
                w.amount, w.booking_date, w.value_date, w.ogm,
            )  # fmt: skip
            assert g.counterparty_name == (squash(w.counterparty_name) or None)
            if not w.ogm:
                assert g.communication == squash(w.communication)
