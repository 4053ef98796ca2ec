"""The bank file formats we read, recognised from their content (never from their name)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from importers.coda import looks_like_coda, parse_coda
from importers.errors import BankFileError, UnknownFormatError
from importers.model import Statement
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


# The readers of the formats after CODA are imported when a file gets that far (camt's
# brings lxml): a CODA file, the Belgian banks' usual export, never pays for them.


def _looks_like_camt_or_zip(data: bytes) -> bool:
    if data.startswith(b"PK\x03\x04"):
        return True
    from importers.camt import looks_like_camt

    return looks_like_camt(data)


def _parse_camt(data: bytes, name: str = "<camt>", *, strict: bool = True) -> ParseResult:
    from importers.camt import parse_camt

    return parse_camt(data, name, strict=strict)


def _looks_like_mt940(data: bytes) -> bool:
    from importers.mt940_reader import looks_like_mt940

    return looks_like_mt940(data)


def _parse_mt940(data: bytes, name: str = "<mt940>", *, strict: bool = True) -> ParseResult:
    from importers.mt940_reader import parse_mt940

    return parse_mt940(data, name, strict=strict)


def _looks_like_bank_csv(data: bytes) -> bool:
    from importers.bank_csv import looks_like_bank_csv

    return looks_like_bank_csv(data)


def _parse_bank_csv(data: bytes, name: str = "<csv>", *, strict: bool = True) -> ParseResult:
    from importers.bank_csv import parse_bank_csv

    return parse_bank_csv(data, name, strict=strict)


CODA = Format("coda", "CODA", ".cod", looks_like_coda, parse_coda)
CAMT = Format("camt.053", "camt.053", ".xml", _looks_like_camt_or_zip, _parse_camt)
MT940 = Format("mt940", "MT940", ".sta", _looks_like_mt940, _parse_mt940)
BANK_CSV = Format("csv", "bank CSV", ".csv", _looks_like_bank_csv, _parse_bank_csv)
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
