"""``coopledger client`` and ``coopledger invoice`` as a user runs them (subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from invoicing_support import ALIAS, RULES, YEAR, Hub, snapshot
from tests_support import run_cli

from invoicing.validation import rules_available


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = run_cli(args, env={**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"})
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} failed: {proc.stdout}\n{proc.stderr}")
    return proc


def test_client_add_and_list(hub: Hub) -> None:
    b = str(hub.root)
    out = run("client", "add", "--books", b, "--name", "Nouvelle SRL",
              "--vat-number", "BE0417497106", "--address", "Rue A 1, 1000 Bruxelles",
              "--lang", "nl").stdout  # fmt: skip
    assert out.strip().splitlines()[-1] == "C0003"
    person = run("client", "add", "--books", b, "--name", "Madame Fictive").stdout
    assert person.strip().splitlines()[-1] == "C0004"
    listed = json.loads(run("client", "list", "--books", b, "--json").stdout)
    assert [c["id"] for c in listed] == ["C0001", "C0002", "C0003", "C0004"]
    assert listed[2]["enterprise_number"] == "0417497106" and listed[2]["business"]
    assert not listed[3]["business"]
    assert "Peppol e-invoice to 0208:0417497106" in out and "private person" in person


def test_foreign_business_without_peppol_id_is_told_pdf_only(hub: Hub) -> None:
    b = str(hub.root)
    out = run("client", "add", "--books", b, "--name", "Acme BV", "--country", "NL",
              "--vat-number", "NL004495445B01").stdout  # fmt: skip
    assert "without a Peppol id (PDF only" in out
    issued = run("invoice", "issue", "--books", b, "--participant", hub.participant,
                 "--client", out.split()[-1], "--line", "Job|1|10|0",
                 "--date", f"{YEAR}-03-01").stdout  # fmt: skip
    assert "UBL: none (foreign business without a Peppol id: PDF only)" in issued
    assert "Total: 10.00 EUR" in issued
    shown = run("invoice", "show", f"{YEAR}-0001", "--books", b, "--as-of", f"{YEAR}-03-02").stdout
    assert "Paid: 0.00 EUR" in shown


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--enterprise-number", "0202239952"], "--enterprise-number: invalid Belgian enterprise"),
        (["--country", "ZZ"], "--country: invalid country code"),
        (["--peppol-id", "garbage"], "--peppol-id: invalid Peppol id"),
        (["--enterprise-number", "0202239951"], "already exists: C0001"),
        (["--vat-number", "BE0202239952"], "--vat-number: invalid Belgian enterprise"),
    ],
)
def test_client_add_errors(hub: Hub, args: list[str], message: str) -> None:
    before = snapshot(hub.root)
    proc = run("client", "add", "--books", str(hub.root), "--name", "X", *args, check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith("coopledger: error: ") and message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert before.unchanged()


def test_issue_credit_list_show_validate(hub: Hub, tmp_path: Path) -> None:
    b = str(hub.root)
    out = json.loads(
        run(
            "invoice",
            "issue",
            "--books",
            b,
            "--participant",
            hub.participant,
            "--client",
            hub.business,
            "--line",
            "Buffet <b>|20|12.50|0",
            "--line",
            "Service|2|25|0",
            "--date",
            f"{YEAR}-03-01",
            "--json",
        ).stdout
    )
    assert out["number"] == f"{YEAR}-0001" and out["total"] == "300.00"
    assert len(out["ogm"]) == 12 and Path(out["pdf"]).is_file() and Path(out["ubl"]).is_file()
    toml = tmp_path / "lines.toml"
    toml.write_text(
        f'participant = "{hub.participant}"\nclient = "{hub.person}"\ndate = {YEAR}-03-02\n'
        '[[lines]]\ndescription = "Coupe"\nquantity = 1\nunit_price = "28.00"\nvat_rate = 0\n'
        '[[lines]]\ndescription = "Tresses"\nquantity = 1\nunit_price = 65\nvat_rate = 0\n',
        encoding="utf-8",
    )
    text = run("invoice", "issue", "--books", b, "--from", str(toml)).stdout
    assert f"Invoice {YEAR}-0002 issued" in text and "+++" in text and "93.00 EUR" in text
    assert "UBL: none" in text
    credit = json.loads(
        run(
            "invoice",
            "credit",
            "--books",
            b,
            f"{YEAR}-0001",
            "--line",
            "Service|1|25|0",
            "--reason",
            "Une heure en moins",
            "--date",
            f"{YEAR}-03-05",
            "--json",
        ).stdout
    )
    assert credit["number"] == f"NC{YEAR}-0001" and credit["invoice"] == f"{YEAR}-0001"
    assert credit["total"] == "25.00"
    rows = json.loads(
        run("invoice", "list", "--books", b, "--json", "--as-of", f"{YEAR}-03-10").stdout
    )
    # each credit note is listed under its invoice, with its delivery (qa 13/15 item 12)
    assert [c["number"] for c in rows[0]["credit_note_details"]] == [f"NC{YEAR}-0001"]
    assert rows[1]["credit_note_details"] == []
    assert [(r["number"], r["status"], r["total"], r["outstanding"]) for r in rows] == [
        (f"{YEAR}-0001", "open", "300.00", "275.00"),
        (f"{YEAR}-0002", "open", "93.00", "93.00"),
    ]
    assert all(len(r["ogm"]) == 12 for r in rows)
    overdue = json.loads(
        run("invoice", "list", "--books", b, "--json", "--status", "overdue").stdout
    )
    assert len(overdue) == 2  # a year later, both are overdue
    assert (
        json.loads(run("invoice", "list", "--books", b, "--json", "--status", "paid").stdout) == []
    )
    show = run("invoice", "show", "--books", b, f"{YEAR}-0001").stdout
    assert "Buffet <b>" in show and "NC" in show and ALIAS not in show
    shown = json.loads(run("invoice", "show", "--books", b, f"NC{YEAR}-0001", "--json").stdout)
    assert shown["reference"]["number"] == f"{YEAR}-0001"
    assert run("check", "--books", b).returncode == 0
    if rules_available(RULES):
        ok = run("invoice", "validate", "--rules", str(RULES), out["ubl"], credit["ubl"])
        assert ok.stdout.count(": OK") == 2
        broken = tmp_path / "broken.xml"
        broken.write_bytes(
            Path(out["ubl"]).read_bytes().replace(b">0202239951<", b">0202239952<", 1)
        )
        bad = run("invoice", "validate", "--rules", str(RULES), str(broken), "--json", check=False)
        assert bad.returncode == 1
        report = json.loads(bad.stdout)[0]
        assert not report["ok"]
        assert "PEPPOL-COMMON-R043" in {f["rule"] for f in report["failures"]}
        text = run("invoice", "validate", "--rules", str(RULES), str(broken), check=False).stdout
        assert "[PEPPOL-COMMON-R043]" in text and "Belgian enterprise number" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--participant", "P-0000AA"], "unknown participant P-0000AA"),
        (["--client", "C0042"], "unknown client 'C0042'"),
        (["--line", "Buffet|1|10"], "malformed line"),
        (["--line", "Buffet|1|0|0"], "must be positive"),
        (["--line", "Buffet|1|10|21"], "VAT rate 21 % on a VAT-exempt hub"),
        (["--date", "2001-02-30"], "invalid date"),
    ],
)
def test_issue_errors_are_one_line_and_change_nothing(
    hub: Hub, args: list[str], message: str
) -> None:
    before = snapshot(hub.root)
    base = {"--participant": hub.participant, "--client": hub.business, "--line": "Buffet|1|10|0"}
    for i in range(0, len(args), 2):
        base[args[i]] = args[i + 1]
    flat = [x for kv in base.items() for x in kv]
    proc = run("invoice", "issue", "--books", str(hub.root), *flat, check=False)
    last = proc.stderr.strip().splitlines()[-1]
    assert message in last
    if proc.returncode == 1:  # a CoopledgerError: one line
        assert len(proc.stderr.strip().splitlines()) == 1
    else:  # argparse usage error
        assert proc.returncode == 2
    assert ALIAS not in proc.stderr
    assert before.unchanged()


def test_closed_participant_via_cli(hub: Hub) -> None:
    before = snapshot(hub.root)
    proc = run("invoice", "issue", "--books", str(hub.root), "--participant", hub.closed,
               "--client", hub.business, "--line", "x|1|1|0", check=False)  # fmt: skip
    assert proc.returncode == 1 and f"participant {hub.closed} is closed" in proc.stderr
    assert before.unchanged()
