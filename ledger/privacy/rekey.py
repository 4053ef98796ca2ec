"""Changing who can open the books' secrets: ``coopledger key add-recipient / remove-recipient
/ rotate``.

Every change re-encrypts, in one commit of the write path, everything encrypted to the
hub's recipients: the roster (``roster.age``), every archived bank statement
(``documents/…/*.age``, found from the books' ``bank-file`` entries) and ``hub.toml``'s
list; the data-key file (outside git) follows right after, under the lock. Nothing is ever
decrypted to disk.

``rotate`` makes a new hub key and a new recovery key and keeps only the recipients named
with ``--keep``; it also gives every roster record a fresh data key. Once the old key file
and the old data-key file are gone, the old key opens none of the current files, and the
roster's history in git is unreadable too (its records need the old data keys). The old
archived statements *in git history* remain encrypted to the old recipients: whoever kept
an old key and a clone of the books can still read those — say so to whoever leaves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from beancount.core import data

from ledger.books import Books
from ledger.errors import InputError, KeyFileError
from ledger.i18n import _
from ledger.keys import (
    decrypt_with,
    discard_pending,
    encrypt_to,
    identity_text,
    key_path,
    load_identities,
    new_identity,
    parse_recipient,
    pending_path,
    write_secret,
)
from ledger.outputs import inside
from ledger.roster import RosterEdit, editing_roster

ARCHIVE_DIRECTIVE = "bank-file"


@dataclass
class KeyChange:
    """What a key command did."""

    recipients: list[str]
    files: list[str] = field(default_factory=list)  # re-encrypted archives
    hub_key: Path | None = None  # rotate: where the new hub key now is
    recovery_public: str | None = None
    recovery_secret: str | None = None  # rotate without --recovery-key-file: print it once
    recovery_file: Path | None = None


def archived_files(entries: list[data.Directive]) -> list[str]:
    """Every archived bank statement the books record (paths relative to the books)."""
    out = []
    for entry in entries:
        if isinstance(entry, data.Custom) and entry.type == ARCHIVE_DIRECTIVE:
            archive = entry.meta.get("archive")
            if archive:
                out.append(str(archive))
    return sorted(set(out))


def _reencrypt_archives(edit: RosterEdit, books: Books, recipients: list[str]) -> list[str]:
    identities = load_identities(books.config, books.root)
    done = []
    for relpath in archived_files(edit.tx.ledger.entries):
        blob = edit.tx.read_file(relpath)
        if blob is None:
            raise InputError(
                _("{relpath}: the archived statement is missing from the books", relpath=relpath)
            )
        plain = decrypt_with(identities, blob, f"{relpath}")
        edit.tx.write_file(relpath, encrypt_to(recipients, plain))
        done.append(relpath)
    return done


def _check_set(recipients: list[str]) -> list[str]:
    unique = list(dict.fromkeys(r.strip() for r in recipients if r.strip()))
    for value in unique:
        parse_recipient(value)
    if len(unique) < 2:
        raise InputError(
            _(
                "the books must stay readable by at least two keys (the hub key and a recovery "
                "key kept apart): this would leave one"
            )
        )
    return unique


def _reencrypt(
    books: Books, recipients: list[str], message: str, fresh_keys: bool = False
) -> KeyChange:
    change = KeyChange(recipients=recipients)
    with editing_roster(books, message) as edit:
        edit.recipients = recipients
        edit.fresh_keys = fresh_keys
        change.files = _reencrypt_archives(edit, books, recipients)
        config = books.config.model_copy(deep=True)
        config.roster.recipients = recipients
        edit.tx.write_config(config)
    return change


def add_recipient(books: Books, recipient: str) -> KeyChange:
    """Encrypt the roster and the statements to one more key (an SSH key too)."""
    parse_recipient(recipient)
    current = list(books.config.roster.recipients)
    wanted = _check_set([*current, recipient]) if len(current) else [recipient.strip()]
    return _reencrypt(books, wanted, f"key: add a recipient ({len(wanted)} in all)")


def remove_recipient(books: Books, recipient: str) -> KeyChange:
    """Stop encrypting to a key (a board member who leaves); records get fresh data keys."""
    current = list(books.config.roster.recipients)
    value = recipient.strip()
    if value not in current:
        raise InputError(_("not one of the hub's recipients (see 'coopledger key list')"))
    at_hand = {str(i.to_public()) for i in load_identities(books.config, books.root)}
    if value in at_hand:
        raise InputError(
            _("that is the hub key at hand: use 'coopledger key rotate' to replace it")
        )
    wanted = _check_set([r for r in current if r != value])
    return _reencrypt(
        books, wanted, f"key: remove a recipient ({len(wanted)} in all)", fresh_keys=True
    )


def rotate(
    books: Books, keep: list[str], add: list[str], recovery_file: Path | None = None
) -> KeyChange:
    """A new hub key and a new recovery key; only ``keep`` and ``add`` stay besides them."""
    current = list(books.config.roster.recipients)
    for value in keep:
        if value.strip() not in current:
            raise InputError(
                _("--keep: not one of the hub's current recipients (see 'coopledger key list')")
            )
    for value in add:
        parse_recipient(value)
    load_identities(books.config, books.root)  # the current key must open everything
    if recovery_file is not None:
        _check_new_key_path(recovery_file, books)
    path = key_path(books.config)
    pending = pending_path(path)
    discard_pending(books.config)  # a rotation that never reached the books
    hub, recovery = new_identity(), new_identity()
    write_secret(pending, identity_text(hub, "hub key"), books.root)
    recipients = _check_set([str(hub.to_public()), str(recovery.to_public()), *keep, *add])
    try:
        change = _reencrypt(
            books, recipients, f"key: rotate ({len(recipients)} recipients)", fresh_keys=True
        )
    except BaseException:
        discard_pending(books.config)
        raise
    change.hub_key = path
    change.recovery_public = str(recovery.to_public())
    text = identity_text(recovery, "recovery key")
    if recovery_file is not None:
        write_secret(recovery_file, text, books.root)
        change.recovery_file = recovery_file
    else:
        change.recovery_secret = str(recovery)
    return change


def _check_new_key_path(path: Path, books: Books) -> None:
    if inside(books.root, path):
        raise KeyFileError(
            _(
                "{path}: a key file may not be written inside the books directory (they are "
                "shared: git, backups, auditors); choose a path outside it",
                path=path,
            )
        )
    if path.exists():
        raise KeyFileError(_("{path}: already exists; refusing to overwrite a key", path=path))
