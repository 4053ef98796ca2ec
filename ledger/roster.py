"""The roster: pseudonymous code → the person, encrypted at rest with age.

The roster is one file in the books (``roster.age``), encrypted with pyrage to every
recipient listed in ``hub.toml``. It is decrypted only in memory, never to a temporary
file, and only when a command needs it. The hub's secret key lives outside the books
(``$COOPLEDGER_KEY_FILE`` or ``$XDG_CONFIG_HOME/coopledger/keys/<hub id>.key``) and must be
backed up away from them: whoever has both can re-identify participants.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pyrage
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pyrage import x25519

from ledger.config import HubConfig
from ledger.errors import RosterError


class RosterEntry(BaseModel):
    """What the hub knows about one participant; never leaves this file in clear."""

    model_config = ConfigDict(extra="forbid")

    code: str
    alias: str = ""
    details: dict[str, str] = Field(default_factory=dict)
    added: dt.date


class Roster(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    participants: dict[str, RosterEntry] = Field(default_factory=dict)

    def secrets(self) -> set[str]:
        """Every personal string of the roster (for leak checks)."""
        out: set[str] = set()
        for entry in self.participants.values():
            if entry.alias:
                out.add(entry.alias)
            out.update(v for v in entry.details.values() if v)
        return out


def key_path(config: HubConfig) -> Path:
    """Where the hub's secret key is read from."""
    explicit = os.environ.get("COOPLEDGER_KEY_FILE")
    if explicit:
        return Path(explicit).expanduser()
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "coopledger" / "keys" / f"{config.id}.key"


def create_key(path: Path) -> str:
    """Generate an age identity at ``path`` (mode 0600); returns its public recipient."""
    if path.exists():
        identity = _read_identity(path)
        return str(identity.to_public())
    identity = x25519.Identity.generate()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("# coopledger hub key: keep a copy away from the books.\n")
        handle.write(f"# public key: {identity.to_public()}\n")
        handle.write(f"{identity}\n")
        handle.flush()
        os.fsync(handle.fileno())
    return str(identity.to_public())


def _read_identity(path: Path) -> x25519.Identity:
    try:
        lines = path.read_text().splitlines()
    except OSError:
        raise RosterError(f"{path}: cannot read the hub key") from None
    for line in lines:
        if line.startswith("AGE-SECRET-KEY-"):
            try:
                return x25519.Identity.from_str(line.strip())
            except pyrage.IdentityError:
                break
    raise RosterError(f"{path}: not an age secret key file")


def load_identity(config: HubConfig) -> x25519.Identity:
    path = key_path(config)
    if not path.exists():
        raise RosterError(
            f"no hub key at {path}: the roster cannot be opened "
            "(set COOPLEDGER_KEY_FILE to the key's path)"
        )
    return _read_identity(path)


def has_key(config: HubConfig) -> bool:
    return key_path(config).exists()


def decrypt_roster(config: HubConfig, ciphertext: bytes | None) -> Roster:
    """The roster in memory (empty when there is no roster file yet)."""
    if ciphertext is None:
        return Roster()
    identity = load_identity(config)
    try:
        plaintext = pyrage.decrypt(ciphertext, [identity])
    except pyrage.DecryptError:
        raise RosterError("the roster cannot be decrypted with the hub key at hand") from None
    try:
        return Roster.model_validate(json.loads(plaintext))
    except (ValueError, ValidationError):
        raise RosterError("the roster decrypts but is not a valid roster") from None


def encrypt_roster(config: HubConfig, roster: Roster) -> bytes:
    """Ciphertext of the roster for every recipient in ``hub.toml``."""
    if not config.roster.recipients:
        raise RosterError("hub.toml lists no roster recipients: nobody could read the roster")
    try:
        recipients = [x25519.Recipient.from_str(r) for r in config.roster.recipients]
    except pyrage.RecipientError:
        raise RosterError("hub.toml: roster.recipients holds an invalid age recipient") from None
    plaintext = roster.model_dump_json().encode("utf-8")
    return pyrage.encrypt(plaintext, recipients)
