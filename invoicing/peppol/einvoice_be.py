"""The e-invoice.be access point (``docs/peppol.md`` §3.1), over its documented REST API.

Calls used (paths and bodies as in the provider's OpenAPI and its generated SDKs):

* ``POST /api/documents/ubl`` (multipart, field ``file``): our UBL stored as a ``DRAFT``;
* ``POST /api/documents/{id}/send`` (query ``sender_peppol_scheme``/``_id``,
  ``receiver_peppol_scheme``/``_id``): the draft sent to the receiver we looked up;
* ``GET /api/documents/{id}``: its ``state`` (``DRAFT``, ``TRANSIT``, ``SENT``, ``FAILED``);
* ``POST /api/documents/{id}/validate``: the rules a failed document broke (its reason);
* ``GET /api/outbox/drafts`` and ``GET /api/outbox/`` (query ``search``): a document
  already stored for an invoice number (recovery after an answer that never came);
* ``GET /api/inbox/`` (``page``, ``page_size``): documents received; ``GET
  /api/documents/{id}/ubl``: a signed URL to download a document's UBL;
* ``GET /api/lookup`` (``peppol_id``): whether a participant is registered.

Authentication: ``Authorization: Bearer <API key>``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from invoicing.peppol.accesspoint import (
    AccessPointAnswerError,
    AccessPointError,
    AccessPointRejected,
    DeliveryStatus,
    DocKind,
    Participant,
    ReceivedDocument,
    Submission,
)
from invoicing.peppol.http import HttpClient, multipart
from invoicing.peppol.ids import PeppolId
from ledger.i18n import _

NAME = "e-invoice.be"
PRODUCTION_URL = "https://api.e-invoice.be"
# DRAFT: stored, not sent; TRANSIT: on its way; SENT: handed to the receiver's access
# point (AS4 receipt); FAILED: not delivered.
STATES: dict[str, DeliveryStatus] = {
    "DRAFT": "queued",
    "TRANSIT": "sent",
    "SENT": "delivered",
    "FAILED": "rejected",
}
TYPES: dict[str, DocKind] = {"INVOICE": "invoice", "CREDIT_NOTE": "credit-note"}
PAGE_SIZE = 100
MAX_PAGES = 50


class EInvoiceBe:
    """An :class:`~invoicing.peppol.accesspoint.AccessPoint` for e-invoice.be."""

    name = NAME

    def __init__(self, api_key: str, base_url: str | None = None, timeout: float = 30) -> None:
        self.http = HttpClient(
            NAME,
            base_url or PRODUCTION_URL,
            {"Authorization": f"Bearer {api_key}"},
            timeout,
        )

    # -- sending --------------------------------------------------------------------

    def prepare(self, ubl: bytes, *, number: str, kind: DocKind) -> Submission:
        body, content_type = _multipart_ubl(number, ubl)
        answer = self.http.call_json(
            "POST", "/api/documents/ubl", body=body, content_type=content_type
        )
        sub = self._submission(answer, "POST /api/documents/ubl")
        if sub.number and sub.number != number:
            raise AccessPointAnswerError(
                _(
                    "{name}: stored the document as invoice {number!r}, not {asked!r}",
                    name=NAME,
                    number=sub.number,
                    asked=number,
                )
            )
        if sub.status != "queued":
            raise AccessPointAnswerError(
                _(
                    "{name}: a new document should be a DRAFT; it answered {status}",
                    name=NAME,
                    status=sub.status,
                )
            )
        return sub

    def transmit(self, submission_id: str, *, sender: PeppolId, receiver: PeppolId) -> Submission:
        answer = self.http.call_json(
            "POST",
            f"/api/documents/{submission_id}/send",
            query={
                "sender_peppol_scheme": sender.scheme,
                "sender_peppol_id": sender.value,
                "receiver_peppol_scheme": receiver.scheme,
                "receiver_peppol_id": receiver.value,
            },
        )
        return self._with_reason(self._submission(answer, "POST …/send"))

    def status(self, submission_id: str) -> Submission:
        answer = self.http.call_json("GET", f"/api/documents/{submission_id}")
        return self._with_reason(self._submission(answer, "GET /api/documents/{id}"))

    def find(self, number: str) -> Submission | None:
        found: list[Submission] = []
        for path in ("/api/outbox/", "/api/outbox/drafts"):
            page = self.http.call_json("GET", path, query={"search": number, "page_size": 100})
            for item in _items(page, path):
                if str(item.get("invoice_id") or "") == number:
                    found.append(self._submission(item, path))
        # A document that left wins over a draft: it must never be sent again.
        order = {"delivered": 0, "sent": 1, "queued": 2, "rejected": 3}
        return min(found, key=lambda s: order[s.status], default=None)

    # -- receiving ------------------------------------------------------------------

    def received(self) -> list[ReceivedDocument]:
        out: list[ReceivedDocument] = []
        for page_no in range(1, MAX_PAGES + 1):
            page = self.http.call_json(
                "GET", "/api/inbox/", query={"page": page_no, "page_size": PAGE_SIZE}
            )
            items = _items(page, "GET /api/inbox/")
            for item in items:
                ident = item.get("id")
                if not isinstance(ident, str) or not ident:
                    raise AccessPointAnswerError(
                        _("{name}: an inbox item without an id", name=NAME)
                    )
                out.append(
                    ReceivedDocument(
                        id=ident,
                        kind=TYPES.get(str(item.get("document_type") or "")),
                        number=str(item.get("invoice_id") or ""),
                        sender=str(item.get("vendor_tax_id") or item.get("vendor_name") or ""),
                        received=_date(item.get("invoice_date")),
                    )
                )
            pages = page.get("pages") if isinstance(page, dict) else None
            more = page.get("has_next_page") if isinstance(page, dict) else None
            if not items or more is False or (isinstance(pages, int) and page_no >= pages):
                break
        return out

    def fetch(self, received_id: str) -> bytes:
        answer = self.http.call_json("GET", f"/api/documents/{received_id}/ubl")
        url = answer.get("signed_url") if isinstance(answer, dict) else None
        if not isinstance(url, str) or not url:
            raise AccessPointAnswerError(
                _(
                    "{name}: no download URL for document {received_id}",
                    name=NAME,
                    received_id=received_id,
                )
            )
        return self.http.download(url)

    def acknowledge(self, received_id: str) -> None:
        """e-invoice.be has no "mark as read" call: the books remember what was imported."""

    # -- lookup ---------------------------------------------------------------------

    def lookup(self, pid: PeppolId) -> Participant | None:
        try:
            answer = self.http.call_json("GET", "/api/lookup", query={"peppol_id": str(pid)})
        except AccessPointRejected as exc:
            if exc.status == 404:
                return None
            raise
        if not isinstance(answer, dict) or answer.get("status") != "success":
            return None
        metadata = answer.get("serviceMetadata") or {}
        endpoints = [e for e in metadata.get("endpoints") or [] if isinstance(e, dict)]
        if not endpoints:
            return None
        types = tuple(
            f"{d.get('scheme', '')}::{d.get('value', '')}"
            for e in endpoints
            for d in e.get("documentTypes") or []
            if isinstance(d, dict)
        )
        card = answer.get("businessCard") or {}
        entities = (card.get("entities") or []) if isinstance(card, dict) else []
        first = entities[0] if entities and isinstance(entities[0], dict) else {}
        name = str(first.get("name") or "")
        return Participant(pid, types, name)

    # -- answers --------------------------------------------------------------------

    def _submission(self, answer: Any, what: str) -> Submission:
        ident = answer.get("id") if isinstance(answer, dict) else None
        if not isinstance(ident, str) or not ident:
            raise AccessPointAnswerError(
                _("{name}: {what} answered without a document id", name=NAME, what=what)
            )
        state = str(answer.get("state") or "")
        if state not in STATES:
            raise AccessPointAnswerError(
                _(
                    "{name}: {what}: unknown document state {state!r}",
                    name=NAME,
                    what=what,
                    state=state,
                )
            )
        return Submission(
            id=ident, status=STATES[state], number=str(answer.get("invoice_id") or "")
        )

    def _with_reason(self, sub: Submission) -> Submission:
        """A failed document with the rules it broke, when the provider can say."""
        if sub.status != "rejected":
            return sub
        reason = "the access point reports that delivery failed (it gave no reason)"
        try:
            report = self.http.call_json("POST", f"/api/documents/{sub.id}/validate")
        except AccessPointError:
            report = None
        if isinstance(report, dict):
            found = report.get("issues") or []
            issues = [i for i in found if isinstance(i, dict) and i.get("type") == "error"]
            if issues:
                reason = "; ".join(
                    f"[{i.get('rule_id') or '?'}] {str(i.get('message') or '').strip()}"
                    for i in issues[:3]
                )[:300]
        return Submission(sub.id, sub.status, sub.number, sub.message_id, reason)


def _multipart_ubl(number: str, ubl: bytes) -> tuple[bytes, str]:
    return multipart("file", f"{number}.xml", ubl, "application/xml")


def _items(page: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(page, dict) or not isinstance(page.get("items"), list):
        raise AccessPointAnswerError(
            _("{name}: {what} answered without a list of items", name=NAME, what=what)
        )
    return [i for i in page["items"] if isinstance(i, dict)]


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
