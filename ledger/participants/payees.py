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

from beancount.core import data
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from ledger.books import Books
from ledger.config import HubConfig
from ledger.errors import InputError, RosterError
from ledger.i18n import _
from ledger.ibans import iban_problem
from ledger.participants import require_participant
from ledger.roster import Payee, editing_roster, read_roster
from ledger.view import View, payout_exports

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
    entries = books.load().entries
    require_participant(entries, books.config, code)
    payee = Payee(iban=compact, name=name)
    with editing_roster(books, f"roster: payout account of {code}") as edit:
        entry = edit.roster.participants.get(code)
        if entry is None:
            raise RosterError(
                _("participant {code} has no readable record in the roster", code=code)
            )
        refuse_while_ordered(entries, books.config, code, entry.payee, compact)
        edit.roster.participants[code] = entry.model_copy(update={"payee": payee})
    return payee


def refuse_while_ordered(
    entries: list[data.Directive], config: HubConfig, code: str, current: Payee | None,
    new_iban: str,
) -> None:  # fmt: skip
    """Refuse a new account while a bank payout of hers waits to be exported to the one it
    was ordered to: the export checks the account against the payout's ``iban-last4``, and
    would have to leave her payout out (or pay an account nobody ordered)."""
    exported = payout_exports(entries)

    def ordered_elsewhere(last4: str) -> bool:
        if current is not None and current.iban[-4:] == last4:
            return current.iban != new_iban  # ordered to the current account
        return new_iban[-4:] != last4  # the way back to the account it was ordered to is open

    waiting = sorted(
        (p for p in View.of(entries, config).open_pending("payout")
         if p.participant == code and p.iban_last4 and p.link.upper() not in exported
         and ordered_elsewhere(p.iban_last4)),
        key=lambda p: p.link,
    )  # fmt: skip
    if waiting:
        raise InputError(
            _(
                "participant {code}: the payout account cannot change while bank payout(s) "
                "{payouts} wait to be exported to the account ending …{last4}: export them "
                "first ('coopledger payout export'), or cancel them ('coopledger payout "
                "cancel {first}') and order them again once the new account is stored",
                code=code,
                payouts=", ".join(p.link.upper() for p in waiting),
                last4=waiting[0].iban_last4,
                first=waiting[0].link.upper(),
            )
        )


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
