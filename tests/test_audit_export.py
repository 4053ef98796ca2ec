"""``coopledger export audit``: reproducible, balanced, and it re-reads to the books."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from beancount.core import convert, data
from integrity_support import YEAR, base_env, build_books, copy_books, run

from ledger.books import Books


@pytest.fixture(scope="module")
def closed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    home = tmp_path_factory.mktemp("export")
    env = base_env(home)
    build_books(home / "books", env)
    return home / "books", env


def export(env: dict[str, str], root: Path, out: Path, tag: str = f"close-{YEAR}") -> dict[str, object]:  # fmt: skip
    proc = run(
        env, "export", "audit", "--books", str(root), "--tag", tag, "--out", str(out), "--json"
    )
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_two_exports_of_a_tag_are_byte_identical(closed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    export(env, root, tmp_path / "a")
    # Later work in the books (an open year) changes nothing in the export of the tag.
    run(env, "participant", "add", "--books", str(root), "--date", f"{YEAR + 1}-01-05")
    export(env, root, tmp_path / "b")
    files_a = sorted(
        p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()
    )
    files_b = sorted(
        p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file()
    )
    assert files_a == files_b and len(files_a) >= 10
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_the_journal_balances_numbers_and_re_reads_to_the_books(closed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    summary = export(env, root, tmp_path / "out")
    out = tmp_path / "out"
    rows = read_tsv(out / "journal.tsv")
    assert rows and list(rows[0])[:3] == ["JournalCode", "JournalLib", "EcritureNum"]
    # Debit = credit, overall and in every entry.
    per_entry: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in rows:
        per_entry[(row["JournalCode"], row["EcritureNum"])] += Decimal(row["Debit"]) - Decimal(
            row["Credit"]
        )
    assert all(v == 0 for v in per_entry.values())
    year_rows = [r for r in rows if r["JournalCode"] != "AN"]
    assert sum(Decimal(r["Debit"]) for r in year_rows) == Decimal(str(summary["debit"]))
    assert summary["debit"] == summary["credit"]
    # Entry numbers are contiguous per journal, from 1.
    numbers: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        n = int(row["EcritureNum"])
        if not numbers[row["JournalCode"]] or numbers[row["JournalCode"]][-1] != n:
            numbers[row["JournalCode"]].append(n)
    assert all(ns == list(range(1, len(ns) + 1)) for ns in numbers.values())
    assert {"AN", "VEN", "CAI"} <= set(numbers)  # bank per account, cash (ledger.journals)
    # Every sealed entry carries its chain hash; every document link is in the export.
    assert all(
        len(r["ChainHash"]) == 64 and r["ChainPos"].startswith(f"close-{YEAR}#") for r in year_rows
    )
    invoice = next(r for r in year_rows if r["PieceRef"] == f"{YEAR}-0001")
    assert invoice["JournalCode"] == "VEN" and (out / invoice["Document"]).is_file()
    assert all(r["CompteNum"] for r in rows)
    # Re-reading the journal gives every balance of the books at the year end.
    reread: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        reread[row["Compte"]] += Decimal(row["Debit"]) - Decimal(row["Credit"])
    books = Books.open(root)
    expected: dict[str, Decimal] = defaultdict(Decimal)
    retained = books.config.account("retained_result")
    for entry in books.load(full_history=True).entries:  # a closed year: the full history
        if not isinstance(entry, data.Transaction) or entry.date > dt.date(YEAR, 12, 31):
            continue
        for posting in entry.postings:
            weight = convert.get_weight(posting).number
            top = posting.account.split(":", 1)[0]
            if entry.date.year < YEAR and top in ("Income", "Expenses"):
                expected[retained] += weight  # earlier years' result, carried forward
            else:
                expected[posting.account] += weight
    assert {a: v for a, v in reread.items() if v} == {a: v for a, v in expected.items() if v}
    balance = {r["Compte"]: r for r in read_tsv(out / "trial-balance.tsv")}
    for account, value in expected.items():
        if value:
            assert Decimal(balance[account]["Closing"]) == value, account


def test_the_manifest_covers_every_file(closed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    out = tmp_path / "out"
    export(env, root, out)
    listed = {}
    for line in (out / "MANIFEST.sha256").read_text().splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {
        "MANIFEST.sha256"
    }
    assert set(listed) == files
    for name, digest in listed.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    meta = json.loads((out / "export.json").read_text())
    tag = run(env, "verify", "--books", str(root), "--json").stdout
    assert meta["tag"] == f"close-{YEAR}" and json.loads(tag)["ok"]
    for what in ("pdf", "xml", "json"):
        assert (out / f"documents/invoices/{YEAR}/{YEAR}-0001.{what}").is_file()


def test_export_refuses_bad_input_in_one_line(closed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    proc = run(env, "export", "audit", "--books", str(root), "--tag", "close-1999",
               "--out", str(tmp_path / "x"), check=False)  # fmt: skip
    assert (
        proc.returncode == 1
        and "no such close tag" in proc.stderr
        and proc.stderr.count("\n") == 1
    )
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "file").write_text("x")
    proc = run(env, "export", "audit", "--books", str(root), "--tag", f"close-{YEAR}",
               "--out", str(tmp_path / "full"), check=False)  # fmt: skip
    assert proc.returncode == 1 and "not an empty folder" in proc.stderr


def test_the_export_is_made_from_the_tag_not_the_working_tree(closed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    books = copy_books(root, tmp_path / "books")
    export(env, books, tmp_path / "clean")
    manual = books / f"{YEAR}/manual.beancount"
    manual.write_text(manual.read_text().replace("12.50", "21.50"))
    export(env, books, tmp_path / "dirty")
    assert (tmp_path / "clean/journal.tsv").read_bytes() == (
        tmp_path / "dirty/journal.tsv"
    ).read_bytes()
