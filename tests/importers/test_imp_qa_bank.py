"""Regression tests of the QA report on the bank import (``qa-bank``, defects D1–D6), each
named after its defect (``test_qa_bank_d<n>_…``), through ``coopledger`` as a treasurer
runs it: a refused file leaves the books byte-identical and says so on one line that
quotes nothing of the file; nothing personal reaches the books, their git history, stdout
or stderr.

Every name, phone number and account here is fictional (valid check digits only).
"""

from __future__ import annotations

import json
from pathlib import Path

from bank_support import IBAN
from test_imp_qa_13_15 import one_line, roster_books, write

__all__ = ["roster_books"]  # the fixture, used by the tests below

ING_HEADER = (
    "Rekeningnummer;Naam van de rekening;Rekening tegenpartij;Omzetnummer;Boekingsdatum;"
    "Valutadatum;Bedrag;Munteenheid;Omschrijving;Detail van de omzet;Bericht"
)
BNP7_HEADER = (
    "Volgnummer;Uitvoeringsdatum;Valutadatum;Bedrag;Valuta rekening;Details;Rekeningnummer"
)


def ing(*rows: tuple[str, str, str]) -> str:
    """An ING Belgium export of (Omzetnummer, date, amount) rows."""
    lines = [f"BE68 5390 0754 7034;HUB TEST ASBL;;{ref};{when};{when};{amount};EUR;"
             "Overschrijving;;Don" for ref, when, amount in rows]  # fmt: skip
    return "\n".join([ING_HEADER, *lines]) + "\n"


def camt_entries(*entries: tuple[str, str, str], opening: str = "100.00", closing: str) -> str:
    """A camt.053 statement of (AcctSvcrRef, booking date, amount) credit entries."""
    body = "".join(
        f'<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>\n'
        f"<BookgDt><Dt>{when}</Dt></BookgDt><ValDt><Dt>{when}</Dt></ValDt>"
        f"<AcctSvcrRef>{ref}</AcctSvcrRef>\n"
        "<NtryDtls><TxDtls><RmtInf><Ustrd>Don</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n"
        for ref, when, amount in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>\n'
        "<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-02-20T10:00:00</CreDtTm></GrpHdr>\n"
        "<Stmt><Id>CAMT-2026-003</Id><CreDtTm>2026-02-20T10:00:00</CreDtTm>\n"
        f"<Acct><Id><IBAN>{IBAN}</IBAN></Id></Acct>\n"
        '<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">'
        f"{opening}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-02-06</Dt></Dt></Bal>\n"
        '<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">'
        f"{closing}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-02-19</Dt></Dt></Bal>\n"
        f"{body}</Stmt></BkToCstmrStmt></Document>\n"
    )


# ---------------------------------------------------------------- D2: a repeated reference


def test_qa_bank_d2_a_reference_repeated_within_a_file_is_refused_naming_both_lines(
    cli, books_dir: Path, tmp_path: Path, snapshot_books
) -> None:  # type: ignore[no-untyped-def]
    """A bank's reference names one movement: a second movement of the same file with the
    same reference used to count as "already in the books" and was never booked (the
    -250.00 of the ING file, lost, and the file's sha256 recorded so that it was never read
    again). Refused, naming both lines, for ING, BNP and camt (where the balance check
    used to blame a missing statement)."""
    cases = {
        "ing-samenum.csv": (ing(("2026-0405", "13/02/2026", "7,00"),
                                ("2026-0405", "13/02/2026", "-250,00")), 3, 2, "another"),
        "ing-samerow.csv": (ing(("2026-0405", "13/02/2026", "7,00"),
                                ("2026-0405", "13/02/2026", "7,00")), 3, 2, "the same"),
        "bnp7-dupnum.csv": (f"{BNP7_HEADER}\n2026-0011;11/02/2026;11/02/2026;12,00;EUR;Don;{IBAN}\n"
                            f"2026-0011;11/02/2026;11/02/2026;30,00;EUR;Huur;{IBAN}\n", 3, 2,
                            "another"),
        "dupref.xml": (camt_entries(("C3-018", "2026-02-10", "1.00"),
                                    ("C3-018", "2026-02-11", "2.00"), closing="103.00"), 11, 8,
                       "another"),
    }  # fmt: skip
    snapshot_books.take(books_dir)
    for name, (payload, line, first, how) in cases.items():
        path = write(tmp_path, name, payload)
        proc = cli("import", "--books", str(books_dir), str(path), check=False)
        message = one_line(proc, path, "reference")
        expected = (f"{path}:{line}: reference: this movement repeats the bank reference of "
                    f"line {first}, with {how} ")  # fmt: skip
        assert expected in message, message
        snapshot_books.assert_unchanged()


def test_qa_bank_d2_only_the_books_and_the_other_files_of_the_call_hold_duplicates(
    cli, books_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Movements already in the books, or in another file of the same call (an overlapping
    export), are still skipped as already present — never booked twice."""
    first = write(tmp_path, "jan.csv", ing(("2026-0001", "05/01/2026", "10,00"),
                                           ("2026-0002", "06/01/2026", "20,00")))  # fmt: skip
    second = write(tmp_path, "jan-feb.csv", ing(("2026-0002", "06/01/2026", "20,00"),
                                                ("2026-0003", "07/02/2026", "-5,00")))  # fmt: skip
    out = json.loads(cli("import", "--books", str(books_dir), str(first), str(second),
                         "--json").stdout)  # fmt: skip
    assert (out["movements"], out["already_present"]) == (3, 1)
    later = write(tmp_path, "feb.csv", ing(("2026-0003", "07/02/2026", "-5,00"),
                                           ("2026-0004", "08/02/2026", "1,00")))  # fmt: skip
    out = json.loads(cli("import", "--books", str(books_dir), str(later), "--json").stdout)
    assert (out["movements"], out["already_present"]) == (1, 1)
    bank = (books_dir / "2026" / "bank.beancount").read_text()
    assert bank.count("bank-ref:") == 4 and "-5.00 EUR" in bank
