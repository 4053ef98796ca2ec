"""The scalable demo (issue 16): ``demo build --years N --participants M --seed S`` writes
books of many years that check, with every earlier year closed, and the same seed gives
the same books but for the random codes and keys."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from beancount.core import data

from ledger.books import Books
from ledger.demo import build_demo

CODE = re.compile(r"P-[0-9A-Z]{6}")


def build(base: Path, name: str, seed: int) -> Books:
    xdg = base / f"xdg-{name}"
    xdg.mkdir()
    saved = os.environ.get("XDG_CONFIG_HOME")
    os.environ["XDG_CONFIG_HOME"] = str(xdg)
    try:
        return build_demo(base / name, year=2025, seed=seed, years=2, participants=6)
    finally:
        if saved is None:
            os.environ.pop("XDG_CONFIG_HOME", None)
        else:
            os.environ["XDG_CONFIG_HOME"] = saved


def shape(books: Books) -> Counter[tuple[object, ...]]:
    """What the books hold, codes aside: each transaction's date, kind and amounts."""
    out: Counter[tuple[object, ...]] = Counter()
    for entry in books.load().entries:
        if isinstance(entry, data.Transaction):
            amounts = tuple(sorted(str(p.units.number) for p in entry.postings))
            out[(entry.date, entry.meta.get("kind"), amounts)] += 1
    return out


def check_two_years(books: Books) -> None:
    """The books check, 2024 closed (sealed and tagged), both years hold transactions."""
    ledger = books.load()
    assert books.error_lines(ledger) == []
    tags = subprocess.run(["git", "-C", str(books.root), "tag"], capture_output=True,
                          text=True, check=True).stdout.split()  # fmt: skip
    assert "close-2024" in tags
    assert (books.root / "2024" / "closing.beancount").is_file()
    years = {e.date.year for e in ledger.entries if isinstance(e, data.Transaction)}
    assert {2024, 2025} <= years


# Seeds 1, 3 and 5 pass (seed 3 once failed: a credit note dated before the payment it
# undid, "more was undone than was paid"); ten runs of one seed are checked below.
@pytest.mark.parametrize("seed", [1])
def test_demo_same_seed_same_books_but_for_codes_and_keys(tmp_path: Path, seed: int) -> None:
    first = build(tmp_path, "first", seed=seed)
    check_two_years(first)
    second = build(tmp_path, "second", seed=seed)
    assert shape(first) == shape(second)
    texts = [
        CODE.sub("P-CODE", (books.root / "2024" / "invoices.beancount").read_text())
        for books in (first, second)
    ]
    strip = re.compile(r'^\s*(ogm|digest|sha256|ubl|pdf|document)[-a-z]*: ".*"$', re.M)
    assert strip.sub("", texts[0]).count("\n") == strip.sub("", texts[1]).count("\n")


# ---------------------------------------------------------------- reproducibility

DIGEST = re.compile(r"\b[0-9a-f]{64}\b")
ARCHIVE = re.compile(r"(\.coda|\.mt940|\.camt|\.csv)-[0-9a-f]{10}")
HUB_ID = re.compile(r"^id = .*$", re.M)
AGE_KEY = re.compile(r"\bage1[0-9a-z]{58}\b")  # a public key (recipient) of the hub
RUNS = 10


POSTING = re.compile(r"^  [A-Z][A-Za-z]+:")


def in_order(text: str) -> str:
    """Each entry's postings in one order: the carried balances list accounts by name, and
    a name holds a participant's random code, so two builds may list the same postings in
    another order (the same entry)."""
    out: list[str] = []
    run: list[str] = []
    for line in [*text.splitlines(), ""]:
        if POSTING.match(line):
            run.append(line)
            continue
        out += sorted(run)
        run = []
        out.append(line)
    return "\n".join(out[:-1])


def normalised(root: Path) -> dict[str, str]:
    """The books' text with what differs between two builds of one seed replaced: the
    participants' codes (by the order they were opened: P-000000, P-000001…), the digests
    of files that hold a code (sha256, and the archive names made of one), the hub's id and
    its keys.
    Every ``.beancount`` file, ``clients.toml``, ``hub.toml`` and the list of documents."""
    codes: dict[str, str] = {}
    for code in CODE.findall((root / "participants.beancount").read_text()):
        codes.setdefault(code, f"P-{len(codes):06d}")

    def clean(text: str) -> str:
        text = CODE.sub(lambda m: codes.get(m.group(0), "P-UNKNOWN"), text)
        text = ARCHIVE.sub(r"\1-<digest>", DIGEST.sub("<sha256>", text))
        return in_order(AGE_KEY.sub("<key>", HUB_ID.sub("id = <hub>", text)))

    out = {
        str(path.relative_to(root)): clean(path.read_text())
        for path in sorted(root.rglob("*.beancount"))
    }
    for name in ("clients.toml", "hub.toml"):
        out[name] = clean((root / name).read_text())
    out["documents"] = clean("\n".join(
        str(p.relative_to(root)) for p in sorted((root / "documents").rglob("*")) if p.is_file()
    ))  # fmt: skip
    return out


def test_demo_reproducible_same_seed_ten_runs_same_books_modulo_codes_and_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 16: the same seed gives the same books but for codes and keys, 10 runs in a
    row (two participants, so an order by random code would show; two years, one closed)."""
    started = time.monotonic()
    first: dict[str, str] | None = None
    for run in range(RUNS):
        root = tmp_path / f"run{run}"
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / f"xdg{run}"))
        monkeypatch.setenv("COOPLEDGER_KEY_FILE", str(tmp_path / f"run{run}.key"))
        books = build_demo(root, year=2025, seed=11, years=2, participants=2)
        assert books.error_lines(books.load()) == [], f"run {run + 1}"
        texts = normalised(root)
        assert "P-UNKNOWN" not in "".join(texts.values())
        if first is None:
            first = texts
            continue
        differ = sorted(name for name in {*first, *texts} if first.get(name) != texts.get(name))
        assert differ == [], f"run {run + 1} differs from run 1 in {differ}"
    print(f"{RUNS} demo builds in {time.monotonic() - started:.0f} s")
