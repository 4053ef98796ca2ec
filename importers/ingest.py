"""beangulp importers, one per format, sharing the planning of ``coopledger import``.

They work with beangulp's own tooling (``identify``, ``extract`` and the
``<document>.beancount`` regression tests), e.g. in an ``import.py``::

    from importers.archive import Ingest
    from importers.ingest import all_importers, settings_from_books

    settings = settings_from_books("books")  # hub.toml, clients.toml, the roster (hub key)
    Ingest(all_importers(settings), settings.recipients)()

run with the hub key at hand (``COOPLEDGER_KEY_FILE=… python import.py extract inbox/ -e
books/main.beancount``). :func:`settings_from_books` takes the settings ``coopledger import``
takes (:func:`importers.run.import_settings`): what the bank wrote is checked against the
roster of participants before anything is extracted, so that a participant's name shaped
like a business or a code, or her own IBAN, is never kept. Without the key (or without
books at that path) ``extract`` and ``archive`` refuse each file, naming what to do
(``identify`` still answers: it puts nothing into the books); and ``extract`` refuses
settings that carry no roster at all (an ``ImportSettings`` built by hand).

``importers.archive.Ingest``'s ``archive`` stores each statement encrypted with age;
beangulp's own ``archive`` (clear copies) is refused by these importers.

``extract`` gives exactly the entries ``coopledger import`` would add to books holding
``existing`` (bank transactions, the opening, the balance assertions and the file
record); deduplication is by the ``^bank-`` link. A refused file is reported by beangulp
on one line (``ERROR`` then our message), as its own validation errors are, instead of
the traceback it prints for any other exception.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import beangulp
from beancount.core import data
from beangulp import exceptions, similar

from importers.archive import refuse_clear_archive
from importers.camt import REFUSED_CAMT
from importers.errors import BankFileError
from importers.formats import BANK_CSV, CAMT, CODA, MT940, Format, read_statements
from importers.mt940_reader import is_mt942
from importers.run import books_import_settings
from importers.service import BankFile, plan_import
from importers.settings import ImportSettings
from ledger.books import Books
from ledger.errors import CoopledgerError, RosterError
from ledger.i18n import _

SNIFF_BYTES = 65536


@contextlib.contextmanager
def one_line_errors() -> Iterator[None]:
    """Our refusals as beangulp's own error type, which it prints as one line."""
    try:
        yield
    except CoopledgerError as exc:
        raise exceptions.Error(exc.message) from None


def settings_from_books(root: str | os.PathLike[str]) -> ImportSettings:
    """The settings ``coopledger import`` imports with into the books at ``root``
    (:func:`importers.run.import_settings`): the bank accounts, accounts and rules of
    ``hub.toml``, the clients of ``clients.toml`` and the roster's values, read with the
    hub key (``COOPLEDGER_KEY_FILE``, or its usual place).

    Books that cannot be read so (no hub key at hand, no books at ``root``…) give settings
    that carry the refusal instead of raising it: an ``import.py`` builds its importers
    before beangulp runs, where an error could only be a traceback. The importers raise it,
    on beangulp's one line, as soon as they are asked to read a file."""
    try:
        books = Books.open(Path(root))
    except CoopledgerError as exc:
        return ImportSettings(banks=(), refused=exc)
    try:
        return books_import_settings(books)
    except CoopledgerError as exc:
        return replace(ImportSettings.from_config(books.config), refused=exc)


class StatementImporter(beangulp.Importer):
    """A beangulp importer for one bank file format."""

    format: ClassVar[Format]

    def __init__(self, settings: ImportSettings, account: str | None = None) -> None:
        self.settings = settings
        self.forced_account = account

    @property
    def name(self) -> str:
        return f"coopledger.{self.format.name}"

    def _file(self, filepath: str) -> BankFile:
        if self.settings.refused is not None:
            raise self.settings.refused  # the books could not be read (see settings_from_books)
        return BankFile.read(filepath)

    def _check_roster(self) -> None:
        """Refuse to extract with settings that carry no roster (built by hand): a
        participant's name shaped like a business or a code, or her IBAN, would be kept."""
        if self.settings.refused is not None:
            raise self.settings.refused
        if not self.settings.known.guard.with_roster:
            raise RosterError(
                _("these importers' settings carry no roster: what the bank wrote is checked "
                  "against the participants' roster before anything is extracted, so that no "
                  "participant's name or account is kept; build them with "
                  "importers.ingest.settings_from_books(BOOKS), with the hub key given by "
                  "COOPLEDGER_KEY_FILE")
            )  # fmt: skip

    def identify(self, filepath: str) -> bool:
        try:
            with open(filepath, "rb") as handle:
                head = handle.read(SNIFF_BYTES)
        except OSError:
            return False
        if self.format is CAMT and head.startswith(b"PK\x03\x04"):
            return Path(filepath).suffix.lower() == ".zip"
        if self.format is CAMT and any(tag.encode() in head for tag in REFUSED_CAMT):
            return False  # camt.054/camt.052: not a statement, nothing to extract
        if self.format is MT940 and is_mt942(head):
            return False  # an MT942 interim report, likewise
        try:
            return self.format.sniff(head)
        except BankFileError:
            return False

    def account(self, filepath: str) -> data.Account:
        with one_line_errors():
            file = self._file(filepath)
            _, statements = read_statements(file.data, file.name)
            return self.settings.bank_for(statements[0], file.name, self.forced_account).account

    def date(self, filepath: str) -> dt.date | None:
        with one_line_errors():
            file = self._file(filepath)
            _, statements = read_statements(file.data, file.name)
        days = [s.closing_date for s in statements if s.closing_date]
        days += [m.booking_date for s in statements for m in s.movements]
        return max(days) if days else None

    def filename(self, filepath: str) -> str | None:
        refuse_clear_archive()  # beangulp's archive would store the statement in clear
        with one_line_errors():
            file = self._file(filepath)
        return f"{self.format.name}-{file.sha256[:10]}{self.format.extension}"

    def extract(self, filepath: str, existing: data.Entries) -> data.Entries:
        with one_line_errors():
            self._check_roster()
            files = [self._file(filepath)]
            plan = plan_import(files, existing, self.settings, self.forced_account)
        return list(plan.entries)

    cmp = staticmethod(similar.same_link_comparator(r"^bank-"))


class CodaImporter(StatementImporter):
    """CODA v2 (Febelfin)."""

    format = CODA


class Camt053Importer(StatementImporter):
    """ISO 20022 camt.053 (.001.02 to .001.14), or a zip of several."""

    format = CAMT


class Mt940Importer(StatementImporter):
    """SWIFT MT940."""

    format = MT940


class BankCsvImporter(StatementImporter):
    """CSV exports of BNP Paribas Fortis and Fintro, KBC, Belfius and ING Belgium."""

    format = BANK_CSV


def all_importers(settings: ImportSettings, account: str | None = None) -> list[StatementImporter]:
    """One importer per format, in the order formats are recognised."""
    return [
        cls(settings, account)
        for cls in (CodaImporter, Camt053Importer, Mt940Importer, BankCsvImporter)
    ]
