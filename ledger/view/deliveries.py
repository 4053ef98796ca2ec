"""Delivery of issued documents, recorded in the books as metadata entries.

Each step is a ``custom "peppol-delivery"`` entry appended to ``<year>/peppol.beancount``
through the write path — the issued invoice's own entry is never touched::

    2026-03-14 custom "peppol-delivery" "2026-0001" "delivered"
      kind: "peppol-delivery"
      document: "inv-2026-0001"
      route: "peppol"
      at: "2026-03-14T10:02:11Z"
      access-point: "e-invoice.be"
      provider-id: "doc_8f3…"
      receiver: "0208:0202239951"
      ubl-sha256: "…"

The values are the document's number and its status; ``route`` is ``peppol`` (through the
access point), ``outbox`` (waiting in the outbox, no access point configured) or ``pdf``
(the hub sends the PDF itself). A document's status is that of its latest entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from beancount.core import data
from beancount.parser.grammar import ValueType

from ledger.i18n import _

DELIVERY_TYPE = "peppol-delivery"
ENTRIES_KIND = "peppol"
ROUTES = ("peppol", "outbox", "pdf")
# queued, sent, delivered, rejected: over Peppol (or waiting in the outbox);
# not-on-peppol: the receiver was looked up and is not registered (PDF route);
# pdf-only: no e-invoice for this client (a private person, a foreign business without id).
STATUSES = ("queued", "sent", "delivered", "rejected", "not-on-peppol", "pdf-only")
META_KEYS = (
    "route", "at", "access-point", "provider-id", "message-id", "receiver", "reason",
    "checked", "ubl-sha256",
)  # fmt: skip


@dataclass(frozen=True)
class Delivery:
    """One recorded step of a document's delivery."""

    number: str
    document: str  # the document's link (inv-… or cn-…)
    status: str
    route: str
    date: dt.date
    at: str = ""
    access_point: str = ""
    provider_id: str = ""
    message_id: str = ""
    receiver: str = ""
    reason: str = ""
    checked: str = ""  # the receiver ids looked up, for the not-on-peppol route
    ubl_sha256: str = ""
    entry: data.Custom | None = None

    def as_json(self, credited_by: Sequence[str] = ()) -> dict[str, Any]:
        return {
            "status": self.status,
            "route": self.route,
            "at": self.at or self.date.isoformat(),
            "access_point": self.access_point or None,
            "provider_id": self.provider_id or None,
            "message_id": self.message_id or self.provider_id or None,
            "receiver": self.receiver or None,
            "reason": self.reason or None,
            "checked": self.checked or None,
            "action": action_for(self, credited_by),
        }


def clean(value: str, limit: int = 300) -> str:
    """One line without quotes or backslashes, for a metadata value."""
    text = " ".join(str(value).replace('"', "'").replace("\\", "/").split())
    text = "".join(c for c in text if c.isprintable())
    return text[:limit]


def delivery_entry(
    day: dt.date, number: str, document: str, status: str, route: str, **meta: str
) -> data.Custom:
    """The entry recording one step (``meta``: the keys of :data:`META_KEYS`, with ``_``)."""
    if status not in STATUSES or route not in ROUTES:
        raise ValueError(f"unknown delivery status/route {status!r}/{route!r}")
    values: dict[str, Any] = {"kind": DELIVERY_TYPE, "document": document, "route": route}
    for key, value in meta.items():
        name = key.replace("_", "-")
        if name not in META_KEYS:
            raise ValueError(f"unknown delivery metadata {name!r}")
        if value:
            values[name] = clean(value)
    return data.Custom(
        data.new_metadata("<coopledger>", 0, values),
        day,
        DELIVERY_TYPE,
        [ValueType(number, str), ValueType(status, str)],
    )


def as_delivery(entry: data.Custom) -> Delivery | None:
    """The step a ``peppol-delivery`` entry records (``None`` for another entry)."""
    if entry.type != DELIVERY_TYPE or len(entry.values) < 2:
        return None
    meta = entry.meta or {}

    def get(key: str) -> str:
        return str(meta.get(key, "") or "")

    return Delivery(
        number=str(entry.values[0].value),
        document=get("document"),
        status=str(entry.values[1].value),
        route=get("route"),
        date=entry.date,
        at=get("at"),
        access_point=get("access-point"),
        provider_id=get("provider-id"),
        message_id=get("message-id"),
        receiver=get("receiver"),
        reason=get("reason"),
        checked=get("checked"),
        ubl_sha256=get("ubl-sha256"),
        entry=entry,
    )


def history(entries: Iterable[data.Directive]) -> dict[str, list[Delivery]]:
    """Every document's recorded steps, oldest first."""
    out: dict[str, list[Delivery]] = {}
    for entry in entries:
        if isinstance(entry, data.Custom):
            step = as_delivery(entry)
            if step is not None:
                out.setdefault(step.number, []).append(step)
    for steps in out.values():
        steps.sort(key=_order)
    return out


def _order(step: Delivery) -> tuple[dt.date, str, int]:
    line = (step.entry.meta or {}).get("lineno", 0) if step.entry is not None else 0
    return step.date, step.at, int(line or 0)


def current(entries: Iterable[data.Directive]) -> dict[str, Delivery]:
    """Each document's latest step."""
    return {number: steps[-1] for number, steps in history(entries).items()}


def action_for(step: Delivery, credited_by: Sequence[str] = ()) -> str | None:
    """What the treasurer should do next, in one sentence (None: nothing);
    ``credited_by``: the credit notes that cancel the whole invoice, if they do."""
    n = step.number
    if step.status == "rejected" and credited_by:
        notes = ", ".join(credited_by)
        return _(
            "the e-invoice was refused ({reason}); it is credited "
            "in full ({notes}): nothing is left to correct; send the credit note if it is "
            "not sent yet (coopledger invoice send {note}); send this invoice again "
            "only if the client must still receive it: coopledger invoice send {n} --again "
            "--even-if-credited",
            reason=step.reason or _("no reason given"),
            notes=notes,
            note=credited_by[0],
            n=n,
        )
    if step.status == "rejected":
        return _(
            "the e-invoice was refused ({reason}); an issued "
            "document is never changed: if the refusal is about its content, issue a credit "
            "note (coopledger invoice credit {n}) and a corrected invoice; if the receiver "
            "could not take it, try again later with: coopledger invoice send {n} --again",
            reason=step.reason or _("no reason given"),
            n=n,
        )
    if step.status == "not-on-peppol":
        return _(
            "the client is not registered on Peppol: send the PDF yourself (by e-mail) and "
            "ask the client to register with an access point; the lookup is recorded"
        )
    if step.status == "pdf-only":
        return _("send the PDF to the client yourself (e-mail or paper)")
    if step.status == "queued" and step.route == "outbox":
        return _(
            "waiting in the outbox: configure the access point's credentials and run "
            "coopledger invoice send {n}",
            n=n,
        )
    if step.status == "queued":
        return _("not sent yet; run coopledger invoice send {n} (safe: it never sends twice)", n=n)
    return None


def describe(step: Delivery | None) -> str:
    """``peppol: delivered`` and the like, for one line of a listing."""
    if step is None:
        return _("not sent")
    return f"{step.route}: {step.status}"


def delivery_json(
    step: Delivery | None, documents: Sequence[str], number: str = "NUMBER",
    credited_by: Sequence[str] = (),
) -> dict[str, Any]:  # fmt: skip
    """The delivery of a listed document; without a record, whether it has an e-invoice."""
    if step is not None:
        return step.as_json(credited_by)
    has_ubl = any(str(d).endswith(".xml") for d in documents)
    status = "unsent" if has_ubl else "pdf-only"
    return {
        "status": status,
        "route": "peppol" if has_ubl else "pdf",
        "action": _("send it: coopledger invoice send {number}", number=number)
        if has_ubl
        else None,
    }


def delivery_text(step: Delivery | None, documents: Sequence[str]) -> str:
    info = delivery_json(step, documents)
    return f"{info['route']}:{info['status']}"


def describe_step(step: Delivery, credited_by: Sequence[str] = ()) -> list[str]:
    """Lines for ``invoice show``."""
    lines: list[str] = [_("Delivery: {route}: {status} ({at})", route=step.route,
                          status=step.status, at=step.at or step.date.isoformat())]  # fmt: skip
    if step.provider_id:
        point = step.access_point or "-"
        lines.append(_("  access point: {point}, id {id}", point=point, id=step.provider_id))
    if step.receiver:
        lines.append(_("  receiver: {receiver}", receiver=step.receiver))
    if step.checked:
        lines.append(_("  looked up: {checked}", checked=step.checked))
    if step.reason:
        lines.append(_("  reason: {reason}", reason=step.reason))
    action = action_for(step, credited_by)
    if action:
        lines.append(_("  what to do: {action}", action=action))
    return lines
