"""The demo hub: a fictional year of everything, through the real code paths."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests_support import chromium_browser, run_cli, serving

from invoicing.status import invoice_statuses
from ledger.books import Books
from ledger.demo import DEMO_PARTICIPANTS


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    base = tmp_path_factory.mktemp("demo")
    env = dict(os.environ, XDG_CONFIG_HOME=str(base / "xdg"), BEANCOUNT_DISABLE_LOAD_CACHE="1")
    env.pop("COOPLEDGER_KEY_FILE", None)
    root = base / "demo-books"
    subprocess.run([sys.executable, "-m", "ledger.cli", "demo", str(root), "--year", "2025"],
                   env=env, check=True, capture_output=True, text=True, timeout=600)  # fmt: skip
    env["COOPLEDGER_KEY_FILE"] = str(base / "demo-books.key")
    env["COOPLEDGER_BOOKS"] = str(root)
    return root, env


def run(env: dict[str, str], *args: str) -> str:
    proc = run_cli(args, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_demo_books_check_and_show_a_year_of_everything(demo) -> None:  # type: ignore[no-untyped-def]
    root, env = demo
    assert json.loads(run(env, "check", "--json"))["ok"] is True
    participants = json.loads(run(env, "participant", "list", "--json"))
    assert len(participants) >= 6
    assert sum(1 for p in participants if float(p["balance"]) > 0) >= 3
    # the demo closes its year: the live books list what the open year still needs (the
    # invoices still open, the last of each series), the full history every invoice
    invoices = json.loads(run(env, "invoice", "list", "--json"))
    assert invoices and {"overdue"} <= {i["status"] for i in invoices}
    books = Books.open(root)
    every = invoice_statuses(books.load(full_history=True).entries, books.config)
    statuses = {i.status for i in every}
    assert len(every) >= 40 and {"paid", "overdue", "credited"} <= statuses
    for kind in ("bank", "invoices", "payments", "expenses", "payouts", "grants"):
        assert (root / "2025" / f"{kind}.beancount").is_file(), kind
    assert list((root / "documents").rglob("*.pdf")) and list((root / "documents").rglob("*.xml"))
    queue = json.loads(run(env, "reconcile", "--list", "--json"))
    assert queue["queue"], "the demo keeps something in review"
    shown = json.loads(run(env, "participant", "show", participants[0]["code"], "--json"))
    assert shown["movements"] and shown["alias"] in {a for a, _, _ in DEMO_PARTICIPANTS}


def test_demo_aliases_stay_in_the_roster(demo) -> None:  # type: ignore[no-untyped-def]
    root, _env = demo
    aliases = [a.lower() for a, _, _ in DEMO_PARTICIPANTS]
    for path in root.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            data = path.read_bytes().lower()
            assert not any(a.encode() in data for a in aliases), path
    history = subprocess.run(["git", "-C", str(root), "log", "-p", "--all"], capture_output=True,
                             text=True, errors="replace", check=True).stdout.lower()  # fmt: skip
    assert not any(a in history for a in aliases)


def test_demo_command_reuses_existing_demo(demo) -> None:  # type: ignore[no-untyped-def]
    root, env = demo
    head = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout
    assert "Demo hub ready" in run(env, "demo", str(root))
    assert (
        subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True
        ).stdout
        == head
    )


@pytest.mark.browser
def test_demo_in_fava_in_a_real_browser(demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root, env = demo
    with serving(env, root, "--read-only") as port, chromium_browser() as browser:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/")
        link = 'aside a[href*="/extension/Participants/"]'  # its title is in the hub's language
        page.wait_for_selector(link, timeout=30000)
        page.click(link)
        page.wait_for_selector("table.participants", timeout=30000)
        rows = page.locator("table.participants tbody tr")
        assert rows.count() == len(DEMO_PARTICIPANTS)
        text = page.inner_text("table.participants")
        assert "P-" in text and "Fictive" not in page.content()
        page.screenshot(path=str(tmp_path / "participants.png"), full_page=True)
        if os.environ.get("COOPLEDGER_SCREENSHOTS"):
            page.screenshot(path=os.environ["COOPLEDGER_SCREENSHOTS"], full_page=True)


def test_demo_year_shows_every_money_event_and_is_closed(demo) -> None:  # type: ignore[no-untyped-def]
    """The demo's hub is under the franchise regime, its year closed, and it shows every
    event of the accounting model (docs/accounting-model.md), its books passing every
    invariant."""
    from beancount.core import data

    from ledger.books import Books

    root, env = demo
    books = Books.open(root)
    assert books.config.hub.vat_regime == "franchise"
    ledger = books.load(full_history=True)  # the demo's year is closed: the full history
    assert not ledger.errors
    kinds = {str(e.meta.get("kind")) for e in ledger.entries if isinstance(e, data.Transaction)}
    assert {
        "invoice", "credit-note", "credit-reversal", "payment", "settlement", "expense",
        "payout", "grant", "grant-deferral", "grant-release", "cash-sale", "cash-receipt",
        "cash-transfer", "cash-difference",
    } <= kinds  # fmt: skip
    txns = [e for e in ledger.entries if isinstance(e, data.Transaction)]
    assert any(e.meta.get("charged-later") for e in txns)  # a cost charged later …
    assert any(e.meta.get("recovered") for e in txns)  # … recovered from a payment
    assert any(e.meta.get("owed") for e in txns)  # a credit after a payout, owed by her
    assert any(e.meta.get("returned") for e in txns)  # a payout back from the bank
    assert any(e.meta.get("returns") or (e.meta.get("kind") == "payment" and e.meta["amount"] < 0)
               for e in txns)  # a client's payment returned  # fmt: skip
    assert any(isinstance(e, data.Custom) and e.type == "year-closed" for e in ledger.entries)
    assert any(isinstance(e, data.Custom) and e.type == "cash-count" for e in ledger.entries)
    cash = [r for r in json.loads(run(env, "cash", "book", "--json")) if r["amount"] is not None]
    assert all(float(r["balance"]) >= 0 for r in cash)
