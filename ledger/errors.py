"""Typed errors carrying a message meant for the user.

Every error a user can cause derives from :class:`CoopledgerError`; the CLI prints its
``message`` on one line and exits non-zero. Messages never contain personal data: they
name files, lines, fields and pseudonymous codes only.
"""

from __future__ import annotations

import re

from ledger.i18n import _


class CoopledgerError(Exception):
    """Base of every user-facing error."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(CoopledgerError):
    """``hub.toml`` is missing, unreadable or invalid."""


class InputError(CoopledgerError):
    """A value given by the user is invalid (IBAN, date, rate, amount…)."""


class BooksError(CoopledgerError):
    """The books directory is missing, not initialised, or does not parse."""


class UnsafeBooksError(BooksError):
    """The books ask to import Python code that is not on the allow list."""


class WriteRejectedError(CoopledgerError):
    """A write was rolled back because it would have added errors to the books."""


class LockError(CoopledgerError):
    """The books' lock could not be taken in time."""


class ParticipantError(CoopledgerError):
    """Unknown participant code, closed participant, or a refused participant change."""


class RosterError(CoopledgerError):
    """The encrypted roster cannot be read or written (missing key, wrong key…)."""


class KeyFileError(RosterError):
    """A hub key file is unsafe (inside the books, readable by others) or unreadable."""


class PrivacyRefusal(InputError):
    """A text would carry a personal value into the books or a document (never echoed)."""


class ConflictError(CoopledgerError):
    """The books hold changes no coopledger command made (a hand edit, another tool)."""


class BooksWriteError(BooksError):
    """The operating system refused a write (disk full, permission, file too large…)."""


# What an error may repeat of an identifier the user typed: one of our own shapes (an
# invoice or credit-note number, a participant code, a client id, PO-/EXP-/CASH- ids, a
# link, a close tag) — never anything else, which may be a name typed in the wrong place.
_OUR_IDENTIFIER = re.compile(
    r"(?i)(?:inv-|cn-|refund-)?[a-z]{0,4}(?:19|20)[0-9]{2}[-/][0-9]{1,6}"  # numbers, links
    r"|P-[0-9A-Z]{6}|C[0-9]{4,6}|(?:po|exp|cash)-[0-9]{4}-[0-9]{4,6}"  # codes and our ids
    r"|close-[0-9]{4}|bank-[0-9a-f]{12}"
)


def typed(value: object) -> str:
    """``value`` quoted when it has the shape of one of our identifiers, else a notice
    that it is not repeated (for errors about something typed that was not found)."""
    text = str(value).strip()
    if len(text) <= 40 and _OUR_IDENTIFIER.fullmatch(text):
        return f"'{text}'"
    return _("(what was typed is not repeated)")
