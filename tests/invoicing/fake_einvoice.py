"""A local e-invoice.be access point for the tests: real HTTP on 127.0.0.1 (http.server in a
thread) answering the documented calls of ``docs/peppol.md`` §3.1 with the documented
shapes and error statuses, plus switches to make it fail as a real one can:

* ``lookup_registered``: the Peppol ids registered on the network (others: not found);
* ``send_plan``: what each ``POST /api/documents/{id}/send`` does, in turn — ``"ok"``
  (TRANSIT, then SENT when next asked), ``"fail"`` (state FAILED, rule errors in
  /validate), ``"reject"`` (422, not sent), ``"busy"`` (503, not sent), ``"slow"`` (sent,
  but the answer comes after the client's timeout), ``"auth"`` (401);
* ``create_plan``: the same for ``POST /api/documents/ubl`` (``"ok"``, ``"slow"``: stored
  but the answer is late, ``"reject"``, ``"busy"``);
* ``inbox``: received documents (id → UBL bytes).

It counts every call (``calls``) and every document actually sent (``sent``), so a test can
assert that a retry never sent twice.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from lxml import etree

API_KEY = "test-key-fictif-0001"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


@dataclass
class FakeState:
    api_key: str = API_KEY
    lookup_registered: set[str] = field(default_factory=set)
    send_plan: list[str] = field(default_factory=list)
    create_plan: list[str] = field(default_factory=list)
    slow_seconds: float = 1.5
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    ubl: dict[str, bytes] = field(default_factory=dict)
    inbox: dict[str, bytes] = field(default_factory=dict)
    sent: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)
    send_queries: list[dict[str, str]] = field(default_factory=list)
    download_auth: list[str] = field(default_factory=list)
    signed_url_base: str = ""  # where signed URLs point (default: this server)
    next_id: int = 1
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    def new_id(self) -> str:
        with self.lock:
            ident = f"doc_{self.next_id:04d}"
            self.next_id += 1
            return ident


def _number_and_type(ubl: bytes) -> tuple[str, str]:
    root = etree.fromstring(ubl)
    number = root.findtext(f"{{{NS_CBC}}}ID") or ""
    kind = "CREDIT_NOTE" if etree.QName(root).localname == "CreditNote" else "INVOICE"
    return number, kind


def _file_of(body: bytes, content_type: str) -> bytes | None:
    match = re.search(r"boundary=([^;]+)", content_type)
    if not match:
        return None
    boundary = b"--" + match.group(1).strip().encode()
    for part in body.split(boundary):
        if b'name="file"' in part:
            _head, _, rest = part.partition(b"\r\n\r\n")
            return rest.rsplit(b"\r\n", 1)[0]
    return None


class Handler(BaseHTTPRequestHandler):
    server: Any

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    @property
    def state(self) -> FakeState:
        return self.server.state  # type: ignore[no-any-return]

    def _answer(self, status: int, body: Any) -> None:
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        with suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(payload)

    def _authorised(self) -> bool:
        if self.headers.get("Authorization") != f"Bearer {self.state.api_key}":
            self._answer(401, {"detail": "Invalid API key"})
            return False
        return True

    def _route(self) -> tuple[str, dict[str, str]]:
        parts = urllib.parse.urlsplit(self.path)
        return parts.path, dict(urllib.parse.parse_qsl(parts.query))

    def do_GET(self) -> None:
        path, query = self._route()
        st = self.state
        st.calls[f"GET {re.sub(r'doc_[0-9]+|in_[0-9a-z]+', '{id}', path)}"] += 1
        if path.startswith("/files/"):
            st.download_auth.append(self.headers.get("Authorization") or "")
            ident = path.rsplit("/", 1)[1]
            blob = st.ubl.get(ident) or st.inbox.get(ident)
            if blob is None:
                self._answer(404, {"detail": "Not found"})
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(blob)))
            self.end_headers()
            self.wfile.write(blob)
            return
        if not self._authorised():
            return
        if path == "/api/lookup":
            pid = query.get("peppol_id", "")
            if pid.lower() in {p.lower() for p in st.lookup_registered}:
                self._answer(200, _lookup_success(pid))
            else:
                self._answer(200, _lookup_error(pid))
            return
        if path in ("/api/outbox/", "/api/outbox/drafts"):
            drafts = path.endswith("drafts")
            items = [
                d for d in st.documents.values()
                if d["direction"] == "OUTBOUND" and (d["state"] == "DRAFT") == drafts
                and query.get("search", "") in d["invoice_id"]
            ]  # fmt: skip
            self._answer(200, _page(items, 1, 100))
            return
        if path == "/api/inbox/":
            page, size = int(query.get("page", "1")), int(query.get("page_size", "20"))
            items = [_inbox_item(i, blob) for i, blob in sorted(st.inbox.items())]
            self._answer(
                200, _page(items[(page - 1) * size : page * size], page, size, len(items))
            )
            return
        m = re.fullmatch(r"/api/documents/([^/]+)/ubl", path)
        if m:
            ident = m.group(1)
            if ident not in st.ubl and ident not in st.inbox:
                self._answer(404, {"detail": "Document not found"})
                return
            base = st.signed_url_base or f"http://127.0.0.1:{st.port}"
            self._answer(200, {"id": ident, "file_name": f"{ident}.xml",
                               "signed_url": f"{base}/files/{ident}"})  # fmt: skip
            return
        m = re.fullmatch(r"/api/documents/([^/]+)", path)
        if m:
            doc = st.documents.get(m.group(1))
            if doc is None:
                self._answer(404, {"detail": "Document not found"})
                return
            if doc["state"] == "TRANSIT":
                doc["state"] = "SENT"  # by the time anyone asks, the receiver acknowledged it
            self._answer(200, _public(doc))
            return
        self._answer(404, {"detail": "Not found"})

    def do_POST(self) -> None:
        path, query = self._route()
        st = self.state
        st.calls[f"POST {re.sub(r'doc_[0-9]+', '{id}', path)}"] += 1
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if not self._authorised():
            return
        if path == "/api/documents/ubl":
            mode = st.create_plan.pop(0) if st.create_plan else "ok"
            if mode == "busy":
                self._answer(503, {"detail": "Service unavailable"})
                return
            ubl = _file_of(body, self.headers.get("Content-Type", ""))
            if ubl is None:
                self._answer(422, {"detail": [{"loc": ["body", "file"], "msg": "Field required"}]})
                return
            if mode == "reject":
                self._answer(400, {"detail": "Invalid UBL document"})
                return
            number, kind = _number_and_type(ubl)
            ident = st.new_id()
            st.documents[ident] = {"id": ident, "state": "DRAFT", "invoice_id": number,
                                   "document_type": kind, "direction": "OUTBOUND"}  # fmt: skip
            st.ubl[ident] = ubl
            if mode == "slow":
                time.sleep(st.slow_seconds)
            self._answer(200, _public(st.documents[ident]))
            return
        m = re.fullmatch(r"/api/documents/([^/]+)/send", path)
        if m:
            doc = st.documents.get(m.group(1))
            if doc is None:
                self._answer(404, {"detail": "Document not found"})
                return
            if doc["state"] != "DRAFT":
                self._answer(409, {"detail": f"Document is in state {doc['state']}"})
                return
            mode = st.send_plan.pop(0) if st.send_plan else "ok"
            st.send_queries.append(query)
            receiver = f"{query.get('receiver_peppol_scheme')}:{query.get('receiver_peppol_id')}"
            if mode == "auth":
                self._answer(401, {"detail": "API key expired"})
                return
            if mode == "busy":
                self._answer(503, {"detail": "Service unavailable"})
                return
            if mode == "reject" or receiver.lower() not in {
                p.lower() for p in st.lookup_registered
            }:
                self._answer(422, {"detail": f"Receiver {receiver} cannot receive this document"})
                return
            st.sent[doc["id"]] += 1
            doc["state"] = "FAILED" if mode == "fail" else "TRANSIT"
            if mode == "slow":
                time.sleep(st.slow_seconds)
            self._answer(200, _public(doc))
            return
        m = re.fullmatch(r"/api/documents/([^/]+)/validate", path)
        if m:
            doc = st.documents.get(m.group(1))
            if doc is None:
                self._answer(404, {"detail": "Document not found"})
                return
            failed = doc["state"] == "FAILED"
            issues = [{"message": "Buyer electronic address must be registered", "schematron":
                       "PEPPOL", "type": "error", "rule_id": "PEPPOL-EN16931-R010"}] if failed else []  # fmt: skip
            self._answer(200, {"id": doc["id"], "is_valid": not failed, "issues": issues})
            return
        self._answer(404, {"detail": "Not found"})


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    return dict(doc)


def _page(items: list[Any], page: int, size: int, total: int | None = None) -> dict[str, Any]:
    total = len(items) if total is None else total
    pages = max(1, -(-total // size))
    return {"items": items, "page": page, "page_size": size, "pages": pages, "total": total,
            "has_next_page": page < pages}  # fmt: skip


def _inbox_item(ident: str, blob: bytes) -> dict[str, Any]:
    number, kind = _number_and_type(blob)
    return {"id": ident, "state": "RECEIVED", "direction": "INBOUND", "document_type": kind,
            "invoice_id": number, "vendor_tax_id": "BE0417497106"}  # fmt: skip


def _lookup_success(pid: str) -> dict[str, Any]:
    doc_types = [
        {"scheme": "busdox-docid-qns", "value": "urn:oasis:names:specification:ubl:schema:xsd:"
         "Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:"
         "billing:3.0::2.1"},
        {"scheme": "busdox-docid-qns", "value": "urn:oasis:names:specification:ubl:schema:xsd:"
         "CreditNote-2::CreditNote##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:"
         "poacc:billing:3.0::2.1"},
    ]  # fmt: skip
    return {
        "status": "success", "errors": [], "executionTimeMs": 12.0, "certificates": [],
        "dnsInfo": {"smlHostname": "edelivery.tech.ec.europa.eu", "status": "success",
                    "lookupMethod": "naptr", "dnsRecords": [{"ip": "127.0.0.1"}]},
        "serviceMetadata": {"status": "success", "queryTimeMs": 5.0, "endpoints": [
            {"url": "http://127.0.0.1/smp", "status": "success", "documentTypes": doc_types}]},
        "businessCard": {"status": "success", "queryTimeMs": 3.0,
                         "entities": [{"name": "Client Fictif SRL", "countryCode": "BE"}]},
        "queryMetadata": {"identifierScheme": "iso6523-actorid-upis", "identifierValue": pid,
                          "smlDomain": "edelivery.tech.ec.europa.eu", "timestamp": "2026-01-01",
                          "version": "1"},
    }  # fmt: skip


def _lookup_error(pid: str) -> dict[str, Any]:
    return {
        "status": "error", "errors": [f"No SMP found for {pid}"], "executionTimeMs": 8.0,
        "certificates": [],
        "dnsInfo": {"smlHostname": "edelivery.tech.ec.europa.eu", "status": "error",
                    "dnsRecords": [], "error": "NXDOMAIN"},
        "serviceMetadata": {"status": "error", "queryTimeMs": 0.0, "endpoints": []},
        "businessCard": {"status": "error", "queryTimeMs": 0.0, "entities": []},
        "queryMetadata": {"identifierScheme": "iso6523-actorid-upis", "identifierValue": pid,
                          "smlDomain": "edelivery.tech.ec.europa.eu", "timestamp": "2026-01-01",
                          "version": "1"},
    }  # fmt: skip


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: FakeState


@contextmanager
def fake_access_point() -> Iterator[FakeState]:
    """The fake e-invoice.be on 127.0.0.1 (a free port) for the duration of a test."""
    server = _Server(("127.0.0.1", 0), Handler)
    state = FakeState(port=server.server_address[1])
    server.state = state
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
