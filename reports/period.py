"""The period a report covers, and where it is written (never inside the books)."""

from __future__ import annotations

import calendar
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from ledger.errors import InputError
from ledger.i18n import _
from ledger.outputs import inside, outside_books


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def year(self) -> int | None:
        """The calendar year when the period is exactly one, else None."""
        if (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31):
            return self.start.year if self.start.year == self.end.year else None
        return None

    @property
    def slug(self) -> str:
        if self.year is not None:
            return str(self.year)
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    def text(self) -> str:
        return str(self.year) if self.year is not None else f"{self.start} – {self.end}"

    @classmethod
    def of_year(cls, year: int) -> Period:
        if not 1900 <= year <= 2999:
            raise InputError(_("--year {year}: not a year", year=year))
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def of_month(cls, text: str) -> Period:
        try:
            year, month = (int(part) for part in text.split("-"))
            last = calendar.monthrange(year, month)[1]
            return cls(dt.date(year, month, 1), dt.date(year, month, last))
        except (ValueError, TypeError):
            raise InputError(
                _("--month: expected YYYY-MM (what was typed is not repeated)")
            ) from None


def choose_period(
    year: int | None, start: dt.date | None, end: dt.date | None, default: Period
) -> Period:
    """``--year`` or ``--from/--to`` (either may be left open), else ``default``."""
    if year is not None and (start is not None or end is not None):
        raise InputError(_("give --year or --from/--to, not both"))
    if year is not None:
        return Period.of_year(year)
    if start is None and end is None:
        return default
    start = start or dt.date((end or default.end).year, 1, 1)
    end = end or dt.date(start.year, 12, 31)
    if end < start:
        raise InputError(_("--to {end} is before --from {start}", end=end, start=start))
    return Period(start, end)


def last_year(today: dt.date) -> Period:
    return Period.of_year(today.year - 1)


def this_year(today: dt.date) -> Period:
    return Period.of_year(today.year)


def last_month(today: dt.date) -> Period:
    first = today.replace(day=1) - dt.timedelta(days=1)
    return Period.of_month(f"{first.year}-{first.month:02d}")


def default_folder(books_root: Path, hub_id: str, cwd: Path | None = None) -> Path:
    """The current folder, or — when it lies inside the books — the hub's reports folder
    under ``$XDG_DATA_HOME`` (reports are never written into the books)."""
    here = cwd or Path.cwd()
    if not inside(books_root, here):
        return here
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "coopledger" / hub_id / "reports"


def output_path(out: str | None, books_root: Path, hub_id: str, filename: str) -> Path:
    """Where a report goes: ``--out`` (a file, or a folder: one that exists or a path ending
    with ``/``), else the default folder; refused inside the books, one line
    (:func:`ledger.outputs.outside_books`)."""
    if out:
        path = Path(out).expanduser()
        if path.is_dir() or out.endswith(("/", os.sep)):
            path = path / filename
    else:
        path = default_folder(books_root, hub_id) / filename
    # the one rule of every file a command writes (ledger.outputs): it names the option,
    # never the path (a path may hold a name)
    return outside_books(books_root, path, "--out", _("reports are written outside them"))
