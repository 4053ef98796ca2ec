"""The coopledger pages in Fava, on the demo, in a real browser (Debian's chromium driven by
playwright, no browser download) in French and Dutch: their figures are those of the
command line's ``--json``, Fava's time filter changes them, no participant's identity ever
shows, and the screenshots stay in ``build/screenshots/`` (or ``$COOPLEDGER_ARTEFACTS``)
after the run. Bad requests (an unknown participant or invoice, a language we do not
speak, a filter that keeps nothing) get a sentence, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tests_support import chromium_browser, run_cli, serving

from ledger.books import Books
from ledger.demo import DEMO_PARTICIPANTS
from ledger.fava.serve import make_app
from ledger.i18n import translate
from ledger.loader import FAVA_PAGES
from reports.fava_bank_review import settled_links

REPO = Path(__file__).resolve().parent.parent
ARTEFACTS = Path(os.environ.get("COOPLEDGER_ARTEFACTS", REPO / "build" / "screenshots"))
ALIASES = [alias for alias, _, _ in DEMO_PARTICIPANTS]
PAGES = {  # Fava's name of each page (its class) and its title (English)
    "Participants": "Participants",
    "Invoices": "Invoices",
    "BankReview": "Bank review",
    "Grants": "Grants",
    "YearEnd": "Year end",
}
MONTH = "2025-03"  # a time filter


@pytest.fixture(scope="module")
def hubs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo, and a copy of it whose ``hub.toml`` speaks Dutch."""
    base = tmp_path_factory.mktemp("pages")
    env = dict(os.environ, XDG_CONFIG_HOME=str(base / "xdg"), BEANCOUNT_DISABLE_LOAD_CACHE="1")
    env.pop("COOPLEDGER_KEY_FILE", None)
    env.pop("COOPLEDGER_BOOKS", None)
    root = base / "demo-books"
    subprocess.run([sys.executable, "-m", "ledger.cli", "demo", str(root), "--year", "2025"],
                   env=env, check=True, capture_output=True, text=True, timeout=900)  # fmt: skip
    env["COOPLEDGER_KEY_FILE"] = str(base / "demo-books.key")
    dutch = base / "demo-nl"
    shutil.copytree(root, dutch, symlinks=True)
    toml = dutch / "hub.toml"
    toml.write_text(toml.read_text().replace('default_lang = "fr"', 'default_lang = "nl"'))
    assert 'default_lang = "nl"' in toml.read_text()
    return {"env": env, "fr": root, "nl": dutch}


def cli_json(env: dict[str, str], root: Path, *args: str, codes: tuple[int, ...] = (0,)) -> Any:
    proc = run_cli([*args, "--books", str(root), "--json"], env=env)
    assert proc.returncode in codes, proc.stderr
    return json.loads(proc.stdout)


def no_identity(html: str) -> None:
    assert not [a for a in ALIASES if a in html]
    assert "Fictive" not in html


def shot(page: Any, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)


def values(page: Any, rows: str, key: str, attribute: str) -> dict[str, Decimal]:
    """``{row's attribute: Decimal of its cell data-key=key}`` of a table's rows."""
    return {
        str(row.get_attribute(attribute)): Decimal(
            str(row.locator(f'td[data-key="{key}"]').get_attribute("data-sort-value"))
        )
        for row in page.locator(rows).all()
    }


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium_browser() as chromium:
        yield chromium


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_every_page_in_a_real_browser_agrees_with_the_cli(hubs, browser, lang: str) -> None:  # type: ignore[no-untyped-def]
    env, root = hubs["env"], hubs[lang]
    participants = cli_json(env, root, "participant", "list")
    invoices = cli_json(env, root, "invoice", "list")
    queue = cli_json(env, root, "reconcile", "--list")["queue"]
    grants = cli_json(env, root, "grant", "list")
    with serving(env, root, "--read-only") as port:
        page = browser.new_page()
        base = f"http://127.0.0.1:{port}"
        page.goto(base + "/")
        page.wait_for_selector("aside", timeout=60000)
        slug = page.url.removeprefix(base + "/").split("/")[0]

        def visit(name: str, query: str = "") -> str:
            page.goto(f"{base}/{slug}/extension/{name}/{query}")
            page.wait_for_selector("article h2", timeout=60000)
            html = str(page.content())
            no_identity(html)
            assert "Traceback" not in html
            return html

        for name, title in PAGES.items():
            visit(name)
            assert page.inner_text("article h2").strip() == translate(lang, title, "fava")
            # the sidebar names the page in the same language
            assert page.locator(f'aside a[href*="/extension/{name}/"]').first.inner_text().strip() \
                == translate(lang, title, "fava")  # fmt: skip
            shot(page, f"{lang}-{name}")

        # Participants: every code, what is held for her as ``participant list`` says
        visit("Participants")
        held = values(page, "table.participants tbody tr", "held", "data-code")
        assert held == {p["code"]: Decimal(p["balance"]) for p in participants}
        sales = values(page, "table.participants tbody tr", "sales", "data-code")
        visit("Participants", f"?time={MONTH}")
        assert page.locator("p.coop-note").first.inner_text()  # the period is said
        assert values(page, "table.participants tbody tr", "sales", "data-code") != sales
        shot(page, f"{lang}-Participants-{MONTH}")
        # her own page, through Fava's router
        visit("Participants")
        code = participants[0]["code"]
        page.click(f'table.participants tr[data-code="{code}"] a')
        page.wait_for_selector(f"article h2:has-text('{code}')", timeout=60000)
        no_identity(str(page.content()))
        shot(page, f"{lang}-Participant")

        # Invoices: every invoice with the status of ``invoice list``
        visit("Invoices")
        rows = page.locator("table.invoices tbody tr.invoice").all()
        assert {str(r.get_attribute("data-number")): str(r.get_attribute("data-status"))
                for r in rows} == {i["number"]: i["status"] for i in invoices}  # fmt: skip
        visit("Invoices", f"?time={MONTH}")
        march = {i["number"] for i in invoices if i["date"].startswith(MONTH)}
        shown = {str(r.get_attribute("data-number"))
                 for r in page.locator("table.invoices tbody tr.invoice").all()}  # fmt: skip
        assert shown == march and 0 < len(march) < len(invoices)
        number = sorted(march)[0]
        page.click(f'table.invoices tr[data-number="{number}"] a')
        page.wait_for_selector(f"article h2:has-text('{number}')", timeout=60000)
        shot(page, f"{lang}-Invoice")

        # Bank review: the queue of ``reconcile --list``; none of it in March
        visit("BankReview")
        refs = {str(r.get_attribute("data-ref"))
                for r in page.locator("table.queue tbody tr[data-ref]").all()}  # fmt: skip
        assert refs == {q["ref"] for q in queue} and refs
        visit("BankReview", f"?time={MONTH}")
        assert page.locator("table.queue tbody tr[data-ref]").count() == 0

        # Grants: received, spent, remaining as ``grant list`` says
        visit("Grants")
        for key, field in (("received", "received"), ("spent", "charged"),
                           ("remaining", "remaining"), ("deferred", "deferred")):  # fmt: skip
            assert values(page, "table.grants tbody tr[data-grant]", key, "data-grant") == {
                g["grant"]: Decimal(g[field]) for g in grants
            }
        visit("Grants", f"?time={MONTH}")
        spent = values(page, "table.grants tbody tr[data-grant]", "spent", "data-grant")
        assert spent != {g["grant"]: Decimal(g["charged"]) for g in grants}

        # Year end: what ``year plan`` says blocks the year
        visit("YearEnd")
        year = int(str(page.locator("ul.blockers").first.get_attribute("data-year")))
        plan = cli_json(env, root, "year", "plan", str(year), codes=(0, 1))  # 1: blocked
        assert page.locator(f'ul.blockers[data-year="{year}"] li').count() == len(plan["blockers"])
        assert page.locator("table.closed tr[data-year]").count() >= 1  # the demo's 2025


@pytest.fixture(scope="module")
def client(hubs) -> Any:  # type: ignore[no-untyped-def]
    os.environ["COOPLEDGER_KEY_FILE"] = hubs["env"]["COOPLEDGER_KEY_FILE"]
    try:
        app = make_app(Books.open(hubs["fr"]), read_only=True)
    finally:
        os.environ.pop("COOPLEDGER_KEY_FILE", None)
    slug = next(iter(app.config["LEDGERS"].ledgers_by_slug))
    return app, app.test_client(), f"/{slug}/extension"


def test_every_page_is_one_extension_module_the_books_name(hubs) -> None:  # type: ignore[no-untyped-def]
    main = (hubs["fr"] / "main.beancount").read_text()
    for module in FAVA_PAGES:
        assert f'custom "fava-extension" "{module}"' in main


def test_unknown_participant_or_invoice_is_a_404_sentence(client) -> None:  # type: ignore[no-untyped-def]
    _app, http, ext = client
    for address in (
        f"{ext}/Participants/participant?code=P-ZZZZZZ",
        f"{ext}/Participants/participant?code=Fictive%20Alpha",
        f"{ext}/Invoices/invoice?number=1999-9999",
    ):
        response = http.get(address)
        assert response.status_code == 404, address
        html = response.get_data(as_text=True)
        assert "Traceback" not in html and "Fictive" not in html
        assert "Introuvable" in html or "introuvable" in html.lower()
    partial = http.get(f"{ext}/Invoices/invoice?number=1999-9999&partial=true")
    assert partial.status_code == 404 and "1999-9999" not in partial.get_data(as_text=True)


def test_a_filter_that_keeps_nothing_shows_a_sentence(client) -> None:  # type: ignore[no-untyped-def]
    _app, http, ext = client
    nothing = "?filter=%23no-such-tag-anywhere"
    for name in ("Participants", "Invoices", "BankReview", "Grants"):
        response = http.get(f"{ext}/{name}/{nothing}")
        assert response.status_code == 200, name
        html = response.get_data(as_text=True)
        assert 'class="coop-empty"' in html or 'class="coop-ok"' in html, name
        assert "<tbody>\n  </tbody>" not in html
    # what blocks a year is the whole books': a filter hides none of it
    html = http.get(f"{ext}/YearEnd/{nothing}").get_data(as_text=True)
    assert 'class="coop blockers"' in html


def test_a_language_we_do_not_speak_falls_back_to_english_once(client) -> None:  # type: ignore[no-untyped-def]
    app, http, ext = client
    ledger = app.config["LEDGERS"][next(iter(app.config["LEDGERS"].ledgers_by_slug))]
    ledger.fava_options.language = "de"
    try:
        html = http.get(f"{ext}/Invoices/").get_data(as_text=True)
    finally:
        ledger.fava_options.language = "fr"
    assert html.count("This page has no German translation; it is shown in English.") == 1
    assert "<h2>Invoices</h2>" in html


def test_the_english_page_is_the_source(client) -> None:  # type: ignore[no-untyped-def]
    app, http, ext = client
    ledger = app.config["LEDGERS"][next(iter(app.config["LEDGERS"].ledgers_by_slug))]
    ledger.fava_options.language = "en"
    try:
        html = http.get(f"{ext}/Grants/").get_data(as_text=True)
    finally:
        ledger.fava_options.language = "fr"
    assert "<h2>Grants</h2>" in html and "€12,000.00" in html
    assert "no English translation" not in html


def test_settled_bank_lines_no_longer_show_as_to_review_in_fava(client) -> None:  # type: ignore[no-untyped-def]
    """Only the lines that still wait keep Fava's red ``!``; the settled ones show as
    settled everywhere in Fava (the journal included)."""
    app, http, ext = client
    ledger = app.config["LEDGERS"][next(iter(app.config["LEDGERS"].ledgers_by_slug))]
    settled = settled_links(
        list(ledger.all_entries), ledger.extensions.get_extension("BankReview").hub
    )
    assert settled, "the demo settles lines that went through suspense"
    flagged = [e for e in ledger.all_entries if getattr(e, "flag", "") == "!"]
    assert not [e for e in flagged if settled.intersection(e.links or ())]
    assert {lk for e in flagged for lk in e.links or () if lk.startswith("bank-")}  # the queue
    shown = [e for e in ledger.all_entries if settled.intersection(getattr(e, "links", None) or ())
             and e.meta.get("kind") == "bank"]  # fmt: skip
    assert shown and all(e.flag == "*" and "to review" not in e.narration for e in shown)
    assert http.get(f"{ext}/BankReview/").status_code == 200
