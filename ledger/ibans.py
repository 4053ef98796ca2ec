"""IBANs as the books check them (schwifty), apart from the settings' models (pydantic):
the invariant plugins' fold compares counterparties' IBANs without ``hub.toml``."""

from __future__ import annotations

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from ledger.i18n import _

IBAN_PROBLEMS = {
    "InvalidChecksumDigits": _("wrong check digits"),
    "InvalidLength": _("wrong length"),
    "InvalidStructure": _("characters or structure not valid for its country"),
    "InvalidCountryCode": _("unknown country code"),
    "InvalidBankCode": _("unknown bank code"),
}


def iban_problem(exc: Exception) -> str:
    """Why an IBAN is invalid, in words that never repeat it (schwifty's messages do)."""
    return IBAN_PROBLEMS.get(type(exc).__name__, _("not a valid IBAN"))


def normalize_iban(value: str) -> str:
    """Return an IBAN in compact form after checking its country format and check digits.

    The error never repeats the value: it may be a person's account."""
    try:
        return str(IBAN(value).compact)
    except SchwiftyException as exc:
        raise ValueError(_("invalid IBAN: {exc}", exc=iban_problem(exc))) from None
