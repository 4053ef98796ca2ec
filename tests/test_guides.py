"""The user guides (``docs/guide/fr.md``, ``docs/guide/nl.md``) stay true: every
``console`` block is run, in order, on a fresh hub, and what it shows must be printed.

The guides' conventions (what this test reads):

* a fenced block tagged ``console``: lines ``$ coopledger …`` (``\\`` continues a line;
  ``$ cd DIR`` moves), each followed by lines of what it prints. A shown line must be
  printed, in that order (other lines may come between); ``…`` stands for any text, and a
  participant code (``P-7K3Q9X``) for the code the books gave, which later commands then
  use. ``[exit N]`` says the command ends with code N (0 otherwise).
* ``<!-- file: NAME -->`` just before a fenced block: the block is written to NAME, in the
  folder where the guide starts (the books are one level down, after ``cd``).
* ``<!-- bank: PATH pays NUMBER -->``: the bank's statement the next commands import is
  written to PATH (``~`` is the guide's home): a CODA file of the project's own fictional
  writer (:mod:`ledger.demo.coda_writer`) where the client pays invoice NUMBER in full,
  today, with its structured communication.
* ``<!-- today: DATE -->``: the next commands run on DATE (``COOPLEDGER_TODAY``), e.g. in
  January of the next year, to close the year the guide walked.
* a command's ``~/`` is the guide's home (a folder of the test, as ``$XDG_DATA_HOME``,
  where the reports go from inside the books).
* the guides are written in 2026: ``2026`` stands for the current year and ``2027`` for
  the next one (commands use today's date).
* other blocks (``sh``, ``text``) are shown, not run (``serve`` runs until Ctrl-C).
* each guide runs as its reader's shell would, without ``COOPLEDGER_LANG``: the locale
  (``LANG=fr_BE.UTF-8`` for ``fr.md``, ``nl_BE.UTF-8`` for ``nl.md``) speaks before the
  books exist, then the hub's ``default_lang`` that ``books init --lang`` wrote: what a
  guide shows is what coopledger prints in its language.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
import subprocess
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from tests_support import git_state, run_cli, tree_digest

from importers import model
from ledger.dates import TODAY_ENV
from ledger.dates import today as calendar_today
from ledger.demo import coda_writer
from ledger.i18n import LANG_ENV

REPO = Path(__file__).resolve().parent.parent
GUIDES = [REPO / "docs" / "guide" / "fr.md", REPO / "docs" / "guide" / "nl.md"]
LOCALES = {"fr.md": "fr_BE.UTF-8", "nl.md": "nl_BE.UTF-8"}
STEP = re.compile(
    r"<!-- (?P<kind>file|bank|today): (?P<arg>[^\n]*?) -->\n"
    r"|```(?P<tag>\w*)\n(?P<body>.*?)```",
    re.S,
)
CODE = re.compile(r"P-[0-9A-Z]{6}")
YEARS = re.compile(r"\b202[67]")
HUB_IBAN = "BE68539007547034"  # the guides' hub (the textbook IBAN, no bank behind it)
CLIENT_IBAN = "BE25944771278282"  # a fictional client's account (valid check digits only)


def this_year(text: str) -> str:
    """The guide's text with its years (2026, 2027) made this year and the next."""
    year = calendar_today().year
    return YEARS.sub(lambda m: str(year + int(m[0]) - 2026), text)


def commands(body: str) -> list[tuple[str, list[str]]]:
    """(command line, shown lines) of a console block."""
    out: list[tuple[str, list[str]]] = []
    lines = iter(body.splitlines())
    for line in lines:
        if line.startswith("$ "):
            command = line[2:]
            while command.endswith("\\"):
                command = command[:-1] + next(lines).strip()
            out.append((command, []))
        elif out and line.strip():
            out[-1][1].append(line)
    return out


def pattern(shown: str) -> re.Pattern[str]:
    parts = re.split(r"(…|P-[0-9A-Z]{6})", " ".join(shown.split()))
    regex = "".join(
        ".*" if p == "…" else "(P-[0-9A-Z]{6})" if CODE.fullmatch(p) else re.escape(p)
        for p in parts
    )
    return re.compile(regex)


@dataclass
class Walk:
    """A guide being followed: where it is, in what environment, and what it learnt."""

    start: Path
    env: dict[str, str]
    cwd: Path = field(init=False)
    home: Path = field(init=False)
    codes: dict[str, str] = field(default_factory=dict)  # the guide's code → the books'
    ran: int = 0

    def __post_init__(self) -> None:
        self.cwd = self.start
        self.home = self.start.parent / "home"
        self.home.mkdir()
        self.env["HOME"] = self.env["XDG_DATA_HOME"] = str(self.home)

    def argv(self, command: str) -> list[str]:
        for mine, theirs in self.codes.items():
            command = command.replace(mine, theirs)
        return [str(self.home) + w[1:] if w.startswith("~/") else w for w in shlex.split(command)]

    def bank_file(self, arg: str) -> None:
        """The statement of ``<!-- bank: PATH pays NUMBER -->`` (fictional, CODA)."""
        found = re.fullmatch(r"(\S+) pays (\S+)", arg)
        assert found, arg
        path = Path(self.argv(found[1])[0])
        listed = run_cli(["--json", "invoice", "list"], env=self.env, cwd=self.cwd)
        invoice = next(i for i in json.loads(listed.stdout) if i["number"] == found[2])
        day = calendar_today()
        paid = model.Movement(
            ref="", bank_ref="G0010001", booking_date=day, value_date=day,
            amount=Decimal(invoice["outstanding"]), currency="EUR",
            counterparty_name="ATELIER FICTIF", counterparty_account=CLIENT_IBAN,
            communication="", ogm=invoice["ogm"],
        )  # fmt: skip
        statement = model.Statement(
            format="coda", account=HUB_IBAN, iban=HUB_IBAN, currency="EUR",
            opening_balance=Decimal(0), opening_date=day, closing_balance=paid.amount,
            closing_date=day, sequence="001", movements=(paid,),
        )  # fmt: skip
        header = coda_writer.CodaHeader(bank_id="539", holder="HUB FICTIF")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(coda_writer.write_coda([statement], header, created=day))

    def run(self, command: str, shown: list[str], where: str) -> None:
        argv = self.argv(command)
        if argv[0] == "cd":
            self.cwd = self.cwd / argv[1]
            return
        assert argv[0] == "coopledger", command
        exit_code = 0
        wanted = []
        for line in shown:
            found = re.fullmatch(r"\[exit (\d+)\]", line.strip())
            if found:
                exit_code = int(found[1])
            else:
                wanted.append(line)
        proc = run_cli(argv[1:], env=self.env, cwd=self.cwd)
        self.ran += 1
        printed = [" ".join(ln.split()) for ln in (proc.stdout + proc.stderr).splitlines()]
        assert "Traceback" not in proc.stderr, (command, proc.stderr)
        assert proc.returncode == exit_code, (command, proc.stdout, proc.stderr)
        at = 0
        for line in wanted:
            regex = pattern(line)
            while at < len(printed) and not regex.fullmatch(printed[at]):
                at += 1
            assert at < len(printed), (where, command, line, printed)
            match = regex.fullmatch(printed[at])
            assert match is not None
            for mine, theirs in zip(CODE.findall(line), match.groups(), strict=True):
                self.codes.setdefault(mine, theirs)
            at += 1


def follow(guide: Path, cli_env: dict[str, str], tmp_path: Path) -> Walk:
    """Every step of ``guide``, in order, on a fresh hub (see the module's docstring)."""
    text = this_year(guide.read_text(encoding="utf-8"))
    start = tmp_path / "work"  # files of the guide are written in ``start``
    start.mkdir()
    env = dict(cli_env)
    env.pop("COOPLEDGER_BOOKS", None)
    # each guide shows coopledger speaking its language, as a new treasurer's shell would
    # have it: no COOPLEDGER_LANG, the locale before the books exist, the hub's after
    for name in (LANG_ENV, "LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        env.pop(name, None)
    env["LANG"] = LOCALES[guide.name]
    walk = Walk(start, env)
    to_file = ""
    for step in STEP.finditer(text):
        kind, arg = step["kind"], step["arg"]
        if kind == "file":
            to_file = arg
        elif kind == "bank":
            walk.bank_file(arg)
        elif kind == "today":
            walk.env[TODAY_ENV] = dt.date.fromisoformat(arg).isoformat()
        elif to_file:
            (start / to_file).write_text(step["body"], encoding="utf-8")
            to_file = ""
        elif step["tag"] == "console":
            for command, shown in commands(step["body"]):
                walk.run(command, shown, guide.name)
    return walk


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_every_command_of_the_guide_runs_and_prints_what_it_shows(
    guide: Path, cli_env: dict[str, str], tmp_path: Path
) -> None:
    walk = follow(guide, cli_env, tmp_path)
    assert walk.ran >= 25, f"{guide.name} runs only {walk.ran} commands"
    books = walk.cwd
    check = run_cli(["books", "check"], env=walk.env, cwd=books)
    assert check.returncode == 0, check.stderr
    # nothing personal in the books, the history or the reports: the alias and the
    # file it came from stay outside
    alias = re.search(r'alias = "([^"]+)"', guide.read_text(encoding="utf-8"))
    assert alias is not None
    for path in [*books.rglob("*"), *walk.home.rglob("*")]:
        if path.is_file() and ".git/objects" not in path.as_posix():
            assert alias[1].encode() not in path.read_bytes(), path
    log = subprocess.run(
        ["git", "-C", str(books), "log", "-p", "--all"], capture_output=True, check=True
    ).stdout
    assert alias[1].encode() not in log


# A new treasurer's mistakes, after the French guide: each is said in one line of the
# guide's language, never repeats what was typed, and leaves the books byte-identical.
MISTAKES = [  # (what, the command line, as typed)
    ("a date typed the Belgian way",
     "invoice issue --participant {P} --client C0001 --line 'Retouches|1|10|0' --date 05/01/2027"),
    ("a date that is no day", "cash count 4,10 --date 2027-02-30"),
    ("a date to come", "cash sale 5 --participant {P} --date 2027-03-01"),
    ("an invoice number missing a digit", "invoice credit 2026-001 --line 'Retouche|1|1|0'"),
    ("an invoice that does not exist", "invoice show 2026-0009"),
    ("a participant code mistyped", "cash sale 5 --participant P-AAAAAA"),
    ("a client that does not exist",
     "invoice issue --participant {P} --client C0002 --line 'Retouches|1|10|0'"),
    ("a line with ; for |",
     "invoice issue --participant {P} --client C0001 --line 'Retouches;1;10;0'"),
    ("three decimals in an amount", "cash sale 12,505 --participant {P}"),
    ("not an amount", "payout add {P} 5,0,0 --method cash"),
    ("more than she holds", "payout add {P} 1000 --method cash"),
    ("more than the box holds",
     "expense add --amount 99 --paid-from cash --description Papier --supplier 'Papeterie Fictive'"),
    ("a credit larger than the invoice",
     "invoice credit 2026-0001 --line 'Retouche|1|99|0' --reason Erreur"),
    ("the refund paid twice", "cash refund NC2026-0001"),
    ("the client added twice", "client add --name 'Atelier Fictif SRL' --enterprise-number "
     "0403.170.701 --address \"Rue de l'Essai 3, 1060 Saint-Gilles\""),
    ("the year closed twice", "year close 2026"),
    ("a year of two digits", "year trial-balance 26"),
    ("a year to come", "year close 2027"),
    ("the pseudonym's file misnamed", "participant add --from-file ../alinne.toml"),
    ("the SEPA file inside the books", "payout export --out virements.xml"),
    ("a report inside the books", "report vat 2026 --out tva.pdf"),
    ("a command misspelt", "invoice isue"),
    ("a name on the command line", "participant add --alias 'Fictive Aline'"),
]  # fmt: skip


def test_a_new_treasurers_mistakes_change_nothing_and_say_so_in_one_line(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    walk = follow(GUIDES[0], cli_env, tmp_path)
    books = walk.cwd
    code = walk.codes["P-7K3Q9X"]
    before, history = tree_digest(books), git_state(books)
    for what, command in MISTAKES:
        argv = shlex.split(this_year(command).replace("{P}", code))
        proc = run_cli(argv, env=walk.env, cwd=books)
        lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip()]
        assert proc.returncode != 0, (what, proc.stdout)
        assert len(lines) == 1, (what, lines)
        assert lines[0].startswith("coopledger : erreur : "), (what, lines)  # French
        for typed in ("05/01", "2027-02-30", "12,505", "5,0,0",
                      "alinne", "isue", "Fictive Aline"):  # fmt: skip
            assert typed not in lines[0], (what, lines)  # (an id, a code: repeated)
        assert tree_digest(books) == before, what
        assert git_state(books) == history, what
    # and the steps a new treasurer may run twice change nothing: a rate set again, and
    # the statement imported again (after the close it is refused on one line: its balance
    # is read against the live books, which start with the year the close opened)
    statement = walk.home / this_year("Téléchargements/extrait-2026-12.cod")
    again = [["contribution", "set-rate", "12", "--since", this_year("2027-01-01")],
             ["bank", "import", str(statement)]]  # fmt: skip
    for args in again:
        proc = run_cli(args, env=walk.env, cwd=books)
        assert "Traceback" not in proc.stderr, (args, proc.stderr)
        assert proc.returncode == 0 or len(proc.stderr.strip().splitlines()) == 1, args
        assert tree_digest(books) == before and git_state(books) == history, args
