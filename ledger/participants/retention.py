"""How long a participant's roster record must be kept, and erasing it when it may go.

The books must be kept, with their supporting documents, for ten years (Belgian tax and VAT
law; seven under accounting law): see ``docs/security.md`` for the sources. Who a code is
belongs to those records as long as they may be asked for, so a participant's roster
record is kept until the **end of the tenth year after the close of the financial year of
her last entry** — for a last entry in 2026 (financial year closed on 31 December 2026),
until 31 December 2036. GDPR art. 17(3)(b) excludes erasure while that legal obligation
runs; after it, the record can be erased.

Erasure is crypto-shredding (:mod:`ledger.roster`): ``participant purge CODE`` destroys her
data key and leaves a tombstone; the books, which only ever held her code, do not change.
Before the retention date a purge is refused unless a court order (``--court-order REF``)
requires it; the reference itself is not stored (it could lead back to her).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from beancount.core import data

from ledger import dates
from ledger.books import Books
from ledger.config import HubConfig
from ledger.errors import InputError, ParticipantError
from ledger.i18n import _
from ledger.participants import find_participants, require_participant
from ledger.roster import Purged, editing_roster

RETENTION_YEARS = 10


def retention_until(last_entry: dt.date) -> dt.date:
    """The last day the record must be kept (financial years are calendar years)."""
    return dt.date(last_entry.year + RETENTION_YEARS, 12, 31)


def last_entries(entries: list[data.Directive], config: HubConfig) -> dict[str, dt.date]:
    """The date of each participant's last entry (any entry on her accounts or about her)."""
    participants = find_participants(entries, config)
    accounts = {
        account: code for code, info in participants.items() for account in info.accounts.values()
    }
    last: dict[str, dt.date] = {code: info.opened for code, info in participants.items()}
    for entry in entries:
        codes = set()
        meta_code = (entry.meta or {}).get("participant")
        if isinstance(meta_code, str) and meta_code in last:
            codes.add(meta_code)
        if isinstance(entry, data.Transaction):
            codes.update(accounts[p.account] for p in entry.postings if p.account in accounts)
        elif (
            isinstance(entry, (data.Open, data.Close, data.Document, data.Balance))
            and entry.account in accounts
        ):
            codes.add(accounts[entry.account])
        for code in codes:
            if entry.date > last[code]:
                last[code] = entry.date
    return last


@dataclass(frozen=True)
class Retention:
    """A participant's retention: until when her record is kept."""

    code: str
    status: str  # open | closed
    last_entry: dt.date
    until: dt.date | None  # None while she is open: her last entry is still to come

    def may_purge(self, today: dt.date) -> bool:
        return self.until is not None and today > self.until


def retentions(entries: list[data.Directive], config: HubConfig) -> dict[str, Retention]:
    participants = find_participants(entries, config)
    last = last_entries(entries, config)
    return {
        code: Retention(
            code=code,
            status=info.status,
            last_entry=last[code],
            until=retention_until(last[code]) if info.closed else None,
        )
        for code, info in participants.items()
    }


def purge(
    books: Books, code: str, today: dt.date | None = None, court_order: str | None = None
) -> Purged:
    """Erase a participant's roster record for good (see the module's docstring)."""
    today = dates.today(today)
    entries = books.load().entries
    require_participant(entries, books.config, code)
    if court_order is not None and not court_order.strip():
        raise InputError(_("--court-order needs the order's reference (it is not stored)"))
    retention = retentions(entries, books.config)[code]
    reason: Literal["retention", "court-order"] = "retention"
    if court_order is None:
        if retention.until is None:
            raise ParticipantError(
                _(
                    "participant {code} is open: her record is kept while she works with the hub "
                    "and ten years after (close her first; before that only --court-order REF)",
                    code=code,
                )
            )
        if not retention.may_purge(today):
            raise ParticipantError(
                _(
                    "participant {code}: her record must be kept until "
                    "{until} (ten years after the financial year of her "
                    "last entry, Belgian accounting and VAT law); before that only with "
                    "--court-order REF",
                    code=code,
                    until=retention.until.isoformat(),
                )
            )
    else:
        reason = "court-order"
    with editing_roster(books, f"roster: purge {code} ({reason.replace('-', ' ')})") as edit:
        if code in edit.roster.purged:
            raise ParticipantError(_("participant {code} was already purged", code=code))
        if code not in edit.roster.participants and code not in edit.opened.sealed:
            raise ParticipantError(_("participant {code} has no record in the roster", code=code))
        edit.roster.participants.pop(code, None)
        edit.opened.sealed.pop(code, None)
        purged = Purged(on=today, reason=reason)
        edit.roster.purged[code] = purged
        edit.destroyed.add(code)
    return purged
