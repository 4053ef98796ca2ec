"""Commands: who can open the roster: ``key list|add-recipient|remove-recipient|rotate``."""

from __future__ import annotations

import argparse
from pathlib import Path

import click

from ledger.cli import NOUNS
from ledger.cli.support import Group, command, open_books, print_json, say
from ledger.i18n import N_, _, shown
from ledger.keys import (
    has_key,
    key_path,
    load_identities,
    public_keys,
)
from ledger.privacy.rekey import KeyChange, add_recipient, remove_recipient, rotate


def _print_change(change: KeyChange, what: str) -> None:
    say(_("{what}: the roster and {files} archived statement(s) are now encrypted to "
          "{recipients} recipient(s), committed.", what=what, files=len(change.files),
          recipients=len(change.recipients)))  # fmt: skip
    if change.hub_key is not None:
        say(_("New hub key: {path} (the old one is replaced; destroy its copies)",
              path=str(change.hub_key)))  # fmt: skip
    if change.recovery_file is not None:
        say(_("New recovery key written to {path}: keep it offline, apart.",
              path=str(change.recovery_file)))  # fmt: skip
    elif change.recovery_secret is not None:
        say(_("New RECOVERY KEY — shown once, stored nowhere; write it down and keep it apart:"))
        print(change.recovery_secret)


def cmd_key_list(args: argparse.Namespace) -> int:
    books = open_books(args)
    at_hand: set[str] = set()
    if has_key(books.config):
        at_hand = set(public_keys(load_identities(books.config, books.root)))
    rows = [{"recipient": r, "at_hand": r in at_hand} for r in books.config.roster.recipients]
    if args.json:
        print_json({"key_file": str(key_path(books.config)), "recipients": rows})
        return 0
    say(_("Hub key file: {path}", path=str(key_path(books.config))))
    for row in rows:
        mark = shown(_("  (the hub key at hand)")) if row["at_hand"] else ""
        print(f"  {row['recipient']}{mark}")
    return 0


def cmd_key_add(args: argparse.Namespace) -> int:
    books = open_books(args)
    _print_change(add_recipient(books, args.recipient), _("Recipient added"))
    return 0


def cmd_key_remove(args: argparse.Namespace) -> int:
    books = open_books(args)
    _print_change(remove_recipient(books, args.recipient), _("Recipient removed"))
    return 0


def cmd_key_rotate(args: argparse.Namespace) -> int:
    books = open_books(args)
    recovery = Path(args.recovery_key_file) if args.recovery_key_file else None
    change = rotate(books, args.keep or [], args.add or [], recovery)
    _print_change(change, _("Keys rotated"))
    return 0


# ---------------------------------------------------------------- the commands

group = Group("key", help=NOUNS["key"])

command(group, "list", cmd_key_list, help=N_("the recipients, and which key is at hand"))
command(
    group, "add-recipient", cmd_key_add, click.argument("recipient", metavar="PUBLIC_KEY"),
    help=N_("encrypt to one more key (age or SSH public key)"),
)  # fmt: skip
command(
    group, "remove-recipient", cmd_key_remove,
    click.argument("recipient", metavar="PUBLIC_KEY"), help=N_("stop encrypting to a key"),
)  # fmt: skip
command(
    group, "rotate", cmd_key_rotate,
    click.option("--keep", multiple=True, metavar="PUBLIC_KEY",
                 help=N_("a current recipient to keep (repeat)")),
    click.option("--add", multiple=True, metavar="PUBLIC_KEY", help=N_("a new recipient")),
    click.option("--recovery-key-file", metavar="FILE",
                 help=N_("write the new recovery key there (outside the books) instead of "
                 "printing it once")),
    help=N_("new hub and recovery keys; re-encrypt everything"),
)  # fmt: skip
