"""What every coopledger page in Fava shares: its language, Fava's filters, the fold of
the books, the formats, and the page for something that does not exist.

Each page is a module of its own with one :class:`fava.ext.FavaExtensionBase` subclass (Fava
instantiates every subclass it finds in a module, so this module is imported as a module,
never by class name, and is no extension itself):

* **Language.** A page follows Fava's language (``g.ledger.fava_options.language``, else
  the browser's); the books' Fava language is the hub's ``invoicing.default_lang``
  (``hub.toml``) unless the books set one themselves. A language we have no catalogue for
  shows the page in English and says so once, at its top. The words come from the one
  catalogue (:mod:`ledger.i18n`, context ``fava``), amounts and dates in the locale's way.
* **Filters.** Fava gives an extension the filtered ledger as ``g.filtered``: its
  ``date_range`` is the time filter, and the account and advanced (tag, link, metadata)
  filters choose entries. A page's figures are the fold of the books (:class:`View`, the
  one the command line asks) up to the end of the period, so they are the books' own at
  that date, and the flows of a period are the fold at its end less the fold at its start.
  The account and advanced filters choose the rows: a row shows when one of its entries is
  among the entries Fava's filters keep.
* **Identity.** Pages show pseudonymous codes, never who a participant is: the books keep
  no name, and nothing here reads the roster.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from babel import Locale
from beancount.core import data
from fava.ext import FavaExtensionBase
from flask import Response, g, make_response, render_template, request, url_for
from flask_babel import get_locale
from markupsafe import Markup

from ledger import dates
from ledger.config import HubConfig, load_config
from ledger.errors import CoopledgerError
from ledger.i18n import (
    LANGS,
    SOURCE_LANG,
    fmt_amount,
    fmt_date,
    locale_of,
    translate,
)
from ledger.view import View

CONTEXT = "fava"
ZERO = Decimal("0")


def F_(english: str) -> str:
    """Mark a page's text (English, context ``fava``) for the catalogue; it is translated
    where it is shown (``CoopPage.t``)."""
    return english


# An invoice's status (``invoicing.status``) as the pages say it.
INVOICE_STATUS_TEXTS = {
    "open": F_("open"), "partly-paid": F_("partly paid"), "overdue": F_("overdue"),
    "paid": F_("paid"), "credited": F_("credited"),
}  # fmt: skip


def text(lang: str, english: str, **fields: Any) -> str:
    """A page's text in ``lang`` (context ``fava``), with ``{fields}`` filled in."""
    words = translate(lang, english, CONTEXT)
    return words.format(**fields) if fields else words


# ---------------------------------------------------------------- Fava's filters


@dataclass(frozen=True)
class Scope:
    """What Fava's filters ask of a page: a period (``begin`` included, ``end`` not) and,
    when an account or advanced filter is set, the entries it keeps."""

    begin: dt.date | None = None
    end: dt.date | None = None
    kept: Sequence[data.Directive] | None = None  # None: no account or advanced filter
    links: frozenset[str] = frozenset()
    accounts: frozenset[str] = frozenset()
    codes: frozenset[str] = frozenset()

    @classmethod
    def of(cls, period: Any, kept: Sequence[Any] | None) -> Scope:
        begin = end = None
        if period is not None:
            begin, end = period.begin, period.end
        if kept is None:
            return cls(begin, end)
        links: set[str] = set()
        accounts: set[str] = set()
        codes: set[str] = set()
        for entry in kept:
            links.update(getattr(entry, "links", None) or ())
            code = (entry.meta or {}).get("participant")
            if code:
                codes.add(str(code))
            if isinstance(entry, data.Transaction):
                accounts.update(p.account for p in entry.postings)
            elif hasattr(entry, "account"):
                accounts.add(entry.account)
        return cls(begin, end, kept, frozenset(links), frozenset(accounts), frozenset(codes))

    @property
    def filtered(self) -> bool:
        return self.kept is not None

    @property
    def last_day(self) -> dt.date | None:
        return self.end - dt.timedelta(days=1) if self.end is not None else None

    def as_of(self, today: dt.date) -> dt.date:
        """The day the page speaks of: today, or the period's last day if it is earlier."""
        last = self.last_day
        return min(today, last) if last is not None else today

    def in_period(self, day: dt.date) -> bool:
        return (self.begin is None or day >= self.begin) and (self.end is None or day < self.end)

    def keeps(
        self, links: Iterable[str] = (), code: str = "", accounts: Iterable[str] = ()
    ) -> bool:
        """Whether a row made of these links, participant and accounts passes the account
        and advanced filters (always, when none is set)."""
        if self.kept is None:
            return True
        return (
            bool(self.links.intersection(links))
            or (bool(code) and code in self.codes)
            or bool(self.accounts.intersection(accounts))
        )


def until(entries: Iterable[data.Directive], end: dt.date | None) -> list[Any]:
    """The entries dated before ``end`` (all of them when None)."""
    return [e for e in entries if end is None or e.date < end]


def documents_by_link(entries: Iterable[data.Directive]) -> dict[str, list[data.Document]]:
    """The files the books attach (``document`` entries) by each of their links."""
    out: dict[str, list[data.Document]] = {}
    for entry in entries:
        if isinstance(entry, data.Document):
            for link in sorted(entry.links or ()):
                out.setdefault(link, []).append(entry)
    return out


@dataclass
class FileLink:
    """A document as a page links it: its label (``PDF``, ``XML``…) and its path."""

    label: str
    filename: str

    @classmethod
    def of(cls, entry: data.Document) -> FileLink:
        suffix = Path(entry.filename).suffix.lstrip(".").upper() or "file"
        return cls(suffix, entry.filename)


@dataclass
class Chart:
    """A line chart of one series, in Fava's own chart component (``balances``)."""

    label: str
    points: list[tuple[dt.date, Decimal]] = field(default_factory=list)

    def data(self, currency: str = "EUR") -> list[dict[str, Any]]:
        """What Fava's ``charts`` component reads (the template writes it with ``tojson``)."""
        series = [
            {"date": day.isoformat(), "balance": {currency: float(value)}}
            for day, value in self.points
        ]
        return [{"type": "balances", "label": self.label, "data": series}]


# ---------------------------------------------------------------- the base of our pages


class CoopPage(FavaExtensionBase):
    """A coopledger page in Fava: its title (English, translated), its language, its scope
    (Fava's filters) and the fold of the books."""

    title = ""  # in English; the sidebar shows it in the page's language

    def __init__(self, ledger: Any, config: str | None = None) -> None:
        super().__init__(ledger, config)
        self.hub: HubConfig | None = None
        self.hub_error = ""

    # -- Fava's hooks -------------------------------------------------------------------

    @property
    def report_title(self) -> str:  # type: ignore[override]  # Fava reads it in a request
        return self.t(self.title)

    def after_load_file(self) -> None:
        self._load_hub()

    def _load_hub(self) -> None:
        try:
            self.hub, self.hub_error = (
                load_config(Path(self.ledger.beancount_file_path).parent),
                "",
            )
        except CoopledgerError as exc:
            self.hub, self.hub_error = None, exc.message
            return
        options = self.ledger.fava_options
        lang = self.hub.invoicing.default_lang
        if options.language is None:  # the books may set Fava's language themselves
            options.language = lang
        if options.locale is None:
            options.locale = locale_of(options.language if options.language in LANGS else lang)
            self.ledger.format_decimal.load_file()  # Fava's own numbers in the same locale

    # -- language and formats -----------------------------------------------------------

    @property
    def asked_lang(self) -> str:
        """The language Fava shows itself in (``en`` outside a request)."""
        try:
            locale = get_locale()
        except (RuntimeError, KeyError):
            locale = None
        return locale.language if locale is not None else SOURCE_LANG

    @property
    def lang(self) -> str:
        asked = self.asked_lang
        return asked if asked in LANGS else SOURCE_LANG

    def t(self, english: str, **fields: Any) -> str:
        return text(self.lang, english, **fields)

    def money(self, value: Decimal | None) -> str:
        return "" if value is None else fmt_amount(value, self.lang, self.currency)

    def day(self, value: dt.date | None) -> str:
        return "" if value is None else fmt_date(value, self.lang)

    def iso_day(self, value: str) -> str:
        """A date given as ``YYYY-MM-DD`` (as the fold's JSON-ready rows keep it)."""
        return self.day(dt.date.fromisoformat(value)) if value else ""

    @property
    def currency(self) -> str:
        return self.hub.currency if self.hub is not None else "EUR"

    # -- the scope and the fold ---------------------------------------------------------

    def scope(self) -> Scope:
        """Fava's filters of this request (``g.filtered``)."""
        filtered = g.filtered
        account, advanced = request.args.get("account", ""), request.args.get("filter", "")
        kept = None
        if account or advanced.strip():
            kept = self.ledger.get_filtered(account=account, filter=advanced).entries
        return Scope.of(filtered.date_range, kept)

    def entries(self) -> list[Any]:
        return list(self.ledger.all_entries)

    def view(self, end: dt.date | None) -> View:
        """The fold of the books up to ``end`` (excluded; all of them when None)."""
        assert self.hub is not None
        return View.of(until(self.entries(), end), self.hub)

    def today(self) -> dt.date:
        return dates.today()

    # -- what every page prints above its content ---------------------------------------

    def header(self, scope: Scope) -> Markup:
        """The sentences above a page: the language note, the period, the filter."""
        parts = []
        asked = self.asked_lang
        if asked not in LANGS:
            name = Locale.parse(asked).get_display_name(SOURCE_LANG) or asked
            parts.append(
                text(SOURCE_LANG, "This page has no {language} translation; it is shown in "
                     "English.", language=name)
            )  # fmt: skip
        if scope.end is not None or scope.begin is not None:
            first = scope.begin
            last = scope.last_day
            parts.append(
                self.t("Period: {first} to {last}. Amounts are those of the period; balances "
                       "and statuses those of its last day.",
                       first=self.day(first), last=self.day(last))
            )  # fmt: skip
        if scope.filtered:
            parts.append(self.t("Only the rows whose entries match Fava's filter are shown."))
        if self.hub_error:
            parts.append(self.t("hub.toml could not be read: {error}", error=self.hub_error))
        return Markup("").join(Markup('<p class="coop-note">{}</p>').format(p) for p in parts)

    # -- pages of our own (endpoints) ---------------------------------------------------

    def url(self, extension: str, endpoint: str = "", **args: Any) -> str:
        """The address of a page (``endpoint`` of an extension, or its report), with Fava's
        filters of this request (Fava adds them to every address it builds)."""
        address = urlsplit(url_for("extension_report", extension_name=extension, **args))
        return urlunsplit(address._replace(path=address.path + endpoint))

    def render_page(self, template: str, title: str, status: int = 200, **values: Any) -> Response:
        """A page of ours inside Fava's layout (only its content when Fava's router asks
        for it with ``partial``)."""
        content = self.jinja_env.get_template(template).render(
            ledger=self.ledger, extension=self, **values
        )
        html = render_template("_layout.html", content=Markup(content), page_title=title)
        return make_response(html, status)

    def not_found(self, message: str) -> Response:
        """A 404 in words: a sentence inside Fava's layout (Fava's router shows the text
        of a partial 404 itself)."""
        if request.args.get("partial"):
            response = make_response(message, 404)
            response.mimetype = "text/plain"
            return response
        content = Markup('<h2>{}</h2><p class="coop-note">{}</p>').format(
            self.t("Not found"), message
        )
        return make_response(
            render_template("_layout.html", content=content, page_title=self.t("Not found")),
            404,
        )

    def empty(self, sentence: str) -> Markup:
        """The sentence an empty table shows (already in the page's language)."""
        return Markup('<p class="coop-empty">{}</p>').format(sentence)
