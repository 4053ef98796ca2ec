"""Sending issued invoices and credit notes: over Peppol, to the outbox, or as a PDF.

For each document (``docs/peppol.md`` §4 and §1.5):

* a client without an e-invoice (a private person; a foreign business without a Peppol
  id) gets the PDF, put in ``outbox/pdf/`` for the hub to send (status ``pdf-only``);
* without an access point configured, the UBL and PDF wait in ``outbox/peppol/``
  (``queued``, route ``outbox``) — everything else works as before;
* with one, the client is looked up (its endpoint, then the other Belgian scheme); not
  registered: ``not-on-peppol``, the PDF goes to ``outbox/pdf/``; registered: the UBL is
  stored at the provider, **its id recorded in the books before anything is sent**, then
  sent; the answer (``sent``, ``delivered``, ``rejected`` with the reason) is recorded.

The outbox holds only what is ready to send: a document is taken out of it once it left
(sent, delivered), was rejected (a decision is needed first) or goes by PDF instead; an
access point that cannot be reached leaves it there, queued, for ``invoice send
--pending``. An invoice its credit notes cancel whole is not sent again after a rejection
unless asked (``even_if_credited``).

A retry never sends twice: a document recorded as ``queued`` with a provider id is first
asked for at the provider and sent only if it is still a draft; a document stored at the
provider whose id never reached the books (an answer lost to a timeout) is found by its
number before a new one is stored. Senders of one set of books take turns (a lock next to
the books' own), and nothing is sent while the books' lock is held.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from invoicing import numbering
from invoicing.entries import document_paths, file_stem
from invoicing.issue import read_document
from invoicing.models import Document
from invoicing.peppol import outbox as outbox_files
from invoicing.peppol.accesspoint import (
    AccessPoint,
    AccessPointBusy,
    AccessPointError,
    AccessPointRejected,
    Submission,
)
from invoicing.peppol.ids import DOCUMENT_TYPES, PeppolId, candidates_for, hub_sender_id
from invoicing.peppol.listing import credited_in_full
from invoicing.peppol.outbox import outbox_dir
from ledger.books import STATE_DIR, Books
from ledger.errors import BooksError, CoopledgerError, LockError
from ledger.i18n import _
from ledger.loader import carried_until
from ledger.money.recall import with_recalled
from ledger.view.deliveries import (
    ENTRIES_KIND,
    Delivery,
    action_for,
    as_delivery,
    current,
    delivery_entry,
)

SEND_LOCK = f"{STATE_DIR}/peppol-send.lock"
SAFE_RETRIES = 2  # further tries of a send the provider confirms did not happen
LOCK_TIMEOUT_SECONDS = float(os.environ.get("COOPLEDGER_LOCK_TIMEOUT", "120"))


@dataclass
class Outcome:
    """What happened to one document."""

    number: str
    route: str
    status: str
    message: str
    ok: bool = True
    provider_id: str = ""
    files: tuple[str, ...] = ()
    action: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "route": self.route,
            "status": self.status,
            "ok": self.ok,
            "message": self.message,
            "provider_id": self.provider_id or None,
            "files": list(self.files),
            "action": self.action,
        }


@dataclass(frozen=True)
class IssuedFiles:
    """An issued document with the bytes of its PDF and UBL (None: no e-invoice)."""

    ref: numbering.IssuedRef
    document: Document
    link: str
    ubl: bytes | None
    pdf: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.ubl or b"").hexdigest()


class _DiskReader:
    def __init__(self, root: Path) -> None:
        self.root = root

    def read_file(self, relpath: str) -> bytes | None:
        try:
            return (self.root / relpath).read_bytes()
        except FileNotFoundError:
            return None


def issued_files(books: Books, entries: list[Any], number: str) -> IssuedFiles:
    """The invoice or credit note ``number`` and its files, as issued."""
    number = number.strip()
    kind: Any = next((r.kind for r in numbering.issued(entries) if r.number == number), "invoice")
    ref = numbering.find(entries, number, kind)
    reader = _DiskReader(books.root)
    document = read_document(reader, ref)
    paths = document_paths(document)
    pdf = reader.read_file(paths["pdf"])
    if pdf is None:
        raise BooksError(
            _(
                "{pdf}: missing; the issued PDF of {number} is gone",
                pdf=paths["pdf"],
                number=number,
            )
        )
    ubl = reader.read_file(paths["ubl"])
    if ubl is None and document.client.is_business and document.client.endpoint():
        raise BooksError(
            _(
                "{ubl}: missing; the issued e-invoice of {number} is gone",
                ubl=paths["ubl"],
                number=number,
            )
        )
    return IssuedFiles(ref, document, document.link, ubl, pdf)


@contextlib.contextmanager
def send_lock(books: Books) -> Iterator[None]:
    """One sender at a time for these books (a lock file of its own: the books' lock is
    taken only for the short writes in between)."""
    path = books.root / SEND_LOCK
    path.parent.mkdir(exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() > deadline:
                    raise LockError(
                        _("{path}: another coopledger command is sending", path=path)
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)


def send_documents(
    books: Books,
    numbers: Sequence[str],
    access_point: AccessPoint | None,
    *,
    again: bool = False,
    even_if_credited: bool = False,
    now: dt.datetime | None = None,
    env: Mapping[str, str] | None = None,
    retry_delay: float | None = None,
) -> list[Outcome]:
    """Send each document by its route (see the module docstring); one outcome each."""
    outbox = outbox_dir(books.config, books.root, env)
    if retry_delay is None:
        retry_delay = float(books.config.peppol.retry_delay_seconds)
    out = []
    with send_lock(books):
        for number in numbers:
            sender = _Sender(books, outbox, access_point, now, retry_delay)
            try:
                out.append(sender.send(number, again=again, even_if_credited=even_if_credited))
            except AccessPointError as exc:
                out.append(sender.unreachable(number.strip(), exc))
    return out


def _retry(number: str) -> str:
    return _(
        "nothing was sent twice; try again later: coopledger invoice send {number} (or --pending)",
        number=number.strip(),
    )


def pending_numbers(books: Books, env: Mapping[str, str] | None = None) -> list[str]:
    """Documents waiting to go (queued, in the books or in the outbox, where an access point
    that could not be reached left them) or not yet confirmed delivered (sent)."""
    steps = current(books.load().entries)
    numbers = [n for n, s in steps.items() if s.status in ("queued", "sent")]
    outbox = outbox_dir(books.config, books.root, env)
    for manifest in outbox_files.waiting(outbox, "peppol"):
        number = str(manifest.get("number") or "")
        step = steps.get(number)
        if number and number not in numbers and (step is None or step.status == "queued"):
            numbers.append(number)
    return numbers


class _Sender:
    def __init__(
        self,
        books: Books,
        outbox: Path,
        ap: AccessPoint | None,
        now: dt.datetime | None,
        retry_delay: float,
    ) -> None:
        self.books = books
        self.outbox = outbox
        self.ap = ap
        self.now = now
        self.retry_delay = retry_delay

    # -- helpers --------------------------------------------------------------------

    def _entries(self, number: str) -> list[Any]:
        """The live books, or for a document settled in a closed year (they do not hold it)
        the full history: its files and what was sent of it are found there."""
        entries = self.books.load().entries
        if carried_until(self.books.main_file) is None or any(
            r.number == number.strip() for r in numbering.issued(entries)
        ):
            return entries
        return self.books.load(full_history=True).entries

    def _now(self) -> dt.datetime:
        return self.now or dt.datetime.now(dt.UTC)

    def record(self, doc: IssuedFiles, status: str, route: str, **meta: str) -> Delivery:
        moment = self._now()
        entry = delivery_entry(
            moment.date(),
            doc.ref.number,
            doc.link,
            status,
            route,
            at=moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            **meta,
        )
        with self.books.transaction(f"peppol: {doc.ref.number} {route} {status}") as tx:
            with_recalled(tx, [doc.ref.number])  # a document settled in a closed year
            tx.add_entries([entry], kind=ENTRIES_KIND)
        step = as_delivery(entry)
        assert step is not None
        return step

    def manifest(self, doc: IssuedFiles, route: str, status: str, **extra: str) -> dict[str, Any]:
        d = doc.document
        return {
            "number": d.number,
            "kind": d.kind,
            "date": d.date.isoformat(),
            "client": d.client.id,
            "sender": str(hub_sender_id(self.books.config)),
            "receiver": ":".join(d.client.endpoint() or ()) or None,
            "ubl_sha256": doc.sha256 if doc.ubl else None,
            "route": route,
            "status": status,
            "written": self._now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            **extra,
        }

    def to_outbox(self, doc: IssuedFiles, route: str, status: str, **extra: str) -> str:
        files = {".pdf": doc.pdf}
        if route == "peppol" and doc.ubl is not None:
            files[".xml"] = doc.ubl
        path = outbox_files.put(
            self.outbox, route, file_stem(doc.ref.number), files,
            self.manifest(doc, route, status, **extra),
        )  # fmt: skip
        return str(path.with_suffix(".pdf"))

    def tidy_outbox(self, number: str, status: str) -> None:
        """The outbox holds only what is ready to send: nothing of a document that left
        (sent, delivered: not its PDF either) or was rejected (a decision comes first)."""
        if status in ("sent", "delivered", "rejected"):
            outbox_files.remove(self.outbox, "peppol", file_stem(number))
        if status in ("sent", "delivered"):
            outbox_files.remove(self.outbox, "pdf", file_stem(number))

    # -- the flow -------------------------------------------------------------------

    def send(self, number: str, *, again: bool, even_if_credited: bool = False) -> Outcome:
        entries = self._entries(number)
        doc = issued_files(self.books, entries, number)
        n = doc.ref.number
        step = current(entries).get(n)
        credited_by = credited_in_full(entries, self.books.config).get(n, [])
        if doc.ubl is None:
            return self.pdf_only(doc, step)
        if step and step.status in ("sent", "delivered"):
            return self.already_sent(doc, step)
        if step and step.status == "rejected" and not again:
            return Outcome(n, step.route, "rejected", _("{n}: rejected earlier", n=n), ok=False,
                           provider_id=step.provider_id,
                           action=action_for(step, credited_by))  # fmt: skip
        if step and step.status == "rejected" and credited_by and not even_if_credited:
            return Outcome(n, step.route, "rejected",
                           _("{n}: credited in full ({credited_by}); not sent again", n=n,
                             credited_by=", ".join(credited_by)),
                           ok=False, provider_id=step.provider_id,
                           action=action_for(step, credited_by))  # fmt: skip
        if self.ap is None:
            return self.offline(doc, step)
        return self.online(doc, step, again)

    def unreachable(self, number: str, exc: AccessPointError) -> Outcome:
        """The access point failed before the document left: it waits in the outbox (a
        document never recorded, or still queued), to go with ``invoice send --pending``."""
        entries = self._entries(number)
        step = current(entries).get(number)
        files: tuple[str, ...] = ()
        message = exc.message
        try:
            doc = issued_files(self.books, entries, number)
        except CoopledgerError:
            doc = None
        if doc is not None and doc.ubl is not None and (step is None or step.status == "queued"):
            receiver = step.receiver if step else ":".join(doc.document.client.endpoint() or ())
            path = self.to_outbox(doc, "peppol", "queued", receiver=receiver, reason=message)
            files = (str(Path(path).with_suffix(".xml")), path)
            message = _(
                "{number}: not delivered ({exc}); it waits in the outbox: {files}",
                number=number,
                exc=exc.message,
                files=files[0],
            )
        return Outcome(
            number, step.route if step else "peppol", step.status if step else "unsent",
            message, ok=False, provider_id=step.provider_id if step else "", files=files,
            action=(action_for(step) if step and step.status != "queued" else None)
            or _retry(number),
        )  # fmt: skip

    def pdf_only(self, doc: IssuedFiles, step: Delivery | None) -> Outcome:
        client = doc.document.client
        why = (
            _("a foreign business without a Peppol id")
            if client.is_business
            else _("a private person")
        )
        path = self.to_outbox(doc, "pdf", "pdf-only", reason=f"no e-invoice: the client is {why}")
        if not (step and step.status == "pdf-only"):
            step = self.record(doc, "pdf-only", "pdf", reason=f"the client is {why}")
        return Outcome(doc.ref.number, "pdf", "pdf-only",
                       _("{number}: PDF only (the client is {why}): {path}",
                         number=doc.ref.number, why=why, path=path),
                       files=(path,), action=action_for(step))  # fmt: skip

    def offline(self, doc: IssuedFiles, step: Delivery | None) -> Outcome:
        n = doc.ref.number
        path = self.to_outbox(doc, "peppol", "queued")
        receiver = ":".join(doc.document.client.endpoint() or ())
        if not (step and step.status == "queued" and step.route == "outbox"
                and step.ubl_sha256 == doc.sha256):  # fmt: skip
            step = self.record(doc, "queued", "outbox", receiver=receiver, ubl_sha256=doc.sha256)
        xml = str(Path(path).with_suffix(".xml"))
        return Outcome(n, "outbox", "queued",
                       _("{n}: queued in the outbox (no access point configured): {xml}",
                         n=n, xml=xml),
                       files=(xml, path), action=action_for(step))  # fmt: skip

    def already_sent(self, doc: IssuedFiles, step: Delivery) -> Outcome:
        ap = self.ap
        if (
            ap is not None
            and step.status == "sent"
            and step.provider_id
            and (step.access_point == ap.name)
        ):
            sub = ap.status(step.provider_id)
            if sub.status != step.status:
                step = self.record(doc, sub.status, "peppol", access_point=ap.name,
                                   provider_id=sub.id, receiver=step.receiver,
                                   reason=sub.reason, ubl_sha256=doc.sha256)  # fmt: skip
        n = doc.ref.number
        self.tidy_outbox(n, step.status)
        return Outcome(n, step.route, step.status,
                       _("{n}: {status} ({access_point} id {provider_id}); not sent again",
                         n=n, status=step.status, access_point=step.access_point
                         or _("access point"), provider_id=step.provider_id or "-"),
                       ok=step.status != "rejected", provider_id=step.provider_id,
                       action=action_for(step))  # fmt: skip

    def online(self, doc: IssuedFiles, step: Delivery | None, again: bool) -> Outcome:
        ap = self.ap
        assert ap is not None
        n = doc.ref.number
        sender = hub_sender_id(self.books.config)
        resumable = (
            step is not None and step.status == "queued" and step.route == "peppol"
            and bool(step.provider_id) and step.access_point == ap.name
        )  # fmt: skip
        if resumable and step is not None:
            receiver = PeppolId.parse(step.receiver)
            sub = ap.status(step.provider_id)
            if sub.status != "queued":  # it left already: never send it again
                return self.finish(doc, sub, receiver)
        else:
            found, checked = self.lookup(doc)
            if found is None:
                return self.not_on_peppol(doc, checked)
            receiver = found
            self.to_outbox(doc, "peppol", "queued", receiver=str(receiver))
            existing = ap.find(n)
            if existing is not None and existing.status in ("sent", "delivered"):
                return self.finish(doc, existing, receiver)
            if existing is not None and existing.status == "queued":
                sub = existing
            elif existing is not None and existing.status == "rejected" and not again:
                return self.finish(doc, existing, receiver)
            else:
                sub = ap.prepare(doc.ubl or b"", number=n, kind=doc.document.kind)
            self.record(doc, "queued", "peppol", access_point=ap.name, provider_id=sub.id,
                        receiver=str(receiver), ubl_sha256=doc.sha256)  # fmt: skip
        return self.finish(doc, self.transmit(n, sub.id, sender, receiver), receiver)

    def lookup(self, doc: IssuedFiles) -> tuple[PeppolId | None, list[str]]:
        assert self.ap is not None
        client = doc.document.client
        endpoint = client.endpoint()
        assert endpoint is not None
        wanted = DOCUMENT_TYPES[doc.document.kind]
        checked = []
        for pid in candidates_for(PeppolId(*endpoint), client.vat_number):
            checked.append(str(pid))
            participant = self.ap.lookup(pid)
            if participant is not None and participant.accepts(wanted):
                return pid, checked
        return None, checked

    def not_on_peppol(self, doc: IssuedFiles, checked: list[str]) -> Outcome:
        n = doc.ref.number
        assert self.ap is not None
        outbox_files.remove(self.outbox, "peppol", file_stem(n))  # it goes by PDF instead
        path = self.to_outbox(doc, "pdf", "not-on-peppol", checked=", ".join(checked))
        step = self.record(doc, "not-on-peppol", "pdf", access_point=self.ap.name,
                           checked=", ".join(checked), ubl_sha256=doc.sha256)  # fmt: skip
        return Outcome(n, "pdf", "not-on-peppol",
                       _("{n}: the client is not on Peppol (looked up {checked}); "
                       "the PDF to send yourself: {path}", n=n, checked=", ".join(checked),
                         path=path), files=(path,),
                       action=action_for(step))  # fmt: skip

    def transmit(self, n: str, sub_id: str, sender: PeppolId, receiver: PeppolId) -> Submission:
        ap = self.ap
        assert ap is not None
        again = f"coopledger invoice send {n}"
        for attempt in range(1 + SAFE_RETRIES):
            try:
                return ap.transmit(sub_id, sender=sender, receiver=receiver)
            except AccessPointRejected as exc:
                if exc.status == 409:  # a conflict: perhaps it was sent meanwhile
                    state = ap.status(sub_id)
                    if state.status != "queued":
                        return state
                return Submission(sub_id, "rejected", n, reason=exc.detail or str(exc))
            except AccessPointError as exc:
                if not exc.transient:
                    raise
                try:
                    state = ap.status(sub_id)
                except AccessPointError:
                    raise type(exc)(
                        _(
                            "{exc}; whether {n} left is not known yet: run {again} again "
                            "(safe: the access point is asked before anything is sent)",
                            exc=exc.message,
                            n=n,
                            again=again,
                        )
                    ) from None
                if state.status != "queued":
                    return state  # the send went through although its answer was lost
                if attempt == SAFE_RETRIES:
                    raise AccessPointBusy(
                        _(
                            "{exc}; {n} is still waiting at the access point, not sent: run "
                            "{again} again later (safe: it is never sent twice)",
                            exc=exc.message,
                            n=n,
                            again=again,
                        )
                    ) from None
                time.sleep(self.retry_delay * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def finish(self, doc: IssuedFiles, sub: Submission, receiver: PeppolId) -> Outcome:
        ap = self.ap
        assert ap is not None
        n = doc.ref.number
        step = self.record(doc, sub.status, "peppol", access_point=ap.name, provider_id=sub.id,
                           message_id=sub.message_id, receiver=str(receiver),
                           reason=sub.reason, ubl_sha256=doc.sha256)  # fmt: skip
        self.tidy_outbox(n, sub.status)
        ok = sub.status != "rejected"
        said = {
            "queued": _("stored at the access point, not sent yet"),
            "sent": _("sent over Peppol to {receiver}", receiver=receiver),
            "delivered": _("delivered over Peppol to {receiver}", receiver=receiver),
            "rejected": _("rejected: {reason}", reason=sub.reason or _("no reason given")),
        }[sub.status]
        return Outcome(n, "peppol", sub.status, _("{n}: {said} ({name} id {id})", n=n, said=said,
                                                  name=ap.name, id=sub.id), ok=ok,
                       provider_id=sub.id, action=action_for(step))  # fmt: skip
