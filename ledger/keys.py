"""The hub's keys: who can open the roster and the archived bank statements.

*Recipients* (public keys) are listed in ``hub.toml`` (``[roster] recipients``): age X25519
keys (``age1…``) or SSH keys (``ssh-ed25519 …``, ``ssh-rsa …``), as pyrage supports both.
The roster, its data-key file and every archived bank statement are encrypted to all of
them, so any one of them opens the books' secrets: the hub key of the treasurer's
machine, an offline recovery key kept by the board, another board member's SSH key.

*Identities* (secret keys) never live in the books. The hub key is read from
``$COOPLEDGER_KEY_FILE`` or ``$XDG_CONFIG_HOME/coopledger/keys/<hub id>.key``; it may be an
age identity file or an unencrypted OpenSSH private key. A key file inside the books
directory, or readable by the group or others, is refused with a message that says why:
a key that travels with the books (git, backups, an auditor's copy) or that other users
of the machine can read protects nothing.

A rotation (``coopledger key rotate``) writes the new hub key beside the current one
(``<key>.next``) before anything else and puts it in place only once the books are
committed encrypted to it; until then both are tried, so a crash never locks the hub out.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeAlias

import pyrage
from pyrage import ssh, x25519

from ledger.config import HubConfig
from ledger.errors import KeyFileError, RosterError
from ledger.i18n import _, system_error
from ledger.outputs import inside

AGE_SECRET_PREFIX = "AGE-SECRET-KEY-"
SSH_PRIVATE_HEADER = "-----BEGIN OPENSSH PRIVATE KEY-----"
PENDING_SUFFIX = ".next"

# x25519.Identity | ssh.Identity and the same for recipients (pyrage ships no type hints).
Identity: TypeAlias = Any
Recipient: TypeAlias = Any


# ---------------------------------------------------------------- recipients


def parse_recipient(text: str) -> Recipient:
    """An age (``age1…``) or SSH (``ssh-ed25519 …``) public key."""
    value = text.strip()
    try:
        if value.startswith("ssh-"):
            return ssh.Recipient.from_str(value)
        return x25519.Recipient.from_str(value)
    except pyrage.RecipientError:
        raise KeyFileError(
            _("not an age (age1…) or SSH (ssh-ed25519 …, ssh-rsa …) public key")
        ) from None


def recipients_of(config: HubConfig) -> list[Recipient]:
    """Every recipient of ``hub.toml``; refuses an empty or invalid list."""
    return parse_recipients(config.roster.recipients)


def parse_recipients(values: Sequence[str]) -> list[Recipient]:
    if not values:
        raise RosterError(_("hub.toml lists no roster recipients: nobody could read the roster"))
    out = []
    for value in values:
        try:
            out.append(parse_recipient(value))
        except KeyFileError:
            raise RosterError(
                _("hub.toml: roster.recipients holds an invalid age or SSH recipient")
            ) from None
    return out


def encrypt_to(recipients: Sequence[str], payload: bytes) -> bytes:
    """``payload`` encrypted with age to every recipient of the list."""
    return bytes(pyrage.encrypt(payload, parse_recipients(recipients)))


# ---------------------------------------------------------------- identities


def key_path(config: HubConfig) -> Path:
    """Where the hub's secret key is read from."""
    explicit = os.environ.get("COOPLEDGER_KEY_FILE")
    if explicit:
        return Path(explicit).expanduser()
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "coopledger" / "keys" / f"{config.id}.key"


def pending_path(path: Path) -> Path:
    """Where a rotation puts the new hub key until the books are encrypted to it."""
    return path.with_name(path.name + PENDING_SUFFIX)


def has_key(config: HubConfig) -> bool:
    path = key_path(config)
    return path.exists() or pending_path(path).exists()


def check_key_file(path: Path, books_root: Path | None = None) -> None:
    """Refuse a key inside the books or readable by anyone but its owner (says why)."""
    resolved = path.expanduser().resolve()
    if books_root is not None and inside(books_root, path):
        raise KeyFileError(
            _(
                "{path}: the key file is inside the books directory, which is shared "
                "(git, backups, auditors); move it out of the books (e.g. to "
                "~/.config/coopledger/keys/) and set COOPLEDGER_KEY_FILE",
                path=path,
            )
        )
    try:
        mode = resolved.stat().st_mode
    except OSError:
        raise KeyFileError(_("{path}: cannot read the key file", path=path)) from None
    loose = mode & (stat.S_IRWXG | stat.S_IRWXO)
    if loose:
        who = " and ".join(
            w
            for w, bits in (("its group", stat.S_IRWXG), ("other users", stat.S_IRWXO))
            if loose & bits
        )
        raise KeyFileError(
            _(
                "{path}: the key file can be read or changed by {who} (mode "
                "{mode:04o}); make it private with: chmod 600 {path}",
                path=path,
                who=who,
                mode=stat.S_IMODE(mode),
            )
        )


def parse_identities(payload: bytes, where: str) -> list[Identity]:
    """The identities of an age identity file or an unencrypted OpenSSH private key."""
    text = payload.decode("utf-8", errors="replace")
    if SSH_PRIVATE_HEADER in text:
        try:
            return [ssh.Identity.from_buffer(payload)]
        except pyrage.IdentityError:
            raise KeyFileError(
                _(
                    "{where}: an SSH private key pyrage cannot use (a passphrase-protected key "
                    "is not supported; use an age key or an unprotected ed25519 key)",
                    where=where,
                )
            ) from None
    out: list[Identity] = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith(AGE_SECRET_PREFIX):
            try:
                out.append(x25519.Identity.from_str(line))
            except pyrage.IdentityError:
                raise KeyFileError(
                    _("{where}: holds a damaged age secret key", where=where)
                ) from None
    if not out:
        raise KeyFileError(
            _("{where}: not an age secret key file nor an OpenSSH private key", where=where)
        )
    return out


def read_key_file(path: Path, books_root: Path | None = None) -> list[Identity]:
    """The identities in a key file, after checking where it is and who can read it."""
    check_key_file(path, books_root)
    try:
        payload = path.read_bytes()
    except OSError:
        raise KeyFileError(_("{path}: cannot read the key file", path=path)) from None
    return parse_identities(payload, str(path))


def load_identities(config: HubConfig, books_root: Path | None = None) -> list[Identity]:
    """The hub key at hand (and the pending one of an unfinished rotation)."""
    path = key_path(config)
    pending = pending_path(path)
    if not path.exists() and not pending.exists():
        raise RosterError(
            _(
                "no hub key at {path}: the roster cannot be opened "
                "(set COOPLEDGER_KEY_FILE to the key's path)",
                path=path,
            )
        )
    out: list[Identity] = []
    for candidate in (path, pending):
        if candidate.exists():
            out.extend(read_key_file(candidate, books_root))
    return out


def decrypt_with(
    identities: Sequence[Identity], ciphertext: bytes, what: str = _("the roster")
) -> bytes:
    try:
        return bytes(pyrage.decrypt(ciphertext, list(identities)))
    except pyrage.DecryptError:
        raise RosterError(
            _("{what} cannot be decrypted with the hub key at hand", what=what)
        ) from None


# ---------------------------------------------------------------- writing secret keys


def new_identity() -> x25519.Identity:
    return x25519.Identity.generate()


def identity_text(identity: x25519.Identity, purpose: str) -> str:
    """The text of an age identity file (comments say what it is; no personal data)."""
    return (
        f"# coopledger {purpose}: keep it away from the books.\n"
        f"# public key: {identity.to_public()}\n"
        f"{identity}\n"
    )


def write_secret(path: Path, text: str, books_root: Path | None = None) -> None:
    """Write a secret key file (mode 0600, folder 0700), never inside the books, never
    over an existing file."""
    path = path.expanduser()
    if books_root is not None and inside(books_root, path):
        raise KeyFileError(
            _(
                "{path}: a key file may not be written inside the books directory "
                "(they are shared: git, backups, auditors); choose a path outside it",
                path=path,
            )
        )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyFileError(
            _("{path}: already exists; refusing to overwrite a key", path=path)
        ) from None
    except OSError as exc:
        raise KeyFileError(
            _("{path}: cannot write the key ({strerror})", path=path, strerror=system_error(exc))
        ) from None
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def create_key(path: Path, books_root: Path | None = None) -> str:
    """Generate the hub key at ``path`` (mode 0600) unless one is there; returns its public
    recipient (an existing key is checked first, like any key the hub uses)."""
    if path.exists():
        identities = read_key_file(path, books_root)
        first = identities[0]
        if isinstance(first, x25519.Identity):
            return str(first.to_public())
        raise KeyFileError(
            _(
                "{path}: an SSH key cannot be the hub key created by init; list its public key "
                "in hub.toml instead",
                path=path,
            )
        )
    identity = new_identity()
    write_secret(path, identity_text(identity, "hub key"), books_root)
    return str(identity.to_public())


def finish_rotation(config: HubConfig) -> bool:
    """Put a rotation's pending hub key in place once the books are encrypted to it."""
    path = key_path(config)
    pending = pending_path(path)
    if not pending.exists():
        return False
    try:
        identities = parse_identities(pending.read_bytes(), str(pending))
    except (OSError, KeyFileError):
        return False
    publics = {
        str(i.to_public()) for i in identities if isinstance(i, x25519.Identity)
    }  # an SSH identity is never pending
    if not publics & set(config.roster.recipients):
        return False  # the rotation did not reach the books: the current key stays
    os.replace(pending, path)
    return True


def discard_pending(config: HubConfig) -> None:
    with contextlib.suppress(FileNotFoundError):
        pending_path(key_path(config)).unlink()


def public_keys(identities: Iterable[Identity]) -> list[str]:
    """The public recipients of age identities (SSH ones are listed by their owner)."""
    return [str(i.to_public()) for i in identities if isinstance(i, x25519.Identity)]
