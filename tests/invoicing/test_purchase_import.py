"""``purchase import``: supplier Peppol e-invoices booked as payable costs, entry by entry.

On the official Peppol BIS 3.0 examples (re-addressed to the test hub: only the buyer's
identifiers change, and they still pass the official rules) and on supplier documents we
generate in each VAT category (S at 21/12/6 %, Z, E), for hubs in each VAT regime; then
every refusal the issue lists, each one line with the books byte-identical.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from invoicing_support import ALIAS, REPO, YEAR, Hub, day, snapshot
from lxml import etree
from peppol_support import (
    EXAMPLES,
    NS,
    SUPPLIER_ENTERPRISE,
    SUPPLIER_IBAN,
    embed_attachment,
    example,
    readdress,
    receive_payment,
    set_text,
    supplier_document,
    tiny_pdf,
)

from invoicing.issue import IssueRequest, issue_invoice
from invoicing.models import LineInput
from invoicing.ogm import make_ogm
from invoicing.purchases.booking import Charge
from invoicing.purchases.importer import Source, import_purchases
from invoicing.validation import Validator
from ledger.books import Books
from ledger.errors import CoopledgerError, InputError
from ledger.money.expenses import ExpenseRequest, book_expense
from ledger.view.purchases import purchase_statuses

HUB = Charge(None, None, given=True)
TODAY = dt.date(YEAR, 12, 31)
D = Decimal


def book(books: Books, validator: Validator | None, *docs: bytes, charge: Charge = HUB,
         when: dt.date | None = None, dry_run: bool = False) -> list:  # fmt: skip
    labels = [f"file {i}" for i in range(1, len(docs) + 1)] if len(docs) > 1 else ["the file"]
    sources = [Source(label, doc) for label, doc in zip(labels, docs, strict=True)]
    return import_purchases(books, sources, charge, validator=validator, today=TODAY, day=when,
                            dry_run=dry_run)  # fmt: skip


def postings(books: Books, expense: str) -> list[tuple[str, Decimal]]:
    entry = next(
        e for e in books.load().entries
        if getattr(e, "meta", {}).get("expense") == expense and hasattr(e, "postings")
    )  # fmt: skip
    return [(p.account, p.units.number) for p in entry.postings]


def meta_of(books: Books, expense: str) -> dict:
    entry = next(
        e for e in books.load().entries
        if getattr(e, "meta", {}).get("expense") == expense and hasattr(e, "postings")
    )  # fmt: skip
    return dict(entry.meta)


def refused(books: Books, match: str, fn: Callable[[], object]) -> str:
    """``fn`` fails with one line matching ``match`` and leaves the books as they were."""
    snap = snapshot(books.root)
    with pytest.raises(CoopledgerError) as info:
        fn()
    message = info.value.message
    assert "\n" not in message and match in message, message
    assert snap.unchanged()
    return message


SERVICES = "Expenses:Services-et-biens-divers"
SUPPLIERS = "Liabilities:Fournisseurs"
VAT_BACK = "Assets:TVA-a-recuperer"
needs_examples = pytest.mark.skipif(not EXAMPLES.exists(), reason="../shared/samples absent")


# ---------------------------------------------------------------- the official examples


@needs_examples
@pytest.mark.parametrize("regime", ["standard", "exempt"])
def test_official_examples_entry_by_entry(
    hub_factory: Callable[..., Hub], validator: Validator, regime: str
) -> None:
    hub = hub_factory(regime)
    books = hub.books
    cfg = books.config
    [inv] = book(books, validator, readdress(example("base-example.xml"), cfg), when=day(3, 1))
    if regime == "standard":  # VAT recoverable
        assert postings(books, inv.expense) == [
            (SERVICES, D("1325.00")), (VAT_BACK, D("331.25")), (SUPPLIERS, D("-1656.25"))
        ]  # fmt: skip
    else:  # exempt: the VAT is part of the cost
        assert postings(books, inv.expense) == [
            (SERVICES, D("1656.25")),
            (SUPPLIERS, D("-1656.25")),
        ]
    meta = meta_of(books, inv.expense)
    assert meta["purchase"] == "invoice" and meta["supplier-doc"] == "Snippet1"
    assert (
        meta["supplier-id"] == "0088:9482348239847239874" and meta["supplier-vat"] == "GB1232434"
    )
    assert meta["supplier"] == "SupplierOfficialName Ltd" and meta["issued"] == dt.date(
        2017, 11, 13
    )
    assert meta["due"] == dt.date(2017, 12, 1) and meta["payment-ref"] == "Snippet1"
    assert meta["vat-breakdown"] == "S 25%: 1325.00 + 331.25" and meta["validated"] is True
    assert "supplier-iban" not in meta  # "IBAN32423940" is no IBAN: not kept
    xml = books.root / f"documents/purchases/{YEAR}/{inv.link}.xml"
    assert xml.read_bytes() == readdress(example("base-example.xml"), cfg)  # the document
    # The credit note corrects the whole invoice: nothing left to pay.
    [cn] = book(books, validator, readdress(example("base-creditnote-correction.xml"), cfg),
                when=day(3, 2))  # fmt: skip
    assert cn.link == inv.link and cn.summary["credits"] == "Snippet1"
    expected = [(SERVICES, D("-1325.00")), (VAT_BACK, D("-331.25")), (SUPPLIERS, D("1656.25"))]
    if regime != "standard":
        expected = [(SERVICES, D("-1656.25")), (SUPPLIERS, D("1656.25"))]
    assert postings(books, cn.expense) == expected
    [status] = purchase_statuses(books.load().entries, cfg, TODAY)
    assert (status.status, status.owed, status.credited) == ("credited", 0, D("1656.25"))
    # Same supplier (its VAT number GB1232434, another endpoint), same number: a duplicate.
    refused(books, "invoice Snippet1 of this supplier is already booked",
            lambda: book(books, validator, readdress(example("Vat-category-S.xml"), cfg),
                         when=day(3, 3)))  # fmt: skip
    assert not books.load().errors


@needs_examples
def test_official_example_with_two_standard_rates(
    hub_factory: Callable[..., Hub], validator: Validator
) -> None:
    hub = hub_factory("standard")
    [s] = book(hub.books, validator, readdress(example("Vat-category-S.xml"), hub.books.config),
               when=day(3, 3))  # fmt: skip
    assert postings(hub.books, s.expense) == [
        (SERVICES, D("7000.00")), (VAT_BACK, D("1550.00")), (SUPPLIERS, D("-8550.00"))
    ]  # fmt: skip
    assert meta_of(hub.books, s.expense)["vat-breakdown"] == (
        "S 25%: 5000.00 + 1250.00, S 15%: 2000.00 + 300.00"
    )


@needs_examples
def test_official_examples_that_cannot_be_booked_are_refused(
    hub_factory: Callable[..., Hub], validator: Validator
) -> None:
    hub = hub_factory("standard")
    books, cfg = hub.books, hub.books.config
    refused(books, "addressed to 0002:FR23342, not to this hub (0208:0403170701)",
            lambda: book(books, validator, example("base-example.xml"), when=day(3, 1)))  # fmt: skip
    refused(books, "currency GBP",
            lambda: book(books, validator, readdress(example("vat-category-E.xml"), cfg)))  # fmt: skip
    refused(books, "1000.00 EUR already paid in advance (PrepaidAmount)",
            lambda: book(books, validator, readdress(example("Allowance-example.xml"), cfg)))  # fmt: skip
    refused(books, "credit note Snippet1 corrects invoice Snippet1 of this supplier, which is "
            "not in the books; import the invoice first",
            lambda: book(books, validator,
                         readdress(example("base-creditnote-correction.xml"), cfg)))  # fmt: skip
    for name in sorted((EXAMPLES.parent / "cen-examples").glob("*.xml")):  # fail the Peppol layer
        message = refused(
            books, "fails the Peppol rules", lambda n=name: book(books, validator, n.read_bytes())
        )  # type: ignore[misc]
        assert "PEPPOL-" in message


# ---------------------------------------------------------------- our own, each VAT category

LINES = [("2", "50.00", "21"), ("3", "10.00", "12"), ("1", "10.00", "6"), ("1", "5.00", "0")]
# net 100 + 30 + 10 + 5 = 145; VAT 21 + 3.60 + 0.60 = 25.20; total 170.20


@pytest.mark.parametrize("regime", ["standard", "franchise", "exempt"])
def test_generated_categories_S_and_Z_entry_by_entry(
    hub_factory: Callable[..., Hub], validator: Validator, regime: str
) -> None:
    hub = hub_factory(regime)
    books = hub.books
    xml = supplier_document(books.config, LINES, day=day(3, 3), number="F-0001", seq=1)
    [p] = book(books, validator, xml)
    if regime == "standard":
        assert postings(books, p.expense) == [
            (SERVICES, D("145.00")), (VAT_BACK, D("25.20")), (SUPPLIERS, D("-170.20"))
        ]  # fmt: skip
    else:  # franchise and exempt: the VAT is not recoverable, it is part of the cost
        assert postings(books, p.expense) == [(SERVICES, D("170.20")), (SUPPLIERS, D("-170.20"))]
    meta = meta_of(books, p.expense)
    assert meta["vat-breakdown"] == (
        "S 21%: 100.00 + 21.00, S 12%: 30.00 + 3.60, S 6%: 10.00 + 0.60, Z 0%: 5.00 + 0.00"
    )
    assert meta["net"] == D("145.00") and meta["vat"] == D("25.20")
    assert meta["supplier-id"] == f"0208:{SUPPLIER_ENTERPRISE}"
    assert meta["supplier-iban"] == SUPPLIER_IBAN
    assert meta["payment-ref"] == make_ogm(YEAR, 1)  # the supplier's structured reference
    assert meta["due"] == day(4, 2) and p.summary["vat_recoverable"] == (
        "25.20" if regime == "standard" else "0.00"
    )


@pytest.mark.parametrize("supplier_regime", ["exempt", "franchise"])
@pytest.mark.parametrize("regime", ["standard", "exempt"])
def test_generated_category_E_entry_by_entry(
    hub_factory: Callable[..., Hub], validator: Validator, regime: str, supplier_regime: str
) -> None:
    hub = hub_factory(regime)
    books = hub.books
    xml = supplier_document(books.config, [("4", "12.50", "0")], regime=supplier_regime,
                            day=day(5, 2), number="E-17", seq=17)  # fmt: skip
    [p] = book(books, validator, xml)
    assert postings(books, p.expense) == [(SERVICES, D("50.00")), (SUPPLIERS, D("-50.00"))]
    assert meta_of(books, p.expense)["vat-breakdown"] == "E 0%: 50.00 + 0.00"


def test_participant_cost_is_booked_exactly_as_expense_add(
    hub_factory: Callable[..., Hub], validator: Validator
) -> None:
    """The same supplier invoice booked by purchase import and by ``expense add
    --participant``: the same postings, on the same accounts (one booking rule)."""
    results = []
    for via in ("purchase", "expense"):
        hub = hub_factory("standard")
        books = hub.books
        sale = issue_invoice(books, IssueRequest(
            participant=hub.participant, client=hub.business, date=day(2, 1),
            lines=[LineInput(description="Buffet fictif", quantity=D(1), unit_price=D("400"),
                             vat_rate=D("21"))]), today=TODAY).document  # fmt: skip
        receive_payment(books, sale.number, "484.00", day(2, 10), ref=f"PAY{via}")
        if via == "purchase":
            xml = supplier_document(books.config, LINES, day=day(3, 3), number="F-9", seq=9)
            [p] = book(books, validator, xml, charge=Charge(hub.participant, None, True))
            expense = p.expense
        else:
            booked = book_expense(books, ExpenseRequest(
                amount=D("170.20"), vat=D("25.20"), description="supplier invoice F-9",
                participant=hub.participant, supplier="Fournisseur Fictif SRL",
                day=day(3, 3)))  # fmt: skip
            expense = booked["expense"]
        same = [(a.replace(hub.participant, "P-CODE"), n) for a, n in postings(books, expense)]
        results.append((same, meta_of(books, expense)))
    (purchase, pmeta), (expense, emeta) = results
    assert purchase == expense
    assert purchase == [
        ("Expenses:Participants:P-CODE:Couts", D("145.00")), (VAT_BACK, D("25.20")),
        (SUPPLIERS, D("-170.20")), ("Liabilities:Participants:P-CODE", D("145.00")),
        ("Expenses:Participants:P-CODE:Quote-part", D("-145.00")),
    ]  # fmt: skip
    for key in ("kind", "paid-from", "amount", "vat", "supplier"):
        assert pmeta[key] == emeta[key], key


def test_participant_cost_beyond_the_balance_is_refused_as_expense_add_refuses_it(
    hub: Hub, validator: Validator
) -> None:
    xml = supplier_document(hub.books.config, LINES, day=day(3, 3))
    message = refused(hub.books, "cost refused: 170.20 EUR would take the balance held for",
                      lambda: book(hub.books, validator, xml,
                                   charge=Charge(hub.participant, None, True)))  # fmt: skip
    assert hub.participant in message and ALIAS not in message
    refused(hub.books, f"participant {hub.closed}",
            lambda: book(hub.books, validator, xml, charge=Charge(hub.closed, None, True)))  # fmt: skip


# ---------------------------------------------------------------- credit notes


def test_supplier_credit_note_offsets_its_invoice(hub: Hub, validator: Validator) -> None:
    books = hub.books
    inv = supplier_document(books.config, LINES, day=day(3, 3), number="F-1", seq=1)
    cn = supplier_document(books.config, [("1", "10.00", "6")], day=day(3, 9), number="NC-1",
                           seq=1, credit_of=("F-1", day(3, 3)))  # fmt: skip
    planned = book(books, validator, cn, inv)  # the credit note may come first: invoices go first
    inv_p, cn_p = planned
    assert inv_p.summary["kind"] == "invoice" and cn_p.summary["kind"] == "credit-note"
    assert cn_p.link == inv_p.link
    assert postings(books, cn_p.expense) == [(SERVICES, D("-10.60")), (SUPPLIERS, D("10.60"))]
    [status] = purchase_statuses(books.load().entries, books.config, day(3, 10))
    assert (status.status, status.owed, status.credited) == ("open", D("159.60"), D("10.60"))
    too_much = supplier_document(books.config, [("20", "10.00", "21")], day=day(3, 9),
                                 number="NC-2", seq=2, credit_of=("F-1", day(3, 3)))  # fmt: skip
    refused(books, "credit note of 242.00 EUR exceeds what is left of invoice F-1 (159.60 EUR)",
            lambda: book(books, validator, too_much))  # fmt: skip
    refused(books, "corrects a cost charged to the hub",
            lambda: book(books, validator, supplier_document(
                books.config, [("1", "1.00", "0")], day=day(3, 9), number="NC-3", seq=3,
                credit_of=("F-1", day(3, 3))), charge=Charge(hub.participant, None, True)))  # fmt: skip
    orphan = supplier_document(books.config, [("1", "1.00", "0")], day=day(3, 9), number="NC-4",
                               seq=4, credit_of=("F-404", day(3, 3)))  # fmt: skip
    refused(books, "corrects invoice F-404 of this supplier, which is not in the books",
            lambda: book(books, validator, orphan))  # fmt: skip


# ---------------------------------------------------------------- refusals


def test_duplicates_refused_by_hash_and_by_supplier_and_number(
    hub: Hub, validator: Validator
) -> None:
    books = hub.books
    xml = supplier_document(books.config, LINES, day=day(3, 3), number="F-7", seq=7)
    book(books, validator, xml)
    refused(books, "this very file was booked already", lambda: book(books, validator, xml))
    other_due = supplier_document(books.config, LINES, day=day(3, 3), due=day(5, 1),
                                  number="F-7", seq=7)  # fmt: skip
    refused(books, "invoice F-7 of this supplier is already booked",
            lambda: book(books, validator, other_due))  # fmt: skip
    twice = supplier_document(books.config, LINES, day=day(3, 4), number="F-8", seq=8)
    refused(
        books, "this very file was booked already", lambda: book(books, validator, twice, twice)
    )


def test_another_receiver_refused(hub_factory: Callable[..., Hub], validator: Validator) -> None:
    hub = hub_factory("standard")
    books = hub.books
    from invoicing.models import Client

    someone = Client(id="C0009", name="Autre ASBL Fictive", enterprise_number="0202239951")
    xml = supplier_document(books.config, LINES, day=day(3, 3), client=someone)
    refused(
        books, "addressed to 0208:0202239951, not to this hub", lambda: book(books, validator, xml)
    )
    ours = supplier_document(books.config, LINES, day=day(3, 3))
    wrong_vat = set_text(ours, "cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID",
                         "BE0202239951")  # fmt: skip
    refused(books, "the buyer's VAT number in it is not the hub's",
            lambda: book(books, None, wrong_vat))  # fmt: skip


def test_invalid_ubl_refused_with_its_rule_ids(hub: Hub, validator: Validator) -> None:
    books = hub.books
    xml = supplier_document(books.config, LINES, day=day(3, 3))
    wrong_total = set_text(xml, "cac:LegalMonetaryTotal/cbc:PayableAmount", "999.00")
    message = refused(
        books, "fails the Peppol rules (BR-CO-16", lambda: book(books, validator, wrong_total)
    )
    assert "first: [BR-CO-16]" in message
    root = etree.fromstring(xml)
    root.remove(root.find("cbc:IssueDate", NS))
    no_date = etree.tostring(root)
    message = refused(books, "fails the Peppol rules", lambda: book(books, validator, no_date))
    assert "XSD" in message
    refused(books, "not well-formed XML", lambda: book(books, validator, b"<Invoice"))
    refused(books, "not a UBL Invoice or CreditNote", lambda: book(books, None, b"<a/>"))
    refused(
        books,
        "holds a DTD",
        lambda: book(books, None, b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "x">]><x/>'),
    )


def test_nothing_half_booked_when_one_file_of_several_fails(
    hub: Hub, validator: Validator
) -> None:
    books = hub.books
    good = supplier_document(books.config, LINES, day=day(3, 3), number="F-1", seq=1)
    gbp = set_text(supplier_document(books.config, LINES, day=day(3, 3), number="F-2", seq=2),
                   "cbc:DocumentCurrencyCode", "GBP")  # fmt: skip
    message = refused(books, "file 2: ", lambda: book(books, None, good, gbp))
    assert "currency GBP" in message


def test_dry_run_writes_nothing(hub: Hub, validator: Validator) -> None:
    snap = snapshot(hub.root)
    [p] = book(hub.books, validator, supplier_document(hub.books.config, LINES, day=day(3, 3)),
               dry_run=True)  # fmt: skip
    assert p.summary["amount"] == "170.20" and snap.unchanged()


def test_future_date_and_closed_year(hub: Hub, validator: Validator) -> None:
    books = hub.books
    late = supplier_document(books.config, LINES, day=day(12, 31))
    refused(books, "after today", lambda: import_purchases(
        books, [Source("the file", late)], HUB, validator=validator, today=day(12, 30)))  # fmt: skip
    from ledger.money.closing import close_year

    close_year(books, YEAR, today=dt.date(YEAR + 1, 1, 5))
    message = refused(books, "is closed", lambda: import_purchases(
        books, [Source("the file", late)], HUB, validator=validator, today=dt.date(YEAR + 1, 1, 5)))  # fmt: skip
    assert f"{YEAR} is closed; book it in the open year" in message
    [p] = import_purchases(books, [Source("the file", late)], HUB, validator=validator,
                           today=dt.date(YEAR + 1, 1, 5), day=dt.date(YEAR + 1, 1, 5))  # fmt: skip
    assert p.summary["booked"] == f"{YEAR + 1}-01-05" and p.summary["issued"] == f"{YEAR}-12-31"


# ---------------------------------------------------------------- attachments and privacy


def test_embedded_pdf_extracted_beside_the_xml(hub: Hub, validator: Validator) -> None:
    books = hub.books
    pdf = tiny_pdf()
    xml = embed_attachment(supplier_document(books.config, LINES, day=day(3, 3)), pdf)
    xml = embed_attachment(xml, b"a;b\n1;2\n", mime="text/csv", filename="detail.csv")
    xml = embed_attachment(xml, b"%PDF-1.4 broken", filename="broken.pdf")
    [p] = book(books, validator, xml)
    base = books.root / f"documents/purchases/{YEAR}/{p.link}"
    extracted = (base.parent / f"{p.link}-1.pdf").read_bytes()  # in document order
    assert extracted.startswith(b"%PDF") and extracted != pdf  # cleaned of its metadata
    assert not list(base.parent.glob("*.csv"))
    assert any("text/csv" in w for w in p.warnings) and any(
        "not a readable PDF" in w for w in p.warnings
    )
    docs = [
        e for e in books.load().entries if type(e).__name__ == "Document" and p.link in e.links
    ]
    assert sorted(Path(d.filename).name for d in docs) == [f"{p.link}-1.pdf", f"{p.link}.xml"]


def test_supplier_free_text_never_enters_the_entries(hub: Hub, validator: Validator) -> None:
    """Notes and line descriptions may name people: they stay in the archived XML only."""
    books = hub.books
    xml = supplier_document(books.config, LINES, day=day(3, 3))
    root = etree.fromstring(xml)
    note = etree.Element(
        "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}Note"
    )
    note.text = f"Livré à {ALIAS}, Rue Secrète 9"
    root.insert(list(root).index(root.find("cbc:DocumentCurrencyCode", NS)), note)
    for name in root.iterfind(".//cac:Item/cbc:Name", NS):
        name.text = f"Tissu pour {ALIAS}"
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    book(books, validator, xml)
    for path in books.root.rglob("*.beancount"):
        assert ALIAS not in path.read_text() and "Secrète" not in path.read_text()
    log = subprocess.run(["git", "-C", str(books.root), "log", "--format=%B"], capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    assert ALIAS not in log
    assert ALIAS.encode() in next(books.root.rglob("documents/purchases/*/*.xml")).read_bytes()


# ---------------------------------------------------------------- invariants on every load


def test_hand_edited_duplicate_is_reported_on_load(hub: Hub, validator: Validator) -> None:
    books = hub.books
    [p] = book(books, validator, supplier_document(books.config, LINES, day=day(3, 3)))
    path = books.root / f"{YEAR}/purchases.beancount"
    text = path.read_text()
    entry = text[text.index(f"{YEAR}-03-03 *") : text.index("\n\n", text.index(f"{YEAR}-03-03 *"))]
    path.write_text(
        text
        + "\n"
        + entry.replace(p.link, "exp-9999-0001").replace(p.expense, "EXP-9999-0001")
        + "\n"
    )
    errors = [str(e.message) for e in books.load().errors]
    assert any("booked twice" in e for e in errors), errors


# ---------------------------------------------------------------- through the command line


def run(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ledger.cli", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=300)  # fmt: skip


def test_cli_import_and_list(
    hub: Hub, validator: Validator, tmp_path: Path, cli_env: dict
) -> None:
    xml = tmp_path / "in" / "f1.xml"
    xml.parent.mkdir()
    xml.write_bytes(supplier_document(hub.books.config, LINES, day=day(3, 3), number="F-1", seq=1))
    env = {**cli_env, "COOPLEDGER_KEY_FILE": str(tmp_path / "hub.key")}
    books = ["--books", str(hub.root)]
    both = run("purchase", "import", str(xml), "--hub", "--participant", hub.participant, *books,
               env=env, cwd=tmp_path)  # fmt: skip
    assert (
        both.returncode == 1 and both.stderr.count("\n") == 1 and "say one of them" in both.stderr
    )
    nobody = run("purchase", "import", str(xml), *books, env=env, cwd=tmp_path)
    assert (
        nobody.returncode == 1
        and "--participant CODE" in nobody.stderr
        and "Traceback" not in nobody.stderr
    )
    done = run("purchase", "import", str(xml), "--hub", "--json", *books, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    [summary] = json.loads(done.stdout)
    assert summary["amount"] == "170.20" and summary["expense"] == f"EXP-{YEAR}-0001"
    again = run("purchase", "import", str(xml), "--hub", *books, env=env, cwd=tmp_path)
    assert (
        again.returncode == 1
        and "booked already" in again.stderr
        and "Traceback" not in again.stderr
    )
    listed = run("purchase", "list", "--status", "open", "--json", "--as-of", f"{YEAR}-03-10",
                 *books, env=env, cwd=tmp_path)  # fmt: skip
    [row] = json.loads(listed.stdout)
    assert (
        row["status"] == "open"
        and row["outstanding"] == "170.20"
        and row["supplier"] == "Fournisseur Fictif SRL"
    )
    text = run("purchase", "list", "--as-of", f"{YEAR}-06-01", *books, env=env, cwd=tmp_path)
    assert "overdue" in text.stdout and "F-1" in text.stdout
    assert json.loads(run("purchase", "list", "--status", "paid", "--json", *books, env=env,
                          cwd=tmp_path).stdout) == []  # fmt: skip


def test_module_is_importable_from_repo() -> None:
    assert (REPO / "invoicing" / "purchases" / "booking.py").exists()


def test_a_text_guard_sees_the_free_text_and_can_refuse_the_document(
    hub: Hub, validator: Validator
) -> None:
    """The XML is archived as it came (it is the legal document, it cannot be cleaned): a
    roster guard sees its free text first and refuses a document naming a participant."""
    books = hub.books
    seen: list[tuple[str, str]] = []

    def guard(texts: list[tuple[str, str]]) -> None:
        seen.extend(texts)
        for text, where in texts:
            if ALIAS.lower() in text.lower():
                raise InputError(f"{where} holds a value of the participants' roster; refused")

    xml = supplier_document(books.config, LINES, day=day(3, 3))
    root = etree.fromstring(xml)
    for name in root.iterfind(".//cac:Item/cbc:Name", NS):
        name.text = f"Tissu pour {ALIAS}"
    named = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    message = refused(books, "the file: a line description holds a value of the participants'",
                      lambda: import_purchases(books, [Source("the file", named)], HUB,
                                               validator=validator, today=TODAY,
                                               check_text=guard))  # fmt: skip
    assert ALIAS not in message
    assert ("Fournisseur Fictif SRL", "the file: the supplier's name") in seen
    seen.clear()
    import_purchases(books, [Source("the file", xml)], HUB, validator=validator, today=TODAY,
                     check_text=guard)  # fmt: skip
    assert ("Fourniture fictive 1", "the file: a line description") in seen
