"""The hub's language reaches the importers, invoicing, reports and plugins: their errors
are messages shown in French or Dutch by the command line, and the narrations coopledger
writes into the books (invoices, credit notes, bank lines) are in the hub's language.

The suite pins ``COOPLEDGER_LANG=en`` (conftest); these tests take it out of the
environment, so the books' ``default_lang`` decides, as for a treasurer.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import Cli
from tests_support import ENTERPRISE, IBAN, tree_digest

from importers.model import Movement, Statement
from ledger.books import Books
from ledger.demo.coda_writer import CodaHeader, write_coda
from ledger.i18n import LANG_ENV, shown
from ledger.loader import format_error

CLIENT_ENTERPRISE = "0202239951"
CLIENT_IBAN = "BE25944771278282"
HEADER = CodaHeader(bank_id="539", bic="GKCCBEBB", holder="HUB FICTIF ASBL")


def _env(cli: Cli) -> dict[str, str]:
    """The fixture's environment without any language setting: the books decide."""
    drop = (LANG_ENV, "LANG", "LC_ALL", "LC_MESSAGES")
    return {k: v for k, v in cli.env.items() if k not in drop}


class Hub:
    """Fictional books whose ``hub.toml`` says ``default_lang = LANG``, with one
    participant and one client."""

    def __init__(self, cli: Cli, root: Path, lang: str) -> None:
        self.cli, self.root, self.env = cli, root, _env(cli)
        cli("init", str(root), "--name", "Hub Fictif ASBL", "--enterprise-number", ENTERPRISE,
            "--iban", IBAN, "--start", "2026-01-01",
            "--address", "Rue de l'Essai 1, 1030 Schaerbeek")  # fmt: skip
        hub = root / "hub.toml"
        text = hub.read_text(encoding="utf-8")
        assert 'default_lang = "fr"' in text
        hub.write_text(text.replace('default_lang = "fr"', f'default_lang = "{lang}"'))
        git = ["git", "-C", str(root)]
        subprocess.run([*git, "commit", "-qam", "hub: the hub speaks " + lang, "--allow-empty"],
                       check=True, env=self.env)  # fmt: skip
        self.code = self("participant", "add", "--date", "2026-02-01").stdout.split()[-1]
        self.client = self(
            "client", "add", "--name", "Client Fictif SRL", "--enterprise-number",
            CLIENT_ENTERPRISE, "--address", "Rue Exemple 1, 1000 Bruxelles",
        ).stdout.split()[-1]  # fmt: skip

    def __call__(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.cli(*args, "--books", str(self.root), check=check, env=self.env)

    def issue(self, *extra: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self("invoice", "issue", "--participant", self.code, "--client", self.client,
                    "--date", "2026-03-02", "--no-validate", *extra, check=check)  # fmt: skip

    def books_text(self) -> str:
        return "\n".join(
            p.read_text(encoding="utf-8") for p in sorted(self.root.rglob("*.beancount"))
        )


@pytest.fixture(params=["fr", "nl"])
def hub(request: pytest.FixtureRequest, cli: Cli, tmp_path: Path) -> Hub:
    return Hub(cli, tmp_path / f"books-{request.param}", request.param)


def _move(day: dt.date, amount: str, text: str = "", ogm: str | None = None) -> Movement:
    return Movement(ref="", booking_date=day, value_date=day, amount=Decimal(amount),
                    currency="EUR", communication=text, ogm=ogm,
                    counterparty_name="Client Fictif SRL", counterparty_account=CLIENT_IBAN)  # fmt: skip


def _coda(*movements: Movement) -> bytes:
    total = sum((m.amount for m in movements), Decimal(0))
    statement = Statement(
        format="coda", account=IBAN, iban=IBAN, currency="EUR",
        opening_balance=Decimal("100.00"), opening_date=dt.date(2026, 3, 9),
        closing_balance=Decimal("100.00") + total, closing_date=dt.date(2026, 3, 10),
        sequence="001", movements=movements,
    )  # fmt: skip
    return write_coda([statement], HEADER, created=dt.date(2026, 3, 10))


SAID = {
    "fr": {
        "error": "coopledger : erreur : ",
        "truncated": "tronqué : le fichier se termine avant le trailer (enregistrement 9) "
        "de son dernier extrait",
        "client": "client inconnu 'C9999' (donnez un identifiant comme C0001",
        "due": "--due 2026-03-01 est antérieure à la date de la facture 2026-03-02",
        "seq": ": seq doit être 1, 2, 3…",
        "invoice": "Facture {number} à {client}",
        "credit": "Note de crédit {credit} sur la facture {number}",
        "paid": "Paiement de la facture {number}",
        "review": "Entrée d'argent, à examiner",
        "opening": "Solde d'ouverture de ",
    },
    "nl": {
        "error": "coopledger: fout: ",
        "truncated": "afgebroken: het bestand eindigt vóór de trailer (record 9) van het "
        "laatste uittreksel",
        "client": "onbekende klant 'C9999' (geef een id zoals C0001",
        "due": "--due 2026-03-01 ligt vóór de factuurdatum 2026-03-02",
        "seq": ": seq moet 1, 2, 3… zijn",
        "invoice": "Factuur {number} aan {client}",
        "credit": "Creditnota {credit} op factuur {number}",
        "paid": "Betaling van factuur {number}",
        "review": "Inkomend geld, na te kijken",
        "opening": "Beginsaldo van ",
    },
}


def _lang(hub: Hub) -> dict[str, str]:
    return SAID[hub.root.name.rsplit("-", 1)[1]]


def test_a_malformed_coda_file_is_refused_in_the_hubs_language(hub: Hub) -> None:
    said = _lang(hub)
    data = _coda(_move(dt.date(2026, 3, 10), "25.00", "Fictive transfer"))
    lines = data.decode("cp1252").splitlines(keepends=True)
    assert lines[-1].startswith("9")
    cut = hub.root.parent / "statement.cod"
    cut.write_bytes("".join(lines[:-1]).encode("cp1252"))
    before = tree_digest(hub.root)
    proc = hub("bank", "import", str(cut), check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith(said["error"]), proc.stderr
    assert said["truncated"] in proc.stderr, proc.stderr
    assert proc.stderr.count("\n") == 1
    assert tree_digest(hub.root) == before


def test_an_unknown_client_and_a_refused_invoice_are_said_in_the_hubs_language(hub: Hub) -> None:
    said = _lang(hub)
    before = tree_digest(hub.root)
    proc = hub("invoice", "issue", "--participant", hub.code, "--client", "C9999",
               "--line", "Buffet|2|50|0", "--date", "2026-03-02", "--no-validate",
               check=False)  # fmt: skip
    assert proc.returncode == 1 and proc.stderr.startswith(said["error"]), proc.stderr
    assert said["client"] in proc.stderr, proc.stderr
    proc = hub.issue("--line", "Buffet|2|50|0", "--due", "2026-03-01", check=False)
    assert proc.returncode == 1 and said["due"] in proc.stderr, proc.stderr
    assert tree_digest(hub.root) == before


# ``books check`` prints each error through ``shown()`` once the command line's messages
# are translated (ledger/cli/books.py, branch i18n-cli: ``say(error["where"], err=True)``);
# while it still prints ``error["where"]`` as it is, the English text shows: expected to fail.
@pytest.mark.xfail(
    'print(error["where"], file=sys.stderr)'
    in (Path(__file__).parents[1] / "ledger" / "cli" / "books.py").read_text(encoding="utf-8"),
    reason="ledger/cli/books.py prints error['where'] without shown() (i18n-cli fixes it)",
    strict=True,
)
def test_a_plugin_error_is_shown_by_books_check_in_the_hubs_language(hub: Hub) -> None:
    said = _lang(hub)
    hub.issue("--line", "Buffet|2|50|0")
    (entries,) = hub.root.glob("2026/invoices.beancount")
    text = entries.read_text(encoding="utf-8")
    assert "  seq: 1\n" in text
    entries.write_text(text.replace("  seq: 1\n", "  seq: 0\n"))  # a hand edit
    proc = hub("books", "check", check=False)
    assert proc.returncode == 1
    assert said["seq"] in proc.stderr, proc.stderr


def test_a_plugin_message_survives_the_loader_and_format_error(hub: Hub) -> None:
    """What ``books check`` prints: ``format_error`` keeps the plugin's message, which the
    command line shows in the hub's language (checked here without the printing)."""
    lang = hub.root.name.rsplit("-", 1)[1]
    hub.issue("--line", "Buffet|2|50|0")
    (entries,) = hub.root.glob("2026/invoices.beancount")
    entries.write_text(entries.read_text(encoding="utf-8").replace("  seq: 1\n", "  seq: 0\n"))
    ledger = Books.open(hub.root).load(strict=False)
    lines = [format_error(e, hub.root) for e in ledger.errors]
    seq = [line for line in lines if "seq must be 1, 2, 3" in line]
    assert seq, lines
    assert SAID[lang]["seq"] in shown(seq[0], lang)
    assert shown(seq[0], "en") == seq[0]


def test_narrations_are_written_in_the_hubs_language(hub: Hub) -> None:
    said = _lang(hub)
    hub.issue("--line", "Buffet|2|50|0")
    text = hub.books_text()
    number = re.search(r'invoice: "([^"]+)"', text)
    ogm = re.search(r'ogm: "([0-9]{12})"', text)
    assert number and ogm, text
    number_s = number.group(1)
    assert said["invoice"].format(number=number_s, client=hub.client) in text
    hub("invoice", "credit", number_s, "--line", "Buffet|1|50|0", "--date", "2026-03-05",
        "--no-validate")  # fmt: skip
    text = hub.books_text()
    credit = re.search(r'credit-note: "([^"]+)"', text)
    assert credit, text
    assert said["credit"].format(credit=credit.group(1), number=number_s) in text
    statement = hub.root.parent / "statement.cod"
    statement.write_bytes(_coda(
        _move(dt.date(2026, 3, 10), "50.00", ogm=ogm.group(1)),
        _move(dt.date(2026, 3, 10), "7.00", "Fictive gift"),
    ))  # fmt: skip
    hub("bank", "import", str(statement))
    text = hub.books_text()
    assert said["paid"].format(number=number_s) in text, text
    assert said["review"] in text, text
    assert said["opening"] in text, text
    # our words only: nothing English of ours is left in the books' narrations
    for english in ("Invoice ", "Credit note ", "Payment for invoice", "Money in, to review",
                    "Opening balance of"):  # fmt: skip
        assert f'"{english}' not in text, english
