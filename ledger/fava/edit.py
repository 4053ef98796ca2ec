"""Fava's own writes, through the books' one write path (``coopledger serve --edit``).

Fava writes ledger files in place (``open("w")``: no lock between processes, no temporary
file, no check, no commit). With ``--edit``, coopledger replaces each ledger's file module
by :class:`BooksFileModule`: the editor (``PUT /api/source``), the entry slice editor
(``PUT``/``DELETE /api/source_slice``), metadata insertion (``PUT /api/attach_document``)
and new entries (``PUT /api/add_entries``) compute the new bytes in memory and hand them to
:meth:`Books.transaction` — lock, atomic write, check, rollback, commit — with Fava's own
optimistic sha256 check done under the lock. A write touching a closed year is refused
before anything is written; any write that would add an error to the books (a broken
seal, a removed plugin or include) is rolled back by the write path. New entries go to
``<year>/fava.beancount``. Every other Fava write (uploading, moving or deleting documents
and import files) is refused: documents enter the books through coopledger's commands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from hashlib import sha256
from http import HTTPStatus
from pathlib import Path
from typing import Any, TypeVar

from beancount.parser.parser import parse_string
from fava.core import FavaLedger
from fava.core.file import (
    ExternallyChangedError,
    FileModule,
    InvalidUnicodeError,
    NonSourceFileError,
    _get_position,
    _incomplete_sortkey,
    find_entry_lines,
    to_string,  # fava.beans.str, imported through fava.core (a circular import otherwise)
)
from fava.json_api import FavaJSONAPIError
from fava.util import next_key

from ledger.books import Books, Transaction, entries_file
from ledger.dates import booking_date
from ledger.errors import ConflictError, CoopledgerError, WriteRejectedError
from ledger.i18n import _, shown
from ledger.integrity import carried as carriedlib
from ledger.integrity.anchors import anchor_errors, seals
from ledger.privacy.guard import refuse_roster_values

T = TypeVar("T")
FAVA_KIND = "fava"  # new entries go to <year>/fava.beancount
# The only writes Fava may make with --edit; any other non-GET request is refused.
ALLOWED_WRITES = frozenset(
    {
        "json_api.put_source",
        "json_api.put_source_slice",
        "json_api.delete_source_slice",
        "json_api.put_add_entries",
        "json_api.put_attach_document",
        "json_api.put_format_source",  # formats text in memory, writes nothing
    }
)


class RefusedWriteError(FavaJSONAPIError):
    """A write coopledger refused; the message says why, the books are unchanged."""

    def __init__(self, message: str, status: HTTPStatus) -> None:
        super().__init__(shown(message))  # Fava shows it: in the hub's language
        self._status = status

    @property
    def status(self) -> HTTPStatus:
        return self._status


def _sha256_str(text: str) -> str:
    return sha256(text.encode("utf-8")).hexdigest()


def _newline(payload: bytes) -> str:
    first = payload.split(b"\n", 1)[0]
    return "\r\n" if first.endswith(b"\r") else "\n"


def _lines(payload: bytes, path: Path) -> list[str]:
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidUnicodeError(str(exc)) from None
    return text.replace("\r\n", "\n").splitlines(keepends=True)


def _encode(text: str, newline: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", newline).encode("utf-8")


def refuse_staged_text(root: Path, staged: dict[str, bytes], today: dt.date | None = None) -> None:
    """What no free edit may write (QA 8/9/10 items 7 and 11), named, never quoted: an
    entry dated after today (the one dates policy of every writer: the books record what
    has happened), and an ``include`` of a file outside the books (its lines would be
    read, and repeated in the errors, and it is no part of what the books are)."""
    now = booking_date(None, today)
    books = root.resolve()
    for relpath, payload in sorted(staged.items()):
        if not relpath.endswith(".beancount"):
            continue
        entries, _errors, options = parse_string(payload.decode("utf-8", errors="replace"))
        future = sorted({e.date for e in entries if e.date > now})
        if future:
            raise WriteRejectedError(
                _(
                    "{relpath}: an entry is dated {date}, in the future (today is {today}): "
                    "the books record what has happened",
                    relpath=relpath,
                    date=future[0].isoformat(),
                    today=now.isoformat(),
                )
            )
        for included in options.get("include") or []:
            target = (books / relpath).parent.joinpath(included).resolve()
            if target != books and books not in target.parents:
                raise WriteRejectedError(
                    _(
                        "{relpath}: an include names a file outside the books; the books "
                        "include only their own files",
                        relpath=relpath,
                    )
                )


class BooksFileModule(FileModule):
    """Fava's file module, writing through ``Books.transaction``."""

    def __init__(self, ledger: Any, books: Books) -> None:
        super().__init__(ledger)
        self.books = books

    # -- guards -----------------------------------------------------------------

    def _relpath(self, path: Path | str) -> str:
        resolved = Path(path).resolve()
        root = self.books.root
        if root not in resolved.parents:
            raise RefusedWriteError(
                _("{path} is outside the books", path=str(path)), HTTPStatus.FORBIDDEN
            )
        return resolved.relative_to(root).as_posix()

    def _closed_until(self) -> dt.date | None:
        entries: list[Any] = list(self.ledger.all_entries)  # Fava types them as protocols
        years = set(seals(entries))
        mark = carriedlib.marker(entries)  # the live books: the closed years are carried
        if mark is not None:
            years |= set(carriedlib.sealed_heads(mark))
        return dt.date(max(years), 12, 31) if years else None

    def _refuse_closed(self, day: dt.date, what: str) -> None:
        until = self._closed_until()
        if until is not None and day <= until:
            raise RefusedWriteError(
                _(
                    "{what} is dated {day}, in a closed year (closed until {until}): book "
                    "corrections in an open year",
                    what=what,
                    day=day.isoformat(),
                    until=until.isoformat(),
                ),
                HTTPStatus.FORBIDDEN,
            )

    def _refuse_closed_file(self, relpath: str) -> None:
        until = self._closed_until()
        head = relpath.split("/", 1)[0]
        if relpath in (carriedlib.CARRIED_FILE, carriedlib.RECALLED_FILE, carriedlib.HISTORY_FILE):
            raise RefusedWriteError(
                _(
                    "{relpath} holds what the closed years carry: book corrections in an open "
                    "year",
                    relpath=relpath,
                ),
                HTTPStatus.FORBIDDEN,
            )
        if until is not None and head.isdigit() and int(head) <= until.year:
            raise RefusedWriteError(
                _(
                    "{relpath} belongs to closed year {year}: book corrections in an open year",
                    relpath=relpath,
                    year=head,
                ),
                HTTPStatus.FORBIDDEN,
            )

    def _write(self, message: str, stage: Callable[[Transaction], T]) -> T:
        try:
            with self.books.transaction(message) as tx:
                result = stage(tx)
                refuse_roster_values(self.books, tx.staged)  # a free edit: no roster value
                refuse_staged_text(self.books.root, tx.staged)
                return result
        except ConflictError as exc:
            raise RefusedWriteError(exc.message, HTTPStatus.CONFLICT) from None
        except WriteRejectedError as exc:
            raise RefusedWriteError(exc.message, HTTPStatus.UNPROCESSABLE_ENTITY) from None
        except CoopledgerError as exc:
            raise RefusedWriteError(exc.message, HTTPStatus.BAD_REQUEST) from None

    def _read(self, tx: Transaction, relpath: str, path: Path) -> bytes:
        payload = tx.read_file(relpath)
        if payload is None:
            raise NonSourceFileError(path)
        return payload

    # -- Fava's writes ------------------------------------------------------------

    def set_source(self, path: Path, source: str, sha256sum: str) -> str:
        with self._lock:
            if str(path) not in self.ledger.options["include"]:
                raise NonSourceFileError(path)
            relpath = self._relpath(path)
            self._refuse_closed_file(relpath)

            def stage(tx: Transaction) -> None:
                current = self._read(tx, relpath, path)
                # Fava hashes the text as Python reads it (universal newlines).
                if _sha256_str("".join(_lines(current, path))) != sha256sum:
                    raise ExternallyChangedError(path)
                tx.write_file(relpath, _encode(source, _newline(current)))

            self._write(f"fava: edit {relpath}", stage)
            self.ledger.watcher.notify(path)
            self.ledger.extensions.after_write_source(str(path), source)
            self.ledger.load_file()
            return _sha256_str(source)

    def _splice(
        self,
        entry_hash: str,
        sha256sum: str,
        message: str,
        replacement: str | None,
    ) -> Any:
        """Replace (or, with ``None``, delete) the lines of an entry, checked by sha256."""
        entry = self.ledger.get_entry(entry_hash)
        path, lineno = _get_position(entry)
        self._refuse_closed(entry.date, _("this entry"))
        relpath = self._relpath(path)

        def stage(tx: Transaction) -> None:
            current = self._read(tx, relpath, path)
            lines = _lines(current, path)
            first = lineno - 1
            entry_lines = find_entry_lines(lines, first)
            if _sha256_str("".join(entry_lines).rstrip("\n")) != sha256sum:
                raise ExternallyChangedError(path)
            after = first + len(entry_lines)
            if replacement is None:  # the blank lines after a deleted entry go with it
                while after < len(lines) and not lines[after].strip():
                    after += 1
            new = [*lines[:first], *([] if replacement is None else [replacement]), *lines[after:]]
            tx.write_file(relpath, _encode("".join(new), _newline(current)))

        self._write(f"fava: {message} in {relpath}", stage)
        self.ledger.watcher.notify(path)
        return entry

    def save_entry_slice(self, entry_hash: str, source_slice: str, sha256sum: str) -> str:
        with self._lock:
            entry = self._splice(entry_hash, sha256sum, "edit an entry", source_slice + "\n")
            self.ledger.extensions.after_entry_modified(entry, source_slice)
            return _sha256_str(source_slice)

    def delete_entry_slice(self, entry_hash: str, sha256sum: str) -> None:
        with self._lock:
            entry = self._splice(entry_hash, sha256sum, "delete an entry", None)
            self.ledger.extensions.after_delete_entry(entry)

    def insert_metadata(self, entry_hash: str, basekey: str, value: str) -> None:
        with self._lock:
            self.ledger.changed()
            entry = self.ledger.get_entry(entry_hash)
            key = next_key(basekey, entry.meta)
            indent = self.ledger.fava_options.indent
            path, lineno = _get_position(entry)
            self._refuse_closed(entry.date, _("this entry"))
            relpath = self._relpath(path)

            def stage(tx: Transaction) -> None:
                current = self._read(tx, relpath, path)
                lines = _lines(current, path)
                lines.insert(lineno, f'{" " * indent}{key}: "{value}"\n')
                tx.write_file(relpath, _encode("".join(lines), _newline(current)))

            self._write(f"fava: add {key} metadata in {relpath}", stage)
            self.ledger.watcher.notify(path)
            self.ledger.extensions.after_insert_metadata(entry, key, value)

    def insert_entries(self, entries: Sequence[Any]) -> None:
        with self._lock:
            self.ledger.changed()
            for entry in entries:
                self._refuse_closed(entry.date, _("a new entry"))
            options = self.ledger.fava_options
            ordered = sorted(entries, key=_incomplete_sortkey)
            targets = [entries_file(FAVA_KIND, entry.date) for entry in ordered]

            def stage(tx: Transaction) -> None:
                for entry, relpath in zip(ordered, targets, strict=True):
                    text = to_string(entry, options.currency_column, options.indent)
                    tx.append_text(relpath, text.rstrip("\n") + "\n\n")
                    tx.ensure_included(relpath)

            count = f"{len(ordered)} entr{'y' if len(ordered) == 1 else 'ies'}"
            self._write(f"fava: add {count}", stage)
            for entry, relpath in zip(ordered, targets, strict=True):
                self.ledger.watcher.notify(self.books.root / relpath)
                self.ledger.extensions.after_insert_entry(entry)


class BooksFavaLedger(FavaLedger):
    """A Fava ledger of coopledger books: its errors include the anchors (seals against
    their tags, every file included); with ``edit``, its writes go through the books."""

    __slots__ = ("books",)

    def __init__(self, path: str, books: Books, *, edit: bool = False) -> None:
        self.books = books
        super().__init__(path)
        if edit:
            self.file = BooksFileModule(self, books)

    def load_file(self) -> None:
        super().load_file()
        entries: list[Any] = list(self.all_entries)  # Fava types them as protocols
        self.load_errors = [
            *self.load_errors,
            *anchor_errors(self.books.root, entries, dict(self.options)),
        ]
