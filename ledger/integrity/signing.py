"""Signed history: git SSH signing of every commit and close tag of the books.

``coopledger init --signing-key KEY`` (or ``restore --signing-key KEY``) configures the
books' repository to sign with an SSH key (``gpg.format ssh``, ``user.signingkey``,
``commit.gpgSign``, ``tag.gpgSign``) and writes ``allowed_signers`` into the books (the
public key, committed with them). From then on ``coopledger verify`` requires a good
signature by an allowed key on every commit since ``allowed_signers`` appeared and on every
close tag; an auditor can pass the ``allowed_signers`` the hub gave them with
``verify --allowed-signers FILE`` rather than trust the books' copy. A signature proves who
committed, not that the change was right: the hash chain and the tags do that.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from ledger.books import atomic_write, git
from ledger.errors import InputError
from ledger.i18n import _

SIGNERS_FILE = "allowed_signers"


def public_key(key: Path) -> str:
    """The OpenSSH public key of ``key`` (a private key file, or its ``.pub``)."""
    if not key.is_file():
        raise InputError(_("--signing-key {key}: no such file", key=key))
    if key.suffix == ".pub":
        text = key.read_text().strip()
    else:
        proc = subprocess.run(
            ["ssh-keygen", "-y", "-f", str(key)], capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            raise InputError(
                _("--signing-key {key}: not an SSH private key ssh-keygen can read", key=key)
            )
        text = proc.stdout.strip()
    parts = text.split()
    if len(parts) < 2 or not parts[0].startswith(("ssh-", "ecdsa-", "sk-")):
        raise InputError(_("--signing-key {key}: not an SSH key", key=key))
    return f"{parts[0]} {parts[1]}"


def signers_line(principal: str, key: Path) -> str:
    return f'{principal} namespaces="git" {public_key(key)}\n'


def configure_signing(root: Path, key: Path, principal: str, write_signers: bool = True) -> str:
    """Make the books' repository sign with ``key``; returns the signers file's path."""
    line = signers_line(principal, key)
    signers = root / SIGNERS_FILE
    if write_signers:
        atomic_write(signers, line.encode())
    for name, value in (
        ("gpg.format", "ssh"),
        ("user.signingkey", str(key.resolve())),
        ("commit.gpgSign", "true"),
        ("tag.gpgSign", "true"),
        ("gpg.ssh.allowedSignersFile", str(signers.resolve())),
    ):
        git(root, "config", name, value)
    return SIGNERS_FILE
