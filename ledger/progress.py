"""Progress of long work (the demo, a multi-file import, reports, verify, backup) on
stderr: one line rewritten in place (``demo: 2/4 bank statements``), then the time it took.
The label is English in the code (a :class:`ledger.i18n.Message`, or a text marked ``N_``)
and shown in the user's language.

Silent when stderr is not a terminal (a script, a pipe, a log), under ``--quiet`` (the
command line wraps the command in :func:`silenced`), and never on stdout: what a command
prints there stays the same with or without progress. ``COOPLEDGER_PROGRESS=1`` shows it
even when stderr is not a terminal (tests, a log that wants it); ``--quiet`` still wins.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, TypeVar

from ledger.i18n import N_, Message, _, shown, translate, ui_lang

T = TypeVar("T")
LABELS = (N_("demo"), N_("reading"), N_("backup"), N_("restoring"), N_("statement"))
_silenced = 0


@contextlib.contextmanager
def silenced() -> Iterator[None]:
    """No progress inside (``--quiet``)."""
    global _silenced
    _silenced += 1
    try:
        yield
    finally:
        _silenced -= 1


def enabled(stream: IO[str] | None = None) -> bool:
    stream = stream if stream is not None else sys.stderr
    if _silenced:
        return False
    if os.environ.get("COOPLEDGER_PROGRESS") == "1":
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Progress:
    """``label: i/total what`` (or ``label: what`` without a total), rewritten in place."""

    def __init__(self, label: str, total: int | None = None, stream: IO[str] | None = None):
        self.label = shown(label) if isinstance(label, Message) else translate(ui_lang(), label)
        self.total, self.count = total, 0
        self.stream = stream if stream is not None else sys.stderr
        self.on = enabled(self.stream)
        self.started = time.monotonic()
        self.width = 0

    def _write(self, text: str, end: str = "") -> None:
        if not self.on:
            return
        pad = " " * max(0, self.width - len(text))
        self.stream.write(f"\r{text}{pad}{end}")
        self.stream.flush()
        self.width = 0 if end else len(text)

    def step(self, what: str = "") -> None:
        self.count += 1
        where = f"{self.count}/{self.total} " if self.total else ""
        colon = " : " if ui_lang() == "fr" else ": "  # as the catalogue writes it in French
        self._write(f"{self.label}{colon}{where}{shown(what)}".rstrip())

    def close(self) -> None:
        took = f"{time.monotonic() - self.started:.0f}"
        self._write(shown(_("{label}: done in {seconds} s", label=self.label, seconds=took)), "\n")

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: Any) -> None:
        if exc[0] is None:
            self.close()
        elif self.on and self.width:
            self._write("", "\n")  # leave the line for the error message


def each(label: str, items: Iterable[T], name: Callable[[T], str] = str) -> Iterator[T]:
    """The items, with a step of progress before each (``name`` says what it is)."""
    listed = list(items)
    with Progress(label, len(listed)) as progress:
        for item in listed:
            progress.step(name(item))
            yield item
