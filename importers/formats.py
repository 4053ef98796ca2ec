"""The bank file formats we read, recognised from their content (never from their name)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from importers.bank_csv import looks_like_bank_csv, parse_bank_csv
from importers.camt import looks_like_camt, parse_camt
from importers.coda import looks_like_coda, parse_coda
from importers.errors import BankFileError, UnknownFormatError
from importers.model import Statement
from importers.mt940_reader import looks_like_mt940, parse_mt940
from importers.parsing import ParseResult
from ledger.i18n import _

MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Format:
    """One bank file format: how to recognise it and how to read it."""

    name: str
    label: str
    extension: str
    sniff: Callable[[bytes], bool]
    parse: Callable[..., ParseResult]


def _looks_like_camt_or_zip(data: bytes) -> bool:
    return data.startswith(b"PK\x03\x04") or looks_like_camt(data)


CODA = Format("coda", "CODA", ".cod", looks_like_coda, parse_coda)
CAMT = Format("camt.053", "camt.053", ".xml", _looks_like_camt_or_zip, parse_camt)
MT940 = Format("mt940", "MT940", ".sta", looks_like_mt940, parse_mt940)
BANK_CSV = Format("csv", "bank CSV", ".csv", looks_like_bank_csv, parse_bank_csv)
FORMATS: tuple[Format, ...] = (CODA, CAMT, MT940, BANK_CSV)


def detect(data: bytes, name: str) -> Format:
    """The format of a bank file, or a :class:`BankFileError` saying why there is none."""
    if not data.strip():
        raise BankFileError(name, "empty", _("the file is empty"))
    if len(data) > MAX_FILE_BYTES:
        raise BankFileError(
            name,
            "size",
            _("larger than {max_file_bytes} MB", max_file_bytes=MAX_FILE_BYTES // (1024 * 1024)),
        )
    for fmt in FORMATS:
        if fmt.sniff(data):
            return fmt
    raise UnknownFormatError(
        name,
        _(
            "not a bank statement we can read: expected CODA, camt.053 (XML or zip), MT940, or a "
            "CSV export of BNP Paribas Fortis, KBC, Belfius or ING"
        ),
    )


def read_statements(data: bytes, name: str) -> tuple[Format, list[Statement]]:
    """Recognise and strictly read a bank file: every check must pass."""
    fmt = detect(data, name)
    result = fmt.parse(data, name, strict=True)
    if not result.statements:
        raise BankFileError(name, "statement", _("no statement in the file"))
    return fmt, result.statements
