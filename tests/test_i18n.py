"""The one catalogue: every text of the documents has its French and Dutch translation,
and the English source is its own translation."""

from __future__ import annotations

from babel.messages.pofile import read_po
from i18n_support import catalogue as i18n_catalogue
from i18n_support import fields, marked

from invoicing.i18n import LABEL_TEXTS, label
from ledger.i18n import LANGS, LOCALE_DIR, catalogue, translate
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
