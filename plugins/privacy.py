"""Privacy lint: identities never enter the books.

Participants are known by pseudonymous code only. This plugin refuses, on every load (so a
hand edit is reported with its file and line):

* metadata keys that would carry an identity (name, alias, phone, address, e-mail, birth
  date, nationality, residence status…) on any entry that concerns a participant;
* on any entry, a narration, payee or free-text value (description, supplier, purpose,
  reason, activity, communication, counterparty…) that holds an e-mail address, a phone
  number, a street address, or an IBAN other than the hub's own accounts — the shapes the
  roster guard (:mod:`ledger.privacy.guard`) refuses before anything is written.

It has no key, so it cannot recognise a name in free text; the commands that write the
books check texts against the roster before writing. Messages name the entry and the
field, never the value.
"""

from __future__ import annotations

import collections
import re
from typing import Any

from beancount.core import data

from ledger.i18n import _
from ledger.privacy.patterns import pattern_problem

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


FREE_TEXT_KEYS = frozenset(
    {
        "description", "supplier", "purpose", "reason", "activity", "communication",
        "counterparty", "references", "note", "notes", "memo", "comment", "label",
    }
)  # fmt: skip


def _own_ibans(entries: list[data.Directive]) -> set[str]:
    """The hub's own bank accounts (an opening narration names them)."""
    return {
        str(e.meta.get("iban"))
        for e in entries
        if isinstance(e, data.Open) and e.meta and e.meta.get("iban")
    }


_TWELVE_DIGITS = re.compile(r"(?<!\d)\d{12}(?!\d)")


def _own_ogms(entries: list[data.Directive]) -> set[str]:
    """The structured communications of the books' own invoices, as 12 digits: an OGM's
    check digits are those of an old Belgian account number, so one written bare in a
    text would pass for an account."""
    out = set()
    for e in entries:
        meta = e.meta or {}
        is_invoice = isinstance(e, data.Transaction) and meta.get("kind") == "invoice"
        value = meta.get("ogm") if is_invoice else None  # not a bank line's: the payer's
        if value:
            digits = re.sub(r"\D", "", str(value))
            if len(digits) == 12:
                out.add(digits)
    return out


def _without_own_ogms(text: str, ogms: set[str]) -> str:
    return _TWELVE_DIGITS.sub(lambda m: " " if m.group() in ogms else m.group(), text)


def _texts(entry: data.Directive) -> list[tuple[str, str]]:
    out = []
    if isinstance(entry, data.Transaction):
        out += [("narration", entry.narration or ""), ("payee", entry.payee or "")]
    meta = entry.meta or {}
    if not FREE_TEXT_KEYS.isdisjoint(meta):  # most entries have none: no loop over them
        for key, value in meta.items():
            if key in FREE_TEXT_KEYS and isinstance(value, str):
                out.append((key, value))
    return [(k, v) for k, v in out if v]


def _concerns_participant(entry: data.Directive) -> bool:
    if "participant" in entry.meta:
        return True
    if isinstance(entry, data.Transaction):
        return any(p.meta and "participant" in p.meta for p in entry.postings)
    return False


def _party_on_hand_entry(entry: data.Directive, own: set[str]) -> bool:
    """A counterparty's name or full IBAN on an entry about a participant is the bank's
    (the importer keeps a client's or a business's, on the movement itself, ``kind:
    "bank"``); on any other entry it can only be hers, written by hand."""
    if entry.meta.get("kind") == "bank" and entry.meta.get("bank-ref"):
        return False
    iban = str(entry.meta.get("counterparty-iban") or "").replace(" ", "").upper()
    return bool(entry.meta.get("counterparty")) or bool(iban and iban not in own)


def check_privacy(
    entries: list[data.Directive], options_map: dict[str, Any], config: str | None = None
) -> tuple[list[data.Directive], list[Any]]:
    errors = []
    own = _own_ibans(entries)
    # The same texts come back (a client's name as payee, a kind of narration): each is
    # looked at once a load (pattern_problem is a pure function of the text).
    problems: dict[str, str | None] = {}
    ogms: set[str] | None = None
    for entry in entries:
        for field, text in _texts(entry):
            for iban in own:
                text = text.replace(iban, " ")
            if text in problems:
                found = problems[text]
            else:
                found = problems[text] = pattern_problem(text)
                if found is not None and ogms is None:
                    ogms = _own_ogms(entries)  # only once something looks personal
                if found is not None and ogms and _TWELVE_DIGITS.search(text):
                    found = problems[text] = pattern_problem(_without_own_ogms(text, ogms))
            if found is not None:
                errors.append(
                    PrivacyError(
                        entry.meta,
                        _(
                            "the {field} holds {found}: personal details belong in the encrypted "
                            "roster only (the value is not repeated here)",
                            field=field,
                            found=found,
                        ),
                        entry,
                    )
                )
        if not entry.meta or not _concerns_participant(entry):
            continue
        if _party_on_hand_entry(entry, own):
            errors.append(
                PrivacyError(
                    entry.meta,
                    _(
                        "counterparty or full counterparty-iban on an entry about a participant "
                        "that is no bank movement: her name and account belong in the encrypted "
                        "roster only (the value is not repeated here)"
                    ),
                    entry,
                )
            )
        metas = [entry.meta]
        if isinstance(entry, data.Transaction):
            metas.extend(p.meta for p in entry.postings if p.meta)
        for meta in metas:
            if FORBIDDEN_KEYS.isdisjoint(map(str.lower, meta)):
                continue  # the usual case, without sorting anything
            bad = sorted(k for k in meta if k.lower() in FORBIDDEN_KEYS)
            if bad:
                errors.append(
                    PrivacyError(
                        entry.meta,
                        _(
                            "metadata {bad} refused on an entry about a participant: "
                            "personal details belong in the encrypted roster only",
                            bad=", ".join(bad),
                        ),
                        entry,
                    )
                )
    return entries, errors
