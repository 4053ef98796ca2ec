"""The hash chain of closed years: a canonical text form for every sealed record.

A *record* is one entry of the books (any directive but the seal itself and the
transactions the pad plugin synthesises) or one issued document file (invoice and
credit-note PDF, UBL XML and JSON record). Each record has a canonical text form: one
``field<TAB>value`` line per field, amounts written as exact ``Decimal`` text (never a
float), strings JSON-quoted, metadata sorted by key, postings in their written order with
their flag, units, cost, price and metadata. File name and line number are not part of it:
moving an entry to another file or reformatting the text keeps the chain; changing what an
entry says breaks it.

The records of a close are ordered by date, then by Beancount's directive order, then by
content hash, so the order does not depend on the layout of the files. Record *n* gets the
chained hash ``sha256("coopledger-chain-v2\\n" + hash[n-1] + "\\n" + n + "\\n" +
content_sha256[n] + "\\n")``; the first record of a close chains on the head of the previous
close (or 64 zeros). The last hash, the *head*, is written in the seal and in the close's
annotated git tag. The chain itself (position, reference, fields, content hash, chained
hash) is kept in ``<year>/chain.jsonl`` so a changed record can be named, field by field,
from the books alone. Pure functions only: no I/O here but the caller's bytes.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import amount as bc_amount
from beancount.core import data, position

from ledger.i18n import _

CHAIN_VERSION = 2
RECORD_PREFIX = "coopledger-record-v2\n"
LINK_PREFIX = "coopledger-chain-v2\n"
GENESIS = "0" * 64
SEAL_TYPE = "year-closed"
SKIPPED_META = frozenset({"filename", "lineno"})
DOCUMENT_RANK = 3  # after every directive of the same day
RECORD_META = "record"  # meta of an issued document's entry: path of its JSON record


class ChainFileError(ValueError):
    """A chain file that cannot be read (the message says where)."""


# ---------------------------------------------------------------- canonical values


def decimal_text(number: Decimal) -> str:
    """Exact text of a number, trailing zeros dropped (12.50 and 12.5 are one amount)."""
    if not number.is_finite():
        return str(number)
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text


def value_text(value: Any) -> str:
    """Canonical text of a metadata or directive value; types stay distinguishable."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bc_amount.Amount):
        number = value.number
        num = decimal_text(number) if isinstance(number, Decimal) else "null"
        return f"{num} {value.currency}"
    if isinstance(value, position.Cost):
        per_unit = decimal_text(value.number) if isinstance(value.number, Decimal) else "null"
        return (
            f"{{{per_unit} {value.currency} {value_text(value.date)} {value_text(value.label)}}}"
        )
    if isinstance(value, position.CostSpec):
        parts = [value_text(v) for v in value]
        return "{spec " + " ".join(parts) + "}"
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, (set, frozenset)):
        return "[" + ",".join(sorted(value_text(v) for v in value)) + "]"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(value_text(v) for v in value) + "]"
    return json.dumps(f"{type(value).__name__}:{value!r}", ensure_ascii=False)


def _meta_fields(prefix: str, meta: dict[str, Any] | None) -> list[tuple[str, str]]:
    if not meta:
        return []
    return [
        (f"{prefix}meta.{key}", value_text(meta[key]))
        for key in sorted(meta)
        if key not in SKIPPED_META and not key.startswith("__")
    ]


@functools.lru_cache(maxsize=4096)
def _relpath(filename: str, root: str) -> str:
    rel = os.path.relpath(filename, root) if os.path.isabs(filename) else filename
    return rel.replace(os.sep, "/")


def entry_fields(entry: data.Directive, root: str) -> list[tuple[str, str]]:
    """The canonical fields of one directive, in a fixed order."""
    out: list[tuple[str, str]] = [("type", type(entry).__name__), ("date", entry.date.isoformat())]
    if isinstance(entry, data.Transaction):
        out += [
            ("flag", value_text(entry.flag)),
            ("payee", value_text(entry.payee)),
            ("narration", value_text(entry.narration)),
            ("tags", value_text(entry.tags or frozenset())),
            ("links", value_text(entry.links or frozenset())),
        ]
        out += _meta_fields("", entry.meta)
        for index, posting in enumerate(entry.postings):
            p = f"posting[{index}]."
            out += [
                (p + "account", posting.account),
                (p + "flag", value_text(posting.flag)),
                (p + "units", value_text(posting.units)),
                (p + "cost", value_text(posting.cost)),
                (p + "price", value_text(posting.price)),
            ]
            out += _meta_fields(p, posting.meta)
        return out
    if isinstance(entry, data.Custom):
        out.append(("custom", value_text(entry.type)))
        out += [(f"value[{i}]", value_text(v.value)) for i, v in enumerate(entry.values)]
    elif isinstance(entry, data.Document):
        out += [
            ("account", entry.account),
            ("filename", value_text(_relpath(entry.filename, root))),
            ("tags", value_text(entry.tags or frozenset())),
            ("links", value_text(entry.links or frozenset())),
        ]
    elif isinstance(entry, data.Balance):
        out += [
            ("account", entry.account),
            ("amount", value_text(entry.amount)),
            ("tolerance", value_text(entry.tolerance)),
        ]
    else:
        for name in entry._fields:
            if name in ("meta", "date"):
                continue
            value = getattr(entry, name)
            out.append((name, value if name == "account" else value_text(value)))
    out += _meta_fields("", entry.meta)
    return out


def content_hash(fields: Sequence[tuple[str, str]]) -> str:
    text = RECORD_PREFIX + "".join(f"{name}\t{value}\n" for name, value in fields)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def link_hash(previous: str, pos: int, content: str) -> str:
    text = f"{LINK_PREFIX}{previous}\n{pos}\n{content}\n"
    return hashlib.sha256(text.encode("ascii")).hexdigest()


# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class Record:
    """One record of a close, before it gets its position."""

    kind: str  # "entry" or "document"
    date: dt.date
    rank: int
    fields: tuple[tuple[str, str], ...]
    ref: str  # "file:line" of an entry, the books-relative path of a document
    entry: data.Directive | None = field(default=None, compare=False, hash=False)
    # computed once: sorting, comparing and chaining all ask for it
    sha256: str = field(init=False, default="", compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sha256", content_hash(self.fields))

    def sort_key(self) -> tuple[dt.date, int, str]:
        return (self.date, self.rank, self.sha256)


def pad_positions(entries: Iterable[data.Directive]) -> frozenset[tuple[str, int]]:
    """Where the ``pad`` directives are: the transactions beancount synthesises for them
    carry a copy of their metadata (file and line), and the flag ``P``."""
    return frozenset(
        (str(e.meta.get("filename")), int(e.meta.get("lineno") or 0))
        for e in entries
        if isinstance(e, data.Pad) and e.meta
    )


def is_synthesised_pad(entry: data.Directive, pads: frozenset[tuple[str, int]]) -> bool:
    """A transaction beancount made for a ``pad`` — not one written with the flag ``P``
    (a hand edit so written is an entry like any other: sealed, and dated where it is)."""
    if not (isinstance(entry, data.Transaction) and entry.flag == "P"):
        return False
    meta = entry.meta or {}
    return (str(meta.get("filename")), int(meta.get("lineno") or 0)) in pads


def is_sealable(entry: data.Directive, pads: frozenset[tuple[str, int]] = frozenset()) -> bool:
    """Entries the chain covers: everything but seals and synthesised pad transactions
    (``pads``: :func:`pad_positions` of the entries)."""
    if isinstance(entry, data.Custom) and entry.type == SEAL_TYPE:
        return False
    return not is_synthesised_pad(entry, pads)


def entry_ref(entry: data.Directive, root: str) -> str:
    meta = entry.meta or {}
    filename = str(meta.get("filename", "<unknown>"))
    if not filename.startswith("<"):
        filename = _relpath(filename, root)
    return f"{filename}:{meta.get('lineno', 0)}"


def _rank(entry: data.Directive) -> int:
    return data.SORT_ORDER.get(type(entry), 0)


def entry_record(entry: data.Directive, root: str) -> Record:
    return Record(
        "entry",
        entry.date,
        _rank(entry),
        tuple(entry_fields(entry, root)),
        entry_ref(entry, root),
        entry,
    )


def in_range(entry: data.Directive, after: dt.date | None, until: dt.date) -> bool:
    return entry.date <= until and (after is None or entry.date > after)


def entry_records(
    entries: Iterable[data.Directive], root: str, after: dt.date | None, until: dt.date
) -> list[Record]:
    """The entry records of the close covering ``(after, until]``."""
    entries = list(entries)
    pads = pad_positions(entries)
    covered = (e for e in entries if in_range(e, after, until) and is_sealable(e, pads))
    return [entry_record(e, root) for e in covered]


def document_files(
    entries: Iterable[data.Directive], root: str, after: dt.date | None, until: dt.date
) -> list[tuple[dt.date, str, str | None]]:
    """``(date, books-relative path, sha256 recorded at issue or None)`` of every document
    the close covers: each ``document`` entry's file, the JSON record named by an entry's
    ``record`` metadata, and a legacy record (``<stem>.json`` beside a document)."""
    found: dict[str, tuple[dt.date, str | None]] = {}
    entries = list(entries)
    pads = pad_positions(entries)
    for entry in entries:
        if not in_range(entry, after, until) or not is_sealable(entry, pads):
            continue
        meta = entry.meta or {}
        if isinstance(entry, data.Document):
            rel = _relpath(entry.filename, root)
            recorded = meta.get("sha256")
            found.setdefault(rel, (entry.date, str(recorded) if recorded else None))
            stem, _ext = os.path.splitext(rel)
            sibling = f"{stem}.json"
            if sibling != rel and os.path.isfile(os.path.join(root, sibling)):
                found.setdefault(sibling, (entry.date, None))
        record = meta.get(RECORD_META)
        if isinstance(record, str) and record:
            recorded = meta.get("record-sha256")
            found[record] = (entry.date, str(recorded) if recorded else None)
    return sorted((d, rel, sha) for rel, (d, sha) in found.items())


def document_record(day: dt.date, relpath: str, sha256: str) -> Record:
    fields = (
        ("type", "document-file"),
        ("date", day.isoformat()),
        ("path", value_text(relpath)),
        ("sha256", sha256),
    )
    return Record("document", day, DOCUMENT_RANK, fields, relpath)


# ---------------------------------------------------------------- the chain


@dataclass(frozen=True)
class Link:
    pos: int
    record: Record
    chain: str


@dataclass(frozen=True)
class Chain:
    previous: str
    links: tuple[Link, ...]

    @property
    def head(self) -> str:
        return self.links[-1].chain if self.links else self.previous


def build_chain(records: Iterable[Record], previous: str) -> Chain:
    """Order the records and chain their hashes, starting from ``previous``."""
    links = []
    current = previous
    for pos, record in enumerate(sorted(records, key=Record.sort_key), start=1):
        current = link_hash(current, pos, record.sha256)
        links.append(Link(pos, record, current))
    return Chain(previous, tuple(links))


# ---------------------------------------------------------------- the chain file


@dataclass(frozen=True)
class StoredRecord:
    pos: int
    kind: str
    date: dt.date
    ref: str
    fields: tuple[tuple[str, str], ...]
    sha256: str
    chain: str
    lineno: int  # line of the chain file


@dataclass(frozen=True)
class ChainFile:
    year: int
    version: int
    previous: str
    head: str
    records: tuple[StoredRecord, ...]


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def render_chain_file(year: int, chain: Chain) -> bytes:
    """``<year>/chain.jsonl``: a header, one line per record, the head."""
    lines = [
        _dumps(
            {
                "chain": "coopledger",
                "version": CHAIN_VERSION,
                "year": year,
                "previous": chain.previous,
                "records": len(chain.links),
                "record_hash": "sha256(RECORD_PREFIX + 'field\\tvalue\\n'...)",
                "link_hash": "sha256('coopledger-chain-v2\\n' + previous + '\\n' + pos + "
                "'\\n' + sha256 + '\\n')",
            }
        )
    ]
    for link in chain.links:
        r = link.record
        lines.append(
            _dumps(
                {
                    "pos": link.pos,
                    "kind": r.kind,
                    "date": r.date.isoformat(),
                    "ref": r.ref,
                    "fields": [list(f) for f in r.fields],
                    "sha256": r.sha256,
                    "chain": link.chain,
                }
            )
        )
    lines.append(_dumps({"head": chain.head}))
    return ("\n".join(lines) + "\n").encode("utf-8")


def parse_chain_file(payload: bytes, name: str) -> ChainFile:
    """Read a chain file; :class:`ChainFileError` names the line that is not readable."""
    try:
        lines = payload.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise ChainFileError(_("{name}: not UTF-8", name=name)) from None
    if len(lines) < 2:
        raise ChainFileError(_("{name}: truncated (no header or no head)", name=name))
    try:
        header = json.loads(lines[0])
        year, version = int(header["year"]), int(header["version"])
        previous = str(header["previous"])
        records = []
        for lineno, line in enumerate(lines[1:-1], start=2):
            obj = json.loads(line)
            records.append(
                StoredRecord(
                    int(obj["pos"]),
                    str(obj["kind"]),
                    dt.date.fromisoformat(obj["date"]),
                    str(obj["ref"]),
                    tuple((str(k), str(v)) for k, v in obj["fields"]),
                    str(obj["sha256"]),
                    str(obj["chain"]),
                    lineno,
                )
            )
        head = str(json.loads(lines[-1])["head"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ChainFileError(
            _("{name}: unreadable ({error})", name=name, error=type(exc).__name__)
        ) from None
    return ChainFile(year, version, previous, head, tuple(records))


def chain_file_problems(
    chain_file: ChainFile, known: dict[str, tuple[tuple[str, str], ...]] | None = None
) -> list[tuple[int, str]]:
    """``(line, problem)`` for every stored record whose hashes do not add up. ``known``:
    fields already hashed (a record of the books now, by its hash): a stored record with
    those very fields is not hashed again."""
    problems = []
    current = chain_file.previous
    known = known or {}
    for expected_pos, rec in enumerate(chain_file.records, start=1):
        if rec.pos != expected_pos:
            problems.append((rec.lineno, f"record at position {rec.pos}, expected {expected_pos}"))
        if known.get(rec.sha256) != rec.fields and content_hash(rec.fields) != rec.sha256:
            problems.append((rec.lineno, f"record #{rec.pos}: its fields do not match its hash"))
        current = link_hash(current, expected_pos, rec.sha256)
        if current != rec.chain:
            problems.append((rec.lineno, f"record #{rec.pos}: chained hash does not follow"))
            current = rec.chain
    if current != chain_file.head:
        problems.append((len(chain_file.records) + 2, "the head is not the last chained hash"))
    return problems


def stored_as_records(stored: Iterable[StoredRecord]) -> list[Record]:
    rank = {"entry": 0, "document": DOCUMENT_RANK}
    return [Record(s.kind, s.date, rank.get(s.kind, 0), s.fields, s.ref) for s in stored]


# ---------------------------------------------------------------- what changed


@dataclass(frozen=True)
class Change:
    """One record that differs between the sealed chain and the books now."""

    what: str  # "changed", "removed" or "inserted"
    sealed: StoredRecord | None
    now: Record | None
    fields: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.what == "changed":
            return _("changed (field {fields})", fields=", ".join(self.fields))
        if self.what == "removed":
            assert self.sealed is not None
            return _(
                "removed (record #{pos}, was at {ref})", pos=self.sealed.pos, ref=self.sealed.ref
            )
        return _("inserted")


def changed_fields(
    before: Sequence[tuple[str, str]], after: Sequence[tuple[str, str]]
) -> tuple[str, ...]:
    """Names of the fields that differ, were added or were removed (never their values)."""
    old, new = dict(before), dict(after)
    names = [n for n, _ in before] + [n for n, _ in after if n not in old]
    return tuple(n for n in dict.fromkeys(names) if old.get(n) != new.get(n))


def _similar(a: Sequence[tuple[str, str]], b: Sequence[tuple[str, str]]) -> bool:
    """Most fields in common: the same record, edited (not another one)."""
    return 2 * len(set(a) & set(b)) > max(len(a), len(b))


def compare(stored: Sequence[StoredRecord], now: Sequence[Record]) -> list[Change]:
    """Pair what was sealed with what the books say now; unchanged records match by hash."""
    counts = Counter(r.sha256 for r in now)
    unmatched_stored: list[StoredRecord] = []
    for kept in stored:
        if counts[kept.sha256] > 0:
            counts[kept.sha256] -= 1
        else:
            unmatched_stored.append(kept)
    seen = Counter(s.sha256 for s in stored)
    unmatched_now: list[Record] = []
    for current in now:
        if seen[current.sha256] > 0:
            seen[current.sha256] -= 1
        else:
            unmatched_now.append(current)
    changes: list[Change] = []
    # 1. the same place in the same file; 2. the same kind and type, most fields in common.
    by_ref = {r.ref: r for r in unmatched_now}
    rest_stored = []
    for old in unmatched_stored:
        new = by_ref.pop(old.ref, None)
        if new is not None and new.kind == old.kind:
            changes.append(Change("changed", old, new, changed_fields(old.fields, new.fields)))
        else:
            if new is not None:
                by_ref[new.ref] = new
            rest_stored.append(old)
    rest_now = [r for r in unmatched_now if by_ref.get(r.ref) is r]
    for old in rest_stored:
        old_type = dict(old.fields).get("type")
        candidates = [
            r for r in rest_now if r.kind == old.kind and dict(r.fields).get("type") == old_type
        ]
        best = max(candidates, key=lambda r: len(set(old.fields) & set(r.fields)), default=None)
        if best is not None and _similar(old.fields, best.fields):
            rest_now.remove(best)
            changes.append(Change("changed", old, best, changed_fields(old.fields, best.fields)))
        else:
            changes.append(Change("removed", old, None))
    changes.extend(Change("inserted", None, r) for r in rest_now)
    return changes


# ---------------------------------------------------------------- issuing documents


def stamp_documents(
    entries: Sequence[data.Directive],
    files: dict[str, bytes],
    record_path: str | None,
    entries_dir: str,
) -> None:
    """Record, when a document is issued, the sha256 of each of its files in its entries:
    ``sha256`` on each ``document`` entry, ``record`` and ``record-sha256`` on the
    transaction. The entries are new (not yet written): nothing issued is edited later."""
    for entry in entries:
        if isinstance(entry, data.Document):
            rel = os.path.normpath(os.path.join(entries_dir, entry.filename)).replace(os.sep, "/")
            if rel in files:
                entry.meta["sha256"] = hashlib.sha256(files[rel]).hexdigest()
        elif isinstance(entry, data.Transaction) and record_path and record_path in files:
            entry.meta[RECORD_META] = record_path
            entry.meta["record-sha256"] = hashlib.sha256(files[record_path]).hexdigest()
