"""The one catalogue: every text of the documents has its French and Dutch translation,
and the English source is its own translation."""

from __future__ import annotations

import io

import pytest
from babel.messages.pofile import read_po
from i18n_support import catalogue as i18n_catalogue
from i18n_support import fields, marked

from invoicing.i18n import LABEL_TEXTS, label, labels
from ledger.i18n import LANGS, LOCALE_DIR, catalogue, read_catalogue, translate
from reports.statement import KIND_TEXTS, STATEMENT_TEXTS


def messages(lang: str) -> list[tuple[str | None, str, str]]:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "coopledger.po").open("rb") as po:
        return [(m.context, str(m.id), str(m.string)) for m in read_po(po) if m.id]


def test_every_text_is_translated_in_french_and_dutch() -> None:
    english = {(ctx, msgid) for ctx, msgid, _ in messages("en")}
    for lang in ("fr", "nl"):
        found = {(ctx, msgid): text for ctx, msgid, text in messages(lang)}
        assert set(found) == english
        assert [key for key, text in found.items() if not text] == []


def test_the_documents_take_their_words_from_the_catalogue() -> None:
    for key, text in LABEL_TEXTS.items():
        assert ("invoice", text) in catalogue("fr"), key
    for text in [*STATEMENT_TEXTS.values()]:
        assert ("statement", text) in catalogue("nl")
    for text in KIND_TEXTS.values():
        assert ("statement kind", text) in catalogue("fr")
    assert label("fr", "invoice") == "FACTURE" and label("nl", "invoice") == "FACTUUR"
    assert label("en", "invoice") == "INVOICE"
    assert translate("nl", "Amount", "receipt") == "Bedrag"
    assert translate("fr", "a text nobody wrote", "receipt") == "a text nobody wrote"
    assert set(LANGS) == {"fr", "nl", "en"}


def test_every_marked_text_is_in_the_catalogue_with_its_fields() -> None:
    """Every text the source marks (``_``, ``N_``; the pages' ``t``, ``F_``, ``text``) is
    in the three catalogues, and each translation names the same ``{fields}``."""
    wanted = marked()
    assert wanted, "the extraction found no marked text"
    for lang in ("en", "fr", "nl"):
        cat = i18n_catalogue(lang)
        missing = [(ctx, msg, where) for (ctx, msg), where in wanted.items()
                   if cat.get(msg, context=ctx) is None]  # fmt: skip
        assert missing == [], f"{lang}: run python tests/i18n_support.py"
        for (ctx, msg), where in wanted.items():
            found = cat.get(msg, context=ctx)
            assert found is not None and fields(str(found.string)) == fields(msg), (lang, where)


def babel_mapping(data: bytes, lang: str | None = None) -> dict[tuple[str | None, str], str]:
    """What ``ledger.i18n.catalogue`` read with Babel's ``read_po`` before its own reader."""
    return {
        (m.context, str(m.id)): str(m.string)
        for m in read_po(io.BytesIO(data), locale=lang, domain="coopledger")
        if m.id and isinstance(m.id, str) and m.string
    }


@pytest.mark.parametrize("lang", LANGS)
def test_the_catalogue_reader_reads_the_shipped_files_as_babel_does(lang: str) -> None:
    data = (LOCALE_DIR / lang / "LC_MESSAGES" / "coopledger.po").read_bytes()
    assert read_catalogue(data) == babel_mapping(data, lang)
    assert catalogue(lang) == babel_mapping(data, lang)
    assert len(catalogue(lang)) > 1000


# Every case of the format a translator's tool may write (and a few it should not write).
TRICKY_PO = r"""# a translator's comment
#, fuzzy
msgid ""
msgstr ""
"Content-Type: text/plain; charset=utf-8\n"
"Language: fr\n"

#: ledger/cli/books.py:12
#, python-format
msgid "plain"
msgstr "simple"

msgctxt "invoice"
msgid "plain"
msgstr "simple (facture)"

msgctxt ""
msgid "empty context"
msgstr "contexte vide"

#, fuzzy
msgid "fuzzy one"
msgstr "approximatif"

msgid "untranslated"
msgstr ""

msgid ""
"multi "
"line"
msgstr ""
"sur "
"plusieurs lignes"

msgctxt "re"
"port"
msgid "context on two lines"
msgstr "deux lignes"

msgid "escapes \"q\" \\ \t \n \a \b \f \r \v \x"
msgstr "échappées \"q\" \\ \t \n \a \b \f \r \v \x"

msgid "first wins"
msgstr "la première"

msgid "first wins"
msgstr "la seconde"

msgid "an apple"
msgid_plural "apples"
msgstr[0] "une pomme"
msgstr[1] "des pommes"

msgid "singular then plural"
msgstr "singulier"

msgid "singular then plural"
msgid_plural "plurals"
msgstr[0] "pluriel"
msgstr[1] "pluriels"

msgid "only msgstr[0]"
msgstr[0] "zéro"

#~ msgid "obsolete"
#~ msgstr "obsolète"

#~ msgctxt "invoice"
#~ msgid "obsolete too"
#~ msgstr ""
#~ "obsolète aussi"

msgid "no msgstr at all"

msgid "a comment"
# in the middle
msgstr "perdu"

msgid "after the stray msgstr"
msgstr "la suite"

msgid "non-breaking"NBSP
msgstr "espaceNBSPinsécable :"
   msgid "indented"
	msgstr "indenté"
msgid "crlf"CR
msgstr "fin de ligne windows"CR
bogus "keyword"
msgid "last"
msgstr "dernier"
"""


def test_the_catalogue_reader_reads_every_case_as_babel_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = TRICKY_PO.replace("NBSP", "\u00a0").replace("CR", "\r").encode("utf-8")
    mine = read_catalogue(data)
    assert mine == babel_mapping(data, "fr")
    capsys.readouterr()  # Babel's warnings about the bogus lines
    assert mine[("invoice", "plain")] == "simple (facture)"
    assert mine[("", "empty context")] == "contexte vide"
    assert mine[(None, "fuzzy one")] == "approximatif"  # Babel's read_po keeps it
    assert mine[(None, "multi line")] == "sur plusieurs lignes"
    assert mine[("report", "context on two lines")] == "deux lignes"
    assert mine[(None, "first wins")] == "la première"
    assert mine[(None, 'escapes "q" \\ \t \n \a \b \f \r \v \\x')].startswith('échappées "q" \\')
    assert mine[(None, "crlf")] == "fin de ligne windows"
    assert (None, "obsolete") not in mine and ("invoice", "obsolete too") not in mine
    assert (None, "untranslated") not in mine and (None, "no msgstr at all") not in mine
    assert (None, "an apple") not in mine and (None, "singular then plural") not in mine


def test_a_language_is_read_when_a_text_of_it_is_first_asked() -> None:
    catalogue.cache_clear()
    labels.cache_clear()
    assert label("nl", "invoice") == "FACTUUR"
    assert catalogue.cache_info().currsize == 1  # Dutch only: not French, not English
    assert translate("nl", "Amount", "receipt") == "Bedrag"
    assert catalogue.cache_info().currsize == 1
