"""The hub's bank accounts: declared in ``hub.toml``, opened in ``accounts.beancount``."""

from __future__ import annotations

import datetime as dt

from beancount.core import data
from pydantic import ValidationError

from ledger.books import Books
from ledger.config import BankAccount, format_validation_error
from ledger.dates import booking_date
from ledger.errors import InputError
from ledger.i18n import _
from ledger.privacy.guard import PARTICIPANTS_ACCOUNT, TextGuard


def add_bank_account(
    books: Books,
    iban: str,
    bic: str | None = None,
    label: str = "Compte",
    account: str | None = None,
    day: dt.date | None = None,
) -> BankAccount:
    """Declare a new bank account of the hub and open its Beancount account."""
    day = booking_date(day)  # the one dates policy: no entry in the future
    # What enters hub.toml and accounts.beancount: the hub's own account, never hers.
    guard = TextGuard.for_books(books)
    guard.check_all([(label, "--label"), (account, "--account")])
    guard.check_roster_only(iban, "--iban", PARTICIPANTS_ACCOUNT)
    try:
        probe = BankAccount(iban=iban, bic=bic, label=label)
        bank = BankAccount(
            iban=probe.iban,
            bic=probe.bic,
            label=label,
            account=account or f"Assets:Banque:{probe.iban[-4:]}",
            opened=day,
        )
    except ValidationError as exc:
        raise InputError(format_validation_error(exc, "bank add")) from None
    config = books.config.model_copy(deep=True)
    if config.bank_account_for_iban(bank.iban):
        raise InputError(_("the hub already has the bank account {iban}", iban=bank.iban))
    if any(b.account == bank.account for b in config.bank_accounts):
        raise InputError(
            _("{account} is already the account of another bank account", account=bank.account)
        )
    config.bank_accounts.append(bank)
    meta = {"role": "bank", "pcmn": bank.pcmn, "iban": bank.iban, "label": bank.label}
    if bank.bic:
        meta["bic"] = bank.bic
    opening = data.Open(
        data.new_metadata("<coopledger>", 0, meta), day, bank.account, ["EUR"], None
    )
    with books.transaction(f"bank: add account {bank.account}") as tx:
        tx.write_config(config)
        tx.add_entries([opening], kind="accounts")
    books.config = config
    return bank
