"""The bank file encrypted with age for the archive in the books — never kept in clear.

A bank statement names everyone the hub paid or was paid by, participants included; the
books are shared with auditors and kept in git. So the original file is stored encrypted
to the same age recipients as the roster (``[roster] recipients`` in ``hub.toml``). Apart
from :mod:`importers.archive` (beangulp's command line, which an import does not need).
"""

from __future__ import annotations

from collections.abc import Sequence

import pyrage
from pyrage import ssh, x25519

from ledger.errors import CoopledgerError
from ledger.i18n import _


class ArchiveError(CoopledgerError):
    """The bank file cannot be encrypted for the archive (bad recipients in hub.toml)."""


def encrypt_for(recipients: Sequence[str], payload: bytes) -> bytes:
    """``payload`` encrypted with age to every recipient (``age1…`` or ``ssh-…``)."""
    if not recipients:
        raise ArchiveError(_("hub.toml lists no roster recipients: the bank file cannot be kept"))
    try:
        keys = [
            ssh.Recipient.from_str(r) if r.startswith("ssh-") else x25519.Recipient.from_str(r)
            for r in recipients
        ]
    except pyrage.RecipientError:
        raise ArchiveError(
            _("hub.toml: roster.recipients holds an invalid age recipient")
        ) from None
    return bytes(pyrage.encrypt(payload, keys))
