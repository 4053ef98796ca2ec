"""Reconciliation invariants: nothing is settled or allocated twice.

Every settlement (a bank line moved out of suspense onto what it pays) and every
allocation (a client's payment credited to the participant) names the bank movement by
its ``^bank-`` link and its target by one ``^inv-``/``^po-``/``^exp-``/``^grant-``/
``^refund-`` link. The same pair may appear only once per kind: a second one would count
the same money twice, whatever wrote it (a bug, a hand edit, a merge).
"""

from __future__ import annotations

import collections
from typing import Any

from beancount.core import data

from ledger.i18n import _

__plugins__ = ("check_reconciliation",)

ReconciliationError = collections.namedtuple("ReconciliationError", "source message entry")

CHECKED_KINDS = ("payment", "settlement")
TARGET_PREFIXES = ("inv-", "po-", "exp-", "grant-", "refund-", "cash-")


def check_reconciliation(
    entries: list[data.Directive], options_map: dict[str, Any], config: str | None = None
) -> tuple[list[data.Directive], list[Any]]:
    errors = []
    seen: dict[tuple[str, str, str], data.Transaction] = {}
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        kind = entry.meta.get("kind")
        if kind not in CHECKED_KINDS:
            continue
        links: frozenset[str] | set[str] = entry.links or set()
        # The money: a bank line, or a cash receipt (its ^cash- link) when no bank line.
        banks = sorted(link for link in links if link.startswith("bank-")) or sorted(
            link for link in links if link.startswith("cash-")
        )
        targets = sorted(
            link for link in links if link.startswith(TARGET_PREFIXES) and link not in banks
        )
        for bank in banks:
            for target in targets:
                key = (str(kind), bank, target)
                first = seen.get(key)
                if first is not None:
                    errors.append(
                        ReconciliationError(
                            entry.meta,
                            _(
                                "^{bank} is booked twice as a {kind} of ^{target} (first at "
                                "{filename}:{lineno}): "
                                "the same money would count twice",
                                bank=bank,
                                kind=kind,
                                target=target,
                                filename=first.meta.get("filename"),
                                lineno=first.meta.get("lineno"),
                            ),
                            entry,
                        )
                    )
                else:
                    seen[key] = entry
    return entries, errors
