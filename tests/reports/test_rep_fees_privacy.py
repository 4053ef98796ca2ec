"""``report fees-slips`` and the participants' safety in every report.

Fees slips 2025 of the report hub, by hand (attributed = what her clients paid, net of
VAT, less the contribution; paid = what left the hub for her in the year):
  P1  100.00 − 10.00 = 90.00; paid 50.00 (debited 04-14)
  P2  150.00 − 15.00 = 135.00; paid 0.00 (the 40.00 ordered 12-20 left the bank in 2026)
  P3  100.00 − 10.00 = 90.00; paid 30.00 (cash)
  none above 250.00: no slip is due; 2026: P2 paid 40.00, P1 60.00 − 7.20 = 52.80.

No report shows a name, an alias or any detail of the roster — with or without the hub
key; only the slips' data set (``--identities``) does, when the hub turned the slips on,
in a file of its own outside the books, readable by its owner only.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from report_support import Hub, report, report_ok
from tests_support import git_state, tree_digest

from ledger.participants import check_details
from ledger.roster import RosterEntry, editing_roster

# Only the fields the roster holds (ledger.roster.DETAIL_FIELDS): the address is one text.
PEOPLE = {
    "P-7K3Q9X": {"alias": "Fictive Zulu (test)", "last_name": "Fictif-Alpha",
                 "first_name": "Zélie-Test", "address": "Rue Imaginaire 9, 1030 Schaerbeek-Fictif",
                 "birth_date": "1901-02-03", "phone": "+32 470 00 00 01"},
    "P-2M8D4R": {"alias": "Fictive Yankee (test)", "last_name": "Fictif-Bravo",
                 "first_name": "Yara-Test", "address": "Avenue Inventée 3, 1000 Bruxelles-Fictif",
                 "birth_date": "1902-03-04", "phone": "+32 470 00 00 02"},
    "P-9H6T1W": {"alias": "Fictive Xray (test)", "last_name": "Fictif-Charlie",
                 "first_name": "Xena-Test", "address": "Place Irréelle 5, 1060 Saint-Gilles-Fictif",
                 "birth_date": "1903-04-05", "phone": "+32 470 00 00 03"},
}  # fmt: skip
# What would identify someone.
SECRETS = sorted({v for person in PEOPLE.values() for v in person.values()})
# The slip's identity zones the roster has no field for: always left for the hub to fill.
EMPTY_ZONES = ("2016", "2017", "2018", "2011", "2107")


def test_fees_slips_by_hand(hub: Hub) -> None:
    f = report_ok("fees-slips", "2025", "--books", str(hub.root), "--json").json()
    assert [(s["participant"], s["attributed"], s["zone_2064"], s["zone_2065"], s["slip_required"])
            for s in f["slips"]] == [
        ("P-2M8D4R", "135.00", "135.00", "0.00", False),
        ("P-7K3Q9X", "90.00", "90.00", "50.00", False),
        ("P-9H6T1W", "90.00", "90.00", "30.00", False),
    ]  # fmt: skip
    assert (f["threshold"], f["amount_zone"], f["slips_required"], f["identities"]) == (
        "250.00",
        "2061",
        0,
        None,
    )
    later = report_ok("fees-slips", "--year", "2026", "--books", str(hub.root), "--json").json()
    assert [(s["participant"], s["attributed"], s["zone_2065"]) for s in later["slips"]] == [
        ("P-2M8D4R", "0.00", "40.00"), ("P-7K3Q9X", "52.80", "0.00")
    ]  # fmt: skip


@pytest.fixture
def people(hub_copy: Hub) -> Hub:
    """The report hub with its participants' identities in the roster (fictional)."""
    books = hub_copy.books()
    with editing_roster(books, "roster: identities for the privacy test") as edit:
        for code, person in PEOPLE.items():
            details = check_details({k: v for k, v in person.items() if k != "alias"})
            edit.roster.participants[code] = RosterEntry(
                code=code, alias=person["alias"], details=details, added=dt.date(2025, 1, 2)
            )
    return hub_copy


def _enable(root: Path, threshold: str = "50.00") -> None:
    path = root / "hub.toml"
    path.write_text(path.read_text() + (
        f'\n[fees_slips]\nenabled = true\ndecision = "CA 2026-01 (fictive)"\n'
        f'decided_on = 2026-01-10\nthreshold = "{threshold}"\n'
    ))  # fmt: skip
    subprocess.run(["git", "-C", str(root), "commit", "-qam", "fees slips on"], check=True)


def _all_text(path: Path) -> str:
    if path.suffix == ".pdf":
        return "\n".join(p.extract_text() for p in PdfReader(path).pages)
    if path.suffix == ".xlsx":
        wb = load_workbook(path)
        return "\n".join(str(c.value) for ws in wb.worksheets for r in ws.iter_rows() for c in r
                         if c.value is not None)  # fmt: skip
    return path.read_text(encoding="utf-8")


REPORTS = (
    ("trial-balance", "--year", "2025"),
    ("general-ledger", "--year", "2025"),
    ("journals", "--year", "2025"),
    ("annual-accounts", "2025"),
    ("vat", "--year", "2025", "--xml"),
    ("grant", "--year", "2025"),
    ("treasurer", "--month", "2025-12"),
    ("participant", "P-7K3Q9X", "--year", "2025"),
    ("fees-slips", "2025"),
)
FORMATS = {"trial-balance": ("xlsx", "pdf", "csv"), "general-ledger": ("xlsx", "pdf", "csv"),
           "journals": ("xlsx", "pdf", "csv"), "annual-accounts": ("pdf", "xlsx"),
           "vat": ("pdf", "xlsx", "csv"), "grant": ("xlsx", "pdf", "csv"),
           "treasurer": ("pdf", "xlsx"), "participant": ("pdf", "xlsx"),
           "fees-slips": ("xlsx", "pdf", "csv")}  # fmt: skip


def _no_secret(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} in {where}"


@pytest.mark.parametrize("key", ["at hand", "absent"])
def test_no_identity_in_any_report(
    people: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    _enable(people.root)
    if key == "absent":
        empty = tmp_path / "no-key"
        empty.mkdir()
        monkeypatch.setenv("XDG_CONFIG_HOME", str(empty))
    before = (tree_digest(people.root), git_state(people.root))
    for args in REPORTS:
        name = args[0]
        for fmt in FORMATS[name]:
            folder = tmp_path / f"{name}-{fmt}-{key.replace(' ', '-')}"
            run = report_ok(
                *args, "--books", str(people.root), "--format", fmt, "--out", f"{folder}/"
            )
            _no_secret(run.stdout + run.stderr, f"{name} {fmt} output")
            for path in folder.iterdir():
                _no_secret(_all_text(path), str(path.name))
        run = report_ok(*args, "--books", str(people.root), "--json")
        _no_secret(run.stdout + run.stderr, f"{name} --json")
    assert (
        tree_digest(people.root),
        git_state(people.root),
    ) == before  # reports never write the books


def test_identities_only_when_turned_on_and_the_key_is_at_hand(
    people: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = str(people.root)
    # Not turned on: refused, nothing written.
    run = report("fees-slips", "2025", "--books", root, "--identities", "--out", f"{tmp_path}/a/")
    assert run.code == 1 and "not turned on ([fees_slips] enabled = false" in run.stderr
    assert not (tmp_path / "a").exists()
    _enable(people.root)
    # Turned on, no key: refused.
    empty = tmp_path / "no-key"
    empty.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(empty))
    run = report("fees-slips", "2025", "--books", root, "--identities", "--out", f"{tmp_path}/b/")
    assert run.code == 1 and "the hub key is not at hand" in run.stderr
    assert not (tmp_path / "b").exists()
    # Turned on and the key at hand: the data set in a file of its own, 0600.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(people.xdg))
    run = report_ok("fees-slips", "2025", "--books", root, "--identities", "--json",
                    "--out", f"{tmp_path}/c/")  # fmt: skip
    _no_secret(run.stdout + run.stderr, "fees-slips --identities output")
    figures = run.json()
    # With a threshold of 50.00 (set for the test), all three are above it.
    assert figures["identities"]["slips"] == 3
    assert figures["identities"]["missing_per_zone"]["2013"] == 0
    assert figures["identities"]["missing_per_zone"]["2105"] == 3  # no birth place kept
    assert figures["identities"]["missing_per_zone"]["2106"] == 0  # the birth date is
    for zone in EMPTY_ZONES:  # no roster field: the hub fills them in Belcotax-on-web
        assert figures["identities"]["missing_per_zone"][zone] == 3, zone
    sheet = tmp_path / "c" / "fees-slips-2025-identities.csv"
    assert sheet.is_file() and (sheet.stat().st_mode & 0o777) == 0o600
    rows = list(csv.DictReader(io.StringIO(sheet.read_text(encoding="utf-8"))))
    assert [(r["2013 name"], r["2114 first names"], r["2061 fees (cents)"], r["2065 actually paid (cents)"])
            for r in rows] == [
        ("Fictif-Bravo", "Yara-Test", "13500", "0"),
        ("Fictif-Alpha", "Zélie-Test", "9000", "5000"),
        ("Fictif-Charlie", "Xena-Test", "9000", "3000"),
    ]  # fmt: skip
    assert all(r["2008 slip type"] == "28150" and r["2002 income year"] == "2025" for r in rows)
    assert rows[0]["2015 address"] == "Avenue Inventée 3, 1000 Bruxelles-Fictif"
    assert "+32 470" not in sheet.read_text()  # what a slip does not ask is not in it
    assert "P-" not in sheet.read_text()  # no code: the sheet links no one to the books
    # The report itself, beside it, still names nobody.
    _no_secret(_all_text(tmp_path / "c" / "fees-slips-2025.xlsx"), "the report beside the sheet")
    # And never inside the books.
    run = report("fees-slips", "2025", "--books", root, "--identities",
                 "--out", str(people.root / "slips") + "/")  # fmt: skip
    assert run.code == 1 and "inside the books" in run.stderr
    assert not (people.root / "slips").exists()
    assert json.dumps(figures).count("Fictif") == 0
