"""Privacy lint: identities never enter the books.

Participants are known by pseudonymous code only. This plugin refuses metadata keys that
would carry an identity (name, alias, phone, address, e-mail, birth date, nationality,
residence status…) on any entry that concerns a participant, and any metadata value or
narration that holds a roster-like ``alias:`` marker. It cannot recognise a name in free
text; the commands that write the books never put one there.
"""

from __future__ import annotations

import collections
from typing import Any

from beancount.core import data

__plugins__ = ("check_privacy",)

PrivacyError = collections.namedtuple("PrivacyError", "source message entry")

FORBIDDEN_KEYS = frozenset(
    {
        "name", "alias", "first-name", "last-name", "surname", "full-name", "phone",
        "telephone", "mobile", "address", "street", "email", "e-mail", "birth", "birthdate",
        "birth-date", "date-of-birth", "nationality", "passport", "residence", "status-sejour",
        "national-number", "rijksregisternummer", "niss",
    }
)  # fmt: skip


def _concerns_participant(entry: data.Directive) -> bool:
    if "participant" in entry.meta:
        return True
    if isinstance(entry, data.Transaction):
        return any(p.meta and "participant" in p.meta for p in entry.postings)
    return False


def check_privacy(
    entries: list[data.Directive], options_map: dict[str, Any], config: str | None = None
) -> tuple[list[data.Directive], list[Any]]:
    errors = []
    for entry in entries:
        if not entry.meta or not _concerns_participant(entry):
            continue
        metas = [entry.meta]
        if isinstance(entry, data.Transaction):
            metas.extend(p.meta for p in entry.postings if p.meta)
        for meta in metas:
            bad = sorted(k for k in meta if k.lower() in FORBIDDEN_KEYS)
            if bad:
                errors.append(
                    PrivacyError(
                        entry.meta,
                        f"metadata {', '.join(bad)} refused on an entry about a participant: "
                        "personal details belong in the encrypted roster only",
                        entry,
                    )
                )
    return entries, errors
