"""What the catalogue must hold: every text coopledger marks in its source, extracted with
Babel, and (run as a script) adding the ones missing to the ``.po`` files for a translator.

Marks (English is the source language):

* the command line, messages, narrations, reasons: ``_("…")`` and ``N_("…")``, no context;
* the Fava pages (``reports/fava_*``): ``t("…")``, ``F_("…")`` and ``text(lang, "…")`` in
  Python, ``t("…")`` in their Jinja templates, context ``fava``;
* the documents keep their own lists (``invoicing/i18n.py``, ``reports/statement.py``…),
  checked by ``tests/test_i18n.py``.

``python tests/i18n_support.py`` adds every missing text to the three catalogues (English
gets its own text, French and Dutch an empty one to translate) and lists them.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_python
from babel.messages.pofile import read_po, write_po
from jinja2.ext import babel_extract

REPO = Path(__file__).resolve().parent.parent
LOCALE_DIR = REPO / "ledger" / "locale"
SOURCES = ("ledger", "importers", "invoicing", "plugins", "reports")
CLI_KEYWORDS = {"_": None, "N_": None}
FAVA_KEYWORDS = {"t": None, "F_": None, "text": (2,)}
JINJA_OPTIONS = {"extensions": "jinja2.ext.do,jinja2.ext.loopcontrols", "trim_blocks": "true"}
FIELD = re.compile(r"\{(\w*)[^}]*\}")

Key = tuple[str | None, str]


def _is_fava(path: Path) -> bool:
    rel = path.relative_to(REPO).parts
    return rel[0] == "reports" and (rel[1].startswith("fava_"))


def marked() -> dict[Key, str]:
    """Every marked text of the source: ``(context, English) → where``."""
    out: dict[Key, str] = {}
    for top in SOURCES:
        for path in sorted((REPO / top).rglob("*")):
            if path.suffix not in (".py", ".html") or ".venv" in path.parts:
                continue
            for key, line in _extract(path):
                out.setdefault(key, f"{path.relative_to(REPO)}:{line}")
    return out


def _extract(path: Path) -> Iterator[tuple[Key, int]]:
    """The marked texts of one file, by the mark's function name (``t``, ``F_`` and
    ``text`` are the pages', in ``reports/fava_*`` only)."""
    fileobj = io.BytesIO(path.read_bytes())
    if path.suffix == ".html":
        found = babel_extract(fileobj, ("t",), [], JINJA_OPTIONS)
    else:
        keywords = {**CLI_KEYWORDS, **(FAVA_KEYWORDS if _is_fava(path) else {})}
        found = extract_python(fileobj, keywords, [], {})
    for line, function, message, _comments in found:
        if isinstance(message, tuple):  # the keyword's spec picks one argument
            spec = (FAVA_KEYWORDS | CLI_KEYWORDS).get(function)
            index = spec[0] - 1 if isinstance(spec, tuple) else 0
            message = message[index] if len(message) > index else None
        if isinstance(message, str) and message:
            yield ("fava" if function in FAVA_KEYWORDS else None, message), line


def fields(text: str) -> set[str]:
    return set(FIELD.findall(text))


def catalogue(lang: str) -> Catalog:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "coopledger.po").open("rb") as po:
        return read_po(po, locale=lang)


def add_missing() -> list[Key]:
    """Add every marked text missing from the catalogues; returns them."""
    wanted = marked()
    added: list[Key] = []
    for lang in ("en", "fr", "nl"):
        cat = catalogue(lang)
        for (context, message), where in sorted(wanted.items(), key=lambda kv: kv[1]):
            if cat.get(message, context=context) is None:
                cat.add(message, message if lang == "en" else "", context=context,
                        locations=[(where.rsplit(":", 1)[0], int(where.rsplit(":", 1)[1]))])  # fmt: skip
                if lang == "en":
                    added.append((context, message))
        path = LOCALE_DIR / lang / "LC_MESSAGES" / "coopledger.po"
        with path.open("wb") as po:
            write_po(po, cat, width=99, omit_header=False, include_lineno=False)
    return added


if __name__ == "__main__":
    for context, message in add_missing():
        print(f"{context or '-'}: {message}")
    sys.exit(0)
