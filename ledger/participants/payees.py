"""Where a participant's bank payouts go: kept in the encrypted roster, never in the books.

``participant set-payee CODE`` stores the payout IBAN and the account holder's name in the
participant's roster record (asked without echo, or read from ``--from-file``).
``payout CODE AMOUNT --method bank`` takes the IBAN from there, in memory, and the books
keep only its last four characters (``iban-last4``, see :mod:`ledger.money.payouts`);
``payout export`` takes the IBAN and the name from there for the pain.001 file, which is
written outside the books (mode 0600).
"""

from __future__ import annotations

from collections.abc import Iterable

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from ledger.books import Books
from ledger.errors import InputError, RosterError
from ledger.i18n import _
from ledger.ibans import iban_problem
from ledger.participants import require_participant
from ledger.roster import Payee, editing_roster, read_roster

NAME_MAX = 70  # what a SEPA credit transfer carries


def check_payee_iban(value: str) -> str:
    """A valid IBAN in compact form, or a one-line error that does not repeat it."""
    try:
        return str(IBAN(value).compact)
    except SchwiftyException as exc:
        raise InputError(_("invalid IBAN: {exc}", exc=iban_problem(exc))) from None


def set_payee(books: Books, code: str, iban: str | None, name: str | None) -> Payee:
    """Store (or replace) a participant's payout IBAN and name in the roster."""
    if not iban:
        raise InputError(_("the payout IBAN is required (iban = … in --from-file, or typed)"))
    if not name or not name.strip():
        raise InputError(_("the account holder's name is required (name = … in --from-file)"))
    compact = check_payee_iban(iban)
    if books.config.bank_account_for_iban(compact) is not None:
        raise InputError(_("the payout IBAN is one of the hub's own accounts"))
    name = " ".join(name.split())
    if len(name) > NAME_MAX:
        raise InputError(
            _("the account holder's name: at most {name_max} characters (SEPA)", name_max=NAME_MAX)
        )
    require_participant(books.load().entries, books.config, code)
    payee = Payee(iban=compact, name=name)
    with editing_roster(books, f"roster: payout account of {code}") as edit:
        entry = edit.roster.participants.get(code)
        if entry is None:
            raise RosterError(
                _("participant {code} has no readable record in the roster", code=code)
            )
        edit.roster.participants[code] = entry.model_copy(update={"payee": payee})
    return payee


def payee_of(books: Books, code: str) -> Payee:
    """The participant's payee from the roster (a clear error when it was never set)."""
    entry = read_roster(books).participants.get(code)
    if entry is None or entry.payee is None:
        raise InputError(
            _(
                "no payout IBAN for {code} in the roster: store it with "
                "'coopledger participant set-payee {code}'",
                code=code,
            )
        )
    return entry.payee


def payees_of(books: Books, codes: Iterable[str]) -> dict[str, Payee]:
    """The payees of these participants that the roster knows (one decryption)."""
    wanted = set(codes)
    if not wanted:
        return {}
    roster = read_roster(books)
    return {
        code: entry.payee
        for code, entry in roster.participants.items()
        if code in wanted and entry.payee is not None
    }
