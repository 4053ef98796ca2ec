"""No identity ever leaves the roster — whoever typed it, and whatever the bank wrote.

The heart of it, :func:`test_every_command_keeps_identities_in_the_roster`: a fictional
roster with every field the roster holds, fed through bank files of every format (CODA,
camt.053, MT940, a bank CSV) that carry her name, IBAN, address, phone and e-mail in
their free text — payouts to her, deposits from her, cash deposits —, every free-text
option, receipts carrying her values in their metadata, and every command; then the books
tree, ``git log -p --all``, every output and error, the PDFs (text and metadata), the UBL,
Fava's pages and the archived statements without the key are searched: no value anywhere.
The only commands that show a value are the ones whose job it is, with the key at hand
(``participant show`` without ``--pseudonymous``, ``bank-line show``), and the pain.001
file the bank needs, written outside the books (mode 0600).

The regression tests of issue 9's leaks are named ``test_leak_9_<n>_…``.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import os
import pty
import re
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import beangulp
import pyrage
import pytest
from beancount.core import data
from click.testing import CliRunner
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import FreeText
from pypdf.generic import NameObject, TextStringObject
from pyrage import x25519
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from tests_support import git_state, tree_digest

from importers.archive import Ingest
from importers.ingest import all_importers
from importers.model import Movement, Statement
from importers.settings import BankRef, ImportSettings
from ledger.books import Books
from ledger.cli import main
from ledger.dates import today as calendar_today
from ledger.demo.coda_writer import CodaHeader, write_coda
from ledger.fava.serve import make_app
from ledger.keys import key_path, load_identities, read_key_file
from ledger.roster import open_roster, read_data_keys, read_roster

Y = calendar_today().year - 1  # a finished year, so that it can be closed and sealed
HUB_IBAN = "BE68539007547034"
CLIENT_IBAN = "BE25944771278282"
SUPPLIER_IBAN = "BE66926197306943"
HER_IBAN = "BE71096123456769"
P2_IBAN = "BE62510007547061"
HUB_ADDRESS = "Rue de l'Exemple 1, 1030 Schaerbeek"

# Every field of the roster, for the participant the bank files keep naming.
HER = {
    "alias": "Fictive Sierra Tango (test)",
    "name": "Sierrah Tangora Fictiva",
    "first_name": "Sierrah",
    "last_name": "Tangora",
    "phone": "+32 470 99 88 77",
    "email": "sierrah.fictiva@example.invalid",
    "address": "Rue Imaginaire 77, 1030 Schaerbeek",
    "birth_date": "1990-05-17",
    "birth_place": "Villefictive-sur-Test",
    "nationality": "Fictivienne",
    "document_number": "FX1234567",
    "emergency_contact": "Cousine Zetafictive (test)",
    "notes": "Parle le fictivien, rendez-vous le mardi",
    "payee_iban": "BE71 0961 2345 6769",
    "payee_name": "Sierrah Tangora Fictiva",
}
P2 = {"alias": "Fictive Uniform Victor (test)"}
P2_PAYEE = {"iban": "BE62 5100 0754 7061", "name": "Uniforma Victorine Fictiva"}
P3 = {"alias": "Whiskey-Xray Fictive"}

# What must never be found: every value, and the pieces of them a text may carry.
NEEDLES = sorted(
    {v.lower() for v in [*HER.values(), *P2.values(), *P3.values(), *P2_PAYEE.values()]}
    | {
        "sierrah", "tangora", "fictiva", "zetafictive", "villefictive", "fictivien",
        "fx1234567", "imaginaire 77", "99 88 77", "470998877", "096123456769",
        HER_IBAN.lower(), "uniforma", "victorine", P2_IBAN.lower(), "510007547061",
        "uniform victor", "whiskey-xray", "1990-05-17", "sierrah.fictiva",
    }
)  # fmt: skip


def roster_file(values: dict[str, str]) -> str:
    return "".join(f'{key} = "{value}"\n' for key, value in values.items())


def hits(text: str) -> list[str]:
    low = text.lower()
    return [n for n in NEEDLES if n in low]


def scan_tree(root: Path) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and ".git" not in path.relative_to(root).parts:
            data = path.read_bytes().decode("utf-8", errors="replace")
            found += [f"{path}: {n}" for n in hits(data)]
    return found


def git_history(root: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(root), "log", "-p", "--all", "--format=%an %ae %cn %ce %s %b"],
        capture_output=True, text=True, errors="replace", check=True,
    ).stdout  # fmt: skip


def pdf_report(path: Path) -> str:
    """A PDF's text, document information and XMP, as one string."""
    reader = PdfReader(path)
    parts = [page.extract_text() or "" for page in reader.pages]
    parts.append(repr(dict(reader.metadata or {})))
    xmp = reader.xmp_metadata
    parts.append(xmp.stream.get_data().decode("utf-8", "replace") if xmp is not None else "")
    return "\n".join(parts)


# ---------------------------------------------------------------- fictional bank files


def d(month: int, day: int) -> dt.date:
    return dt.date(Y, month, day)


def coda_file(opening: str, moves: list[Movement], seq: str) -> bytes:
    closing = Decimal(opening) + sum((m.amount for m in moves), Decimal(0))
    last = max(m.booking_date for m in moves)
    st = Statement(
        format="coda", account=HUB_IBAN, iban=HUB_IBAN, currency="EUR",
        opening_balance=Decimal(opening), opening_date=min(m.booking_date for m in moves)
        - dt.timedelta(days=1), closing_balance=closing, closing_date=last, sequence=seq,
        movements=tuple(moves),
    )  # fmt: skip
    header = CodaHeader(bank_id="539", holder="HUB TEST ASBL", company_id="00403170701")
    return write_coda([st], header, created=last)


def move(day: dt.date, amount: str, ref: str, **kw: Any) -> Movement:
    return Movement(ref="", bank_ref=ref, booking_date=day, value_date=day,
                    amount=Decimal(amount), currency="EUR", **kw)  # fmt: skip


def camt_file(opening: str, entries: list[dict[str, Any]], seq: str) -> bytes:
    """camt.053.001.02 whose entries have no RmtInf: the bank's AddtlNtryInf speaks."""
    total = sum((Decimal(e["amount"]) for e in entries), Decimal(0))
    day = max(e["day"] for e in entries)

    def bal(code: str, amount: Decimal, when: dt.date) -> str:
        sign = "CRDT" if amount >= 0 else "DBIT"
        return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">"
                f"{abs(amount):.2f}</Amt><CdtDbtInd>{sign}</CdtDbtInd><Dt><Dt>{when}</Dt>"
                "</Dt></Bal>")  # fmt: skip

    body = []
    for n, e in enumerate(entries, start=1):
        amount = Decimal(e["amount"])
        role = "Dbtr" if amount > 0 else "Cdtr"
        refs = f"<Refs><EndToEndId>{e['e2e']}</EndToEndId></Refs>" if e.get("e2e") else ""
        body.append(
            f"<Ntry><Amt Ccy=\"EUR\">{abs(amount):.2f}</Amt><CdtDbtInd>"
            f"{'CRDT' if amount > 0 else 'DBIT'}</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>"
            f"{e['day']}</Dt></BookgDt><ValDt><Dt>{e['day']}</Dt></ValDt><AcctSvcrRef>"
            f"CAMT9-{seq}-{n}</AcctSvcrRef><NtryDtls><TxDtls>{refs}<RltdPties><{role}><Nm>"
            f"{e['name']}</Nm></{role}><{role}Acct><Id><IBAN>{e['iban']}</IBAN></Id></{role}Acct>"
            f"</RltdPties></TxDtls></NtryDtls><AddtlNtryInf>{e['info']}</AddtlNtryInf></Ntry>"
        )  # fmt: skip
    start = min(e["day"] for e in entries) - dt.timedelta(days=1)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:'
        'xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>T9</MsgId><CreDtTm>'
        f"{day}T18:00:00</CreDtTm></GrpHdr><Stmt><Id>S9-{seq}</Id><LglSeqNb>{int(seq)}"
        f"</LglSeqNb><Acct><Id><IBAN>{HUB_IBAN}</IBAN></Id><Ccy>EUR</Ccy></Acct>"
        + bal("OPBD", Decimal(opening), start) + bal("CLBD", Decimal(opening) + total, day)
        + "".join(body) + "</Stmt></BkToCstmrStmt></Document>"
    ).encode()  # fmt: skip


def mt940_file(opening: str, lines: list[tuple[dt.date, str, str, str]], seq: str) -> bytes:
    """MT940 whose ``:86:`` carries the payee's name, IBAN and address."""

    def amt(value: Decimal) -> str:
        return f"{abs(value):.2f}".replace(".", ",")

    total = sum((Decimal(a) for _, a, _, _ in lines), Decimal(0))
    first, last = lines[0][0], lines[-1][0]
    out = [f":20:T9-{seq}", f":25:{HUB_IBAN}", f":28C:{seq}/1",
           f":60F:C{(first - dt.timedelta(days=1)):%y%m%d}EUR{amt(Decimal(opening))}"]  # fmt: skip
    for day, amount, ref, details in lines:
        value = Decimal(amount)
        mark = "C" if value > 0 else "D"
        out += [f":61:{day:%y%m%d}{day:%m%d}{mark}{amt(value)}NTRFNONREF//{ref}", f":86:{details}"]
    out += [f":62F:C{last:%y%m%d}EUR{amt(Decimal(opening) + total)}", "-"]
    return ("\r\n".join(out) + "\r\n").encode()


def bnp_csv(rows: list[tuple[str, dt.date, str, str, str, str, str]]) -> bytes:
    """A BNP Paribas Fortis export (Dutch headers), ``Details`` full of the bank's words."""
    head = ("Volgnummer;Uitvoeringsdatum;Valutadatum;Bedrag;Valuta rekening;Rekeningnummer;"
            "Type verrichting;Tegenpartij;Naam van de tegenpartij;Mededeling;Details;Status;"
            "Reden van weigering")  # fmt: skip
    body = []
    for ref, day, amount, iban, name, text, details in rows:
        value = Decimal(amount)
        shown = f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
        body.append(f"{ref};{day:%d/%m/%Y};{day:%d/%m/%Y};{shown};EUR;{HUB_IBAN};"
                    f"Overschrijving;{iban};{name};{text};{details};Geaccepteerd;")  # fmt: skip
    return ("\ufeff" + "\n".join([head, *body]) + "\n").encode()


# ---------------------------------------------------------------- fictional receipts


def receipt_pdf_with_metadata(text: str = "Marche Fictif - ticket 42 - 12,00 EUR") -> bytes:
    """A PDF whose Info, XMP, annotation and embedded photo's EXIF carry her values."""
    photo = Image.new("RGB", (16, 16), (120, 60, 30))
    exif = Image.Exif()
    exif[0x013B] = HER["name"]  # Artist
    exif[0x010E] = HER["address"]  # ImageDescription
    exif[0x8825] = {1: "N", 2: (50.0, 51.0, 0.0), 3: "E", 4: (4.0, 22.0, 0.0)}  # GPS
    jpeg = io.BytesIO()
    photo.save(jpeg, "JPEG", exif=exif.tobytes())
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    pdf.setAuthor(HER["name"])
    pdf.setTitle(f"Ticket de {HER['alias']}")
    pdf.setSubject(HER["payee_iban"])
    pdf.setKeywords(HER["phone"])
    pdf.setCreator(HER["email"])
    pdf.drawString(100, 700, text)
    pdf.drawImage(ImageReader(io.BytesIO(jpeg.getvalue())), 100, 600, 16, 16)
    pdf.showPage()
    pdf.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buf.getvalue())))
    xmp = (f'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:'
           f'meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:'
           f'Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>{HER["name"]}'
           f'</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>')  # fmt: skip
    writer.xmp_metadata = xmp.encode()
    note = FreeText(text=HER["notes"], rect=(50, 550, 200, 580))
    note[NameObject("/T")] = TextStringObject(HER["name"])  # the annotation's author
    writer.add_annotation(0, note)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def receipt_jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (24, 12), (200, 100, 50))
    exif = Image.Exif()
    exif[0x013B] = HER["name"]
    exif[0x010E] = f"{HER['address']} {HER['phone']}"
    exif[0x0112] = 6  # rotated: the cleaned copy is turned upright
    exif[0x8825] = {1: "N", 2: (50.0, 51.0, 30.0), 3: "E", 4: (4.0, 22.0, 10.0)}
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif.tobytes(), comment=HER["email"].encode())
    return buf.getvalue()


def receipt_png_with_text() -> bytes:
    info = PngInfo()
    info.add_text("Author", HER["name"])
    info.add_itxt("Description", f"{HER['payee_iban']} {HER['document_number']}")
    buf = io.BytesIO()
    Image.new("RGB", (10, 10), (1, 2, 3)).save(buf, "PNG", pnginfo=info)
    return buf.getvalue()


# ---------------------------------------------------------------- the run


def run_main(argv: list[str], input: str | None) -> subprocess.CompletedProcess[str]:
    """``coopledger ARGV`` in this process (the same ``main`` as the command; many times
    faster than a new interpreter per command), its output and errors captured."""
    out, err = io.StringIO(), io.StringIO()
    with (
        redirect_stdout(out),
        redirect_stderr(err),
        mock.patch("sys.stdin", io.StringIO(input or "")),
    ):
        try:
            code = main(argv)
        except SystemExit as exc:  # usage errors
            code = int(exc.code or 0)
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


class Hub:
    """A hub's books driven through the CLI; every output is kept for the search."""

    def __init__(self, cli: Any, tmp: Path) -> None:
        self.cli, self.tmp = cli, tmp
        self.root = tmp / "books"
        self.code = ""  # the participant the fixture onboards
        self.outputs: list[str] = []
        self.revealed: list[str] = []  # outputs whose job is to show a value (with the key)

    def run(self, *args: str, ok: bool = True, input: str | None = None,
            reveal: bool = False) -> subprocess.CompletedProcess[str]:  # fmt: skip
        proc = run_main([*args, "--books", str(self.root)], input)
        (self.revealed if reveal else self.outputs).append(proc.stdout + proc.stderr)
        if ok:
            assert proc.returncode == 0, f"{args}: {proc.stdout}\n{proc.stderr}"
        else:
            assert proc.returncode in (1, 2), f"{args}: {proc.returncode}\n{proc.stderr}"
            assert proc.stderr.count("\n") == 1, proc.stderr  # one line
        return proc

    def json(self, *args: str, **kw: Any) -> Any:
        return json.loads(self.run(*args, "--json", **kw).stdout)

    def refused(self, *args: str, input: str | None = None, words: str = "") -> str:
        before = (tree_digest(self.root), git_state(self.root))
        proc = self.run(*args, ok=False, input=input)
        assert (tree_digest(self.root), git_state(self.root)) == before, args
        assert words.lower() in proc.stderr.lower(), proc.stderr
        return proc.stderr

    def write(self, name: str, payload: bytes) -> str:
        path = self.tmp / name
        path.write_bytes(payload)
        return str(path)

    def bank_ref(self, predicate: Any) -> str:
        """The bank-ref of the (single) bank entry of the books that matches."""
        entries = Books.open(self.root).load().entries
        found = [e for e in entries if e.meta.get("kind") == "bank" and e.meta.get("bank-ref")
                 and hasattr(e, "postings") and predicate(e)]  # fmt: skip
        assert len(found) == 1, found
        return str(found[0].meta["bank-ref"])


def amount_of(entry: Any) -> Decimal:
    return Decimal(entry.postings[0].units.number)


def test_every_command_keeps_identities_in_the_roster(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    hub = Hub(cli, tmp_path)
    recovery = tmp_path / "offline" / "recovery.key"
    hub.outputs.append(cli("init", str(hub.root), "--name", "Hub Test ASBL", "--enterprise-number",
        "0403170701", "--iban", HUB_IBAN, "--address", HUB_ADDRESS, "--start", f"{Y}-01-01",
        "--recovery-key-file", str(recovery)).stdout)  # fmt: skip

    # Onboarding: who she is only through --from-file (or a prompt without echo).
    her = hub.run("participant", "add", "--from-file", "-", "--activity", "catering",
                  "--date", f"{Y}-01-05", input=roster_file(HER)).stdout.splitlines()[-1]  # fmt: skip
    p2 = hub.run("participant", "add", "--from-file", "-", "--activity", "couture",
                 "--date", f"{Y}-01-05", input=roster_file(P2)).stdout.splitlines()[-1]  # fmt: skip
    p3 = hub.run("participant", "add", "--from-file", "-", "--date", f"{Y}-01-06",
                 input=roster_file(P3)).stdout.splitlines()[-1]  # fmt: skip
    hub.run("participant", "set-payee", p2, "--from-file", "-", input=roster_file(P2_PAYEE))
    hub.refused("participant", "add", "--alias", HER["alias"], words="command line")
    hub.refused(
        "participant",
        "add",
        "--from-file",
        "-",
        "--activity",
        "couture Sierrah",
        input=roster_file({"alias": "Fictive Extra (test)"}),
        words="--activity",
    )
    hub.refused("participant", "add", "--activity", "catering", "--alais", HER["name"])
    hub.refused("participant", "set-payee", p3, "--from-file", "-",
                input='iban = "BE71-0961-2345-6768"\nname = "Sierrah Tangora Fictiva"\n',
                words="invalid IBAN")  # fmt: skip

    # Clients: a business and a person; a client matching a participant is refused.
    client = hub.json("client", "add", "--name", "Client Fictif SRL", "--enterprise-number",
                      "0403170701", "--address", "Rue Cliente 2, 1000 Bruxelles")["id"]  # fmt: skip
    person = hub.json("client", "add", "--name", "Personne Cliente Fictive", "--address",
                      "Rue Test 3, 1000 Bruxelles")["id"]  # fmt: skip
    hub.refused("client", "add", "--name", HER["name"], words="--name")
    hub.refused("client", "add", "--name", "Client Lambda", "--email", HER["email"],
                words="--email")  # fmt: skip

    # Invoices: descriptions and reasons pass the roster guard.
    inv1 = hub.json("invoice", "issue", "--participant", her, "--client", client, "--line",
                    "Repas traiteur|10|20|0", "--date", f"{Y}-01-10", "--no-validate")  # fmt: skip
    inv2 = hub.json("invoice", "issue", "--participant", p2, "--client", person, "--line",
                    "Retouche|1|45|0", "--date", f"{Y}-01-12", "--no-validate")  # fmt: skip
    inv3 = hub.json("invoice", "issue", "--participant", her, "--client", client, "--line",
                    "Gâteaux|4|20|0", "--date", f"{Y}-01-13", "--no-validate")  # fmt: skip
    for bad in (f"Repas préparé par {HER['first_name']}|1|10|0", f"Traiteur {HER['phone']}|1|10|0",
                f"Livraison {HER['address']}|1|10|0", f"Repas {HER['alias']}|1|10|0"):  # fmt: skip
        hub.refused("invoice", "issue", "--participant", her, "--client", client, "--line", bad,
                    "--date", f"{Y}-01-14", "--no-validate", words="--line 1")  # fmt: skip
    hub.refused("invoice", "credit", inv3["number"], "--line", "Gâteaux|1|20|0", "--reason",
                f"erreur de {HER['last_name']}", words="--reason")  # fmt: skip
    hub.run("invoice", "credit", inv3["number"], "--line", "Gâteaux|1|20|0", "--reason",
            "un gâteau de moins", "--date", f"{Y}-01-15")  # fmt: skip
    hub.run("invoice", "list")
    hub.run("invoice", "list", "--json")
    hub.run("invoice", "show", inv1["number"])

    # January, CODA: the client pays by OGM; she pays an invoice from her own account with
    # her name and phone in the text; a cash deposit names her.
    ogm2 = inv2["ogm"]
    # Cash for the cash box (never below zero): withdrawn at the bank, the debit on the
    # statement names our CASH-… id.
    withdrawal = hub.json("cash", "withdraw", "100.00", "--date", f"{Y}-01-19")["cash"]
    jan = coda_file("1000.00", [
        move(d(1, 19), "-100.00", "C9-0", communication=f"RETRAIT {withdrawal}"),
        move(d(1, 20), "200.00", "C9-1", counterparty_name="Client Fictif SRL",
             counterparty_account=CLIENT_IBAN, ogm=inv1["ogm"], communication=inv1["ogm"]),
        move(d(1, 21), "45.00", "C9-2", counterparty_name=HER["name"], counterparty_account=HER_IBAN,
             communication=f"+++{ogm2[:3]}/{ogm2[3:7]}/{ogm2[7:]}+++ {HER['name']} {HER['phone']}"),
        move(d(1, 22), "60.00", "C9-3", communication=f"VERSEMENT ESPECES {HER['name']}"),
    ], "001")  # fmt: skip
    hub.run("import", hub.write("jan.cod", jan), "--dry-run")
    hub.run("import", hub.write("jan.cod", jan), "--json")

    # Payouts: by bank to the roster's payout account (never on the command line).
    hub.refused("payout", p3, "1.00", "--method", "bank", "--date", f"{Y}-01-25",
                words="set-payee")  # fmt: skip
    hub.run("participant", "set-payee", her, "--from-file", "-",
            input=roster_file({"iban": HER["payee_iban"], "name": HER["payee_name"]}))  # fmt: skip
    hub.refused("payout", her, "50.00", "--method", "bank", "--iban", HER_IBAN, words="--iban")
    po1 = hub.json("payout", her, "50.00", "--method", "bank", "--date", f"{Y}-01-25")
    po2 = hub.json("payout", p2, "10.00", "--method", "bank", "--date", f"{Y}-01-26")
    hub.run("payout", her, "20.00", "--method", "cash", "--date", f"{Y}-01-27")
    hub.run("payout", "list")
    hub.refused("payout", "export", "--out", str(tmp_path / "x.xml"), "--name",
                f"{po1['payout']}={HER['name']}", words="--name")  # fmt: skip
    sepa = tmp_path / "sepa.xml"
    hub.run("payout", "export", "--out", str(sepa))  # executed today: never in the past
    assert sepa.stat().st_mode & 0o077 == 0 and HER_IBAN in sepa.read_text()

    # February, camt.053 without RmtInf: the bank's AddtlNtryInf names her in full.
    feb = camt_file("1205.00", [
        {"day": d(2, 3), "amount": "-50.00", "e2e": po1["payout"], "name": HER["name"],
         "iban": HER_IBAN, "info": f"VIREMENT {po1['payout']} VERS {HER['name']} {HER['payee_iban']}"
                                   f" {HER['address']}"},
        {"day": d(2, 4), "amount": "20.00", "name": HER["name"], "iban": HER_IBAN,
         "info": f"DEPOT {HER['email']} {HER['document_number']}"},
    ], "2")  # fmt: skip
    hub.run("import", hub.write("feb.xml", feb))

    # March, MT940: the payout to P2 and a deposit from her, :86: in full.
    mar = mt940_file("1175.00", [
        (d(3, 2), "-10.00", "T9-1", f"/EREF/{po2['payout']}/CNTP/{P2_IBAN}/GEBABEBB/"
         f"{P2_PAYEE['name']}/Rue Fictive 5 1000 Bruxelles/REMI/USTD//Uitbetaling {P2_PAYEE['name']}/"),
        (d(3, 3), "15.00", "T9-2", f"{HER['name']} {HER_IBAN} {HER['address']} depot"),
    ], "3")  # fmt: skip
    hub.run("import", hub.write("mar.sta", mar))

    # A cost paid by bank, and its receipts: metadata, EXIF and text chunks carry her values.
    receipt = hub.write("ticket.pdf", receipt_pdf_with_metadata())
    cost = hub.json("expense", "add", "--participant", her, "--amount", "12.00", "--description",
                    "ingrédients", "--supplier", "Marché Fictif SRL", "--receipt", receipt,
                    "--paid-from", "bank", "--date", f"{Y}-03-05")  # fmt: skip
    hub.json("expense", "add", "--participant", her, "--amount", "3.00", "--description", "sel",
             "--receipt", hub.write("photo.jpg", receipt_jpeg_with_exif()), "--paid-from",
             "cash", "--date", f"{Y}-03-06")  # fmt: skip
    hub.json("expense", "add", "--amount", "2.00", "--description", "timbres", "--receipt",
             hub.write("scan.png", receipt_png_with_text()), "--paid-from", "cash",
             "--account", "services", "--date", f"{Y}-03-06")  # fmt: skip
    named = hub.write(f"ticket-{HER['first_name']}-{HER['last_name']}.txt", b"not a receipt")
    hub.refused("expense", "add", "--participant", her, "--amount", "1.00", "--description",
                "sel", "--receipt", named, "--paid-from", "cash", words="not a pdf")  # fmt: skip
    made_out = hub.write("made-out.pdf", receipt_pdf_with_metadata(f"Facture a {HER['name']}"))
    hub.refused("expense", "add", "--participant", her, "--amount", "1.00", "--description",
                "sel", "--receipt", made_out, "--paid-from", "cash", words="names a participant")  # fmt: skip
    hub.refused("expense", "add", "--participant", her, "--amount", "1.00", "--description",
                f"courses pour {HER['name']}", "--paid-from", "cash", words="--description")  # fmt: skip
    hub.refused("expense", "add", "--participant", her, "--amount", "1.00", "--description",
                "sel", "--supplier", HER["phone"], "--paid-from", "cash", words="--supplier")  # fmt: skip

    # April, a BNP CSV: the cost's debit, and a deposit from her whose Details say it all.
    apr = bnp_csv([
        (f"{Y}-0201", d(4, 2), "-12.00", SUPPLIER_IBAN, "Marché Fictif SRL",
         cost["expense"], "BETALING AAN MARCHE FICTIF"),
        (f"{Y}-0202", d(4, 3), "25.00", HER["payee_iban"], HER["name"], "storting",
         f"STORTING VAN {HER['name']} {HER['address']} {HER['phone']}"),
    ])  # fmt: skip
    hub.run("import", hub.write("apr.csv", apr))

    # Reconciliation: automatic, then decisions; the queue shows only what the books keep.
    hub.run("reconcile", "--auto")
    queue = hub.json("reconcile", "--list")
    assert queue["queue"], "deposits from her wait for a decision"
    hub.run("reconcile", input="s\ns\ns\ns\ns\n")
    cash = hub.bank_ref(lambda e: amount_of(e) == Decimal("60.00"))
    hub.refused("reconcile", "--assign", cash, HER["name"], words="unknown target")
    hub.run("reconcile", "--assign", cash, inv3["number"])
    for amount in ("20.00", "15.00", "25.00"):
        ref = hub.bank_ref(lambda e, a=amount: amount_of(e) == Decimal(a))
        hub.run("reconcile", "--assign", ref, "other_income")
    withdrawn = hub.bank_ref(lambda e: amount_of(e) == Decimal("-100.00"))
    if any(q["ref"] == withdrawn for q in hub.json("reconcile", "--list")["queue"]):
        hub.run("reconcile", "--assign", withdrawn, withdrawal.lower())
    assert hub.json("reconcile", "--list")["queue"] == []
    shown = hub.run("bank-line", "show", cash, reveal=True).stdout
    assert HER["name"] in shown  # what the bank wrote, decrypted in memory, for the treasurer

    # Grants, the contribution, participants, statements, the year's close.
    hub.refused("grant", "add", "sierrah-tangora", "--amount", "100", "--date", f"{Y}-02-01",
                words="FUNDER_ID")  # fmt: skip
    hub.refused("grant", "add", "fondation-fictive", "--amount", "100", "--date", f"{Y}-02-01",
                "--purpose", f"soutien à {HER['alias']}", words="--purpose")  # fmt: skip
    hub.run("grant", "add", "fondation-fictive", "--amount", "500", "--date", f"{Y}-02-01",
            "--purpose", "outils des activités", "--restricted")  # fmt: skip
    hub.run("grant", "list")
    hub.run("contribution", "show")
    hub.run("participant", "close", p3, "--date", f"{Y}-03-01")
    hub.run("participant", "list")
    hub.run("participant", "list", "--retention")
    hub.run("participant", "list", "--json")
    for code in (her, p2, p3):
        hub.run("participant", "show", code, "--pseudonymous")
        hub.run("participant", "show", code, "--pseudonymous", "--json")
        hub.run("participant", "statement", code, "--out", str(tmp_path / f"{code}.pdf"))
    revealed = json.loads(hub.run("participant", "show", her, "--json", reveal=True).stdout)
    assert revealed["alias"] == HER["alias"]
    hub.refused("participant", "show", HER["name"], words="not a participant code")
    hub.refused("participant", "purge", her, words="open")
    hub.run("close-year", str(Y))
    hub.run("check")
    hub.run("check", "--json")
    hub.run("verify")
    hub.run("key", "list")

    # Fava's pages.
    app = make_app(Books.open(hub.root), read_only=True).test_client()
    slug = "hub-test-asbl"
    for page in ("income_statement/", "balance_sheet/", "journal/", "extension/Participants/",
                 "api/income_statement", "errors/", "documents/", "events/", "query/"):  # fmt: skip
        response = app.get(f"/{slug}/{page}")
        assert response.status_code == 200, page
        hub.outputs.append(response.get_data(as_text=True))

    # The search: nothing, anywhere.
    assert scan_tree(hub.root) == []
    history = git_history(hub.root)
    assert len(history) > 5000 and hits(history) == []
    assert "Trésorerie" in history  # commits authored as the hub, not as a person
    for output in hub.outputs:
        assert hits(output) == [], output[:400]
    pdfs = [*hub.root.rglob("*.pdf"), *tmp_path.glob("P-*.pdf")]
    assert len(pdfs) >= 8  # invoices, credit note, cash receipts, receipts, statements
    for pdf in pdfs:
        assert hits(pdf_report(pdf)) == [], pdf
    ubl = list(hub.root.rglob("*.xml"))
    assert ubl and all(hits(p.read_text()) == [] for p in ubl)
    archives = list(hub.root.rglob("*.age"))
    assert len([a for a in archives if "documents" in a.parts]) == 4  # one per bank file
    stranger = x25519.Identity.generate()
    for archive in archives:
        with pytest.raises(pyrage.DecryptError):
            pyrage.decrypt(archive.read_bytes(), [stranger])
    # The receipts were stored clean: no EXIF, no document information, no XMP.
    for stored in (hub.root / "documents" / "receipts").rglob("*.*"):
        if stored.suffix in (".jpg", ".png"):
            with Image.open(stored) as image:
                assert not image.getexif() and not {k for k in image.info if k not in (
                    "jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi")}  # fmt: skip
        else:
            reader = PdfReader(stored)
            assert reader.metadata is None and reader.xmp_metadata is None
            assert "/Annots" not in reader.pages[0]


# ---------------------------------------------------------------- the leaks, one by one


@pytest.fixture
def hub(cli, tmp_path: Path) -> Hub:  # type: ignore[no-untyped-def]
    """Books with her (every roster field) and a business client."""
    h = Hub(cli, tmp_path)
    cli("init", str(h.root), "--name", "Hub Test ASBL", "--enterprise-number", "0403170701",
        "--iban", HUB_IBAN, "--address", HUB_ADDRESS, "--start", f"{Y}-01-01",
        "--recovery-key-file", str(tmp_path / "recovery.key"))  # fmt: skip
    h.code = h.run("participant", "add", "--from-file", "-", "--date", f"{Y}-01-05",
                   input=roster_file(HER)).stdout.splitlines()[-1]  # fmt: skip
    return h


def bank_entries(root: Path) -> list[Any]:
    return [
        e for e in Books.open(root).load().entries
        if isinstance(e, data.Transaction) and e.meta.get("kind") == "bank"
    ]  # fmt: skip


def test_leak_9_1_bank_free_text_never_reaches_the_books(hub: Hub) -> None:
    code = hub.code
    client = hub.json("client", "add", "--name", "Client Fictif SRL", "--enterprise-number",
                      "0403170701")["id"]  # fmt: skip
    inv = hub.json("invoice", "issue", "--participant", code, "--client", client, "--line",
                   "Repas|1|100|0", "--date", f"{Y}-01-10", "--no-validate")  # fmt: skip
    hub.run("participant", "set-payee", code, "--from-file", "-",
            input=roster_file({"iban": HER_IBAN, "name": HER["name"]}))  # fmt: skip
    hub.run("import", hub.write("jan.cod", coda_file("0.00", [
        move(d(1, 20), "100.00", "L1-1", counterparty_name="Client Fictif SRL",
             counterparty_account=CLIENT_IBAN, ogm=inv["ogm"], communication=inv["ogm"]),
    ], "001")))  # fmt: skip
    po = hub.json("payout", code, "40.00", "--method", "bank", "--date", f"{Y}-01-25")
    # The payout's debit, in each format's own words: MT940 :86:, camt AddtlNtryInf (no
    # RmtInf), a BNP CSV's Details column.
    words = f"{HER['name']} {HER_IBAN} {HER['address']}"
    hub.run("import", hub.write("feb.sta", mt940_file("100.00", [
        (d(2, 3), "-40.00", "L1-2", f"/EREF/{po['payout']}/CNTP/{HER_IBAN}/GEBABEBB/{HER['name']}"
         f"/{HER['address']}/REMI/USTD//{words}/"),
    ], "2")))  # fmt: skip
    hub.run("import", hub.write("mar.xml", camt_file("60.00", [
        {"day": d(3, 3), "amount": "-1.00", "name": HER["name"], "iban": HER_IBAN, "info": words},
    ], "3")))  # fmt: skip
    hub.run("import", hub.write("apr.csv", bnp_csv([
        (f"{Y}-0301", d(4, 2), "-2.00", HER["payee_iban"], HER["name"], "", f"AAN {words}"),
    ])))  # fmt: skip
    entries = bank_entries(hub.root)
    assert len(entries) == 4
    debit = next(e for e in entries if amount_of(e) == Decimal("-40.00"))
    # After matching, the debit is tied to her payout (and so to her code) — and carries
    # nothing but references: the last four characters of the account, the payout's id.
    hub.run("reconcile", "--auto")
    text = "".join(p.read_text() for p in hub.root.rglob("*.beancount"))
    assert po["payout"].lower() in text and code in text
    assert set(debit.meta) - {"filename", "lineno", "__tolerances__"} <= {
        "kind",
        "bank-ref",
        "counterparty-iban-last4",
        "references",
        "end-to-end-id",
        "ogm",
    }
    for amount in ("-1.00", "-2.00"):  # nothing may wait in suspense at a close
        ref = hub.bank_ref(lambda e, a=amount: amount_of(e) == Decimal(a))
        hub.run("reconcile", "--assign", ref, "bank_fees")
    hub.run("close-year", str(Y))
    assert scan_tree(hub.root) == [] and hits(git_history(hub.root)) == []


def test_leak_9_2_money_from_a_participant_keeps_no_name_nor_iban(hub: Hub) -> None:
    hub.run("import", hub.write("jan.cod", coda_file("0.00", [
        move(d(1, 20), "30.00", "L2-1", counterparty_name=HER["name"],
             counterparty_account=HER_IBAN, communication="depot"),
        move(d(1, 21), "5.00", "L2-2", communication=f"VERSEMENT ESPECES {HER['first_name']}"),
    ], "001")))  # fmt: skip
    deposit, cash = sorted(bank_entries(hub.root), key=lambda e: e.date)
    assert "counterparty" not in deposit.meta and "counterparty-iban" not in deposit.meta
    assert deposit.meta["counterparty-iban-last4"] == HER_IBAN[-4:]  # what payouts keep too
    assert "communication" not in cash.meta and "counterparty" not in cash.meta
    assert scan_tree(hub.root) == []


def test_leak_9_3_free_text_fields_refuse_identities(hub: Hub, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code = hub.code
    client = hub.json("client", "add", "--name", "Client Fictif SRL", "--enterprise-number",
                      "0403170701")["id"]  # fmt: skip
    inv = hub.json("invoice", "issue", "--participant", code, "--client", client, "--line",
                   "Repas|1|100|0", "--date", f"{Y}-01-10", "--no-validate")  # fmt: skip
    cases = [
        (("invoice", "issue", "--participant", code, "--client", client, "--line",
          f"Repas {HER['nationality']}|1|1|0", "--no-validate"), "--line 1"),
        (("invoice", "credit", inv["number"], "--reason", f"voir {HER['email']}"), "--reason"),
        (("expense", "add", "--amount", "1", "--description", f"taxi {HER['last_name']}",
          "--paid-from", "cash", "--account", "services"), "--description"),
        (("expense", "add", "--amount", "1", "--description", "taxi", "--supplier",
          HER["emergency_contact"], "--paid-from", "cash", "--account", "services"), "--supplier"),
        (("grant", "add", "fondation-x", "--amount", "1", "--purpose", HER["document_number"]),
         "--purpose"),
        (("participant", "add", "--activity", f"couture {HER['birth_place']}"), "--activity"),
        (("client", "add", "--name", HER["emergency_contact"]), "--name"),
    ]  # fmt: skip
    for args, field in cases:
        message = hub.refused(*args, words=field)
        assert hits(message) == [], message
    # Without the key, the shapes (phone, IBAN, e-mail, address) are still refused.
    key = next((Path(cli.env["XDG_CONFIG_HOME"]) / "coopledger" / "keys").glob("*.key"))
    key.rename(tmp_path / "away.key")
    for text in ("appeler le 0470 99 88 77", "BE71 0961 2345 6769", "x@example.invalid",
                 "livré Rue Haute 12"):  # fmt: skip
        hub.refused("expense", "add", "--amount", "1", "--description", text, "--paid-from",
                    "cash", "--account", "services", words="--description")  # fmt: skip
    hub.run("expense", "add", "--amount", "1", "--description", "taxi", "--paid-from", "bank",
            "--account", "services", "--date", f"{Y}-02-01")  # fmt: skip
    # And a hand edit that slips one in is reported by the privacy plugin, with its line.
    (hub.root / "hand.beancount").write_text(
        f'{Y}-02-02 * "Taxi, tel 0470 99 88 77"\n  Expenses:Services-et-biens-divers 1 EUR\n'
        "  Assets:Caisse -1 EUR\n"
    )
    with (hub.root / "main.beancount").open("a") as main:
        main.write('include "hand.beancount"\n')
    check = cli("check", "--books", str(hub.root), check=False)
    assert check.returncode == 1
    assert any(line.startswith("hand.beancount:1: the narration holds a phone number")
               for line in check.stderr.splitlines()), check.stderr  # fmt: skip
    assert "0470" not in check.stderr


def test_leak_9_4_receipts_are_stored_without_their_metadata(hub: Hub) -> None:
    code = hub.code
    for name, payload in (("t.pdf", receipt_pdf_with_metadata()),
                          ("t.jpg", receipt_jpeg_with_exif()), ("t.png", receipt_png_with_text())):  # fmt: skip
        original = hub.write(name, payload)
        booked = hub.json("expense", "add", "--participant", code, "--amount", "1.00",
                          "--description", "sel", "--receipt", original, "--paid-from",
                          "participant", "--date", f"{Y}-02-01")  # fmt: skip
        stored = (hub.root / booked["receipt"]).read_bytes()
        assert stored != payload and hits(stored.decode("latin-1")) == []
        assert not any(payload in p.read_bytes() for p in hub.root.rglob("*") if p.is_file())
    assert scan_tree(hub.root) == [] and hits(git_history(hub.root)) == []
    jpeg = next(hub.root.rglob("*.jpg"))
    with Image.open(jpeg) as image:
        assert image.size == (12, 24)  # turned upright by its EXIF orientation, then dropped
    hub.refused("expense", "add", "--participant", code, "--amount", "1.00", "--description",
                "sel", "--receipt", hub.write("x.gif", b"GIF89a fake"), "--paid-from", "cash",
                words="not a pdf, png or jpeg")  # fmt: skip


def test_leak_9_5_personal_values_are_never_taken_on_the_command_line(hub: Hub) -> None:
    code = hub.code
    for args, option in (
        (("participant", "add", "--alias", HER["alias"]), "--alias"),
        (("payout", code, "10", "--method", "bank", "--iban", HER_IBAN), "--iban"),
        (("payout", "export", "--out", "x.xml", "--iban", f"{code}={HER_IBAN}"), "--iban"),
        (("payout", "export", "--out", "x.xml", "--name", f"{code}={HER['name']}"), "--name"),
    ):
        message = hub.refused(*args, words=option)
        assert "command line" in message and hits(message) == []
    # Without a terminal and without --from-file, nothing personal is asked nor stored.
    bare = hub.run("participant", "add", "--activity", "repair").stdout.splitlines()[-1]
    assert read_roster(Books.open(hub.root)).participants[bare].alias == ""
    # A terminal is asked without echo (getpass), in a pseudo-terminal.
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.execvpe(sys.executable, [sys.executable, "-m", "ledger.cli", "participant", "set-payee",
                   code, "--books", str(hub.root)], hub.cli.env)  # fmt: skip
    seen = b""
    for answer in (HER_IBAN, HER["name"]):
        while b"not shown" not in seen.split(b"\n")[-1]:
            seen += os.read(fd, 1024)
        os.write(fd, answer.encode() + b"\n")
        seen += b"\n"
    while True:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.waitpid(pid, 0)
    assert b"stored in the encrypted roster" in seen
    assert HER_IBAN.encode() not in seen and HER["name"].encode() not in seen  # no echo
    assert read_roster(Books.open(hub.root)).participants[code].payee is not None


def test_leak_9_6_the_recovery_key_and_added_recipients_are_committed(
    hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    books = Books.open(hub.root)
    assert len(books.config.roster.recipients) == 2  # the hub key and the recovery key
    board = x25519.Identity.generate()
    hub.run("key", "add-recipient", str(board.to_public()))
    assert subprocess.run(["git", "-C", str(hub.root), "status", "--porcelain"],
                          capture_output=True, text=True, check=True).stdout == ""  # fmt: skip
    key = tmp_path / "board.key"
    key.write_text(f"{board}\n")
    key.chmod(0o600)
    monkeypatch.setenv("COOPLEDGER_KEY_FILE", str(key))
    assert read_roster(Books.open(hub.root)).participants[hub.code].alias == HER["alias"]
    monkeypatch.delenv("COOPLEDGER_KEY_FILE")
    hub.refused("key", "add-recipient", "age1notakey", words="not an age")
    hub.refused("key", "rotate", "--keep", str(x25519.Identity.generate().to_public()),
                words="--keep")  # fmt: skip


def test_leak_9_8_beangulp_archive_never_stores_a_statement_in_clear(tmp_path: Path) -> None:
    recipient = x25519.Identity.generate()
    settings = ImportSettings(banks=(BankRef(HUB_IBAN, "Assets:Banque:Courant"),),
                              recipients=(str(recipient.to_public()),))  # fmt: skip
    statement = coda_file("0.00", [move(d(1, 5), "9.00", "B1", counterparty_name=HER["name"],
                                        counterparty_account=HER_IBAN)], "001")  # fmt: skip
    inbox, docs = tmp_path / "inbox", tmp_path / "documents"
    inbox.mkdir()
    docs.mkdir()
    (inbox / "statement.cod").write_bytes(statement)
    clear = CliRunner().invoke(beangulp.Ingest(all_importers(settings)).cli,
                               ["archive", str(inbox), "-o", str(docs)])  # fmt: skip
    assert clear.exit_code != 0 and (inbox / "statement.cod").exists()
    assert not any(p.is_file() for p in docs.rglob("*"))
    safe = CliRunner().invoke(Ingest(all_importers(settings), settings.recipients).cli,
                              ["archive", str(inbox), "-o", str(docs)])  # fmt: skip
    assert safe.exit_code == 0, safe.output
    (stored,) = [p for p in docs.rglob("*") if p.is_file()]
    assert stored.suffix == ".age" and not (inbox / "statement.cod").exists()
    assert pyrage.decrypt(stored.read_bytes(), [recipient]) == statement
    docs_md = (Path(__file__).resolve().parents[1] / "docs" / "importing.md").read_text()
    assert "Do not use beangulp's own `archive`" in docs_md


def test_leak_9_9_errors_never_echo_what_was_typed(hub: Hub) -> None:
    code = hub.code
    typed = [
        (("participant", "set-payee", code, "--from-file", "-"), 'iban = "BE71-0961-2345-6768"\nname = "X"\n'),
        (("grant", "add", "fondation-x", "--amount", "1", "--funder-iban", "BE71-0961-2345-6768"), None),
        (("reconcile", "--assign", "nope", HER["name"]), None),
        (("participant", "show", HER["first_name"]), None),
        (("invoice", "issue", "--participant", code, "--client", HER["last_name"],
          "--line", "x|1|1|0", "--no-validate"), None),
        (("expense", "add", "--participant", code, "--amount", "1", "--description", "sel",
          "--receipt", str(hub.tmp / f"{HER['last_name']}.pdf"), "--paid-from", "cash"), None),
    ]  # fmt: skip
    for args, stdin in typed:
        message = hub.refused(*args, input=stdin)
        assert hits(message) == [] and "0961" not in message, message


# ---------------------------------------------------------------- erasure and keys


def roster_versions(root: Path) -> list[bytes]:
    """Every version of roster.age git has ever held."""
    revs = subprocess.run(["git", "-C", str(root), "rev-list", "--all", "--", "roster.age"],
                          capture_output=True, text=True, check=True).stdout.split()  # fmt: skip
    return [
        subprocess.run(["git", "-C", str(root), "show", f"{rev}:roster.age"],
                       capture_output=True, check=True).stdout
        for rev in revs
    ]  # fmt: skip


def test_purge_erases_her_record_from_every_version_in_git(hub: Hub, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code = hub.code
    other = hub.run("participant", "add", "--from-file", "-", "--date", f"{Y}-01-06",
                    input=roster_file(P2)).stdout.splitlines()[-1]  # fmt: skip
    hub.run("participant", "set-payee", code, "--from-file", "-",
            input=roster_file({"iban": HER_IBAN, "name": HER["name"]}))  # fmt: skip
    hub.run("participant", "close", code, "--date", f"{Y}-02-01")
    retention = {r["code"]: r for r in hub.json("participant", "list", "--retention")}
    assert retention[code]["retention_until"] == f"{Y + 10}-12-31"
    assert retention[other]["retention_until"] is None  # open: kept while she works with us
    # Before the retention date: refused, books unchanged; a court order allows it.
    hub.refused("participant", "purge", code, words=f"kept until {Y + 10}-12-31")
    hub.refused("participant", "purge", code, "--today", f"{Y + 10}-12-31", words="court-order")
    hub.run("participant", "purge", code, "--today", f"{Y + 11}-01-01")
    hub.refused("participant", "purge", code, "--today", f"{Y + 11}-01-01", words="already")
    hub.run("participant", "purge", other, "--court-order", "RG 2031/123/A")

    books = Books.open(hub.root)
    identities = [
        *load_identities(books.config, books.root),
        *read_key_file(tmp_path / "recovery.key"),
    ]
    keys = read_data_keys(books.root, books.config, identities) or {}
    assert code not in keys and other not in keys
    candidates = [*identities, *(x25519.Identity.from_str(k) for ks in keys.values() for k in ks)]
    versions = roster_versions(hub.root)
    assert len(versions) >= 5
    seen = 0
    for blob in versions:
        envelope = json.loads(pyrage.decrypt(blob, identities))
        assert envelope.get("version") == 2  # never a record in the envelope alone
        for purged in (code, other):
            record = envelope["participants"].get(purged)
            if record is None:
                continue
            seen += 1
            ciphertext = base64.b64decode(record["record"])
            for key in candidates:
                with pytest.raises(pyrage.DecryptError):
                    pyrage.decrypt(ciphertext, [key])
    assert seen >= 3
    hub.run("check")
    hub.run("verify")  # the books, which only ever held her code, still verify
    show = hub.run("participant", "show", code, reveal=True).stdout
    assert "purged on" in show and HER["alias"] not in show
    # What stays: her code in the books, which still verify.
    assert code in (hub.root / "participants.beancount").read_text()
    assert "roster: purge" in subprocess.run(["git", "-C", str(hub.root), "log", "--format=%s"],
                                             capture_output=True, text=True).stdout  # fmt: skip
    assert "RG 2031" not in git_history(hub.root)


def test_key_rotation_old_key_fails_new_and_recovery_keys_work(
    hub: Hub, cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    code = hub.code
    hub.run("import", hub.write("jan.cod", coda_file("0.00", [
        move(d(1, 20), "9.00", "R-1", counterparty_name=HER["name"], counterparty_account=HER_IBAN),
    ], "001")))  # fmt: skip
    books = Books.open(hub.root)
    old_key = read_key_file(key_path(books.config))
    old_recovery = read_key_file(tmp_path / "recovery.key")
    old_data_keys = (hub.root / "roster-keys.age").read_bytes()
    new_recovery = tmp_path / "recovery-2.key"
    hub.refused("key", "rotate", "--recovery-key-file", str(hub.root / "r.key"),
                words="inside the books")  # fmt: skip
    out = hub.run("key", "rotate", "--recovery-key-file", str(new_recovery)).stdout
    assert "AGE-SECRET-KEY" not in out
    books = Books.open(hub.root)
    assert len(books.config.roster.recipients) == 2
    assert subprocess.run(["git", "-C", str(hub.root), "status", "--porcelain"],
                          capture_output=True, text=True, check=True).stdout == ""  # fmt: skip
    files = [hub.root / "roster.age", hub.root / "roster-keys.age",
             *(hub.root / "documents").rglob("*.age")]  # fmt: skip
    assert len(files) == 3
    for old in (old_key, old_recovery):
        for path in files:
            with pytest.raises(pyrage.DecryptError):
                pyrage.decrypt(path.read_bytes(), old)
    for new in (read_key_file(key_path(books.config)), read_key_file(new_recovery)):
        for path in files:
            pyrage.decrypt(path.read_bytes(), new)
        opened = open_roster(books.root, books.config, files[0].read_bytes(), new)
        assert opened.roster.participants[code].alias == HER["alias"]
    # The old data keys (even with the old hub key) open no record of the new roster.
    old_keys = json.loads(pyrage.decrypt(old_data_keys, old_key))["keys"]
    envelope = json.loads(pyrage.decrypt(files[0].read_bytes(), read_key_file(new_recovery)))
    ciphertext = base64.b64decode(envelope["participants"][code]["record"])
    with pytest.raises(pyrage.DecryptError):
        pyrage.decrypt(ciphertext, [x25519.Identity.from_str(k) for k in old_keys[code]])
    assert not key_path(books.config).with_name(key_path(books.config).name + ".next").exists()
    assert re.search(r"key: rotate", git_history(hub.root))
    hub.run("bank-line", "show", bank_entries(hub.root)[0].meta["bank-ref"], reveal=True)
    hub.run("check")


def test_leak_9_3_a_fava_edit_with_a_roster_value_is_refused(hub: Hub) -> None:
    app = make_app(Books.open(hub.root), edit=True).test_client()
    before = (tree_digest(hub.root), git_state(hub.root))

    def entry(narration: str) -> dict[str, Any]:
        return {"t": "Transaction", "date": f"{Y}-02-10", "flag": "*", "payee": "",
                "narration": narration, "tags": [], "links": [], "meta": {},
                "postings": [{"account": "Assets:Caisse", "amount": "5.00 EUR"},
                             {"account": "Income:Dons", "amount": "-5.00 EUR"}]}  # fmt: skip

    refused = app.put("/hub-test-asbl/api/add_entries",
                      json={"entries": [entry(f"don de {HER['first_name']}")]})  # fmt: skip
    assert refused.status_code == 400
    assert hits(refused.get_data(as_text=True)) == []
    assert (tree_digest(hub.root), git_state(hub.root)) == before
    assert app.put("/hub-test-asbl/api/add_entries",
                   json={"entries": [entry("don anonyme")]}).status_code == 200  # fmt: skip


def test_qa_d4_a_roster_phone_without_its_0_is_refused(hub: Hub, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Her phone (``+32 470 99 88 77`` in the roster) written as its national number —
    no 0, no +32 — reached the PDF, the UBL and the books; it is refused like any writing of
    it, by the roster with the key and by its shape without (and in a hand edit)."""
    client = hub.json("client", "add", "--name", "Client Fictif SRL", "--enterprise-number",
                      "0403170701")["id"]  # fmt: skip

    def line(text: str) -> tuple[str, ...]:
        return ("invoice", "issue", "--participant", hub.code, "--client", client, "--line",
                f"{text}|1|10|0", "--no-validate", "--date", f"{Y}-03-01")  # fmt: skip

    for text in ("Rappeler au 470 99 88 77", "tel 470998877", "appel 470/99.88.77",
                 "joindre 0470998877", "sms 0032 470 99 88 77"):  # fmt: skip
        message = hub.refused(*line(text), words="--line 1")
        assert hits(message) == [] and "470" not in message, message
    # What looks like a number but is none stays accepted: amounts, OGMs, invoice and
    # enterprise numbers (the old nine digits too), dates.
    hub.run(*line("Repas du 12/04/2026, facture 2026-0001, 450,00 EUR +++090/9337/55493+++ "
                  "BE 403.170.701 et 0403.170.701, 4 x 12,50"))  # fmt: skip
    # Without the key the shape of a mobile number without its 0 is refused too.
    key = next((Path(cli.env["XDG_CONFIG_HOME"]) / "coopledger" / "keys").glob("*.key"))
    key.rename(tmp_path / "away.key")
    hub.refused("expense", "add", "--amount", "1", "--description", "taxi, 488 12 34 56",
                "--paid-from", "cash", "--account", "services", words="phone number")  # fmt: skip
    # A hand edit that writes one is reported by the privacy plugin, with its line.
    (hub.root / "hand.beancount").write_text(
        f'{Y}-02-02 * "Taxi, rappeler au 470 99 88 77"\n'
        "  Expenses:Services-et-biens-divers 1 EUR\n  Assets:Caisse -1 EUR\n"
    )
    with (hub.root / "main.beancount").open("a") as main:
        main.write('include "hand.beancount"\n')
    check = cli("check", "--books", str(hub.root), check=False)
    assert check.returncode == 1
    assert any(line.startswith("hand.beancount:1: the narration holds a phone number")
               for line in check.stderr.splitlines()), check.stderr  # fmt: skip
    assert "470" not in check.stderr


def test_qa22_a_phone_in_full_width_digits_is_a_phone() -> None:
    """Round 2 of the QA of stop 22: `tel ４８８ ９９ ８８ ７７` (full-width digits) was not
    seen, by the shapes nor the roster; compatibility characters are folded first."""
    from ledger.privacy.guard import TextGuard as Guard
    from ledger.privacy.patterns import pattern_problem as shape

    assert shape("tel ４８８ ９９ ８８ ７７") == "a phone number"
    assert shape("mail ｆｉｃｔｉｖｉａ＠example.invalid") == "an e-mail address"
    assert shape("Repas pour ４ personnes") is None
    assert Guard(["0488 99 88 77"], with_roster=True).matches_roster("appel ４８８９９８８７７")


def test_qa22_an_ogm_of_the_books_written_bare_is_no_account_number() -> None:
    """Round 2 of the QA of stop 22: an invoice's OGM written as its 12 digits in a
    narration was refused as an old Belgian account number (the check digits are the same
    mod 97); the books' own OGMs are not, any other such number still is."""
    from beancount import loader

    ogm = "202500006128"
    assert int(ogm[:10]) % 97 == int(ogm[10:]) or int(ogm[10:]) == 97
    head = """
plugin "plugins.privacy"
2026-01-01 open Assets:Clients EUR
2026-01-01 open Income:Ventes EUR
2026-02-01 * "Facture"
  kind: "invoice"
  ogm: "+++202/5000/06128+++"
  Assets:Clients  10.00 EUR
  Income:Ventes  -10.00 EUR
"""
    mine = (
        f'2026-02-02 * "rappel OGM {ogm}"\n  Assets:Clients  0.00 EUR\n  Income:Ventes  0.00 EUR\n'
    )
    other = '2026-02-03 * "compte 123456789002"\n  Assets:Clients  0.00 EUR\n  Income:Ventes  0.00 EUR\n'
    _e, errors, _o = loader.load_string(head + mine)
    assert not [e.message for e in errors if "narration" in e.message]
    _e, errors, _o = loader.load_string(head + other)
    assert any("a bank account number" in e.message for e in errors)
    # a bank line's reference is the payer's: it exempts nothing
    bank_line = head.replace('kind: "invoice"', 'kind: "bank"')
    _e, errors, _o = loader.load_string(bank_line + mine)
    assert any("a bank account number" in e.message for e in errors)
