"""Reading a file the user names on the command line, within a bound.

A bank statement or a supplier's e-invoice is read whole into memory, so it is read
within a bound: the file is opened without blocking and refused unless it is a regular
file (a FIFO, ``/dev/zero`` or a terminal would be read without end), refused when it is
larger than the bound before anything is read, and never read beyond the bound plus one
byte (a file that grows while it is read is still refused).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ledger.i18n import _


class InputFileRefused(Exception):
    """The file is not one to read (``reason`` says why, for a one-line message)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of ``path``: a regular file of at most ``limit`` bytes, else
    :class:`InputFileRefused` (``OSError`` when it cannot be opened or read)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO does not block its opening
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "Is a directory", str(path))
        if not stat.S_ISREG(info.st_mode):
            raise InputFileRefused(_("not a regular file (a pipe, a device or a socket)"))
        if info.st_size > limit:
            raise InputFileRefused(_("larger than {limit} MB", limit=limit // (1024 * 1024)))
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0:
            raise InputFileRefused(_("larger than {limit} MB", limit=limit // (1024 * 1024)))
        return b"".join(chunks)
    finally:
        os.close(fd)
