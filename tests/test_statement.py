"""A participant's statement: readable words, exact amounts, a code and never a name."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("fr", "Le hub garde pour vous"),
        ("nl", "De hub houdt vandaag"),
        ("en", "The hub keeps for you"),
    ],
)
def test_statement_pdf(cli, books_dir: Path, tmp_path: Path, lang: str, words: str) -> None:  # type: ignore[no-untyped-def]
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
        f'2026-02-10 * "allocation"\n  kind: "payment"\n  Expenses:Participants:{code}:Quote-part 125.50 EUR\n'
        f"  Liabilities:Participants:{code} -125.50 EUR\n"
        f'2026-03-10 * "payout"\n  kind: "payout"\n  Liabilities:Participants:{code} 100.00 EUR\n'
        "  Assets:Caisse -100.00 EUR\n"
    )
    main = books_dir / "main.beancount"
    main.write_text(main.read_text() + 'include "2026/manual.beancount"\n')
    out = tmp_path / f"st-{lang}.pdf"
    cli("participant", "statement", code, *b, "--lang", lang, "--out", str(out))
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert code in text and words in text
    assert "125.50 EUR" in text and "25.50 EUR" in text and "-100.00 EUR" in text
    assert "Fictive Zulu" not in text
