"""The one rule for every file a command writes for someone: never inside the books.

A statement for a participant, a SEPA file for the bank, an auditor's export, a backup, a
key file: each goes where the user says (``--out``, ``--to``, ``--recovery-key-file``…),
and never inside the books' directory. The books hold only what their commands write
through the write path, under git: a file dropped there by hand is a change no command
made (every later command refuses to start), and most of these files must not be shared
with the books at all (bank account numbers, keys, a participant's statement).

The refusal names the option, not the path: a path may hold a name.
"""

from __future__ import annotations

from pathlib import Path

from ledger.errors import InputError
from ledger.i18n import _


def inside(root: Path, path: Path) -> bool:
    """Whether ``path`` (existing or not, symbolic links followed) is in ``root``."""
    books = root.expanduser().absolute().resolve()
    target = path.expanduser().absolute().resolve()
    return target == books or books in target.parents


def outside_books(root: Path, path: Path | str, option: str, why: str = "") -> Path:
    """``path`` (expanded, absolute) when it is outside the books of ``root``; else a
    one-line :class:`InputError` naming ``option`` and, when given, ``why``."""
    target = Path(path).expanduser().absolute()
    if inside(root, target):
        because = _(" ({why})", why=why) if why else ""
        raise InputError(
            _(
                "{option}: inside the books directory; write it outside the books{because}: "
                "they hold only what their commands write, under git",
                option=option,
                because=because,
            )
        )
    return target
