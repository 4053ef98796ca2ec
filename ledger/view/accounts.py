"""The chart as the books' ``open`` entries declare it: what the fold knows of accounts
without ``hub.toml``, and what the invariant plugins check against.

``coopledger init`` and ``participant add`` write a ``role`` (and, on a participant's
accounts, ``participant``) on each ``open``. :class:`Register` reads them: the role and
participant of each account, each participant's held account and the dates it was opened
and closed. :class:`ledger.view.View` keeps one as it folds (``View.register``); a plugin,
which has no ``hub.toml``, builds the same one from its entries (:func:`register_of`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from beancount.core import data

from ledger.daybook import open_role


@dataclass
class Register:
    """Accounts by their ``open`` metadata, participants by their held account."""

    roles: dict[str, tuple[str, str]] = field(default_factory=dict)  # account → (role, code)
    codes: dict[str, str] = field(default_factory=dict)  # account → code (``participant`` meta)
    held: dict[str, str] = field(default_factory=dict)  # code → its held account
    opened: dict[str, dt.date] = field(default_factory=dict)  # code → held account opened
    closed: dict[str, dt.date] = field(default_factory=dict)  # code → held account closed

    def add(self, entry: data.Directive) -> None:
        """Register an ``open`` (role, participant) or the ``close`` of a held account."""
        if isinstance(entry, data.Open):
            role, code = open_role(entry)
            if role:
                self.roles[entry.account] = (role, code)
            if "participant" in (entry.meta or {}):
                code = str(entry.meta["participant"])
                self.codes[entry.account] = code
                if role == "participant_held":
                    self.held[code] = entry.account
                    self.opened[code] = entry.date
        elif isinstance(entry, data.Close):
            owner = self.codes.get(entry.account)
            if owner is not None and self.held.get(owner) == entry.account:
                self.closed[owner] = entry.date


def register_of(entries: Iterable[data.Directive]) -> Register:
    """The register of every ``open`` in the entries, then of every ``close``."""
    entries = list(entries)
    register = Register()
    for entry in entries:
        if isinstance(entry, data.Open):
            register.add(entry)
    for entry in entries:
        if isinstance(entry, data.Close):
            register.add(entry)
    return register
