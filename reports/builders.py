"""The reports as ``coopledger report …`` asks for them: which period each covers by
default, which function builds it from the books, and how it is written (outside the
books, readable by its owner only).

The command line (``ledger/cli/report.py``) parses the options and calls :func:`build` and
:func:`write`; everything a report computes is here and in the report modules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ledger.books import Books, atomic_write
from ledger.errors import BooksError, InputError
from ledger.i18n import _
from ledger.loader import carried_until, needs_history
from reports import annual, fees, grant, ledgers, participant_year, treasurer, trial_balance, vat
from reports.common import header, require_entries
from reports.csv_out import render_csv
from reports.frame import Frames, fold
from reports.model import Report
from reports.pdf import render_pdf
from reports.period import Period, choose_period, last_month, last_year, output_path, this_year
from reports.sources import document_vat, key_at_hand, roster_identities
from reports.xlsx import render_xlsx

# The period a report covers when none is given.
DEFAULT_PERIODS: dict[str, Callable[[dt.date], Period]] = {
    "trial-balance": this_year,
    "general-ledger": this_year,
    "journals": this_year,
    "annual-accounts": last_year,
    "vat": this_year,
    "grant": this_year,
    "treasurer": last_month,
    "participant": this_year,
    "fees-slips": last_year,
}
RENDERERS: dict[str, Callable[[Report], bytes]] = {
    "xlsx": render_xlsx,
    "pdf": render_pdf,
    "csv": render_csv,
}


@dataclass(frozen=True)
class Request:
    """One report asked for: which, over what, in which language, with what options."""

    name: str
    books: Books
    frames: Frames
    period: Period
    lang: str
    today: dt.date
    errors: int
    grants: tuple[str, ...] = ()  # report grant: the grants (none: all)
    code: str = ""  # report participant: the participant code
    xml: bool = False  # report vat: also the Intervat XML
    identities: bool = False  # report fees-slips: also the slips' data set


def period_of(
    name: str, today: dt.date, *, year: int | None = None, start: dt.date | None = None,
    end: dt.date | None = None, month: str | None = None, positional: int | None = None,
) -> Period:  # fmt: skip
    """The period asked for: ``--month``, or ``YEAR`` / ``--year``, or ``--from/--to``, else
    the report's default."""
    if month:
        if year is not None or positional is not None or start or end:
            raise InputError(_("give --month, or --year, or --from/--to"))
        return Period.of_month(month)
    if positional is not None:
        if year is not None and year != positional:
            raise InputError(
                _(
                    "two years given: {positional} and --year {year}",
                    positional=positional,
                    year=year,
                )
            )
        year = positional
    return choose_period(year, start, end, DEFAULT_PERIODS[name](today))


def _trial_balance(r: Request) -> Report:
    require_entries(r.frames, r.period)
    return trial_balance.build(r.frames, r.period, r.lang, header(r.frames, r.lang, r.period))


def _general_ledger(r: Request) -> Report:
    require_entries(r.frames, r.period)
    return ledgers.general_ledger(r.frames, r.period, r.lang, header(r.frames, r.lang, r.period))


def _journals(r: Request) -> Report:
    require_entries(r.frames, r.period)
    return ledgers.journals(r.frames, r.period, r.lang, header(r.frames, r.lang, r.period))


def _annual_accounts(r: Request) -> Report:
    require_entries(r.frames, r.period)
    return annual.build(r.frames, r.period, r.lang, header(r.frames, r.lang, r.period))


def _vat(r: Request) -> Report:
    require_entries(r.frames, r.period)
    docs = document_vat(r.books, r.frames.view)
    head = header(r.frames, r.lang, r.period)
    report = vat.build(r.frames, docs, r.period, r.lang, head, r.today)
    if not r.xml:
        report.attachments = {}
    return report


def _grant(r: Request) -> Report:
    head = header(r.frames, r.lang, r.period, marked=False)
    return grant.build(r.frames, list(r.grants), r.period, r.lang, head)


def _treasurer(r: Request) -> Report:
    if r.frames.first_date is None or r.frames.first_date > r.period.end:
        require_entries(r.frames, r.period)
    head = header(r.frames, r.lang, r.period, marked=False)
    return treasurer.build(r.frames, r.period, r.lang, head, r.today, r.errors)


def _participant(r: Request) -> Report:
    head = header(r.frames, r.lang, r.period, marked=False)
    return participant_year.build(r.frames, r.code, r.period, r.lang, head)


def _fees_slips(r: Request) -> Report:
    year = r.period.year
    if year is None:
        raise InputError(_("fees-slips: give a calendar year (fees-slips YEAR)"))
    require_entries(r.frames, r.period)
    identities = None
    if r.identities:
        fees.require_identities(r.frames, key_at_hand(r.books.config))
        identities = roster_identities(r.books)
    head = header(r.frames, r.lang, r.period)
    return fees.build(r.frames, year, r.lang, head, identities)


BUILDERS: dict[str, Callable[[Request], Report]] = {
    "trial-balance": _trial_balance,
    "general-ledger": _general_ledger,
    "journals": _journals,
    "annual-accounts": _annual_accounts,
    "vat": _vat,
    "grant": _grant,
    "treasurer": _treasurer,
    "participant": _participant,
    "fees-slips": _fees_slips,
}


def build(
    books: Books, name: str, period: Period, lang: str, today: dt.date, *,
    grants: tuple[str, ...] = (), code: str = "", xml: bool = False, identities: bool = False,
    full_history: bool = False,
) -> Report:  # fmt: skip
    """Report ``name`` of the books over ``period`` (the options as :class:`Request`'s).
    Books that do not check are refused: a report is drawn from books that do."""
    # a closed year (or its comparatives, one year before) is read from the full history
    since = dt.date(max(period.start.year - 1, 1), 1, 1)
    full = full_history or needs_history(books.main_file, since)
    ledger = books.load(full_history=full)
    if ledger.errors:
        raise BooksError(
            _(
                "the books have {count} error(s) ({error_lines}); "
                "reports are drawn from books that check: run 'coopledger check'",
                count=len(ledger.errors),
                error_lines=books.error_lines(ledger)[0],
            )
        )
    frames = fold(ledger.entries, books.config, books.root)
    request = Request(
        name, books, frames, period, lang, today, len(ledger.errors), grants, code, xml,
        identities,
    )  # fmt: skip
    try:
        return BUILDERS[name](request)
    except InputError:
        if full or carried_until(books.main_file) is None:
            raise
        # what the live books cannot tell (no entries in the period: the books hold…) is
        # told from the full history
        return build(books, name, period, lang, today, grants=grants, code=code, xml=xml,
                     identities=identities, full_history=True)  # fmt: skip


def write(books: Books, report: Report, fmt: str, out: str | None) -> tuple[Path, list[Path]]:
    """Write the report as ``fmt`` to ``out`` (a file or a folder; by default the current
    folder, or the hub's reports folder when that lies inside the books), then the files it
    asked to write besides itself (the VAT XML, the fees slips' data set) in the same
    folder; every file outside the books, readable by its owner only (0600)."""
    path = output_path(out, books.root, books.config.id, f"{report.stem}.{fmt}")
    atomic_write(path, RENDERERS[fmt](report), mode=0o600)
    written = []
    for name, payload in sorted(report.attachments.items()):
        target = output_path(str(path.parent / name), books.root, books.config.id, name)
        atomic_write(target, payload, mode=0o600)
        written.append(target)
    return path, written
