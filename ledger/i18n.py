"""The one catalogue of coopledger's texts (gettext ``.po`` files read at runtime), and how
dates, amounts and numbers are written in French, Dutch and English (Babel's CLDR data).

English is the source language: a text is its own English translation. The catalogues
are ``ledger/locale/<lang>/LC_MESSAGES/coopledger.po``; every document (invoice, credit
note, statement, cash receipt, and the reports) takes its words from them, by context
(``invoice``, ``statement``, ``statement kind``, ``vat``, ``receipt``). A translator edits
the ``.po`` files with any gettext tool; nothing is compiled. A process reads a language's
catalogue only when it first needs a word of it (:func:`read_catalogue`: the subset of
the format our files use, read as Babel reads it).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

LANGS = ("fr", "nl", "en")
SOURCE_LANG = "en"
DOMAIN = "coopledger"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
CENT = Decimal("0.01")  # (ledger.entries.q2's rounding: entries takes its messages from here)

Catalogue = dict[tuple[str | None, str], str]


@functools.cache
def catalogue(lang: str) -> Catalogue:
    """``(context, English text) → translation`` of one language (read once)."""
    if lang not in LANGS:
        raise ValueError(f"no catalogue for language {lang!r} (known: {', '.join(LANGS)})")
    return read_catalogue((LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po").read_bytes())


# ---------------------------------------------------------------- reading a .po file
#
# Babel's ``read_po`` builds a Catalog of Message objects (and parses the locale) to give
# what a lookup needs: ``(msgctxt, msgid) → msgstr``; that took ~70 ms per language, at
# every start. This reader gives the same mapping (tests/test_i18n.py compares them on
# the shipped files and on a file of every case), following Babel's parser step by step:
# lines stripped of ASCII blanks; ``#~`` entries obsolete (not read); other comments end
# an entry (a ``#, fuzzy`` entry counts, as Babel reads it); ``msgctxt``/``msgid`` start
# one; continuation lines ``"…"`` extend the last keyword's string; escapes ``\n \t
# \" \\ …`` as Babel unescapes them. Left out, as the lookup leaves them: the header
# (``msgid ""``), plural entries, empty translations; the first of two equal keys wins.

_ESCAPE = re.compile(r'\\([\\abfnrtv"])')
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_BLANKS = " \t\n\r\x0b\x0c"  # what bytes.strip() strips (Babel strips the undecoded line)


def _unquoted(text: str) -> str:
    """One quoted piece of a string, unescaped (its first and last characters, the
    quotes, dropped)."""
    if "\\" not in text:
        return text[1:-1]
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m[1], m[1]), text[1:-1])


class _Entry:
    """The entry being read: its pieces, as Babel's parser keeps them."""

    __slots__ = ("context", "ids", "in_context", "in_id", "in_str", "obsolete", "strings")

    def __init__(self) -> None:
        self.ids: list[list[str]] = []
        self.strings: list[list[str]] = []
        self.context: list[str] | None = None
        self.obsolete = self.in_id = self.in_str = self.in_context = False


def read_catalogue(data: bytes) -> Catalogue:
    """``(context, msgid) → msgstr`` of a UTF-8 ``.po`` file's bytes: what Babel's
    ``read_po`` gives for its non-obsolete, singular entries with a translation."""
    found: Catalogue = {}
    plural: set[tuple[str | None, str]] = set()
    entry = _Entry()

    def finish() -> None:
        nonlocal entry
        if not entry.ids:
            return
        if not entry.strings:
            entry.strings.append([])
        if not entry.obsolete:
            msgid = "".join(map(_unquoted, entry.ids[0]))
            context = None if not entry.context else "".join(map(_unquoted, entry.context))
            key = (context, msgid)
            if msgid == "" and len(entry.ids) == 1:
                pass  # the header (Babel keeps it apart from the messages)
            elif len(entry.ids) > 1:  # a plural entry: not a text of ours
                if key in found:  # Babel's catalogue takes the plural over the singular
                    del found[key]
                plural.add(key)
            elif key not in found and key not in plural:
                found[key] = "".join(map(_unquoted, entry.strings[0]))
        entry = _Entry()

    for raw in data.decode("utf-8").split("\n"):
        line = raw.strip(_BLANKS)
        if not line:
            continue
        obsolete = False
        if line[0] == "#":
            if line[1:2] != "~":
                finish()  # a comment (flags, locations) ends the entry being read
                continue
            line, obsolete = line[2:].lstrip(), True
            if not line:
                continue
        if line[0] == '"':  # a continuation of the last keyword's string
            target = (
                entry.ids[-1] if entry.in_id
                else entry.strings[-1] if entry.in_str
                else entry.context if entry.in_context
                else None
            )  # fmt: skip
            if target is not None:
                target.append(line.strip())
            continue
        keyword, _sep, arg = line.partition(" ")
        if keyword in ("msgid", "msgctxt"):
            finish()
        entry.obsolete = obsolete
        if keyword in ("msgid", "msgid_plural"):
            entry.in_context, entry.in_id = False, True
            entry.ids.append([arg.strip()])
        elif keyword == "msgctxt":
            entry.in_context, entry.context = True, [arg.strip()]
        elif keyword == "msgstr" or keyword.startswith("msgstr["):
            # (``msgstr[N]``: a singular entry takes its first msgstr, as Babel does)
            entry.in_id, entry.in_str = False, True
            entry.strings.append([] if arg == '""' else [arg.strip()])
    finish()
    return {key: text for key, text in found.items() if text}


def translate(lang: str, text: str, context: str | None = None) -> str:
    """``text`` (English) in ``lang``: its translation, else the English text itself."""
    return catalogue(lang).get((context, text)) or text


def fmt_rate(rate: Decimal) -> str:
    """A VAT rate without trailing zeros: ``21``, ``5.5``."""
    text = format(rate.normalize(), "f")
    return text


# The locale whose conventions each language's documents follow (Babel's CLDR data):
# Belgian French and Dutch; English as written in Europe (day before month, € before).
LOCALES = {"fr": "fr_BE", "nl": "nl_BE", "en": "en_GB"}


def locale_of(lang: str) -> str:
    """The Babel locale of one of our languages (English for any other)."""
    return LOCALES.get(lang, LOCALES[SOURCE_LANG])


# Babel's dates and numbers (and the time zones they bring) are imported by the functions
# that write a date or an amount: most commands write none (a lazy import, listed in
# tests/test_import_contract.py).


@functools.cache
def _date_pattern(lang: str) -> str:
    # The locale's short date, always with a four-digit year (a document outlives a century).
    from babel import Locale

    pattern = str(Locale.parse(locale_of(lang)).date_formats["short"].pattern)
    return pattern if "yyyy" in pattern else pattern.replace("yy", "y")


def fmt_date(value: dt.date, lang: str) -> str:
    """``4/03/2026`` (fr, nl), ``04/03/2026`` (en): the locale's short date."""
    from babel.dates import format_date

    return format_date(value, _date_pattern(lang), locale=locale_of(lang))


def fmt_amount(value: Decimal, lang: str, currency: str = "EUR", places: int = 2) -> str:
    """``1 234,56 €`` (fr), ``€ 1.234,56`` (nl), ``€1,234.56`` (en), by the locale (the
    spaces are non-breaking: an amount never wraps)."""
    from babel.numbers import format_currency

    if places == 2:
        return format_currency(
            value.quantize(CENT, rounding=ROUND_HALF_UP), currency, locale=locale_of(lang)
        )
    return format_currency(value, currency, locale=locale_of(lang), decimal_quantization=False)


def fmt_price(value: Decimal, lang: str, currency: str = "EUR") -> str:
    """A unit price: two decimals, or up to four when the price has them."""
    exponent = value.normalize().as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return fmt_amount(value, lang, currency, places=min(places, 4))


def fmt_number(value: Decimal, lang: str) -> str:
    """A quantity or price without trailing zeros, with the language's decimal mark."""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=locale_of(lang), decimal_quantization=False)


def fmt_percent(value: Decimal, lang: str) -> str:
    """``21 %`` (fr) or ``21%`` (nl, en): ``value`` in percent."""
    from babel.numbers import format_percent

    return format_percent(value / 100, locale=locale_of(lang), decimal_quantization=False)


def fmt_enterprise(number: str) -> str:
    """``0123.456.789`` for the 10-digit enterprise number."""
    return f"{number[:4]}.{number[4:7]}.{number[7:]}"


# The same register and legal forms have a French and a Dutch name; an invoice states them
# in its own language (the hub's legal languages in Brussels are French and Dutch).
_COURT_PREFIX = {"fr": ("RPR", "RPM"), "nl": ("RPM", "RPR")}
_COURT_CITY = {"fr": ("Brussel", "Bruxelles"), "nl": ("Bruxelles", "Brussel")}
_LEGAL_FORMS = {
    "fr": {"VZW": "ASBL", "IVZW": "AISBL"},
    "nl": {"ASBL": "VZW", "AISBL": "IVZW"},
}


def court_register(text: str, lang: str) -> str:
    """``RPM Bruxelles`` on a French invoice, ``RPR Brussel`` on a Dutch one (English keeps
    the configured text)."""
    words = text.split()
    if lang not in _COURT_PREFIX or not words:
        return text
    other, own = _COURT_PREFIX[lang]
    if words[0].upper() == other:
        words[0] = own
    city_other, city_own = _COURT_CITY[lang]
    return " ".join(city_own if w == city_other else w for w in words)


def legal_form(text: str, lang: str) -> str:
    """``ASBL`` on a French invoice, ``VZW`` on a Dutch one (English keeps the text)."""
    return _LEGAL_FORMS.get(lang, {}).get(text.strip().upper(), text)


def N_(text: str) -> str:
    """Mark ``text`` (English) for the catalogue; it is translated where it is shown."""
    return text


# ---------------------------------------------------------------- messages to the user
#
# A message coopledger prints (an error, a command's output, a prompt) is made with
# ``_("English template with {fields}", field=value)``: its value is the English text, so
# code and tests that read it see English, and it remembers its template and fields, so
# the command line shows it in the user's language (:func:`shown`). The language is
# chosen once per process (:func:`set_ui_lang`, from ``COOPLEDGER_LANG`` or the hub's
# ``default_lang``); English when nothing chose one.

LANG_ENV = "COOPLEDGER_LANG"


class Message(str):
    """An English text that can be shown in another language: its template and fields."""

    template: str
    fields: dict[str, object]

    def __new__(cls, template: str, fields: dict[str, object]) -> Message:
        value = template.format(**fields) if fields else template
        made = super().__new__(cls, value)
        made.template = template
        made.fields = fields
        return made

    def __reduce__(self) -> tuple[object, ...]:  # kept through pickling (multiprocessing)
        return (Message, (self.template, self.fields))

    def shown(self, lang: str | None = None) -> str:
        """This message in ``lang`` (the process's language when ``None``)."""
        lang = lang or ui_lang()
        fields = {k: shown(v, lang) if _nested(v) else v for k, v in self.fields.items()}
        text = translate(lang, self.template) if lang in LANGS else self.template
        try:
            return text.format(**fields)
        except (KeyError, IndexError, ValueError):  # a translation that lost a field
            return self.template.format(**fields)


def _carried(error: BaseException) -> Message | None:
    """The message an error carries (its ``message``, or its first argument), if any."""
    message = getattr(error, "message", None) or (error.args[0] if error.args else None)
    return message if isinstance(message, Message) else None


def _nested(value: object) -> bool:
    """A field that is a message, or an error carrying one, is shown in the same language."""
    return isinstance(value, Message) or (
        isinstance(value, BaseException) and _carried(value) is not None
    )


def _(template: str, /, **fields: object) -> Message:
    """A message for the user: ``_("invoice {number} is paid", number=n)``."""
    return Message(template, fields)


def shown(text: object, lang: str | None = None) -> str:
    """What the user reads of ``text``: a :class:`Message` in her language, else as is."""
    if isinstance(text, Message):
        return text.shown(lang)
    message = _carried(text) if isinstance(text, BaseException) else None
    if message is not None:  # an error carrying a message
        return message.shown(lang)
    return str(text)


# The system's own words for the usual file errors (in English): in the catalogue, so that
# they are shown in the user's language; any other stays as the system said it.
SYSTEM_ERRORS = (
    N_("No such file or directory"), N_("Permission denied"), N_("Is a directory"),
    N_("Not a directory"), N_("No space left on device"), N_("File exists"),
    N_("File name too long"), N_("Read-only file system"),
)  # fmt: skip


def system_error(exc: OSError) -> str:
    """Why the system refused a file (``exc.strerror``), as a message when we know it."""
    text = exc.strerror or type(exc).__name__
    return _(text) if text in SYSTEM_ERRORS else text


def joined(items: Iterable[object], sep: str = ", ") -> str:
    """``items`` joined by ``sep``, as a message: each item (a message, or text) is shown in
    the user's language (``sep.join`` would flatten them to English)."""
    parts = list(items)
    out: object = parts[0] if parts else ""
    for item in parts[1:]:
        out = _("{first}{sep}{then}", first=out, sep=sep, then=item)
    return out if isinstance(out, Message) else str(out)


_ui_lang: list[str] = []


def set_ui_lang(lang: str | None) -> str:
    """Choose the language of this process's messages (``COOPLEDGER_LANG`` wins; an
    unknown language falls back to English)."""
    chosen = os.environ.get(LANG_ENV) or lang or SOURCE_LANG
    chosen = chosen if chosen in LANGS else SOURCE_LANG
    _ui_lang[:] = [chosen]
    return chosen


def ui_lang() -> str:
    """The language messages are shown in (see :func:`set_ui_lang`)."""
    if _ui_lang:
        return _ui_lang[0]
    env = os.environ.get(LANG_ENV, "")
    return env if env in LANGS else SOURCE_LANG


def hub_lang(default_lang: str) -> str:
    """The language coopledger writes new narrations in: the hub's ``default_lang``
    (``COOPLEDGER_LANG`` overrides it, as for messages)."""
    env = os.environ.get(LANG_ENV, "")
    return env if env in LANGS else default_lang
