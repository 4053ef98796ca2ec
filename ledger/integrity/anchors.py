"""What a seal is anchored to: its ``close-YYYY`` tag, and books that are all loaded.

A seal inside the books proves nothing on its own: whoever can edit the files can empty
the closing file, delete its ``include`` or recompute the digest. Every load of a hub's
books (``Books.load``: every command, the write path's check, ``check`` and ``verify``)
therefore compares each seal with the annotated git tag ``close-YYYY`` written when the
year was closed, and checks that every books file is included:

* a tag without a loaded seal (closing file emptied, its include or the sealing plugin
  removed) is an error;
* a seal whose head is not the one in its tag (digest recomputed, tag moved) is an error;
* a seal without its tag is an error, unless a close is pending (``ledger.integrity.sealing``);
* a ``*.beancount`` file of the books that is not loaded is an error;
* in the live books, a closed year's file or document (``YYYY/``, ``documents/*/YYYY/``,
  an account's ``YYYY-MM-DD.*``) that differs from the tag that carried it is an error
  every write refuses (one ``git diff`` by path).

Errors are returned as Beancount-style errors (``source``, ``message``, ``entry``) located
at a file and line, so every command reports them like any other error of the books.
"""

from __future__ import annotations

import collections
import json
import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beancount.core import data

from ledger.i18n import _
from ledger.integrity import carried as carriedlib
from ledger.integrity.chain import SEAL_TYPE

AnchorError = collections.namedtuple("AnchorError", "source message entry")
# A closed year's file that is no longer what its close sealed: every write refuses while
# one is there (ledger.books.Transaction.ledger), at no cost (the diff runs on every load).
SealedFileError = collections.namedtuple("SealedFileError", "source message entry")

TAG_PREFIX = "close-"
TAG_PATTERN = re.compile(r"^close-(\d{4})$")
HEAD_LINE = re.compile(r"^seal sha256: ([0-9a-f]{64})\s*$", re.M)
VERSION_LINE = re.compile(r"^chain version: (\d+)\s*$", re.M)
PENDING_TAG_FILE = ".coopledger/tag-pending.json"  # written by Books for a commit + tag
DOCUMENTS = "documents"  # the books' documents (Beancount's ``documents`` option)


@dataclass(frozen=True)
class CloseTag:
    """An annotated ``close-YYYY`` tag, as git has it."""

    year: int
    name: str
    object: str  # the tag object's hash (what the auditor is given)
    commit: str  # the commit it points at
    annotated: bool
    head: str | None  # the seal's digest / chain head written in the tag message
    version: int


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=False
    )


def is_git_books(root: Path) -> bool:
    return (root / ".git").exists()


def close_tags(root: Path) -> dict[int, CloseTag]:
    """Every ``close-YYYY`` tag of the books' repository, by year."""
    if not is_git_books(root):
        return {}
    proc = _git(
        root,
        "for-each-ref",
        "--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)%00%(objecttype)"
        "%00%(contents)%00%00",
        "refs/tags/close-*",
    )
    tags: dict[int, CloseTag] = {}
    for record in proc.stdout.split("\0\0\n"):
        parts = record.split("\0")
        if len(parts) < 5:
            continue
        name, obj, target, kind, message = parts[:5]
        match = TAG_PATTERN.match(name)
        if not match:
            continue
        head = HEAD_LINE.search(message)
        version = VERSION_LINE.search(message)
        annotated = kind == "tag"
        tags[int(match.group(1))] = CloseTag(
            int(match.group(1)),
            name,
            obj,
            target if annotated else obj,
            annotated,
            head.group(1) if head else None,
            int(version.group(1)) if version else 1,
        )
    return tags


def seals(entries: list[data.Directive]) -> dict[int, data.Custom]:
    out: dict[int, data.Custom] = {}
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.type == SEAL_TYPE and entry.values:
            try:
                out.setdefault(int(str(entry.values[0].value)), entry)
            except ValueError:
                continue
    return out


def pending_close_year(root: Path) -> int | None:
    """The year of a close whose tag is still to be written (``Transaction.tag``)."""
    try:
        match = TAG_PATTERN.match(str(json.loads((root / PENDING_TAG_FILE).read_text())["tag"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return int(match.group(1)) if match else None


def pending_tag(root: Path) -> tuple[str, str] | None:
    """Name and message of the tag a transaction is writing (``Transaction.tag``)."""
    try:
        record = json.loads((root / PENDING_TAG_FILE).read_text())
        return str(record["tag"]), str(record["message"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def carried_tag_digest(root: Path, year: int) -> str | None:
    """The carried digest anchored for the close of ``year``: in the ``close-YYYY`` tag's
    message, or in the ``carried-YYYY`` tag of a compaction; the pending tag counts."""
    names = (f"{TAG_PREFIX}{year}", f"{carriedlib.CARRIED_TAG_PREFIX}{year}")
    messages = []
    pending = pending_tag(root)
    if pending is not None and pending[0] in names:
        messages.append(pending[1])
    if is_git_books(root):
        proc = _git(
            root, "for-each-ref", "--format=%(contents)%00", *(f"refs/tags/{n}" for n in names)
        )
        messages += proc.stdout.split("\0")
    for message in messages:
        for line in message.splitlines():
            if line.startswith(carriedlib.TAG_LINE):
                return line[len(carriedlib.TAG_LINE) :].strip()
    return None


def carried_errors(root: Path, marker: data.Custom | None) -> list[Any]:
    """The carried balances against the tag of the close that carried them."""
    if marker is None:
        return []
    try:
        year = int(str(marker.values[0].value))
    except (IndexError, ValueError):
        return [
            AnchorError(marker.meta, _("a books-carried entry needs the year it carries"), marker)
        ]
    anchored = carried_tag_digest(root, year) if is_git_books(root) else None
    written = str(marker.meta.get(carriedlib.DIGEST_META, ""))
    if is_git_books(root) and anchored is None:
        return [
            AnchorError(
                marker.meta,
                _(
                    "the balances carried from {year} have no tag holding their digest "
                    "({close} or {carried})",
                    year=year,
                    close=f"{TAG_PREFIX}{year}",
                    carried=f"{carriedlib.CARRIED_TAG_PREFIX}{year}",
                ),
                marker,
            )
        ]
    if anchored is not None and anchored != written:
        return [
            AnchorError(
                marker.meta,
                _(
                    "the balances carried from {year} do not match the digest in their tag: "
                    "carried.beancount was rewritten",
                    year=year,
                ),
                marker,
            )
        ]
    return []


def tag_errors(root: Path, entries: list[data.Directive]) -> list[Any]:
    """Each seal against its tag, each tag against its seal (in the live books, against the
    heads the carried balances hold for the sealed years out of the load)."""
    main = data.new_metadata(str(root / "main.beancount"), 1)
    tags = close_tags(root)
    loaded = seals(entries)
    mark = carriedlib.marker(entries)
    heads = carriedlib.sealed_heads(mark) if mark is not None else {}
    pending = pending_close_year(root)
    errors = carried_errors(root, mark)
    for year, tag in sorted(tags.items()):
        seal = loaded.get(year)
        if seal is None and year in heads and mark is not None:
            if tag.head != heads[year]:
                errors.append(
                    AnchorError(
                        mark.meta,
                        _(
                            "the carried head of {year} does not match tag {tag}: the carried "
                            "balances were rewritten",
                            year=year,
                            tag=tag.name,
                        ),
                        mark,
                    )
                )
            continue
        if seal is None:
            errors.append(
                AnchorError(
                    main,
                    _(
                        "tag {tag} says {year} is closed, but no seal of {year} is loaded: "
                        "the closing file, its include or the sealing plugin was removed",
                        tag=tag.name,
                        year=year,
                    ),
                    None,
                )
            )
        elif not tag.annotated or tag.head is None:
            errors.append(
                AnchorError(
                    seal.meta, _("tag {tag} is not a coopledger close tag", tag=tag.name), seal
                )
            )
        elif str(seal.values[1].value) != tag.head:
            errors.append(
                AnchorError(
                    seal.meta,
                    _(
                        "the seal of {year} does not match tag {tag} (tag {head}…, seal "
                        "{seal}…): the sealed year was rewritten",
                        year=year,
                        tag=tag.name,
                        head=tag.head[:12],
                        seal=str(seal.values[1].value)[:12],
                    ),
                    seal,
                )
            )
    if is_git_books(root):
        for year, seal in sorted(loaded.items()):
            if year not in tags and year != pending:
                errors.append(
                    AnchorError(
                        seal.meta,
                        _(
                            "the seal of {year} has no tag {tag}: a seal is only valid with "
                            "the tag written when the year was closed",
                            year=year,
                            tag=f"{TAG_PREFIX}{year}",
                        ),
                        seal,
                    )
                )
    return errors


def files_ending(root: Path, suffix: str, enter: Callable[[str], bool]) -> list[Path]:
    """The files under ``root`` whose name ends with ``suffix``, in ``os.walk``'s order
    (each folder's files sorted, then its sorted subfolders), descending only into the
    folders ``enter`` accepts, never through a link, unreadable folders skipped: what
    ``os.walk`` finds, one ``scandir`` pass a folder (18,000 files on the 10-year hub,
    two walks of them on every check)."""
    found: list[Path] = []
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        names: list[str] = []
        dirs: list[str] = []
        try:
            with os.scandir(folder) as it:
                for item in it:
                    if item.is_dir(follow_symlinks=False):
                        if enter(item.name):
                            dirs.append(item.name)
                    elif item.name.endswith(suffix) and not item.is_dir():
                        names.append(item.name)  # os.walk's files: no link to a folder
        except OSError:
            continue
        found += [Path(folder, name) for name in sorted(names)]
        stack += [os.path.join(folder, d) for d in sorted(dirs, reverse=True)]
    return found


def books_files(root: Path) -> list[Path]:
    """Every ``*.beancount`` file of the books (hidden folders skipped)."""
    return files_ending(root, ".beancount", lambda name: not name.startswith("."))


def history_includes(root: Path) -> set[str]:
    """The files ``history.beancount`` includes (the closed years), as real paths."""
    try:
        text = (root / carriedlib.HISTORY_FILE).read_text(encoding="utf-8")
    except OSError:
        return set()
    return {
        os.path.realpath(root / m.group(1)) for m in re.finditer(r'^include "([^"]+)"', text, re.M)
    }


def include_errors(root: Path, options: dict[str, Any]) -> list[Any]:
    """A books file that is not loaded escapes every check: it must be included (by the
    live books, or for a closed year by the full history, ``history.beancount``)."""
    loaded = {os.path.realpath(p) for p in options.get("include", []) or []}
    loaded |= history_includes(root)
    loaded.add(os.path.realpath(root / carriedlib.HISTORY_FILE))
    errors = []
    for path in books_files(root):
        if os.path.realpath(path) not in loaded:
            rel = path.relative_to(root).as_posix()
            errors.append(
                AnchorError(
                    data.new_metadata(str(path), 1),
                    _(
                        "{rel} is not included from main.beancount: every books file must be",
                        rel=rel,
                    ),
                    None,
                )
            )
    return errors


def sealed_file_errors(root: Path, marker: data.Custom | None) -> list[Any]:
    """The live books do not load the closed years: their files must still be, byte for
    byte, what the commit that carried them out of the live books had (one ``git diff``;
    ``coopledger audit verify`` names the changed entry from the full history)."""
    if marker is None or not is_git_books(root):
        return []
    try:
        year = int(str(marker.values[0].value))
    except (IndexError, ValueError):
        return []
    folders = sorted(
        p.name for p in root.iterdir() if p.is_dir() and p.name.isdigit() and int(p.name) <= year
    )
    tag = None
    for name in (f"{carriedlib.CARRIED_TAG_PREFIX}{year}", f"{TAG_PREFIX}{year}"):
        if _git(root, "rev-parse", "-q", "--verify", f"refs/tags/{name}").returncode == 0:
            tag = name
            break
    if tag is None or not folders:
        return []
    # and the closed years' documents (documents/<kind>/YYYY/, an account's YYYY-MM-DD.*
    # files): the same one diff, by path, nothing re-hashed (QA: a closed year's issued
    # document edited or removed went unseen by every write)
    documents = [f":(glob){DOCUMENTS}/**/{y}/**" for y in folders]
    dated = [f":(glob){DOCUMENTS}/**/{y}-*" for y in folders]
    proc = _git(
        root, "diff", "--name-status", "--no-renames", f"refs/tags/{tag}", "--",
        *folders, *documents, *dated,
    )  # fmt: skip
    errors = []
    for line in proc.stdout.splitlines():
        status, _sep, name = line.partition("\t")
        if not name.strip():
            continue
        if name.startswith(f"{DOCUMENTS}/"):
            if status == "A" and not _in_year_folder(name, folders):
                continue  # a statement dated in a closed year, archived since: not sealed
            message = _(
                "{name} {what} since {tag}: a closed year's document may not change (run "
                "'coopledger audit verify' to see what changed)",
                name=name,
                what=_("is gone") if status == "D" else _("changed"),
                tag=tag,
            )
        else:
            message = _(
                "{name} changed since {tag}: a closed year's file may not change (run "
                "'coopledger audit verify' to see what changed)",
                name=name,
                tag=tag,
            )
        errors.append(SealedFileError(data.new_metadata(str(root / name), 1), message, None))
    return errors


def _in_year_folder(name: str, years: list[str]) -> bool:
    """``documents/<kind>/YYYY/…`` of one of ``years``."""
    return any(f"/{year}/" in name for year in years)


def anchor_errors(root: Path, entries: list[data.Directive], options: dict[str, Any]) -> list[Any]:
    return [
        *tag_errors(root, entries),
        *include_errors(root, options),
        *sealed_file_errors(root, carriedlib.marker(entries)),
    ]
