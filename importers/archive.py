"""Keeping the imported bank file in the books, encrypted with age — never in clear.

A bank statement names everyone the hub paid or was paid by, participants included; the
books are shared with auditors and kept in git. So the original file is stored encrypted
to the same age recipients as the roster (``[roster] recipients`` in ``hub.toml``, see
:mod:`importers.encrypted`), and the books record its sha256 in clear (``custom
"bank-file"``), which is enough to prove which file was imported and to refuse importing
it twice.

beangulp's own ``archive`` command moves the file, in clear, into a documents folder (the
books' ``documents/`` in the usual setup). :class:`Ingest` is beangulp's command line for
coopledger's importers with an ``archive`` that encrypts instead; and coopledger's
importers refuse to name a file for beangulp's clear ``archive`` (see
:func:`refuse_clear_archive`), so a plain ``beangulp.Ingest`` cannot leak a statement.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import beangulp
import click
from beangulp import exceptions, identify, utils

from importers.encrypted import ArchiveError as ArchiveError  # re-exported
from importers.encrypted import encrypt_for
from ledger.books import atomic_write

FILENAME = "{date:%Y-%m-%d}.{name}.age"


def refuse_clear_archive() -> None:
    """Called by our importers' ``filename()``: refuse when beangulp's own ``archive`` asks
    (it would move the statement, in clear, into the documents folder)."""
    caller = sys._getframe(2).f_globals.get("__name__")
    if caller == "beangulp.archive":
        raise exceptions.Error(
            "coopledger: beangulp's archive would store this bank statement in clear; use "
            "importers.archive.Ingest (it encrypts with age) or 'coopledger import'"
        )


def archive_path(importer: Any, filepath: str) -> str:
    """``<Account/As/Folders>/<date>.<name>.age`` (beangulp's layout, encrypted)."""
    account = importer.account(filepath)
    name = importer.filename(filepath) or os.path.basename(filepath)
    date = importer.date(filepath) or utils.getmdate(filepath)
    if os.sep in name:
        raise exceptions.Error("The filename contains path separator character.")
    return os.path.join(account.replace(":", os.sep), FILENAME.format(date=date, name=name))


def archive_command(recipients: Sequence[str]) -> click.Command:
    """beangulp's ``archive``, but each file is stored encrypted to ``recipients`` and the
    clear original removed; nothing is written if any file fails (its refusal on one line,
    ``Error: …``, as click prints it)."""

    @click.command("archive")
    @click.argument("src", nargs=-1, type=click.Path(exists=True, resolve_path=True))
    @click.option("--destination", "-o", metavar="DIR", required=True,
                  type=click.Path(exists=True, file_okay=False, resolve_path=True),
                  help="The destination documents tree root directory.")  # fmt: skip
    @click.option("--dry-run", "-n", is_flag=True, help="Just print where files would go.")
    @click.pass_obj
    def _archive(ctx: Any, src: tuple[str, ...], destination: str, dry_run: bool) -> None:
        """Archive documents, encrypted with age to the hub's recipients."""
        if not recipients:
            raise click.ClickException("no age recipients: refusing to archive in clear")
        planned: list[tuple[str, Path]] = []
        for filename in utils.walk(list(src)):
            importer = identify.identify(ctx.importers, filename)
            if importer is None:
                continue
            try:
                target = Path(destination) / archive_path(importer, filename)
            except exceptions.Error as exc:  # a refusal of our importers: one line, as extract's
                raise click.ClickException(str(exc)) from None
            if target.exists() or any(t == target for _, t in planned):
                raise click.ClickException(f"{target}: already exists")
            planned.append((filename, target))
        for filename, target in planned:
            click.echo(str(target), err=True)
            if dry_run:
                continue
            atomic_write(target, encrypt_for(recipients, Path(filename).read_bytes()))
            os.unlink(filename)

    return _archive


class Ingest(beangulp.Ingest):
    """``beangulp.Ingest`` whose ``archive`` encrypts (use it in an ``import.py``)::

    from importers.archive import Ingest
    from importers.ingest import all_importers, settings_from_books
    settings = settings_from_books("books")  # with the roster (the hub key at hand)
    Ingest(all_importers(settings), settings.recipients)()
    """

    def __init__(
        self, importers: Sequence[Any], recipients: Sequence[str], hooks: Any = None
    ) -> None:
        super().__init__(importers, hooks)
        self.cli.commands.pop("archive", None)
        self.cli.add_command(archive_command(tuple(recipients)))
