"""Our MT940 reader on the dialects banks write, and its checks (each names the tag and the
line). Issue 15's MT940 defects are tested through ``coopledger import``."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from bank_support import IBAN

from importers.errors import BankFileError, UnsupportedFormatError
from importers.formats import MT940, detect, read_statements
from importers.mt940_reader import parse_mt940

HEAD = ":20:T1\n:25:BE68539007547034\n:28C:1/1\n:60F:C260301EUR100,00\n"
TAIL = ":62F:C260302EUR105,00\n-\n"


def one(text: str) -> tuple[object, ...]:
    (statement,) = parse_mt940(text.encode(), "m.sta").statements
    return statement.movements


def error(text: str | bytes, name: str = "m.sta") -> BankFileError:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(BankFileError) as info:
        parse_mt940(data, name)
    assert "\n" not in str(info.value)
    return info.value


# ---------------------------------------------------------------- the defects, as a user meets them

# A real bank's layout: SWIFT envelope, a :28C: wrapped onto the next line, a :61: wrapped
# before its amount, the free-text line after a :61:, an :86: over 65-character lines whose
# continuation looks like a tag, two pages (:62M:/:60M:), :64:, :65: and a closing :86:.
REAL_LAYOUT = "\r\n".join([
    "{1:F01GEBABEBBAXXX0000000000}{2:I940GEBABEBBXXXXN}{3:{108:T1}}{4:",
    ":20:HUB0301", ":25:BE68539007547034", ":28C:00012", "/001", ":60F:C260228EUR100,00",
    ":61:2603020302C", "25,00NTRFNONREF//B260302001", "VIREMENT CLIENT",
    ":86:/EREF/E2E-1//CNTP/BE25944771278282/GEBABEBB/Client Fictif SA (test)/Br",
    "uxelles//REMI/USTD//Cotisation mars 16",
    ":30:05 atelier/",
    ":62M:C260302EUR125,00", "-}{5:}",
    "{1:F01GEBABEBBAXXX0000000000}{2:I940GEBABEBBXXXXN}{4:",
    ":20:HUB0302", ":25:BE68539007547034", ":28C:00012/002", ":60M:C260302EUR125,00",
    ":61:2603030303D20,00NTRFNONREF//B260303001", ":86:FRAIS DE GESTION",
    ":62F:C260303EUR105,00", ":64:C260303EUR105,00", ":65:C260304EUR105,00",
    ":86:/SUM/1/1/20,00/25,00/", "-}{5:}", "",
])  # fmt: skip


def test_defect_15_1_real_mt940_layouts_that_add_up_are_booked(
    cli, books_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "march.sta"
    path.write_bytes(REAL_LAYOUT.encode())
    out = json.loads(cli("import", "--books", str(books_dir), "--json", str(path)).stdout)
    assert (out["statements"], out["movements"]) == (2, 2)
    assert cli("check", "--books", str(books_dir)).returncode == 0
    text = (books_dir / "2026" / "bank.beancount").read_text()
    # The :30: line belongs to the :86: (the free text itself stays out of the books).
    _, statements = read_statements(REAL_LAYOUT.encode(), "march.sta")
    texts = [m.communication for st in statements for m in st.movements]
    assert any("Cotisation mars 16 :30:05 atelier" in t for t in texts), texts
    assert "2026-03-04 balance Assets:Banque:Courant" in text and "105.00 EUR" in text


@pytest.mark.parametrize(
    "account",
    ["BE68539007547034 EUR", "BE68539007547034EUR", "GEBABEBB/BE68539007547034",
     "GEBABEBB/BE68539007547034 EUR", "BE68 5390 0754 7034"],
)  # fmt: skip
def test_defect_15_2_mt940_account_followed_by_its_currency(
    cli, books_dir: Path, tmp_path: Path, account: str
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.sta"
    path.write_bytes(
        (HEAD.replace("BE68539007547034", account)
         + ":61:2603020302C5,00NTRFNONREF//R1\n:86:Don\n" + TAIL).encode()
    )  # fmt: skip
    dry = cli("import", "--books", str(books_dir), "--account", IBAN, "--dry-run", "--json",
              str(path))  # fmt: skip
    assert json.loads(dry.stdout)["movements"] == 1
    out = json.loads(cli("import", "--books", str(books_dir), "--json", str(path)).stdout)
    assert out["movements"] == 1


def test_defect_15_6_intermediate_balance_without_currency_is_one_clear_line(
    cli, books_dir: Path, tmp_path: Path, snapshot_books
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "page.sta"
    path.write_bytes(
        (HEAD + ":61:2603020302C5,00NTRFNONREF//R1\n:62M:C260302105,00\n-\n").encode()
    )
    snapshot_books.take(books_dir)
    proc = cli("import", "--books", str(books_dir), str(path), check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        f"coopledger: error: {path}:6: currency: :62M: (closing balance) gives no currency: "
        "expected C or D, the date YYMMDD, a three-letter currency and the amount, e.g. "
        "C260302EUR105,00"
    )
    snapshot_books.assert_unchanged()


def test_first_movement_value_dated_before_the_statement_across_the_year_end(
    cli, books_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Value date 31 December, entry 2 January: booked in January; the opening sits on the
    books' first day (they start on 1 January) and every balance holds."""
    path = tmp_path / "jan.sta"
    path.write_bytes(
        b":20:J1\n:25:BE68539007547034\n:28C:1\n:60F:C251231EUR500,00\n"
        b":61:2512310102C100,00NTRFNONREF//J001\n:86:Don\n:62F:C260102EUR600,00\n"
    )
    cli("import", "--books", str(books_dir), str(path))
    assert cli("check", "--books", str(books_dir)).returncode == 0
    text = (books_dir / "2026" / "bank.beancount").read_text()
    assert '2026-01-01 * "Opening balance' in text and "2026-01-02 ! " in text


# ---------------------------------------------------------------- dialects


@pytest.mark.parametrize(
    ("line", "amount", "booked", "reversal"),
    [
        (":61:2603020302C5,00NTRFNONREF", "5.00", dt.date(2026, 3, 2), False),
        (":61:2603020302D5,00NTRFNONREF", "-5.00", dt.date(2026, 3, 2), False),
        (":61:2603020302RC5,00NTRFNONREF", "-5.00", dt.date(2026, 3, 2), True),  # reversal
        (":61:2603020302RD5,00NTRFNONREF", "5.00", dt.date(2026, 3, 2), True),
        (":61:2603020302CR5,00NTRFNONREF", "5.00", dt.date(2026, 3, 2), False),  # funds code
        (":61:2603020302RCR5,00NTRFNONREF", "-5.00", dt.date(2026, 3, 2), True),
        (":61:260302C5,NTRFNONREF", "5", dt.date(2026, 3, 2), False),  # no entry date
        (":61:2603020302C5NTRF03-03-2026 10:05", "5", dt.date(2026, 3, 2), False),  # no comma
        (":61:2603020302C000000000005.00NMSCNONREF", "5.00", dt.date(2026, 3, 2), False),
        (":61:2603020302CN5,00//B1", "5.00", dt.date(2026, 3, 2), False),  # no type
        (":61:2512310102C5,00NTRFNONREF", "5.00", dt.date(2026, 1, 2), False),  # next year
        (":61:2601021231C5,00NTRFNONREF", "5.00", dt.date(2025, 12, 31), False),
        (":61:2602300302C5,00NTRFNONREF", "5.00", dt.date(2026, 3, 2), False),  # 30 February
    ],
)
def test_statement_lines(line: str, amount: str, booked: dt.date, reversal: bool) -> None:
    closing = Decimal(100) + Decimal(amount)
    mark = "C" if closing >= 0 else "D"
    text = HEAD + line + "\n" + f":62F:{mark}260302EUR{abs(closing)}".replace(".", ",") + "\n"
    (m,) = one(text)
    assert (m.amount, m.booking_date, m.reversal) == (Decimal(amount), booked, reversal)


def test_supplementary_details_line_gives_the_counterparty_account() -> None:
    (m,) = one(HEAD + ":61:2603020302C5,00NTRFNONREF//B1\nBE25944771278282\n"
               ":86:/ORDP//NAME/Client Fictif (test)/REMI/Don/\n" + TAIL)  # fmt: skip
    assert (m.counterparty_account, m.counterparty_name, m.communication) == (
        "BE25944771278282", "Client Fictif (test)", "Don",
    )  # fmt: skip
    assert m.information == ("BE25944771278282",)  # kept in the model only


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        ("/EREF/E2E-7//CNTP/BE25944771278282/GEBABEBB/Client Fictif (test)/Bruxelles//REMI/"
         "STRD/BBA/202600000192/",
         {"end_to_end_id": "E2E-7", "counterparty_account": "BE25944771278282",
          "counterparty_bic": "GEBABEBB", "counterparty_name": "Client Fictif (test)",
          "ogm": "202600000192", "communication": "+++202/6000/00192+++"}),
        ("/REMI/STRD/ISO/RF18539007547034/",
         {"ogm": None, "structured_type": "ISO", "structured_ref": "RF18539007547034"}),
        ("/TRTP/SEPA OVERBOEKING/IBAN/BE25944771278282/BIC/GEBABEBB/NAME/Client Fictif (test)"
         "/REMI/Factuur 12/EREF/NOTPROVIDED",
         {"counterparty_account": "BE25944771278282", "communication": "Factuur 12",
          "end_to_end_id": None}),
        ("/RTRN/MD06//EREF/E2E-9//REMI/USTD//Retour/", {"r_transaction": "2/MD06"}),
        ("166?00GUTSCHRIFT?20EREF+E2E-3?21SVWZ+Don atelier?30GEBABEBB?31BE25944771278282"
         "?32Client Fictif (test)",
         {"end_to_end_id": "E2E-3", "communication": "Don atelier",
          "counterparty_account": "BE25944771278282", "counterparty_name": "Client Fictif (test)"}),
        ("PAIEMENT +++202/6000/00192+++ MERCI", {"ogm": "202600000192"}),
    ],
)  # fmt: skip
def test_information_subfields(info: str, expected: dict[str, object]) -> None:
    (m,) = one(HEAD + ":61:2603020302C5,00NTRFNONREF\n:86:" + info + "\n" + TAIL)
    assert {k: getattr(m, k) for k in expected} == expected


def test_full_lines_run_on_and_short_lines_are_spaces() -> None:
    first = "/NAME/Client Fictif (test)/REMI/USTD//" + "x" * 23 + "Coti"  # 65 characters
    assert len(first) == 65
    (m,) = one(HEAD + f":61:2603020302C5,00NTRFNONREF\n:86:{first}\nsation mars\navril/\n" + TAIL)
    assert m.communication == "x" * 23 + "Cotisation mars avril"


def test_several_statements_with_or_without_separators_and_bank_headers() -> None:
    body = ":61:2603020302C5,00NTRFNONREF//R1\n:86:Don\n"
    second = HEAD.replace("T1", "T2").replace("C260301EUR100,00", "C260302EUR105,00")
    text = ("GEBABEBB\n940\nGEBABEBB\n" + HEAD + body + ":62F:C260302EUR105,00\n"
            "GEBABEBB\n940\n" + second + ":62F:C260303EUR105,00\n")  # fmt: skip
    statements = parse_mt940(text.encode()).statements
    assert [len(s.movements) for s in statements] == [1, 0]


def test_references_are_stable_and_do_not_repeat_across_days() -> None:
    """Some banks number the references of each statement from 1: the entry date keeps
    two days' first movements apart, and the same file read again gives the same refs."""
    text = (HEAD + ":61:2603020302C5,00NTRFNONREF//0001\n:62F:C260302EUR105,00\n"
            + HEAD.replace("C260301EUR100,00", "C260302EUR105,00")
            + ":61:2603030303C5,00NTRFNONREF//0001\n:62F:C260303EUR110,00\n")  # fmt: skip
    refs = [m.ref for s in parse_mt940(text.encode()).statements for m in s.movements]
    assert refs == ["20260302-0001", "20260303-0001"]
    assert refs == [m.ref for s in parse_mt940(text.encode()).statements for m in s.movements]


def test_an_mt942_interim_report_is_refused_by_name() -> None:
    mt942 = b":20:T1\n:25:BE68539007547034\n:28C:1\n:34F:EUR0,\n:13D:2603021200+0100\n"
    assert detect(mt942, "i.sta") is MT940
    with pytest.raises(UnsupportedFormatError, match="MT942"):
        parse_mt940(mt942, "i.sta")


# ---------------------------------------------------------------- checks: the tag and the line


@pytest.mark.parametrize(
    ("text", "line", "check", "words"),
    [
        (HEAD + ":61:2603020302X5,00NTRF\n" + TAIL, 5, "mt940", ":61: (statement line) is not"),
        (HEAD + ":61:2613020302C5,00NTRF\n" + TAIL, 5, "date", "261302 is not a date"),
        (HEAD + ":61:2603021302C5,00NTRF\n" + TAIL, 5, "date", "entry date 1302"),
        (HEAD + ":61:2603020302C1234567890123456,00NTRF\n" + TAIL, 5, "amount", "15 digits"),
        (HEAD.replace("C260301EUR100,00", "C260301EUR1OO,00") + TAIL, 4, "balance",
         ":60F: (opening balance) is not a balance"),
        (HEAD.replace(":60F:", ":99:x\n:60F:") + TAIL, 4, "mt940", "unknown tag :99:"),
        (HEAD + ":25:BE68539007547034\n" + TAIL, 5, "mt940", ":25: cannot follow :60:"),
        (HEAD + ":20:T2\n" + TAIL, 5, "mt940", ":20: cannot follow :60:"),
        (HEAD + "-\n:20:T2\n" + TAIL, 5, "mt940", "ends before its closing balance"),
        (HEAD + "-\n", 5, "mt940", "ends before its closing balance"),
        (HEAD, 1, "truncated", "ends before the closing balance"),
        (":25:BE68539007547034\n" + TAIL, 1, "mt940", ":25: outside a statement"),
        (HEAD + ":61:2603020302C5,00NTRF\n:62F:C260302USD105,00\n", 6, "currency", "USD"),
        (HEAD + ":61:2603020302C5,00NTRF\n:62F:C260302EUR106,00\n", 6, "balance",
         "opening balance 100.00 (:60F:) + statement lines 5.00 != closing balance 106.00"),
        (":20:T1\n:28C:1\n:60F:C260301EUR100,00\n" + TAIL, 2, "mt940", ":28C: cannot follow :20:"),
        (HEAD.replace(":28C:1/1", ":28C:1/x") + TAIL, 3, "mt940", "not a statement number"),
    ],
)  # fmt: skip
def test_errors_name_the_check_the_tag_and_the_line(
    text: str, line: int, check: str, words: str
) -> None:
    got = error(text)
    assert (got.line, got.check) == (line, check), str(got)
    assert words in str(got)


def test_errors_never_quote_the_information_text() -> None:
    for text in (HEAD + ":61:2603020302X5,00NTRF Client Fictif (test)\n" + TAIL,
                 HEAD.replace(":28C:1/1", ":28C:1/1\nMme Fictive (test)") + TAIL):  # fmt: skip
        got = error(text)
        assert "Fictif" not in str(got) and "Fictive" not in str(got)


def test_the_same_file_in_utf8_or_windows_1252_reads_the_same() -> None:
    text = HEAD + ":61:2603020302C5,00NTRFNONREF\n:86:Société Fictive (test)\n" + TAIL
    assert one(text) == parse_mt940(text.encode("cp1252"), "m.sta").statements[0].movements
