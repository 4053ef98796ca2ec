"""``coopledger export audit --tag close-YYYY --out DIR``: the closed year for an auditor.

Built from the books *as committed at the close tag* (never the working tree), so two
exports of one tag are byte-identical. The folder holds:

* ``journal.tsv`` — one line per posting, FEC-like (the French *fichier des écritures
  comptables* is the model: LPF art. A47 A-1): journal code and label, entry number
  (sequential and gapless per journal), date, PCMN code and label, Beancount account,
  participant code, document reference and date, label, debit, credit, document link,
  validation date (the close), chain position and chained hash. The opening balances
  (journal ``AN``) come first, so re-reading the journal gives every closing balance.
* ``trial-balance.tsv`` — per account: opening, debit, credit, closing.
* ``documents/…`` — every issued document and supporting file of the year, as committed.
* ``chain.jsonl`` — the year's hash chain; ``export.json`` — tag, commit, head, totals.
* ``MANIFEST.sha256`` — the sha256 of every other file (``sha256sum -c`` checks it).

Amounts are exact decimals with a point; fields are tab-separated, UTF-8, LF.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from beancount.core import convert, data

from ledger.audit.verify import books_at, year_records
from ledger.books import Books, atomic_write
from ledger.config import load_config
from ledger.errors import BooksError, InputError, typed
from ledger.i18n import _
from ledger.integrity import chain as chainlib
from ledger.integrity.anchors import CloseTag, close_tags, seals
from ledger.loader import format_error, load_ledger
from ledger.outputs import outside_books
from ledger.view.journals import LABELS as JOURNALS
from ledger.view.journals import Ledgers, Numbered, number_entries, participant_of, piece_of

ZERO = Decimal(0)
JOURNAL_COLUMNS = (
    "JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib",
    "Compte", "CompAuxNum", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit",
    "Document", "ValidDate", "ChainPos", "ChainHash",
)  # fmt: skip
BALANCE_COLUMNS = ("CompteNum", "CompteLib", "Compte", "Opening", "Debit", "Credit", "Closing")
BALANCE_SHEET = ("Assets", "Liabilities", "Equity")
README = """\
Export for the auditor — coopledger
===================================

journal.tsv        every posting of the year, tab-separated (FEC-like): JournalCode,
                   JournalLib, EcritureNum (gapless per journal), EcritureDate, CompteNum
                   (PCMN), CompteLib, Compte (Beancount account), CompAuxNum (participant
                   code), PieceRef, PieceDate, EcritureLib, Debit, Credit, Document (path in
                   this folder), ValidDate (the close), ChainPos, ChainHash.
                   Journal AN holds the opening balances: summing Debit - Credit per account
                   over the whole file gives trial-balance.tsv's closing balances.
trial-balance.tsv  opening, debit, credit and closing balance of every account.
chain.jsonl        the hash chain of the year (see docs/security.md of coopledger);
                   ChainHash in the journal is the chained hash of each entry's record.
documents/         the issued documents and supporting files of the year.
export.json        the close tag, its commit, the chain head, the totals.
MANIFEST.sha256    sha256 of every file; check with: sha256sum -c MANIFEST.sha256

Amounts: exact decimals, point as decimal separator, EUR. Debit = credit in every entry.
Compare the tag's hash in export.json with the one the hub gave you at the close.

Export pour le réviseur : mêmes fichiers ; montants en EUR, point décimal, séparateur
tabulation ; « AN » = à-nouveaux ; vérifiez les fichiers avec sha256sum -c MANIFEST.sha256.
"""


@dataclass(frozen=True)
class Built:
    journal: bytes
    balance: bytes
    documents: list[str]
    totals: dict[str, object]


@dataclass(frozen=True)
class AuditExport:
    out: Path
    tag: str
    lines: int
    entries: int
    debit: Decimal
    credit: Decimal
    documents: int


def money(number: Decimal) -> str:
    """Two decimals, or every decimal an amount really has: never rounded."""
    cents = number.quantize(Decimal("0.01"))
    if cents == number:
        return f"{cents:.2f}"
    return chainlib.decimal_text(number)


def _tsv(rows: list[tuple[str, ...]]) -> bytes:
    clean = [tuple(c.replace("\t", " ").replace("\n", " ") for c in row) for row in rows]
    return ("\n".join("\t".join(row) for row in clean) + "\n").encode("utf-8")


def find_tag(books: Books, name: str) -> CloseTag:
    for tag in close_tags(books.root).values():
        if tag.name == name:
            return tag
    raise InputError(
        _(
            "--tag {name}: no such close tag in the books (see: git tag -l 'close-*')",
            name=typed(name),
        )
    )


def export_audit(books: Books, tag_name: str, out: Path) -> AuditExport:
    """Write the auditor's export of the year closed by ``tag_name`` into ``out``."""
    out = outside_books(books.root, out, "--out", _("an export is handed to the auditor"))
    tag = find_tag(books, tag_name)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(
            _("{out}: not an empty folder; choose a new folder for the export", out=out)
        )
    year = tag.year
    with books_at(books.root, tag.commit) as then_root:
        ledger = load_ledger(then_root / "main.beancount", full_history=True)
        if ledger.errors:
            first = format_error(ledger.errors[0], then_root)
            raise BooksError(
                _(
                    "the books at {name} do not check ({first}); run verify",
                    name=tag.name,
                    first=first,
                )
            )
        config = load_config(then_root)
        seal = seals(ledger.entries).get(year)
        if seal is None or tag.head is None:
            raise BooksError(
                _(
                    "the commit of {name} holds no seal of {year}; run verify",
                    name=tag.name,
                    year=year,
                )
            )
        version = int(str(seal.meta.get("seal-version", "1")))
        records, previous, _after = year_records(ledger.entries, then_root, year, version)
        chain = chainlib.build_chain(records, previous)
        if version >= 2 and chain.head != tag.head:
            raise BooksError(
                _("the books at {name} do not give its chain head; run verify", name=tag.name)
            )
        built = _build(
            ledger.entries, config.account("retained_result"), year, chain, seal, then_root
        )
        meta: dict[str, object] = {
            "tag": tag.name,
            "tag_object": tag.object,
            "commit": tag.commit,
            "year": year,
            "seal_version": version,
            "chain_head": tag.head,
            "chain_records": len(chain.links),
            **built.totals,
        }
        out.mkdir(parents=True, exist_ok=True)
        documents = 0
        for relpath in built.documents:
            source = then_root / relpath
            if source.is_file():
                target = out / relpath
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
                documents += 1
        chain_file = then_root / f"{year}/chain.jsonl"
        if chain_file.is_file():
            atomic_write(out / "chain.jsonl", chain_file.read_bytes())
    atomic_write(out / "journal.tsv", built.journal)
    atomic_write(out / "trial-balance.tsv", built.balance)
    atomic_write(out / "README.txt", README.encode("utf-8"))
    meta["documents"] = documents
    atomic_write(out / "export.json", (json.dumps(meta, indent=2, sort_keys=True) + "\n").encode())
    manifest = []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = path.relative_to(out).as_posix()
        if rel != "MANIFEST.sha256":
            manifest.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {rel}")
    atomic_write(out / "MANIFEST.sha256", ("\n".join(manifest) + "\n").encode())
    return AuditExport(
        out,
        tag.name,
        int(str(meta["lines"])),
        int(str(meta["entries"])),
        Decimal(str(meta["debit"])),
        Decimal(str(meta["credit"])),
        documents,
    )


def _build(
    entries: list[data.Directive],
    retained: str,
    year: int,
    chain: chainlib.Chain,
    seal: data.Custom,
    root: Path,
) -> Built:
    """The journal and trial balance of ``year``; ``retained`` takes earlier years' result."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    opens = {e.account: e for e in entries if isinstance(e, data.Open)}
    ledgers = Ledgers.of(opens)
    position = {
        id(link.record.entry): link for link in chain.links if link.record.entry is not None
    }
    links_of = defaultdict(list)
    for e in entries:
        if isinstance(e, data.Document) and start <= e.date <= end:
            rel = Path(e.filename).resolve().relative_to(root.resolve()).as_posix()
            for name in e.links or ():
                links_of[name].append(rel)
    closed_on = seal.meta.get("closed-on")
    valid = closed_on.isoformat() if isinstance(closed_on, dt.date) else end.isoformat()

    def pcmn(account: str) -> tuple[str, str]:
        meta = (opens[account].meta or {}) if account in opens else {}
        return str(meta.get("pcmn", "")), str(meta.get("label", "") or account.rsplit(":", 1)[-1])

    opening: dict[str, Decimal] = defaultdict(lambda: ZERO)
    debit: dict[str, Decimal] = defaultdict(lambda: ZERO)
    credit: dict[str, Decimal] = defaultdict(lambda: ZERO)
    rows: list[tuple[str, ...]] = [JOURNAL_COLUMNS]
    # The year's entries in chain order, numbered per journal (ledger.view.journals).
    year_txns: list[Numbered] = [
        n for n in number_entries(entries, ledgers) if start <= n.entry.date <= end
    ]
    for e in entries:
        if not isinstance(e, data.Transaction) or e.date >= start:
            continue
        for p in e.postings:
            weight = convert.get_weight(p).number or ZERO
            root_name = p.account.split(":", 1)[0]
            opening[p.account if root_name in BALANCE_SHEET else retained] += weight
    # Opening balances first (journal AN), then the year's entries in chain order.
    an = [(a, n) for a, n in sorted(opening.items()) if n != 0]
    if an:
        for account, number in an:
            code, label = pcmn(account)
            rows.append(
                ("AN", JOURNALS["AN"], "1", start.isoformat(), code, label, account, "", "AN",
                 start.isoformat(), "Soldes d'ouverture", money(number) if number > 0 else "0.00",
                 money(-number) if number < 0 else "0.00", "", valid, "", "")
            )  # fmt: skip
    numbers: dict[str, int] = defaultdict(int)
    total_debit = total_credit = ZERO
    for numbered_entry in year_txns:
        e, journal = numbered_entry.entry, numbered_entry.journal
        numbers[journal] = numbered_entry.number
        link = position.get(id(e))
        piece = piece_of(e)
        document = next((d for lk in sorted(e.links or ()) for d in links_of.get(lk, [])), "")
        for p in e.postings:
            weight = convert.get_weight(p).number or ZERO
            code, label = pcmn(p.account)
            if weight >= 0:
                debit[p.account] += weight
                total_debit += weight
            else:
                credit[p.account] -= weight
                total_credit -= weight
            rows.append(
                (journal, ledgers.label(journal), str(numbered_entry.number), e.date.isoformat(),
                 code, label, p.account, participant_of(p.account, p, e), piece,
                 e.date.isoformat(),
                 e.narration or "", money(weight) if weight > 0 else "0.00",
                 money(-weight) if weight < 0 else "0.00", document, valid,
                 f"close-{year}#{link.pos}" if link else "", link.chain if link else "")
            )  # fmt: skip
    accounts = sorted(set(opening) | set(debit) | set(credit), key=lambda a: (pcmn(a)[0], a))
    balance: list[tuple[str, ...]] = [BALANCE_COLUMNS]
    for account in accounts:
        code, label = pcmn(account)
        closing = opening[account] + debit[account] - credit[account]
        balance.append(
            (code, label, account, money(opening[account]), money(debit[account]),
             money(credit[account]), money(closing))
        )  # fmt: skip
    documents = [
        rel
        for _day, rel, _sha in chainlib.document_files(
            entries, str(root), dt.date(year - 1, 12, 31), end
        )
    ]
    totals: dict[str, object] = {
        "lines": len(rows) - 1,
        "entries": len(year_txns),
        "debit": money(total_debit),
        "credit": money(total_credit),
        "journals": dict(sorted(numbers.items())),
        "opening_lines": len(an),
    }
    return Built(_tsv(rows), _tsv(balance), documents, totals)
