"""What coopledger asks of a Peppol access point, whatever the provider.

An adapter implements :class:`AccessPoint` over the provider's documented API (one module
per provider, see :mod:`invoicing.peppol.einvoice_be`). Sending is split in two so that it
can be made idempotent: :meth:`AccessPoint.prepare` stores the document at the provider
and returns its id *without delivering anything*; the caller records that id in the books,
and only then calls :meth:`AccessPoint.transmit`. A retry asks :meth:`AccessPoint.status`
first and transmits again only while the document is still ``queued``.

Statuses (``docs/peppol.md`` §4): ``queued`` (at the provider or in our outbox, not sent),
``sent`` (left for the receiver's access point), ``delivered`` (the receiver's access point
acknowledged it), ``rejected`` (refused, with a reason).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal, Protocol

from invoicing.peppol.ids import PeppolId
from ledger.errors import CoopledgerError

DeliveryStatus = Literal["queued", "sent", "delivered", "rejected"]
DocKind = Literal["invoice", "credit-note"]


@dataclass(frozen=True)
class Submission:
    """A document at the access point: the provider's id and what became of it."""

    id: str
    status: DeliveryStatus
    number: str = ""  # the invoice number the provider read from the document
    message_id: str = ""  # a transport message id, when the provider gives one
    reason: str = ""  # why it was rejected


@dataclass(frozen=True)
class Participant:
    """A receiver found on the Peppol network."""

    id: PeppolId
    document_types: tuple[str, ...] = ()
    name: str = ""  # the business card's name, when published

    def accepts(self, document_type: str) -> bool:
        """Whether the receiver registered this document type (any, if none is listed)."""
        if not self.document_types:
            return True
        wanted = document_type.lower()
        return any(wanted in d.lower() or d.lower() in wanted for d in self.document_types)


@dataclass(frozen=True)
class ReceivedDocument:
    """A document that suppliers sent to the hub, waiting at the access point."""

    id: str
    kind: DocKind | None
    number: str = ""
    sender: str = ""
    received: dt.date | None = None
    extra: dict[str, str] = field(default_factory=dict)


class AccessPoint(Protocol):
    """The operations an adapter provides (see the module docstring for the contract)."""

    name: str

    def lookup(self, pid: PeppolId) -> Participant | None:
        """The participant if it is registered on Peppol, else ``None``."""
        ...

    def find(self, number: str) -> Submission | None:
        """A document already at the provider for this invoice number (a draft, or one
        sent), so a retry after an answer that never came does not store it twice."""
        ...

    def prepare(self, ubl: bytes, *, number: str, kind: DocKind) -> Submission:
        """Store the UBL at the provider, not sent yet; returns its id (``queued``)."""
        ...

    def transmit(self, submission_id: str, *, sender: PeppolId, receiver: PeppolId) -> Submission:
        """Deliver a prepared document to ``receiver``."""
        ...

    def status(self, submission_id: str) -> Submission:
        """What became of a document sent (or prepared)."""
        ...

    def received(self) -> list[ReceivedDocument]:
        """Documents suppliers sent to the hub."""
        ...

    def fetch(self, received_id: str) -> bytes:
        """The UBL of a received document (its attachments are embedded in it)."""
        ...

    def acknowledge(self, received_id: str) -> None:
        """Mark a received document as taken (a no-op where the provider has no such call)."""
        ...


# ---------------------------------------------------------------- errors


class AccessPointError(CoopledgerError):
    """The access point could not do what was asked. ``uncertain``: the request may have
    been carried out all the same (a timeout after sending it)."""

    uncertain = False
    transient = False


class AccessPointUnreachable(AccessPointError):
    """No connection (DNS, refused, network down): nothing was carried out."""

    transient = True


class AccessPointTimeout(AccessPointError):
    """No answer in time: the request may or may not have been carried out."""

    uncertain = True
    transient = True


class AccessPointBusy(AccessPointError):
    """429 or 5xx: the provider is overloaded or failing; try again later."""

    uncertain = True  # a 5xx after a POST does not prove nothing happened
    transient = True


class AccessPointAuthError(AccessPointError):
    """401/403: the credentials are wrong, expired or lack the right."""


class AccessPointRejected(AccessPointError):
    """400/404/409/422: the provider refused the request (the document, an id…)."""

    def __init__(self, message: str, status: int = 0, detail: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail


class AccessPointAnswerError(AccessPointError):
    """The provider answered something the documented API does not allow."""
