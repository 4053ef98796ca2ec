"""What an import needs to know about the hub: its bank accounts, accounts and rules.

:class:`ImportSettings` is a plain snapshot of ``hub.toml`` (built by
:meth:`ImportSettings.from_config`), so the parsing, categorising and planning code stays a
pure function of the entries and these settings. What an import checks against the roster
(``known``) comes from the books with the hub key: :func:`importers.run.import_settings`,
which ``coopledger import`` and beangulp's importers (:func:`importers.ingest.settings_from_books`)
both use; settings built by hand carry no roster, and beangulp's importers refuse to extract
with them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from importers.errors import BankFileError, UnknownAccountError
from importers.minimise import KnownParties
from importers.model import Statement
from importers.text import compact_account, iban_or_none, masked_account
from ledger.config import HubConfig
from ledger.errors import CoopledgerError, InputError
from ledger.i18n import _, hub_lang

IBAN_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")


@dataclass(frozen=True)
class BankRef:
    """One bank account of the hub and the Beancount account it is booked on."""

    iban: str
    account: str
    label: str = ""


@dataclass(frozen=True)
class Rule:
    """``[[import_rules]]``: movements that match go to ``account`` (first match wins)."""

    account: str
    counterparty_iban: str | None = None
    contains: str | None = None
    narration: str | None = None


@dataclass(frozen=True)
class ImportSettings:
    """The hub's bank accounts, the accounts an import books to, and its rules."""

    banks: tuple[BankRef, ...]
    clients: str = "Assets:Clients"
    suspense: str = "Assets:Compte-d-attente"
    opening: str = "Equity:Soldes-d-ouverture"
    currency: str = "EUR"
    rules: tuple[Rule, ...] = ()
    recipients: tuple[str, ...] = field(default=(), repr=False)
    # Whose names and accounts the books may keep (clients, rule accounts; the roster's
    # values, which never are): see importers/minimise.py.
    known: KnownParties = field(default_factory=KnownParties, repr=False)
    lang: str = "en"  # the language of the narrations an import writes (the hub's)
    # Why these settings cannot be used at all: the books they were read from could not be
    # read with the roster (no hub key…; importers.ingest.settings_from_books), raised by
    # beangulp's importers when they read a file.
    refused: CoopledgerError | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_config(cls, config: HubConfig) -> ImportSettings:
        return cls(
            banks=tuple(BankRef(b.iban, b.account, b.label) for b in config.bank_accounts),
            clients=config.account("clients"),
            suspense=config.account("suspense"),
            opening=config.account("opening_balances"),
            currency=config.currency,
            rules=tuple(
                Rule(r.account, r.counterparty_iban, r.contains, r.narration)
                for r in config.import_rules
            ),
            recipients=tuple(config.roster.recipients),
            known=KnownParties.of(ibans=[r.counterparty_iban or "" for r in config.import_rules]),
            lang=hub_lang(config.invoicing.default_lang),
        )

    def bank_by_name(self, wanted: str, file: str) -> BankRef:
        """The hub's bank account named by ``--account`` (Beancount account or IBAN)."""
        iban = iban_or_none(wanted)
        for bank in self.banks:
            if wanted in (bank.account, bank.iban) or (iban is not None and iban == bank.iban):
                return bank
        # the option is wrong, not the statement (the value is never repeated: it may be a
        # name or a person's account typed in the wrong place)
        raise InputError(
            _(
                "--account names no bank account of the hub ({account}); give its "
                "Beancount account or its IBAN (see 'coopledger bank list')",
                account=masked_account(compact_account(wanted) or wanted),
            )
        )

    def bank_for(self, statement: Statement, file: str, override: str | None = None) -> BankRef:
        """The hub's bank account a statement belongs to; refuses any other account."""
        own = next((b for b in self.banks if statement.iban and b.iban == statement.iban), None)
        if override is not None:
            chosen = self.bank_by_name(override, file)
            if statement.iban and statement.iban != chosen.iban:
                raise UnknownAccountError(file, statement.iban, statement.line)
            raw = (statement.account or "").replace(" ", "").upper()
            if not statement.iban and IBAN_SHAPE.match(raw):
                # An IBAN whose check digits fail is a damaged file, not a reason to guess.
                raise BankFileError(
                    file,
                    "account",
                    _(
                        "the account ending in {last4} has the shape of an IBAN but its check "
                        "digits are wrong",
                        last4=raw[-4:],
                    ),
                    statement.line,
                )
            return chosen
        if own is None:
            raise UnknownAccountError(file, statement.iban or statement.account, statement.line)
        return own
