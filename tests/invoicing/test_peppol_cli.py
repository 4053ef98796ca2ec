"""``invoice send``, ``invoice issue --send``, ``invoice list`` and ``purchase fetch`` as a
treasurer runs them (in process; two processes for the concurrent send), against the local e-invoice.be on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_einvoice import API_KEY, FakeState, fake_access_point
from invoicing_support import CLIENT_ENTERPRISE, YEAR, Hub, day, snapshot
from peppol_support import LINES_STD, supplier_document, with_peppol
from tests_support import run_cli

LINE = "Service traiteur fictif|1|120|0"


@pytest.fixture
def fake() -> Iterator[FakeState]:
    with fake_access_point() as state:
        yield state


@pytest.fixture
def env(tmp_path: Path, cli_env: dict[str, str]) -> dict[str, str]:
    out = {**cli_env, "COOPLEDGER_KEY_FILE": str(tmp_path / "hub.key"),
           "XDG_DATA_HOME": str(tmp_path / "xdg-data")}  # fmt: skip
    for name in (
        "COOPLEDGER_PEPPOL_API_KEY",
        "COOPLEDGER_PEPPOL_CREDENTIALS",
        "COOPLEDGER_OUTBOX",
    ):
        out.pop(name, None)
    return out


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(args, env=env)


def issue(hub: Hub, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    return run(env, "invoice", "issue", "--books", str(hub.root), "--participant",
               hub.participant, "--client", hub.business, "--line", LINE, "--date",
               day(12, 1).isoformat(), *extra)  # fmt: skip


def test_offline_send_then_list_says_which_route(hub: Hub, env: dict[str, str]) -> None:
    assert issue(hub, env).returncode == 0
    number = f"{YEAR}-0001"
    sent = run(env, "invoice", "send", number, "--books", str(hub.root))
    assert sent.returncode == 0, sent.stderr
    assert "queued in the outbox (no access point configured)" in sent.stdout
    listed = run(env, "invoice", "list", "--books", str(hub.root), "--json")
    [row] = json.loads(listed.stdout)
    assert row["delivery"]["route"] == "outbox" and row["delivery"]["status"] == "queued"
    assert "configure the access point" in row["delivery"]["action"]
    text = run(env, "invoice", "list", "--books", str(hub.root)).stdout
    assert "outbox:queued" in text
    person = run(env, "invoice", "issue", "--books", str(hub.root), "--participant",
                 hub.participant, "--client", hub.person, "--line", LINE, "--date",
                 day(12, 2).isoformat(), "--send")  # fmt: skip
    assert person.returncode == 0 and "PDF only (the client is a private person)" in person.stdout
    rows = json.loads(run(env, "invoice", "list", "--books", str(hub.root), "--json").stdout)
    assert rows[1]["delivery"]["route"] == "pdf" and rows[1]["delivery"]["status"] == "pdf-only"


def test_issue_send_over_peppol_and_show(hub: Hub, env: dict[str, str], fake: FakeState) -> None:
    with_peppol(hub.books, fake.port)
    env = {**env, "COOPLEDGER_PEPPOL_API_KEY": API_KEY}
    fake.lookup_registered = {f"0208:{CLIENT_ENTERPRISE}"}
    done = issue(hub, env, "--send")
    assert done.returncode == 0, done.stderr
    number = f"{YEAR}-0001"
    assert f"Invoice {number} issued" in done.stdout
    assert f"sent over Peppol to 0208:{CLIENT_ENTERPRISE}" in done.stdout
    [row] = json.loads(run(env, "invoice", "list", "--books", str(hub.root), "--json").stdout)
    assert row["delivery"]["status"] == "sent" and row["delivery"]["message_id"] == "doc_0001"
    shown = run(env, "invoice", "show", number, "--books", str(hub.root))
    assert "Delivery: peppol: sent" in shown.stdout and "e-invoice.be, id doc_0001" in shown.stdout
    again = run(env, "invoice", "send", "--pending", "--books", str(hub.root), "--json")
    [out] = json.loads(again.stdout)
    assert out["status"] == "delivered" and sum(fake.sent.values()) == 1
    second = json.loads(issue(hub, env, "--send", "--json").stdout)
    assert second["number"] == f"{YEAR}-0002" and second["delivery"]["status"] == "sent"
    credit = run(env, "invoice", "credit", number, "--books", str(hub.root), "--date",
                 day(12, 3).isoformat())  # fmt: skip
    assert credit.returncode == 0, credit.stderr
    [cn] = json.loads(run(env, "invoice", "send", f"NC{YEAR}-0001", "--books", str(hub.root),
                          "--json").stdout)  # fmt: skip
    assert cn["ok"] and cn["status"] == "sent"
    kinds = {d["invoice_id"]: d["document_type"] for d in fake.documents.values()}
    assert kinds[f"NC{YEAR}-0001"] == "CREDIT_NOTE" and sum(fake.sent.values()) == 3


def test_two_senders_at_once_send_once(hub: Hub, env: dict[str, str], fake: FakeState) -> None:
    """Two treasurers run ``invoice send`` at the same moment: the document goes once."""
    with_peppol(hub.books, fake.port)
    env = {**env, "COOPLEDGER_PEPPOL_API_KEY": API_KEY}
    fake.lookup_registered = {f"0208:{CLIENT_ENTERPRISE}"}
    fake.send_plan = ["slow"]  # the first send holds its answer: the second must wait its turn
    assert issue(hub, env).returncode == 0
    cmd = [sys.executable, "-m", "ledger.cli", "invoice", "send", f"{YEAR}-0001", "--books",
           str(hub.root)]  # fmt: skip
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]  # fmt: skip
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert len(fake.documents) == 1 and sum(fake.sent.values()) == 1
    assert any("not sent again" in o for o, _ in outs)


def test_rejected_send_exit_code_and_what_to_do(
    hub: Hub, env: dict[str, str], fake: FakeState
) -> None:
    with_peppol(hub.books, fake.port)
    env = {**env, "COOPLEDGER_PEPPOL_API_KEY": API_KEY}
    fake.lookup_registered = {f"0208:{CLIENT_ENTERPRISE}"}
    fake.send_plan = ["fail"]
    assert issue(hub, env).returncode == 0
    number = f"{YEAR}-0001"
    out = run(env, "invoice", "send", number, "--books", str(hub.root))
    assert out.returncode == 1 and "rejected: [PEPPOL-EN16931-R010]" in out.stdout
    assert "what to do: " in out.stdout and f"invoice credit {number}" in out.stdout
    assert "Traceback" not in out.stderr


def test_access_point_down_is_one_line_and_changes_nothing(hub: Hub, env: dict[str, str]) -> None:
    from tests_support import free_port

    with_peppol(hub.books, free_port())
    env = {**env, "COOPLEDGER_PEPPOL_API_KEY": API_KEY}
    assert issue(hub, env).returncode == 0
    snap = snapshot(hub.root)
    out = run(env, "invoice", "send", f"{YEAR}-0001", "--books", str(hub.root))
    assert out.returncode == 1 and "cannot reach 127.0.0.1" in out.stdout
    assert "Traceback" not in out.stderr and snap.unchanged()


@pytest.mark.usefixtures("validator")  # booking a fetched document validates it: needs ../shared
def test_purchase_fetch_lists_then_books_once(
    hub: Hub, env: dict[str, str], fake: FakeState, tmp_path: Path
) -> None:
    with_peppol(hub.books, fake.port)
    env = {**env, "COOPLEDGER_PEPPOL_API_KEY": API_KEY}
    fake.inbox = {
        "in_001": supplier_document(hub.books.config, LINES_STD, day=day(3, 3), number="F-1", seq=1),
        "in_002": supplier_document(hub.books.config, [("1", "10.00", "6")], day=day(3, 5),
                                    number="NC-1", seq=2, credit_of=("F-1", day(3, 3))),
    }  # fmt: skip
    books = ["--books", str(hub.root)]
    listed = run(env, "purchase", "fetch", *books)
    assert listed.returncode == 0 and "in_001" in listed.stdout and "in_002" in listed.stdout
    booked = run(env, "purchase", "fetch", "--all", "--hub", "--json", *books)
    assert booked.returncode == 0, booked.stderr + booked.stdout
    results = json.loads(booked.stdout)
    assert [r["booked"]["kind"] for r in results] == ["invoice", "credit-note"]
    assert results[1]["booked"]["link"] == results[0]["booked"]["link"]
    assert "Nothing waits" in run(env, "purchase", "fetch", *books).stdout
    again = run(env, "purchase", "fetch", "in_001", "--hub", *books)
    assert again.returncode == 1 and "is not waiting" in again.stderr
    [row] = json.loads(run(env, "purchase", "list", "--json", *books).stdout)
    assert row["outstanding"] == "159.60" and row["credit_notes"] == ["NC-1"]


def test_purchase_fetch_without_credentials_says_how(hub: Hub, env: dict[str, str]) -> None:
    out = run(env, "purchase", "fetch", "--books", str(hub.root))
    assert out.returncode == 1 and "purchase import FILE" in out.stderr
    assert out.stderr.count("\n") == 1
