"""Delivery of issued invoices over Peppol, against a local e-invoice.be on 127.0.0.1.

Real HTTP (http.server in a thread, ``fake_einvoice``) answering the provider's documented
calls and error statuses: success, rejection, 401, 4xx/5xx, timeouts, an unreachable
access point — and, above all, retries that never send a document twice. Without
credentials the same command puts the document in the outbox outside the books.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fake_einvoice import API_KEY, FakeState, fake_access_point
from invoicing_support import CLIENT_ENTERPRISE, HUB_ENTERPRISE, YEAR, Hub, day, snapshot
from peppol_support import with_peppol
from tests_support import free_port

from invoicing.issue import IssueRequest, issue_invoice
from invoicing.models import LineInput
from invoicing.peppol.accesspoint import (
    AccessPointAnswerError,
    AccessPointAuthError,
    AccessPointBusy,
    AccessPointRejected,
    AccessPointTimeout,
    AccessPointUnreachable,
)
from invoicing.peppol.einvoice_be import EInvoiceBe
from invoicing.peppol.factory import access_point
from invoicing.peppol.ids import PeppolId
from invoicing.peppol.outbox import outbox_dir
from invoicing.peppol.send import send_documents
from ledger.books import Books
from ledger.errors import ConfigError
from ledger.view.deliveries import current, history

CLIENT_0208 = f"0208:{CLIENT_ENTERPRISE}"
CLIENT_9925 = f"9925:BE{CLIENT_ENTERPRISE}"
NOW = dt.datetime(YEAR, 12, 31, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Outbox and credentials of each test under its own folder; no key from outside."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv("COOPLEDGER_PEPPOL_API_KEY", raising=False)
    monkeypatch.delenv("COOPLEDGER_PEPPOL_CREDENTIALS", raising=False)
    monkeypatch.delenv("COOPLEDGER_OUTBOX", raising=False)


@pytest.fixture
def fake() -> Iterator[FakeState]:
    with fake_access_point() as state:
        yield state


def issue(hub: Hub, client: str | None = None, amount: str = "120.00") -> str:
    req = IssueRequest(
        participant=hub.participant,
        client=client or hub.business,
        lines=[LineInput(description="Service traiteur fictif", quantity=Decimal(1),
                         unit_price=Decimal(amount), vat_rate=Decimal(0))],
        date=day(12, 1),
    )  # fmt: skip
    return issue_invoice(hub.books, req, today=day(12, 31)).document.number


def online(
    hub: Hub, fake: FakeState, monkeypatch: pytest.MonkeyPatch, **settings: object
) -> Books:
    monkeypatch.setenv("COOPLEDGER_PEPPOL_API_KEY", API_KEY)
    return with_peppol(hub.books, fake.port, **settings)


def ap_of(books: Books) -> EInvoiceBe:
    ap = access_point(books.config, books.root)
    assert isinstance(ap, EInvoiceBe)
    return ap


# ---------------------------------------------------------------- the adapter itself


def test_adapter_lookup_prepare_transmit_status(hub: Hub, fake: FakeState, monkeypatch) -> None:
    books = online(hub, fake, monkeypatch)
    ap = ap_of(books)
    fake.lookup_registered = {CLIENT_0208}
    found = ap.lookup(PeppolId.parse(CLIENT_0208))
    assert found is not None and found.name == "Client Fictif SRL"
    assert found.accepts("urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice")
    assert ap.lookup(PeppolId.parse(CLIENT_9925)) is None
    number = issue(hub)
    ubl = (books.root / f"documents/invoices/{YEAR}/{number}.xml").read_bytes()
    sub = ap.prepare(ubl, number=number, kind="invoice")
    assert sub.status == "queued" and sub.number == number
    assert fake.ubl[sub.id] == ubl  # our UBL, byte for byte: the legal document
    assert ap.find(number) == sub
    sent = ap.transmit(sub.id, sender=PeppolId("0208", HUB_ENTERPRISE),
                       receiver=PeppolId.parse(CLIENT_0208))  # fmt: skip
    assert sent.status == "sent"
    assert fake.send_queries[-1] == {
        "sender_peppol_scheme": "0208", "sender_peppol_id": HUB_ENTERPRISE,
        "receiver_peppol_scheme": "0208", "receiver_peppol_id": CLIENT_ENTERPRISE,
    }  # fmt: skip
    assert ap.status(sub.id).status == "delivered"  # TRANSIT, then SENT (AS4 receipt)
    assert ap.find(number) is not None and ap.find(number).status == "delivered"  # type: ignore[union-attr]


def test_adapter_error_answers(hub: Hub, fake: FakeState, monkeypatch) -> None:
    books = online(hub, fake, monkeypatch)
    ap = ap_of(books)
    number = issue(hub)
    ubl = (books.root / f"documents/invoices/{YEAR}/{number}.xml").read_bytes()
    fake.create_plan = ["reject", "busy"]
    with pytest.raises(AccessPointRejected, match=r"refused \(400\): Invalid UBL document"):
        ap.prepare(ubl, number=number, kind="invoice")
    with pytest.raises(AccessPointBusy, match=r"temporary failure \(503\)"):
        ap.prepare(ubl, number=number, kind="invoice")
    with pytest.raises(AccessPointRejected, match="404"):
        ap.status("doc_9999")
    wrong = EInvoiceBe("not-the-key", books.config.peppol.base_url, 0.6)
    with pytest.raises(AccessPointAuthError, match=r"refused \(401\).*Invalid API key"):
        wrong.lookup(PeppolId.parse(CLIENT_0208))
    fake.create_plan = ["slow"]
    with pytest.raises(AccessPointTimeout, match=r"no answer within 0\.6 s"):
        ap.prepare(ubl, number=number, kind="invoice")
    dead = EInvoiceBe(API_KEY, f"http://127.0.0.1:{free_port()}", 0.6)
    with pytest.raises(AccessPointUnreachable, match=r"cannot reach 127\.0\.0\.1"):
        dead.lookup(PeppolId.parse(CLIENT_0208))


def test_adapter_received_documents_download_without_credentials(
    hub: Hub, fake: FakeState, monkeypatch
) -> None:
    books = online(hub, fake, monkeypatch)
    ap = ap_of(books)
    number = issue(hub)
    blob = (books.root / f"documents/invoices/{YEAR}/{number}.xml").read_bytes()
    fake.inbox = {f"in_{i:03d}": blob for i in range(130)}  # more than one page of 100
    received = ap.received()
    assert len(received) == 130 and received[0].kind == "invoice" and received[0].number == number
    assert ap.fetch("in_007") == blob
    assert fake.download_auth == [""]  # the signed URL never gets the API key
    fake.signed_url_base = "http://files.example.invalid"
    with pytest.raises(AccessPointAnswerError, match="not https"):
        ap.fetch("in_008")


# ---------------------------------------------------------------- sending through the books


def test_send_success_records_queued_then_sent_then_delivered(
    hub: Hub, fake: FakeState, monkeypatch
) -> None:
    books = online(hub, fake, monkeypatch)
    fake.lookup_registered = {CLIENT_0208}
    number = issue(hub)
    before = (books.root / f"{YEAR}/invoices.beancount").read_bytes()
    [out] = send_documents(books, [number], ap_of(books), now=NOW)
    assert out.ok and out.status == "sent" and out.route == "peppol"
    steps = history(books.load().entries)[number]
    assert [s.status for s in steps] == ["queued", "sent"]
    assert steps[0].provider_id == steps[1].provider_id == out.provider_id  # recorded first
    assert steps[1].receiver == CLIENT_0208 and steps[1].access_point == "e-invoice.be"
    # The issued invoice's own entry is never touched: delivery is recorded beside it.
    assert (books.root / f"{YEAR}/invoices.beancount").read_bytes() == before
    text = (books.root / f"{NOW.year}/peppol.beancount").read_text()
    assert f'custom "peppol-delivery" "{number}" "sent"' in text
    assert not list((outbox_dir(books.config, books.root) / "peppol").glob("*"))
    [again] = send_documents(books, [number], ap_of(books), now=NOW)  # polls: delivered now
    assert again.status == "delivered" and "not sent again" in again.message
    assert fake.sent[out.provider_id] == 1
    [third] = send_documents(books, [number], ap_of(books), now=NOW)
    assert third.status == "delivered" and fake.sent[out.provider_id] == 1
    assert fake.calls["POST /api/documents/ubl"] == 1


def test_send_rejected_by_the_receivers_side_says_what_to_do(
    hub: Hub, fake: FakeState, monkeypatch
) -> None:
    books = online(hub, fake, monkeypatch)
    fake.lookup_registered = {CLIENT_0208}
    fake.send_plan = ["fail"]
    number = issue(hub)
    [out] = send_documents(books, [number], ap_of(books), now=NOW)
    assert not out.ok and out.status == "rejected"
    assert "PEPPOL-EN16931-R010" in out.message
    assert out.action is not None and f"invoice credit {number}" in out.action
    assert f"invoice send {number} --again" in out.action
    step = current(books.load().entries)[number]
    assert step.status == "rejected" and "PEPPOL-EN16931-R010" in step.reason
    [later] = send_documents(books, [number], ap_of(books), now=NOW)  # not retried blindly
    assert not later.ok and sum(fake.sent.values()) == 1
    [forced] = send_documents(books, [number], ap_of(books), again=True, now=NOW)
    assert forced.ok and forced.status == "sent" and forced.provider_id != out.provider_id
    assert sum(fake.sent.values()) == 2


def test_send_answer_lost_to_a_timeout_is_not_sent_twice(
    hub: Hub, fake: FakeState, monkeypatch
) -> None:
    """The access point sent the invoice but its answer came after our timeout: asking the
    state shows it left, so nothing is sent again — now or on a later run."""
    books = online(hub, fake, monkeypatch)
    fake.lookup_registered = {CLIENT_0208}
    fake.send_plan = ["slow"]
    number = issue(hub)
    [out] = send_documents(books, [number], ap_of(books), now=NOW)
    assert out.ok and out.status in ("sent", "delivered")
    assert fake.sent == {out.provider_id: 1}
    send_documents(books, [number], ap_of(books), now=NOW)
    assert fake.sent == {out.provider_id: 1}


def test_send_retried_when_the_access_point_confirms_it_did_not_go(
    hub: Hub, fake: FakeState, monkeypatch
) -> None:
    books = online(hub, fake, monkeypatch)
    fake.lookup_registered = {CLIENT_0208}
    fake.send_plan = ["busy", "ok"]
    number = issue(hub)
    [out] = send_documents(books, [number], ap_of(books), now=NOW)
    assert out.ok and out.status == "sent" and fake.sent == {out.provider_id: 1}
    assert fake.calls["POST /api/documents/{id}/send"] == 2


def test_send_still_busy_stays_queued_and_a_later_run_sends_once(
    hub: Hub, fake: FakeState, monkeypatch
) -> None:
    books = online(hub, fake, monkeypatch)
    fake.lookup_registered = {CLIENT_0208}
    fake.send_plan = ["busy", "busy", "busy"]
    number = issue(hub)
    [out] = send_documents(books, [number], ap_of(books), now=NOW)
    assert not out.ok and "still waiting at the access point, not sent" in out.message
    step = current(books.load().entries)[number]
    assert step.status == "queued" and step.provider_id  # the draft's id is in the books
    assert (outbox_dir(books.config, books.root) / "peppol" / f"{number}.xml").exists()
    assert not fake.sent
    [later] = send_documents(books, [number], ap_of(books), now=NOW)
    assert later.ok and later.provider_id == step.provider_id
    assert fake.sent == {step.provider_id: 1} and fake.calls["POST /api/documents/ubl"] == 1
    assert not (outbox_dir(books.config, books.root) / "peppol" / f"{number}.xml").exists()


def test_create_answer_lost_then_rerun_reuses_the_draft(
    hub: Hub, fake: FakeState, monkeypatch
) -> None:
    """The draft was stored but its id never reached us (timeout): the next run finds it
    by the invoice number instead of storing a second one."""
    books = online(hub, fake, monkeypatch)
    fake.lookup_registered = {CLIENT_0208}
    fake.create_plan = ["slow"]
    number = issue(hub)
    snap = snapshot(books.root)
    [out] = send_documents(books, [number], ap_of(books), now=NOW)
    assert not out.ok and "no answer within" in out.message
    assert snap.unchanged()  # nothing recorded: no id was known
    [later] = send_documents(books, [number], ap_of(books), now=NOW)
    assert later.ok and len(fake.documents) == 1 and sum(fake.sent.values()) == 1


def test_send_rejected_request_422_and_auth_401(hub: Hub, fake: FakeState, monkeypatch) -> None:
    books = online(hub, fake, monkeypatch)
    fake.lookup_registered = {CLIENT_0208}
    fake.send_plan = ["reject"]
    first = issue(hub)
    [out] = send_documents(books, [first], ap_of(books), now=NOW)
    assert out.status == "rejected" and "cannot receive this document" in out.message
    fake.send_plan = ["auth"]
    second = issue(hub, amount="80.00")
    [out] = send_documents(books, [second], ap_of(books), now=NOW)
    assert not out.ok and "401" in out.message and "API key" in out.message
    assert current(books.load().entries)[second].status == "queued"  # safe to run again
    assert not fake.sent


def test_client_on_9925_only_is_found_and_addressed_there(
    hub: Hub, fake: FakeState, monkeypatch
) -> None:
    books = online(hub, fake, monkeypatch)
    fake.lookup_registered = {CLIENT_9925}
    number = issue(hub)
    [out] = send_documents(books, [number], ap_of(books), now=NOW)
    assert out.ok and fake.send_queries[-1]["receiver_peppol_scheme"] == "9925"
    assert current(books.load().entries)[number].receiver == CLIENT_9925


def test_client_not_on_peppol_gets_the_pdf_route(hub: Hub, fake: FakeState, monkeypatch) -> None:
    books = online(hub, fake, monkeypatch)
    number = issue(hub)
    [out] = send_documents(books, [number], ap_of(books), now=NOW)
    assert out.ok and out.route == "pdf" and out.status == "not-on-peppol"
    assert CLIENT_0208 in out.message and CLIENT_9925 in out.message
    pdf = outbox_dir(books.config, books.root) / "pdf" / f"{number}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    step = current(books.load().entries)[number]
    assert step.checked == f"{CLIENT_0208}, {CLIENT_9925}" and not fake.sent
    assert "register" in (out.action or "")


def test_unreachable_access_point_changes_nothing(hub: Hub, monkeypatch) -> None:
    monkeypatch.setenv("COOPLEDGER_PEPPOL_API_KEY", API_KEY)
    books = with_peppol(hub.books, free_port())
    number = issue(hub)
    snap = snapshot(books.root)
    [out] = send_documents(books, [number], ap_of(books), now=NOW)
    assert not out.ok and "cannot reach 127.0.0.1" in out.message
    assert snap.unchanged()


# ---------------------------------------------------------------- offline and PDF routes


def test_offline_send_queues_in_the_outbox_outside_the_books(hub: Hub) -> None:
    books = hub.books
    number = issue(hub)
    assert access_point(books.config, books.root) is None
    [out] = send_documents(books, [number], None, now=NOW)
    assert out.ok and (out.route, out.status) == ("outbox", "queued")
    box = outbox_dir(books.config, books.root)
    assert books.root not in box.parents
    xml = box / "peppol" / f"{number}.xml"
    assert (
        xml.read_bytes() == (books.root / f"documents/invoices/{YEAR}/{number}.xml").read_bytes()
    )
    manifest = json.loads((box / "peppol" / f"{number}.json").read_text())
    assert manifest["receiver"] == CLIENT_0208 and manifest["status"] == "queued"
    assert stat.S_IMODE(xml.stat().st_mode) == 0o600
    assert stat.S_IMODE((box / "peppol").stat().st_mode) == 0o700
    send_documents(books, [number], None, now=NOW)  # again: no second record
    assert [s.status for s in history(books.load().entries)[number]] == ["queued"]


def test_outbox_then_access_point_sends_what_waited(
    hub: Hub, fake: FakeState, monkeypatch
) -> None:
    number = issue(hub)
    send_documents(hub.books, [number], None, now=NOW)
    books = online(hub, fake, monkeypatch)
    fake.lookup_registered = {CLIENT_0208}
    from invoicing.peppol.send import pending_numbers

    assert pending_numbers(books) == [number]
    [out] = send_documents(books, pending_numbers(books), ap_of(books), now=NOW)
    assert out.ok and out.status == "sent"
    assert not (outbox_dir(books.config, books.root) / "peppol" / f"{number}.xml").exists()


def test_private_person_gets_the_pdf_only(hub: Hub) -> None:
    number = issue(hub, client=hub.person)
    [out] = send_documents(hub.books, [number], None, now=NOW)
    assert (out.route, out.status) == ("pdf", "pdf-only") and "private person" in out.message
    assert (outbox_dir(hub.books.config, hub.root) / "pdf" / f"{number}.pdf").exists()


# ---------------------------------------------------------------- credentials and outbox


def test_credentials_file_inside_the_books_or_readable_by_others_is_refused(
    hub: Hub, tmp_path: Path, monkeypatch
) -> None:
    inside = hub.root / "peppol.key"
    inside.write_text(API_KEY)
    os.chmod(inside, 0o600)
    monkeypatch.setenv("COOPLEDGER_PEPPOL_CREDENTIALS", str(inside))
    with pytest.raises(ConfigError, match="inside the books"):
        access_point(hub.books.config, hub.root)
    outside = tmp_path / "secrets" / "peppol.toml"
    outside.parent.mkdir()
    outside.write_text(f'api_key = "{API_KEY}"\n')
    os.chmod(outside, 0o644)
    monkeypatch.setenv("COOPLEDGER_PEPPOL_CREDENTIALS", str(outside))
    with pytest.raises(ConfigError, match=r"readable by others.*chmod 600"):
        access_point(hub.books.config, hub.root)
    os.chmod(outside, 0o600)
    ap = access_point(hub.books.config, hub.root)
    assert isinstance(ap, EInvoiceBe) and ap.http.headers["Authorization"] == f"Bearer {API_KEY}"
    link = tmp_path / "link.toml"  # a link from outside to a file inside is still inside
    link.symlink_to(inside)
    monkeypatch.setenv("COOPLEDGER_PEPPOL_CREDENTIALS", str(link))
    with pytest.raises(ConfigError, match="inside the books"):
        access_point(hub.books.config, hub.root)


def test_outbox_inside_the_books_is_refused(hub: Hub, monkeypatch) -> None:
    monkeypatch.setenv("COOPLEDGER_OUTBOX", str(hub.root / "outbox"))
    with pytest.raises(ConfigError, match="inside the books"):
        send_documents(hub.books, [issue(hub)], None, now=NOW)


def test_base_url_must_be_https_except_on_this_machine() -> None:
    from pydantic import ValidationError

    from ledger.config import PeppolSettings

    assert (
        PeppolSettings(base_url="https://api.e-invoice.be/").base_url == "https://api.e-invoice.be"
    )
    assert PeppolSettings(base_url="http://127.0.0.1:8080").base_url
    with pytest.raises(ValidationError, match="https"):
        PeppolSettings(base_url="http://api.e-invoice.be")
