"""Regression tests for the QA report on issues 8, 9 and 10 (/work/coord/qa-8-9-10.md).

Each test is named after the QA item it closes and drives the command line as a treasurer
does (``tests_support.run_cli``); every refusal is one line, names the option, repeats no
value typed, and leaves the books byte-identical (``Hub.refused``). Fictional data only.
"""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cli_hub import CLIENT_IBAN, HUB_IBAN, PAYEE_IBAN, Hub
from tests_support import git_state, tree_digest

from ledger.dates import today as calendar_today

NAME = "Zorbania Quixtaval"
ALIAS = "Fictive Testeuse"
PERSON = (
    f"alias = {ALIAS}\nname = {NAME}\nphone = +32 470 12 34 56\n"
    "email = zorbania.fictive@example.org\n"
)
TODAY = calendar_today()


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Hub:
    """One hub, whose roster holds a fictional person with a name and an alias."""
    h = Hub(tmp_path_factory.mktemp("qa"), start=f"{TODAY.year}-01-01")
    h.person = h.run("participant", "add", "--from-file", "-", "--activity", "couture",
                     "--date", f"{TODAY.year}-01-05", stdin=PERSON).stdout.strip().splitlines()[-1]  # fmt: skip
    h.run("cash", "withdraw", "50", "--date", f"{TODAY.year}-01-06")
    h.number = h.invoice("30.00", f"{TODAY.year}-01-06")["number"]
    h.statement((f"{TODAY.year}-01-06", "-12.00", {"iban": CLIENT_IBAN, "text": "retour"}))
    h.line = h.json("reconcile", "--list")["queue"][0]["ref"]
    return h


def refused(hub: Hub, *args: str, words: str) -> str:
    """Like ``Hub.refused``, also accepting click's usage error (exit 2, one line): a
    value such as ``-0`` or ``-1`` is taken for an unknown option, and refused as such."""
    before, history = tree_digest(hub.root), git_state(hub.root)
    fill = {"line": hub.line, "code": hub.code, "tmp": str(hub.tmp)}
    proc = hub.run(*[a.format(**fill) for a in args], ok=False)
    assert proc.returncode in (1, 2), proc.stdout + proc.stderr
    message = proc.stderr.strip()
    assert "\n" not in message and message.startswith("coopledger: error: "), message
    assert words.lower() in message.lower(), message
    assert tree_digest(hub.root) == before and git_state(hub.root) == history
    return message


def _no_echo(message: str) -> None:
    for word in ("Zorbania", "Quixtaval", "Fictive", "Testeuse", PAYEE_IBAN, "BE48"):
        assert word.lower() not in message.lower(), message


def test_qa_8_9_10_1_cash_sale_description_checked_against_the_roster(hub: Hub) -> None:
    for text in (f"Repas pour {ALIAS}", "Repas Zorbania"):
        _no_echo(hub.refused("cash", "sale", "12", "--participant", hub.person,
                             "--description", text, words="--description"))  # fmt: skip


def test_qa_8_9_10_2_bank_add_and_grant_funder_iban_guarded(hub: Hub) -> None:
    _no_echo(hub.refused("bank", "add", "--iban", PAYEE_IBAN, words="--iban"))
    _no_echo(hub.refused("bank", "add", "--iban", "BE71096123456769", "--label", NAME,
                         words="--label"))  # fmt: skip
    _no_echo(hub.refused("grant", "add", "fondation-x", "--amount", "100", "--funder-iban",
                         PAYEE_IBAN, words="--funder-iban"))  # fmt: skip


@pytest.mark.parametrize(
    "args",
    [
        ("payout", "{code}", "999999999999999999999999999", "--method", "cash"),
        ("cash", "withdraw", "1e26"),
        ("cash", "deposit", "999999999999999999999999999"),
        ("cash", "sale", "999999999999999999999999999", "--participant", "{code}"),
        ("cash", "count", "1e26"),
        ("expense", "add", "--amount", "999999999999999999999999999", "--description", "x",
         "--paid-from", "cash"),
        ("expense", "add", "--amount", "10", "--vat", "1e30", "--description", "x",
         "--paid-from", "cash"),
        ("grant", "add", "fondation-y", "--amount", "999999999999999999999999999"),
        ("invoice", "issue", "--participant", "{code}", "--client", "{client}", "--line",
         "x|99999|999999|0", "--no-validate"),
        ("invoice", "pay", "{number}", "--cash", "--amount", "1e26"),
        ("invoice", "pay", "{number}", "--cash", "--amount", "999999999999999999999999999"),
        ("trial-balance", "99999"),
        ("trial-balance", "-1"),
        ("close-year", "0"),
    ],
)  # fmt: skip
def test_qa_8_9_10_8_huge_amounts_and_years_one_line(hub: Hub, args: tuple[str, ...]) -> None:
    filled = [a.format(code=hub.code, client=hub.client, number=hub.number) for a in args]
    refused(hub, *filled, words="")


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("expense", "add", "--amount", "5", "--description", "x", "--paid-from", "cash",
          "--account", "Expenses:Zorbania"), "--account"),
        (("expense", "add", "--amount", "5", "--description", "x", "--paid-from", "cash",
          "--account", "Zorbania"), "--account"),
        (("invoice", "show", "Zorbania"), "invoice"),
        (("invoice", "credit", "Zorbania"), "invoice"),
        (("grant", "report", "Zorbania"), "grant"),
        (("expense", "add", "--amount", "5", "--description", "x", "--paid-from", "cash",
          "--grant", "Zorbania"), "grant"),
        (("expense", "add", "--amount", "Zorbania", "--description", "x", "--paid-from",
          "cash"), "--amount"),
        (("expense", "add", "--amount", "5", "--description", "x", "--paid-from", "cash",
          "--date", "Zorbania"), "--date"),
        (("expense", "add", "--amount", "5", "--description", "x", "--paid-from",
          "Zorbania"), "--paid-from"),
        (("client", "add", "--name", "ACME Fictive SRL", "--enterprise-number", "0470123456"),
         "enterprise number"),
        (("client", "add", "--name", "ACME Fictive SRL", "--peppol-id", "9925:Zorbania"),
         "peppol"),
        (("reconcile", "--assign", "{line}", "Expenses:Zorbania"), "TARGET"),
        (("reconcile", "--assign", "{line}", "Zorbania"), "target"),
        (("reconcile", "--assign", "Zorbania", "bank_fees"), "bank line"),
        (("invoice", "pay", "Zorbania", "--cash"), "invoice"),
        (("participant", "statement", "{code}", "--lang", "Zorbania"), "--lang"),
        (("payout", "add", "Zorbania", "10", "--method", "cash"), "participant code"),
        (("audit", "export", "--tag", "Zorbania", "--out", "{tmp}/exp"), "--tag"),
        (("grant", "charge", "Zorbania", "EXP-2026-0001"), "grant"),
    ],
)  # fmt: skip
def test_qa_8_9_10_10_errors_do_not_repeat_what_was_typed(
    hub: Hub, args: tuple[str, ...], option: str
) -> None:
    fill = {"line": hub.line, "code": hub.code, "tmp": str(hub.tmp)}
    proc = hub.run(*[a.format(**fill) for a in args], ok=False)
    assert proc.returncode in (1, 2), proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert option.lower() in proc.stderr.lower(), proc.stderr
    assert "zorbania" not in (proc.stdout + proc.stderr).lower(), proc.stderr
    assert "0470123456" not in proc.stderr and "0470.123.456" not in proc.stderr


def test_qa_8_9_10_12_out_inside_the_books_refused_everywhere(hub: Hub) -> None:
    hub.refused("participant", "statement", hub.code, "--out", str(hub.root / "st.pdf"),
                words="--out: inside the books")  # fmt: skip
    hub.refused("audit", "export", "--tag", f"close-{TODAY.year - 1}", "--out",
                str(hub.root / "exp"), words="--out: inside the books")  # fmt: skip
    assert not (hub.root / "st.pdf").exists() and not (hub.root / "exp").exists()


@pytest.mark.parametrize("value", ["1_000", "+5", "١٢", "1e3", "0x10", "NaN", "1,000.00"])
def test_qa_8_9_10_15_odd_values_are_not_amounts(hub: Hub, value: str) -> None:
    hub.refused("cash", "count", value, words="AMOUNT: not an amount")
    refused(hub, "cash", "count", "-0", words="-0")  # never -0.00 EUR booked
    hub.refused("cash", "count", "1.234", words="AMOUNT: at most 2 decimals")


def test_qa_8_9_10_15_odd_rates_refused(hub: Hub) -> None:
    for value in ("1e-30", "-0", "+5", "1_0"):
        refused(hub, "contribution", "set-rate", value, words="")


def test_qa_8_9_10_16_docs_pain001_creditor_is_the_roster_payee() -> None:
    text = (Path(__file__).parents[2] / "docs" / "reconciliation.md").read_text()
    assert "--name PO-" not in text


def _hand_edit(hub: Hub, text: str) -> None:
    year = TODAY.year
    (hub.root / str(year) / "notes.beancount").write_text(text)
    main = hub.root / "main.beancount"
    main.write_text(main.read_text() + f'include "{year}/notes.beancount"\n')


def _undo_hand_edit(hub: Hub) -> None:
    hub.run("check", ok=False)

    subprocess.run(["git", "-C", str(hub.root), "checkout", "-q", "--", "."], check=True)
    subprocess.run(["git", "-C", str(hub.root), "clean", "-q", "-fd"], check=True)


def test_qa_8_9_10_3_adopt_runs_the_roster_guard_and_the_plugin_sees_counterparty(
    hub: Hub,
) -> None:
    day = f"{TODAY.year}-01-07"
    entry = (
        f'{day} * "Avance a {NAME} ({ALIAS})"\n  participant: "{hub.person}"\n'
        f'  counterparty-iban: "{PAYEE_IBAN}"\n  Assets:Autres-creances  5.00 EUR\n'
        "  Assets:Caisse  -5.00 EUR\n"
    )
    _hand_edit(hub, entry)
    try:
        before = git_state(hub.root)
        message = hub.run("cash", "withdraw", "5", "--adopt-changes", ok=False).stderr.strip()
        assert "roster" in message and "notes.beancount" in message, message
        _no_echo(message)
        assert git_state(hub.root) == before
    finally:
        _undo_hand_edit(hub)
    # without a name the plugin still sees her account and a counterparty on her entry
    for meta in (f'counterparty-iban: "{PAYEE_IBAN}"', 'counterparty: "Madame Fictive"'):
        _hand_edit(hub, f'{day} * "Avance"\n  participant: "{hub.person}"\n  {meta}\n'
                        "  Assets:Autres-creances  5.00 EUR\n  Assets:Caisse  -5.00 EUR\n")  # fmt: skip
        try:
            proc = hub.run("check", ok=False)
            assert proc.returncode == 1 and "counterparty" in proc.stderr, proc.stderr
            _no_echo(proc.stderr)
            assert "madame" not in proc.stderr.lower()
        finally:
            _undo_hand_edit(hub)


def test_qa_8_9_10_5_issued_documents_checked_and_never_adopted(hub: Hub) -> None:
    inv = hub.invoice("25.00", f"{TODAY.year}-01-08")
    number = inv["number"]
    pdf = hub.root / "documents" / "invoices" / str(TODAY.year) / f"{number}.pdf"
    record = pdf.with_suffix(".json")
    assert pdf.exists() and record.exists()
    for path in (pdf, record):
        original = path.read_bytes()
        path.write_bytes(original + b"\n% tampered\n")
        try:
            proc = hub.run("check", ok=False)
            assert proc.returncode == 1, proc.stdout + proc.stderr
            assert f"{path.relative_to(hub.root).as_posix()} changed since it was issued" in (
                proc.stderr
            ), proc.stderr
            before = git_state(hub.root)
            message = hub.run("cash", "withdraw", "1", "--adopt-changes", ok=False).stderr
            assert "an issued document is never edited by hand" in message, message
            assert git_state(hub.root) == before
            shown = hub.run("invoice", "show", number, ok=False)
            assert shown.returncode == 1 and "changed since it was issued" in shown.stderr
            plan = hub.run("close-year", str(TODAY.year), "--dry-run", ok=False)
            assert "changed since it was issued" in plan.stdout, plan.stdout + plan.stderr
        finally:
            path.write_bytes(original)
    assert hub.run("check").returncode == 0


def test_qa_8_9_10_11_parser_errors_do_not_quote_the_line(hub: Hub) -> None:
    _hand_edit(hub, f'{TODAY.year}-01-09 * "x"\n  {NAME}  1.00 EUR\n  Assets:Caisse\n')
    try:
        proc = hub.run("check", ok=False)
        assert proc.returncode == 1 and "notes.beancount:2" in proc.stderr, proc.stderr
        assert "Invalid token" in proc.stderr
        _no_echo(proc.stdout + proc.stderr)
    finally:
        _undo_hand_edit(hub)


def test_qa_8_9_10_9_no_posting_has_more_than_two_decimals(hub: Hub) -> None:
    _hand_edit(hub, f'{TODAY.year}-01-09 * "arrondi"\n  Assets:Autres-creances  0.345 EUR\n'
                    "  Assets:Caisse  -0.345 EUR\n")  # fmt: skip
    try:
        proc = hub.run("check", ok=False)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "notes.beancount:1" in proc.stderr and "more than two decimals" in proc.stderr
        before = git_state(hub.root)
        assert hub.run("cash", "withdraw", "1", "--adopt-changes", ok=False).returncode == 1
        assert git_state(hub.root) == before
    finally:
        _undo_hand_edit(hub)


def test_qa_8_9_10_6_a_payment_returned_after_a_payout_is_owed_by_her(tmp_path: Path) -> None:
    h = Hub(tmp_path)
    inv = h.invoice("100.00", "2026-03-03")
    h.pays(inv, "2026-03-10")
    held = h.show()["balance"]
    assert held not in ("0", "0.00")
    h.run("cash", "withdraw", "100.00", "--date", "2026-03-11")
    h.run("payout", h.code, held, "--method", "cash", "--date", "2026-03-12")
    assert h.show()["balance"] == "0.00"
    h.statement(("2026-03-20", "-100.00", {"iban": CLIENT_IBAN, "text": "retour"}))
    queue = h.json("reconcile", "--list")["queue"]
    assert queue, "a return after a payout waits for the treasurer's decision"
    h.run("reconcile", "--assign", queue[0]["ref"], f"return:inv-{inv['number']}")
    assert h.json("reconcile", "--list") == {"queue": [], "unallocated": []}
    (row,) = h.json("invoice", "list")
    assert (row["status"], row["outstanding"]) != ("paid", "0.00"), row
    assert row["outstanding"] == "100.00", row
    shown = h.show()
    assert (shown["balance"], shown["received"], shown["owed"]) == ("0.00", "0.00", held), shown
    balances = h.trial_balance(2026)
    # the hub keeps no contribution on money it gave back; her sales stay invoiced
    hub_income = {a: v for a, v in balances.items() if a.startswith("Income:")}
    assert set(hub_income) == {f"Income:Participants:{h.code}:Ventes"}, balances
    assert balances[f"Assets:Participants-a-recuperer:{h.code}"] == Decimal(held)
    h.run("check")


def test_qa_8_9_10_13_a_refund_due_is_paid_back_from_the_cash_box(tmp_path: Path) -> None:
    h = Hub(tmp_path)
    inv = h.invoice("20.00", "2026-03-03")
    h.run("invoice", "pay", inv["number"], "--cash", "--date", "2026-03-05")
    h.run("invoice", "credit", inv["number"], "--date", "2026-03-06", "--no-validate")
    assert h.trial_balance(2026)["Liabilities:Remboursements-dus"] == Decimal("-20.00")
    assert h.trial_balance(2026)["Assets:Caisse"] == Decimal("20.00")
    h.refused("cash", "refund", inv["number"], "--amount", "25", "--date", "2026-03-07",
              words="more than the 20.00 EUR due")  # fmt: skip
    h.refused("cash", "refund", "Zorbania", "--date", "2026-03-07", words="nothing is due")
    h.run("cash", "withdraw", "0.01", "--date", "2026-03-06")
    h.run("cash", "deposit", "20.01", "--date", "2026-03-06")  # the box is empty
    h.refused("cash", "refund", inv["number"], "--date", "2026-03-07", words="holds only 0.00")
    h.run("cash", "withdraw", "50", "--date", "2026-03-07")
    done = h.json("cash", "refund", inv["number"], "--date", "2026-03-07")
    assert done["amount"] == "20.00"
    balances = h.trial_balance(2026)
    assert "Liabilities:Remboursements-dus" not in balances, balances
    assert balances["Assets:Caisse"] == Decimal("30.00")
    h.refused("cash", "refund", inv["number"], "--date", "2026-03-08", words="nothing is due")
    h.run("check")


def test_qa_8_9_10_9_a_bank_file_with_sub_cent_amounts_is_refused(tmp_path: Path) -> None:
    h = Hub(tmp_path)
    statement = tmp_path / "releve.sta"
    statement.write_text(
        f":20:STMT1\n:25:{HUB_IBAN}\n:28C:00001/001\n:60F:C260101EUR1000,00\n"
        ":61:2603050305C12,345NTRFNONREF\n:86:Fictive vente\n:62F:C260305EUR1012,345\n"
    )
    h.refused("import", str(statement), words="more than two decimals")


def test_qa22_d3_cash_refund_of_an_invoice_finds_its_overpayment(tmp_path: Path) -> None:
    """An overpayment waits in refunds_due under ^refund-<bank id>: ``cash refund INVOICE``
    finds it (it said nothing was due, and pointed to a command that listed nothing), and
    ``invoice show`` lists it with the refund id."""
    h = Hub(tmp_path)
    inv = h.invoice("12.10", "2026-03-03")
    h.pays(inv, "2026-03-05", "20.00")
    assert h.trial_balance(2026)["Liabilities:Remboursements-dus"] == Decimal("-7.90")
    shown = h.json("invoice", "show", inv["number"])
    (due,) = shown["refunds_due"]
    assert due["amount"] == "7.90" and due["refund"].startswith("refund-"), due
    assert due["credit_note"] is None
    text = h.run("invoice", "show", inv["number"]).stdout
    assert f"Refund due to the client: 7.90 EUR ({due['refund']}" in text, text
    h.refused("cash", "refund", inv["number"], "--date", "2026-03-06", words="holds only 0.00")
    h.run("cash", "withdraw", "50", "--date", "2026-03-01")
    # round 2: nothing is refunded before it is due (the overpayment came on 03-05)
    h.refused("cash", "refund", inv["number"], "--date", "2026-03-04",
              words="is before the refund was due (2026-03-05")  # fmt: skip
    done = h.json("cash", "refund", inv["number"], "--date", "2026-03-07")
    assert (done["amount"], done["refund"]) == ("7.90", due["refund"].upper()), done
    assert "Liabilities:Remboursements-dus" not in h.trial_balance(2026)
    assert h.json("invoice", "show", inv["number"])["refunds_due"] == []
    said = h.refused("cash", "refund", inv["number"], "--date", "2026-03-08",
                     words="nothing is due")  # fmt: skip
    assert "invoice show INVOICE" in said and "--list" not in said, said
    h.run("check")


# ---------------------------------------------------------------- QA f1: the contribution
# rule, mistyped values and same-day counts (/work/coord: fix f1)


def _check_errors(h: Hub) -> list[str]:
    """What ``books check`` reports, one ``file:line: message`` per error."""
    proc = h.run("check", ok=False)
    assert "Traceback" not in proc.stdout + proc.stderr and "Error applying plugin" not in (
        proc.stdout + proc.stderr
    ), proc.stdout + proc.stderr
    return [ln for ln in (proc.stdout + proc.stderr).splitlines() if ".beancount:" in ln]


def _line_of(h: Hub, relpath: str, needle: str, nth: int = 0) -> int:
    lines = (h.root / relpath).read_text().splitlines()
    return [n for n, text in enumerate(lines, start=1) if needle in text][nth]


def _edit(h: Hub, relpath: str, edit: Any) -> None:
    path = h.root / relpath
    path.write_text(edit(path.read_text()))


def _undo(h: Hub) -> None:
    subprocess.run(["git", "-C", str(h.root), "checkout", "-q", "--", "."], check=True)


def _in_entry(text: str, header: str, old: str, new: str) -> str:
    """``old`` → ``new`` in the entry whose first line contains ``header`` (every time)."""
    at = text.index(header)
    end = text.find("\n\n", at)
    end = len(text) if end < 0 else end
    return text[:at] + text[at:end].replace(old, new) + text[end:]


@pytest.fixture(scope="module")
def paid_in_cash(tmp_path_factory: pytest.TempPathFactory) -> Hub:
    """An invoice of 200.00 paid in cash, and a cash sale of 200.00 (12 % rate)."""
    h = Hub(tmp_path_factory.mktemp("qa-f1"))
    h.run("contribution", "set-rate", "12")
    h.number = h.invoice("200.00", "2026-02-02")["number"]
    h.run("invoice", "pay", h.number, "--cash", "--date", "2026-02-03")
    h.run("cash", "sale", "200", "--participant", h.code, "--date", "2026-02-04")
    assert _check_errors(h) == []
    return h


def test_qa_f1_1_an_allocation_missing_what_its_rule_needs_is_an_error(paid_in_cash: Hub) -> None:
    """QA (f1, 1): deleting ``contribution-rate`` (or ``received-net``) turned the
    contribution check off: 48.00 on 200.00 at 12 % passed."""
    h, cash = paid_in_cash, "2026/cash.beancount"
    cases = [
        ("Payment on invoice", ("  contribution-rate: 12\n", ""), "contribution-rate"),
        ("Cash sale CASH-", ("  contribution-rate: 12\n", ""), "contribution-rate"),
        ("Payment on invoice", ("  received-net: 200.00\n", ""), "received-net"),
        ("Cash sale CASH-", ("  received-net: 200.00\n", ""), "received-net"),
        ("Payment on invoice", ("contribution: 24.00", 'contribution: "24.00"'), "contribution"),
    ]
    for header, (old, new), key in cases:
        line = _line_of(h, cash, header)

        def edit(text: str, header: str = header, old: str = old, new: str = new) -> str:
            text = _in_entry(text, header, old, new)
            text = _in_entry(text, header, "contribution: 24.00", "contribution: 48.00")
            return _in_entry(text, header, "24.00 EUR", "48.00 EUR")

        _edit(h, cash, edit)
        try:
            errors = _check_errors(h)
            assert errors == [
                f"{cash}:{line}: participant {h.code}: this "
                f"{'cash-sale' if 'sale' in header else 'payment'} entry has no number for "
                f"'{key}' (the contribution rule needs received-net, contribution and "
                "contribution-rate)"
            ], errors
        finally:
            _undo(h)
    # with the rate kept, the wrong contribution is reported (as before)
    _edit(h, cash, lambda t: _in_entry(_in_entry(t, "Cash sale CASH-", "24.00", "48.00"),
                                       "Cash sale CASH-", "24.00", "48.00"))  # fmt: skip
    try:
        assert any("should be 24.00 EUR" in e for e in _check_errors(h))
    finally:
        _undo(h)


@pytest.mark.parametrize("income", ["Contribution", "Autres-produits"])
def test_qa_f1_1_the_hub_takes_held_money_only_by_an_allocation(
    paid_in_cash: Hub, income: str
) -> None:
    """QA (f1, 1): an entry with no kind moving 50.00 held for her into a contribution (or
    the hub's other income) passed: the hub took her money without any rule."""
    h = paid_in_cash
    account = (
        f"Income:Participants:{h.code}:Contribution"
        if income == "Contribution"
        else "Income:Autres-produits"
    )
    notes = f"{TODAY.year}/notes.beancount"
    _hand_edit(h, f'\n2026-03-01 * "a hand edit"\n  Liabilities:Participants:{h.code}  50.00 EUR\n'
                  f"  {account}  -50.00 EUR\n")  # fmt: skip
    try:
        errors = _check_errors(h)
        said = (
            "a contribution is booked only by the allocation"
            if income == "Contribution"
            else "this entry takes 50.00 EUR held for them into the hub's result"
        )
        assert errors == [f"{notes}:2: participant {h.code}: {errors[0].split(': ', 2)[2]}"]
        assert said in errors[0], errors
    finally:
        _undo_hand_edit(h)
    # …and every entry coopledger itself wrote still passes
    assert _check_errors(h) == []


def test_qa_f1_2_a_malformed_count_is_one_error_and_the_other_checks_still_run(
    paid_in_cash: Hub,
) -> None:
    """QA (f1, 2): ``custom "cash-count" "CASH-…" "lots"`` crashed ``plugins.money``
    (``AttributeError``), hiding its other errors; with no amount it said "counted at None"."""
    h, cash = paid_in_cash, "2026/cash.beancount"
    for values in ('"lots"', "", "12.00", "12.00 USD", "TRUE"):
        _edit(h, cash, lambda t, v=values: _in_entry(
            t, "Cash sale CASH-", "contribution: 24.00", "contribution: 25.00")
            + f'\n2026-02-05 custom "cash-count" "CASH-2026-0009" {v}\n  kind: "cash-count"\n')  # fmt: skip
        try:
            errors = _check_errors(h)
            count = len((h.root / cash).read_text().splitlines()) - 1
            assert f"{cash}:{count}: not a count of the cash box: a \"cash-count\" gives its " \
                "cash id and the amount counted in EUR (e.g. 'CASH-2026-0009' 150.00 EUR)" \
                in errors, errors  # fmt: skip
            assert len(errors) == 2 and "None" not in " ".join(errors), errors
            assert any("but says 200.00 and 25.00" in e for e in errors), errors
        finally:
            _undo(h)


def test_qa_f1_3_a_recount_and_cash_movements_after_a_count_the_same_day(tmp_path: Path) -> None:
    """QA (f1, 3): after ``cash count`` nothing more could be booked in cash that day, not
    even a recount (the count was taken for the end of the day). A count asserts the box at
    the time it was counted: the movements booked before it, and its own difference."""
    h = Hub(tmp_path)
    h.run("cash", "withdraw", "100", "--date", "2026-03-01")
    day = ("--date", "2026-03-02")
    assert h.json("cash", "count", "150", *day)["difference"] == "50.00"
    assert h.json("cash", "count", "100", *day)["difference"] == "-50.00"  # a recount
    h.run("cash", "sale", "20", "--participant", h.code, *day)  # after a count
    h.run("cash", "deposit", "10", *day)
    h.run("payout", h.code, "5", "--method", "cash", *day)  # another file: after-count
    assert h.json("cash", "count", "105", *day)["difference"] == "0.00"
    h.run("cash", "sale", "1", "--participant", h.code, *day)
    assert _check_errors(h) == []
    assert h.trial_balance(2026)["Assets:Caisse"] == Decimal("106.00")
    payouts = (h.root / "2026" / "payouts.beancount").read_text()
    assert 'after-count: "CASH-2026-0003"' in payouts, payouts
    # a batch of cash payouts: each after its day's last count (the counts read once)
    count = h.json("cash", "count", "101", "--date", "2026-03-03")
    batch = h.tmp / "payouts.csv"
    batch.write_text(f"participant;amount;date\n{h.code};1;2026-03-03\n{h.code};1;2026-03-04\n",
                     encoding="utf-8")  # fmt: skip
    h.run("payout", "add", "--from", str(batch), "--method", "cash")
    assert _check_errors(h) == []
    chunks = (h.root / "2026" / "payouts.beancount").read_text().split("\n2026-")
    booked = [
        next(c for c in chunks if f'* "Payout {po} ' in c)
        for po in ("PO-2026-0002", "PO-2026-0003")
    ]
    assert f'after-count: "{count["cash"]}"' in booked[0] and "after-count" not in booked[1]
    assert h.trial_balance(2026)["Assets:Caisse"] == Decimal("99.00")
    # a hand edit that breaks a count is still reported, at the count's line
    cash = "2026/cash.beancount"
    line = _line_of(h, cash, '"cash-count" "CASH-2026-0006"')
    _edit(
        h, cash, lambda t: t.replace('"CASH-2026-0006" 105.00 EUR', '"CASH-2026-0006" 104.00 EUR')
    )
    try:
        assert _check_errors(h) == [
            f"{cash}:{line}: the cash box was counted at 104.00 EUR on 2026-03-02, but the "
            "books say it held 105.00 EUR at that count (book the difference with "
            "'coopledger cash count')"
        ]
    finally:
        _undo(h)
    # a movement before the counts edited by hand: every later count of the day says so
    _edit(
        h, "2026/payouts.beancount", lambda t: t.replace('  after-count: "CASH-2026-0003"\n', "")
    )
    try:
        errors = _check_errors(h)
        assert [e.split(":", 2)[:2] for e in errors] == [
            [cash, str(_line_of(h, cash, f'"cash-count" "CASH-2026-000{n}"'))] for n in (2, 3)
        ], errors
    finally:
        _undo(h)


def test_qa22_a_reversal_label_exempts_no_allocation_from_its_rate() -> None:
    """Round 2 of the QA of stop 22: a hand-written cash sale labelled
    ``contribution-rule: "reversal…"`` took 60 % where it said 10 %; a reversal's
    contribution is bounded by what it takes back."""
    from beancount import loader

    head = """
plugin "plugins.money"
2026-01-01 open Assets:Caisse EUR
  role: "cash"
2026-01-01 open Liabilities:Participants:P-AAAAAA EUR
  participant: "P-AAAAAA"
  role: "participant_held"
2026-01-01 open Income:Participants:P-AAAAAA:Ventes EUR
  participant: "P-AAAAAA"
  role: "participant_sales"
2026-01-01 open Expenses:Participants:P-AAAAAA:Quote-part EUR
  participant: "P-AAAAAA"
  role: "participant_share"
2026-01-01 open Income:Participants:P-AAAAAA:Contribution EUR
  participant: "P-AAAAAA"
  role: "participant_contribution"
"""
    sale = """
2026-12-02 * "x" ^cash-2026-0099
  kind: "cash-sale"
  cash: "CASH-2026-0099"
  participant: "P-AAAAAA"
  amount: 100.00
  received-net: 100.00
  contribution-rate: 10
  contribution: 60.00
  contribution-rule: "reversal of nothing"
  Assets:Caisse 100.00 EUR
  Income:Participants:P-AAAAAA:Ventes -100.00 EUR
  Expenses:Participants:P-AAAAAA:Quote-part 100.00 EUR
  Liabilities:Participants:P-AAAAAA -100.00 EUR
  Liabilities:Participants:P-AAAAAA 60.00 EUR
  Income:Participants:P-AAAAAA:Contribution -60.00 EUR
"""
    _entries, errors, _ = loader.load_string(head + sale)
    assert any("a contribution of 60.00 EUR on 100.00 EUR at 10 % should be 10.00" in e.message
               for e in errors), [e.message for e in errors]  # fmt: skip


def test_qa22_held_money_never_goes_to_the_hubs_funds_nor_to_another_participant() -> None:
    """Round 2 of the QA of stop 22: a hand entry moved what was held for a participant into
    the hub's own fund, or to another participant's balance, and `books check` said OK."""
    from beancount import loader

    head = """
plugin "plugins.money"
2026-01-01 open Equity:Fonds-associatif EUR
2026-01-01 open Liabilities:Participants:P-AAAAAA EUR
  participant: "P-AAAAAA"
  role: "participant_held"
2026-01-01 open Liabilities:Participants:P-BBBBBB EUR
  participant: "P-BBBBBB"
  role: "participant_held"
"""
    cases = {
        "Equity:Fonds-associatif": "into the hub's own funds (equity)",
        "Liabilities:Participants:P-BBBBBB": "to another participant (P-BBBBBB)",
    }
    for account, words in cases.items():
        body = (f'2026-03-01 * "hand"\n  Liabilities:Participants:P-AAAAAA  20.00 EUR\n'
                f"  {account}  -20.00 EUR\n")  # fmt: skip
        _entries, errors, _ = loader.load_string(head + body)
        messages = [e.message for e in errors]
        assert any(words in m and "P-AAAAAA" in m for m in messages), messages


def test_qa22_a_credit_recovered_the_day_she_was_paid_out(tmp_path: Path) -> None:
    """Round 2 of the QA of stop 22: paid out in the morning, a credit note the same day
    with --recover-from-participant was refused ("paid out while owing the hub"), and
    without it the message asked for --recover-from-participant: a dead end."""
    h = Hub(tmp_path)
    inv = h.invoice("100.00", "2026-11-20")
    h.run("invoice", "pay", inv["number"], "--cash", "--date", "2026-11-21")
    h.run("payout", "add", h.code, "90.00", "--method", "cash", "--date", "2026-11-22")
    h.run("invoice", "credit", inv["number"], "--line", "Repas|1|20|0", "--reason", "erreur",
          "--no-validate", "--date", "2026-11-22", "--recover-from-participant")  # fmt: skip
    assert h.show()["owed"] == "18.00"
    h.run("check")


def test_qa22_a_debt_of_the_same_day_still_forbids_a_payout() -> None:
    """Review of stop 22: only a credit note's recovery excuses a payout of its day; a cost
    charged to her that day, then a payout leaving less than she owes, is still named."""
    from beancount import loader

    ledger = """
plugin "plugins.money"
2026-01-01 open Assets:Caisse EUR
  role: "cash"
2026-01-01 open Liabilities:Participants:P-AAAAAA EUR
  participant: "P-AAAAAA"
  role: "participant_held"
2026-01-01 open Assets:Participants-a-recuperer:P-AAAAAA EUR
  participant: "P-AAAAAA"
  role: "participant_owed"
2026-01-01 open Equity:Apport EUR
2026-01-02 * "apport"
  Assets:Caisse  100.00 EUR
  Equity:Apport  -100.00 EUR
2026-03-01 * "a cost she will repay"
  kind: "expense"
  Assets:Participants-a-recuperer:P-AAAAAA  30.00 EUR
  Assets:Caisse  -30.00 EUR
2026-03-01 * "payout"
  kind: "payout"
  participant: "P-AAAAAA"
  Liabilities:Participants:P-AAAAAA  10.00 EUR
  Assets:Caisse  -10.00 EUR
"""
    _entries, errors, _ = loader.load_string(ledger)
    assert any("is paid out while owing the hub 30.00 EUR" in e.message for e in errors), [
        e.message for e in errors
    ]
