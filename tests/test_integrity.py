"""Integrity an auditor can verify: the hash chain, anchored seals, history, conflicts.

Each defect of issue 10 has a test named after it; the tamper matrix edits every field of
a sealed entry and every file of an issued document behind coopledger's back, and checks
that ``verify`` names exactly that record (file:line and field) and that reverting passes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from integrity_support import (
    MANUAL,
    YEAR,
    base_env,
    build_books,
    copy_books,
    git_commit_all,
    line_of,
    run,
    verify_json,
)
from tests_support import git_state, tree_digest

from ledger.audit.verify import HASH_CHUNK, hash_files
from ledger.books import Books
from ledger.errors import ConflictError
from ledger.integrity import chain as chainlib
from ledger.loader import REQUIRED_PLUGINS

MANUAL_FILE = f"{YEAR}/manual.beancount"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    home = tmp_path_factory.mktemp("integrity")
    env = base_env(home)
    build_books(home / "books", env)
    return home / "books", env


@pytest.fixture
def closed(template: tuple[Path, dict[str, str]], tmp_path: Path) -> tuple[Path, dict[str, str]]:
    books, env = template
    return copy_books(books, tmp_path / "books"), env


@pytest.fixture(scope="module")
def open_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    home = tmp_path_factory.mktemp("integrity-open")
    env = base_env(home)
    build_books(home / "books", env, close=False)
    return home / "books", env


@pytest.fixture
def open_books_dir(open_template, tmp_path: Path) -> tuple[Path, dict[str, str]]:  # type: ignore[no-untyped-def]
    books, env = open_template
    return copy_books(books, tmp_path / "books"), env


def check(env: dict[str, str], root: Path) -> subprocess.CompletedProcess[str]:
    """``books check --all-years``: the closed years are out of the live books, so their
    seals are checked on the full history (the live check sees only changed files)."""
    return run(env, "check", "--all-years", "--books", str(root), check=False)


def problems(report: dict[str, object]) -> list[dict[str, object]]:
    return list(report["problems"])  # type: ignore[call-overload]


# ---------------------------------------------------------------- defect 1: silencing the seal


def test_defect_10_1_emptying_the_closing_file_is_detected(closed) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    (root / MANUAL_FILE).write_text(MANUAL.replace("12.50", "21.50"))
    (root / f"{YEAR}/closing.beancount").write_text("")
    proc = check(env, root)
    assert proc.returncode == 1
    assert (
        f"tag close-{YEAR} says {YEAR} is closed, but no seal of {YEAR} is loaded" in proc.stderr
    )
    code, report = verify_json(env, root)
    assert code == 1
    wheres = {p["where"] for p in problems(report) if p["check"] == "chain"}
    assert f"{MANUAL_FILE}:{line_of(root / MANUAL_FILE, f'{YEAR}-06-01')}" in wheres


def test_defect_10_1_deleting_the_sealed_plugin_line_is_detected(closed) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    main = root / "history.beancount"  # the full history: the closed years' plugin lines
    main.write_text(main.read_text().replace('plugin "plugins.sealed"\n', ""))
    (root / MANUAL_FILE).write_text(MANUAL.replace("12.50", "21.50"))
    proc = check(env, root)
    assert proc.returncode == 1
    assert 'plugin "plugins.sealed" is missing from the books' in proc.stderr
    # The plugin ran anyway: the changed entry is named at its own line.
    frais = line_of(root / MANUAL_FILE, f"{YEAR}-06-01")
    assert f"{MANUAL_FILE}:{frais}: this entry changed after {YEAR} was closed" in proc.stderr


@pytest.mark.parametrize("plugin", REQUIRED_PLUGINS)
def test_qa22_deleting_any_required_plugin_line_is_detected(closed, plugin: str) -> None:  # type: ignore[no-untyped-def]
    """QA of stop 22: without its line, plugins.money (cash box, allocations, the result
    identity) silently stopped running; every required plugin is named, and runs anyway."""
    root, env = closed
    main = root / "main.beancount"
    main.write_text(main.read_text().replace(f'plugin "{plugin}"\n', ""))
    proc = run(env, "check", "--books", str(root), check=False)
    assert proc.returncode == 1
    assert f'main.beancount:1: plugin "{plugin}" is missing from the books' in proc.stderr


@pytest.mark.parametrize("hidden", [".coopledger/x.beancount", "2026/x.tmp", ".git/x.beancount"])
def test_qa22_an_included_file_git_does_not_keep_is_refused(closed, hidden: str) -> None:  # type: ignore[no-untyped-def]
    """Round 2: a file in a hidden folder, or one the books' .gitignore keeps out, changed
    the books with git blind to it, as an outside file did."""
    root, env = closed
    target = root / hidden
    target.parent.mkdir(exist_ok=True)
    target.write_text(
        f'{YEAR + 1}-01-05 * "cache"\n  Expenses:Frais-bancaires  1.00 EUR\n'
        "  Assets:Caisse  -1.00 EUR\n"
    )
    main = root / "main.beancount"
    main.write_text(main.read_text() + f'include "{hidden}"\n')
    lineno = len(main.read_text().splitlines())
    proc = run(env, "check", "--books", str(root), check=False)
    assert proc.returncode == 1
    assert f"main.beancount:{lineno}: an included file is not a books file" in proc.stderr


@pytest.mark.parametrize("how", ["absolute", "relative", "symlink"])
def test_qa22_an_included_file_outside_the_books_is_refused(closed, how: str) -> None:  # type: ignore[no-untyped-def]
    """QA of stop 22: an include of a file outside the books changed them with git blind
    to it (and verify said nothing changed)."""
    root, env = closed
    outside = root.parent / "outside.beancount"
    outside.write_text(
        f'{YEAR}-12-01 * "dehors"\n  Expenses:Frais-bancaires  1.00 EUR\n'
        "  Assets:Caisse  -1.00 EUR\n"
    )
    target = {"absolute": str(outside), "relative": "../outside.beancount",
              "symlink": f"{YEAR}/extra.beancount"}[how]  # fmt: skip
    if how == "symlink":
        (root / target).symlink_to(outside)
    main = root / "main.beancount"
    main.write_text(main.read_text() + f'include "{target}"\n')
    lineno = len(main.read_text().splitlines())
    proc = run(env, "check", "--books", str(root), check=False)
    assert proc.returncode == 1
    assert f"main.beancount:{lineno}: an included file is outside the books' folder" in proc.stderr


def test_defect_10_1_deleting_the_include_of_the_closing_file_is_detected(closed) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    main = root / "history.beancount"  # a closed year is included from the full history
    main.write_text(main.read_text().replace(f'include "{YEAR}/closing.beancount"\n', ""))
    proc = check(env, root)
    assert proc.returncode == 1
    assert f"no seal of {YEAR} is loaded" in proc.stderr
    assert f"{YEAR}/closing.beancount is not included from main.beancount" in proc.stderr


def _forge(root: Path, year: int) -> str:
    """An attacker who knows the algorithm: rewrite the chain file and the seal to match
    the edited books. Returns the forged head."""
    books = Books.open(root)
    ledger = books.load(strict=False, full_history=True)
    seal = next(e for e in ledger.entries if getattr(e, "type", "") == "year-closed"
                and str(e.values[0].value) == str(year))  # fmt: skip
    earlier = [e for e in ledger.entries if getattr(e, "type", "") == "year-closed"
               and int(str(e.values[0].value)) < year]  # fmt: skip
    previous = str(earlier[-1].values[1].value) if earlier else chainlib.GENESIS
    after = dt.date(year - 1, 12, 31) if earlier else None
    until = dt.date(year, 12, 31)
    records = chainlib.entry_records(ledger.entries, str(root), after, until)
    stored = chainlib.parse_chain_file((root / f"{year}/chain.jsonl").read_bytes(), "x")
    records += chainlib.stored_as_records(r for r in stored.records if r.kind == "document")
    chain = chainlib.build_chain(records, previous)
    (root / f"{year}/chain.jsonl").write_bytes(chainlib.render_chain_file(year, chain))
    closing = root / f"{year}/closing.beancount"
    closing.write_text(closing.read_text().replace(str(seal.values[1].value), chain.head))
    return chain.head


def test_defect_10_1_recomputing_the_digest_is_detected(closed) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    (root / MANUAL_FILE).write_text(MANUAL.replace("12.50", "21.50"))
    forged = _forge(root, YEAR)
    proc = check(env, root)
    assert proc.returncode == 1
    assert f"the seal of {YEAR} does not match tag close-{YEAR}" in proc.stderr
    # Committed and the tag moved onto the forgery: the history still tells.
    git_commit_all(root, env, "innocent-looking commit")
    message = f"Year {YEAR} closed by coopledger.\n\nseal sha256: {forged}\nchain version: 2\n"
    subprocess.run(["git", "-C", str(root), "tag", "-f", "-a", f"close-{YEAR}", "-m", message],
                   check=True, env=env, capture_output=True)  # fmt: skip
    assert check(env, root).returncode == 0  # the books alone now agree with the moved tag...
    code, report = verify_json(env, root)
    assert code == 1  # ... but verify reads the history
    messages = " | ".join(str(p["message"]) for p in problems(report))
    assert f"rewrote the seal of {YEAR}" in messages
    assert f"close-{YEAR} points at" in messages and "the tag was moved" in messages


def test_a_deleted_tag_and_seal_are_found_in_the_history(closed) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    (root / f"{YEAR}/closing.beancount").write_text("")
    (root / f"{YEAR}/chain.jsonl").unlink()
    git_commit_all(root, env, "tidy up")
    subprocess.run(["git", "-C", str(root), "tag", "-d", f"close-{YEAR}"], check=True,
                   env=env, capture_output=True)  # fmt: skip
    code, report = verify_json(env, root)
    assert code == 1
    messages = " | ".join(str(p["message"]) for p in problems(report))
    assert f"removed or rewrote the seal of {YEAR}" in messages
    assert f"tag close-{YEAR} is gone" in messages


def test_verify_compares_tags_with_the_hashes_given_to_the_auditor(closed) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    tag = subprocess.run(["git", "-C", str(root), "rev-parse", f"close-{YEAR}"],
                         capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    code, _ = verify_json(env, root, "--expect", f"close-{YEAR}={tag[:12]}")
    assert code == 0
    code, report = verify_json(env, root, "--expect", f"close-{YEAR}=deadbeefdeadbeef")
    assert code == 1 and problems(report)[0]["check"] == "anchor"


def test_an_untouched_close_is_proved_without_its_tagged_tree(closed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The books as they are give every tag's head: no close loads the history again."""
    from ledger.audit import verify

    root, _env = closed

    def no_tree(self: verify.CommittedTrees, commit: str) -> Path:
        raise AssertionError("the tagged tree was read")

    monkeypatch.setattr(verify.CommittedTrees, "at", no_tree)
    report = verify.verify_books(Books.open(root))
    assert report.ok, [f.message for f in report.findings if not f.ok]
    unchanged = [f.message for f in report.findings if f.check == "chain" and f.ok]
    assert [m.split(":")[0] for m in unchanged] == [f"close-{YEAR - 1}", f"close-{YEAR}"]


def test_a_tag_whose_head_no_history_gives_is_named(closed) -> None:  # type: ignore[no-untyped-def]
    """A tag rewritten on its own commit with another head: neither the books now nor the
    tagged tree give it, and verify says so (the tagged tree is read only then)."""
    root, env = closed
    message = f"Year {YEAR} closed by coopledger.\n\nseal sha256: {'ab' * 32}\nchain version: 2\n"
    subprocess.run(["git", "-C", str(root), "tag", "-f", "-a", f"close-{YEAR}", "-m", message,
                    f"close-{YEAR}^{{commit}}"], check=True, env=env, capture_output=True)  # fmt: skip
    code, report = verify_json(env, root)
    assert code == 1
    messages = " | ".join(str(p["message"]) for p in problems(report))
    assert f"the books at close-{YEAR}" in messages
    assert "the tag or the history was rewritten" in messages


# ---------------------------------------------------------------- defect 2 and the tamper matrix


def _sub(old: str, new: str, count: int = 1) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert text.count(old) >= count, old
        return text.replace(old, new, count)

    return edit


ENTRY_TAMPERS: dict[str, tuple[Callable[[str], str], str, set[str]]] = {
    # name: (edit of the manual file, first line of the changed entry, fields named)
    "amount": (_sub("12.50 EUR", "21.50 EUR", 2), f"{YEAR}-06-01", {"posting[0].units", "posting[1].units"}),
    "account": (_sub("Expenses:Frais-bancaires", "Expenses:Services-et-biens-divers"), f"{YEAR}-06-01", {"posting[0].account"}),
    "date": (_sub(f'{YEAR}-06-01 * "frais"', f'{YEAR}-06-02 * "frais"'), f"{YEAR}-06-02", {"date"}),
    "flag": (_sub(f'{YEAR}-06-01 * "frais"', f'{YEAR}-06-01 ! "frais"'), f"{YEAR}-06-01", {"flag"}),
    "posting flag": (_sub("  Expenses:Frais-bancaires", "  ! Expenses:Frais-bancaires"), f"{YEAR}-06-01", {"posting[0].flag"}),
    "price": (lambda t: _sub("-9.00 EUR", "-9.50 EUR")(_sub("@ 0.90 EUR", "@ 0.95 EUR")(t)), f"{YEAR}-04-01", {"posting[0].price", "posting[1].units"}),
    "cost": (lambda t: _sub("-100.00 EUR", "-98.00 EUR")(_sub("{50.00 EUR}", "{49.00 EUR}")(t)), f"{YEAR}-02-01", {"posting[0].cost", "posting[1].units"}),
    "metadata": (_sub('kind: "manual"', 'kind: "manuel"'), f"{YEAR}-02-01", {"meta.kind"}),
    "posting metadata": (_sub('note: "billets"', 'note: "pieces"'), f"{YEAR}-04-01", {"posting[0].meta.note"}),
    "narration": (_sub('"frais"', '"frais bancaires"'), f"{YEAR}-06-01", {"narration"}),
    "tags": (_sub("#parts", "#titres"), f"{YEAR}-02-01", {"tags"}),
    "links": (_sub("^gift-1", "^gift-9"), f"{YEAR}-01-15", {"links"}),
}  # fmt: skip


def _chain_problems(report: dict[str, object]) -> list[dict[str, object]]:
    return [p for p in problems(report) if p["check"] == "chain"]


@pytest.mark.parametrize("field", sorted(ENTRY_TAMPERS))
def test_tamper_matrix_sealed_entry(closed, field: str) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    manual = root / MANUAL_FILE
    original = manual.read_bytes()
    edit, head, fields = ENTRY_TAMPERS[field]
    manual.write_text(edit(original.decode()))
    where = f"{MANUAL_FILE}:{line_of(manual, head)}"
    code, report = verify_json(env, root)
    assert code == 1
    chain = _chain_problems(report)
    assert [p["where"] for p in chain] == [where], chain  # exactly that record
    assert set(chain[0]["fields"]) == fields  # type: ignore[call-overload]
    assert str(chain[0]["record"]).startswith(f"close-{YEAR}#")
    assert {p["where"] for p in problems(report) if p["check"] == "worktree"} == {MANUAL_FILE}
    # check names it too, at the entry (the plugin reads the chain file of the books).
    proc = check(env, root)
    assert (
        proc.returncode == 1
        and f"{where}: this entry changed after {YEAR} was closed" in proc.stderr
    )
    manual.write_bytes(original)
    assert verify_json(env, root)[0] == 0


def test_tamper_matrix_committed_change_is_named_from_history(closed) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    manual = root / MANUAL_FILE
    manual.write_text(MANUAL.replace("12.50 EUR", "21.50 EUR"))
    git_commit_all(root, env, "a hand edit committed behind coopledger's back")
    code, report = verify_json(env, root)
    assert code == 1
    assert [p["where"] for p in _chain_problems(report)] == [
        f"{MANUAL_FILE}:{line_of(manual, f'{YEAR}-06-01')}"
    ]


def test_tamper_matrix_swapped_entries(closed) -> None:  # type: ignore[no-untyped-def]
    """Two sealed entries exchange their dates: both are named, each at its own line."""
    root, env = closed
    manual = root / MANUAL_FILE
    text = manual.read_text()
    text = text.replace(f'{YEAR}-04-01 * "change"', "SWAP").replace(
        f'{YEAR}-06-01 * "frais"', f'{YEAR}-04-01 * "frais"').replace("SWAP", f'{YEAR}-06-01 * "change"')  # fmt: skip
    manual.write_text(text)
    code, report = verify_json(env, root)
    chain = _chain_problems(report)
    assert code == 1
    assert sorted(p["where"] for p in chain) == sorted(
        [f"{MANUAL_FILE}:{line_of(manual, f'{YEAR}-06-01')}", f"{MANUAL_FILE}:{line_of(manual, f'{YEAR}-04-01')}"]
    )  # fmt: skip
    assert all(p["fields"] == ["date"] for p in chain)


def test_tamper_matrix_deleted_entry(closed) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    manual = root / MANUAL_FILE
    original = manual.read_bytes()
    old_line = line_of(manual, f"{YEAR}-06-01")
    manual.write_text(MANUAL.split(f"{YEAR}-06-01")[0])
    code, report = verify_json(env, root)
    chain = _chain_problems(report)
    assert code == 1 and len(chain) == 1
    assert chain[0]["where"] == f"{MANUAL_FILE}:{old_line}" and "was removed" in str(
        chain[0]["message"]
    )
    manual.write_bytes(original)
    assert verify_json(env, root)[0] == 0


def test_tamper_matrix_inserted_entry(closed) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    manual = root / MANUAL_FILE
    manual.write_text(
        MANUAL
        + f'\n{YEAR}-07-01 * "ajout"\n  Expenses:Frais-bancaires  1.00 EUR\n  Assets:Caisse  -1.00 EUR\n'
    )
    code, report = verify_json(env, root)
    chain = _chain_problems(report)
    assert code == 1 and len(chain) == 1
    assert chain[0]["where"] == f"{MANUAL_FILE}:{line_of(manual, f'{YEAR}-07-01')}"
    assert "inserted" in str(chain[0]["message"])


def test_fields_outside_the_meaning_keep_the_chain(closed) -> None:  # type: ignore[no-untyped-def]
    """Comments, blank lines and moving an entry to another file change no record."""
    root, env = closed
    manual = root / MANUAL_FILE
    text = manual.read_text()
    frais = text[text.index(f'{YEAR}-06-01 * "frais"') :]
    manual.write_text("; a comment\n\n" + text.replace(frais, "").replace("\n\n", "\n\n\n"))
    (root / f"{YEAR}/moved.beancount").write_text(frais)
    main = root / "history.beancount"  # a closed year's file: the full history includes it
    main.write_text(main.read_text() + f'include "{YEAR}/moved.beancount"\n')
    code, report = verify_json(env, root)
    assert code == 1 and _chain_problems(report) == []
    assert {p["check"] for p in problems(report)} == {"worktree"}


@pytest.mark.parametrize("what", ["pdf", "xml", "json"])
def test_tamper_matrix_issued_document(closed, what: str) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    path = root / f"documents/invoices/{YEAR}/{YEAR}-0001.{what}"
    original = path.read_bytes()
    path.write_bytes(
        original.replace(b"Buffet", b"Bufet", 1) if what != "pdf" else original + b"%"
    )
    code, report = verify_json(env, root)
    assert code == 1
    rel = path.relative_to(root).as_posix()
    chain = _chain_problems(report)
    assert [p["where"] for p in chain] == [rel] and chain[0]["fields"] == ["sha256"]
    docs = [p for p in problems(report) if p["check"] == "documents"]
    assert [p["where"] for p in docs] == [rel]
    path.write_bytes(original)
    assert verify_json(env, root)[0] == 0


def test_tamper_matrix_issued_invoice_entry(closed) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    invoices = root / f"{YEAR}/invoices.beancount"
    original = invoices.read_text()
    ogm = re.search(r'ogm: "(\d{12})"', original)
    assert ogm is not None
    invoices.write_text(original.replace(ogm.group(1), "000000000097"))
    code, report = verify_json(env, root)
    chain = _chain_problems(report)
    assert code == 1 and len(chain) == 1 and chain[0]["fields"] == ["meta.ogm"]
    assert chain[0]["where"] == f"{YEAR}/invoices.beancount:{line_of(invoices, f'{YEAR}-03-01 *')}"


def test_defect_10_2_flags_prices_and_costs_are_sealed_and_named_at_the_entry(closed) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    manual = root / MANUAL_FILE
    manual.write_text(MANUAL.replace("  Expenses:Frais-bancaires", "  ! Expenses:Frais-bancaires")
                      .replace("@ 0.90 EUR", "@ 0.95 EUR").replace("-9.00 EUR", "-9.50 EUR"))  # fmt: skip
    proc = check(env, root)
    assert proc.returncode == 1
    assert f"{MANUAL_FILE}:{line_of(manual, f'{YEAR}-06-01')}: this entry changed" in proc.stderr
    assert f"{MANUAL_FILE}:{line_of(manual, f'{YEAR}-04-01')}: this entry changed" in proc.stderr
    assert "posting[0].flag" in proc.stderr and "posting[0].price" in proc.stderr
    assert f"{YEAR}/closing.beancount" not in proc.stderr  # never at the seal's line


def test_defect_10_2_issued_documents_are_covered(closed) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    invoices = (root / f"{YEAR}/invoices.beancount").read_text()
    assert invoices.count("\n  sha256:") == 4 and invoices.count("\n  record-sha256:") == 2
    chain = (root / f"{YEAR}/chain.jsonl").read_text()
    for what in ("pdf", "xml", "json"):
        assert f"documents/invoices/{YEAR}/{YEAR}-0001.{what}" in chain
    pdf = root / f"documents/invoices/{YEAR}/NC{YEAR}-0001.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"\n")
    git_commit_all(root, env, "a committed change to an issued PDF")
    code, report = verify_json(env, root)
    assert code == 1
    assert {p["where"] for p in problems(report)} == {pdf.relative_to(root).as_posix()}


# ---------------------------------------------------------------- chain versions


def test_chains_that_mix_versions_verify_and_a_downgrade_fails(open_books_dir) -> None:  # type: ignore[no-untyped-def]
    root, env = open_books_dir
    # Close YEAR-1 as coopledger did before the chain (seal version 1, its tag) ...
    books = Books.open(root)
    from plugins.sealed import seal_digest

    digest, count = seal_digest(books.load().entries, YEAR - 1)
    closing = root / f"{YEAR - 1}/closing.beancount"
    closing.write_text(
        f'{YEAR - 1}-12-31 custom "year-closed" "{YEAR - 1}" "{digest}"\n'
        f'  seal-version: "1"\n  entries: {count}\n'
    )
    main = root / "main.beancount"
    main.write_text(main.read_text() + f'include "{YEAR - 1}/closing.beancount"\n')
    git_commit_all(root, env, f"close-year: seal {YEAR - 1}")
    subprocess.run(["git", "-C", str(root), "tag", "-a", f"close-{YEAR - 1}", "-m",
                    f"Year {YEAR - 1} closed by coopledger.\n\nseal sha256: {digest}\n"],
                   check=True, env=env)  # fmt: skip
    assert run(env, "verify", "--books", str(root), check=False).returncode == 0
    # ... then YEAR with the chain: a version-2 chain on a version-1 seal verifies.
    run(env, "close-year", str(YEAR), "--books", str(root))
    seals = (root / f"{YEAR}/closing.beancount").read_text()
    assert 'seal-version: "2"' in seals
    assert (
        json.loads((root / f"{YEAR}/chain.jsonl").read_text().splitlines()[0])["previous"]
        == digest
    )
    code, report = verify_json(env, root)
    assert code == 0, problems(report)
    # A version-1 seal after a version-2 one is a downgrade.
    later = root / f"{YEAR + 1}" / "closing.beancount"
    later.parent.mkdir()
    later.write_text(
        f'{YEAR + 1}-12-31 custom "year-closed" "{YEAR + 1}" "{"0" * 64}"\n  seal-version: "1"\n'
    )
    main.write_text(main.read_text() + f'include "{YEAR + 1}/closing.beancount"\n')
    proc = check(env, root)
    assert proc.returncode == 1 and "downgrade" in proc.stderr


def test_a_v1_sealed_change_is_named_by_verify_from_history(open_books_dir) -> None:  # type: ignore[no-untyped-def]
    """Books sealed before the chain stay verifiable: verify names the entry from git."""
    root, env = open_books_dir
    from plugins.sealed import seal_digest

    digest, _ = seal_digest(Books.open(root).load().entries, YEAR)
    (root / f"{YEAR}/closing.beancount").write_text(
        f'{YEAR}-12-31 custom "year-closed" "{YEAR}" "{digest}"\n  seal-version: "1"\n'
    )
    main = root / "main.beancount"
    main.write_text(main.read_text() + f'include "{YEAR}/closing.beancount"\n')
    git_commit_all(root, env, f"close-year: seal {YEAR}")
    subprocess.run(["git", "-C", str(root), "tag", "-a", f"close-{YEAR}", "-m",
                    f"seal sha256: {digest}\n"], check=True, env=env)  # fmt: skip
    manual = root / MANUAL_FILE
    manual.write_text(MANUAL.replace('"frais"', '"frais bancaires"'))
    code, report = verify_json(env, root)
    chain = _chain_problems(report)
    assert code == 1
    assert {p["where"] for p in chain if p["record"]} == {
        f"{MANUAL_FILE}:{line_of(manual, f'{YEAR}-06-01')}"
    }


# ---------------------------------------------------------------- defect 4: conflicts


def test_defect_10_4_a_hand_edit_is_never_swept_into_a_command_commit(closed) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    participants = root / "participants.beancount"
    participants.write_text(participants.read_text() + "; a note typed by hand\n")
    before, history = tree_digest(root), git_state(root)
    proc = run(env, "participant", "add", "--books", str(root), check=False)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    assert "participants.beancount (modified)" in proc.stderr and "--adopt-changes" in proc.stderr
    assert tree_digest(root) == before and git_state(root) == history
    # --adopt-changes commits the hand edit under its own message, then the command runs.
    run(env, "participant", "add", "--books", str(root), "--adopt-changes")
    log = subprocess.run(["git", "-C", str(root), "log", "-2", "--format=%s"],
                         capture_output=True, text=True, check=True).stdout.splitlines()  # fmt: skip
    assert log[0].startswith("participant: open") and log[1].startswith("books: adopt a hand edit")
    shown = subprocess.run(["git", "-C", str(root), "show", "HEAD~1", "--stat", "--format="],
                           capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "participants.beancount" in shown and "roster.age" not in shown


def test_adopt_changes_refuses_a_hand_edit_that_does_not_check(closed) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    manual = root / MANUAL_FILE
    manual.write_text(MANUAL.replace("12.50", "21.50"))
    before, history = tree_digest(root), git_state(root)
    proc = run(env, "check", "--books", str(root), "--adopt-changes", check=False)
    assert proc.returncode == 1 and "cannot adopt the hand edit" in proc.stderr
    assert tree_digest(root) == before and git_state(root) == history


def test_defect_10_4_a_file_changed_while_a_command_runs_is_refused(closed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    books = Books.open(root)
    accounts = root / "accounts.beancount"
    with pytest.raises(ConflictError) as info, books.transaction("test") as tx:
        tx.ledger  # noqa: B018 - read the books
        accounts.write_text(accounts.read_text() + "; edited in a text editor meanwhile\n")
        tx.append_text(f"{YEAR + 1}/other.beancount", "; nothing\n")
    assert "accounts.beancount changed on disk while coopledger was working" in info.value.message
    assert not (root / f"{YEAR + 1}").exists()


# ---------------------------------------------------------------- defect 5: close and tag


def _tags(root: Path) -> list[str]:
    return subprocess.run(["git", "-C", str(root), "tag", "-l"], capture_output=True,
                          text=True, check=True).stdout.split()  # fmt: skip


def test_defect_10_5_killed_between_seal_commit_and_tag_the_next_command_finishes(
    open_books_dir,
) -> None:  # type: ignore[no-untyped-def]
    root, env = open_books_dir
    killed = run(dict(env, COOPLEDGER_FAULT_INJECT="after-commit-before-tag"),
                 "close-year", str(YEAR - 1), "--books", str(root), check=False)  # fmt: skip
    assert killed.returncode == 86
    assert _tags(root) == []  # sealed and committed, not tagged
    proc = check(env, root)  # the next command, whatever it is, finishes the close
    assert proc.returncode == 0, proc.stderr
    assert (
        f"finished an interrupted 'close-year: seal {YEAR - 1}': tag close-{YEAR - 1}"
        in proc.stderr
    )
    assert _tags(root) == [f"close-{YEAR - 1}"]
    tag_commit = subprocess.run(["git", "-C", str(root), "rev-parse", f"close-{YEAR - 1}^{{commit}}"],
                                capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert tag_commit == subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"],
                                        capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert verify_json(env, root)[0] == 0
    again = run(env, "close-year", str(YEAR - 1), "--books", str(root), check=False)
    assert again.returncode == 1 and "already closed" in again.stderr
    run(env, "close-year", str(YEAR), "--books", str(root))
    assert verify_json(env, root)[0] == 0


def test_defect_10_5_killed_before_the_seal_commit_the_next_command_undoes_it(
    open_books_dir,
) -> None:  # type: ignore[no-untyped-def]
    root, env = open_books_dir
    before, history = tree_digest(root), git_state(root)
    killed = run(dict(env, COOPLEDGER_FAULT_INJECT="after-files"),
                 "close-year", str(YEAR - 1), "--books", str(root), check=False)  # fmt: skip
    assert killed.returncode == 86
    assert check(env, root).returncode == 0
    assert tree_digest(root) == before and git_state(root) == history and _tags(root) == []
    run(env, "close-year", str(YEAR - 1), "--books", str(root))
    assert _tags(root) == [f"close-{YEAR - 1}"]


def test_defect_10_5_a_failed_tag_undoes_the_close_and_it_can_be_rerun(open_books_dir) -> None:  # type: ignore[no-untyped-def]
    root, env = open_books_dir
    before, history = tree_digest(root), git_state(root)
    failed = run(dict(env, COOPLEDGER_FAULT_INJECT="tag-fails"),
                 "close-year", str(YEAR - 1), "--books", str(root), check=False)  # fmt: skip
    assert failed.returncode == 1 and failed.stderr.count("\n") == 1
    assert "the commit was undone, the books are as before" in failed.stderr
    assert tree_digest(root) == before and git_state(root) == history and _tags(root) == []
    run(env, "close-year", str(YEAR - 1), "--books", str(root))
    assert verify_json(env, root)[0] == 0


# ---------------------------------------------------------------- defect 6: one line per OSError


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (1500, 1500))


def test_defect_10_6_file_too_large_is_one_line_and_changes_nothing(closed) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    before, history = tree_digest(root), git_state(root)
    proc = subprocess.run(
        [sys.executable, "-m", "ledger.cli", "participant", "add", "--books", str(root)],
        capture_output=True, text=True, env=env, preexec_fn=_limit_file_size, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1
    assert "File too large (EFBIG)" in proc.stderr
    check(env, root)  # recovers whatever the write could not put back
    assert tree_digest(root) == before and git_state(root) == history


@pytest.mark.parametrize("point", ["after-first-file", "after-files"])
def test_defect_10_6_disk_full_is_one_line_and_changes_nothing(closed, point: str) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    before, history = tree_digest(root), git_state(root)
    proc = run(dict(env, COOPLEDGER_FAULT_INJECT=f"enospc:{point}"),
               "participant", "add", "--books", str(root), check=False)  # fmt: skip
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    assert "No space left on device (ENOSPC); nothing was changed" in proc.stderr
    assert tree_digest(root) == before and git_state(root) == history


def test_an_unwritable_output_is_one_line(closed) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    proc = run(env, "export", "audit", "--books", str(root), "--tag", f"close-{YEAR}",
               "--out", "/dev/null/export", check=False)  # fmt: skip
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    assert proc.stderr == "coopledger: error: /dev/null/export: Not a directory (ENOTDIR)\n"


# ---------------------------------------------------------------- defect 7: the pickle cache


def test_defect_10_7_check_warns_about_a_pickle_cache(closed) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    (root / ".main.beancount.picklecache").write_bytes(b"\x80\x04N.")
    proc = check(env, root)
    assert proc.returncode == 0
    assert (
        "warning: .main.beancount.picklecache: a beancount pickle cache sits in the books"
        in proc.stderr
    )
    code, report = verify_json(env, root)
    assert code == 0  # a hazard, not a change: reported as a warning
    assert any(p["check"] == "cache" and p["warning"] for p in problems(report))


# ---------------------------------------------------------------- signed history


def test_signed_books_verify_and_an_unsigned_commit_fails(tmp_path: Path) -> None:
    if subprocess.run(["which", "ssh-keygen"], capture_output=True).returncode != 0:
        pytest.skip("ssh-keygen is not installed")
    key = tmp_path / "hub-signing"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    env = base_env(tmp_path)
    root = tmp_path / "books"
    build_books(root, env, signing=key)
    code, report = verify_json(env, root)
    assert code == 0, problems(report)
    assert any(c["check"] == "signatures" and c["ok"] for c in report["checks"])  # type: ignore[union-attr]
    # An unsigned commit (or one by another key) fails.
    (root / "notes.txt").write_text("fictional note\n")
    subprocess.run(["git", "-C", str(root), "add", "notes.txt"], check=True, env=env)
    subprocess.run(["git", "-C", str(root), "-c", "commit.gpgSign=false", "commit", "-qm", "unsigned"],
                   check=True, env=env)  # fmt: skip
    code, report = verify_json(env, root)
    assert code == 1
    assert any(
        p["check"] == "signatures" and "is not signed" in str(p["message"])
        for p in problems(report)
    )


def test_document_hashes_in_threads_are_each_file_in_order(tmp_path: Path) -> None:
    """check_documents hashes in shares across threads: every file's own sha256, in the
    order given, ``None`` for a file missing or a folder (as a serial read gives)."""
    paths = []
    for i in range(23):
        path = tmp_path / f"f{i}.pdf"
        path.write_bytes(bytes([i]) * (i * 997 + (HASH_CHUNK + 5 if i == 7 else 0)))
        paths.append(str(path))
    paths[3] = str(tmp_path / "missing.pdf")
    paths[11] = str(tmp_path)
    expected = [
        hashlib.sha256(Path(p).read_bytes()).hexdigest() if Path(p).is_file() else None
        for p in paths
    ]
    assert hash_files(paths) == expected
    assert hash_files([]) == []
