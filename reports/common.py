"""What every report shares: the page header and footer, the provisional marking, the
checks on the period."""

from __future__ import annotations

from decimal import Decimal

from ledger.errors import InputError
from ledger.i18n import _
from reports.frame import Frames
from reports.i18n import t
from reports.model import Header
from reports.period import Period


def enterprise_text(number: str) -> str:
    """``0403.170.701`` (the 10-digit enterprise number as printed)."""
    digits = "".join(c for c in number if c.isdigit())
    if len(digits) != 10:
        return number
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def money_text(value: Decimal, lang: str) -> str:
    """``1 234,56 EUR`` in French and Dutch, ``1,234.56 EUR`` in English."""
    text = f"{value:,.2f}"
    if lang in ("fr", "nl"):
        text = (
            text.replace(",", "\x00")
            .replace(".", ",")
            .replace("\x00", " " if lang == "fr" else ".")
        )
    return f"{text} EUR"


def hub_name(frames: Frames) -> str:
    hub = frames.config.hub
    name, form = hub.name.strip(), hub.legal_form.strip()
    if not form or name.upper().endswith(form.upper()):
        return name
    return f"{name} {form}"


def provisional(frames: Frames, period: Period) -> bool:
    """Whether any year the period touches is not closed (sealed) yet."""
    return any(
        not frames.is_closed(year) for year in range(period.start.year, period.end.year + 1)
    )


def header(frames: Frames, lang: str, period: Period, marked: bool = True) -> Header:
    """The hub's name and footer, and the provisional marking when the period is open."""
    hub = frames.config.hub
    footer = " · ".join(
        part
        for part in (
            hub_name(frames),
            f"{t(lang, 'enterprise_no')} {enterprise_text(hub.enterprise_number)}",
            hub.court_register,
        )
        if part
    )
    mark = t(lang, "provisional") if marked and provisional(frames, period) else ""
    return Header(hub_name(frames), footer, mark)


def require_entries(frames: Frames, period: Period) -> None:
    """A one-line error when the period holds no entry at all."""
    if frames.has_entries(period.start, period.end):
        return
    if frames.first_date is None:
        raise InputError(
            _("no entries in {text}: the books hold no entries yet", text=period.text())
        )
    last = frames.last_date.isoformat() if frames.last_date else "?"
    raise InputError(
        _(
            "no entries in {text}: the books hold entries from {first_date} to {last}",
            text=period.text(),
            first_date=frames.first_date.isoformat(),
            last=last,
        )
    )
