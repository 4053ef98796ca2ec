"""Issuing through the books' write path: entries, files, numbering, statuses, and bad
input that changes nothing (books, numbering and files byte-identical)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal

import pytest
from beancount.core import data
from invoicing_support import (
    CLIENT_ENTERPRISE,
    REGIMES,
    TODAY,
    YEAR,
    Hub,
    day,
    make_config,
    sample_lines,
    snapshot,
)

from invoicing.clients import add_client, read_clients
from invoicing.issue import CreditRequest, IssueRequest, issue_credit_note, issue_invoice
from invoicing.lines import parse_line
from invoicing.models import LineInput
from invoicing.ogm import is_valid_ogm, make_ogm
from invoicing.status import invoice_statuses, select
from invoicing.validation import Validator
from ledger.books import Books, git
from ledger.errors import (
    BooksError,
    ConfigError,
    ConflictError,
    CoopledgerError,
    InputError,
    ParticipantError,
)

D = Decimal


def issue(hub: Hub, client: str | None = None, lines: list[str] | None = None, **kw: object):
    validator = kw.pop("validator", None)
    request = IssueRequest(
        participant=str(kw.pop("participant", hub.participant)),
        client=client or hub.business,
        lines=[parse_line(x) for x in (lines or ["Buffet|10|15|0"])],
        **kw,  # type: ignore[arg-type]
    )
    return issue_invoice(hub.books, request, today=TODAY, validator=validator)  # type: ignore[arg-type]


def transactions(books: Books) -> list[data.Transaction]:
    return [e for e in books.load().entries if isinstance(e, data.Transaction)]


@pytest.mark.parametrize("regime", REGIMES)
def test_issue_and_credit_in_every_regime(
    hub_factory: Callable[..., Hub], validator: Validator, no_leak: Callable, regime: str
) -> None:
    hub = hub_factory(regime)
    config = hub.books.config
    lines = sample_lines(config)
    first = issue_invoice(
        hub.books,
        IssueRequest(
            participant=hub.participant, client=hub.business, lines=lines, date=day(2, 1)
        ),
        today=TODAY,
        validator=validator,
    )
    second = issue_invoice(
        hub.books,
        IssueRequest(participant=hub.participant, client=hub.person, lines=lines, date=day(2, 2)),
        today=TODAY,
        validator=validator,
    )
    credit = issue_credit_note(
        hub.books,
        CreditRequest(invoice=first.document.number, date=day(2, 5), reason="Annulation"),
        today=TODAY,
        validator=validator,
    )
    partial = issue_credit_note(
        hub.books,
        CreditRequest(invoice=second.document.number, date=day(2, 6), lines=[lines[0]]),
        today=TODAY,
        validator=validator,
    )
    assert [first.document.number, second.document.number] == [f"{YEAR}-0001", f"{YEAR}-0002"]
    assert [credit.document.number, partial.document.number] == [
        f"NC{YEAR}-0001",
        f"NC{YEAR}-0002",
    ]
    assert first.document.ogm == make_ogm(YEAR, 1) and is_valid_ogm(first.document.ogm)
    # Files: PDF for all, UBL for the business client only; each UBL passes the 3 layers.
    assert first.path("ubl").is_file() and credit.path("ubl").is_file()
    assert second.paths.get("ubl") is None and partial.paths.get("ubl") is None
    for result in (first, second, credit, partial):
        pdf = result.path("pdf")
        assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
        no_leak(pdf.read_bytes())
        if result.paths.get("ubl"):
            report = validator.validate_file(result.path("ubl"))
            assert report.ok, [f.rule for f in report.fatal]
            no_leak(result.path("ubl").read_bytes())
            assert hub.participant.encode() not in result.path("ubl").read_bytes()
    # The books: no errors; entries as the accounting model says.
    ledger = hub.books.load()
    assert not ledger.errors, hub.books.error_lines(ledger)
    txns = {e.meta.get("invoice") if e.meta["kind"] == "invoice" else e.meta["credit-note"]: e
            for e in ledger.entries
            if isinstance(e, data.Transaction) and e.meta.get("kind") in ("invoice", "credit-note")}  # fmt: skip
    inv = txns[f"{YEAR}-0001"]
    assert inv.links == {f"inv-{YEAR}-0001"}
    assert inv.meta["ogm"] == first.document.ogm and inv.meta["participant"] == hub.participant
    assert inv.meta["client"] == hub.business and inv.meta["due"] == first.document.due
    by_account = {p.account: p.units.number for p in inv.postings}
    totals = first.document.totals
    assert by_account[config.account("clients")] == totals.gross
    assert by_account[config.account("participant_sales", hub.participant)] == -totals.net
    if regime == "standard":
        assert by_account[config.account("vat_payable")] == -totals.vat != 0
    else:
        assert config.account("vat_payable") not in by_account
    cn = txns[f"NC{YEAR}-0001"]
    assert cn.links == {f"cn-NC{YEAR}-0001", f"inv-{YEAR}-0001"}
    assert {p.account: p.units.number for p in cn.postings} == {
        a: -n for a, n in by_account.items()
    }
    docs = [e for e in ledger.entries if isinstance(e, data.Document)]
    assert {d.filename for d in docs} == {
        str(r.path(w)) for r in (first, second, credit, partial) for w in ("pdf", "ubl")
        if r.paths.get(w)
    }  # fmt: skip
    statuses = {s.number: s for s in invoice_statuses(ledger.entries, config, TODAY)}
    assert statuses[f"{YEAR}-0001"].status == "credited"
    assert statuses[f"{YEAR}-0002"].credited == partial.document.totals.gross
    # Alias never in the books' text files.
    for path in hub.root.rglob("*"):
        if path.is_file() and ".git" not in path.parts and path.suffix != ".age":
            no_leak(path.read_bytes())


def test_json_record_and_output(hub: Hub) -> None:
    result = issue(hub, date=day(3, 1))
    out = result.as_json()
    assert {"number", "ogm", "total", "pdf", "ubl"} <= set(out)
    assert out["number"] == f"{YEAR}-0001" and out["total"] == "150.00"
    assert len(out["ogm"]) == 12 and out["ogm"].isdigit()
    assert out["pdf"].endswith(f"documents/invoices/{YEAR}/{YEAR}-0001.pdf")
    record = json.loads(result.path("json").read_text())
    assert record["number"] == out["number"] and record["client"]["id"] == hub.business


def test_numbers_follow_dates_and_are_gapless(hub: Hub) -> None:
    issue(hub, date=day(3, 1))
    issue(hub, date=day(3, 1))
    with pytest.raises(InputError, match="before the last invoice of its series"):
        issue(hub, date=day(2, 28))
    issue(hub, date=day(3, 2))
    numbers = [
        e.meta["invoice"] for e in transactions(hub.books) if e.meta.get("kind") == "invoice"
    ]
    assert numbers == [f"{YEAR}-0001", f"{YEAR}-0002", f"{YEAR}-0003"]


def test_series_per_year(hub: Hub) -> None:
    issue(hub, date=day(12, 30))
    result = issue_invoice(
        hub.books,
        IssueRequest(participant=hub.participant, client=hub.business,
                     lines=[parse_line("x|1|1|0")], date=dt.date(YEAR + 1, 1, 2)),
        today=dt.date(YEAR + 1, 1, 2),
    )  # fmt: skip
    assert result.document.number == f"{YEAR + 1}-0001"
    assert result.document.ogm == make_ogm(YEAR + 1, 1)
    assert not hub.books.load().errors


def test_custom_series_format(hub_factory: Callable[..., Hub]) -> None:
    hub = hub_factory("exempt", series_format="F{year}/{seq:05d}")
    result = issue(hub, date=day(3, 1))
    assert result.document.number == f"F{YEAR}/00001"
    assert result.document.link == f"inv-F{YEAR}/00001"
    assert result.path("pdf").name == f"F{YEAR}-00001.pdf"
    assert not hub.books.load().errors
    bad = hub_factory("exempt", series_format="{year}-{month}-{seq}")
    with pytest.raises(ConfigError, match="series format"):
        issue(bad, date=day(3, 1))


def _bad_inputs(hub: Hub) -> dict[str, Callable[[], object]]:
    return {
        "unknown participant": lambda: issue(hub, participant="P-0000AA", date=day(3, 2)),
        "not a code": lambda: issue(hub, participant="Zorro", date=day(3, 2)),
        "closed participant": lambda: issue(hub, participant=hub.closed, date=day(3, 2)),
        "closed participant, dated before closing": lambda: issue(
            hub, participant=hub.closed, date=day(1, 2)
        ),
        "unknown client": lambda: issue(hub, client="C0999", date=day(3, 2)),
        "zero total": lambda: issue(hub, lines=["Rien|1|0|0"], date=day(3, 2)),
        "negative total": lambda: issue(hub, lines=["A|1|5|0", "B|-2|5|0"], date=day(3, 2)),
        "VAT on an exempt hub": lambda: issue(hub, lines=["A|1|5|21"], date=day(3, 2)),
        "malformed line": lambda: issue(hub, lines=["A|1|5"], date=day(3, 2)),
        "no line": lambda: issue_invoice(
            hub.books, IssueRequest(participant=hub.participant, client=hub.business), today=TODAY
        ),
        "date before the last invoice": lambda: issue(hub, date=day(2, 1)),
        "future date": lambda: issue(hub, date=TODAY + dt.timedelta(days=1)),
        "due before date": lambda: issue(hub, date=day(3, 2), due=day(3, 1)),
        "invalid client enterprise number": lambda: add_client(
            hub.books, {"name": "X SRL", "enterprise_number": "0202239952"}
        ),
        "duplicate client": lambda: add_client(
            hub.books, {"name": "Y SRL", "enterprise_number": CLIENT_ENTERPRISE}
        ),
        "credit of unknown invoice": lambda: issue_credit_note(
            hub.books, CreditRequest(invoice="2000-0001"), today=TODAY
        ),
        "credit over the invoice": lambda: issue_credit_note(
            hub.books,
            CreditRequest(
                invoice=f"{YEAR}-0001", lines=[parse_line("Buffet|11|15|0")], date=day(3, 3)
            ),
            today=TODAY,
        ),
        "credit before the invoice": lambda: issue_credit_note(
            hub.books, CreditRequest(invoice=f"{YEAR}-0001", date=day(1, 5)), today=TODAY
        ),
    }


def test_bad_input_changes_nothing(hub: Hub) -> None:
    issue(hub, date=day(3, 1))
    before = snapshot(hub.root)
    for name, attempt in _bad_inputs(hub).items():
        with pytest.raises(CoopledgerError) as info:
            attempt()
        message = str(info.value)
        assert message and "\n" not in message, name
        assert "Zorro Secret Alias" not in message
        assert before.unchanged(), name
    expected = {
        "unknown participant": ParticipantError,
        "closed participant": ParticipantError,
        "closed participant, dated before closing": ParticipantError,
        "unknown client": InputError,
    }
    for name, kind in expected.items():
        with pytest.raises(kind):
            _bad_inputs(hub)[name]()
    # Numbering continues where it was: nothing was used by the failures.
    assert issue(hub, date=day(3, 2)).document.number == f"{YEAR}-0002"


@pytest.mark.parametrize("rate", ["7", "20"])
def test_unknown_rate_in_standard_regime_changes_nothing(
    hub_factory: Callable[..., Hub], rate: str
) -> None:
    hub = hub_factory("standard")
    before = snapshot(hub.root)
    with pytest.raises(InputError, match=f"unknown VAT rate {rate} %"):
        issue(hub, lines=[f"A|1|5|{rate}"], date=day(3, 2))
    assert before.unchanged()


def test_failure_while_writing_leaves_nothing(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure after the number was computed (here: the UBL renderer) writes nothing."""
    before = snapshot(hub.root)

    def boom(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("renderer failed")

    monkeypatch.setattr("invoicing.ubl.render_ubl", boom)
    with pytest.raises(RuntimeError):
        issue(hub, date=day(3, 2))
    assert before.unchanged()
    monkeypatch.undo()
    assert issue(hub, date=day(3, 2)).document.number == f"{YEAR}-0001"


def test_write_rejected_by_the_books_changes_nothing(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry that breaks the invoice invariants is rolled back by the write path."""
    issue(hub, date=day(3, 1))
    before = snapshot(hub.root)
    from invoicing import numbering

    real = numbering.Numbering.next

    def duplicate(self: numbering.Numbering, *args: object) -> numbering.NextNumber:
        nxt = real(self, *args)  # type: ignore[arg-type]
        return numbering.NextNumber(nxt.kind, f"{YEAR}-0009", nxt.series, nxt.seq + 5)

    monkeypatch.setattr(numbering.Numbering, "next", duplicate)
    with pytest.raises(CoopledgerError, match="gapless"):
        issue(hub, date=day(3, 2))
    assert before.unchanged()


def test_hub_without_seat_cannot_issue(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger.layout import init_books

    config = make_config("exempt")
    config.hub.address = ""
    books, _ = init_books(tmp_path / "b", config, dt.date(YEAR, 1, 1))
    with pytest.raises(ConfigError, match=r"hub\.address"):
        issue_invoice(books, IssueRequest(participant="P-0000AA", client="C0001",
                                          lines=[parse_line("x|1|1|0")]), today=TODAY)  # fmt: skip


def test_status_from_payments(hub: Hub) -> None:
    """Payments are postings to the clients account carrying the invoice's link."""
    first = issue(hub, date=day(3, 1))
    issue(hub, date=day(3, 2))
    issue(hub, date=day(3, 3))
    config = hub.books.config
    with hub.books.transaction("test: payments") as tx:

        def pay(link: str, amount: str, when: dt.date) -> data.Transaction:
            meta = data.new_metadata("<test>", 0, {"kind": "bank"})
            return data.Transaction(meta, when, "*", None, "payment", frozenset(), frozenset({link}), [
                data.Posting(config.main_bank.account, data.Amount(D(amount), "EUR"), None, None, None, None),
                data.Posting(config.account("clients"), data.Amount(-D(amount), "EUR"), None, None, None, None),
            ])  # fmt: skip

        tx.add_entries([pay(first.document.link, "150.00", day(3, 10)),
                        pay(f"inv-{YEAR}-0002", "50.00", day(3, 11))], kind="bank")  # fmt: skip
    entries = hub.books.load().entries
    early = {s.number: s.status for s in invoice_statuses(entries, config, day(3, 20))}
    assert early == {f"{YEAR}-0001": "paid", f"{YEAR}-0002": "partly-paid", f"{YEAR}-0003": "open"}
    late = {s.number: s for s in invoice_statuses(entries, config, day(6, 1))}
    assert [late[n].status for n in sorted(late)] == ["paid", "overdue", "overdue"]
    assert late[f"{YEAR}-0002"].outstanding == D("100.00")
    assert [s.number for s in select(late.values(), "open")] == [f"{YEAR}-0002", f"{YEAR}-0003"]
    assert [s.number for s in select(late.values(), "paid")] == [f"{YEAR}-0001"]


def test_clients_round_trip(hub: Hub) -> None:
    weird = add_client(
        hub.books,
        {"name": 'Nom "étrange" \\ <b>SRL</b>', "vat_number": "FR40303265045", "country": "FR",
         "peppol_id": "9957:FR40303265045", "email": "a@example.com", "lang": "en"},
    )  # fmt: skip
    assert weird.id == "C0003"
    clients = read_clients(hub.books)
    assert clients["C0003"] == weird and list(clients) == ["C0001", "C0002", "C0003"]
    assert not hub.books.load().errors


def test_credit_whole_invoice_twice_is_refused(hub: Hub) -> None:
    issue(hub, date=day(3, 1))
    issue_credit_note(
        hub.books, CreditRequest(invoice=f"{YEAR}-0001", date=day(3, 2)), today=TODAY
    )
    with pytest.raises(InputError, match="is fully credited"):
        issue_credit_note(
            hub.books, CreditRequest(invoice=f"{YEAR}-0001", date=day(3, 3)), today=TODAY
        )
    with pytest.raises(InputError, match="exceeds what is left"):
        issue_credit_note(
            hub.books,
            CreditRequest(invoice=f"{YEAR}-0001", date=day(3, 3), lines=[
                LineInput(description="x", quantity=D(1), unit_price=D(1), vat_rate=D(0))]),
            today=TODAY,
        )  # fmt: skip


def test_missing_record_is_a_books_error(hub: Hub) -> None:
    result = issue(hub, date=day(3, 1))
    result.path("json").unlink()
    # Deleted by hand: a change no command made, refused as such (and named) ...
    with pytest.raises(ConflictError, match=r"-0001\.json \(deleted\)"):
        issue_credit_note(hub.books, CreditRequest(invoice=result.document.number), today=TODAY)
    # ... and once that deletion is committed, the credit note says the record is missing.
    git(hub.root, "commit", "-qam", "an issued record lost")
    with pytest.raises(BooksError, match="missing"):
        issue_credit_note(hub.books, CreditRequest(invoice=result.document.number), today=TODAY)


def test_partial_credits_never_give_back_more_vat_than_invoiced(
    hub_factory: Callable[..., Hub],
) -> None:
    """Three credits of 99.99 at 21 % on an invoice of 3 × 99.99 (VAT 62.99): each credit's
    VAT is 21.00 on its own, but the last one gives back only what is left (20.99), so the
    invoice ends at exactly zero and the VAT payable is not over-reversed."""
    hub = hub_factory("standard")
    issue(hub, lines=["Catering|3|99.99|21"], date=day(3, 1))
    number = f"{YEAR}-0001"
    vats = []
    for dom in (2, 3, 4):
        credit = issue_credit_note(
            hub.books,
            CreditRequest(invoice=number, date=day(3, dom),
                          lines=[parse_line("Catering|1|99.99|21")]),
            today=TODAY,
        )  # fmt: skip
        vats.append(credit.document.totals.vat)
    assert vats == [D("21.00"), D("21.00"), D("20.99")]
    [row] = [r for r in invoice_statuses(hub.books.load().entries, hub.books.config, TODAY)]
    assert row.status == "credited" and row.outstanding == 0
    with pytest.raises(InputError, match="exceeds what is left"):
        issue_credit_note(
            hub.books,
            CreditRequest(invoice=number, date=day(3, 5), lines=[parse_line("x|1|0.01|21")]),
            today=TODAY,
        )


def test_an_e_invoice_failing_peppol_is_refused_and_nothing_changes(
    hub: Hub, validator: Validator
) -> None:
    """A client whose Peppol scheme is not in the EAS code list: the UBL would fail BR-CL-25,
    so the invoice is refused before booking, with the rule in the message."""
    odd = add_client(hub.books, {"name": "Odd Scheme SARL", "country": "FR",
                                 "peppol_id": "9999:ABC123"})  # fmt: skip
    before = snapshot(hub.root)
    with pytest.raises(InputError, match=r"would fail Peppol validation .*\[BR-CL-25\]"):
        issue(hub, client=odd.id, date=day(3, 1), validator=validator)
    assert before.unchanged()
    assert issue(hub, date=day(3, 1), validator=validator).document.number == f"{YEAR}-0001"


def _refused(hub: Hub, request: CreditRequest, words: str) -> str:
    """A credit note refused in one line naming ``words``, the books byte-identical."""
    from tests_support import git_state, tree_digest

    before, history = tree_digest(hub.root), git_state(hub.root)
    with pytest.raises(InputError) as caught:
        issue_credit_note(hub.books, request, today=TODAY)
    message = str(caught.value)
    assert words in message and "\n" not in message, message
    assert tree_digest(hub.root) == before and git_state(hub.root) == history
    return message


def _credit(number: str, *lines: str, dom: int = 2) -> CreditRequest:
    return CreditRequest(invoice=number, date=day(3, dom), lines=[parse_line(x) for x in lines])


def _left(hub: Hub, number: str) -> Decimal:
    entries = hub.books.load().entries
    (row,) = [r for r in invoice_statuses(entries, hub.books.config, TODAY) if r.number == number]
    return row.outstanding


DISCOUNTED = ["A|1|100|21", "Remise|-1|50|6"]  # 50.00 + VAT 21.00 - 3.00 = 68.00


def test_qa22_d1_a_credit_never_credits_more_of_a_discount_than_was_invoiced(
    hub_factory: Callable[..., Hub],
) -> None:
    """Per VAT rate a credit lies between 0 and what is left, whatever its sign: crediting
    a discount of 75.00 at 6 % when 50.00 was invoiced (the invoice would then ask 26.50,
    with +25.00 of sales at 6 % never made) is refused, and so is a credit that adds to the
    invoice (a discount credited alone, or a positive base at the discount's rate)."""
    hub = hub_factory("standard")
    number = issue(hub, lines=DISCOUNTED, date=day(3, 1)).document.number
    said = _refused(hub, _credit(number, "A|1|100|21", "Remise|-1.5|50|6"), "at 6 %")
    assert "-75.00" in said and "(-50.00" in said, said
    _refused(hub, _credit(number, "A|1|10|21", "Remise|1|50|6"), "at 6 %")
    _refused(hub, _credit(number, "Remise|-1|50|6"), "excl. VAT is negative")
    _refused(hub, _credit(number, "A|0.45|100|21", "Remise|-1|50|6"), "excl. VAT is negative")
    assert _left(hub, number) == D("68.00")
    whole = issue_credit_note(hub.books, _credit(number, *DISCOUNTED), today=TODAY)
    assert (whole.document.totals.net, whole.document.totals.vat) == (D("50.00"), D("18.00"))
    assert _left(hub, number) == 0
    assert not hub.books.load().errors


def test_qa22_d2_the_rest_of_a_discounted_invoice_can_be_credited(
    hub_factory: Callable[..., Hub],
) -> None:
    """After a partial credit of an invoice with a discount, what is left is 0.00 excl. VAT
    and 7.50 of VAT: the lines of the rest (net 0) are a valid credit note, and so is a
    credit note with no lines (the rest, per rate); messages give the real reason."""
    hub = hub_factory("standard")
    first = issue(hub, lines=DISCOUNTED, date=day(3, 1)).document.number
    second = issue(hub, lines=DISCOUNTED, date=day(3, 1)).document.number
    for number in (first, second):
        issue_credit_note(hub.books, _credit(number, "A|0.5|100|21"), today=TODAY)
        assert _left(hub, number) == D("7.50")
        said = _refused(hub, _credit(number, "A|0.062|100|21", dom=3), "excl. VAT exceeds")
        assert "(0.00 EUR in the books)" in said, said
    # the rest given as lines: net 0.00, VAT 10.50 - 3.00
    rest = issue_credit_note(hub.books, _credit(first, "A|0.5|100|21", "Remise|-1|50|6", dom=3),
                             today=TODAY).document.totals  # fmt: skip
    assert (rest.net, rest.vat, rest.gross) == (D("0.00"), D("7.50"), D("7.50"))
    # the rest with no lines: the discount's own line and the rest at 21 %
    doc = issue_credit_note(hub.books, CreditRequest(invoice=second, date=day(3, 3)),
                            today=TODAY).document  # fmt: skip
    (discount, rest_line) = doc.lines  # in the document's language
    assert (discount.description, discount.net) == ("Remise", D("-50.00"))
    assert second in rest_line.description and "21 %" in rest_line.description
    assert (rest_line.net, rest_line.vat_rate) == (D("50.00"), D("21"))
    assert (doc.totals.net, doc.totals.vat) == (D("0.00"), D("7.50"))
    for number in (first, second):
        assert _left(hub, number) == 0
        _refused(hub, CreditRequest(invoice=number, date=day(3, 4)), "is fully credited")
    assert not hub.books.load().errors
    # an invoice whose net is zero: the message names the net, not the total incl. VAT
    with pytest.raises(InputError, match=r"total excl\. VAT must be positive \(got 0\.00 EUR\)"):
        issue(hub, lines=["A|1|50|21", "Remise|-1|50|6"], date=day(3, 5))
