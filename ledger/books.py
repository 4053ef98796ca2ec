"""The books directory and the one write path.

Every change to the books goes through :meth:`Books.transaction`:

1. take an exclusive lock on a separate lock file (``fcntl.flock``, cross-process);
2. undo what a crashed earlier transaction left half-written (the journal);
3. load the books under the lock, so the caller computes from the current state;
4. the caller stages new bytes for some files;
5. a journal of the previous bytes is written, then each staged file is written
   atomically (temp file in the same folder, fsync, rename, fsync of the folder);
6. the books are reloaded with the plugins; if the error count rose, or any seal, tag or
   include check failed that passed before, every file gets its exact previous bytes back
   and :class:`WriteRejectedError` names the new errors;
7. otherwise the changed files are committed to git with the caller's message (and, when
   the caller asked for one, an annotated tag is written on that commit under the lock).

A command refuses to start while the books hold changes it did not make (``git status``),
and refuses to commit when a file it read changed on disk meanwhile (its sha256):
:class:`ConflictError` names the files; ``--adopt-changes`` commits a checked hand edit
under its own message. Every ``OSError`` of a write becomes one :class:`BooksWriteError`
line saying whether the books are unchanged.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from beancount.core import data
from beancount.parser import printer

from ledger.config import HUB_FILE, HubConfig, edit_config, load_config, render_config
from ledger.errors import (
    BooksError,
    BooksWriteError,
    ConfigError,
    ConflictError,
    InputError,
    LockError,
    UnsafeBooksError,
    WriteRejectedError,
)
from ledger.i18n import N_, _, joined, shown, system_error
from ledger.integrity.anchors import PENDING_TAG_FILE, anchor_errors, books_files
from ledger.loader import (
    Ledger,
    appendable,
    carried_until,
    check_ledger,
    extend_ledger,
    format_error,
    load_ledger,
)

MAIN_FILE = "main.beancount"
STATE_DIR = ".coopledger"
LOCK_FILE = f"{STATE_DIR}/lock"
JOURNAL_FILE = f"{STATE_DIR}/journal.json"
LOCK_TIMEOUT_SECONDS = float(os.environ.get("COOPLEDGER_LOCK_TIMEOUT", "120"))
TOP_LEVEL_KINDS = {"participants": "participants.beancount", "accounts": "accounts.beancount"}
GIT_FALLBACK_IDENTITY = ("coopledger", "books")
# Errors that mean the history can no longer be trusted: a write may never add one, even
# to books that already have other errors.
INTEGRITY_ERRORS = frozenset({"SealError", "AnchorError", "SealedFileError", "MissingPluginError"})
ADOPT_MESSAGE = "books: adopt a hand edit (checked by coopledger)"


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
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = str(path)  # a failed write() names no file: say which one
        raise


def _inject_fault(point: str) -> None:
    """Test hook: ``COOPLEDGER_FAULT_INJECT=<point>`` kills the process at that point;
    ``enospc:<point>`` makes the disk full there instead."""
    fault = os.environ.get("COOPLEDGER_FAULT_INJECT")
    if fault == point:
        os._exit(86)
    if fault == f"enospc:{point}":
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def os_error_message(exc: OSError, root: Path | None = None) -> str:
    """One line for an ``OSError``: which file, what the system said, its errno name."""
    name = errno.errorcode.get(exc.errno or 0, "")
    what = system_error(exc)
    where = exc.filename
    if where is not None and root is not None:
        with contextlib.suppress(ValueError):
            where = Path(str(where)).resolve().relative_to(root).as_posix()
    head = f"{where}: " if where is not None else ""
    return _("{where}{what}{errno}", where=head, what=what, errno=f" ({name})" if name else "")


def sha256_file(path: Path) -> str | None:
    """sha256 of a file's bytes, or None when it does not exist."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


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
        raise BooksError(
            _(
                "git {args} failed in {root}: {first}",
                args=args[0],
                root=root,
                first=first[0] if first else "error",
            )
        )
    return proc


def git_head(root: Path) -> str | None:
    proc = git(root, "rev-parse", "--verify", "-q", "HEAD", check=False)
    return proc.stdout.strip() or None


STATUS_WORDS = {
    "M": N_("modified"), "D": N_("deleted"), "A": N_("added"), "R": N_("renamed"), "?": N_("new"),
}  # fmt: skip


def worktree_changes(root: Path, refresh: bool = False) -> list[tuple[str, str]]:
    """``(what, path)`` of every change git sees in the books (the lock folder excluded).

    A read never rewrites git's index: another command may be writing it. With
    ``refresh`` (only while holding the books' lock), git keeps in its index what it had
    to re-read of the work tree — its stat cache, no file of the books changes — so books
    just copied or restored are hashed once, not by every git command that follows."""
    status = (
        "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", ".",
        f":(exclude){STATE_DIR}",
    )  # fmt: skip
    proc = git(root, *status, check=False) if refresh else None
    if proc is None or proc.returncode != 0:  # git could not keep its index (disk full…)
        proc = git(root, "--no-optional-locks", *status, check=False)
    if proc.returncode != 0:
        said = (proc.stderr.strip().splitlines() or ["error"])[0]
        raise BooksError(
            _(
                "{root}: git cannot read the books' history (git status: {said})",
                root=root,
                said=said,
            )
        )
    items = proc.stdout.split("\0")
    out: list[tuple[str, str]] = []
    index = 0
    while index < len(items):
        item = items[index]
        index += 1
        if len(item) < 4:
            continue
        code, path = item[:2], item[3:]
        if "R" in code or "C" in code:
            index += 1  # the original path follows
        letter = next((c for c in code if c != " "), "?")
        # the word is a message: shown in the user's language (git's letter is not)
        out.append((_(STATUS_WORDS.get(letter, N_("changed"))), path))
    return out


def describe_changes(changes: list[tuple[str, str]], limit: int = 5) -> str:
    """``main.beancount (modified), … and 2 more``: a message, each word in the user's
    language."""
    items = [_("{path} ({what})", path=path, what=what) for what, path in changes[:limit]]
    listed: str = items[0] if items else ""
    for item in items[1:]:
        listed = _("{first}, {then}", first=listed, then=item)
    if len(changes) > limit:
        return _("{listed} and {count} more", listed=listed, count=len(changes) - limit)
    return listed


def tag_signing(root: Path) -> bool:
    """True when the books sign their tags (``init --signing-key``)."""
    proc = git(root, "config", "--bool", "tag.gpgSign", check=False)
    return proc.stdout.strip() == "true"


def create_tag(root: Path, name: str, message: str, commit: str) -> None:
    """An annotated tag (signed when the books sign) on ``commit``."""
    if os.environ.get("COOPLEDGER_FAULT_INJECT") == "tag-fails":
        raise BooksError(_("git tag failed in {root}: injected failure", root=root))
    git(root, "tag", "-s" if tag_signing(root) else "-a", name, "-m", message, commit)


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
        # The last load made under the lock (or checked by a write), with the commit it is
        # the load of: reused while HEAD has not moved and git sees no other change.
        self._loaded: tuple[str, Ledger] | None = None

    @classmethod
    def open(cls, path: Path | str) -> Books:
        root = Path(path).expanduser()
        if not root.is_dir():
            raise BooksError(_("{root}: no such books directory", root=root))
        root = root.resolve()
        config = load_config(root)
        if not (root / MAIN_FILE).is_file():
            raise BooksError(
                _("{root}: not found (not a coopledger books directory)", root=root / MAIN_FILE)
            )
        books = cls(root, config)
        if (root / JOURNAL_FILE).exists() or (root / PENDING_TAG_FILE).exists():
            # An earlier command died half-way through a write: undo or finish it first.
            with books.locked():
                recover_journal(books)
                recover_pending_tag(books)
        return books

    @property
    def main_file(self) -> Path:
        return self.root / MAIN_FILE

    def load(self, strict: bool = True, full_history: bool = False) -> Ledger:
        """Load the books; with ``strict``, refuse books that ask to run foreign code.

        The errors include the anchors (:mod:`ledger.integrity.anchors`): seals against their
        ``close-YYYY`` tags and every books file included. A load this process made under the
        lock, or checked after its own write, is reused while the books are that commit
        with nothing changed (``git status``): one load serves a whole run of commands."""
        if full_history:  # every year, the closed ones too (ledger.integrity.carried)
            return self._anchored(load_ledger(self.main_file, full_history=True), strict)
        ledger = self._reuse(check_worktree=True) or load_ledger(self.main_file)
        return self._anchored(ledger, strict)

    def _anchored(self, ledger: Ledger, strict: bool) -> Ledger:
        if strict and ledger.unsafe:
            raise UnsafeBooksError(format_error(ledger.unsafe[0], self.root))
        anchors = anchor_errors(self.root, ledger.entries, ledger.options)
        return dataclasses.replace(ledger, errors=[*ledger.errors, *anchors])

    def _reuse(self, check_worktree: bool) -> Ledger | None:
        """The load kept from this process's last write, if the books are still exactly it."""
        if self._loaded is None:
            return None
        head, ledger = self._loaded
        if git_head(self.root) != head or (check_worktree and worktree_changes(self.root)):
            self._loaded = None
            return None
        return ledger

    def _keep(self, ledger: Ledger) -> None:
        head = git_head(self.root)
        self._loaded = (head, ledger) if head else None

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
                            _(
                                "{lock_path}: the books are locked by another coopledger command",
                                lock_path=lock_path,
                            )
                        ) from None
                    time.sleep(0.05)
            yield
        finally:
            os.close(fd)  # closing releases the flock

    @contextlib.contextmanager
    def locked_if_free(self) -> Iterator[bool]:
        """Hold the books' lock if no other command holds it (``True``), else go on
        without it (``False``, also when the lock file cannot be made: read-only books)."""
        lock_path = self.root / LOCK_FILE
        try:
            lock_path.parent.mkdir(exist_ok=True)
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            yield False
            return
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                yield False
                return
            yield True
        finally:
            os.close(fd)  # closing releases the flock

    @contextlib.contextmanager
    def transaction(self, message: str) -> Iterator[Transaction]:
        """Stage changes, then write, check and commit them, or change nothing."""
        with self.locked():
            recover_journal(self)
            recover_pending_tag(self)
            refuse_foreign_changes(self)
            tx = Transaction(self, message)
            yield tx
            if tx.staged:
                tx.commit()

    def adopt_changes(
        self,
        check: Callable[[dict[str, bytes]], None] | None = None,
        check_loaded: Callable[[Ledger], list[str]] | None = None,
    ) -> list[tuple[str, str]]:
        """Commit a hand edit under its own message, once the books check; returns it.

        ``check`` sees the text of every new or changed file first (the roster guard of
        the surfaces, with the key at hand); ``check_loaded`` the books as loaded with the
        edit (the issued documents against their entries), each line it returns refusing
        the edit. An issued document (``documents/``: invoices,
        credit notes, receipts, with their records) is never edited, replaced or removed
        by hand: its bytes are what was sent and what the books' digests say."""
        with self.locked():
            recover_journal(self)
            recover_pending_tag(self)
            changes = worktree_changes(self.root, refresh=True)
            if not changes:
                return []
            edited = [
                path for what, path in changes
                if path.startswith("documents/") and what != STATUS_WORDS["?"]
            ]  # fmt: skip
            if edited:
                shown = describe_changes([(w, p) for w, p in changes if p in edited])
                raise InputError(
                    _(
                        "cannot adopt the hand edit of {shown}: "
                        "an issued document is never edited by hand (issue a credit note, or "
                        "undo it with git checkout)",
                        shown=shown,
                    )
                )
            if check is not None:
                check({
                    path: (self.root / path).read_bytes()
                    for what, path in changes
                    if (self.root / path).is_file()
                })  # fmt: skip
            ledger = self.load()
            problems = [format_error(e, self.root) for e in ledger.errors]
            if not problems and check_loaded is not None:
                problems = check_loaded(ledger)
            if problems:
                raise InputError(
                    _(
                        "cannot adopt the hand edit of {changes}: the books "
                        "then have {count} error(s), first {first}; fix or undo it",
                        changes=describe_changes(changes),
                        count=len(problems),
                        first=problems[0],
                    )
                )
            paths = [path for _, path in changes]
            body = "\n".join(f"  {what}: {path}" for what, path in changes)
            try:
                git(self.root, "add", "-A", "--", *paths)
                git(
                    self.root,
                    "commit",
                    "-q",
                    "--no-verify",
                    "-m",
                    f"{ADOPT_MESSAGE}\n\nFiles:\n{body}\n\nChecked: {len(ledger.entries)} "
                    "entries, no errors.",
                    "--",
                    *paths,
                )
            except BooksError:
                git(self.root, "reset", "-q", "--", *paths, check=False)
                raise
            return changes


def refuse_foreign_changes(books: Books) -> None:
    """A command never sweeps changes it did not make into its own commit (under the
    lock: git may refresh its index, see :func:`worktree_changes`)."""
    changes = worktree_changes(books.root, refresh=True)
    if changes:
        raise ConflictError(
            _(
                "the books have changes no coopledger command made: {changes}; "
                "review them and commit them with --adopt-changes, or undo them "
                "(git checkout / git clean); nothing was changed",
                changes=describe_changes(changes),
            )
        )


@dataclass
class Transaction:
    """Changes staged for one write of the books (see :meth:`Books.transaction`)."""

    books: Books
    message: str
    staged: dict[str, bytes] = field(default_factory=dict)
    private: set[str] = field(default_factory=set)  # written and journaled, never committed
    _ledger: Ledger | None = None
    _checked: Ledger | None = None
    read_digests: dict[str, str | None] = field(default_factory=dict)
    pending_tag: tuple[str, str] | None = None
    after_commit: list[Callable[[], None]] = field(default_factory=list)

    @property
    def ledger(self) -> Ledger:
        """The books as they are now, loaded under the lock.

        The load runs beancount's own transformations but not coopledger's plugins (they
        only check and change no entry, :data:`ledger.loader.UNCHECKED_OPTION`): the
        entries are those of a full load, the errors only those of parsing, booking and
        beancount's checks. The plugins run once, over the books as written (:meth:`commit`);
        :attr:`checked_ledger` has every error of the books as loaded."""
        if self._ledger is None:
            root = self.books.root
            kept = self.books._reuse(check_worktree=False)  # status was checked at start
            if kept is not None:
                self._ledger = self.books._anchored(kept, strict=True)
                for path in kept.options.get("include", []):
                    self.read_digests.setdefault(self._rel(path), sha256_file(Path(path)))
                return _refuse_changed_sealed_years(self.books, self._ledger)
            before = {p: sha256_file(p) for p in books_files(root)}
            raw = load_ledger(self.books.main_file, checked=False)
            ledger = self.books._anchored(raw, strict=True)
            files = set(before) | {Path(p) for p in ledger.options.get("include", [])}
            after = {p: sha256_file(p) for p in files}
            moved = sorted(p for p in files if before.get(p, after[p]) != after[p])
            if moved:
                names = ", ".join(self._rel(p) for p in moved)
                raise ConflictError(
                    _("{names} changed while coopledger read the books; run again", names=names)
                )
            for path, digest in after.items():
                self.read_digests.setdefault(self._rel(path), digest)
            self._ledger = ledger  # not kept for Books.load: it is not checked
        return _refuse_changed_sealed_years(self.books, self._ledger)

    @property
    def checked_ledger(self) -> Ledger:
        """:attr:`ledger` with coopledger's plugins run over it: every error of the books as
        loaded under the lock (computed once, when asked; before anything is written)."""
        if self._checked is None:
            ledger = self.ledger
            if ledger.checked:
                self._checked = ledger
            else:
                raw = check_ledger(ledger)
                self._checked = self.books._anchored(raw, strict=True)
                self.books._keep(raw)  # nothing is written yet: the load of HEAD
        return self._checked

    def _rel(self, path: Path) -> str:
        try:
            return Path(path).resolve().relative_to(self.books.root).as_posix()
        except ValueError:
            return str(path)

    def tag(self, name: str, message: str) -> None:
        """Write annotated tag ``name`` on this transaction's commit, as part of it: if the
        process dies between commit and tag, the next command finishes or undoes both."""
        self.pending_tag = (name, message)

    @property
    def config(self) -> HubConfig:
        return self.books.config

    def _check_relpath(self, relpath: str) -> Path:
        path = (self.books.root / relpath).resolve()
        if self.books.root not in path.parents:
            raise BooksError(_("{relpath}: outside the books directory", relpath=relpath))
        if relpath.split("/")[0] in (STATE_DIR, ".git"):
            raise BooksError(_("{relpath}: reserved path", relpath=relpath))
        return path

    def read_file(self, relpath: str) -> bytes | None:
        if relpath in self.staged:
            return self.staged[relpath]
        path = self._check_relpath(relpath)
        try:
            payload = path.read_bytes()
        except FileNotFoundError:
            self.read_digests.setdefault(relpath, None)
            return None
        self.read_digests.setdefault(relpath, hashlib.sha256(payload).hexdigest())
        return payload

    def write_file(self, relpath: str, payload: bytes) -> None:
        self._check_relpath(relpath)
        self.staged[relpath] = payload

    def write_config(self, config: HubConfig) -> str:
        """``hub.toml`` changed to say ``config``, edited in place (tomlkit): the treasurer's
        comments and the layout of everything that did not change survive."""
        current = self.read_file(HUB_FILE)
        text = edit_config(current.decode("utf-8"), config) if current else render_config(config)
        self.write_file(HUB_FILE, text.encode("utf-8"))
        return text

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
        """Append entries to the file of their year and kind; returns the files touched.
        An entry dated in a closed year (the live books carry it) is refused here, in one
        line, before its year's file would be included again."""
        by_file: dict[str, list[data.Directive]] = {}
        until = carried_until(self.books.main_file)
        for entry in entries:
            if until is not None and entry.date <= until:
                raise InputError(
                    _(
                        "{date} is in {year}, a closed year: nothing more can be booked in "
                        "it; date it after {until}",
                        date=entry.date.isoformat(),
                        year=str(entry.date.year),
                        until=until.isoformat(),
                    )
                )
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
        self._refuse_changed_on_disk()
        previous: dict[str, bytes | None] = {}
        for relpath in self.staged:
            path = root / relpath
            previous[relpath] = path.read_bytes() if path.exists() else None
        changed = {p: b for p, b in self.staged.items() if previous[p] != b}
        if not changed:
            return
        base = git_head(root)
        try:
            write_journal(books, previous, base)
            if self.pending_tag:
                write_pending_tag(books, self.pending_tag, self.message, base)
        except OSError as exc:
            clear_pending_tag(books)
            raise BooksWriteError(
                _(
                    "{problem}; nothing was changed",
                    problem=os_error_message(exc, root),
                )
            ) from None
        written: list[str] = []
        try:
            for relpath, payload in changed.items():
                atomic_write(root / relpath, payload, 0o600 if relpath in self.private else None)
                written.append(relpath)
                _inject_fault("after-first-file")
            _inject_fault("after-files")
            raw = self._reload(baseline, previous, changed)
            after = books._anchored(raw, strict=False)
            # Books as written with no error and nothing unsafe are accepted whatever the
            # books had before (no count rose, no check broke): the books as loaded are
            # checked only when this one has errors, to tell the new ones.
            before = after if not (after.unsafe or after.errors) else self._baseline(previous)
            new_errors = _new_errors(books, before, after)
            broken = _integrity_keys(books, after) - _integrity_keys(books, before)
            if after.unsafe or len(after.errors) > len(before.errors) or broken:
                detail = joined(new_errors[:3], "; ") or _("the books no longer load")
                more = (
                    _(" (and {count} more)", count=len(new_errors) - 3)
                    if len(new_errors) > 3
                    else ""
                )
                raise WriteRejectedError(
                    _(
                        "change refused, the books are unchanged: {detail}{more}",
                        detail=detail,
                        more=more,
                    )
                )
            # nor on books whose sealed years no longer match (the error was there before)
            _refuse_changed_sealed_years(books, after, SEALED_ERRORS)
            tracked = [p for p in changed if p not in self.private]
            if tracked:
                git(root, "add", "--", *tracked)
            _inject_fault("after-git-add")
            if tracked:
                git(root, "commit", "-q", "--no-verify", "-m", self.message, "--", *tracked)
        except BaseException as exc:
            try:
                restore(books, {p: previous[p] for p in written}, unstage=list(changed))
                clear_journal(books)
                clear_pending_tag(books)
            except OSError as again:
                raise BooksWriteError(
                    _(
                        "{problem}; the books could not be put back yet: "
                        "the next coopledger command will (its journal is kept)",
                        problem=os_error_message(again, root),
                    )
                ) from None
            if isinstance(exc, OSError):
                raise BooksWriteError(
                    _(
                        "{problem}; nothing was changed",
                        problem=os_error_message(exc, root),
                    )
                ) from None
            raise
        clear_journal(books)
        if self.pending_tag:
            finish_pending_tag(books, self.pending_tag, base)
        if tracked:
            books._keep(raw)  # the load of the commit just made: the next command's
        for callback in self.after_commit:
            callback()

    def _baseline(self, previous: dict[str, bytes | None]) -> Ledger:
        """Every error of the books as loaded under the lock, once the new bytes are on
        disk: the plugins and the anchors read files (the chain files, the documents, the
        tags), so they are checked with the previous bytes put back, then the new bytes
        are written again (the journal still holds the previous ones)."""
        if self._checked is not None or self.ledger.checked:
            return self.checked_ledger
        root = self.books.root
        restore(self.books, previous, unstage=[])
        try:
            return self.checked_ledger
        finally:
            for relpath, payload in self.staged.items():
                if previous.get(relpath) != payload:
                    mode = 0o600 if relpath in self.private else None
                    atomic_write(root / relpath, payload, mode)

    def _reload(
        self, baseline: Ledger, previous: dict[str, bytes | None], changed: dict[str, bytes]
    ) -> Ledger:
        """The books as written: the load made under the lock extended by what was appended
        (:func:`ledger.loader.extend_ledger`: only the new text is parsed and booked, the
        plugins and the validation run over everything), or a full reload when a change is
        more than entries appended to the books' files and include lines added to main."""
        main = os.path.realpath(self.books.main_file)
        top = os.path.dirname(main)  # file names as beancount writes them (see load_ledger)
        included = set(baseline.options.get("include", []))
        appended: dict[str, tuple[bytes, int]] = {}
        new_files: list[str] = []
        main_added: list[bytes] | None = []
        full = not baseline.booked
        for relpath, payload in changed.items():
            if not relpath.endswith(".beancount"):
                continue
            path = os.path.normpath(os.path.join(top, relpath))
            old = previous[relpath]
            if old is None:
                new_files.append(path)  # included by a line added to main, below
            elif path == main:
                main_added = _inserted_includes(old, payload)
            elif path in included and appendable(old, payload):
                appended[path] = (payload[len(old) :], old.count(b"\n") + 1)
            else:
                full = True
        if main_added is None:
            full = True  # main changed otherwise than by include lines
        named = {
            os.path.normpath(os.path.join(top, _include_name(line))) for line in main_added or []
        }
        if named != set(new_files):  # an include of a file that was there already: reload
            full = True
        order = None if full else _parse_order(changed.get(MAIN_FILE), baseline, main)
        if order is not None:
            new_files.sort(key=lambda p: order[p])
            extended = extend_ledger(baseline, appended, new_files, order)
            if extended is not None:
                return extended
        return load_ledger(self.books.main_file)

    def _refuse_changed_on_disk(self) -> None:
        """What this command read must still be what is on disk (someone may have edited a
        file without the lock, e.g. in a text editor), and nothing else may have changed."""
        root = self.books.root
        moved = [
            rel for rel, digest in self.read_digests.items() if sha256_file(root / rel) != digest
        ]
        if moved:
            raise ConflictError(
                _(
                    "{moved} changed on disk while coopledger was working "
                    "(another program edited the books); nothing was "
                    "written, run the command again",
                    moved=", ".join(sorted(moved)),
                )
            )
        refuse_foreign_changes(self.books)


# What says a sealed year is no longer what its close sealed: a closed year's file changed
# (the anchors' diff, in the live books' load), a seal, chain, carried or recalled entry
# that does not match (the sealing plugin, over the books as written), or the anchors: a
# seal or the carried balances against their tag, a books file left out of the load.
SEALED_ERRORS = frozenset({"SealedFileError", "SealError", "AnchorError"})


def _refuse_changed_sealed_years(
    books: Books, ledger: Ledger, kinds: frozenset[str] = frozenset({"SealedFileError"})
) -> Ledger:
    """No write while a sealed year is not what its close sealed (a committed hand edit):
    the books as loaded say so already (the anchors' one ``git diff`` under the lock, the
    sealing plugin over the books as written), so it costs the write nothing."""
    changed = [e for e in ledger.errors if type(e).__name__ in kinds]
    if changed:
        more = _(" (and {count} more)", count=len(changed) - 1) if len(changed) > 1 else ""
        raise WriteRejectedError(
            _(
                "change refused, the books are unchanged: {detail}{more}",
                detail=format_error(changed[0], books.root),
                more=more,
            )
        )
    return ledger


INCLUDE_LINE = re.compile(rb'^include "([^"\n*?\[]+)"[ \t]*$')


def _include_name(line: bytes) -> str:
    match = INCLUDE_LINE.match(line.strip())
    return match.group(1).decode("utf-8", "replace") if match else ""


def _inserted_includes(before: bytes, after: bytes) -> list[bytes] | None:
    """The include lines (of plain file names) ``after`` adds to ``before``, anywhere, when
    that is its only change (blank lines aside); ``None`` when anything else changed."""
    old = [line for line in before.splitlines() if line.strip()]
    added: list[bytes] = []
    at = 0
    for line in after.splitlines():
        if not line.strip():
            continue
        if at < len(old) and line == old[at]:
            at += 1
        elif INCLUDE_LINE.match(line.strip()):
            added.append(line)
        else:
            return None
    return added if at == len(old) else None


def _parse_order(main_text: bytes | None, baseline: Ledger, main: str) -> dict[str, int] | None:
    """The order a full load parses the books' files in: main, then its includes in the
    order main lists them. ``None`` when that is not all (an include of an include, a
    glob): the caller reloads in full."""
    text = main_text if main_text is not None else Path(main).read_bytes()
    order = {main: 0}
    for line in text.splitlines():
        name = _include_name(line)
        if name:
            order.setdefault(
                os.path.normpath(os.path.join(os.path.dirname(main), name)), len(order)
            )
        elif line.lstrip().startswith(b"include"):
            return None
    if not set(baseline.file_order) - {"", "<load>"} <= set(order):
        return None
    return order


def _new_errors(books: Books, before: Ledger, after: Ledger) -> list[str]:
    seen = {_error_key(books, e) for e in before.errors}
    return [format_error(e, books.root) for e in after.errors if _error_key(books, e) not in seen]


def _error_key(books: Books, error: object) -> str:
    message = str(getattr(error, "message", error)).splitlines()[0]
    source = getattr(error, "source", None) or {}
    return f"{source.get('filename')}|{message}"


def _integrity_keys(books: Books, ledger: Ledger) -> set[str]:
    return {_error_key(books, e) for e in ledger.errors if type(e).__name__ in INTEGRITY_ERRORS}


# ---------------------------------------------------------------- a commit and its tag


def write_pending_tag(
    books: Books, tag: tuple[str, str], commit_message: str, base: str | None
) -> None:
    record = {"tag": tag[0], "message": tag[1], "commit_message": commit_message, "base": base}
    atomic_write(books.root / PENDING_TAG_FILE, json.dumps(record).encode(), mode=0o600)


def clear_pending_tag(books: Books) -> None:
    with contextlib.suppress(FileNotFoundError):
        (books.root / PENDING_TAG_FILE).unlink()


def _tag_exists(root: Path, name: str) -> bool:
    return (
        git(root, "rev-parse", "-q", "--verify", f"refs/tags/{name}", check=False).returncode == 0
    )


def _undo_commit(root: Path, base: str | None, commit: str) -> None:
    """Take back the commit this command just made (under the lock, nothing else moved)."""
    if base and git_head(root) == commit:
        git(root, "reset", "-q", "--keep", base)


def finish_pending_tag(books: Books, tag: tuple[str, str], base: str | None) -> None:
    """Tag the commit just made; if the tag cannot be written, undo the commit."""
    root = books.root
    commit = git_head(root) or ""
    _inject_fault("after-commit-before-tag")
    try:
        create_tag(root, tag[0], tag[1], commit)
    except BooksError as exc:
        _undo_commit(root, base, commit)
        clear_pending_tag(books)
        raise BooksError(
            _("{message}; the commit was undone, the books are as before", message=exc.message)
        ) from None
    clear_pending_tag(books)


def recover_pending_tag(books: Books) -> None:
    """Finish a commit + tag interrupted between the two, or forget one never committed."""
    root = books.root
    path = root / PENDING_TAG_FILE
    if not path.exists():
        return
    try:
        record = json.loads(path.read_text())
        name, message = str(record["tag"]), str(record["message"])
        commit_message, base = str(record["commit_message"]), record.get("base")
    except (OSError, ValueError, KeyError, TypeError):
        clear_pending_tag(books)
        return
    head = git_head(root)
    if _tag_exists(root, name) or head is None or head == base:
        clear_pending_tag(books)  # done already, or the commit never happened
        return
    parent = git(root, "rev-parse", "-q", "--verify", f"{head}^", check=False).stdout.strip()
    made = git(root, "log", "-1", "--format=%B", head, check=False).stdout.strip()
    if parent != base or made != commit_message.strip():
        clear_pending_tag(books)
        return
    try:
        create_tag(root, name, message, head)
    except BooksError as exc:
        _undo_commit(root, base, head)
        clear_pending_tag(books)
        print(
            shown(
                _(
                    "coopledger: an interrupted '{command}' was undone ({message})",
                    command=commit_message.splitlines()[0],
                    message=exc.message,
                )
            ),
            file=sys.stderr,
        )
        return
    clear_pending_tag(books)
    print(
        shown(
            _(
                "coopledger: finished an interrupted '{command}': tag {name} written",
                command=commit_message.splitlines()[0],
                name=name,
            )
        ),
        file=sys.stderr,
    )


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
