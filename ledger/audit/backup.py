"""Backups of the books, encrypted to the hub's recipients, and the restore drill.

``coopledger backup --to DIR`` writes a new folder ``coopledger-<hub id>-<UTC time>/``:

* ``books.bundle.age`` — a ``git bundle`` of every branch and tag (the whole history:
  the books, the encrypted roster and archives, the issued documents, the close tags),
  encrypted with age to every recipient of ``hub.toml`` (``[roster] recipients``);
* ``roster-keys.age`` — the roster's data-key file (``[roster] data_keys``), which lives in
  the books' folder but never in git (crypto-shredding, ``docs/security.md``): copied as it
  is, already encrypted to the hub's recipients; without it the restored roster's records
  could not be read;
* ``extra/NN-<name>.age`` — each file given with ``--include`` (files kept *outside* the
  books, e.g. an already encrypted key file of participants' data), encrypted again;
* ``manifest.json`` — hub id, time, ``HEAD``, the tags and their hashes, the files' sha256
  (nothing personal: hashes, names of the hub's own files);
* ``SHA256SUMS`` — ``sha256sum -c`` checks the folder without any key.

No secret key is ever written: a file holding an age secret key is refused, and the
hub's key stays where ``init`` put it (back it up separately, on paper or a USB stick kept
by two board members). ``coopledger restore BACKUP DIR`` checks the sums, decrypts with the
hub's key, clones the bundle into a new folder, puts the extra files back where asked, and
runs ``verify`` on the result; the drill is tested in CI (``tests/test_backup.py``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pyrage
from pyrage import x25519

from ledger.audit.verify import Report, verify_books
from ledger.books import Books, atomic_write, describe_changes, git, git_head, worktree_changes
from ledger.config import HubConfig
from ledger.errors import BooksError, InputError, RosterError
from ledger.i18n import _
from ledger.integrity.anchors import close_tags
from ledger.keys import key_path, parse_recipients
from ledger.outputs import outside_books

FORMAT = 1
BUNDLE = "books.bundle.age"
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
SECRET_MARK = b"AGE-SECRET-KEY-"
DATA_KEYS = "roster-keys.age"


@dataclass(frozen=True)
class BackupResult:
    folder: Path
    head: str
    tags: dict[str, str]
    extras: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RestoreResult:
    books: Path
    head: str
    report: Report
    extras: list[Path] = field(default_factory=list)


def _sha(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _recipients(config: HubConfig) -> list[Any]:
    if not config.roster.recipients:
        raise RosterError(_("hub.toml lists no recipients: nobody could decrypt a backup"))
    return parse_recipients(config.roster.recipients)  # age or SSH keys


def _encrypt(source: Path, target: Path, recipients: list[Any]) -> None:
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        pyrage.encrypt_file(str(source), str(tmp), recipients)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _refuse_secret(path: Path, key: Path) -> None:
    if path.resolve() == key.resolve():
        raise InputError(
            _("--include {path}: that is the hub's secret key; keep it apart", path=path)
        )
    with path.open("rb") as handle:
        if SECRET_MARK in handle.read():
            raise InputError(
                _("--include {path}: holds an age secret key; a backup never does", path=path)
            )


def backup(books: Books, dest: Path, extra_files: list[Path] | None = None) -> BackupResult:
    """Write an encrypted backup of the books (and of ``extra_files``) under ``dest``."""
    root = books.root
    dest = outside_books(root, dest, "--to", _("a backup is kept apart from what it saves"))
    changes = worktree_changes(root)
    if changes:
        raise InputError(
            _(
                "the books have uncommitted changes ({changes}): commit them "
                "(--adopt-changes) or undo them first, a backup holds committed history only",
                changes=describe_changes(changes),
            )
        )
    head = git_head(root)
    if head is None:
        raise BooksError(_("{root}: no commit to back up", root=root))
    recipients = _recipients(books.config)
    extras = [Path(p) for p in extra_files or []]
    for path in extras:
        if not path.is_file():
            raise InputError(_("--include {path}: no such file", path=path))
        _refuse_secret(path, key_path(books.config))
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = dest / f"coopledger-{books.config.id}-{stamp}"
    if folder.exists():
        raise InputError(_("{folder} already exists; wait a second and run again", folder=folder))
    (folder / "extra").mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="coopledger-backup-") as tmp:
        bundle = Path(tmp) / "books.bundle"
        git(root, "bundle", "create", "-q", str(bundle), "--all")
        git(root, "bundle", "verify", "-q", str(bundle))
        _encrypt(bundle, folder / BUNDLE, recipients)
    names = []
    for index, path in enumerate(extras, start=1):
        safe = re.sub(r"[^A-Za-z0-9._-]", "-", path.name)
        name = f"extra/{index:02d}-{safe}.age"
        _encrypt(path, folder / name, recipients)
        names.append({"file": name, "name": path.name, "sha256": _sha(path)})
    data_keys = root / books.config.roster.data_keys
    if data_keys.is_file():
        atomic_write(folder / DATA_KEYS, data_keys.read_bytes(), mode=0o600)
    tags = {t.name: t.object for t in close_tags(root).values()}
    manifest = {
        "format": FORMAT,
        "hub": books.config.id,
        "created": stamp,
        "head": head,
        "tags": tags,
        "extras": names,
        "data_keys": books.config.roster.data_keys if data_keys.is_file() else None,
        "recipients": list(books.config.roster.recipients),
    }
    atomic_write(
        folder / MANIFEST, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    )
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    sums = [f"{_sha(p)}  {p.relative_to(folder).as_posix()}" for p in files]
    atomic_write(folder / SUMS, ("\n".join(sums) + "\n").encode())
    return BackupResult(folder, head, tags, [n["name"] for n in names])


def _identity(hub: str, key_file: Path | None) -> x25519.Identity:
    path = key_file or key_path(cast(HubConfig, SimpleNamespace(id=hub)))
    try:
        lines = path.read_text().splitlines()
    except OSError:
        raise RosterError(
            _("{path}: cannot read the hub key (give it with --key)", path=path)
        ) from None
    for line in lines:
        if line.startswith("AGE-SECRET-KEY-"):
            with contextlib.suppress(pyrage.IdentityError):
                return x25519.Identity.from_str(line.strip())
    raise RosterError(_("{path}: not an age secret key file", path=path))


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a backup folder, after checking every file's sha256."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
        sums = (folder / SUMS).read_text().splitlines()
    except (OSError, ValueError):
        raise InputError(
            _("{folder}: not a coopledger backup (manifest or sums missing)", folder=folder)
        ) from None
    listed = set()
    for line in sums:
        digest, _sep, name = line.partition("  ")
        listed.add(name)
        path = folder / name
        if not path.is_file() or _sha(path) != digest:
            raise InputError(
                _(
                    "{folder}: {name} is damaged or missing (sha256 differs)",
                    folder=folder,
                    name=name,
                )
            )
    for required in (BUNDLE, MANIFEST):
        if required not in listed:
            raise InputError(
                _(
                    "{folder}: {required} is not covered by {sums}",
                    folder=folder,
                    required=required,
                    sums=SUMS,
                )
            )
    if manifest.get("format") != FORMAT:
        raise InputError(
            _(
                "{folder}: backup format {manifest} is unknown",
                folder=folder,
                manifest=manifest.get("format"),
            )
        )
    return cast(dict[str, Any], manifest)


def restore(
    folder: Path, target: Path, key_file: Path | None = None, extras_to: Path | None = None
) -> RestoreResult:
    """Restore a backup into the new folder ``target`` and verify it."""
    manifest = read_manifest(folder)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError(
            _("{target}: not an empty folder; restore into a new folder", target=target)
        )
    if extras_to is not None:
        extras_to = outside_books(target, extras_to, "--extras-to", _("they are kept apart"))
    identity = _identity(str(manifest["hub"]), key_file)
    with tempfile.TemporaryDirectory(prefix="coopledger-restore-") as tmp:
        bundle = Path(tmp) / "books.bundle"
        try:
            pyrage.decrypt_file(str(folder / BUNDLE), str(bundle), [identity])
        except pyrage.DecryptError:
            raise RosterError(_("the backup cannot be decrypted with this key")) from None
        proc = subprocess.run(
            ["git", "clone", "-q", "--no-hardlinks", str(bundle), str(target)],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise BooksError(_("{folder}: not a usable git bundle", folder=folder / BUNDLE))
    git(target, "remote", "remove", "origin")
    head = git_head(target) or ""
    if head != manifest["head"]:
        raise BooksError(
            _(
                "{target}: restored HEAD {head} is not {manifest}",
                target=target,
                head=head[:12],
                manifest=manifest["head"][:12],
            )
        )
    restored_extras = []
    if extras_to is not None:
        extras_to.mkdir(parents=True, exist_ok=True)
        for extra in manifest.get("extras", []):
            out = extras_to / Path(str(extra["name"])).name
            if out.exists():
                raise InputError(
                    _("{out} already exists; choose another --extras-to folder", out=out)
                )
            pyrage.decrypt_file(str(folder / extra["file"]), str(out), [identity])
            os.chmod(out, 0o600)
            if _sha(out) != extra["sha256"]:
                raise BooksError(
                    _("{out}: restored bytes differ from the backed-up file", out=out)
                )
            restored_extras.append(out)
    if manifest.get("data_keys"):  # the roster's data keys, back beside the roster
        atomic_write(
            target / str(manifest["data_keys"]), (folder / DATA_KEYS).read_bytes(), mode=0o600
        )
    books = Books.open(target)
    tags = {t.name: t.object for t in close_tags(target).values()}
    if tags != manifest.get("tags", {}):
        raise BooksError(
            _("{target}: the restored close tags differ from the backup's", target=target)
        )
    report = verify_books(books)
    return RestoreResult(target, head, report, restored_extras)
