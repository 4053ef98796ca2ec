"""The chart as the books' ``open`` entries declare it: what the fold knows of accounts
without ``hub.toml``, and what the invariant plugins check against.

``coopledger init`` and ``participant add`` write a ``role`` (and, on a participant's
accounts, ``participant``) on each ``open``. :class:`Register` reads them: the role and
participant of each account, each participant's held account and the dates it was opened
and closed. It is the chart the fold itself works with: :class:`ledger.view.View` reads
every account by its role here (``View.register``), never from ``hub.toml``, so a plugin —
which has no ``hub.toml`` — folds the very same view (:func:`register_of` builds one alone).
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
    # (role, code) → the first account opened with it; role → every account opened with it
    by_role: dict[tuple[str, str], str] = field(default_factory=dict, compare=False)
    of_role: dict[str, set[str]] = field(default_factory=dict, compare=False)

    def account(self, role: str, code: str = "") -> str:
        """The account opened with ``role`` (and participant ``code``); ``""`` if none."""
        return self.by_role.get((role, code), "")

    def accounts(self, role: str) -> set[str]:
        """Every account opened with ``role`` (the bank accounts, say)."""
        return self.of_role.get(role, set())

    def participant_accounts(self, code: str, roles: Iterable[str]) -> dict[str, str]:
        """``code``'s account of each of ``roles`` that is open, in the order of ``roles``."""
        return {role: acct for role in roles if (acct := self.by_role.get((role, code)))}

    def add(self, entry: data.Directive) -> None:
        """Register an ``open`` (role, participant) or the ``close`` of a held account."""
        if isinstance(entry, data.Open):
            role, code = open_role(entry)
            if role:
                self.roles[entry.account] = (role, code)
                self.by_role.setdefault((role, code), entry.account)
                self.of_role.setdefault(role, set()).add(entry.account)
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
