"""Participant invariants.

* A posting to an account of a participant's subtree needs that participant to exist
  (its held account opened with ``participant`` metadata) and to be open on that date:
  a closed participant receives nothing.
* The balance the hub holds for a participant never goes below zero at the end of a day:
  nobody is paid out of money that is not there.
* A closed participant's accounts of the balance sheet (held for her, owed by her, her
  share of invoices not paid yet) are at zero when they close: an entry dated before her
  close, added after it, cannot leave her money (or a debt) in the books.

Participant accounts are recognised by the ``participant`` metadata on their ``open``
entry (written by ``coopledger participant add``), and any account with a component that
looks like a participant code (``P-`` and six characters) must be one of them. Who exists,
with which accounts, opened and closed when, is the fold's register
(:func:`ledger.view.accounts.register_of`, the same the one fold keeps); what stays here is
the check of each posting and of each end of day, which names the entry that breaks it.
"""

from __future__ import annotations

import collections
import datetime as dt
import re
from decimal import Decimal
from typing import Any

from beancount.core import data

from ledger.i18n import _
from ledger.view.accounts import register_of

__plugins__ = ("check_participants",)

ParticipantError = collections.namedtuple("ParticipantError", "source message entry")

CODE_COMPONENT = re.compile(r"(?:^|:)(P-[0-9A-Z]{6})(?::|$)")


# A participant's accounts whose balance is hers (or her debt) and must be zero at her close.
BALANCE_SHEET_ROLES = ("participant_held", "participant_owed", "participant_pending")


def check_participants(
    entries: list[data.Directive], options_map: dict[str, Any], config: str | None = None
) -> tuple[list[data.Directive], list[Any]]:
    errors: list[Any] = []
    register = register_of(entries)
    account_code, opened, closed = register.codes, register.opened, register.closed
    held_account_code = {account: code for code, account in register.held.items()}
    balances: dict[str, Decimal] = collections.defaultdict(Decimal)
    # the accounts of the balance sheet of closed participants: each one's sum, last entry
    at_close = {
        account: code
        for account, (role, code) in register.roles.items()
        if code in closed and role in BALANCE_SHEET_ROLES
    }
    close_sums: dict[str, Decimal] = collections.defaultdict(Decimal)
    close_last: dict[str, data.Transaction] = {}
    pending_day: dt.date | None = None
    last_entry: dict[str, data.Transaction] = {}

    def end_of_day() -> None:
        for code, entry in last_entry.items():
            if balances[code] < 0:
                errors.append(
                    ParticipantError(
                        entry.meta,
                        _(
                            "participant {code}: the balance held for them would be "
                            "{balances} EUR at the end of {date}; "
                            "it may never go below zero",
                            code=code,
                            balances=balances[code],
                            date=entry.date.isoformat(),
                        ),
                        entry,
                    )
                )
                balances[code] = Decimal(0)  # report once, then keep checking
        last_entry.clear()

    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        if pending_day is not None and entry.date != pending_day:
            end_of_day()
        pending_day = entry.date
        for posting in entry.postings:
            account = posting.account
            code = account_code.get(account)
            if code is None:
                match = CODE_COMPONENT.search(account)
                if match:
                    errors.append(
                        ParticipantError(
                            entry.meta,
                            _(
                                "posting to {account}: no participant {group} was "
                                "opened with 'coopledger participant add'",
                                account=account,
                                group=match.group(1),
                            ),
                            entry,
                        )
                    )
                continue
            if code in closed and entry.date > closed[code]:
                errors.append(
                    ParticipantError(
                        entry.meta,
                        _(
                            "participant {code} is closed since {closed}: "
                            "a closed participant receives nothing",
                            code=code,
                            closed=closed[code].isoformat(),
                        ),
                        entry,
                    )
                )
            elif code in opened and entry.date < opened[code]:
                errors.append(
                    ParticipantError(
                        entry.meta,
                        _(
                            "participant {code} is opened only on {opened}",
                            code=code,
                            opened=opened[code].isoformat(),
                        ),
                        entry,
                    )
                )
            if account in held_account_code and posting.units and posting.units.number is not None:
                balances[code] -= posting.units.number  # a liability: credit = held for them
                last_entry[code] = entry
            if account in at_close and posting.units and posting.units.number is not None:
                close_sums[account] += posting.units.number
                close_last[account] = entry
    end_of_day()
    for account, total in sorted(close_sums.items()):
        if total != 0:
            code = at_close[account]
            errors.append(
                ParticipantError(
                    close_last[account].meta,
                    _(
                        "participant {code} is closed since {closed}, but {account} is "
                        "{amount} EUR at the close: a closed participant holds and owes nothing",
                        code=code,
                        closed=closed[code].isoformat(),
                        account=account,
                        amount=abs(total),
                    ),
                    close_last[account],
                )
            )
    return entries, errors
