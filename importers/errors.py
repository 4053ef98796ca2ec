"""The errors a bank file can cause.

Every parser and importer in this package raises only :class:`BankFileError` (or one of
its subclasses) for anything wrong with a file's *content*; the CLI prints its message on
one line. The message always names the file, the line (when there is one) and the check
that failed, and never quotes a counterparty's name or address::

    statement.cod:14: trailer: total credit 123.450 != sum of movements 120.000
"""

from __future__ import annotations

from importers.text import masked_account
from ledger.errors import CoopledgerError
from ledger.i18n import _

# The checks a message names, shown in the hub's language (any other is shown as it is).
CHECKS = {
    str(check): check
    for check in (
        _("account"), _("amount"), _("balance"), _("balance date"), _("batch"),
        _("booking date"), _("communication"), _("creation date"), _("currency"), _("date"),
        _("detail amount"), _("detail number"), _("empty"), _("encoding"), _("entry amount"),
        _("entry date"), _("file"), _("line endings"), _("new balance"),
        _("new balance date"), _("old balance"), _("old balance date"), _("record length"),
        _("record order"), _("reference"), _("row"), _("rows"), _("sequence"),
        _("sequence number"), _("size"), _("statement"), _("statement number"), _("summary"),
        _("trailer"),
        _("transaction code"), _("truncated"), _("value date"), _("version"),
    )
}  # fmt: skip


class BankFileError(CoopledgerError):
    """A bank file fails a check: ``<file>[:<line>]: <check>: <detail>``."""

    def __init__(self, file: str, check: str, detail: str, line: int | None = None) -> None:
        where = f"{file}:{line}" if line is not None else file
        shown = CHECKS.get(check, check)
        super().__init__(_("{where}: {check}: {detail}", where=where, check=shown, detail=detail))
        self.file = file
        self.line = line
        self.check = check
        self.detail = detail


class UnknownFormatError(BankFileError):
    """The file is none of the formats we read (CODA, camt.053, MT940, bank CSV)."""

    def __init__(self, file: str, detail: str) -> None:
        super().__init__(file, "format", detail)


class UnsupportedFormatError(BankFileError):
    """The file is a known bank format we deliberately refuse (camt.054, camt.052…)."""

    def __init__(self, file: str, detail: str) -> None:
        super().__init__(file, "format", detail)


class UnknownAccountError(BankFileError):
    """The statement is for a bank account the hub does not have in ``hub.toml`` (named by
    its last four characters only: the bank may have written a person's account there, or
    her name)."""

    def __init__(self, file: str, account: str, line: int | None = None) -> None:
        super().__init__(
            file,
            "account",
            _(
                "the statement is for {account}, which is not a bank account "
                "of the hub (see [[bank_accounts]] in hub.toml)",
                account=masked_account(account),
            ),
            line,
        )
        self.account = account


class ImportConflictError(BankFileError):
    """The statement disagrees with what the books already hold (balances, history)."""


__all__ = [
    "BankFileError",
    "ImportConflictError",
    "UnknownAccountError",
    "UnknownFormatError",
    "UnsupportedFormatError",
]
