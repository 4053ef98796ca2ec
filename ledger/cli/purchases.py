"""``coopledger purchase import|list|fetch``: the arguments; the commands are in
:mod:`ledger.cli.purchase_commands`, loaded when one runs."""

from __future__ import annotations

import argparse
from typing import Any

from ledger.cli.support import add_books_option, date_arg, lazy_command

COMMANDS = "ledger.cli.purchase_commands"


def _charge_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--participant", metavar="CODE", help="a cost of this participant's activity")
    p.add_argument("--hub", action="store_true", help="a cost of the hub itself")
    p.add_argument(
        "--account", metavar="ROLE", help="the hub's expense account (default services)"
    )
    p.add_argument("--rules", metavar="DIR", help="the Peppol rules directory")
    p.add_argument("--no-validate", action="store_true", help="book without the official checks")
    p.add_argument("--dry-run", action="store_true", help="check and show, write nothing")
    p.add_argument("--json", action="store_true")


def register(subparsers: Any) -> None:
    """Add ``purchase`` to coopledger's command tree."""
    pur = subparsers.add_parser("purchase", help="supplier e-invoices: import, list, fetch")
    psub = pur.add_subparsers(dest="action", metavar="ACTION", required=True)

    p = psub.add_parser("import", help="book supplier Peppol invoices and credit notes (UBL)")
    add_books_option(p)
    p.add_argument("files", nargs="+", metavar="FILE.xml")
    _charge_options(p)
    p.add_argument("--date", type=date_arg, help="booking date (default: the document's date)")
    p.set_defaults(func=lazy_command(COMMANDS, "cmd_purchase_import"))

    p = psub.add_parser("list", help="supplier invoices and what is left to pay")
    add_books_option(p)
    p.add_argument("--status", choices=("open", "paid"))
    p.add_argument("--participant", metavar="CODE")
    p.add_argument("--as-of", type=date_arg, default=None, help="date for 'overdue' (today)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=lazy_command(COMMANDS, "cmd_purchase_list"))

    p = psub.add_parser("fetch", help="documents received at the access point: list or book")
    add_books_option(p)
    p.add_argument("ids", nargs="*", metavar="ID", help="access-point document ids to book")
    p.add_argument("--all", action="store_true", help="book every document waiting")
    _charge_options(p)
    p.set_defaults(func=lazy_command(COMMANDS, "cmd_purchase_fetch"))
