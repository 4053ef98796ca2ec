"""Golden tests, beangulp-style: each document in ``documents/<format>/`` beside the
``<document>.beancount`` its importer must extract (``;; Account``, ``;; Date``,
``;; Name`` header, then the entries).

Regenerate after a deliberate change with ``COOPLEDGER_REGENERATE_GOLDEN=1 pytest
tests/importers/test_imp_golden.py`` and review the diff. The same files work with
beangulp's own runner: ``beangulp.testing.main(CodaImporter(SETTINGS))`` then
``test tests/importers/documents/coda``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from bank_support import DOCUMENTS, SETTINGS
from beancount.core import data
from beangulp import testing

from importers.ingest import (
    BankCsvImporter,
    Camt053Importer,
    CodaImporter,
    Mt940Importer,
    StatementImporter,
    all_importers,
)

IMPORTERS: dict[str, StatementImporter] = {
    "coda": CodaImporter(SETTINGS),
    "camt053": Camt053Importer(SETTINGS),
    "mt940": Mt940Importer(SETTINGS),
    "csv": BankCsvImporter(SETTINGS),
}
DOCS = sorted(
    p for p in DOCUMENTS.glob("*/*") if p.suffix != ".beancount" and not p.name.startswith(".")
)


def test_every_format_has_golden_documents() -> None:
    assert {p.parent.name for p in DOCS} == set(IMPORTERS)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_golden(doc: Path) -> None:
    importer = IMPORTERS[doc.parent.name]
    assert importer.identify(str(doc))
    account, date, name, entries = testing.run_importer(importer, str(doc))
    expected = Path(f"{doc}.beancount")
    if os.environ.get("COOPLEDGER_REGENERATE_GOLDEN") or not expected.exists():
        testing.write_expected_file(str(expected), account, date, name, entries, force=True)
    diff = testing.compare_expected(str(expected), account, date, name, entries)
    assert not diff, "".join(diff)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_only_its_own_importer_identifies_it(doc: Path) -> None:
    claimed = [i.name for i in all_importers(SETTINGS) if i.identify(str(doc))]
    assert claimed == [IMPORTERS[doc.parent.name].name]


@pytest.mark.parametrize("body", ["BkToCstmrDbtCdtNtfctn", "BkToCstmrAcctRpt"])
def test_no_importer_identifies_a_camt_054_or_052(tmp_path: Path, body: str) -> None:
    """beangulp's ``identify`` must not claim a notification it will refuse to extract."""
    version = "054" if body == "BkToCstmrDbtCdtNtfctn" else "052"
    doc = tmp_path / "notification.xml"
    doc.write_text(
        f'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:'
        f'camt.{version}.001.02"><{body}><GrpHdr><MsgId>1</MsgId></GrpHdr></{body}></Document>'
    )
    assert [i.name for i in all_importers(SETTINGS) if i.identify(str(doc))] == []


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_extract_again_with_its_own_output_finds_duplicates(doc: Path) -> None:
    """beangulp's deduplication by the ^bank- link marks every movement already there."""
    importer = IMPORTERS[doc.parent.name]
    first = importer.extract(str(doc), [])
    again = importer.extract(str(doc), [])
    importer.deduplicate(again, first)
    bank = [e for e in again if "bank-ref" in e.meta]
    assert all("__duplicate__" in e.meta for e in bank)
    moved = [e for e in first if isinstance(e, data.Transaction) and "bank-ref" in e.meta]
    assert bank or not moved  # a statement of a day without movement


def test_every_csv_layout_has_a_golden_document() -> None:
    from importers.bank_csv import LAYOUTS, _decode, find_layout

    covered = set()
    for doc in DOCS:
        if doc.parent.name == "csv":
            found = find_layout(_decode(doc.read_bytes()))
            assert found is not None, doc
            covered.add(LAYOUTS.index(found[0]))
    assert covered == set(range(len(LAYOUTS)))
