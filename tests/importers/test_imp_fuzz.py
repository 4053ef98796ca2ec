"""Robustness: on arbitrary bytes, and on near-miss mutations of valid files (truncate,
flip, insert, duplicate or drop a line), every reader and the format detection raise only
:class:`BankFileError` — never anything else — or read the file."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from bank_support import DOCUMENTS, SETTINGS, coda, day, move, statement
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
         b"Bericht\n"]
    ),
    tail=st.binary(max_size=400),
)  # fmt: skip
def test_plausible_starts_with_garbage(prefix: bytes, tail: bytes) -> None:
    only_bank_file_errors(READERS["plan"], prefix + tail)
