"""The Beancount entries of an issued invoice or credit note, and where its files live.

Invoice: ``Assets:Clients`` debited with the total incl. VAT, the participant's sales
credited with the total excl. VAT, ``Liabilities:TVA-a-payer`` credited with the VAT (hub
in the standard regime only), and the participant's share accrued at once: the share
(``Quote-part``) debited and the share of open invoices (``participant_pending``, 489)
credited with the total excl. VAT, so the hub's result never holds participant money, paid
or not (see ``docs/accounting-model.md``). A credit note is the same entry reversed. The
PDF and the UBL are attached as ``document`` entries carrying the same link.
"""

from __future__ import annotations

import posixpath
import re
from decimal import Decimal
from typing import Any

from beancount.core import data

from invoicing.models import Document, link_safe
from invoicing.postings import DOCUMENTS_DIR as DOCUMENTS_DIR  # re-exported
from invoicing.postings import document_postings as document_postings  # re-exported
from ledger.books import entries_file as books_entries_file
from ledger.config import HubConfig
from ledger.i18n import _, hub_lang
from ledger.view import BORNE_BY, HUB
from plugins.rules.invoices import VAT_GROUPS, format_vat_groups

ENTRIES_KIND = "invoices"  # entries go to <year>/invoices.beancount


def file_stem(number: str) -> str:
    """A document number as a file name (anything unusual becomes ``-``)."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", number).strip(".") or "document"


def document_paths(doc: Document) -> dict[str, str]:
    """Paths, relative to the books, of the PDF, the UBL and the JSON record of ``doc``."""
    base = f"{DOCUMENTS_DIR}/{doc.date.year}/{file_stem(doc.number)}"
    return {"pdf": f"{base}.pdf", "ubl": f"{base}.xml", "json": f"{base}.json"}


def entries_file(doc: Document) -> str:
    """The books file the entries of ``doc`` are appended to by the write path."""
    return books_entries_file(ENTRIES_KIND, doc.date)


def _from_entries_file(doc: Document, relpath: str) -> str:
    """``relpath`` as seen from the entries file (Beancount resolves document paths
    relative to the file that declares them)."""
    return posixpath.relpath(relpath, posixpath.dirname(entries_file(doc)))


def build_entries(
    config: HubConfig, doc: Document, attachments: dict[str, str]
) -> list[data.Directive]:
    """The transaction of ``doc`` and a ``document`` entry per attached file
    (``attachments`` maps ``pdf``/``ubl`` to paths relative to the books)."""
    totals = doc.totals
    links = {doc.link}
    meta: dict[str, Any] = {"kind": doc.kind}
    if doc.kind == "invoice":
        meta["invoice"] = doc.number
    else:
        meta["credit-note"] = doc.number
        assert doc.reference is not None
        meta["invoice"] = doc.reference.number
        links.add(f"inv-{link_safe(doc.reference.number)}")
    meta["series"] = doc.series
    meta["seq"] = Decimal(doc.seq)
    if doc.ogm:
        meta["ogm"] = doc.ogm
    meta["participant"] = doc.participant
    meta["client"] = doc.client.id
    if doc.due and doc.kind == "invoice":
        meta["due"] = doc.due
    meta["lang"] = doc.lang
    if doc.hub_bears:
        meta[BORNE_BY] = HUB
    # the VAT breakdown, so that the invoices plugin bounds each credit per rate
    meta[VAT_GROUPS] = format_vat_groups((g.rate, g.base, g.vat) for g in totals.groups)
    vat = totals.vat if config.hub.vat_regime == "standard" else Decimal(0)
    postings = document_postings(
        config, doc.kind, doc.participant, totals.net, vat, hub_bears=doc.hub_bears
    )
    lang = hub_lang(config.invoicing.default_lang)  # the books speak the hub's language
    if doc.kind == "invoice":
        said = _("Invoice {number} to {client}", number=doc.number, client=doc.client.id)
    else:
        assert doc.reference is not None
        said = _("Credit note {number} on invoice {invoice}", number=doc.number,
                 invoice=doc.reference.number)  # fmt: skip
    narration = said.shown(lang)
    txn = data.Transaction(
        data.new_metadata("<coopledger>", 0, meta),
        doc.date,
        "*",
        None,
        narration,
        frozenset(),
        frozenset(links),
        postings,
    )
    out: list[data.Directive] = [txn]
    for index, (what, relpath) in enumerate(sorted(attachments.items()), start=1):
        out.append(
            data.Document(
                data.new_metadata("<coopledger>", index, {"kind": f"{doc.kind}-{what}"}),
                doc.date,
                config.account("clients"),
                _from_entries_file(doc, relpath),
                frozenset(),
                frozenset(links),
            )
        )
    return out
