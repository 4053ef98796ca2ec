"""``coopledger verify``: prove to an auditor that nothing sealed or issued has changed.

The verification does not trust the books' own claims. For each close it takes the
annotated tag ``close-YYYY`` as the anchor and rebuilds the year's chain from the books and
documents as they are now: records that give the head written in the tag are the sealed
records (a sha-256 chain). When they do not, it rebuilds the chain from the books *as they
were at the tagged commit* (git history, not the working tree), checks that this one gives
the head, and names each sealed record that differs now, with its file and line and the
fields that changed — so the history is loaded only for a close that changed, and an
untouched hub costs one load of its history, not one per closed year. Besides:

* the books load without errors (every plugin, seals against tags, every file included);
* the git history never removed or rewrote a seal after it was committed, and each tag
  points at the commit that wrote its seal, in the history of ``HEAD``;
* every issued document is byte-identical to the sha256 recorded when it was issued;
* the working tree has no uncommitted change, and no pickle cache sits in the books;
* when the books sign (``allowed_signers``), every commit since then and every close tag
  carries a good signature from an allowed key;
* tags match the hashes the auditor was given (``--expect close-2025=HASH``).

Each finding is one line; ``--json`` gives them as records.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from beancount.core import data

from invoicing.integrity import issued_problems, removed_from_history, rewritten_in_history
from ledger.books import Books, git, worktree_changes
from ledger.i18n import Message, _
from ledger.integrity import chain as chainlib
from ledger.integrity.anchors import CloseTag, close_tags, is_git_books, seals, tag_errors
from ledger.integrity.carried import CARRIED_FILE, recalls_not_in
from ledger.integrity.carried import balances as carried_balances
from ledger.integrity.carried import marker as carried_marker
from ledger.loader import Ledger, format_error, history_file, load_ledger, pickle_caches
from plugins.sealed import seal_digest

SIGNERS_FILE = "allowed_signers"
SEAL_LINE = re.compile(r'custom "year-closed" "(\d{4})" "([0-9a-f]{64})"')
CHECK_OF_ERROR = {
    "SealError": "chain",
    "AnchorError": "anchors",
    "SealedFileError": "anchors",
    "MissingPluginError": "plugins",
    "UnsafeDirectiveError": "code",
}


@dataclass
class Finding:
    """One line of the report."""

    check: str
    ok: bool
    message: str
    where: str | None = None
    record: str | None = None
    fields: list[str] = field(default_factory=list)
    warning: bool = False

    def line(self) -> str:
        status = "OK  " if self.ok else ("WARN" if self.warning else "FAIL")
        where = f"{self.where}: " if self.where else ""
        # a layout, not a text: the same in every language, its message shown translated
        return Message("{status} [{check}] {where}{message}",
                       {"status": status, "check": self.check, "where": where,
                        "message": self.message})  # fmt: skip


@dataclass
class Report:
    root: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok or f.warning for f in self.findings)

    def add(self, *findings: Finding) -> None:
        self.findings.extend(findings)

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "books": self.root,
            "problems": [asdict(f) for f in self.findings if not f.ok],
            "checks": [asdict(f) for f in self.findings],
        }


# ---------------------------------------------------------------- helpers


def _sha(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def _git_out(root: Path, *args: str) -> str:
    return git(root, *args, check=False).stdout


@contextmanager
def books_at(root: Path, commit: str) -> Iterator[Path]:
    """The books' files as committed in ``commit``, in a temporary folder."""
    with committed_trees(root) as trees:
        yield trees.at(commit)


class CommittedTrees:
    """The books' files as committed at one commit after another, in one temporary folder
    that git moves from each commit to the next: only the files that differ are written
    (the close of year N shares almost every file, its documents first, with the close of
    N-1), so verifying ten closes writes the books once, not ten times.

    Git writes the folder from its own index file (outside the books' ``.git``), with
    symbolic links written as plain files (nothing in the history can point a load outside
    the folder) and no hooks."""

    def __init__(self, root: Path, folder: Path) -> None:
        self.root = root
        self.tree = folder / "books"
        self.tree.mkdir()
        self._env = dict(os.environ, GIT_INDEX_FILE=str(folder / "index"))

    def at(self, commit: str) -> Path:
        """The folder, holding exactly the files of ``commit`` (empty if git cannot read
        the commit: the load then fails and says so)."""
        proc = subprocess.run(
            ["git", "-c", "core.symlinks=false", "-c", "core.hooksPath=/dev/null",
             "-c", "core.autocrlf=false", "--git-dir", str(self.root / ".git"),
             "--work-tree", str(self.tree), "read-tree", "-u", "--reset", commit],
            capture_output=True, env=self._env, check=False,
        )  # fmt: skip
        if proc.returncode != 0:
            shutil.rmtree(self.tree)
            self.tree.mkdir()
            Path(self._env["GIT_INDEX_FILE"]).unlink(missing_ok=True)
        # files git does not track (none are expected) would outlive the move: remove them
        clean = subprocess.run(
            ["git", "--git-dir", str(self.root / ".git"), "--work-tree", str(self.tree),
             "ls-files", "-z", "--others"],
            capture_output=True, env=self._env, check=False,
        )  # fmt: skip
        for rel in filter(None, clean.stdout.split(b"\0")):
            (self.tree / os.fsdecode(rel)).unlink(missing_ok=True)
        return self.tree


@contextmanager
def committed_trees(root: Path) -> Iterator[CommittedTrees]:
    with tempfile.TemporaryDirectory(prefix="coopledger-verify-") as tmp:
        yield CommittedTrees(root, Path(tmp))


def _stored(chain: chainlib.Chain) -> list[chainlib.StoredRecord]:
    return [
        chainlib.StoredRecord(
            link.pos,
            link.record.kind,
            link.record.date,
            link.record.ref,
            link.record.fields,
            link.record.sha256,
            link.chain,
            0,
        )
        for link in chain.links
    ]


def _documents(
    entries: list[data.Directive], root: Path, after: dt.date | None, until: dt.date
) -> list[chainlib.Record]:
    out = []
    for day, rel, _recorded in chainlib.document_files(entries, str(root), after, until):
        try:
            digest = _sha((root / rel).read_bytes())
        except OSError:
            digest = "missing"
        out.append(chainlib.document_record(day, rel, digest))
    return out


def _range(entries: list[data.Directive], year: int) -> tuple[str, dt.date | None, int]:
    """Previous head, previous last day, and the version of the seal of ``year``."""
    loaded = seals(entries)
    earlier = [y for y in loaded if y < year]
    seal = loaded.get(year)
    version = int(str(seal.meta.get("seal-version", "1"))) if seal else 0
    if not earlier:
        return chainlib.GENESIS, None, version
    last = max(earlier)
    return str(loaded[last].values[1].value), dt.date(last, 12, 31), version


def year_records(
    entries: list[data.Directive], root: Path, year: int, version: int
) -> tuple[list[chainlib.Record], str, dt.date | None]:
    """The records a close of ``year`` covers in these books (documents hashed from disk)."""
    previous, after, _unused = _range(entries, year)
    until = dt.date(year, 12, 31)
    if version == 1:
        after = None  # a version-1 seal covers every entry up to its year
    records = chainlib.entry_records(entries, str(root), after, until)
    if version >= 2:
        records += _documents(entries, root, after, until)
    return records, previous, after


# ---------------------------------------------------------------- the checks


def check_load(books: Books, ledger: Ledger) -> list[Finding]:
    out = []
    for error in ledger.errors:
        kind = CHECK_OF_ERROR.get(type(error).__name__, "books")
        where, _sep, message = format_error(error, books.root).partition(": ")
        out.append(Finding(kind, False, message, where=where))
    if not out:
        out.append(
            Finding(
                "books", True, _("{count} entries load without errors", count=len(ledger.entries))
            )
        )
    return out


def check_carried(books: Books, full: Ledger) -> list[Finding]:
    """The live books (``main.beancount``) against the full history: they load, and their
    balances on the day the last close carried them are the full history's, account by
    account (:mod:`ledger.integrity.carried`)."""
    if history_file(books.main_file) is None:
        return []
    # the plugins and the carried digest against its tag; the closed years' files are
    # compared record by record below (a reformatted file keeps its chain)
    live = load_ledger(books.main_file)
    live.errors = [*live.errors, *tag_errors(books.root, live.entries)]
    mark = carried_marker(live.entries)
    if mark is None:
        return [Finding("carried", False, _("main.beancount holds no carried balances"))]
    out = [
        Finding("carried", False, _("live books: {message}", message=message), where=where)
        for where, _sep, message in (
            format_error(e, books.root).partition(": ") for e in live.errors
        )
    ]
    day = mark.date
    now, then = carried_balances(live.entries, day), carried_balances(full.entries, day)
    differ = sorted(
        f"{account} {currency}"
        for account, currency in set(now) | set(then)
        if now.get((account, currency), 0) != then.get((account, currency), 0)
    )
    if differ:
        out.append(
            Finding(
                "carried",
                False,
                _(
                    "the balances carried on {day} differ from the full history on {count} "
                    "account(s): {accounts}",
                    day=day.isoformat(),
                    count=len(differ),
                    accounts=", ".join(differ[:5]),
                ),
                where=CARRIED_FILE,
            )
        )
    elif not out:
        out.append(
            Finding(
                "carried",
                True,
                _(
                    "the live books carry the full history's balances of {day} ({count} accounts)",
                    day=day.isoformat(),
                    count=len(now),
                ),
            )
        )
    count, strays = recalls_not_in(live.entries, full.entries, day, str(books.root))
    out += [
        Finding(
            "carried",
            False,
            _("recalled entry not in the full history as it is: book corrections in an open year"),
            where=format_error(e, books.root).partition(": ")[0],
        )
        for e in strays
    ]
    if count and not strays:
        out.append(
            Finding(
                "carried",
                True,
                _(
                    "the {count} entries recalled since the close are the full history's own",
                    count=count,
                ),
            )
        )
    return out


def check_close(
    books: Books, ledger: Ledger, tag: CloseTag, trees: CommittedTrees
) -> list[Finding]:
    """Rebuild the chain of ``tag``'s year from history, compare it with the books now."""
    root = books.root
    year = tag.year
    findings: list[Finding] = []
    if not tag.annotated or tag.head is None:
        return [
            Finding(
                "history",
                False,
                _("{name} is not an annotated coopledger close tag", name=tag.name),
            )
        ]
    ancestor = git(root, "merge-base", "--is-ancestor", tag.commit, "HEAD", check=False)
    if ancestor.returncode != 0:
        findings.append(
            Finding(
                "history", False, _("{name} points at a commit outside the history", name=tag.name)
            )
        )
    unchanged = _unchanged_now(books, ledger, tag)
    if unchanged is not None:
        return [*findings, unchanged]
    then_root = trees.at(tag.commit)
    # The entries only: the chain is rebuilt from them, and our plugins never change
    # entries (they check them); what the books hold now is checked in full above.
    then = load_ledger(then_root / "main.beancount", checked=False, full_history=True)
    _previous, _after, version = _range(then.entries, year)
    if version == 0:
        return [
            *findings,
            Finding(
                "history",
                False,
                _("the commit of {name} holds no seal of {year}", name=tag.name, year=year),
            ),
        ]
    sealed, previous, _unused = year_records(then.entries, then_root, year, version)
    if version == 1:
        head, _count = seal_digest(then.entries, year)
        sealed_chain = chainlib.build_chain(sealed, previous)
    else:
        sealed_chain = chainlib.build_chain(sealed, previous)
        head = sealed_chain.head
    if head != tag.head:
        findings.append(
            Finding(
                "history",
                False,
                _(
                    "the books at {name} ({commit}) do not give the head in the tag: "
                    "the tag or the history was rewritten",
                    name=tag.name,
                    commit=tag.commit[:12],
                ),
            )
        )
        return findings
    now, _prev, _unused = year_records(ledger.entries, root, year, version)
    changes = chainlib.compare(_stored(sealed_chain), now)
    for change in changes:
        findings.append(_change_finding(tag, change))
    if not changes:
        findings.append(_sealed_unchanged(tag, len(sealed_chain.links), version))
    return findings


def _sealed_unchanged(tag: CloseTag, count: int, version: int) -> Finding:
    return Finding(
        "chain",
        True,
        _(
            "{name}: {count} sealed records unchanged (seal version {version}, head {head}…)",
            name=tag.name,
            count=count,
            version=version,
            head=(tag.head or "")[:16],
        ),
    )


def _unchanged_now(books: Books, ledger: Ledger, tag: CloseTag) -> Finding | None:
    """The close's finding when the books as they are now give the head in the tag, else
    None. The head is a sha-256 chain over every record of the year (and the head of the
    year before): records that give it are the sealed records, so the books as they were
    at the tagged commit need not be loaded — they are read only to name what changed."""
    year = tag.year
    _previous, _after, version = _range(ledger.entries, year)
    if version == 0:
        return None
    records, previous, _unused = year_records(ledger.entries, books.root, year, version)
    chain = chainlib.build_chain(records, previous)
    head = seal_digest(ledger.entries, year)[0] if version == 1 else chain.head
    if head != tag.head:
        return None
    return _sealed_unchanged(tag, len(chain.links), version)


def _change_finding(tag: CloseTag, change: chainlib.Change) -> Finding:
    if change.what == "removed":
        assert change.sealed is not None
        return Finding(
            "chain",
            False,
            _("sealed record #{pos} of {name} was removed", pos=change.sealed.pos, name=tag.name),
            where=change.sealed.ref,
            record=f"{tag.name}#{change.sealed.pos}",
        )
    assert change.now is not None
    kind = _("document") if change.now.kind == "document" else _("entry")
    if change.what == "inserted":
        return Finding(
            "chain",
            False,
            _("an {kind} was inserted in closed year {year}", kind=kind, year=tag.year),
            where=change.now.ref,
            record=f"{tag.name}#new",
        )
    assert change.sealed is not None
    what = (
        _("bytes changed")
        if kind == "document"
        else _("field {fields}", fields=", ".join(change.fields))
    )
    return Finding(
        "chain",
        False,
        _(
            "sealed {kind} #{pos} of {name} changed ({what})",
            kind=kind,
            pos=change.sealed.pos,
            name=tag.name,
            what=what,
        ),
        where=change.now.ref,
        record=f"{tag.name}#{change.sealed.pos}",
        fields=list(change.fields),
    )


def check_seal_history(books: Books, tags: dict[int, CloseTag]) -> list[Finding]:
    """A seal, once committed, is never removed or rewritten; its tag is on its commit."""
    root = books.root
    log = _git_out(
        root, "log", "--reverse", "--format=%x01%H", "-p", "-U0", "-G", "year-closed", "HEAD"
    )
    added: dict[int, tuple[str, str]] = {}
    findings = []
    for block in log.split("\x01")[1:]:
        commit, _sep, diff = block.partition("\n")
        plus: dict[int, str] = {}
        minus: dict[int, str] = {}
        for line in diff.splitlines():
            match = SEAL_LINE.search(line)
            if not match or line.startswith(("+++", "---")):
                continue
            year, digest = int(match.group(1)), match.group(2)
            if line.startswith("+"):
                plus[year] = digest
            elif line.startswith("-"):
                minus[year] = digest
        for year, digest in minus.items():
            if year in added and plus.get(year) != digest:
                chained = _git_out(root, "log", "-1", "--format=%H", "--", f"{year}/chain.jsonl")
                downgrade = bool(chained.strip()) and not (root / f"{year}/chain.jsonl").exists()
                findings.append(
                    Finding(
                        "history",
                        False,
                        _(
                            "commit {commit} removed or rewrote the seal of {year}{downgrade}",
                            commit=commit[:12],
                            year=year,
                            downgrade=_(
                                ": a downgrade, the year was sealed with the version-2 hash "
                                "chain and its chain.jsonl is gone"
                            )
                            if downgrade
                            else "",
                        ),
                    )
                )
        for year, digest in plus.items():
            added.setdefault(year, (commit, digest))
    for year, (commit, _digest) in sorted(added.items()):
        tag = tags.get(year)
        if tag is None:
            findings.append(
                Finding(
                    "history",
                    False,
                    _(
                        "the seal of {year} was committed in {commit} but tag close-{year} "
                        "is gone",
                        year=year,
                        commit=commit[:12],
                    ),
                )
            )
        elif tag.commit != commit:
            findings.append(
                Finding(
                    "history",
                    False,
                    _(
                        "{name} points at {commit}, not at {sealed_by} which wrote "
                        "the seal (the tag was moved)",
                        name=tag.name,
                        commit=tag.commit[:12],
                        sealed_by=commit[:12],
                    ),
                )
            )
    return findings


def _file_sha(path: str) -> str | None:
    """The sha256 of a file's bytes (``None``: it cannot be read)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        digest = hashlib.sha256()
        while chunk := os.read(fd, HASH_CHUNK):
            digest.update(chunk)
        return digest.hexdigest()
    except OSError:  # a folder, an unreadable file
        return None
    finally:
        os.close(fd)


# Every recorded document is hashed in full on every check. The reads and hashlib release
# the GIL, so a thread per core overlaps them; each thread takes one share of the files
# (a task per file costs more than it saves: 2,156 files of ~20 KB on the 10-year hub).
HASH_CHUNK = 1 << 20
HASH_THREADS = max(1, min(4, os.cpu_count() or 1))


def hash_files(paths: list[str]) -> list[str | None]:
    """Each file's sha256 (``None``: unreadable), in the order given."""
    out: list[str | None] = [None] * len(paths)

    def share(first: int) -> None:
        for i in range(first, len(paths), HASH_THREADS):
            out[i] = _file_sha(paths[i])

    threads = [threading.Thread(target=share, args=(i,)) for i in range(1, HASH_THREADS)]
    for thread in threads:
        thread.start()
    share(0)  # this thread hashes a share too
    for thread in threads:
        thread.join()
    return out


def check_documents(books: Books, ledger: Ledger) -> list[Finding]:
    """Every issued document still has the bytes whose sha256 was recorded at issue, its
    entry still says what its record says, and every file of the issued documents' folders
    has the entry that issued it (:func:`issued_findings`)."""
    root = books.root
    findings = []
    # (entry, the file as recorded, where it is read, its sha256 at issue)
    recorded: list[tuple[data.Directive, str | None, str, str]] = []
    base = str(root)
    for entry in ledger.entries:
        meta = entry.meta or {}
        if isinstance(entry, data.Document) and meta.get("sha256"):
            # what root / relpath(filename, root) names, without pathlib on every file
            recorded.append((entry, None, os.path.abspath(entry.filename), str(meta["sha256"])))
        if meta.get(chainlib.RECORD_META) and meta.get("record-sha256"):
            rel = str(meta[chainlib.RECORD_META])
            recorded.append((entry, rel, os.path.join(base, rel), str(meta["record-sha256"])))
    checked = len(recorded)
    hashes = hash_files([path for _, _, path, _ in recorded])
    for (entry, record, path, sha), now in zip(recorded, hashes, strict=True):
        if now != sha:
            rel = record or os.path.relpath(path, root).replace(os.sep, "/")
            entry_at = chainlib.entry_ref(entry, str(root))
            what = _("is missing") if now is None else _("changed since it was issued")
            findings.append(
                Finding(
                    "documents",
                    False,
                    _(
                        "{rel} {what} (sha256 recorded at {entry_at})",
                        rel=rel,
                        what=what,
                        entry_at=entry_at,
                    ),
                    where=rel,
                    fields=["sha256"],
                )
            )
    findings += issued_findings(books, ledger)
    if not findings:
        findings.append(
            Finding(
                "documents", True, _("{checked} issued document files intact", checked=checked)
            )
        )
    return findings


def issued_findings(books: Books, ledger: Ledger) -> list[Finding]:
    """Each issued entry against the record it issued, each file of the issued documents'
    folders against the entries (:func:`invoicing.integrity.issued_problems`)."""
    return [
        Finding("documents", False, p.message, where=p.where, fields=list(p.fields))
        for p in issued_problems(books.config, ledger.entries, books.root)
    ]


def check_removed(books: Books, ledger: Ledger) -> list[Finding]:
    """What git history shows was issued and is gone: a document deleted (or deleted and
    written again), an issue entry whose number the books no longer have."""
    findings = []
    for gone in removed_from_history(books.root, ledger.entries):
        if "/" not in gone.what:
            message = _(
                "number {number} was issued and commit {commit} removed its entry: an "
                "issued number stays in the books",
                number=gone.what,
                commit=gone.commit[:12],
            )
        elif gone.again:
            message = _(
                "commit {commit} deleted this document and it was written again since: "
                "an issued document is never replaced",
                commit=gone.commit[:12],
            )
        else:
            message = _(
                "commit {commit} deleted this document: an issued document is never removed",
                commit=gone.commit[:12],
            )
        where = gone.what if "/" in gone.what else None
        findings.append(Finding("history", False, message, where=where))
    findings += [
        Finding(
            "history",
            False,
            _(
                "commit {commit} changed this document after it was written: an issued "
                "document is never edited (a credit note corrects it)",
                commit=changed.commit[:12],
            ),
            where=changed.what,
        )
        for changed in rewritten_in_history(books.root)
    ]
    return findings


def check_worktree(books: Books) -> list[Finding]:
    changes = worktree_changes(books.root)
    findings = [
        Finding("worktree", False, _("uncommitted change ({what})", what=what), where=path)
        for what, path in changes
    ]
    findings += [
        Finding(
            "cache",
            False,
            _("a beancount pickle cache sits in the books (bean-check would run it): delete it"),
            where=p.relative_to(books.root).as_posix(),
            warning=True,
        )
        for p in pickle_caches(books.root)
    ]
    if not changes:
        findings.append(Finding("worktree", True, _("no uncommitted change")))
    return findings


def signers_file(books: Books, explicit: Path | None) -> Path | None:
    if explicit is not None:
        return explicit
    path = books.root / SIGNERS_FILE
    return path if path.is_file() else None


def check_signatures(
    books: Books, tags: dict[int, CloseTag], explicit: Path | None
) -> list[Finding]:
    """Commits since ``allowed_signers`` appeared, and close tags, are signed by an allowed
    key: the auditor's ``allowed_signers`` when given; else, for each commit, the keys
    allowed *before* it (its parent's file: a commit that adds its own key to the file
    proves nothing), and every later change of the file is reported."""
    root = books.root
    changed = _git_out(root, "log", "--format=%H", "--", SIGNERS_FILE).split()[::-1]
    signers = signers_file(books, explicit)
    if signers is None:
        if changed:
            return [
                Finding(
                    "signatures",
                    False,
                    _("{signers_file} was removed from the books", signers_file=SIGNERS_FILE),
                )
            ]
        return []
    findings = []
    count = 0
    with tempfile.TemporaryDirectory(prefix="coopledger-signers-") as tmp:

        def file_at(commit: str) -> Path:
            if explicit is not None or not changed:
                return signers
            path = Path(tmp) / commit
            if not path.exists():
                path.write_text(_git_out(root, "show", f"{commit}:{SIGNERS_FILE}"))
            return path

        first = changed[0] if changed else None
        if first is None or explicit is not None:
            start = f"{first}^.." if first and _has_parent(root, first) else ""
            ranges = [(f"{start}HEAD", "HEAD")]
        else:
            # the file's first version governs the commit that wrote it; after that each
            # commit is checked against the file its parent had
            ranges = [(f"{first}^..{first}" if _has_parent(root, first) else first, first)]
            ranges += [(f"{a}..{b}", a) for a, b in itertools.pairwise([*changed, "HEAD"])]
        for revs, governing in ranges:
            config = ["-c", f"gpg.ssh.allowedSignersFile={file_at(governing).resolve()}"]
            for line in _git_out(root, *config, "log", "--format=%H %G?", revs).splitlines():
                commit, _sep, status = line.partition(" ")
                count += 1
                if status != "G":
                    findings.append(
                        Finding(
                            "signatures",
                            False,
                            _(
                                "commit {commit} is not signed by an allowed key",
                                commit=commit[:12],
                            ),
                        )
                    )
        if explicit is None:
            for commit in changed[1:]:
                findings.append(
                    Finding(
                        "signatures",
                        False,
                        _(
                            "{signers_file} changed in commit {commit}: the keys allowed to "
                            "sign are not those the books started with; verify with the "
                            "allowed_signers the hub gave you (--allowed-signers)",
                            signers_file=SIGNERS_FILE,
                            commit=commit[:12],
                        ),
                        where=SIGNERS_FILE,
                        warning=True,
                    )
                )
        for tag in tags.values():
            config = ["-c", f"gpg.ssh.allowedSignersFile={file_at(tag.commit).resolve()}"]
            proc = git(root, *config, "verify-tag", tag.name, check=False)
            if proc.returncode != 0:
                findings.append(
                    Finding(
                        "signatures",
                        False,
                        _("{name} is not signed by an allowed key", name=tag.name),
                    )
                )
    if not any(not f.ok and not f.warning for f in findings):
        findings.append(
            Finding(
                "signatures",
                True,
                _(
                    "{count} commits and {tags} close tags signed",
                    count=count,
                    tags=len(tags),
                ),
            )
        )
    return findings


def _has_parent(root: Path, commit: str) -> bool:
    return git(root, "rev-parse", "-q", "--verify", f"{commit}^", check=False).returncode == 0


def check_expectations(tags: dict[int, CloseTag], expect: dict[str, str]) -> list[Finding]:
    by_name = {t.name: t for t in tags.values()}
    findings = []
    for name, value in sorted(expect.items()):
        tag = by_name.get(name)
        value = value.lower()
        if tag is None:
            findings.append(
                Finding("anchor", False, _("{name}: no such tag in the books", name=name))
            )
        elif len(value) >= 7 and (tag.object.startswith(value) or tag.commit.startswith(value)):
            findings.append(
                Finding("anchor", True, _("{name} is the tag you were given", name=name))
            )
        else:
            findings.append(
                Finding(
                    "anchor",
                    False,
                    _(
                        "{name} is {object}, not the {value} given",
                        name=name,
                        object=tag.object[:12],
                        value=value[:12],
                    ),
                )
            )
    return findings


WAS_AT = re.compile(r"\(was at (\S+)\)")


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    """The plugin and the history name the same changed record: keep the history's."""
    findings = list(findings)
    by_history = {f.where for f in findings if f.check == "chain" and f.record}

    def duplicate(f: Finding) -> bool:
        if f.check != "chain" or f.record:
            return False
        was = WAS_AT.search(f.message)
        return f.where in by_history or (was is not None and was.group(1) in by_history)

    return [f for f in findings if not duplicate(f)]


def verify_books(
    books: Books, expect: dict[str, str] | None = None, allowed_signers: Path | None = None
) -> Report:
    report = Report(str(books.root))
    ledger = books.load(strict=False, full_history=True)  # every year, the closed ones too
    report.add(*check_load(books, ledger))
    report.add(*check_carried(books, ledger))
    if not is_git_books(books.root):
        report.add(Finding("history", False, _("the books are not under git")))
        return report
    tags = close_tags(books.root)
    with committed_trees(books.root) as trees:
        for _year, tag in sorted(tags.items()):  # in order: each tree is the last one moved
            report.add(*check_close(books, ledger, tag, trees))
    report.add(*check_seal_history(books, tags))
    report.add(*check_documents(books, ledger))
    report.add(*check_removed(books, ledger))
    report.add(*check_worktree(books))
    report.add(*check_signatures(books, tags, allowed_signers))
    report.add(*check_expectations(tags, expect or {}))
    report.findings = _dedupe(report.findings)
    return report
