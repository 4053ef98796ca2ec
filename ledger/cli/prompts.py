"""Personal values are never taken from the command line.

A value typed as an argument stays in the shell's history and is visible to every user of
the machine in ``/proc/<pid>/cmdline`` while the command runs. Commands that take an
alias, a name or an IBAN therefore ask for it without echo when a terminal is there
(:func:`getpass.getpass`), or read it from ``--from-file FILE`` (``-``: standard input)
otherwise, one ``key = value`` (or ``key: value``) per line; a value may be quoted with
double quotes; ``#`` starts a comment line. Nothing read is ever repeated in a message.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from ledger.errors import InputError
from ledger.i18n import _, shown, system_error, translate, ui_lang

MAX_VALUE = 300


def parse_values(text: str, allowed: Iterable[str], where: str = "--from-file") -> dict[str, str]:
    """``key = value`` lines → a dict (keys checked, values never echoed in errors)."""
    keys = set(allowed)
    out: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cut = min((i for i in (line.find("="), line.find(":")) if i > 0), default=-1)
        if cut <= 0:
            raise InputError(_("{where}: line {number} is not 'key = value'", where=where,
                               number=number))  # fmt: skip
        key = line[:cut].strip().lower().replace("-", "_")
        value = line[cut + 1 :].strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        if key not in keys:
            raise InputError(
                _("{where}: line {number}: unknown key (expected one of {keys})", where=where,
                  number=number, keys=", ".join(sorted(keys)))
            )  # fmt: skip
        if key in out:
            raise InputError(
                _("{where}: line {number}: {key} given twice", where=where, number=number, key=key)
            )
        if len(value) > MAX_VALUE or any(ord(c) < 32 for c in value):
            raise InputError(
                _("{where}: line {number}: {key} must be one line of at most {count} characters",
                  where=where, number=number, key=key, count=MAX_VALUE)
            )  # fmt: skip
        if value:
            out[key] = value
    return out


def read_from_file(source: str, stdin: TextIO | None = None) -> str:
    if source == "-":
        return (stdin or sys.stdin).read()
    try:
        return Path(source).expanduser().read_text(encoding="utf-8")
    except OSError as exc:  # a missing file is said so (never its path: it may hold a name)
        raise InputError(
            _("--from-file: cannot be read ({strerror})", strerror=system_error(exc))
        ) from None
    except UnicodeDecodeError:
        raise InputError(_("--from-file: the file cannot be read (UTF-8 text expected)")) from None


def ask(
    fields: Sequence[tuple[str, str]],
    from_file: str | None,
    allowed: Iterable[str] | None = None,
    stdin: TextIO | None = None,
) -> dict[str, str]:
    """The values of ``fields`` (key, prompt): from ``--from-file``, else asked without echo
    when standard input is a terminal, else none."""
    names = list(allowed) if allowed is not None else [k for k, _ in fields]
    if from_file is not None:
        return parse_values(read_from_file(from_file, stdin), names)
    stream = stdin or sys.stdin
    if not stream.isatty():
        return {}
    out = {}
    for key, label in fields:
        try:
            prompt = _("{label} (not shown while you type): ", label=translate(ui_lang(), label))
            value = getpass.getpass(shown(prompt)).strip()
        except (EOFError, KeyboardInterrupt):
            raise InputError(_("interrupted; nothing was changed")) from None
        if len(value) > MAX_VALUE:
            raise InputError(_("{key}: at most {count} characters", key=key, count=MAX_VALUE))
        if value:
            out[key] = value
    return out


def refuse_on_command_line(option: str, instead: str) -> InputError:
    """The error for a personal value given as an argument (the value is not repeated)."""
    return InputError(
        _(
            "{option} is not taken on the command line (it would stay in the shell history and "
            "be visible to other users): {instead}",
            option=option,
            instead=instead,
        )
    )
