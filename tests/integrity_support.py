"""Closed books for the integrity tests: built once through the CLI, copied per test.

Year ``YEAR - 1`` and year ``YEAR`` (last year: every date is in the past) hold an issued
invoice with its PDF, UBL and JSON record, a credit note, and hand-written entries with a
cost, a price, a posting flag, posting metadata and tags (committed with
``--adopt-changes``). Both years are closed. All data is fictional.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from tests_support import ENTERPRISE, IBAN, run_cli

from ledger.dates import today as calendar_today

YEAR = calendar_today().year - 1
CLIENT_ENTERPRISE = "0202239951"  # valid checksum, fictional client

MANUAL = f"""\
{YEAR}-01-01 open Assets:Titres
  pcmn: "51"
{YEAR}-01-01 open Assets:Caisse-USD USD
  pcmn: "570"

{YEAR}-01-15 * "don de lancement" ^gift-1
  kind: "gift"
  Assets:Caisse            250.00 EUR
  Income:Dons             -250.00 EUR

{YEAR}-02-01 * "achat de parts" #parts
  kind: "manual"
  Assets:Titres                2 PARTS {{50.00 EUR}}
  Assets:Caisse             -100.00 EUR

{YEAR}-04-01 * "change"
  Assets:Caisse-USD          10.00 USD @ 0.90 EUR
    note: "billets"
  Assets:Caisse              -9.00 EUR

{YEAR}-06-01 * "frais"
  Expenses:Frais-bancaires   12.50 EUR
  Assets:Caisse             -12.50 EUR
"""

EARLIER = f"""\
{YEAR - 1}-05-01 * "don" ^gift-0
  kind: "gift"
  Assets:Caisse             40.00 EUR
  Income:Dons              -40.00 EUR

{YEAR - 1}-09-01 * "frais de l'an passé"
  Expenses:Frais-bancaires    3.00 EUR
  Assets:Caisse              -3.00 EUR
"""


def base_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        XDG_CONFIG_HOME=str(home / "xdg"),
        BEANCOUNT_DISABLE_LOAD_CACHE="1",
        GIT_AUTHOR_NAME="coopledger tests",
        GIT_AUTHOR_EMAIL="tests@example.invalid",
        GIT_COMMITTER_NAME="coopledger tests",
        GIT_COMMITTER_EMAIL="tests@example.invalid",
    )
    env.pop("COOPLEDGER_KEY_FILE", None)
    env.pop("COOPLEDGER_BOOKS", None)
    env.pop("COOPLEDGER_FAULT_INJECT", None)
    return env


def run(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = run_cli(args, env=env)
    if check and proc.returncode != 0:
        raise AssertionError(f"coopledger {' '.join(args)}: {proc.stdout}\n{proc.stderr}")
    return proc


def build_books(root: Path, env: dict[str, str], *, close: bool = True, signing: Path | None = None) -> None:  # fmt: skip
    """Two years of fictional books, issued documents included, closed unless told."""
    init = ["init", str(root), "--name", "Hub Test ASBL", "--enterprise-number", ENTERPRISE,
            "--iban", IBAN, "--address", "Rue de l'Essai 1, 1030 Schaerbeek",
            "--start", f"{YEAR - 1}-01-01"]  # fmt: skip
    if signing is not None:
        init += ["--signing-key", str(signing)]
    run(env, *init)
    b = ("--books", str(root))
    code = run(env, "participant", "add", *b, "--date", f"{YEAR - 1}-02-01").stdout.split()[-1]
    client = run(
        env, "client", "add", *b, "--name", "Client Fictif SRL", "--enterprise-number",
        CLIENT_ENTERPRISE, "--address", "Rue Exemple 1, 1000 Bruxelles",
    ).stdout.split()[-1]  # fmt: skip
    (root / f"{YEAR - 1}").mkdir(exist_ok=True)
    (root / f"{YEAR - 1}" / "manual.beancount").write_text(EARLIER)
    (root / f"{YEAR}").mkdir(exist_ok=True)
    (root / f"{YEAR}" / "manual.beancount").write_text(MANUAL)
    main = root / "main.beancount"
    main.write_text(
        main.read_text()
        + f'include "{YEAR - 1}/manual.beancount"\ninclude "{YEAR}/manual.beancount"\n'
    )
    run(env, "check", *b, "--adopt-changes")
    run(env, "invoice", "issue", *b, "--participant", code, "--client", client,
        "--line", "Buffet|2|50|0", "--date", f"{YEAR}-03-01", "--no-validate")  # fmt: skip
    run(env, "invoice", "credit", *b, f"{YEAR}-0001", "--line", "Buffet|1|50|0",
        "--date", f"{YEAR}-03-05", "--no-validate")  # fmt: skip
    if close:
        run(env, "close-year", str(YEAR - 1), *b)
        run(env, "close-year", str(YEAR), *b)


def copy_books(template: Path, target: Path) -> Path:
    shutil.copytree(template, target, symlinks=True)
    return target


def verify_json(env: dict[str, str], root: Path, *extra: str) -> tuple[int, dict[str, object]]:
    proc = run(env, "verify", "--books", str(root), "--json", *extra, check=False)
    return proc.returncode, json.loads(proc.stdout)


def line_of(path: Path, text: str) -> int:
    """1-based line number of the first line of ``path`` starting with ``text``."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if line.startswith(text):
            return number
    raise AssertionError(f"{text!r} not in {path}")


def git_commit_all(root: Path, env: dict[str, str], message: str) -> None:
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(root), "commit", "-qm", message], check=True, env=env)
