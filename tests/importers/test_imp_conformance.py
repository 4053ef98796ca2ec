"""Conformance over every public sample in ../shared/samples (skipped when absent).

For each file: the format is recognised; the number of movements equals an independent
count made on the raw file; and old balance + movements = new balance for every
statement of the files that are consistent. The hand-edited sample files known to be
inconsistent (see ../shared/samples/SOURCES.md) must be refused by the strict reader with
the check that fails, and read by the lenient one with exactly those problems.
For CODA, the BSD-licensed febelfin-coda parser is a second, independent oracle on the
files it accepts.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from bank_support import SAMPLES, samples

from importers.errors import BankFileError
from importers.formats import CAMT, CODA, MT940, detect

# Files whose content does not add up (hand-edited test data): the checks that fail.
INCONSISTENT: dict[str, set[str]] = {
    "oca-l10n-belgium-16.0__Ontvangen_CODA.2012-01-11-18.59.15.txt": {"account", "balance"},
    "pycoda__Coda_v2_3_globalisation.txt": {"account"},
    "pycoda__Coda_v2_3_multi_statements.txt": {"account"},
    "oca-bsi-16.0__test-camt053.xml": {"balance"},
    "wolph-mt940__betterplace_sepa_snippet.sta": {"balance"},
    # its first statement also has entries dated after its closing balance (:62F:)
    "wolph-mt940__jejik_abnamro.sta": {"balance", "date"},
    "wolph-mt940__jejik_ing.sta": {"balance"},
    "wolph-mt940__jejik_knab.sta": {"balance"},
    "wolph-mt940__jejik_rabobank.sta": {"balance"},
    "wolph-mt940__jejik_triodos.sta": {"balance"},
}
# Read right, these add up (the mt-940 library we used before took a reversal of a credit,
# ``RC``, for a credit, and refused or misread them); checked by hand.
ADD_UP_BY_HAND = {"wolph-mt940__betterplace_sepa_mt9401.sta": 26}
# Files that cannot be read at all, and the check that says why.
UNREADABLE = {
    "pycoda__Coda_faulty_version.txt": "version",  # version code 5
    "wolph-mt940__betterplace_amount_formats.sta": "mt940",  # balance lines only, no :20:
}
FORMATS = {"coda": CODA, "camt053": CAMT, "mt940": MT940}


def _files(folder: str) -> list[Path]:
    path = SAMPLES / folder
    if not path.is_dir():
        return []
    return sorted(p for p in path.iterdir() if "LICENSE" not in p.name)


ALL = [(folder, p) for folder in FORMATS for p in _files(folder)]


def independent_count(folder: str, raw: bytes) -> int:
    """Movements counted straight from the bytes, without our readers."""
    if folder == "coda":
        lines = raw.replace(b"\r", b"").split(b"\n")
        return sum(1 for ln in lines if ln[:2] == b"21" and ln[6:10] == b"0000")
    if folder == "camt053":
        entries = re.findall(rb"<Ntry>.*?</Ntry>", raw, re.S)
        return sum(1 for e in entries if not re.search(rb"<Sts>\s*(<Cd>)?\s*(PDNG|INFO)", e))
    return len(re.findall(rb"^:61:", raw, re.M))


def test_samples_are_there_or_skipped() -> None:
    samples("coda")
    assert len(ALL) >= 20


@pytest.mark.parametrize(("folder", "path"), ALL, ids=lambda v: getattr(v, "name", v))
def test_sample(folder: str, path: Path) -> None:
    raw = path.read_bytes()
    fmt = FORMATS[folder]
    if path.name in UNREADABLE:
        with pytest.raises(BankFileError) as info:
            fmt.parse(raw, path.name, strict=False)
        assert info.value.check == UNREADABLE[path.name]
        return
    assert detect(raw, path.name) is fmt
    lenient = fmt.parse(raw, path.name, strict=False)
    assert sum(len(s.movements) for s in lenient.statements) == independent_count(folder, raw)
    assert {p.check for p in lenient.problems} == INCONSISTENT.get(path.name, set())
    if path.name in INCONSISTENT:
        with pytest.raises(BankFileError) as info:
            fmt.parse(raw, path.name, strict=True)
        assert info.value.check in INCONSISTENT[path.name]
        assert str(info.value).startswith(f"{path.name}:")
        return
    statements = fmt.parse(raw, path.name, strict=True).statements
    for statement in statements:
        if statement.opening_balance is not None and statement.closing_balance is not None:
            assert statement.opening_balance + statement.total == statement.closing_balance
    if path.name in ADD_UP_BY_HAND:
        assert len(statements) == ADD_UP_BY_HAND[path.name]


def _febelfin_cases() -> list[Path]:
    return [p for p in _files("coda") if p.name not in UNREADABLE]


@pytest.mark.parametrize("path", _febelfin_cases(), ids=lambda p: p.name)
def test_coda_agrees_with_febelfin_coda(path: Path) -> None:
    """Where febelfin-coda accepts a file, both parsers read the same statements."""
    febelfin = pytest.importorskip("coda")
    try:
        theirs = febelfin.CODA(str(path)).statements
    except (AssertionError, ValueError):
        pytest.skip("febelfin-coda refuses this file (see docs/importing.md)")
    ours = CODA.parse(path.read_bytes(), path.name, strict=False).statements
    assert len(ours) == len(theirs)
    for mine, their in zip(ours, theirs, strict=True):
        assert mine.opening_balance == their.old_balance
        assert mine.closing_balance == their.new_balance
        assert [m.amount for m in mine.movements] == [Decimal(m.amount) for m in their.moves]
        assert [m.booking_date for m in mine.movements] == [m.entry_date for m in their.moves]
        details = [len(m.details) for m in mine.movements]
        assert details == [sum(1 for _ in m.all_moves) for m in their.moves]
