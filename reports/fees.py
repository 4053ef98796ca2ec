"""What the hub paid each participant in a year: the basis of the 281.50 tax slips
(``coopledger report fees-slips YEAR``; the rules, and what a slip discloses to whom, are in
``docs/fees-slips.md``).

Always, and by participant code only: what was attributed to her in the year (what her
clients paid, net of VAT, less the hub's contribution), the costs of her activity charged to
her, the slip's total and what was actually paid to her in the year (payouts less those the
bank returned), and whether the total is above the 250 EUR threshold.

With ``--identities``, and only when ``hub.toml`` turns the slips on (``[fees_slips]
enabled``, with the decision recorded) and the hub key is at hand, the data set of each slip
is filled from the roster, decrypted in memory, and written as a separate file outside the
books, readable by its owner only (0600). The file is a worksheet of the slips' zones to
encode in Belcotax-on-web (its "envoi par encodage"): the format of Belcotax-on-web's own
JSON upload for income 2025 and later is not known to us (its schema was not found), so no
upload file is produced. Nothing with an identity is ever printed, logged or put in the
books.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from beancount.core import data

from ledger.config import HubConfig
from ledger.errors import InputError, RosterError
from ledger.i18n import _
from ledger.roster import DETAIL_FIELDS
from reports.frame import ZERO, Frames, dsum
from reports.i18n import t
from reports.model import Column, Header, Paragraph, Part, Report, Table, row
from reports.sources import RosterEntry

RECEIVED_KINDS = ("payment", "credit-reversal", "cash-sale")
# The zones of a 281.50 (docs/fees-slips.md §2.2), in the worksheet's column order, with
# the roster detail each identity zone is read from (ledger.roster.DETAIL_FIELDS). The
# roster keeps the address as one text and has no field for the postal code, the
# municipality, the country, the national number or the profession: those zones stay
# empty (counted in ``missing_per_zone``) and the hub fills them in Belcotax-on-web.
IDENTITY_ZONES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("2013", "name", ("last_name", "name")),
    ("2114", "first names", ("first_name",)),
    ("2015", "address", ("address",)),
    ("2016", "postal code", ()),
    ("2017", "municipality", ()),
    ("2018", "country", ()),
    ("2011", "national number", ()),
    ("2105", "birth place", ("birth_place",)),
    ("2106", "birth date", ("birth_date",)),
    ("2107", "profession", ()),
)
assert {k for _, _, keys in IDENTITY_ZONES for k in keys} <= set(DETAIL_FIELDS)


@dataclass
class Slip:
    code: str
    activity: str
    received: Decimal  # what her clients paid, net of VAT
    contribution: Decimal
    costs: Decimal  # costs of her activity charged to her
    paid: Decimal  # what left the hub for her in the year (payouts debited, less returned)

    @property
    def attributed(self) -> Decimal:
        return self.received - self.contribution

    @property
    def total(self) -> Decimal:  # zone 2064: 2060/2061 + 2062 + 2063 (2062, 2063: none)
        return self.attributed

    def required(self, threshold: Decimal) -> bool:
        return self.total > threshold


def slips(frames: Frames, year: int) -> list[Slip]:
    """One line per participant code with anything attributed or paid in ``year``."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    received: dict[str, Decimal] = {}
    for e in frames.entries:
        if (
            isinstance(e, data.Transaction)
            and start <= e.date <= end
            and e.meta.get("kind") in RECEIVED_KINDS
            and e.meta.get("participant")
            and e.meta.get("received-net") is not None
        ):
            code = str(e.meta["participant"])
            received[code] = received.get(code, ZERO) + Decimal(str(e.meta["received-net"]))
    during = frames.between(start, end)
    activities = {}
    for e in frames.entries:
        if isinstance(e, data.Open) and (e.meta or {}).get("role") == "participant_held":
            activities[str(e.meta.get("participant", ""))] = str(e.meta.get("activity", "") or "")
    out = []
    for code in sorted(activities):
        mine = during[during["participant"] == code]
        contribution = -dsum(mine[mine["role"] == "participant_contribution"]["amount"])
        charged = mine[
            (mine["kind"] == "expense")
            & mine["role"].isin(("participant_held", "participant_owed"))
        ]
        held = mine[mine["role"] == "participant_held"]
        ordered = mine[mine["role"] == "payouts_pending"]
        # Paid when the money left the hub: a cash payout when it is booked, a bank payout
        # when the bank debited it; a payout the bank returned is not paid.
        paid = (
            dsum(held[held["kind"] == "payout"]["amount"])
            + dsum(ordered[ordered["kind"] == "payout"]["amount"])
            + dsum(ordered[ordered["kind"] == "settlement"]["amount"])
            + dsum(held[held["kind"] == "settlement"]["amount"])
        )
        slip = Slip(
            code,
            activities[code],
            received.get(code, ZERO),
            contribution,
            dsum(charged["amount"]),
            paid,
        )
        if slip.received or slip.contribution or slip.paid or slip.costs:
            out.append(slip)
    return out


def cents(value: Decimal) -> str:
    return str(int((value * 100).to_integral_value()))


def identity_sheet(
    config: HubConfig, year: int, chosen: list[Slip], roster: dict[str, RosterEntry]
) -> tuple[bytes, dict[str, int]]:
    """The slips' data set with identities (CSV, one slip per line, amounts in cents as the
    slips have them) and, per identity zone, how many slips lack it."""
    zone = config.fees_slips.amount_zone
    header = [
        "2002 income year",
        "2005 debtor enterprise no.",
        "2008 slip type",
        "2009 sequence",
        "2030 kind of person",
        *(f"{z} {label}" for z, label, _ in IDENTITY_ZONES),
        f"{zone} {'commissions' if zone == '2060' else 'fees'} (cents)",
        "2063 expenses borne (cents)",
        "2064 total (cents)",
        "2065 actually paid (cents)",
    ]
    missing = {z: 0 for z, _, _ in IDENTITY_ZONES}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for n, slip in enumerate(chosen, start=1):
        entry = roster.get(slip.code)
        details = dict(entry.details) if entry else {}
        values = []
        for z, _label, keys in IDENTITY_ZONES:
            value = next((details[k] for k in keys if details.get(k)), "")
            if not value:
                missing[z] += 1
            values.append(value)
        # No participant code: the sheet links no identity to the books' history.
        writer.writerow(
            [
                str(year),
                config.hub.enterprise_number,
                "28150",
                str(n),
                "1",
                *values,
                cents(slip.attributed),
                "0",
                cents(slip.total),
                cents(slip.paid),
            ]
        )
    return buffer.getvalue().encode("utf-8"), missing


def build(
    frames: Frames,
    year: int,
    lang: str,
    header: Header,
    identities: dict[str, RosterEntry] | None = None,
) -> Report:
    settings = frames.config.fees_slips
    found = slips(frames, year)
    threshold = settings.threshold
    zone = settings.amount_zone
    rows = [
        row(
            "bold" if s.required(threshold) else "",
            code=s.code,
            activity=s.activity,
            received=s.received,
            contribution=s.contribution,
            attributed=s.attributed,
            costs=s.costs,
            total=s.total,
            paid=s.paid,
            slip=t(lang, "vat.yes") if s.required(threshold) else t(lang, "vat.no"),
        )
        for s in found
    ]
    rows.append(
        row(
            "total",
            code=t(lang, "total"),
            received=sum((s.received for s in found), ZERO),
            contribution=sum((s.contribution for s in found), ZERO),
            attributed=sum((s.attributed for s in found), ZERO),
            costs=sum((s.costs for s in found), ZERO),
            total=sum((s.total for s in found), ZERO),
            paid=sum((s.paid for s in found), ZERO),
        )
    )
    cols = [
        Column("code", t(lang, "col.participant"), width=0.9),
        Column("activity", t(lang, "col.activity"), width=0.8),
        Column("received", t(lang, "fs.received"), "money"),
        Column("contribution", t(lang, "fs.contribution"), "money"),
        Column("attributed", t(lang, "fs.attributed", zone=zone), "money"),
        Column("costs", t(lang, "fs.costs"), "money"),
        Column("total", t(lang, "fs.total"), "money"),
        Column("paid", t(lang, "fs.paid"), "money"),
        Column("slip", t(lang, "fs.slip", threshold=f"{threshold:.0f}"), width=0.7),
    ]
    part = Part("amounts", t(lang, "fs.amounts", year=year)).add(
        Table(cols, rows),
        Paragraph(t(lang, "fs.codes_only"), "note"),
        Paragraph(t(lang, "fs.rules"), "note"),
        Paragraph(t(lang, "fs.open"), "note"),
    )
    disclosure = Part("disclosure", t(lang, "fs.disclosure")).add(
        Paragraph(t(lang, "fs.disclose_what")),
        Paragraph(t(lang, "fs.disclose_whom")),
        Paragraph(t(lang, "fs.disclose_lawyer"), "warning"),
        Paragraph(t(lang, "fs.enabled") if settings.enabled else t(lang, "fs.disabled")),
    )
    chosen = [s for s in found if s.required(threshold)]
    attachments: dict[str, bytes] = {}
    figures: dict[str, Any] = {
        "year": year,
        "threshold": str(threshold),
        "amount_zone": zone,
        "slips": [
            {
                "participant": s.code,
                "activity": s.activity,
                "received": str(s.received),
                "contribution": str(s.contribution),
                "attributed": str(s.attributed),
                "costs_charged": str(s.costs),
                "zone_2064": str(s.total),
                "zone_2065": str(s.paid),
                "slip_required": s.required(threshold),
            }
            for s in found
        ],
        "slips_required": len(chosen),
        "identities": None,
    }
    if identities is not None:
        sheet, missing = identity_sheet(frames.config, year, chosen, identities)
        attachments[f"fees-slips-{year}-identities.csv"] = sheet
        figures["identities"] = {
            "slips": len(chosen),
            "missing_per_zone": missing,
            "format": "worksheet for Belcotax-on-web on-screen encoding",
        }
        disclosure.add(Paragraph(t(lang, "fs.sheet_written", n=len(chosen)), "warning"))
    return Report(
        kind="fees-slips",
        title=t(lang, "fs.title"),
        subtitle=str(year),
        lang=lang,
        head=header,
        parts=[part, disclosure],
        figures=figures,
        stem=f"fees-slips-{year}",
        attachments=attachments,
    )


def require_identities(frames: Frames, key_at_hand: bool) -> None:
    """``--identities`` only when the hub turned the slips on and holds the key."""
    settings = frames.config.fees_slips
    if not settings.enabled:
        raise InputError(
            _(
                "--identities: the fees slips are not turned on ([fees_slips] enabled = false in "
                "hub.toml); the hub's lawyer decides first (see docs/fees-slips.md)"
            )
        )
    if not key_at_hand:
        raise RosterError(
            _("--identities: the hub key is not at hand; the roster cannot be opened")
        )
