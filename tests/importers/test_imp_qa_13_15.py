"""Regression tests of the QA report on issues 13 and 15 (``qa-13-15``), bank side: each
named after its defect (``test_qa_13_15_<n>_…``), through ``coopledger`` as a treasurer
runs it. The Peppol side is in ``tests/invoicing/test_inv_qa_13_15.py``.

Every name, phone number and account here is fictional (valid check digits only).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from bank_support import IBAN, SAMPLES, coda, move, statement

from importers.model import Statement
from importers.service import asserted_balance, assertion_day
from importers.text import iban_in_text
from ledger.dates import today as calendar_today

# The participant whose values the bank writes where its references go.
ROSTER = (
    'alias = "Zora"\nname = "Zorabella Fictivia"\nphone = "+32 470 99 88 77"\n'
    'payee_iban = "BE26068888888829"\npayee_name = "Zorabella Fictivia"\n'
)
NEEDLES = ("zorabella", "fictivia", "0470998877", "470 99 88 77", "32470998877",
           "26068888888829", "be26 0688")  # fmt: skip
TODAY = calendar_today()


def write(tmp_path: Path, name: str, payload: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(payload.encode() if isinstance(payload, str) else payload)
    return path


def mt940(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def one_line(proc: subprocess.CompletedProcess[str], path: Path | str, check: str) -> str:
    """The command failed with one line naming ``path`` and ``check``, no traceback."""
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0].startswith(f"coopledger: error: {path}") and f": {check}: " in lines[0], lines
    return lines[0]


def books_text(root: Path) -> str:
    """Everything of the books a reader without the key sees: the files and git history."""
    files = [
        p.read_text(encoding="utf-8", errors="replace")
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.parts and not p.name.endswith(".age")
    ]
    log = subprocess.run(["git", "-C", str(root), "log", "-p", "--all"], capture_output=True,
                         check=True).stdout.decode("utf-8", errors="replace")  # fmt: skip
    return "\n".join([*files, log])


def leaks(text: str) -> list[str]:
    low = text.lower()
    return [n for n in NEEDLES if n in low]


@pytest.fixture
def roster_books(cli, books_dir: Path) -> Path:  # type: ignore[no-untyped-def]
    """The test hub's books with one participant in the roster (the key is at hand)."""
    cli("participant", "add", "--books", str(books_dir), "--from-file", "-", "--activity",
        "catering", "--date", "2026-01-05", input=ROSTER)  # fmt: skip
    return books_dir


def copy_of(books: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(books, target, symlinks=True)
    return target


# ---------------------------------------------------------------- 1: references


CAMT_PERSONAL = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.14"><BkToCstmrStmt>
<GrpHdr><MsgId>MSG-14</MsgId><CreDtTm>2026-11-09T06:00:00</CreDtTm></GrpHdr>
<Stmt><Id>STMT-14</Id><ElctrncSeqNb>Zorabella Fictivia +32 470 99 88 77</ElctrncSeqNb>
<Acct><Id><IBAN>BE68539007547034</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">500.00</Amt>
<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-04</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">512.10</Amt>
<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-06</Dt></Dt></Bal>
<Ntry><NtryRef>1</NtryRef><Amt Ccy="EUR">12.10</Amt><CdtDbtInd>CRDT</CdtDbtInd>
<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-11-06</Dt></BookgDt>
<AcctSvcrRef>Zorabella Fictivia</AcctSvcrRef>
<NtryDtls><TxDtls><RmtInf><Ustrd>Don</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>
"""
PERSONAL_REFERENCES = {
    "name.sta": mt940(":20:S1", f":25:{IBAN}", ":28C:ZORABELLA", ":60F:C261101EUR100,00",
                      ":61:2611021102CR12,10NTRFNONREF//ZORABELLA", ":86:Don",
                      ":62F:C261102EUR112,10"),
    "phone.sta": mt940(":20:S1", f":25:{IBAN}", ":28C:5/1", ":60F:C261101EUR100,00",
                       ":61:2611021102CR12,10NTRF+32470998877//0470998877", ":86:Don",
                       ":62F:C261102EUR112,10"),
    "iban.sta": mt940(":20:S1", f":25:{IBAN}", ":28C:5/1", ":60F:C261101EUR100,00",
                      ":61:2611021102DR30,00NTRFNONREF//BE26068888888829", ":86:Loyer",
                      ":62F:C261102EUR70,00"),
    "name.csv": "Volgnummer;Uitvoeringsdatum;Valutadatum;Bedrag;Valuta rekening;Details;"
                f"Rekeningnummer\nZorabella Fictivia;02/11/2026;02/11/2026;12,10;EUR;Don;{IBAN}\n",
    "name.xml": CAMT_PERSONAL,
}  # fmt: skip


def test_qa_13_15_1_bank_references_never_carry_a_roster_value(
    cli, roster_books: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A bank writes a participant's name, phone or IBAN where its reference or statement
    number goes: the books keep a stable stand-in instead (never the value), a statement
    read again still deduplicates, and ``bank-line show`` gives the original to the key
    holder only."""
    for name, payload in PERSONAL_REFERENCES.items():
        books = copy_of(roster_books, tmp_path, f"books-{name}")
        path = write(tmp_path, name, payload)
        out = cli("import", "--books", str(books), str(path))
        assert cli("check", "--books", str(books)).returncode == 0
        assert not leaks(out.stdout + out.stderr + books_text(books)), name
        bank = (books / "2026" / "bank.beancount").read_text()
        [ref] = [line.split('"')[1] for line in bank.splitlines() if "bank-ref:" in line]
        assert ref.startswith("r-"), (name, ref)
        # the same statement, downloaded again (not the same bytes): nothing added twice
        again = cli("import", "--books", str(books), str(write(tmp_path, f"again-{name}",
                    payload + "\n")), "--json")  # fmt: skip
        assert '"already_present": 1' in again.stdout and '"movements": 0' in again.stdout
        assert not leaks(again.stdout + again.stderr + books_text(books)), name
        # the key holder sees what the bank wrote (decrypted in memory)
        shown = cli("bank-line", "show", ref, "--books", str(books)).stdout
        assert leaks(shown) or "0470998877" in shown or "BE26068888888829" in shown, shown
    statements = (tmp_path / "books-name.sta" / "2026" / "bank.beancount").read_text()
    assert 'statement: "s-' in statements  # the :28C: that was a name


def test_qa_13_15_1_references_that_are_codes_are_kept(cli, roster_books: Path, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "codes.sta", mt940(
        ":20:S1", f":25:{IBAN}", ":28C:00107/001", ":60F:C261101EUR100,00",
        ":61:2611021102CR12,10NTRFNONREF//0724710351063405", ":86:Don",
        ":62F:C261102EUR112,10",
    ))  # fmt: skip
    cli("import", "--books", str(roster_books), str(path))
    bank = (roster_books / "2026" / "bank.beancount").read_text()
    assert 'bank-ref: "20261102-0724710351063405"' in bank and 'statement: "00107"' in bank


# ---------------------------------------------------------------- 4: the dates policy


def test_qa_13_15_4_nothing_the_bank_dates_after_today_is_booked(
    cli, books_dir: Path, tmp_path: Path, snapshot_books
) -> None:  # type: ignore[no-untyped-def]
    soon = TODAY + dt.timedelta(days=3)
    far = TODAY + dt.timedelta(days=40)
    past = TODAY - dt.timedelta(days=2)
    cases = {
        "movement.sta": (mt940(
            ":20:S1", f":25:{IBAN}", ":28C:5/1", f":60F:C{past:%y%m%d}EUR100,00",
            f":61:{soon:%y%m%d%m%d}C12,10NTRFNONREF//X1", f":62F:C{soon:%y%m%d}EUR112,10",
        ), 5, ":61: entry date"),
        "closing.sta": (mt940(
            ":20:S1", f":25:{IBAN}", ":28C:5/1", f":60F:C{past:%y%m%d}EUR100,00",
            f":61:{past:%y%m%d%m%d}C12,10NTRFNONREF//X1", f":62F:C{far:%y%m%d}EUR112,10",
        ), 6, ":62F: closing balance"),
        "movement.cod": (coda(statement(1, "100.00", [move(soon, "12.10", "Don")],
                                        opening_date=past)), 3, "record 2.1"),
    }  # fmt: skip
    snapshot_books.take(books_dir)
    for name, (payload, line, what) in cases.items():
        path = write(tmp_path, name, payload)
        error = one_line(cli("import", "--books", str(books_dir), str(path), check=False),
                         f"{path}:{line}", "date")  # fmt: skip
        assert what in error and "is in the future" in error, error
    snapshot_books.assert_unchanged()
    assert not (books_dir / str(TODAY.year + 1)).exists()


# ---------------------------------------------------------------- 9: several accounts


def test_qa_13_15_9_a_file_of_several_accounts_is_not_booked_on_the_one_account_named(
    cli, books_dir: Path, tmp_path: Path, snapshot_books
) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "two.sta", mt940(
        ":20:S1", ":25:11111111", ":28C:5/1", ":60F:C261101EUR100,00",
        ":61:2611021102CR12,10NTRFNONREF//X1", ":62F:C261102EUR112,10", "-",
        ":20:S2", ":25:22222222", ":28C:9/1", ":60F:C261102EUR112,10",
        ":61:2611031103CR1,00NTRFNONREF//X2", ":62F:C261103EUR113,10", "-",
    ))  # fmt: skip
    snapshot_books.take(books_dir)
    proc = cli("import", "--books", str(books_dir), "--account", IBAN, str(path), check=False)
    assert "the file holds statements of 2 accounts" in one_line(proc, f"{path}:8", "account")
    real = SAMPLES / "mt940" / "wolph-mt940__betterplace_sepa_mt9401.sta"
    if real.exists():  # a real file of many accounts: the true reason, not a balance
        proc = cli("import", "--books", str(books_dir), "--account", IBAN, str(real), check=False)
        assert "accounts, and --account names one" in one_line(proc, real, "account")
    snapshot_books.assert_unchanged()


# ---------------------------------------------------------------- 10: bounded reads


def test_qa_13_15_10_a_pipe_a_device_or_a_huge_file_is_refused_before_it_is_read(
    cli, books_dir: Path, tmp_path: Path, snapshot_books
) -> None:  # type: ignore[no-untyped-def]
    fifo = tmp_path / "statement.sta"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.sta"
    with huge.open("wb") as handle:  # sparse: 51 MB that take no room
        handle.truncate(51 * 1024 * 1024)
    snapshot_books.take(books_dir)
    for path, check, why in ((fifo, "file", "not a regular file"), ("/dev/zero", "file",
                             "not a regular file"), (huge, "size", "larger than 50 MB")):  # fmt: skip
        proc = cli("import", "--books", str(books_dir), str(path), check=False)
        assert why in one_line(proc, path, check)
    snapshot_books.assert_unchanged()


# ---------------------------------------------------------------- 11: IBAN in a text


def test_qa_13_15_11_an_iban_written_after_a_word_is_found(
    cli, books_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    for text in ("OVERSCHRIJVING NAAR BE48 0011 2345 6727 X", "VIREMENT DE BE48001123456727",
                 "VIREMENT VERS: BE48 0011 2345 6727 FOURNISSEUR"):  # fmt: skip
        assert iban_in_text(text) == "BE48001123456727", text
    assert iban_in_text("XBE48001123456727") is None  # inside a word: not an IBAN
    path = write(tmp_path, "iban.sta", mt940(
        ":20:S1", f":25:{IBAN}", ":28C:5/1", ":60F:C261101EUR100,00",
        ":61:2611021102D30,00NTRFNONREF//X1", ":86:VIREMENT VERS BE48 0011 2345 6727 FOURNISSEUR",
        ":62F:C261102EUR70,00",
    ))  # fmt: skip
    cli("import", "--books", str(books_dir), str(path))
    assert 'counterparty-iban-last4: "6727"' in (books_dir / "2026" / "bank.beancount").read_text()


# ---------------------------------------------------------------- 15: same-day statements


def _day_statement(number: str, day: dt.date, opening: str, amount: str, closing: str,
                   ref: str, tags: tuple[str, str] = ("60F", "62F")) -> str:  # fmt: skip
    return mt940(":20:S", f":25:{IBAN}", f":28C:{number}", f":{tags[0]}:C{day:%y%m%d}EUR{opening}",
                 f":61:{day:%y%m%d%m%d}C{amount}NTRFNONREF//{ref}",
                 f":{tags[1]}:C{day:%y%m%d}EUR{closing}")  # fmt: skip


def test_qa_13_15_15_a_statement_of_a_day_already_asserted_says_why_and_where(
    cli, books_dir: Path, tmp_path: Path, snapshot_books
) -> None:  # type: ignore[no-untyped-def]
    day = dt.date(2026, 11, 2)
    first = write(tmp_path, "107.sta", _day_statement("00107", day, "100,00", "17,10", "117,10",
                                                      "1"))  # fmt: skip
    second = write(tmp_path, "108.sta", _day_statement("00108", day, "117,10", "3,00", "120,10",
                                                       "2"))  # fmt: skip
    cli("import", "--books", str(books_dir), str(first))
    snapshot_books.take(books_dir)
    error = one_line(cli("import", "--books", str(books_dir), str(second), check=False),
                     f"{second}:1", "balance")  # fmt: skip
    assert "statement 00108 adds movements on 2026-11-02 after a statement of the same" in error
    assert "its opening balance is 117.10" in error and "older" not in error
    snapshot_books.assert_unchanged()
    # an older statement says so, naming its file and line
    older = write(tmp_path, "106.sta", _day_statement("00106", dt.date(2026, 10, 30), "90,00",
                                                      "10,00", "100,00", "0"))  # fmt: skip
    error = one_line(cli("import", "--books", str(books_dir), str(older), check=False),
                     f"{older}:1", "balance")  # fmt: skip
    assert "statement 00106" in error
    snapshot_books.assert_unchanged()


def test_qa_13_15_15_statements_that_continue_the_same_day_are_accepted(
    cli, books_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """An intermediate page (:62M:), or a statement of today, does not end its day: the
    next page or statement of that day, imported later, is booked."""
    day = dt.date(2026, 11, 2)
    page1 = write(tmp_path, "p1.sta", _day_statement("00107/001", day, "100,00", "17,10",
                                                     "117,10", "1", ("60F", "62M")))  # fmt: skip
    page2 = write(tmp_path, "p2.sta", _day_statement("00107/002", day, "117,10", "3,00",
                                                     "120,10", "2", ("60M", "62F")))  # fmt: skip
    cli("import", "--books", str(books_dir), str(page1))
    cli("import", "--books", str(books_dir), str(page2))
    morning = write(tmp_path, "t1.sta", _day_statement("00201", TODAY, "120,10", "5,00",
                                                       "125,10", "3"))  # fmt: skip
    evening = write(tmp_path, "t2.sta", _day_statement("00202", TODAY, "125,10", "2,00",
                                                       "127,10", "4"))  # fmt: skip
    cli("import", "--books", str(books_dir), str(morning))
    out = cli("import", "--books", str(books_dir), str(evening), "--json").stdout
    assert '"movements": 1' in out
    assert cli("check", "--books", str(books_dir)).returncode == 0
    bank = (books_dir / "2026" / "bank.beancount").read_text()
    # the intermediate page's balance holds at the start of its day, the final one after it
    assert re.search(r"2026-11-02 balance Assets:Banque:Courant +100.00 EUR", bank)
    assert re.search(r"2026-11-03 balance Assets:Banque:Courant +120.10 EUR", bank)


def test_qa_13_15_15_an_empty_statement_of_today_asserts_nothing() -> None:
    """Today is still open: an empty statement of today leaves the balance to the next
    statement of the day; an empty statement of an earlier day asserts the day after it."""
    today = dt.date(2026, 11, 2)
    empty = Statement(format="mt940", account=IBAN, currency="EUR", opening_balance=Decimal(5),
                      opening_date=today, closing_balance=Decimal(5), closing_date=today)  # fmt: skip
    assert assertion_day(empty, today) is None and asserted_balance(empty, today) is None
    yesterday = empty.model_copy(update={"opening_date": today - dt.timedelta(days=1)})
    assert assertion_day(yesterday, today) == today
    assert asserted_balance(yesterday, today) == Decimal(5)


# ---------------------------------------------------------------- 16: dates and amounts


CAMT_DATES = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.09"><BkToCstmrStmt>
<GrpHdr><MsgId>M</MsgId></GrpHdr><Stmt><Id>S-1</Id><LglSeqNb>1</LglSeqNb>
<Acct><Id><IBAN>BE68539007547034</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">100.00</Amt>
<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{opening}</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">148.40</Amt>
<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{closing}</Dt></Dt></Bal>
<Ntry><Amt Ccy="EUR">48.40</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><Dt>2026-11-06</Dt></BookgDt><AcctSvcrRef>ASR-1</AcctSvcrRef><NtryDtls>
<TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">{detail}</Amt></TxAmt></AmtDtls></TxDtls>
<TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">0.00</Amt></TxAmt></AmtDtls></TxDtls>
</NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>
"""


def test_qa_13_15_16_dates_and_detail_amounts_are_checked(
    cli, books_dir: Path, tmp_path: Path, snapshot_books
) -> None:  # type: ignore[no-untyped-def]
    good = {"opening": "2026-11-05", "closing": "2026-11-06", "detail": "48.40"}
    cases = {
        "after.sta": (mt940(":20:S1", f":25:{IBAN}", ":28C:5/1", ":60F:C261101EUR100,00",
                            ":61:2611051105C12,10NTRFNONREF//X1", ":62F:C261102EUR112,10"),
                      5, "date", "after the date of the closing balance (:62F: of line 6"),
        "before.sta": (mt940(":20:S1", f":25:{IBAN}", ":28C:5/1", ":60F:C261110EUR100,00",
                             ":61:2611051105C12,10NTRFNONREF//X1", ":62F:C261112EUR112,10"),
                       5, "date", "before the date of the opening balance (:60F: of line 4"),
        "clbd.xml": (CAMT_DATES.format(**{**good, "closing": "2026-11-01"}), 9, "date",
                     "after the date of the closing balance (Bal CLBD of line 7"),
        "opbd.xml": (CAMT_DATES.format(**{**good, "opening": "2026-11-09",
                                          "closing": "2026-11-09"}), 9, "date",
                     "before the date of the opening balance (Bal OPBD of line 5"),
        "signed.xml": (CAMT_DATES.format(**{**good, "detail": "-48.40"}), 11, "detail amount",
                       "not an unsigned amount"),
    }  # fmt: skip
    snapshot_books.take(books_dir)
    for name, (payload, line, check, why) in cases.items():
        path = write(tmp_path, name, payload)
        error = one_line(cli("import", "--books", str(books_dir), str(path), check=False),
                         f"{path}:{line}", check)  # fmt: skip
        assert why in error, error
    snapshot_books.assert_unchanged()
    ok = write(tmp_path, "ok.xml", CAMT_DATES.format(**good))
    cli("import", "--books", str(books_dir), str(ok))


# ---------------------------------------------------------------- 17: accounts not echoed


def test_qa_13_15_17_an_account_that_is_not_the_hubs_is_never_echoed(
    cli, books_dir: Path, tmp_path: Path, snapshot_books
) -> None:  # type: ignore[no-untyped-def]
    def sta(account: str) -> str:
        return mt940(":20:S1", f":25:{account}", ":28C:5/1", ":60F:C261101EUR100,00",
                     ":61:2611021102C12,10NTRFNONREF//X1", ":62F:C261102EUR112,10")  # fmt: skip

    header = ("Volgnummer;Uitvoeringsdatum;Valutadatum;Bedrag;Valuta rekening;Details;"
              "Rekeningnummer\n")  # fmt: skip
    cases = {
        "name.sta": (sta("JEANNE FICTIVE"), ("JEANNE", "FICTIVE"), "not an account number"),
        "phone.sta": (sta("+32470123456"), ("470123456", "+32"), "not an account number"),
        "iban.sta": (sta("BE43730004200601"), ("BE4373", "73000420"), "ending in 0601"),
        "iban.csv": (header + "2026-0101;02/11/2026;02/11/2026;12,10;EUR;x;BE43 7300 0420 0601\n",
                     ("BE43", "7300"), "ending in 0601"),
    }  # fmt: skip
    snapshot_books.take(books_dir)
    for name, (payload, hidden, said) in cases.items():
        path = write(tmp_path, name, payload)
        error = one_line(cli("import", "--books", str(books_dir), str(path), check=False),
                         path, "account")  # fmt: skip
        assert said in error and not any(h in error for h in hidden), error
    bad = write(tmp_path, "bad.sta", sta("BE00730004200601"))
    error = one_line(cli("import", "--books", str(books_dir), "--account", IBAN, str(bad),
                         check=False), bad, "account")  # fmt: skip
    assert "ending in 0601" in error and "check digits are wrong" in error
    assert "BE00730004200601" not in error
    snapshot_books.assert_unchanged()


# ---------------------------------------------------------------- 19: the check's name


def test_qa_13_15_19_a_camt_amount_of_19_digits_is_named_amount(
    cli, books_dir: Path, tmp_path: Path, snapshot_books
) -> None:  # type: ignore[no-untyped-def]
    huge = "1" + "0" * 18
    payload = CAMT_DATES.format(opening="2026-11-05", closing="2026-11-06", detail="48.40")
    path = write(tmp_path, "huge.xml", payload.replace(">100.00<", f">{huge}.00<", 1))
    snapshot_books.take(books_dir)
    error = one_line(cli("import", "--books", str(books_dir), str(path), check=False), path,
                     "amount")  # fmt: skip
    assert "balance: more than 18 digits" in error
    snapshot_books.assert_unchanged()
