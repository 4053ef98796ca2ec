"""Regression tests of the QA report on the bank import (``qa-bank``, defects D1–D6), each
named after its defect (``test_qa_bank_d<n>_…``), through ``coopledger`` as a treasurer
runs it: a refused file leaves the books byte-identical and says so on one line that
quotes nothing of the file; nothing personal reaches the books, their git history, stdout
or stderr.

Every name, phone number and account here is fictional (valid check digits only).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from bank_support import IBAN, coda, day, move, samples, statement
from test_imp_qa_13_15 import NEEDLES, books_text, copy_of, one_line, roster_books, write

from importers.errors import BankFileError
from importers.formats import detect
from importers.minimise import kept_statement, reference_problem, shape_problem
from ledger.privacy.guard import TextGuard

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


# ---------------------------------------------------------------- D1: a name as a reference

# A person the roster does not hold (the shapes alone must keep her out), and the roster's
# participant of test_imp_qa_13_15 written the way a bank glues a name to a number.
STRANGER = ("amina", "fictivo")
NAMED_REFERENCES = {
    "ing-nameref.csv": ing(("Amina Fictivo 12", "12/02/2026", "1,00")),
    "ing-glued.csv": ing(("FICTIVIA12", "12/02/2026", "1,00")),
    "nameref.sta": "\n".join([
        ":20:STMT1", f":25:{IBAN}", ":28C:00003/001", ":60F:C260206EUR100,00",
        ":61:2602100210C10,00NTRFNONREF//12 Amina Fictivo", ":86:Don",
        ":62F:C260215EUR110,00",
    ]) + "\n",
    "svcrref-name.xml": camt_entries(("Amina Fictivo 2026", "2026-02-10", "1.00"),
                                     closing="101.00"),
    "stmtid-name.xml": camt_entries(("C3-005", "2026-02-10", "1.00"), closing="101.00")
    .replace("<Id>CAMT-2026-003</Id>", "<Id>Amina Fictivo 3</Id>"),
}  # fmt: skip


def test_qa_bank_d1_a_name_in_a_reference_or_a_statement_id_never_reaches_the_books(
    cli, roster_books: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A reference used to be kept as soon as it held a digit: ``Amina Fictivo 12`` (ING
    ``Omzetnummer``), ``20260210-12 Amina Fictivo`` (MT940), a camt ``AcctSvcrRef`` or
    ``Stmt/Id`` went into the books and onto stdout. Now a reference is kept only when it
    is a code, and the roster's words are looked for among its letters (``FICTIVIA12``)."""
    for name, payload in NAMED_REFERENCES.items():
        books = copy_of(roster_books, tmp_path, f"books-{name}")
        path = write(tmp_path, name, payload)
        out = cli("import", "--books", str(books), str(path))
        seen = (out.stdout + out.stderr + books_text(books)).lower()
        assert not [w for w in (*STRANGER, *NEEDLES) if w in seen], name
        bank = (books / "2026" / "bank.beancount").read_text()
        refs = [line.split('"')[1] for line in bank.splitlines() if "bank-ref:" in line]
        ids = {line.split('"')[1] for line in bank.splitlines() if "statement:" in line}
        if name.startswith("stmtid"):
            assert refs == ["C3-005"] and all(i.startswith("s-") for i in ids), bank
        else:
            assert len(refs) == 1 and refs[0].startswith("r-"), (name, refs)
        assert cli("check", "--books", str(books)).returncode == 0


def test_qa_bank_d1_references_are_kept_only_when_they_are_codes() -> None:
    """The rule (:func:`importers.minimise.shape_problem`), on the shapes of the real
    sample files (``../shared/samples``: CODA, camt, MT940 of several banks) and of the
    names a bank writes there."""
    codes = ["20260303-012-0001", "0724710351063405", "B4G29PGCVO7Q06US", "06F8672B28B7A92F",
             "R724710290656678", "20170323001234567891234567891234", "00107/002", "0",
             "TEST2026080300001", "STMT-2026-003", "CAMT-2026-003", "C3-018", "2026-0405",
             "20070904-0724710333343453-2", "a3f9c2d1e0b4", "REF 2026/0042", "OL4713253"]  # fmt: skip
    names = ["Amina Fictivo 12", "12 Amina Fictivo", "Amina Fictivo 2026", "Fictivo3",
             "0121470966 W.P. Fictivo", "FICTIVO 12", "P000029225 KPN - MOBIEL", "Zoë 12",
             "Ali 7", "ALI 7", "d'Amina 12", "TMG TANGO", "NONREF AMINA 1"]  # fmt: skip
    assert [c for c in codes if shape_problem(c)] == []
    assert [n for n in names if not shape_problem(n)] == []
    guard = TextGuard()
    assert reference_problem("r-515ec337e711dd60", guard) is None  # our own stand-ins


def test_qa_bank_d1_the_real_samples_keep_their_codes() -> None:
    """Every statement number of the real samples, and every movement reference that is
    made of upper-case letters and digits only, is still kept (skipped without
    ``../shared``); what is refused there is a name, a place or a business."""
    kept, refused = 0, []
    for folder in ("coda", "camt053", "mt940"):
        for path in sorted(samples(folder).iterdir()):
            payload = path.read_bytes()
            try:
                result = detect(payload, path.name).parse(payload, path.name, strict=False)
            except BankFileError:
                continue  # the faulty samples: refused by the readers
            for raw in result.statements:
                st = kept_statement(raw)
                assert st.sequence == raw.sequence, path.name
                for before, after in zip(raw.movements, st.movements, strict=True):
                    if after.ref == before.ref:
                        kept += 1
                    else:
                        refused.append(before.ref)
                        word = re.search(r"(?<![A-Za-z0-9])[A-Za-z]{2,}(?![A-Za-z0-9])",
                                         before.ref)  # fmt: skip
                        assert word or TextGuard().problem(before.ref), before.ref
    # refused: 8 names, places or businesses (Rabobank, ING), a sub-field tag taken for a
    # reference (EREF, twice) and a phone-shaped number (twice, refused before too)
    assert kept >= 200 and len(refused) <= 12, (kept, refused)


def test_qa_bank_d1_an_import_without_the_hub_key_is_refused(
    cli, roster_books: Path, tmp_path: Path, snapshot_books
) -> None:  # type: ignore[no-untyped-def]
    """Without the key the roster cannot be checked: the import used to go on with the
    shapes alone. It is refused now, dry run included, and the books stay as they were."""
    path = write(tmp_path, "codes.csv", ing(("2026-0001", "12/02/2026", "1,00")))
    snapshot_books.take(roster_books)
    for extra in ((), ("--dry-run",)):
        proc = cli("import", "--books", str(roster_books), str(path), *extra, check=False,
                   env={**cli.env, "COOPLEDGER_KEY_FILE": str(tmp_path / "absent.key")})  # fmt: skip
        assert proc.returncode == 1 and len(proc.stderr.strip().splitlines()) == 1
        assert "needs the hub key" in proc.stderr and "Traceback" not in proc.stderr
    snapshot_books.assert_unchanged()


# ---------------------------------------------------------------- D3: a name after a business

PAYERS = ["CPAS BRUXELLES FICTIVO AMINA", "SPF Finances / Fictivo", "Mutualite Fictivo Amina ASBL",
          "Commune d'Anderlecht A. Fictivo"]  # fmt: skip
HER_IBAN = "BE71096123456769"


def test_qa_bank_d3_a_name_after_a_public_body_or_a_legal_form_is_private(
    cli, roster_books: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A CPAS or a mutuality paying a person's allowance writes her name after its own: any
    legal-form or public-body word anywhere used to keep the whole name and the full IBAN.
    Now only the business alone is kept; these keep ``counterparty-iban-last4`` only."""
    movements = [move(day(2, 10), "1.00", who=who, iban=HER_IBAN) for who in PAYERS]
    movements.append(move(day(2, 10), "2.00", who="CPAS de Bruxelles", iban="BE66926197306943"))
    path = write(tmp_path, "biz.cod", coda(statement(3, "100.00", movements)))
    out = cli("import", "--books", str(roster_books), str(path))
    seen = (out.stdout + out.stderr + books_text(roster_books)).lower()
    assert not [w for w in (*STRANGER, "096123456769") if w in seen]
    bank = (roster_books / "2026" / "bank.beancount").read_text()
    assert bank.count('counterparty-iban-last4: "6769"') == len(PAYERS)
    assert 'counterparty: "CPAS de Bruxelles"' in bank  # the body alone is kept


def test_qa_bank_d5_an_xml_error_quotes_nothing_of_the_file() -> None:
    """lxml's message quotes the file (`Opening and ending tag mismatch: Ustrd line 9 and
    Sierrah_Tangora`); the error says what is wrong, where, in words of its own."""
    import pytest

    from importers.camt import parse_xml

    cases = {
        b"<Document><Ustrd>x</Fictivia_Testa></Document>": "an element closed by another",
        b"<Document><Ntry>": "the file ends inside an element",
        b"<Document>&Fictivia;</Document>": "an entity that is not defined",
        b"<Document><Fictivia Testa/></Document>": "an attribute without its value",
    }
    for payload, words in cases.items():
        with pytest.raises(BankFileError) as caught:
            parse_xml(payload, "stmt.xml")
        text = str(caught.value)
        assert words in text and "column" in text
        assert "Fictivia" not in text and "Testa" not in text and "Ustrd" not in text


def test_qa_bank_d6_a_wrong_account_option_blames_the_option_in_the_users_language() -> None:
    """`--account "a name"` said the statement was for "an account that is not an account
    number" — half English, and about the statement, not the option."""
    import pytest

    from importers.settings import BankRef, ImportSettings
    from ledger.errors import InputError
    from ledger.i18n import shown

    settings = ImportSettings(banks=(BankRef(IBAN, "Assets:Banque:Courant"),))
    for wanted, words in (("Fictivia Testa", "an account that is not an account number"),
                          ("BE71 0961 2345 6769", "the account ending in 6769")):  # fmt: skip
        with pytest.raises(InputError) as caught:
            settings.bank_by_name(wanted, "stmt.sta")
        message = caught.value.message
        assert message.startswith("--account names no bank account") and words in message
        assert "Fictivia" not in message and "0961" not in message
        french = shown(message, "fr")
        assert "n'est pas un numéro de compte" in french or "se terminant par 6769" in french


def test_qa_bank_d4_an_amount_beyond_the_cent_is_named_at_the_files_line(
    cli, books_dir: Path, tmp_path: Path, snapshot_books
) -> None:  # type: ignore[no-untyped-def]
    """`12,345` was refused at the books' line it would have been written to
    (`2026/bank.beancount:176`, a line that never existed); the reader's own line now."""
    cases = {
        "ing-3dec.csv": (ing(("2026-0405", "13/02/2026", "12,345")), 2),
        "bnp7-3dec.csv": (f"{BNP7_HEADER}\n2026-0011;11/02/2026;11/02/2026;1,001;EUR;Don;{IBAN}\n",
                          2),
        "3dec.xml": (camt_entries(("C3-018", "2026-02-10", "1.005"), closing="101.005"), 8),
    }  # fmt: skip
    snapshot_books.take(books_dir)
    for name, (payload, line) in cases.items():
        path = write(tmp_path, name, payload)
        proc = cli("import", "--books", str(books_dir), str(path), check=False)
        message = one_line(proc, path, "amount")
        assert f"{path}:{line}: amount: " in message and "more than two decimals" in message
        assert "beancount" not in message
        snapshot_books.assert_unchanged()
