"""Participants: onboarding, closing, and what the books say about each one.

A participant exists in the books only as a pseudonymous code and the accounts of its
activity subtree (see ``docs/accounting-model.md``). Who the person is lives in the
encrypted roster, never here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from beancount.core import data

from ledger.books import Books
from ledger.codes import is_code, new_code
from ledger.config import HubConfig
from ledger.dates import booking_date
from ledger.errors import InputError, ParticipantError
from ledger.i18n import _
from ledger.privacy.guard import TextGuard
from ledger.roster import DETAIL_FIELDS, Payee, RosterEntry, editing_roster
from ledger.view import (
    ParticipantInfo,
    ParticipantSummary,
    View,
    participant_accounts,
)

ACTIVITY_RE = re.compile(r"^[^\W\d_][\w \-/&']{0,39}$")
ZERO = Decimal("0")


def find_participants(
    entries: Iterable[data.Directive], config: HubConfig
) -> dict[str, ParticipantInfo]:
    """Every participant the books know, from the ``open``/``close`` of its held account."""
    return {code: s.info for code, s in View.of(entries, config).participants.items()}


def require_participant(
    entries: Iterable[data.Directive], config: HubConfig, code: str
) -> ParticipantInfo:
    """The participant with this code, or a clear error."""
    if not is_code(code):  # what was typed is not repeated: it may be a name
        raise ParticipantError(_("not a participant code (expected P- and 6 characters)"))
    info = find_participants(entries, config).get(code)
    if info is None:
        raise ParticipantError(_("unknown participant {code}", code=code))
    return info


def require_open_participant(
    entries: Iterable[data.Directive], config: HubConfig, code: str, on: dt.date | None = None
) -> ParticipantInfo:
    """An open participant (opened by ``on`` when given), or a clear error. A closed
    participant receives nothing more, whatever the date: an entry dated before her close
    would change the balances the close found at zero."""
    info = require_participant(entries, config, code)
    if info.closed is not None:
        raise ParticipantError(
            _(
                "participant {code} is closed since {closed}",
                code=code,
                closed=info.closed.isoformat(),
            )
        )
    if on is not None and on < info.opened:
        raise ParticipantError(
            _(
                "participant {code} was opened on {opened}, after {on}",
                code=code,
                opened=info.opened.isoformat(),
                on=on.isoformat(),
            )
        )
    return info


def summarize_all(
    entries: Iterable[data.Directive], config: HubConfig
) -> dict[str, ParticipantSummary]:
    """Every participant's balances and movements (the books' fold)."""
    return View.of(entries, config).participants


def summarize(
    entries: Iterable[data.Directive], config: HubConfig, code: str
) -> ParticipantSummary:
    """Balances of a participant's subtree and every movement of the balance held."""
    entries = list(entries)
    require_participant(entries, config, code)
    return summarize_all(entries, config)[code]


def held_balance(entries: Iterable[data.Directive], config: HubConfig, code: str) -> Decimal:
    return summarize(entries, config, code).balance


# ---------------------------------------------------------------- changing the books


def check_activity(activity: str, alias: str | None) -> str:
    activity = " ".join(activity.split())
    if not activity:
        return ""
    if not ACTIVITY_RE.match(activity):
        raise InputError(
            _(
                "invalid --activity: a short category such as 'catering' or 'couture' "
                "(letters, digits, spaces, hyphens; at most 40 characters)"
            )
        )
    if alias and alias.strip() and alias.strip().lower() in activity.lower():
        raise InputError(_("invalid --activity: it must not contain the participant's alias"))
    return activity


def open_entries(config: HubConfig, code: str, day: dt.date, activity: str) -> list[data.Open]:
    out = []
    for index, (role, account) in enumerate(participant_accounts(config, code).items()):
        meta: dict[str, Any] = {
            "participant": code,
            "role": role,
            "pcmn": config.accounts[role].pcmn,
        }
        if activity and role == "participant_held":
            meta["activity"] = activity
        out.append(
            data.Open(data.new_metadata("<coopledger>", index, meta), day, account, ["EUR"], None)
        )
    return out


def check_details(details: dict[str, str] | None) -> dict[str, str]:
    """The roster details of a new participant: known fields, one line each."""
    out = {}
    for key, value in (details or {}).items():
        if key not in DETAIL_FIELDS:
            raise InputError(
                _(
                    "unknown roster field {key!r} (known: alias, {detail_fields})",
                    key=key,
                    detail_fields=", ".join(DETAIL_FIELDS),
                )
            )
        text = " ".join(str(value).split())
        if text:
            out[key] = text
    return out


def add_participant(
    books: Books,
    alias: str | None = None,
    activity: str = "",
    day: dt.date | None = None,
    details: dict[str, str] | None = None,
    payee: Payee | None = None,
    today: dt.date | None = None,
) -> str:
    """Open a new participant under a fresh random code; returns the code.

    Who she is goes to the roster only; the activity, which the books keep, passes the
    roster guard (her own values included)."""
    day = booking_date(day, today)
    activity = check_activity(activity, alias)
    details = check_details(details)
    config = books.config
    own = [alias or "", *details.values()] + ([payee.iban, payee.name] if payee else [])
    TextGuard.for_books(books).with_values(own).check(activity, "--activity")
    with editing_roster(books, "participant: open a participant") as edit:
        tx = edit.tx
        known = find_participants(tx.ledger.entries, config)
        code = new_code(set(known) | set(edit.roster.participants) | set(edit.roster.purged))
        tx.message = f"participant: open {code}"
        edit.roster.participants[code] = RosterEntry(
            code=code, alias=(alias or "").strip(), details=details, added=day, payee=payee
        )
        tx.add_entries(open_entries(config, code, day, activity), kind="participants")
    return code


def close_participant(
    books: Books, code: str, day: dt.date | None = None, today: dt.date | None = None
) -> ParticipantInfo:
    """Close a participant's accounts on ``day``; refused while anything is still held or
    owed, an invoice unsettled or a payout not debited — on ``day``, not today: the books
    as of the close (every entry dated up to it) are what the close finds at zero, and
    nothing of hers may be dated after it."""
    day = booking_date(day, today)
    config = books.config
    with books.transaction(f"participant: close {code}") as tx:
        entries = tx.ledger.entries
        info = require_open_participant(entries, config, code)
        if day < info.opened:
            raise InputError(
                _("--date {day} is before the participant was opened", day=day.isoformat())
            )
        last = _last_posting_date(entries, set(info.accounts.values()))
        if last is not None and day < last:
            raise InputError(
                _(
                    "--date {day} is before the participant's last entry ({last})",
                    day=day.isoformat(),
                    last=last.isoformat(),
                )
            )
        _refuse_close(entries, config, code, day)
        closes = []
        for index, account in enumerate(info.accounts.values()):
            meta = data.new_metadata("<coopledger>", index, {"participant": code})
            closes.append(data.Close(meta, day, account))
        tx.add_entries(closes, kind="participants")
    info.closed = day
    return info


def _refuse_close(
    entries: list[data.Directive], config: HubConfig, code: str, day: dt.date
) -> None:
    """What forbids closing ``code`` on ``day``, from the books as of the end of ``day``
    (nothing of hers is dated after it: :func:`close_participant` checked it first)."""
    then = View.of([e for e in entries if e.date <= day], config)
    summary = then.participants[code]
    if summary.balance != ZERO:
        raise ParticipantError(
            _(
                "participant {code} cannot be closed: the hub still holds "
                "{balance} EUR for them (pay it out first)",
                code=code,
                balance=summary.balance,
            )
        )
    if summary.owed != ZERO:
        raise ParticipantError(
            _(
                "participant {code} cannot be closed: they still owe the hub "
                "{owed} EUR (recovered from their next client payments)",
                code=code,
                owed=summary.owed,
            )
        )
    open_then = {
        link: inv.number for link, inv in then.invoices.items()
        if inv.participant == code and inv.receivable != ZERO
    }  # fmt: skip
    if open_then:
        unpaid = sorted(open_then.values())
        now = View.of(entries, config)  # the books as they are, only to say why
        if all(now.invoices[link].receivable == ZERO for link in open_then):  # settled since
            raise ParticipantError(
                _(
                    "participant {code} cannot be closed on {day}: invoice(s) {unpaid} were "
                    "settled only after that day (close on a later date)",
                    code=code,
                    day=day.isoformat(),
                    unpaid=", ".join(unpaid),
                )
            )
        raise ParticipantError(
            _(
                "participant {code} cannot be closed: invoice(s) {unpaid} are not settled yet",
                code=code,
                unpaid=", ".join(unpaid),
            )
        )
    # A payout not yet debited may still fail or come back; its money is hers, and a
    # closed participant receives nothing: the close waits for the bank — a payout debited
    # after the close's date was still in transit on that day.
    waiting = sorted(
        (p for p in then.open_pending("payout") if p.participant == code),
        key=lambda p: p.link,
    )
    if not waiting:
        return
    now = View.of(entries, config)  # the books as they are, only to say why
    debited = [now.pending[p.link].debited_on for p in waiting]
    if all(d is not None for d in debited):
        raise ParticipantError(
            _(
                "participant {code} cannot be closed on {day}: payout(s) {payouts} were "
                "debited by the bank only on {debited} (until then a payout may fail or "
                "come back); close on {debited} or later",
                code=code,
                day=day.isoformat(),
                payouts=", ".join(p.link.upper() for p in waiting),
                debited=max(d for d in debited if d is not None).isoformat(),
            )
        )
    raise ParticipantError(
        _(
            "participant {code} cannot be closed: payout(s) {payouts} are not "
            "debited by the bank yet (import the statement that shows them first)",
            code=code,
            payouts=", ".join(
                p.link.upper() for p, d in zip(waiting, debited, strict=True) if d is None
            ),
        )
    )


def _last_posting_date(entries: Iterable[data.Directive], accounts: set[str]) -> dt.date | None:
    last = None
    for entry in entries:
        if isinstance(entry, data.Transaction) and any(
            p.account in accounts for p in entry.postings
        ):
            last = entry.date if last is None or entry.date > last else last
    return last


def unpaid_invoices(entries: Iterable[data.Directive], config: HubConfig, code: str) -> list[str]:
    """Invoices of the participant whose receivable is not settled (by link)."""
    view = View.of(entries, config)
    return sorted(
        inv.number for inv in view.invoices.values()
        if inv.participant == code and inv.receivable != ZERO
    )  # fmt: skip
