"""Commands: ``backup create|restore``."""

from __future__ import annotations

import argparse
from pathlib import Path

import click

from ledger.audit.backup import backup, restore
from ledger.cli import NOUNS
from ledger.cli.audit import print_report
from ledger.cli.support import Group, command, open_books, say
from ledger.errors import InputError
from ledger.i18n import N_, _
from ledger.integrity.signing import SIGNERS_FILE, configure_signing, public_key
from ledger.progress import Progress


def cmd_backup(args: argparse.Namespace) -> int:
    books = open_books(args)
    with Progress(N_("backup")):
        done = backup(books, Path(args.to), [Path(p) for p in args.include or []])
    say(_("Backup written to {path} (HEAD {head}, {count} close tags)", path=str(done.folder),
          head=done.head[:12], count=len(done.tags)))  # fmt: skip
    say(_("It is encrypted to the hub's recipients; the hub key is not in it. Copy the folder "
          "off-site (see docs/operations.md) and run a restore drill."))  # fmt: skip
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    key = Path(args.key).expanduser() if args.key else None
    extras = Path(args.extras_to) if args.extras_to else None
    with Progress(N_("restoring")):
        done = restore(Path(args.backup), Path(args.dir), key_file=key, extras_to=extras)
    if args.signing_key:
        signing = Path(args.signing_key).expanduser()
        signers = (
            (done.books / SIGNERS_FILE).read_text() if (done.books / SIGNERS_FILE).exists() else ""
        )
        if public_key(signing) not in signers:
            raise InputError(
                _("--signing-key: that key is not in the books' {file}", file=SIGNERS_FILE)
            )
        configure_signing(done.books, signing, "", write_signers=False)
    say(_("Restored {path} at {head}", path=str(done.books), head=done.head[:12]), err=True)
    for extra in done.extras:
        say(_("Restored {path}", path=str(extra)), err=True)
    print_report(done.report, args.json)
    return 0 if done.report.ok else 1


# ---------------------------------------------------------------- the commands

group = Group("backup", help=NOUNS["backup"])

command(
    group, "create", cmd_backup,
    click.option("--to", required=True, metavar="DIR", help=N_("where the backup folder goes")),
    click.option("--include", multiple=True, metavar="FILE",
                 help=N_("a file kept outside the books to back up too, encrypted (repeatable)")),
    help=N_("an encrypted backup of the whole history (never the key)"),
)  # fmt: skip
command(
    group, "restore", cmd_restore,
    click.argument("backup"), click.argument("dir"),
    click.option("--key", metavar="FILE", help=N_("the hub key (default: where init put it)")),
    click.option("--extras-to", metavar="DIR", help=N_("where to put the files of --include")),
    click.option("--signing-key", metavar="SSH_KEY", help=N_("sign new commits again with it")),
    help=N_("restore a backup into a new folder, then verify it"), books=False,
)  # fmt: skip
