"""Robustness: on arbitrary bytes, and on near-miss mutations of valid files (truncate,
flip, insert, duplicate or drop a line), every reader and the format detection raise only
:class:`BankFileError` — never anything else — or read the file. Generated MT940 files in
every dialect the reader knows read back exactly what was written."""

from __future__ import annotations

import os
from collections.abc import Callable
from decimal import Decimal

import pytest
from bank_support import DOCUMENTS, IBAN, SETTINGS, coda, day, move, statement
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importers.bank_csv import parse_bank_csv
from importers.camt import parse_camt
from importers.coda import parse_coda
from importers.errors import BankFileError
from importers.formats import read_statements
from importers.mt940_reader import parse_mt940
from importers.service import BankFile, plan_import

VALID: list[bytes] = [
    p.read_bytes()
    for p in sorted(DOCUMENTS.glob("*/*"))
    if p.suffix != ".beancount" and not p.name.startswith(".")
] + [coda(statement(1, "10.00", [move(day(1, 5), "2.00", "x", ogm="202600000192")]))]
READERS: dict[str, Callable[..., object]] = {
    "detect": lambda data: read_statements(data, "f"),
    "coda": lambda data: parse_coda(data, "f"),
    "camt": lambda data: parse_camt(data, "f"),
    "mt940": lambda data: parse_mt940(data, "f"),
    "csv": lambda data: parse_bank_csv(data, "f"),
    "plan": lambda data: plan_import([BankFile("f", data)], [], SETTINGS),
}
FUZZ = settings(
    max_examples=int(os.environ.get("COOPLEDGER_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def only_bank_file_errors(reader: Callable[..., object], data: bytes) -> None:
    try:
        reader(data)
    except BankFileError as exc:
        assert str(exc) and "\n" not in str(exc)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        op = draw(st.sampled_from(["truncate", "flip", "insert", "duplicate", "drop", "byte"]))
        at = draw(st.integers(0, len(data) - 1))
        if op == "truncate":
            del data[at:]
        elif op == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "byte":
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        else:
            lines = bytes(data).split(b"\n")
            index = draw(st.integers(0, len(lines) - 1))
            if op == "duplicate":
                lines.insert(index, lines[index])
            else:
                del lines[index]
            data = bytearray(b"\n".join(lines))
    return bytes(data)


@pytest.mark.parametrize("name", sorted(READERS))
@FUZZ
@given(data=st.binary(max_size=600))
def test_random_bytes(name: str, data: bytes) -> None:
    only_bank_file_errors(READERS[name], data)


@pytest.mark.parametrize("name", sorted(READERS))
@FUZZ
@given(data=mutated())
def test_mutated_valid_files(name: str, data: bytes) -> None:
    only_bank_file_errors(READERS[name], data)


@FUZZ
@given(
    prefix=st.sampled_from(
        [b"00000", b"<?xml version='1.0'?><Document xmlns='urn:iso:std:iso:20022:tech:xsd:"
         b"camt.053.001.02'><BkToCstmrStmt>", b":20:X\n:25:", b"PK\x03\x04",
         b"Rekeningnummer;Naam van de rekening;Rekening tegenpartij;Omzetnummer;"
         b"Boekingsdatum;Valutadatum;Bedrag;Munteenheid;Omschrijving;Detail van de omzet;"
         b"Bericht\n",
         b"{1:F01GEBABEBBAXXX0000000000}{2:I940GEBABEBBXXXXN}{4:\r\n:20:X\r\n:25:",
         b":20:X\n:25:BE68539007547034EUR\n:28C:1\n:60F:C260301EUR1,00\n:61:",
         b":20:X\n:25:BE68539007547034\n:28C:1\n:60F:C260301EUR1,00\n:61:2603020302C1,\n:86:",
         b"Volgnummer;Uitvoeringsdatum;Valutadatum;Bedrag;Valuta rekening;Details;"
         b"Rekeningnummer\n",
         "Numéro de séquence;Date d'exécution;Date valeur;Montant;Devise du compte;Détails;"
         "Numéro de compte\n".encode("cp1252"),
         b"Rekeningnummer;Rubrieknaam;Naam;Munt;Afschriftnummer;Datum;Omschrijving;Valuta;"
         b"Bedrag;Saldo;credit;debet;rekeningnummer tegenpartij;BIC tegenpartij;"
         b"Naam tegenpartij;Adres tegenpartij;gestructureerde mededeling;Vrije mededeling\r"
         b"BE68539007547034;;;EUR;;01/03/2026;;01/03/2026;",
         b"<?xml version='1.0'?><Document xmlns='urn:iso:std:iso:20022:tech:xsd:"
         b"camt.053.001.14'><BkToCstmrStmt><Stmt><Ntry><NtryDtls><TxDtls>"]
    ),
    tail=st.binary(max_size=400),
)  # fmt: skip
def test_plausible_starts_with_garbage(prefix: bytes, tail: bytes) -> None:
    only_bank_file_errors(READERS["plan"], prefix + tail)


# ---------------------------------------------------------------- MT940 dialects, generated

MOVES = st.lists(
    st.tuples(
        st.integers(1, 27),  # day of March
        st.decimals(min_value=Decimal("-9999.99"), max_value=Decimal("9999.99"), places=2),
        st.booleans(),  # reversal mark (RC/RD)
        st.text(alphabet="ABCDEFGHIJ KLMNOP0123456789/+.:", max_size=150),  # :86:
    ),
    max_size=6,
)


def _mt940(moves: list[tuple[int, Decimal, bool, str]], dialect: dict[str, bool]) -> bytes:
    opening = Decimal("1000.00")
    closing = opening + sum((m[1] for m in moves), Decimal(0))
    account = "BE68539007547034" + ("EUR" if dialect["ccy"] else "")
    lines = [":20:GEN", f":25:{account}", ":28C:00001" + ("" if dialect["wrap28"] else "/001")]
    if dialect["wrap28"]:
        lines.append("/001")
    lines.append(f":60F:C260228EUR{opening}".replace(".", ","))
    for dom, amount, reversal, text in moves:
        mark = ("RD" if reversal else "C") if amount >= 0 else ("RC" if reversal else "D")
        head = f":61:2603{dom:02d}03{dom:02d}{mark}"
        body = f"{abs(amount)}".replace(".", ",") + f"NTRFNONREF//G{dom}"
        lines += [head, body] if dialect["wrap61"] else [head + body]
        if dialect["free"]:
            lines.append("SUPPLEMENTARY DETAILS")
        info = text.strip() or "X"
        lines += [":86:" + info[:65]] + [info[i : i + 65] for i in range(65, len(info), 65)]
    mark = "C" if closing >= 0 else "D"
    lines.append(f":62F:{mark}260328EUR{abs(closing)}".replace(".", ","))
    text = "\r\n".join(lines) + "\r\n"
    if dialect["envelope"]:
        text = "{1:F01GEBABEBBAXXX0000000000}{2:I940GEBABEBBXXXXN}{4:\r\n" + text + "-}{5:}\r\n"
    return text.encode("cp1252" if dialect["cp1252"] else "utf-8")


@FUZZ
@given(
    moves=MOVES,
    dialect=st.fixed_dictionaries(
        {k: st.booleans() for k in ("ccy", "wrap28", "wrap61", "free", "envelope", "cp1252")}
    ),
)
def test_generated_mt940_dialects_read_back(
    moves: list[tuple[int, Decimal, bool, str]], dialect: dict[str, bool]
) -> None:
    (got,) = parse_mt940(_mt940(moves, dialect), "g.sta").statements
    assert got.iban == IBAN and got.sequence == "00001"
    assert [m.amount for m in got.movements] == [m[1] for m in moves]
    assert [m.reversal for m in got.movements] == [m[2] for m in moves]
    assert [m.booking_date.day for m in got.movements] == [m[0] for m in moves]
    assert got.opening_balance + got.total == got.closing_balance
    assert len({m.ref for m in got.movements}) == len(moves)


@FUZZ
@given(moves=MOVES, at=st.integers(0, 10_000), byte=st.integers(0, 255))
def test_a_changed_byte_in_a_generated_mt940_is_refused_or_still_adds_up(
    moves: list[tuple[int, Decimal, bool, str]], at: int, byte: int
) -> None:
    """An amount changed by one byte never slips through: the balance check catches it."""
    data = bytearray(_mt940(moves, dict.fromkeys(("ccy", "wrap28", "wrap61", "free",
                                                  "envelope", "cp1252"), False)))  # fmt: skip
    data[at % len(data)] = byte
    try:
        statements = parse_mt940(bytes(data), "g.sta").statements
    except BankFileError as exc:
        assert "\n" not in str(exc)
        return
    for read in statements:
        assert read.opening_balance + read.total == read.closing_balance
