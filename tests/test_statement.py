"""A participant's statement: readable words, exact amounts, a code and never a name."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader


@pytest.mark.parametrize(
    ("lang", "words", "amounts", "day", "why"),
    [
        ("fr", "Le hub garde pour vous", ("125,50 €", "25,50 €", "-100,00 €", "139,45 €"),
         "10/02/2026", "moins 13,95 € de contribution"),
        ("nl", "De hub houdt vandaag", ("€ 125,50", "€ 25,50", "€ -100,00", "€ 139,45"),
         "10/02/2026", "min € 13,95 bijdrage"),
        ("en", "The hub keeps for you", ("€125.50", "€25.50", "-€100.00", "€139.45"),
         "10/02/2026", "less €13.95 contribution"),
    ],
)  # fmt: skip
def test_statement_pdf(  # type: ignore[no-untyped-def]
    cli, books_dir: Path, tmp_path: Path, lang: str, words: str, amounts: tuple[str, ...],
    day: str, why: str,
) -> None:  # fmt: skip
    """Amounts and dates as the language writes them (Babel, as on invoices), and why a
    payment's line is smaller than what the client paid."""
    b = ("--books", str(books_dir))
    code = cli(
        "participant",
        "add",
        *b,
        "--from-file",
        "-",
        "--date",
        "2026-02-01",
        input='alias = "Fictive Zulu (test)"',
    ).stdout.splitlines()[-1]
    extra = books_dir / "2026" / "manual.beancount"
    extra.parent.mkdir(exist_ok=True)
    extra.write_text(
        f'2026-02-10 * "allocation"\n  kind: "payment"\n  participant: "{code}"\n  received-net: 139.45\n'
        f"  contribution: 13.95\n  Expenses:Participants:{code}:Quote-part 125.50 EUR\n"
        f"  Liabilities:Participants:{code} -125.50 EUR\n"
        f'2026-03-10 * "payout"\n  kind: "payout"\n  Liabilities:Participants:{code} 100.00 EUR\n'
        "  Assets:Caisse -100.00 EUR\n"
    )
    main = books_dir / "main.beancount"
    main.write_text(main.read_text() + 'include "2026/manual.beancount"\n')
    out = tmp_path / f"st-{lang}.pdf"
    cli("participant", "statement", code, *b, "--lang", lang, "--out", str(out))
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    text = " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())
    assert code in text and words in text
    for amount in amounts:
        assert amount in text, (amount, text)
    assert day in text and "2026-02-10" not in text
    assert why in text
    assert "Fictive Zulu" not in text
