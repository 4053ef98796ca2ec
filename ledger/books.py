"""The books directory and the one write path.

Every change to the books goes through :meth:`Books.transaction`:

1. take an exclusive lock on a separate lock file (``fcntl.flock``, cross-process);
2. undo what a crashed earlier transaction left half-written (the journal);
3. load the books under the lock, so the caller computes from the current state;
4. the caller stages new bytes for some files;
5. a journal of the previous bytes is written, then each staged file is written
   atomically (temp file in the same folder, fsync, rename, fsync of the folder);
6. the books are reloaded with the plugins; if the error count rose, every file gets its
   exact previous bytes back and :class:`WriteRejectedError` names the new errors;
7. otherwise the changed files are committed to git with the caller's message.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from beancount.core import data
from beancount.parser import printer

from ledger.config import HubConfig, load_config
from ledger.errors import BooksError, ConfigError, LockError, UnsafeBooksError, WriteRejectedError
from ledger.loader import Ledger, format_error, load_ledger

MAIN_FILE = "main.beancount"
STATE_DIR = ".coopledger"
LOCK_FILE = f"{STATE_DIR}/lock"
JOURNAL_FILE = f"{STATE_DIR}/journal.json"
LOCK_TIMEOUT_SECONDS = float(os.environ.get("COOPLEDGER_LOCK_TIMEOUT", "120"))
TOP_LEVEL_KINDS = {"participants": "participants.beancount", "accounts": "accounts.beancount"}
GIT_FALLBACK_IDENTITY = ("coopledger", "books")


# ---------------------------------------------------------------- low-level file writing


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, payload: bytes, mode: int | None = None) -> None:
    """Write ``payload`` to ``path`` so that readers see either the old or the new bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode is None:
        try:
            mode = path.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _inject_fault(point: str) -> None:
    """Test hook: ``COOPLEDGER_FAULT_INJECT=<point>`` kills the process at that point."""
    if os.environ.get("COOPLEDGER_FAULT_INJECT") == point:
        os._exit(86)


# ---------------------------------------------------------------- git


def commit_identity(root: Path) -> dict[str, str]:
    """Commits are authored by the hub in its role (``[git] author`` of ``hub.toml``), never
    by the machine's own git identity: a history handed to an auditor names nobody."""
    try:
        config = load_config(root)
        name, hub_id = config.git.author, config.id
    except (ConfigError, OSError, UnicodeDecodeError):  # still nobody's name
        name, hub_id = GIT_FALLBACK_IDENTITY
    email = f"{hub_id}@coopledger.invalid"
    return {
        "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email,
    }  # fmt: skip


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run git in the books directory; commits and tags are authored as the hub."""
    env = dict(os.environ)
    if args[0] in ("commit", "tag"):
        env.update(commit_identity(root))
    proc = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, env=env, check=False
    )
    if check and proc.returncode != 0:
        first = (proc.stderr or proc.stdout).strip().splitlines()
        raise BooksError(f"git {args[0]} failed in {root}: {first[0] if first else 'error'}")
    return proc


def git_head(root: Path) -> str | None:
    proc = git(root, "rev-parse", "--verify", "-q", "HEAD", check=False)
    return proc.stdout.strip() or None


# ---------------------------------------------------------------- the books


def entries_file(kind: str, day: dt.date) -> str:
    """The books file (relative path) that entries of this kind and date are appended to."""
    return TOP_LEVEL_KINDS.get(kind) or f"{day.year}/{kind}.beancount"


def render_entries(entries: Iterable[data.Directive]) -> str:
    """Beancount text for entries, each followed by a blank line."""
    out = []
    for entry in entries:
        out.append(printer.format_entry(entry).rstrip("\n") + "\n\n")
    return "".join(out)


class Books:
    """A hub's books: a directory with ``hub.toml``, ``main.beancount`` and git."""

    def __init__(self, root: Path, config: HubConfig) -> None:
        self.root = root
        self.config = config

    @classmethod
    def open(cls, path: Path | str) -> Books:
        root = Path(path).expanduser()
        if not root.is_dir():
            raise BooksError(f"{root}: no such books directory")
        root = root.resolve()
        config = load_config(root)
        if not (root / MAIN_FILE).is_file():
            raise BooksError(f"{root / MAIN_FILE}: not found (not a coopledger books directory)")
        books = cls(root, config)
        if (root / JOURNAL_FILE).exists():
            # An earlier command died half-way through a write: undo it before reading.
            with books.locked():
                recover_journal(books)
        return books

    @property
    def main_file(self) -> Path:
        return self.root / MAIN_FILE

    def load(self, strict: bool = True) -> Ledger:
        """Load the books; with ``strict``, refuse books that ask to run foreign code."""
        ledger = load_ledger(self.main_file)
        if strict and ledger.unsafe:
            raise UnsafeBooksError(format_error(ledger.unsafe[0], self.root))
        return ledger

    def error_lines(self, ledger: Ledger) -> list[str]:
        return [format_error(e, self.root) for e in ledger.errors]

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the books' exclusive lock (a separate lock file, never a ledger file)."""
        lock_path = self.root / LOCK_FILE
        lock_path.parent.mkdir(exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    if time.monotonic() > deadline:
                        raise LockError(
                            f"{lock_path}: the books are locked by another coopledger command"
                        ) from None
                    time.sleep(0.05)
            yield
        finally:
            os.close(fd)  # closing releases the flock

    @contextlib.contextmanager
    def transaction(self, message: str) -> Iterator[Transaction]:
        """Stage changes, then write, check and commit them, or change nothing."""
        with self.locked():
            recover_journal(self)
            tx = Transaction(self, message)
            yield tx
            if tx.staged:
                tx.commit()


@dataclass
class Transaction:
    """Changes staged for one write of the books (see :meth:`Books.transaction`)."""

    books: Books
    message: str
    staged: dict[str, bytes] = field(default_factory=dict)
    private: set[str] = field(default_factory=set)  # written and journaled, never committed
    _ledger: Ledger | None = None

    @property
    def ledger(self) -> Ledger:
        """The books as they are now, loaded under the lock."""
        if self._ledger is None:
            self._ledger = self.books.load()
        return self._ledger

    @property
    def config(self) -> HubConfig:
        return self.books.config

    def _check_relpath(self, relpath: str) -> Path:
        path = (self.books.root / relpath).resolve()
        if self.books.root not in path.parents:
            raise BooksError(f"{relpath}: outside the books directory")
        if relpath.split("/")[0] in (STATE_DIR, ".git"):
            raise BooksError(f"{relpath}: reserved path")
        return path

    def read_file(self, relpath: str) -> bytes | None:
        if relpath in self.staged:
            return self.staged[relpath]
        path = self._check_relpath(relpath)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    def write_file(self, relpath: str, payload: bytes) -> None:
        self._check_relpath(relpath)
        self.staged[relpath] = payload

    def write_private(self, relpath: str, payload: bytes) -> None:
        """A file of the books' folder that git must never hold (the roster's data keys:
        crypto-shredding needs them destroyable), written with the others (mode 0600)."""
        self.write_file(relpath, payload)
        self.private.add(relpath)

    def append_text(self, relpath: str, text: str) -> None:
        current = self.read_file(relpath)
        if current is None:
            current = b""
            if relpath.endswith(".beancount"):
                header = f"; {relpath} — written by coopledger through its write path.\n\n"
                current = header.encode()
        elif current and not current.endswith(b"\n"):
            current += b"\n"
        self.staged[relpath] = current + text.encode("utf-8")

    def ensure_included(self, relpath: str) -> None:
        main = self.read_file(MAIN_FILE) or b""
        line = f'include "{relpath}"'
        if line.encode() not in main.splitlines():
            if main and not main.endswith(b"\n"):
                main += b"\n"
            self.staged[MAIN_FILE] = main + line.encode() + b"\n"

    def add_entries(self, entries: Iterable[data.Directive], kind: str) -> list[str]:
        """Append entries to the file of their year and kind; returns the files touched."""
        by_file: dict[str, list[data.Directive]] = {}
        for entry in entries:
            relpath = entries_file(kind, entry.date)
            by_file.setdefault(relpath, []).append(entry)
        for relpath, group in by_file.items():
            group.sort(key=data.entry_sortkey)
            self.append_text(relpath, render_entries(group))
            self.ensure_included(relpath)
        return sorted(by_file)

    # -- commit ---------------------------------------------------------------------

    def commit(self) -> None:
        books = self.books
        root = books.root
        baseline = self.ledger  # loaded before anything is written
        previous: dict[str, bytes | None] = {}
        for relpath in self.staged:
            path = root / relpath
            previous[relpath] = path.read_bytes() if path.exists() else None
        changed = {p: b for p, b in self.staged.items() if previous[p] != b}
        if not changed:
            return
        write_journal(books, previous, git_head(root))
        written: list[str] = []
        try:
            for relpath, payload in changed.items():
                atomic_write(root / relpath, payload, 0o600 if relpath in self.private else None)
                written.append(relpath)
                _inject_fault("after-first-file")
            _inject_fault("after-files")
            after = books.load(strict=False)
            new_errors = _new_errors(books, baseline, after)
            if after.unsafe or len(after.errors) > len(baseline.errors):
                detail = "; ".join(new_errors[:3]) or "the books no longer load"
                more = f" (and {len(new_errors) - 3} more)" if len(new_errors) > 3 else ""
                raise WriteRejectedError(
                    f"change refused, the books are unchanged: {detail}{more}"
                )
            tracked = [p for p in changed if p not in self.private]
            if tracked:
                git(root, "add", "--", *tracked)
            _inject_fault("after-git-add")
            if tracked:
                git(root, "commit", "-q", "--no-verify", "-m", self.message, "--", *tracked)
        except BaseException:
            restore(books, {p: previous[p] for p in written}, unstage=list(changed))
            clear_journal(books)
            raise
        clear_journal(books)


def _new_errors(books: Books, before: Ledger, after: Ledger) -> list[str]:
    seen = {_error_key(books, e) for e in before.errors}
    return [format_error(e, books.root) for e in after.errors if _error_key(books, e) not in seen]


def _error_key(books: Books, error: object) -> str:
    message = str(getattr(error, "message", error)).splitlines()[0]
    source = getattr(error, "source", None) or {}
    return f"{source.get('filename')}|{message}"


# ---------------------------------------------------------------- journal and recovery


def write_journal(books: Books, previous: dict[str, bytes | None], head: str | None) -> None:
    record = {
        "head": head,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "files": {
            p: None if b is None else base64.b64encode(b).decode("ascii")
            for p, b in previous.items()
        },
    }
    path = books.root / JOURNAL_FILE
    atomic_write(path, json.dumps(record).encode(), mode=0o600)


def clear_journal(books: Books) -> None:
    with contextlib.suppress(FileNotFoundError):
        (books.root / JOURNAL_FILE).unlink()
        fsync_dir(books.root / STATE_DIR)


def restore(books: Books, previous: dict[str, bytes | None], unstage: list[str]) -> None:
    """Put back the exact previous bytes of each file (or remove a file that was new)."""
    root = books.root
    for relpath, payload in previous.items():
        path = root / relpath
        if payload is None:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            _remove_empty_parents(root, path.parent)
        else:
            atomic_write(path, payload)
    if unstage and git_head(root):
        git(root, "reset", "-q", "--", *unstage, check=False)


def _remove_empty_parents(root: Path, folder: Path) -> None:
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def recover_journal(books: Books) -> bool:
    """Undo a transaction that crashed half-way; True if something was undone."""
    path = books.root / JOURNAL_FILE
    if not path.exists():
        return False
    record = json.loads(path.read_text())
    # A git process killed with us leaves its index lock; we hold the books' lock, so no
    # coopledger git command is running.
    with contextlib.suppress(FileNotFoundError):
        (books.root / ".git" / "index.lock").unlink()
    files = {p: None if b is None else base64.b64decode(b) for p, b in record["files"].items()}
    if git_head(books.root) != record["head"]:
        # The commit went through: the change is complete, only the journal was left.
        _remove_temp_files(books, files)
        clear_journal(books)
        return False
    restore(books, files, unstage=list(files))
    _remove_temp_files(books, files)
    clear_journal(books)
    return True


def _remove_temp_files(books: Books, relpaths: Iterable[str]) -> None:
    """Temp files of ``atomic_write`` left by a process killed before its rename."""
    for relpath in relpaths:
        path = books.root / relpath
        if path.parent.is_dir():
            for tmp in path.parent.glob(f".{path.name}.*.tmp"):
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
            _remove_empty_parents(books.root, path.parent)
