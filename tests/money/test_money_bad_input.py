"""Bad input: each a clear one-line error, and the books byte-identical afterwards.

A payout above the balance, to a closed participant, with a bad IBAN; a receipt that is not
a readable PDF/image; assigning a bank line already settled; a contribution rate outside
0–100 %; and a few neighbours (a cost beyond the balance, an unknown target, a grant
overspent).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from money_builders import (
    CLIENT_IBANS,
    CODES,
    PAYEE_IBAN,
    TODAY,
    add_client,
    bank_entry,
    fill_cash,
    import_bank,
)
from money_builders import issue as issue_invoice

from ledger.books import Books
from ledger.errors import CoopledgerError, InputError, ParticipantError
from ledger.money.contributions import set_rate
from ledger.money.expenses import ExpenseRequest, book_expense, receipt_type
from ledger.money.grants import add_grant, charge_grant
from ledger.money.payouts import book_payout, receipt_pdf
from ledger.money.reconcile.booking import run_assign, run_auto
from ledger.participants import close_participant

D = dt.date


def digest(root: Path) -> dict[str, str]:
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith((".git/", ".coopledger/")):
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    out[".git HEAD"] = head
    return out


def refused(books: Books, call: Callable[[], object], error: type[CoopledgerError],
            words: str) -> str:  # fmt: skip
    before = digest(books.root)
    with pytest.raises(error) as caught:
        call()
    message = caught.value.message
    assert "\n" not in message
    assert words.lower() in message.lower(), message
    assert digest(books.root) == before
    return message


@pytest.fixture
def paid(books: Books) -> Books:
    """P1 holds 180.00 (an invoice of 200.00 paid, 10 % contribution)."""
    client = add_client(books)
    inv = issue_invoice(books, CODES[0], client, "200.00", D(2026, 3, 3))
    import_bank(
        books,
        bank_entry(
            books.config,
            "B1",
            D(2026, 3, 20),
            "200.00",
            invoice=inv.number,
            ogm=inv.ogm,
            iban=CLIENT_IBANS[0],
        ),
    )
    run_auto(books)
    return books


def test_payout_above_the_balance(paid: Books) -> None:
    refused(paid, lambda: book_payout(paid, CODES[0], "180.01", "cash", None, D(2026, 3, 31)),
            ParticipantError, "more than the 180.00 EUR held")  # fmt: skip


def test_payout_before_the_money_arrived(paid: Books) -> None:
    refused(paid, lambda: book_payout(paid, CODES[0], "10.00", "cash", None, D(2026, 3, 19)),
            ParticipantError, "more than the 0.00 EUR held")  # fmt: skip


def test_payout_to_a_closed_participant(books: Books) -> None:
    close_participant(books, CODES[2], D(2026, 2, 1))
    refused(books, lambda: book_payout(books, CODES[2], "1.00", "cash", None, D(2026, 3, 1)),
            ParticipantError, "closed")  # fmt: skip


def test_a_closed_participant_receives_nothing_dated_before_her_close(books: Books) -> None:
    """QA of stop 22: a cash sale dated before the close, booked after it, left money with
    a closed participant; whatever its date, nothing reaches her once she is closed."""
    close_participant(books, CODES[2], D(2026, 2, 1))
    from ledger.money.cash import book_sale

    for day in (D(2026, 1, 20), D(2026, 2, 1)):
        refused(books, lambda day=day: book_sale(books, CODES[2], "20.00", None, day=day,
                                                 today=TODAY), ParticipantError, "closed")  # fmt: skip
    refused(books, lambda: book_payout(books, CODES[2], "1.00", "cash", None, D(2026, 1, 20)),
            ParticipantError, "closed")  # fmt: skip


def test_no_close_while_a_payout_waits_for_the_bank(paid: Books) -> None:
    """QA of stop 22: closed with a bank payout in transit, a returned payout had nowhere
    to go back to; the close waits for the debit."""
    book_payout(paid, CODES[0], "180.00", "bank", PAYEE_IBAN, D(2026, 3, 31), today=TODAY)
    message = refused(paid, lambda: close_participant(paid, CODES[0], D(2026, 4, 1), TODAY),
                      ParticipantError, "not debited by the bank yet")  # fmt: skip
    assert "PO-2026-0001" in message and PAYEE_IBAN[-4:] not in message


@pytest.mark.parametrize("iban", ["BE00 0000 0000 0000", "BE6853900754703", "not an iban", ""])
def test_payout_with_a_bad_iban(paid: Books, iban: str) -> None:
    message = refused(paid, lambda: book_payout(paid, CODES[0], "10.00", "bank", iban or None,
                                                D(2026, 3, 31)), InputError, "iban")  # fmt: skip
    digits = "".join(c for c in iban if c.isdigit())
    assert not digits or digits not in message  # the number is not echoed back


def test_payout_to_the_hubs_own_account(paid: Books) -> None:
    refused(paid, lambda: book_payout(paid, CODES[0], "10.00", "bank", "BE68539007547034"),
            InputError, "hub's own")  # fmt: skip


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        (b"", "empty"),
        (b"hello, I am a text file", "not a PDF, PNG or JPEG"),
        (b"%PDF-1.4\n garbage garbage", "not a readable PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", "not a readable PNG"),
        (b"\xff\xd8\xff\xe0 truncated", "not a readable JPEG"),
        (b"GIF89a......", "not a PDF, PNG or JPEG"),
    ],
)
def test_receipt_not_a_readable_pdf_or_image(
    paid: Books, tmp_path: Path, payload: bytes, words: str
) -> None:
    path = tmp_path / "receipt.pdf"  # the name says PDF; the content decides
    path.write_bytes(payload)
    req = ExpenseRequest(amount=Decimal("5.00"), description="x", participant=CODES[0],
                         paid_from="cash", day=D(2026, 3, 25))  # fmt: skip
    refused(paid, lambda: book_expense(paid, req, path), InputError, words)


def _damaged_images() -> list[tuple[bytes, str]]:
    """A PNG and a JPEG whose header and trailer are right but whose pixels are not."""
    import io

    from PIL import Image

    from ledger.demo.money import tiny_png

    png = tiny_png()
    idat = png.index(b"IDAT")
    bad_png = png[: idat + 4] + b"\x00" * (png.index(b"IEND") - 8 - idat - 4) + png[-12:]
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), "white").save(buf, "JPEG")
    jpeg = buf.getvalue()
    bad_jpeg = jpeg[:160] + b"\x00" * (len(jpeg) - 162) + jpeg[-2:]
    return [(bad_png, "not a readable PNG"), (bad_jpeg, "not a readable JPEG")]


@pytest.mark.parametrize(("payload", "words"), _damaged_images(), ids=["png", "jpeg"])
def test_receipt_with_damaged_pixels(
    paid: Books, tmp_path: Path, payload: bytes, words: str
) -> None:
    path = tmp_path / "photo.png"
    path.write_bytes(payload)
    req = ExpenseRequest(amount=Decimal("5.00"), description="x", participant=CODES[0],
                         paid_from="cash", day=D(2026, 3, 25))  # fmt: skip
    refused(paid, lambda: book_expense(paid, req, path), InputError, words)


def test_receipt_types_by_content() -> None:
    pdf = receipt_pdf("Fournisseur", "T", "-", Decimal(1), D(2026, 1, 1))
    assert receipt_type(pdf) == "pdf"
    from ledger.demo.money import tiny_png

    assert receipt_type(tiny_png()) == "png"
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (32, 32), "white").save(buf, "JPEG")
    assert receipt_type(buf.getvalue()) == "jpg"


def test_cost_beyond_the_balance(paid: Books) -> None:
    req = ExpenseRequest(amount=Decimal("180.01"), description="matériel",
                         participant=CODES[0], paid_from="bank", day=D(2026, 3, 25))  # fmt: skip
    refused(paid, lambda: book_expense(paid, req), ParticipantError, "below zero")


def test_assigning_a_bank_line_already_settled(paid: Books) -> None:
    import_bank(paid, bank_entry(paid.config, "B2", D(2026, 3, 26), "-7.50"))
    run_assign(paid, "B2", "bank_fees")
    refused(paid, lambda: run_assign(paid, "B2", "bank_fees"), InputError, "already settled")


def test_assigning_an_unknown_line_or_target(paid: Books) -> None:
    import_bank(paid, bank_entry(paid.config, "B3", D(2026, 3, 26), "45.00"))
    refused(paid, lambda: run_assign(paid, "NOPE", "gifts"), InputError, "no bank line")
    refused(paid, lambda: run_assign(paid, "B3", "nowhere"), InputError, "unknown target")
    refused(paid, lambda: run_assign(paid, "B3", "Liabilities:Participants:P-7K3Q9X"),
            InputError, "cannot be assigned")  # fmt: skip
    refused(paid, lambda: run_assign(paid, "B3", "2026-0099"), InputError, "unknown target")


@pytest.mark.parametrize("rate", ["-1", "100.01", "abc", "150%", "nan"])
def test_contribution_rate_outside_0_100(paid: Books, rate: str) -> None:
    refused(paid, lambda: set_rate(paid, rate, D(2026, 9, 1)), InputError, "rate")


def test_rate_change_before_booked_contributions(paid: Books) -> None:
    refused(paid, lambda: set_rate(paid, "12", D(2026, 3, 1)), InputError, "booked up to")


def test_restricted_grant_overspent(books: Books) -> None:
    fill_cash(books, "500.00", D(2026, 1, 20))
    add_grant(books, "fondation-test", "100.00", D(2026, 2, 1), restricted=True)
    exp = book_expense(books, ExpenseRequest(amount=Decimal("150.00"), description="salle",
                                             paid_from="cash", day=D(2026, 2, 5)))  # fmt: skip
    refused(books, lambda: charge_grant(books, "fondation-test-2026", exp["expense"]),
            InputError, "restricted")  # fmt: skip


def test_restricted_grant_overspent_by_a_new_cost(books: Books) -> None:
    fill_cash(books, "500.00", D(2026, 1, 20))
    add_grant(books, "fondation-test", "100.00", D(2026, 2, 1), restricted=True)
    book_expense(books, ExpenseRequest(amount=Decimal("60.00"), description="salle",
                                       paid_from="cash", grant="fondation-test-2026",
                                       day=D(2026, 2, 5)))  # fmt: skip
    req = ExpenseRequest(amount=Decimal("40.01"), description="outils", paid_from="cash",
                         grant="fondation-test-2026", day=D(2026, 2, 6))  # fmt: skip
    refused(books, lambda: book_expense(books, req), InputError, "40.00 EUR left")
    book_expense(books, ExpenseRequest(**{**req.__dict__, "amount": Decimal("40.00")}))
    from ledger.money.grants import report

    assert report(books.load().entries, books.config, "fondation-test-2026").remaining == 0


def test_payout_export_needs_matching_iban(paid: Books, tmp_path: Path) -> None:
    from ledger.money.payouts import export_pain001

    book_payout(paid, CODES[0], "50.00", "bank", PAYEE_IBAN, D(2026, 3, 31))
    with pytest.raises(InputError, match="does not end in"):
        export_pain001(paid, tmp_path / "x.xml", {"PO-2026-0001": CLIENT_IBANS[0]})
    with pytest.raises(InputError, match="outside the books"):
        export_pain001(paid, paid.root / "x.xml", {"PO-2026-0001": PAYEE_IBAN})
    assert not (tmp_path / "x.xml").exists()


@pytest.mark.parametrize("target", ["clients", "Assets:Compte-d-attente", "suppliers",
                                    "Assets:Banque:Courant", "return:2026-0001"])  # fmt: skip
def test_assigning_to_an_account_settled_by_links(paid: Books, target: str) -> None:
    import_bank(paid, bank_entry(paid.config, "B4", D(2026, 3, 27), "45.00"))
    words = "coming in" if target.startswith("return:") else "cannot be assigned"
    refused(paid, lambda: run_assign(paid, "B4", target), InputError, words)


def test_walking_the_queue_shows_each_line_as_the_books_stand_now(
    books: Books, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two identical payments of one invoice: once the first settles it, the second is no
    longer offered as 'amount equals what is due'."""
    import io

    from ledger.cli.reconcile import walk_queue

    client = add_client(books)
    inv = issue_invoice(books, CODES[0], client, "75.00", D(2026, 3, 3))
    import_bank(books, bank_entry(books.config, "W1", D(2026, 3, 20), "75.00"),
                bank_entry(books.config, "W2", D(2026, 3, 21), "75.00"))  # fmt: skip
    assert walk_queue(books, io.StringIO(f"{inv.number}\ns\n")) == 1
    out = capsys.readouterr().out
    first, second = out.split("[2/2]")
    assert "amount equals what is due" in first
    assert "amount equals what is due" not in second
