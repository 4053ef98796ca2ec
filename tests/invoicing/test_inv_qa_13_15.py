"""Regression tests of the QA report on issues 13 and 15 (``qa-13-15``), Peppol side: each
named after its defect (``test_qa_13_15_<n>_…``), through ``coopledger`` as a treasurer
runs it (subprocesses; the access point is the local e-invoice.be on 127.0.0.1). The bank
side is in ``tests/importers/test_imp_qa_13_15.py``.

Every party, number and account here is fictional (valid check digits only).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fake_einvoice import API_KEY, FakeState, fake_access_point
from invoicing_support import CLIENT_ENTERPRISE, HUB_ENTERPRISE, REPO, YEAR, Hub, day, snapshot
from lxml import etree
from peppol_support import (
    EXAMPLES,
    LINES_STD,
    example,
    hub_as_client,
    readdress,
    set_text,
    supplier_document,
    with_peppol,
    write,
)

from invoicing.validation import Validator
from ledger.dates import today as calendar_today

LINE = "Service traiteur fictif|1|120|0"
ROSTER = (
    'alias = "Zora"\nname = "Zorabella Fictivia"\nphone = "+32 470 99 88 77"\n'
    'payee_iban = "BE26068888888829"\npayee_name = "Zorabella Fictivia"\n'
)
NEEDLES = ("zorabella", "fictivia", "470 99 88 77", "32470998877", "26068888888829")


@pytest.fixture
def env(
    tmp_path: Path, cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """The commands' environment; the hub key in the same place for books made in the test
    (``cli_env`` forgets ``COOPLEDGER_KEY_FILE``)."""
    monkeypatch.setenv("COOPLEDGER_KEY_FILE", str(tmp_path / "hub.key"))
    out = {**cli_env, "COOPLEDGER_KEY_FILE": str(tmp_path / "hub.key"),
           "XDG_DATA_HOME": str(tmp_path / "xdg-data")}  # fmt: skip
    for name in (
        "COOPLEDGER_PEPPOL_API_KEY",
        "COOPLEDGER_PEPPOL_CREDENTIALS",
        "COOPLEDGER_OUTBOX",
    ):
        out.pop(name, None)
    return out


@pytest.fixture
def fake() -> Iterator[FakeState]:
    with fake_access_point() as state:
        yield state


def run(env: dict[str, str], *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
    return subprocess.run([sys.executable, "-m", "ledger.cli", *args], capture_output=True,
                          text=True, env=env, timeout=300, input=input,
                          stdin=None if input is not None else subprocess.DEVNULL)  # fmt: skip


def one_line(proc: subprocess.CompletedProcess[str], *expected: str) -> str:
    """Refused: exit 1, one line on stderr holding each of ``expected``, no traceback."""
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


def purchase(env: dict[str, str], hub: Hub, *args: str) -> subprocess.CompletedProcess[str]:
    return run(env, "purchase", "import", "--books", str(hub.root), *args)


def outbox(env: dict[str, str], hub: Hub) -> Path:
    return Path(env["XDG_DATA_HOME"]) / "coopledger" / hub.books.config.id / "outbox"


def issue(hub: Hub, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    return run(env, "invoice", "issue", "--books", str(hub.root), "--participant",
               hub.participant, "--client", hub.business, "--line", LINE, "--date",
               day(12, 1).isoformat(), *extra)  # fmt: skip


def online(hub: Hub, env: dict[str, str], fake: FakeState) -> dict[str, str]:
    with_peppol(hub.books, fake.port)
    fake.lookup_registered = {f"0208:{CLIENT_ENTERPRISE}"}
    return {**env, "COOPLEDGER_PEPPOL_API_KEY": API_KEY}


# ---------------------------------------------------------------- 2: the roster guard


def test_qa_13_15_2_number_payment_reference_and_account_pass_the_roster_guard(
    hub_factory: Callable[..., Hub], validator: Validator, env: dict[str, str], tmp_path: Path
) -> None:
    hub = hub_factory("standard")
    added = run(env, "participant", "add", "--books", str(hub.root), "--from-file", "-",
                "--activity", "catering", "--date", day(1, 5).isoformat(), input=ROSTER)  # fmt: skip
    assert added.returncode == 0, added.stderr
    xml = supplier_document(hub.books.config, LINES_STD, day=day(3, 3), number="F-1", seq=1)
    cases = {
        "the document number": ("cbc:ID", "Zorabella Fictivia"),
        "the payment reference": ("cac:PaymentMeans/cbc:PaymentID", "+32 470 99 88 77"),
        "the supplier's account": ("cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID",
                                   "BE26068888888829"),
    }  # fmt: skip
    snap = snapshot(hub.root)
    for field, (path, value) in cases.items():
        doc = write(tmp_path / f"{field}.xml", set_text(xml, path, value))
        for extra in ((), ("--dry-run",)):
            error = one_line(purchase(env, hub, str(doc), "--hub", *extra),
                             f"the file: {field}: refused, it names a participant")  # fmt: skip
            assert not any(n in error.lower() for n in NEEDLES), error
    assert snap.unchanged()
    assert purchase(env, hub, str(write(tmp_path / "ok.xml", xml)), "--hub").returncode == 0


# ---------------------------------------------------------------- 3: DTD, entities


XXE = b'<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def test_qa_13_15_3_a_dtd_or_an_entity_is_refused_before_the_schema(
    hub: Hub, validator: Validator, env: dict[str, str], tmp_path: Path
) -> None:
    xml = supplier_document(hub.books.config, LINES_STD, day=day(3, 3))
    text = etree.tostring(etree.fromstring(xml), encoding="unicode")
    assert "<cbc:DocumentCurrencyCode>" in text
    text = text.replace("<cbc:DocumentCurrencyCode>",  # a Note that references the entity
                        "<cbc:Note>&xxe;</cbc:Note><cbc:DocumentCurrencyCode>", 1)  # fmt: skip
    doc = write(tmp_path / "xxe.xml", b'<?xml version="1.0" encoding="UTF-8"?>' + XXE + b"\n"
                + text.encode())  # fmt: skip
    snap = snapshot(hub.root)
    for extra in ((), ("--dry-run",)):
        one_line(purchase(env, hub, str(doc), "--hub", *extra),
                 "the file: holds a DTD or entity declarations")  # fmt: skip
    assert snap.unchanged()
    checked = run(env, "invoice", "validate", str(doc), "--books", str(hub.root))
    assert checked.returncode == 1 and "Traceback" not in checked.stderr, checked.stderr
    assert "[DTD] fatal (xml): holds a DTD or entity declarations" in checked.stdout
    assert "root:" not in checked.stdout  # /etc/passwd was never read


# ---------------------------------------------------------------- 5: before the books


@pytest.mark.skipif(not EXAMPLES.exists(), reason="../shared/samples absent")
def test_qa_13_15_5_a_document_dated_before_the_books_open_says_give_date(
    hub_factory: Callable[..., Hub], validator: Validator, env: dict[str, str], tmp_path: Path
) -> None:
    hub = hub_factory("standard")
    doc = write(tmp_path / "old.xml", readdress(example("base-example.xml"), hub.books.config))
    snap = snapshot(hub.root)
    for extra in (("--dry-run",), ()):
        one_line(purchase(env, hub, str(doc), "--hub", *extra),
                 f"the file: dated 2017-11-13, before the books open on {YEAR}-01-01; give --date")  # fmt: skip
    early = (dt.date(YEAR, 1, 1) - dt.timedelta(days=1)).isoformat()
    one_line(purchase(env, hub, str(doc), "--hub", "--date", early),
             f"--date {early} is before the books open on {YEAR}-01-01")  # fmt: skip
    assert snap.unchanged()
    booked = purchase(env, hub, str(doc), "--hub", "--date", day(3, 1).isoformat(), "--json")
    assert booked.returncode == 0 and json.loads(booked.stdout)[0]["issued"] == "2017-11-13"


# ---------------------------------------------------------------- 6: an exempt hub


def test_qa_13_15_6_an_exempt_hub_is_the_buyer_with_be_and_its_enterprise_number(
    hub: Hub, validator: Validator, env: dict[str, str], tmp_path: Path
) -> None:
    assert hub.books.config.hub.vat_number is None  # exempt: no VAT number
    as_buyer = hub_as_client(hub.books.config).model_copy(
        update={"vat_number": f"BE{HUB_ENTERPRISE}"}
    )
    for category, lines in (("S", LINES_STD), ("E", [("1", "40.00", "0")])):
        xml = supplier_document(hub.books.config, lines, day=day(3, 3), number=f"F-{category}",
                                seq=3, client=as_buyer)  # fmt: skip
        done = purchase(env, hub, str(write(tmp_path / f"{category}.xml", xml)), "--hub")
        assert done.returncode == 0, (category, done.stderr)
    xml = set_text(
        supplier_document(hub.books.config, LINES_STD, day=day(3, 4), number="F-9", seq=9,
                          client=as_buyer),
        "cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID", "BE0417497106",
    )  # fmt: skip
    one_line(purchase(env, hub, str(write(tmp_path / "other.xml", xml)), "--hub"),
             "the buyer's VAT number in it is not the hub's")  # fmt: skip


# ---------------------------------------------------------------- 7: --charge-later


def test_qa_13_15_7_a_participants_cost_beyond_her_balance_can_be_charged_later(
    hub: Hub, validator: Validator, env: dict[str, str], tmp_path: Path
) -> None:
    config = hub.books.config
    xml = write(tmp_path / "f1.xml", supplier_document(config, LINES_STD, day=day(3, 3),
                                                       number="F-1", seq=1))  # fmt: skip
    snap = snapshot(hub.root)
    error = one_line(purchase(env, hub, str(xml), "--participant", hub.participant),
                     f"the file: cost refused: 170.20 EUR would take the balance held for "
                     f"{hub.participant} below zero", "--charge-later", "--hub")  # fmt: skip
    assert "--paid-from" not in error
    assert snap.unchanged()
    done = purchase(env, hub, str(xml), "--participant", hub.participant, "--charge-later")
    assert done.returncode == 0, done.stderr
    assert "recovered from their next client payments" in done.stdout
    owed = config.account("participant_owed", hub.participant)
    text = (hub.root / str(YEAR) / "purchases.beancount").read_text()
    assert "charged-later: TRUE" in text and f"{owed}  " in text
    # a credit note on it reduces what she owes
    cn = supplier_document(config, [("1", "10.00", "6")], day=day(3, 9), number="NC-1", seq=2,
                           credit_of=("F-1", day(3, 3)))  # fmt: skip
    assert purchase(env, hub, str(write(tmp_path / "nc.xml", cn))).returncode == 0
    assert run(env, "check", "--books", str(hub.root)).returncode == 0
    entries = (hub.root / str(YEAR) / "purchases.beancount").read_text().split("\n\n")
    [credit] = [e for e in entries if "supplier credit note NC-1" in e]
    assert owed in credit and "-10.60 EUR" in credit


# ---------------------------------------------------------------- 8: foreign VAT


def test_qa_13_15_8_foreign_vat_is_part_of_the_cost_never_recoverable(
    hub_factory: Callable[..., Hub], validator: Validator, env: dict[str, str], tmp_path: Path
) -> None:
    hub = hub_factory("standard")
    config = hub.books.config
    belgian = supplier_document(config, LINES_STD, day=day(3, 3), number="F-1", seq=1)
    path = "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID"
    french = set_text(supplier_document(config, LINES_STD, day=day(3, 4), number="F-2", seq=2),
                      path, "FR40303265045")  # fmt: skip
    done = json.loads(
        purchase(
            env,
            hub,
            str(write(tmp_path / "be.xml", belgian)),
            str(write(tmp_path / "fr.xml", french)),
            "--hub",
            "--json",
        ).stdout
    )
    assert [(d["vat"], d["vat_recoverable"]) for d in done] == [("25.20", "25.20"),
                                                                ("25.20", "0.00")]  # fmt: skip
    assert any("not Belgian VAT" in w for w in done[1]["warnings"])
    text = (hub.root / str(YEAR) / "purchases.beancount").read_text()
    [foreign] = [e for e in text.split("\n\n") if "supplier invoice F-2" in e]
    assert "Assets:TVA-a-recuperer" not in foreign and "vat-not-deductible: 25.20" in foreign
    assert re.search(r"Expenses:Services-et-biens-divers +170.20 EUR", foreign)
    if EXAMPLES.exists():  # the official example, a British supplier at 25 %
        gb = write(tmp_path / "gb.xml", readdress(example("base-example.xml"), config))
        [s] = json.loads(purchase(env, hub, str(gb), "--hub", "--date", day(3, 5).isoformat(),
                                  "--json").stdout)  # fmt: skip
        assert (s["vat"], s["vat_recoverable"]) == ("331.25", "0.00")
    assert "Foreign VAT is not recoverable" in (REPO / "docs" / "peppol.md").read_text()


# ---------------------------------------------------------------- 12: credit notes


def test_qa_13_15_12_credit_notes_are_listed_and_a_credited_invoice_is_not_resent(
    hub: Hub, env: dict[str, str], fake: FakeState
) -> None:
    env = online(hub, env, fake)
    books = ["--books", str(hub.root)]
    number, note = f"{YEAR}-0001", f"NC{YEAR}-0001"
    fake.send_plan = ["fail"]
    assert issue(hub, env).returncode == 0
    assert run(env, "invoice", "send", number, *books).returncode == 1  # rejected
    credit = run(env, "invoice", "credit", number, *books, "--date", day(12, 3).isoformat())
    assert credit.returncode == 0, credit.stderr
    rows = json.loads(run(env, "invoice", "list", *books, "--json").stdout)
    assert [r["number"] for r in rows] == [number]  # one row per invoice, its notes under it
    [cn] = rows[0]["credit_note_details"]
    assert (cn["kind"], cn["number"], cn["invoice"]) == ("credit-note", note, number)
    assert cn["delivery"]["status"] == "unsent"
    assert cn["delivery"]["action"] == f"send it: coopledger invoice send {note}"
    assert "issue a credit note" not in rows[0]["delivery"]["action"]
    assert f"coopledger invoice send {note}" in rows[0]["delivery"]["action"]
    text = run(env, "invoice", "list", *books).stdout
    assert f"{note}" in text and f"credit note on {number}" in text and "peppol:unsent" in text
    sent = sum(fake.sent.values())
    again = run(env, "invoice", "send", number, "--again", *books)
    assert again.returncode == 1 and f"{number}: credited in full ({note}); not sent again" in (
        again.stdout
    )
    assert "--even-if-credited" in again.stdout and again.stdout.count("\n") == 1
    assert sum(fake.sent.values()) == sent  # nothing went
    forced = run(env, "invoice", "send", number, "--again", "--even-if-credited", *books)
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert sum(fake.sent.values()) == sent + 1
    [out] = json.loads(run(env, "invoice", "send", note, *books, "--json").stdout)
    assert out["ok"] and out["status"] == "sent"
    [row] = json.loads(run(env, "invoice", "list", *books, "--json").stdout)
    assert row["credit_note_details"][0]["delivery"]["status"] == "sent"


# ---------------------------------------------------------------- 13: --send, AP down


def test_qa_13_15_13_issue_send_with_the_access_point_down_issues_once_and_queues_it(
    hub: Hub, env: dict[str, str], fake: FakeState
) -> None:
    from tests_support import free_port

    with_peppol(hub.books, free_port())  # nothing listens there
    env = {**env, "COOPLEDGER_PEPPOL_API_KEY": API_KEY}
    done = issue(hub, env, "--send")
    number = f"{YEAR}-0001"
    assert done.returncode == 0, done.stdout + done.stderr  # issued: never issue it again
    lines = done.stdout.strip().splitlines()
    assert f"Invoice {number} issued" in lines[0]
    [failed] = [ln for ln in lines if "not delivered" in ln]
    assert "waits in the outbox" in failed and "what to do:" in failed
    queued = outbox(env, hub) / "peppol"
    assert (queued / f"{number}.xml").exists() and (queued / f"{number}.json").exists()
    # the access point answers again: --pending sends what waits, once
    with_peppol(hub.books, fake.port)
    fake.lookup_registered = {f"0208:{CLIENT_ENTERPRISE}"}
    [out] = json.loads(run(env, "invoice", "send", "--pending", "--books", str(hub.root),
                           "--json").stdout)  # fmt: skip
    assert out["number"] == number and out["status"] == "sent" and sum(fake.sent.values()) == 1
    assert not (queued / f"{number}.xml").exists()
    rows = json.loads(run(env, "invoice", "list", "--books", str(hub.root), "--json").stdout)
    assert [r["number"] for r in rows] == [number]  # issued once


# ---------------------------------------------------------------- 14: the outbox


def test_qa_13_15_14_the_outbox_holds_only_what_is_ready_to_send(
    hub: Hub, env: dict[str, str], fake: FakeState
) -> None:
    env = online(hub, env, fake)
    books = ["--books", str(hub.root)]
    box = outbox(env, hub)
    rejected, later = f"{YEAR}-0001", f"{YEAR}-0002"
    fake.send_plan = ["fail"]
    assert issue(hub, env).returncode == 0
    assert run(env, "invoice", "send", rejected, *books).returncode == 1
    assert not list((box / "peppol").glob(f"{rejected}.*"))  # a decision comes first
    fake.lookup_registered = set()
    assert issue(hub, env).returncode == 0
    out = run(env, "invoice", "send", later, *books)
    assert out.returncode == 0 and "not on Peppol" in out.stdout
    assert (box / "pdf" / f"{later}.pdf").exists()
    fake.lookup_registered = {f"0208:{CLIENT_ENTERPRISE}"}  # registered since
    out = run(env, "invoice", "send", later, *books)
    assert out.returncode == 0 and "sent over Peppol" in out.stdout, out.stdout
    assert not list((box / "pdf").glob(f"{later}.*")) and not list(
        (box / "peppol").glob(f"{later}.*")
    )


# ---------------------------------------------------------------- 10: bounded reads


def test_qa_13_15_10_purchase_import_reads_within_a_bound(
    hub: Hub, validator: Validator, env: dict[str, str], tmp_path: Path
) -> None:
    fifo = tmp_path / "f.xml"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.xml"
    with huge.open("wb") as handle:
        handle.truncate(51 * 1024 * 1024)
    snap = snapshot(hub.root)
    for path, why in ((fifo, "not a regular file"), (Path("/dev/zero"), "not a regular file"),
                      (huge, "larger than 50 MB")):  # fmt: skip
        one_line(purchase(env, hub, str(path), "--hub"), f"the file: {why}", "; refused")
    assert snap.unchanged()
    reports = run(env, "invoice", "validate", str(fifo), "--books", str(hub.root))
    assert reports.returncode == 1 and "not a regular file" in reports.stdout


# ---------------------------------------------------------------- 18: the docs


def test_qa_13_15_18_the_docs_say_the_roster_guard_checks_supplier_documents() -> None:
    text = (REPO / "docs" / "peppol.md").read_text()
    assert "until it is wired in" not in text and "The roster guard is not yet called" not in text
    assert "ledger.privacy.guard.roster_text_check" in text


# ---------------------------------------------------------------- 19: messages


def test_qa_13_15_19_messages_say_what_is_true(
    hub: Hub, validator: Validator, env: dict[str, str], tmp_path: Path
) -> None:
    xml = write(tmp_path / "d1.xml", supplier_document(hub.books.config, LINES_STD,
                                                       day=day(3, 3)))  # fmt: skip
    snap = snapshot(hub.root)
    future = (calendar_today() + dt.timedelta(days=35)).isoformat()
    error = one_line(purchase(env, hub, str(xml), "--hub", "--date", future),
                     f"--date {future} is in the future")  # fmt: skip
    assert "give --date" not in error
    one_line(purchase(env, hub, str(xml), str(xml), "--hub"),
             "file 2: the same file as file 1, given twice; nothing booked")  # fmt: skip
    assert snap.unchanged()
    assert issue(hub, env).returncode == 0
    [row] = json.loads(run(env, "invoice", "list", "--books", str(hub.root), "--json").stdout)
    assert row["delivery"]["action"] == f"send it: coopledger invoice send {YEAR}-0001"
