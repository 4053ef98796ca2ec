"""A Fava page listing every participant by code: what the hub holds for them and why.

Community workers look at the hub through Fava; this page answers their first question
("how much does the hub hold for each participant, and what is still to be paid?")
without any identity: codes and activity categories only. It reads ``hub.toml`` beside
the ledger for the chart of accounts.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from fava.ext import FavaExtensionBase

from ledger.config import load_config
from ledger.participants import summarize_all


class Participants(FavaExtensionBase):
    """Participants' balances (codes only)."""

    report_title = "Participants"

    def rows(self) -> list[dict[str, Any]]:
        root = Path(self.ledger.beancount_file_path).parent
        config = load_config(root)
        entries: list[Any] = list(self.ledger.all_entries)
        out = []
        for code, summary in sorted(summarize_all(entries, config).items()):
            out.append(
                {
                    "code": code,
                    "status": summary.info.status,
                    "activity": summary.info.activity,
                    "sales": summary.sales,
                    "received": summary.received,
                    "contribution": summary.contribution,
                    "costs": summary.costs_charged,
                    "payouts": summary.payouts,
                    "balance": summary.balance,
                    "held_account": summary.info.accounts["participant_held"],
                }
            )
        return out

    def totals(self, rows: list[dict[str, Any]]) -> dict[str, Decimal]:
        keys = ("sales", "received", "contribution", "costs", "payouts", "balance")
        return {k: sum((r[k] for r in rows), Decimal(0)) for k in keys}
