"""The live ledger (issue 16): a close takes the sealed years out of the live books.

One hub over three years, through the CLI: an invoice of the first year stays open over
its close and is paid and credited from the live books; the second year is closed after
the first. At every close the live books and the full history give the same balances;
a sealed year out of the live load still fails ``audit verify`` when tampered, and the
live ``books check`` notices a carried balance that no longer matches the seal. All data
is fictional.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from money.cli_hub import Hub

from ledger.books import Books
from ledger.dates import today as calendar_today
from ledger.integrity.carried import balances
from ledger.loader import load_ledger

Y0 = calendar_today().year - 2
Y1 = Y0 + 1


def same_balances(root: Path, day: dt.date) -> tuple[dict[object, Decimal], dict[object, Decimal]]:
    live = load_ledger(root / "main.beancount")
    full = load_ledger(root / "main.beancount", full_history=True)
    assert live.errors == [] and full.errors == []
    now = {k: v for k, v in balances(live.entries, day).items() if v}
    then = {k: v for k, v in balances(full.entries, day).items() if v}
    return now, then


def includes(root: Path) -> list[str]:
    text = (root / "main.beancount").read_text()
    return [line.split('"')[1] for line in text.splitlines() if line.startswith('include "')]


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Hub:
    """Y0 closed with an invoice still open, then Y1 (paid and credited there) closed."""
    hub = Hub(tmp_path_factory.mktemp("live"), start=f"{Y0}-01-01")
    hub.open_invoice = hub.invoice("100.00", f"{Y0}-03-01")  # type: ignore[attr-defined]
    paid = hub.invoice("60.00", f"{Y0}-04-01")
    hub.pays(paid, f"{Y0}-04-20")
    hub.trial_y0 = hub.trial_balance(Y0)  # type: ignore[attr-defined]
    hub.run("year", "close", str(Y0))
    return hub


def test_a_close_takes_its_year_out_of_the_live_books(hub: Hub) -> None:
    root = hub.root
    assert not any(name.startswith(f"{Y0}/") for name in includes(root))
    assert "carried.beancount" in includes(root)
    history = (root / "history.beancount").read_text()
    assert f'include "{Y0}/closing.beancount"' in history
    assert history.rstrip().endswith('include "main.beancount"')
    tag = subprocess.run(["git", "-C", str(root), "tag", "-n99", f"close-{Y0}"],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "carried sha256: " in tag
    hub.run("books", "check")
    hub.run("books", "check", "--all-years")


def test_live_and_full_history_give_the_same_balances_at_the_close(hub: Hub) -> None:
    for day in (dt.date(Y0, 12, 31), calendar_today()):
        now, then = same_balances(hub.root, day)
        assert now == then and now


def test_reports_of_a_closed_year_read_the_full_history(hub: Hub, tmp_path: Path) -> None:
    assert hub.trial_balance(Y0) == hub.trial_y0  # type: ignore[attr-defined]
    out = tmp_path / "tb.csv"
    hub.run("report", "trial-balance", "--year", str(Y0), "--format", "csv", "--out", str(out))
    assert out.read_text().strip()


def test_an_invoice_of_a_closed_year_is_paid_and_credited_from_the_live_books(
    hub: Hub,
) -> None:
    invoice = hub.open_invoice  # type: ignore[attr-defined]
    number = invoice["number"]
    shown = hub.json("invoice", "show", number)
    assert Decimal(shown["outstanding"]) == Decimal("100.00")
    hub.pays(invoice, f"{Y1}-02-10", "40.00")
    hub.run("invoice", "credit", number, "--line", "Prestation fictive|1|60.00|0",
            "--reason", "Geste commercial fictif", "--date", f"{Y1}-02-15")  # fmt: skip
    shown = hub.json("invoice", "show", number)
    assert Decimal(shown["outstanding"]) == 0 and shown["credit_notes"]
    # the numbering of the open year continues, gapless
    fresh = hub.invoice("80.00", f"{Y1}-03-01")
    assert fresh["number"].startswith(str(Y1)) and fresh["number"].endswith("0001")
    hub.pays(fresh, f"{Y1}-03-20")
    hub.run("books", "check")


def test_a_second_close_after_the_first(hub: Hub) -> None:
    hub.run("year", "close", str(Y1))
    root = hub.root
    assert not any(name.startswith(f"{Y1}/") for name in includes(root))
    history = (root / "history.beancount").read_text()
    assert f'include "{Y0}/closing.beancount"' in history
    assert f'include "{Y1}/closing.beancount"' in history
    now, then = same_balances(root, dt.date(Y1, 12, 31))
    assert now == then
    verified = hub.run("audit", "verify")
    assert "verified: nothing sealed or issued has changed" in verified.stdout
    assert hub.trial_balance(Y0) == hub.trial_y0  # type: ignore[attr-defined]


def test_a_tampered_sealed_year_out_of_the_live_load_fails_verify(hub: Hub) -> None:
    root = hub.root
    invoices = root / f"{Y0}/invoices.beancount"
    original = invoices.read_text()
    invoices.write_text(original.replace("100.00 EUR", "10.00 EUR", 1))
    try:
        proc = hub.run("books", "check", ok=False)
        assert proc.returncode == 1 and f"{Y0}/invoices.beancount changed since" in proc.stderr
        proc = hub.run("audit", "verify", ok=False)
        assert proc.returncode == 1 and "changed" in proc.stdout + proc.stderr
    finally:
        invoices.write_text(original)
    hub.run("books", "check")


def test_a_carried_balance_that_does_not_match_the_seal_is_noticed(hub: Hub) -> None:
    carried = hub.root / "carried.beancount"
    original = carried.read_text()
    lines = original.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.strip().endswith(" EUR") and "  " in line)
    number = lines[at].split()[1]
    lines[at] = lines[at].replace(number, str(Decimal(number) + 1))
    other = next(i for i, line in enumerate(lines) if i > at and line.strip().endswith(" EUR"))
    num2 = lines[other].split()[1]
    lines[other] = lines[other].replace(num2, str(Decimal(num2) - 1))
    carried.write_text("".join(lines))
    try:
        proc = hub.run("books", "check", ok=False)
        assert proc.returncode == 1
        assert f"the balances carried from {Y1} changed after the close" in proc.stderr
        proc = hub.run("audit", "verify", ok=False)
        assert proc.returncode == 1 and "carried" in proc.stdout
    finally:
        carried.write_text(original)
    hub.run("books", "check")


def test_qa22_no_write_on_carried_balances_forged_with_their_digest(hub: Hub) -> None:
    """QA of stop 22: carried balances rewritten with their digest recomputed pass the
    sealing plugin; the anchors see the tag's digest differ, and no write goes on them."""
    from ledger.integrity import carried as carriedlib

    carried = hub.root / "carried.beancount"
    original = carried.read_text()
    lines = original.splitlines(keepends=True)
    at = [i for i, line in enumerate(lines) if line.strip().endswith(" EUR") and "  " in line]
    for index, delta in ((at[0], 1), (at[1], -1)):
        number = lines[index].split()[1]
        lines[index] = lines[index].replace(number, str(Decimal(number) + delta))
    carried.write_text("".join(lines))
    entries = load_ledger(hub.root / "main.beancount", checked=False).entries
    mark = carriedlib.marker(entries)
    assert mark is not None
    old_digest = str(mark.meta[carriedlib.DIGEST_META])
    forged = carriedlib.digest(carriedlib.carried_entries(entries), str(hub.root))
    carried.write_text(carried.read_text().replace(old_digest, forged))
    git = ["git", "-C", str(hub.root)]
    before = subprocess.run([*git, "rev-parse", "HEAD"],
                            capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    ident = ["-c", "user.name=Forger", "-c", "user.email=forger@example.invalid"]
    subprocess.run([*git, *ident, "commit", "-qam", "forged"], check=True, capture_output=True)
    forged_head = subprocess.run([*git, "rev-parse", "HEAD"],
                                 capture_output=True, text=True, check=True).stdout  # fmt: skip
    try:
        proc = hub.run("books", "check", ok=False)
        assert proc.returncode == 1 and "carried.beancount was rewritten" in proc.stderr
        proc = hub.run("cash", "withdraw", "1", ok=False)
        assert proc.returncode == 1
        assert "change refused, the books are unchanged: carried.beancount:" in proc.stderr
        after = subprocess.run([*git, "rev-parse", "HEAD"],
                               capture_output=True, text=True, check=True).stdout  # fmt: skip
        assert after == forged_head and carried.read_text() != original
    finally:
        subprocess.run([*git, "reset", "-q", "--hard", before], check=True)
    assert carried.read_text() == original
    hub.run("books", "check")


def test_qa22_an_entry_flagged_p_is_no_pad_and_no_way_into_a_closed_year(hub: Hub) -> None:
    """Round 2 of the QA of stop 22: a transaction written with the flag ``P`` (which
    beancount gives the entries it makes for a ``pad``) escaped the seal and the closed
    years' rule; only what a ``pad`` directive made is left out."""
    main = hub.root / "main.beancount"
    original = main.read_text()
    added = hub.root / f"{Y1}" / "manual.beancount"
    added.parent.mkdir(exist_ok=True)
    added.write_text(f'{Y0}-06-01 P "reclass"\n  Expenses:Frais-bancaires  -5.00 EUR\n'
                     "  Expenses:Achats  5.00 EUR\n")  # fmt: skip
    main.write_text(original + f'include "{Y1}/manual.beancount"\n')
    try:
        proc = hub.run("books", "check", ok=False)
        assert proc.returncode == 1
        assert f"{Y1}/manual.beancount:1: this entry is dated in {Y0}, closed" in proc.stderr
    finally:
        main.write_text(original)
        added.unlink()
    hub.run("books", "check")


def test_serve_all_years_shows_the_closed_years(hub: Hub) -> None:
    from ledger.fava.serve import make_app

    app = make_app(Books.open(hub.root), all_years=True)
    served = app.config["LEDGERS"].ledgers[0]
    years = {e.date.year for e in served.all_entries if type(e).__name__ == "Transaction"}
    assert {Y0, Y1} <= years
    assert not any(str(e.meta.get("filename", "")).endswith("carried.beancount")
                   for e in served.all_entries)  # fmt: skip
    live = make_app(Books.open(hub.root)).config["LEDGERS"].ledgers[0]
    assert Y0 not in {
        e.date.year for e in live.all_entries
        if type(e).__name__ == "Transaction" and e.meta.get("kind") != "carried"
        and not e.meta.get("carried")
    }  # fmt: skip
    slug = served.options["title"]
    assert slug


def test_serve_reloads_only_the_changed_file(hub: Hub) -> None:
    from ledger.fava import serve as serve_module

    books = Books.open(hub.root)
    app = serve_module.make_app(books)
    served = app.config["LEDGERS"].ledgers[0]
    before = len(serve_module.RELOADS)
    accounts = hub.root / "accounts.beancount"
    text = accounts.read_text()
    accounts.write_text(text + f"\n{Y1 + 1}-01-02 open Assets:Fictif-Reload EUR\n")
    try:
        served.load_file()
        assert serve_module.RELOADS[before:] == [(1, True)]  # one file, parsed again alone
        again = load_ledger(hub.root / "main.beancount")
        assert len(served.all_entries) == len(again.entries)
        assert any(getattr(e, "account", "") == "Assets:Fictif-Reload" for e in served.all_entries)
    finally:
        accounts.write_text(text)
