"""An issued document against the entry that issued it, and a number once issued.

The JSON record beside an issued document's PDF (and UBL) says what was issued; its
sha256 is in the issuing entry (``record-sha256``), so a record whose bytes still give it
is what was issued, and an entry that says something else was changed after the issue.
These are file checks over the books as loaded (``coopledger books check``, ``audit
verify``, the write path of an issue), never a plugin: the plugins are pure functions over
the entries and read no file.

* :func:`record_mismatches`: each issued entry against its record — number, date, client,
  participant, the corrected invoice, the totals (per VAT rate, summed) and every posting
  the document books (the receivable first);
* :func:`unissued_files`: a file under ``documents/invoices/YEAR/`` that no entry issues
  (its number was issued: its entry was removed, a gap in the numbering);
* :func:`committed_before`: files the git history already had (a number issued before,
  whose entry and files were removed since: it is never issued again);
* :func:`removed_from_history`: documents and issue entries git history shows were
  committed and are gone now (``coopledger audit verify``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from beancount.core import data

from invoicing.i18n import kind_word
from invoicing.postings import DOCUMENTS_DIR, document_postings
from ledger.books import git
from ledger.config import HubConfig
from ledger.i18n import Message, _
from ledger.integrity.carried import marker as carried_marker
from ledger.integrity.chain import RECORD_META, entry_ref
from ledger.view import BORNE_BY, HUB, number_of

KINDS = ("invoice", "credit-note")
# ``-  invoice: "2026-0003"`` / ``-  credit-note: "NC2026-0001"`` in a diff: a line gone
REMOVED_NUMBER = re.compile(r'^-\s+(?:invoice|credit-note):\s+"([^"]+)"')


@dataclass(frozen=True)
class Mismatch:
    """An issued entry that does not say what its record says."""

    entry: data.Transaction
    number: str
    record: str  # the record's path, relative to the books
    fields: tuple[str, ...]  # what differs, as ``what now ≠ issued``


def _amount(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _sums(entry: data.Transaction) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for posting in entry.postings:
        if posting.units is not None and posting.units.number is not None:
            out[posting.account] = out.get(posting.account, Decimal(0)) + posting.units.number
    return out


def entry_differences(
    config: HubConfig, entry: data.Transaction, record: dict[str, Any]
) -> list[str]:
    """What ``entry`` (an invoice or credit note) says that its ``record`` does not."""
    meta = entry.meta or {}
    kind = str(meta.get("kind"))
    said = {
        "kind": kind,
        "number": number_of(entry) or "",
        "date": entry.date.isoformat(),
        "client": str(meta.get("client", "")),
        "participant": str(meta.get("participant", "")),
    }
    client = record.get("client")
    reference = record.get("reference")
    issued = {
        "kind": str(record.get("kind", "")),
        "number": str(record.get("number", "")),
        "date": str(record.get("date", "")),
        "client": str(client.get("id", "")) if isinstance(client, dict) else "",
        "participant": str(record.get("participant", "")),
    }
    if kind == "credit-note":
        said["invoice"] = str(meta.get("invoice", ""))
        issued["invoice"] = str(reference.get("number", "")) if isinstance(reference, dict) else ""
    hub_bears = record.get("hub_bears") is True
    if meta.get(BORNE_BY) is not None or hub_bears:
        said[BORNE_BY] = str(meta.get(BORNE_BY, ""))
        issued[BORNE_BY] = HUB if hub_bears else ""
    # ``now ≠ issued``: the same in every language (names of the record's fields, amounts)
    out = [f"{k} {said[k]} ≠ {issued[k]}" for k in said if said[k] != issued[k]]
    found = record.get("totals")
    totals: dict[str, Any] = found if isinstance(found, dict) else {}
    net, vat, gross = (_amount(totals.get(k)) for k in ("net", "vat", "gross"))
    groups = [g for g in totals.get("groups") or () if isinstance(g, dict)]
    bases = [_amount(g.get("base")) for g in groups]
    vats = [_amount(g.get("vat")) for g in groups]
    if net is None or vat is None or gross is None or None in bases or None in vats:
        return [*out, "totals (unreadable)"]
    if (
        sum(b for b in bases if b is not None) != net
        or sum(v for v in vats if v is not None) != vat
        or net + vat != gross
    ):
        out.append("totals (the VAT rates do not add up)")
    # The VAT the document charged is owed, whatever the hub's regime is today (it may have
    # changed since: a franchise hub going over the threshold, or the other way).
    try:
        expected = document_postings(
            config, kind, issued["participant"], net, vat, vat != 0, hub_bears=hub_bears
        )
    except KeyError:  # an unknown account role: the chart is not coopledger's
        return [*out, "postings"]
    want: dict[str, Decimal] = {}
    for posting in expected:
        assert posting.units is not None and posting.units.number is not None
        want[posting.account] = want.get(posting.account, Decimal(0)) + posting.units.number
    have = _sums(entry)
    for account in sorted(set(want) | set(have), key=lambda a: (a not in want, a)):
        now, then = have.get(account, Decimal(0)), want.get(account, Decimal(0))
        if now != then:
            out.append(f"{account} {now:.2f} ≠ {then:.2f}")
    return out


def issued_entries(entries: Iterable[data.Directive]) -> list[tuple[data.Transaction, str]]:
    """Each invoice and credit note that names its JSON record, with the record's path."""
    out = []
    for entry in entries:
        if isinstance(entry, data.Transaction) and entry.meta.get("kind") in KINDS:
            record = entry.meta.get(RECORD_META)
            if isinstance(record, str) and record:
                out.append((entry, record))
    return out


def record_mismatches(
    config: HubConfig, entries: Iterable[data.Directive], root: Path
) -> list[Mismatch]:
    """Every issued entry that no longer says what its record says (a record that cannot
    be read, or is not the one issued, is the sha256 check's finding, not this one's)."""
    out = []
    for entry, rel in issued_entries(entries):
        try:
            raw = (root / rel).read_bytes()
            record = json.loads(raw)
        except (OSError, ValueError):
            continue
        if hashlib.sha256(raw).hexdigest() != entry.meta.get("record-sha256"):
            continue  # not the record issued: the sha256 check names the file
        if not isinstance(record, dict):
            continue
        fields = entry_differences(config, entry, record)
        if fields:
            out.append(Mismatch(entry, number_of(entry) or "", rel, tuple(fields)))
    return out


def _referenced(entries: Iterable[data.Directive], root: Path) -> set[str]:
    """The files the entries issue or attach, relative to the books (a legacy record, the
    ``<stem>.json`` beside a document, counts with its document)."""
    base = str(root)
    found: set[str] = set()
    for entry in entries:
        if isinstance(entry, data.Document):
            rel = os.path.relpath(os.path.abspath(entry.filename), base).replace(os.sep, "/")
            found.add(rel)
            found.add(os.path.splitext(rel)[0] + ".json")
        record = (entry.meta or {}).get(RECORD_META)
        if isinstance(record, str) and record:
            found.add(record)
    return found


def unissued_files(
    entries: list[data.Directive], root: Path, after: int | None = None
) -> list[str]:
    """The files under ``documents/invoices/YEAR/`` (years after ``after``: the live books
    load no closed year) that no entry of the books issues, sorted."""
    folder = root / DOCUMENTS_DIR
    try:
        years = sorted(
            p.name
            for p in folder.iterdir()
            if p.name.isdigit() and (after is None or int(p.name) > after) and p.is_dir()
        )
    except OSError:
        return []
    files = []
    for year in years:
        with os.scandir(folder / year) as it:
            files += [
                f"{DOCUMENTS_DIR}/{year}/{item.name}"
                for item in it
                if not item.name.startswith(".") and not item.is_dir(follow_symlinks=False)
            ]
    if not files:
        return []
    known = _referenced(entries, root)
    return sorted(rel for rel in files if rel not in known)


@dataclass(frozen=True)
class Problem:
    """One line of ``books check``: where (a file of the books) and what."""

    where: str
    message: Message
    fields: tuple[str, ...] = ()


def issued_problems(config: HubConfig, entries: list[data.Directive], root: Path) -> list[Problem]:
    """Each issued entry that no longer says what its record says, named at its file and
    line, and each file of the issued documents' folders no entry issues. The live books
    load no closed year: a closed year's folders are the anchors' diff against its tag."""
    out = []
    for mismatch in record_mismatches(config, entries, root):
        message = _(
            "{entry_at}: {kind} {number} no longer says what was issued ({fields}; its "
            "record {record} is intact): the entry was changed after the issue; restore it "
            "(git log -p -- FILE)",
            entry_at=entry_ref(mismatch.entry, str(root)),
            kind=kind_word(str(mismatch.entry.meta.get("kind"))),
            number=mismatch.number,
            fields="; ".join(mismatch.fields),
            record=mismatch.record,
        )
        out.append(Problem(mismatch.record, message, mismatch.fields))
    mark = carried_marker(entries)
    after = int(str(mark.values[0].value)) if mark is not None and mark.values else None
    for rel in unissued_files(entries, root, after):
        message = _(
            "{rel}: an issued document no entry of the books issues: its number was issued "
            "and its entry removed (a gap in the numbering); restore the entry from git",
            rel=rel,
        )
        out.append(Problem(rel, message))
    return out


def committed_before(root: Path, paths: Iterable[str]) -> dict[str, str]:
    """Of ``paths``, those some commit of the history already touched, with that commit
    (books not under git: none). One ``git log`` for them all."""
    wanted = sorted(set(paths))
    if not wanted or not (root / ".git").exists():
        return {}
    log = git(
        root, "log", "--format=%x01%H", "--name-only", "--no-renames", "HEAD", "--", *wanted,
        check=False,
    ).stdout  # fmt: skip
    found: dict[str, str] = {}
    for block in log.split("\x01")[1:]:
        commit, _sep, names = block.partition("\n")
        for name in names.splitlines():
            if name in wanted:
                found.setdefault(name, commit.strip())
    return found


@dataclass(frozen=True)
class Removed:
    """A document or an issue entry the history had and the books no longer have."""

    what: str  # the file's path, or the document's number
    commit: str  # the commit that removed it
    again: bool = False  # a file written again since (a number issued twice)


def rewritten_in_history(root: Path) -> list[Removed]:
    """Documents (``documents/``) a commit changed after the commit that wrote them: an
    issued document, a receipt, an archive is written once. Only the encrypted archives
    (``*.age``) are written again, when the hub's keys change (``key rotate``)."""
    log = git(
        root, "log", "--diff-filter=MT", "--no-renames", "--format=%x01%H", "--name-only",
        "HEAD", "--", "documents/", check=False,
    ).stdout  # fmt: skip
    out: list[Removed] = []
    seen: set[str] = set()
    for block in log.split("\x01")[1:]:
        commit, _sep, names = block.partition("\n")
        for name in names.splitlines():
            if name.strip() and not name.endswith(".age") and name not in seen:
                seen.add(name)
                out.append(Removed(name, commit.strip()))
    return out


def removed_from_history(root: Path, entries: list[data.Directive]) -> list[Removed]:
    """Documents (``documents/``) a commit deleted, and issue entries whose number a commit
    removed and the books (``entries``: the full history) no longer have."""
    out = []
    log = git(
        root, "log", "--diff-filter=D", "--no-renames", "--format=%x01%H", "--name-only",
        "HEAD", "--", "documents/", check=False,
    ).stdout  # fmt: skip
    seen: set[str] = set()
    for block in log.split("\x01")[1:]:
        commit, _sep, names = block.partition("\n")
        for name in names.splitlines():
            if name.strip() and name not in seen:
                seen.add(name)
                out.append(Removed(name, commit.strip(), (root / name).exists()))
    numbers = {number_of(e) for e in entries if isinstance(e, data.Transaction)}
    log = git(
        root, "log", "--format=%x01%H", "-p", "-U0", "--no-renames",
        "-G", r'(invoice|credit-note): "', "HEAD", "--", "*.beancount", check=False,
    ).stdout  # fmt: skip
    gone: dict[str, str] = {}
    for block in log.split("\x01")[1:]:
        commit, _sep, diff = block.partition("\n")
        for line in diff.splitlines():
            match = REMOVED_NUMBER.match(line)
            if match and match.group(1) not in numbers:
                gone.setdefault(match.group(1), commit.strip())
    out += [Removed(number, commit) for number, commit in sorted(gone.items())]
    return out
