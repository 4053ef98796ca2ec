"""``purchase fetch``: documents suppliers sent to the hub's access point, into the books.

Listing asks the access point what it received and leaves out what the books already hold
(``access-point-id`` on the booked cost). Importing downloads each document and books it
exactly as ``purchase import`` does (validated, checked, archived), one write per document
so that one refused document does not hold back the others; the access point is told a
document was taken only once it is booked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from invoicing.peppol.accesspoint import AccessPoint, ReceivedDocument
from invoicing.purchases.booking import Charge, Planned
from invoicing.purchases.importer import Source, TextCheck, import_purchases
from invoicing.validation import Validator
from ledger.books import Books
from ledger.errors import CoopledgerError, InputError
from ledger.i18n import _
from ledger.view.purchases import purchase_records


@dataclass
class Fetched:
    """What became of one received document."""

    received: ReceivedDocument
    planned: Planned | None = None
    error: str = ""


def waiting(books: Books, ap: AccessPoint) -> list[ReceivedDocument]:
    """Received documents not booked yet."""
    booked = {r.provider_id for r in purchase_records(books.load().entries) if r.provider_id}
    return [d for d in ap.received() if d.id not in booked]


def fetch_and_import(
    books: Books,
    ap: AccessPoint,
    ids: Sequence[str],
    charge: Charge,
    *,
    validator: Validator | None,
    today: dt.date | None = None,
    dry_run: bool = False,
    check_text: TextCheck | None = None,
) -> list[Fetched]:
    """Download and book the received documents ``ids`` (all waiting ones if empty)."""
    pending = {d.id: d for d in waiting(books, ap)}
    if ids:
        unknown = [i for i in ids if i not in pending]
        if unknown:
            raise InputError(
                _(
                    "access-point document {unknown} is not waiting (already booked, or "
                    "unknown: see 'coopledger purchase fetch')",
                    unknown=unknown[0],
                )
            )
        chosen = [pending[i] for i in ids]
    else:
        chosen = list(pending.values())
    # Invoices first: a credit note is booked after the invoice it corrects.
    chosen.sort(key=lambda d: d.kind == "credit-note")
    out = []
    for received in chosen:
        result = Fetched(received)
        try:
            payload = ap.fetch(received.id)
            label = _("access-point document {id}", id=received.id)
            source = Source(label, payload, received.id)
            result.planned = import_purchases(
                books,
                [source],
                charge,
                validator=validator,
                today=today,
                dry_run=dry_run,
                check_text=check_text,
            )[0]
            if not dry_run:
                ap.acknowledge(received.id)
        except CoopledgerError as exc:
            result.error = exc.message
        out.append(result)
    return out
