"""Bad input to ``coopledger report``: one line saying what and where, never a traceback,
the books byte-identical, nothing written into them; and the words of every report in
three languages."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from report_support import Hub, report, report_ok, report_subprocess
from tests_support import git_state, tree_digest

from ledger.i18n import catalogue
from reports.i18n import TEXTS, context

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("trial-balance", "--year", "2019"),
         "no entries in 2019: the books hold entries from 2025-01-05 to 2026-02-05"),
        (("annual-accounts", "2031"),
         "no entries in 2031: the books hold entries from 2025-01-05 to 2026-02-05"),
        (("fees-slips", "2019"),
         "no entries in 2019: the books hold entries from 2025-01-05 to 2026-02-05"),
        (("grant", "nope-2025", "--year", "2025"),
         "no grant (what was typed is not repeated) in the books (see 'coopledger grant list')"),
        (("grant", "fondation-test-2025", "--year", "2024"),
         "no grant fondation-test-2025 in the books by 2024-12-31 (see 'coopledger grant list')"),
        (("trial-balance", "--from", "2025-06-01", "--to", "2025-01-01"),
         "--to 2025-01-01 is before --from 2025-06-01"),
        (("trial-balance", "--year", "2025", "--from", "2025-01-01"),
         "give --year or --from/--to, not both"),
        (("fees-slips", "--from", "2025-01-01", "--to", "2025-06-30"),
         "fees-slips: give a calendar year (fees-slips YEAR)"),
        (("annual-accounts", "2025", "--format", "csv"),
         "Invalid value for '--format': is not one of 'pdf', 'xlsx' (what was typed is not repeated)"),
        (("treasurer", "--month", "2025-13"), "--month: expected YYYY-MM (what was typed is not repeated)"),
        (("participant", "X-1", "--year", "2025"),
         "error: not a participant code (expected P- and 6 characters)"),
    ],
)  # fmt: skip
def test_one_line_errors(hub: Hub, args: tuple[str, ...], message: str) -> None:
    before = (tree_digest(hub.root), git_state(hub.root))
    run = report(*args, "--books", str(hub.root))
    assert run.code in (1, 2) and run.stdout == ""
    assert run.stderr.count("\n") == 1 and message in run.stderr, run.stderr
    assert "X-1" not in run.stderr  # a typed code is never repeated (issue 9)
    assert (tree_digest(hub.root), git_state(hub.root)) == before


def test_output_inside_the_books_is_refused(hub: Hub) -> None:
    before = (tree_digest(hub.root), git_state(hub.root))
    for out in (hub.root / "tb.xlsx", hub.root / "documents" / "x.pdf", hub.root):
        run = report(
            "trial-balance", "--year", "2025", "--books", str(hub.root), "--out", str(out)
        )
        assert run.code == 1 and "inside the books" in run.stderr and run.stderr.count("\n") == 1
        assert str(hub.root) not in run.stderr  # the one --out rule names the option only
    # A symbolic link elsewhere that points into the books is inside them too.
    link = hub.root.parent / "into-the-books"
    link.symlink_to(hub.root / "documents", target_is_directory=True)
    try:
        run = report("trial-balance", "--year", "2025", "--books", str(hub.root),
                     "--out", f"{link}/tb.xlsx")  # fmt: skip
        assert run.code == 1 and "inside the books" in run.stderr
    finally:
        link.unlink()
    assert (tree_digest(hub.root), git_state(hub.root)) == before


def test_default_output_is_outside_the_books(
    hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run from inside the books, a report goes to $XDG_DATA_HOME, never into them."""
    data = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    monkeypatch.chdir(hub.root)
    before = tree_digest(hub.root)
    run = report_ok("trial-balance", "--year", "2025")
    target = data / "coopledger" / hub.books().config.id / "reports" / "trial-balance-2025.xlsx"
    assert str(target) in run.stdout and target.is_file()
    assert (target.stat().st_mode & 0o777) == 0o600
    assert tree_digest(hub.root) == before
    # From anywhere else: the current folder.
    monkeypatch.chdir(tmp_path)
    report_ok("trial-balance", "--year", "2025", "--books", str(hub.root))
    assert (tmp_path / "trial-balance-2025.xlsx").is_file()


def test_books_with_errors_are_refused_without_a_traceback(hub_copy: Hub) -> None:
    bad = hub_copy.root / "2025" / "manual.beancount"
    bad.write_text(
        '2025-12-30 * "déséquilibre"\n  Assets:Caisse  1.00 EUR\n  Income:Dons  -2.00 EUR\n'
    )
    main = hub_copy.root / "main.beancount"
    main.write_text(main.read_text() + 'include "2025/manual.beancount"\n')
    before = tree_digest(hub_copy.root)
    proc = report_subprocess(
        hub_copy.env(), "annual-accounts", "2025", "--books", str(hub_copy.root)
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    line = proc.stderr.strip()
    assert line.startswith("coopledger: error: the books have") and "\n" not in line
    assert "2025/manual.beancount:1" in line and "coopledger check" in line
    assert tree_digest(hub_copy.root) == before


def test_a_year_with_no_entries_in_a_subprocess(hub: Hub) -> None:
    proc = report_subprocess(hub.env(), "journals", "--year", "2024", "--books", str(hub.root))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert (
        proc.stderr
        == "coopledger: error: no entries in 2024: the books hold entries from 2025-01-05 to 2026-02-05\n"
    )


def test_every_word_of_the_reports_exists_in_three_languages_in_the_one_catalogue() -> None:
    used = set()
    for path in (REPO / "reports").glob("*.py"):
        used |= set(re.findall(r't\(lang, "([a-z0-9_.\-]+)"', path.read_text()))
    missing = sorted(k for k in used if k not in TEXTS)
    assert not missing
    # English is the source; French and Dutch come from the one catalogue, every one of them.
    for lang in ("fr", "nl"):
        words = catalogue(lang)
        assert [k for k, text in TEXTS.items() if (context(k), text) not in words] == []
    # Dynamic keys: rubrics, grids, statuses, models.
    from reports import rubrics

    dynamic = [r.key for r in (*rubrics.BALANCE_SHEET, *rubrics.INCOME_STATEMENT,
                               *rubrics.ASSETS_AND_DEBTS)]  # fmt: skip
    dynamic += [
        *rubrics.RECEIPTS,
        *rubrics.EXPENSES,
        "model.simplified",
        "model.micro",
        "model.abridged",
        "filing.simplified",
        "filing.micro",
        "filing.abridged",
    ]
    dynamic += [f"grid.{g}" for g in ("00", "01", "02", "03", "49", "54", "64", "59", "81",
                                      "82", "83", "71", "72")]  # fmt: skip
    dynamic += [f"status.{s}" for s in ("open", "partly-paid", "overdue", "paid", "credited")]
    assert [k for k in dynamic if k not in TEXTS] == []


def test_the_report_command_is_registered_and_cheap_to_parse() -> None:
    """``coopledger report --help`` lists every report without importing pandas or openpyxl
    (every command's module is imported on each run; the reporting layer only when a report
    runs)."""
    code = (
        "import sys; from ledger.cli import main; main(['report', '--help']); "
        "print('pandas' in sys.modules, 'openpyxl' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}, check=True)  # fmt: skip
    assert out.stdout.split()[-2:] == ["False", "False"]
    for name in ("trial-balance", "general-ledger", "journals", "annual-accounts", "vat",
                 "grant", "treasurer", "participant", "fees-slips"):  # fmt: skip
        assert name in out.stdout


def test_an_account_without_a_pcmn_code_stops_the_annual_accounts(hub_copy: Hub) -> None:
    """A hand-opened account with no PCMN code: the trial balance shows it without a code,
    the annual accounts refuse, naming it (every rubric is traced to PCMN ranges)."""
    extra = hub_copy.root / "2026" / "manual.beancount"
    extra.write_text(
        "2026-01-01 open Expenses:Divers-a-la-main EUR\n\n"
        '2026-02-10 * "frais divers"\n  kind: "manual"\n'
        "  Expenses:Divers-a-la-main  12.00 EUR\n  Assets:Caisse  -12.00 EUR\n"
    )
    main = hub_copy.root / "main.beancount"
    main.write_text(main.read_text() + 'include "2026/manual.beancount"\n')
    subprocess.run(["git", "-C", str(hub_copy.root), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(hub_copy.root), "commit", "-qm", "hand edit"], check=True)
    rows = report_ok(
        "trial-balance", "--year", "2026", "--books", str(hub_copy.root), "--json"
    ).json()
    assert {"pcmn": "", "account": "Expenses:Divers-a-la-main", "label": "Divers-a-la-main",
            "opening": "0.00", "debit": "12.00", "credit": "0.00", "closing": "12.00"} in rows["accounts"]  # fmt: skip
    run = report("annual-accounts", "2026", "--books", str(hub_copy.root))
    assert run.code == 1 and run.stderr == (
        "coopledger: error: annual accounts: no rubric for Expenses:Divers-a-la-main (PCMN ?): "
        "give the account a PCMN code in its open entry (pcmn metadata)\n"
    )


def test_a_bank_line_still_in_suspense(hub_copy: Hub) -> None:
    """An open year with a bank line nobody explained yet: the statement of receipts shows
    it as "not yet explained", the treasurer lists it, and it blocks no report."""
    import datetime as dt

    from money_builders import bank_entry, import_bank

    books = hub_copy.books()
    import_bank(books, bank_entry(books.config, "X-01", dt.date(2026, 2, 10), "25.00",
                                  counterparty="Donateur Fictif", communication="merci"))  # fmt: skip
    annual = report_ok("annual-accounts", "2026", "--books", str(hub_copy.root), "--json").json()
    subs = annual["receipts_and_expenses"]["by_sub_line"]
    assert subs["re.other/sub.unexplained"] == "25.00"
    # 47/48 unchanged by it: held P1 20 + 60 − 7.20 = 72.80, P2 95, P3 25; I4's share 80.
    assert annual["balance_sheet"]["liabilities"]["47/48"]["amount"] == "272.80"
    assert annual["balance_sheet"]["assets"]["499"]["amount"] == "-25.00"  # suspense, credit
    tr = report_ok(
        "treasurer", "--month", "2026-02", "--books", str(hub_copy.root), "--json"
    ).json()
    (line,) = tr["review"]["waiting"]
    assert (line["ref"], line["open"]) == ("X-01", "25.00")
    assert any("suspense" in b for b in tr["close"]["blockers"])
