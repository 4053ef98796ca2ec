"""Amounts, rounding, and the hub's contribution rule.

The hub's contribution on what a client paid for a participant's work is
``c = round(n × r / 100, 2)`` (half up), where ``n`` is the net amount received (excl.
VAT) and ``r`` the rate in force for that participant *on the date the money was
received*: a per-participant override first, then the hub's dated rate changes, then the
hub's base rate (``ContributionSettings.rate_for``). The entry that books the contribution
carries the rate, the rule's text and the amount, so an auditor can recompute it.

This module holds the rule only, and ``set_rate``, which changes it in ``hub.toml``
through the write path; the helpers every feature builds entries with (amounts, postings,
ids, the one text-cleaning rule) are in :mod:`ledger.entries`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beancount.core import data

from ledger.books import Books
from ledger.codes import is_code
from ledger.config import (
    HUB_FILE,
    HubConfig,
    RateChange,
    edit_config,
    parse_config,
    render_config,
)
from ledger.entries import parse_rate, q2
from ledger.errors import InputError, ParticipantError
from ledger.i18n import _
from ledger.participants import require_participant

# ---------------------------------------------------------------- amounts


# ---------------------------------------------------------------- the contribution rule


@dataclass(frozen=True)
class Contribution:
    """The contribution on a net amount received, with the rule that gave the rate."""

    net: Decimal
    rate: Decimal
    rule: str
    amount: Decimal

    def meta(self) -> dict[str, Any]:
        """Metadata an auditor needs to recompute the contribution."""
        return {
            "received-net": self.net,
            "contribution-rate": self.rate,
            "contribution-rule": self.rule,
            "contribution": self.amount,
        }


def contribution_for(config: HubConfig, code: str, day: dt.date, net: Decimal) -> Contribution:
    """The contribution on ``net`` received for participant ``code`` on ``day``."""
    rate, rule = config.contribution.rate_for(code, day)
    return Contribution(net=net, rate=rate, rule=rule, amount=q2(net * rate / 100))


def check_rate(text: str | Decimal) -> Decimal:
    """A contribution rate between 0 and 100 (percent), or a one-line InputError (the one
    number parser)."""
    return parse_rate(text, "RATE")


def last_payment_date(entries: list[data.Directive], code: str | None) -> dt.date | None:
    """Date of the last contribution booked (for ``code`` only, when given): on a payment
    or on a cash sale."""
    last = None
    for entry in entries:
        kind = entry.meta.get("kind") if isinstance(entry, data.Transaction) else None
        if kind not in ("payment", "cash-sale"):
            continue
        if code is not None and entry.meta.get("participant") != code:
            continue
        if "contribution-rate" in entry.meta and (last is None or entry.date > last):
            last = entry.date
    return last


def with_rate(
    config: HubConfig, rate: Decimal, since: dt.date | None, code: str | None,
    text: str | None = None,
) -> str:  # fmt: skip
    """The text of ``hub.toml`` (``text``, edited in place, when given) with a new rate,
    hub-wide or for one participant."""
    settings = config.contribution.model_copy(deep=True)
    if code is None and since is None:
        settings.rate = rate
    elif code is None:
        assert since is not None
        settings.changes = sorted(
            [c for c in settings.changes if c.since != since]
            + [RateChange(since=since, rate=rate)],
            key=lambda c: c.since,
        )
    else:
        day = since or dt.date(1900, 1, 1)
        current = [c for c in settings.participants.get(code, []) if c.since != day]
        settings.participants = {
            **settings.participants,
            code: sorted([*current, RateChange(since=day, rate=rate)], key=lambda c: c.since),
        }
    updated = config.model_copy(update={"contribution": settings})
    return edit_config(text, updated) if text is not None else render_config(updated)


def set_rate(
    books: Books, rate_text: str, since: dt.date | None = None, code: str | None = None
) -> str:
    """Change the contribution rule in ``hub.toml`` through the write path.

    Refused: a rate outside 0–100 %, an unknown participant, and a change dated on or
    before a contribution already booked under the rule it would change (booked entries
    keep the rate of their date; a change may only take effect after them).
    """
    rate = check_rate(rate_text)
    if code is not None and not is_code(code):
        raise ParticipantError(_("not a participant code (expected P- and 6 characters)"))
    scope = f"participant {code}" if code else "hub"
    with books.transaction(f"contribution: {scope} rate {rate}%") as tx:
        entries = tx.ledger.entries
        if code is not None:
            require_participant(entries, books.config, code)
        last = last_payment_date(entries, code)
        if last is not None and (since is None or since <= last):
            raise InputError(
                _(
                    "contribution rate: contributions are booked up to {last}; "
                    "give --since after that date (booked entries keep the rate of their date)",
                    last=last.isoformat(),
                )
            )
        current = tx.read_file(HUB_FILE)
        text = with_rate(books.config, rate, since, code, current.decode() if current else None)
        parse_config(text)  # what we write must read back
        tx.write_file(HUB_FILE, text.encode("utf-8"))
    books.config = parse_config(text)
    return scope


# ---------------------------------------------------------------- identifiers
