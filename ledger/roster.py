"""The roster: pseudonymous code → the person, encrypted at rest, erasable record by record.

Two files, both encrypted with age (pyrage) to every recipient of ``hub.toml``
(:mod:`ledger.keys`):

* ``roster.age``, in the books and in git: for each code, the date it was added and its
  *record* (alias, the details the hub keeps, the payout IBAN and name) encrypted under the
  participant's own **data key**; and a tombstone for each purged code;
* ``roster-keys.age``, in the books' folder but **never in git** (listed in
  ``.gitignore``): the data keys.

Destroying a participant's data key (``participant purge``) makes her record unreadable
in every version of ``roster.age`` git has ever held, with any key — crypto-shredding —
while the books, which only ever held her code, still verify. A rotation of the hub's keys
(``key rotate``) also gives every record a fresh data key, so the old data keys, and with
them every older version of the roster, are dead too once the old key file is gone.

Everything is decrypted in memory only. Writes go through the books' write path, in one
transaction: ``roster.age`` is committed; the data-key file is written and journaled with
it (a refused or interrupted write leaves both as they were) but never committed.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyrage
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pyrage import x25519

from ledger.books import Books, Transaction, atomic_write
from ledger.config import HubConfig, load_config
from ledger.errors import RosterError
from ledger.i18n import _
from ledger.keys import (
    Identity,
    decrypt_with,
    encrypt_to,
    finish_rotation,
    load_identities,
    parse_recipients,
)

ROSTER_VERSION = 2
# What the roster may hold about a person besides the alias (``participant add --from-file``).
DETAIL_FIELDS = (
    "name",
    "first_name",
    "last_name",
    "phone",
    "email",
    "address",
    "birth_date",
    "birth_place",
    "nationality",
    "document_number",
    "emergency_contact",
    "notes",
)
GITIGNORE_LINE = "roster-keys.age"


class Payee(BaseModel):
    """Where the participant's bank payouts go (only ever in memory and in pain.001 files)."""

    model_config = ConfigDict(extra="forbid")

    iban: str
    name: str


class RosterEntry(BaseModel):
    """What the hub knows about one participant; never leaves this module in clear."""

    model_config = ConfigDict(extra="forbid")

    code: str
    alias: str = ""
    details: dict[str, str] = Field(default_factory=dict)
    added: dt.date
    payee: Payee | None = None

    def values(self) -> list[str]:
        """Every personal string of the record."""
        out = [self.alias, *self.details.values()]
        if self.payee is not None:
            out += [self.payee.iban, self.payee.name]
        return [v for v in out if v and v.strip()]


class Purged(BaseModel):
    """A record erased by destroying its data key (the code stays in the books)."""

    model_config = ConfigDict(extra="forbid")

    on: dt.date
    reason: Literal["retention", "court-order"]


class Roster(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = ROSTER_VERSION
    participants: dict[str, RosterEntry] = Field(default_factory=dict)
    purged: dict[str, Purged] = Field(default_factory=dict)

    def secrets(self) -> set[str]:
        """Every personal string of the roster (for the roster guard and leak checks)."""
        return {v for entry in self.participants.values() for v in entry.values()}


# ---------------------------------------------------------------- the encrypted form


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, ValueError):
        raise RosterError(_("the roster decrypts but a record is damaged")) from None


def _record_json(entry: RosterEntry) -> bytes:
    return entry.model_dump_json(exclude={"added"}).encode("utf-8")


def _identity(secret: str) -> x25519.Identity:
    try:
        return x25519.Identity.from_str(secret)
    except pyrage.IdentityError:
        raise RosterError(_("the roster's data-key file holds a damaged key")) from None


@dataclass
class OpenRoster:
    """A roster decrypted in memory, with what is needed to write it back."""

    roster: Roster
    keys: dict[str, list[str]] = field(default_factory=dict)  # code → data keys (secret)
    sealed: dict[str, dict[str, str]] = field(default_factory=dict)  # records not readable
    ciphertexts: dict[str, str] = field(default_factory=dict)  # code → current ciphertext

    @property
    def unreadable(self) -> set[str]:
        """Codes whose record no data key at hand opens (a copy of the books without the
        data-key file, or a key lost)."""
        return set(self.sealed)


def data_keys_path(root: Path, config: HubConfig) -> Path:
    return root / config.roster.data_keys


def read_data_keys(
    root: Path, config: HubConfig, identities: list[Identity]
) -> dict[str, list[str]] | None:
    """The data keys (code → secret keys), decrypted in memory (None: no data-key file)."""
    path = data_keys_path(root, config)
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError:
        raise RosterError(
            _("{name}: cannot read the roster's data keys", name=path.name)
        ) from None
    plain = decrypt_with(identities, blob, _("{name} (the roster's data keys)", name=path.name))
    try:
        raw = json.loads(plain)
        keys = raw["keys"]
        return {str(code): [str(k) for k in secrets] for code, secrets in keys.items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        raise RosterError(
            _("{name}: decrypts but is not a data-key file", name=path.name)
        ) from None


def seal_data_keys(keys: Mapping[str, list[str]], recipients: Iterable[str]) -> bytes:
    """The data-key file's bytes, encrypted to ``recipients``."""
    payload = json.dumps({"version": 1, "keys": dict(sorted(keys.items()))}).encode()
    return encrypt_to(list(recipients), payload)


def write_data_keys(
    root: Path, config: HubConfig, keys: Mapping[str, list[str]], recipients: Iterable[str]
) -> None:
    """Write the data-key file (outside git, mode 0600), encrypted to ``recipients``."""
    atomic_write(data_keys_path(root, config), seal_data_keys(keys, recipients), mode=0o600)


def open_roster(
    root: Path, config: HubConfig, blob: bytes | None, identities: list[Identity] | None = None
) -> OpenRoster:
    """Decrypt ``roster.age`` (and its records) in memory."""
    if blob is None:
        return OpenRoster(Roster())
    identities = identities if identities is not None else load_identities(config, root)
    plain = decrypt_with(identities, blob)
    try:
        outer = json.loads(plain)
        version = int(outer.get("version", 1))
    except (ValueError, TypeError, AttributeError):
        raise RosterError(_("the roster decrypts but is not a valid roster")) from None
    if version == 1:  # records in clear inside the age file: rewritten as v2 on next write
        try:
            return OpenRoster(Roster.model_validate({**outer, "version": ROSTER_VERSION}))
        except ValidationError:
            raise RosterError(_("the roster decrypts but is not a valid roster")) from None
    keys = read_data_keys(root, config, identities)
    try:
        items = dict(outer.get("participants", {}))
    except (TypeError, ValueError):
        raise RosterError(_("the roster decrypts but is not a valid roster")) from None
    if keys is None and items:
        raise RosterError(
            _(
                "{data_keys} is missing beside the roster: its records cannot be "
                "opened (it is never in git; restore it from the hub's backup)",
                data_keys=config.roster.data_keys,
            )
        )
    keys = keys or {}
    opened = OpenRoster(Roster(), keys=keys)
    try:
        opened.roster.purged = {
            code: Purged.model_validate(p) for code, p in outer.get("purged", {}).items()
        }
        for code, item in items.items():
            record = _open_record(code, item, keys.get(code, []))
            if record is None:
                opened.sealed[code] = {"added": str(item["added"]), "record": item["record"]}
                continue
            opened.roster.participants[code] = RosterEntry.model_validate(
                {**record, "added": item["added"]}
            )
            opened.ciphertexts[code] = str(item["record"])
    except (ValidationError, KeyError, TypeError, AttributeError, ValueError):
        raise RosterError(_("the roster decrypts but is not a valid roster")) from None
    return opened


def _open_record(code: str, item: Mapping[str, Any], secrets: list[str]) -> Any:
    ciphertext = _unb64(str(item["record"]))
    for secret in secrets:
        try:
            return json.loads(pyrage.decrypt(ciphertext, [_identity(secret)]))
        except pyrage.DecryptError:
            continue
    return None


def seal_roster(
    opened: OpenRoster, roster: Roster, recipients: list[str], fresh_keys: bool = False
) -> tuple[bytes, dict[str, str]]:
    """The ``roster.age`` bytes for ``roster`` and the data key of each record.

    A record keeps its data key (and, unchanged, its ciphertext: small diffs in git);
    a new record gets a new key; with ``fresh_keys`` every record gets a new one."""
    participants: dict[str, dict[str, str]] = {}
    used: dict[str, str] = {}
    for code, entry in sorted(roster.participants.items()):
        known = [] if fresh_keys else opened.keys.get(code, [])
        previous = opened.roster.participants.get(code)
        if known and previous == entry and code in opened.ciphertexts:
            used[code] = known[0]
            participants[code] = {
                "added": entry.added.isoformat(),
                "record": opened.ciphertexts[code],
            }
            continue
        identity = _identity(known[0]) if known else x25519.Identity.generate()
        used[code] = str(identity)
        ciphertext = pyrage.encrypt(_record_json(entry), [identity.to_public()])
        participants[code] = {"added": entry.added.isoformat(), "record": _b64(ciphertext)}
    for code, raw in sorted(opened.sealed.items()):
        if code not in roster.purged and code not in participants:
            participants[code] = dict(raw)  # unreadable here: carried over untouched
    outer = {
        "version": ROSTER_VERSION,
        "participants": participants,
        "purged": {c: p.model_dump(mode="json") for c, p in sorted(roster.purged.items())},
    }
    parse_recipients(recipients)  # a clear error before anything is written
    return encrypt_to(recipients, json.dumps(outer).encode("utf-8")), used


# ---------------------------------------------------------------- reading and editing


def read_roster(books: Books) -> Roster:
    """The roster of the books on disk, decrypted in memory (needs the hub key)."""
    return open_books_roster(books).roster


def open_books_roster(books: Books) -> OpenRoster:
    path = books.root / books.config.roster.file
    blob = path.read_bytes() if path.exists() else None
    return open_roster(books.root, books.config, blob)


@dataclass
class RosterEdit:
    """What :func:`editing_roster` yields: the transaction and the roster to change."""

    tx: Transaction
    roster: Roster
    opened: OpenRoster
    recipients: list[str] | None = None  # encrypt to these instead of hub.toml's
    fresh_keys: bool = False
    destroyed: set[str] = field(default_factory=set)  # codes whose data keys must go now


@contextlib.contextmanager
def editing_roster(books: Books, message: str) -> Iterator[RosterEdit]:
    """Change the roster through the write path (see the module's docstring): the roster
    is committed, its data-key file written beside it (journaled like every other file of
    the transaction, so a refused or interrupted write leaves both as they were) but never
    committed."""
    config = books.config
    with books.transaction(message) as tx:
        identities = load_identities(config, books.root)
        opened = open_roster(books.root, config, tx.read_file(config.roster.file), identities)
        edit = RosterEdit(tx, opened.roster.model_copy(deep=True), opened)
        yield edit
        recipients = edit.recipients or list(config.roster.recipients)
        blob, used = seal_roster(opened, edit.roster, recipients, edit.fresh_keys)
        keys = {code: [secret] for code, secret in used.items() if code not in edit.destroyed}
        tx.write_private(config.roster.data_keys, seal_data_keys(keys, recipients))
        tx.write_file(config.roster.file, blob)
        ensure_gitignored(tx)
    settle_data_keys(books)


def ensure_gitignored(tx: Transaction) -> None:
    """Books created before the data-key file existed get it in their ``.gitignore``."""
    current = tx.read_file(".gitignore") or b""
    if GITIGNORE_LINE.encode() not in current.splitlines():
        if current and not current.endswith(b"\n"):
            current += b"\n"
        tx.write_file(".gitignore", current + GITIGNORE_LINE.encode() + b"\n")


def settle_data_keys(books: Books) -> None:
    """After a roster commit: reload ``hub.toml`` (a key change rewrote it) and put a
    rotation's new hub key in place, now that the books are encrypted to it."""
    with books.locked():
        books.config = load_config(books.root)
        finish_rotation(books.config)


def load_identity(config: HubConfig) -> Identity:
    """The hub key at hand (the first identity of its key file)."""
    return load_identities(config)[0]
