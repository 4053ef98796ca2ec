"""Invoice invariants (``plugins.rules.invoices``, run by ``plugins.invoices``)."""

from __future__ import annotations

import textwrap

import pytest
from beancount import loader

from plugins.rules.invoices import check_invoice_entries

HEADER = """
2026-01-01 open Assets:Clients EUR
2026-01-01 open Income:Ventes EUR
"""


def invoice(date: str, number: str, seq: int, ogm: str | None = None, series: str = "2026") -> str:
    from invoicing.ogm import make_ogm

    ogm = ogm or make_ogm(int(series) if series.isdigit() else 2026, seq)
    return f"""
{date} * "Invoice {number}" ^inv-{number}
  kind: "invoice"
  invoice: "{number}"
  series: "{series}"
  seq: {seq}
  ogm: "{ogm}"
  participant: "P-7K3Q9X"
  client: "C0001"
  Assets:Clients   10.00 EUR
  Income:Ventes   -10.00 EUR
"""


def credit(date: str, number: str, seq: int, original: str, link: bool = True) -> str:
    links = f"^cn-{number}" + (f" ^inv-{original}" if link else "")
    return f"""
{date} * "Credit note {number}" {links}
  kind: "credit-note"
  credit-note: "{number}"
  invoice: "{original}"
  series: "2026"
  seq: {seq}
  participant: "P-7K3Q9X"
  client: "C0001"
  Assets:Clients  -10.00 EUR
  Income:Ventes    10.00 EUR
"""


def messages(*parts: str) -> list[str]:
    entries, errors, _ = loader.load_string(textwrap.dedent(HEADER + "".join(parts)))
    assert not errors
    return [e.message for e in check_invoice_entries(entries)]


def test_valid_series_pass() -> None:
    assert (
        messages(
            invoice("2026-01-05", "2026-0001", 1),
            invoice("2026-01-05", "2026-0002", 2),
            invoice("2026-02-01", "2026-0003", 3),
            invoice("2027-01-02", "2027-0001", 1, series="2027"),
            credit("2026-02-02", "NC2026-0001", 1, "2026-0002"),
        )
        == []
    )


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ([invoice("2026-01-05", "2026-0001", 1), invoice("2026-01-06", "2026-0003", 3)],
         "gap: 2 is missing"),
        ([invoice("2026-01-05", "2026-0002", 2)], "gap: 1 is missing"),
        ([invoice("2026-01-05", "2026-0001", 1), invoice("2026-01-06", "2026-0001", 1)],
         "used twice"),
        ([invoice("2026-01-05", "2026-0001", 1), invoice("2026-01-06", "2026-0002", 1)],
         "repeated"),
        ([invoice("2026-01-05", "2026-0001", 1), invoice("2026-01-04", "2026-0002", 2)],
         "dates must follow numbers"),
        ([invoice("2026-01-05", "2026-0001", 1, ogm="202600000100")], "valid 12-digit"),
        ([invoice("2026-01-05", "2026-0001", 1),
          invoice("2026-01-05", "2026-0002", 2, ogm="202600000192")], "also used by"),
        ([invoice("2026-01-05", "2026-0001", 1).replace('  client: "C0001"\n', "")],
         "lacks metadata: client"),
        ([invoice("2026-01-05", "2026-0001", 1).replace("^inv-2026-0001", "")],
         "link ^inv-2026-0001 is missing"),
        ([credit("2026-01-05", "NC2026-0001", 1, "2026-0009")], "unknown invoice 2026-0009"),
        ([invoice("2026-01-05", "2026-0001", 1), credit("2026-01-04", "NC2026-0001", 1, "2026-0001")],
         "dated before invoice"),
        ([invoice("2026-01-05", "2026-0001", 1),
          credit("2026-01-06", "NC2026-0001", 1, "2026-0001", link=False)],
         "link ^inv-2026-0001 is missing"),
    ],
)  # fmt: skip
def test_violations_are_reported(parts: list[str], expected: str) -> None:
    found = messages(*parts)
    assert any(expected in m for m in found), found


def test_the_books_plugin_uses_these_checks() -> None:
    from plugins.invoices import check_invoices

    entries, _, options = loader.load_string(
        textwrap.dedent(HEADER + invoice("2026-01-05", "2026-0002", 2))
    )
    _, errors = check_invoices(entries, options)
    assert any("gap" in e.message for e in errors)


def _with_groups(text: str, groups: str, clients: str | None = None) -> str:
    """A document of the helpers above with its VAT breakdown (and its clients posting)."""
    text = text.replace('  client: "C0001"\n', f'  client: "C0001"\n  vat-groups: "{groups}"\n')
    if clients is not None:
        text = text.replace("Assets:Clients   10.00 EUR", f"Assets:Clients   {clients} EUR")
    return text


def test_qa22_d1_a_hand_edited_credit_note_over_crediting_a_rate_is_reported() -> None:
    """Per VAT rate a credit note credits between 0 and what is left, whatever its sign: a
    discount of 50.00 at 6 % credited as 75.00 is reported on the credit note's line."""
    inv = _with_groups(invoice("2026-01-05", "2026-0001", 1), "0:10.00:0.00")
    ok = _with_groups(credit("2026-01-06", "NC2026-0001", 1, "2026-0001"), "0:10.00:0.00")
    assert messages(inv, ok) == []
    discounted = _with_groups(invoice("2026-01-05", "2026-0001", 1),
                              "21:100.00:21.00 6:-50.00:-3.00")  # fmt: skip
    over = _with_groups(credit("2026-01-06", "NC2026-0001", 1, "2026-0001"),
                        "21:100.00:21.00 6:-75.00:-4.50")  # fmt: skip
    (said,) = messages(discounted, over)
    assert "NC2026-0001 credits -75.00 (VAT -4.50) at 6 %" in said and "(-50.00" in said, said
    other_rate = _with_groups(credit("2026-01-06", "NC2026-0001", 1, "2026-0001"),
                              "12:5.00:0.60")  # fmt: skip
    assert "at 12 %" in messages(discounted, other_rate)[0]
    bad = _with_groups(credit("2026-01-06", "NC2026-0001", 1, "2026-0001"), "21:abc")
    assert "vat-groups must be RATE:BASE:VAT" in messages(inv, bad)[0]


def test_qa22_d1_the_books_plugin_names_the_line_of_the_over_credit(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Loaded as the books load (role ``clients`` known): the breakdown must add up to the
    clients posting, and an over-credit of a rate is reported with its file and line."""
    header = '2026-01-01 open Assets:Clients EUR\n  role: "clients"\n2026-01-01 open Income:Ventes EUR\n'
    inv = _with_groups(invoice("2026-01-05", "2026-0001", 1), "0:10.00:0.00")
    edited = _with_groups(credit("2026-01-06", "NC2026-0001", 1, "2026-0001"), "0:12.00:0.00")
    path = tmp_path / "books.beancount"
    path.write_text(textwrap.dedent(header + inv + edited))
    entries, errors, _ = loader.load_file(str(path))
    assert not errors
    found = check_invoice_entries(entries)
    lines = path.read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("2026-01-06 *"))
    assert {(e.source["filename"], e.source["lineno"]) for e in found} == {(str(path), line)}
    assert any("come to 12.00 EUR" in e.message for e in found)
    assert any("credits 12.00 (VAT 0.00) at 0 %" in e.message for e in found)


def test_an_entry_is_compared_with_its_record_under_the_regime_it_was_issued_in() -> None:
    """A standard-regime invoice (VAT charged) stays what was issued after the hub's regime
    changes: the record's own VAT says what was owed, not today's ``hub.toml``."""
    import datetime as dt
    from decimal import Decimal

    from beancount.core import data
    from invoicing_support import make_config

    from invoicing.integrity import entry_differences
    from invoicing.postings import document_postings

    standard, franchise = make_config(regime="standard"), make_config(regime="franchise")
    net, vat = Decimal("100.00"), Decimal("21.00")
    postings = document_postings(standard, "invoice", "P-7K3Q9X", net, vat)
    meta = data.new_metadata("invoices.beancount", 3,
                             {"kind": "invoice", "invoice": "2026-0001", "client": "C0001",
                              "participant": "P-7K3Q9X"})  # fmt: skip
    entry = data.Transaction(meta, dt.date(2026, 3, 1), "*", None, "Facture", frozenset(),
                             frozenset({"inv-2026-0001"}), postings)  # fmt: skip
    record = {"kind": "invoice", "number": "2026-0001", "date": "2026-03-01",
              "client": {"id": "C0001"}, "participant": "P-7K3Q9X",
              "totals": {"net": "100.00", "vat": "21.00", "gross": "121.00",
                         "groups": [{"base": "100.00", "vat": "21.00"}]}}  # fmt: skip
    assert entry_differences(standard, entry, record) == []
    assert entry_differences(franchise, entry, record) == []
    changed = {**record, "totals": {**record["totals"], "vat": "0.00", "gross": "100.00",
                                    "groups": [{"base": "100.00", "vat": "0.00"}]}}  # fmt: skip
    assert entry_differences(franchise, entry, changed) != []
