"""What the hub's VAT regime asks of it (``coopledger report vat``; ``docs/vat-outputs.md``).

* **franchise** (VAT Code art. 56bis): the year's turnover to date against the 25,000 EUR
  threshold, with a warning from 80 % and the year's projection; the previous year's
  turnover (the figure of the 31 March communication); the annual listing of the
  VAT-registered clients (VAT 0).
* **standard**: the periodic return's grids for each quarter (or month, ``[vat]
  periodicity``) of the period, with their check against the VAT accounts; the annual
  client listing; with ``--xml``, both as the Intervat XML (``VATConsignment`` and
  ``ClientListingConsignment`` namespaces of the SPF Finances' v0_9 schemas).
* **exempt** (art. 44): a statement that no return and no listing are due, and why, with a
  warning for any operation in the books that does not fit the exemption.

Bases and VAT per rate come from each issued document's record, checked against its entry
(:func:`reports.sources.document_vat`), and from cash sales; deductible VAT from the
recoverable-VAT account (411); purchase bases from the costs booked.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data
from lxml import etree

from ledger.config import HubConfig
from reports.common import money_text
from reports.frame import ZERO, Frames, dsum
from reports.i18n import t
from reports.model import Column, Header, Paragraph, Part, Report, Table, row
from reports.period import Period
from reports.sources import DocumentVat

THRESHOLD = Decimal("25000.00")  # art. 56bis, from 2025 as before (docs/vat-outputs.md §1.2)
WARNING_SHARE = Decimal("0.80")
LISTING_MINIMUM = Decimal("250.00")  # more than this, excl. VAT, in the calendar year
RATE_GRIDS = {Decimal(0): "00", Decimal(6): "01", Decimal(12): "02", Decimal(21): "03"}
VAT_NS = "http://www.minfin.fgov.be/VATConsignment"
LISTING_NS = "http://www.minfin.fgov.be/ClientListingConsignment"
COMMON_NS = "http://www.minfin.fgov.be/InputCommon"
GRID_ORDER = ("00", "01", "02", "03", "49", "54", "64", "59", "81", "82", "83", "71", "72")


@dataclass
class Return:
    """The grids of one periodic return."""

    start: dt.date
    end: dt.date
    label: str  # 2026-Q1, 2026-03
    grids: dict[str, Decimal] = field(default_factory=dict)
    booked_vat_due: Decimal = ZERO  # 451 moved by sales and credit notes
    booked_deductible: Decimal = ZERO  # 411 debits

    def grid(self, number: str) -> Decimal:
        return self.grids.get(number, ZERO)


@dataclass
class ListingLine:
    vat_number: str
    clients: list[str]
    turnover: Decimal
    vat: Decimal


def periods(period: Period, monthly: bool) -> Iterator[tuple[dt.date, dt.date, str]]:
    """The return periods (quarters or months) that overlap ``period``."""
    step = 1 if monthly else 3
    year, month = period.start.year, 1 + ((period.start.month - 1) // step) * step
    while dt.date(year, month, 1) <= period.end:
        start = dt.date(year, month, 1)
        nxt = dt.date(year + (month + step - 1) // 12, (month + step - 1) % 12 + 1, 1)
        end = nxt - dt.timedelta(days=1)
        label = f"{year}-{month:02d}" if monthly else f"{year}-Q{(month - 1) // 3 + 1}"
        yield start, end, label
        year, month = nxt.year, nxt.month


def _cash_sales(
    entries: list[data.Directive], config: HubConfig
) -> list[tuple[dt.date, Decimal, Decimal, Decimal]]:
    """(date, rate, base, VAT) of every cash sale."""
    vat_account = config.account("vat_payable")
    out = []
    for e in entries:
        if isinstance(e, data.Transaction) and e.meta.get("kind") == "cash-sale":
            base = -sum(
                (
                    p.units.number
                    for p in e.postings
                    if p.units is not None
                    and p.units.number is not None
                    and p.account.startswith("Income:")
                    and p.account.endswith(":Ventes")
                ),
                ZERO,
            )
            vat = -sum(
                (
                    p.units.number
                    for p in e.postings
                    if p.account == vat_account
                    and p.units is not None
                    and p.units.number is not None
                ),
                ZERO,
            )
            rate = Decimal(str(e.meta.get("vat-rate") or 0))
            out.append((e.date, rate, base, vat))
    return out


def returns(frames: Frames, docs: list[DocumentVat], period: Period) -> list[Return]:
    """The periodic returns of the period."""
    cfg = frames.config
    monthly = cfg.vat.periodicity == "monthly"
    sales = _cash_sales(frames.entries, cfg)
    out = []
    for start, end, label in periods(period, monthly):
        grids: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for doc in docs:
            if not start <= doc.date <= end:
                continue
            for rate, base, vat in doc.groups:
                if doc.kind == "invoice":
                    grids[RATE_GRIDS.get(rate, "03")] += base
                    grids["54"] += vat
                else:
                    grids["49"] += base
                    grids["64"] += vat
        for day, rate, base, vat in sales:
            if start <= day <= end:
                grids[RATE_GRIDS.get(rate, "03")] += base
                grids["54"] += vat
        moves = frames.between(start, end)
        recoverable = moves[moves["role"] == "vat_recoverable"]
        grids["59"] = dsum(a for a in recoverable["amount"] if a > 0)
        for values in moves[moves["kind"] == "expense"].itertuples(index=False):
            if values.root != "Expenses" or values.role == "participant_share":
                continue
            grid = (
                "81"
                if values.pcmn.startswith("60")
                else ("83" if values.pcmn.startswith("2") else "82")
            )
            grids[grid] += values.amount
        due = grids["54"] - grids["64"] - grids["59"]
        grids["71"] = max(due, ZERO)
        grids["72"] = max(-due, ZERO)
        payable = moves[
            (moves["role"] == "vat_payable")
            & moves["kind"].isin(("invoice", "credit-note", "cash-sale"))
        ]
        out.append(
            Return(
                start,
                end,
                label,
                {k: v for k, v in grids.items()},
                booked_vat_due=-dsum(payable["amount"]),
                booked_deductible=grids["59"],
            )
        )
    return out


def client_listing(
    docs: list[DocumentVat], year: int
) -> tuple[list[ListingLine], list[ListingLine]]:
    """The year's VAT-registered Belgian clients above 250 EUR, and those at or below it."""
    by_vat: dict[str, ListingLine] = {}
    for doc in docs:
        if doc.date.year != year or not doc.client_vat or not doc.client_vat.startswith("BE"):
            continue
        line = by_vat.setdefault(doc.client_vat, ListingLine(doc.client_vat, [], ZERO, ZERO))
        if doc.client not in line.clients:
            line.clients.append(doc.client)
        sign = 1 if doc.kind == "invoice" else -1
        for _rate, base, vat in doc.groups:
            line.turnover += sign * base
            line.vat += sign * vat
    lines = sorted(by_vat.values(), key=lambda line: line.vat_number)
    return (
        [ln for ln in lines if ln.turnover > LISTING_MINIMUM],
        [ln for ln in lines if ln.turnover <= LISTING_MINIMUM],
    )


def turnover(frames: Frames, start: dt.date, end: dt.date) -> Decimal:
    """Turnover excl. VAT, net of credit notes, by invoice date (PCMN 70 credits)."""
    moves = frames.between(start, end)
    return -dsum(moves[moves["pcmn"].str.startswith("70")]["amount"])


# ---------------------------------------------------------------- XML (Intervat)


def _declarant(parent: etree._Element, ns: str, config: HubConfig) -> None:
    hub = config.hub
    declarant = etree.SubElement(parent, f"{{{ns}}}Declarant")
    for tag, value in (
        ("VATNumber", (hub.vat_number or "")[2:]),
        ("Name", hub.name),
        ("Street", hub.address),
        ("PostCode", hub.postal_code),
        ("City", hub.city),
        ("CountryCode", hub.country),
        ("EmailAddress", hub.email or ""),
    ):
        if value:
            etree.SubElement(declarant, f"{{{COMMON_NS}}}{tag}").text = value


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def return_xml(config: HubConfig, ret: Return, listing_nihil: bool) -> bytes:
    """One periodic return as an Intervat ``VATConsignment`` (docs/vat-outputs.md §2.3)."""
    root = etree.Element(f"{{{VAT_NS}}}VATConsignment", nsmap={None: COMMON_NS, "ns2": VAT_NS})
    root.set("VATDeclarationsNbr", "1")
    decl = etree.SubElement(root, f"{{{VAT_NS}}}VATDeclaration")
    decl.set("SequenceNumber", "1")
    decl.set("DeclarantReference", ret.label.replace("-", "")[:14])
    _declarant(decl, VAT_NS, config)
    period = etree.SubElement(decl, f"{{{VAT_NS}}}Period")
    if "Q" in ret.label:
        etree.SubElement(period, f"{{{VAT_NS}}}Quarter").text = ret.label[-1]
    else:
        etree.SubElement(period, f"{{{VAT_NS}}}Month").text = str(ret.start.month)
    etree.SubElement(period, f"{{{VAT_NS}}}Year").text = str(ret.start.year)
    grids = etree.SubElement(decl, f"{{{VAT_NS}}}Data")
    for number in GRID_ORDER:
        value = ret.grid(number)
        # Amounts are positive; exactly one of 71 and 72 is always given (0.00: nothing due).
        if value > 0 or number == ("71" if ret.grid("72") == 0 else "72"):
            amount = etree.SubElement(grids, f"{{{VAT_NS}}}Amount")
            amount.set("GridNumber", number)
            amount.text = _amount(value)
    etree.SubElement(decl, f"{{{VAT_NS}}}ClientListingNihil").text = (
        "YES" if listing_nihil else "NO"
    )
    ask = etree.SubElement(decl, f"{{{VAT_NS}}}Ask")
    ask.set("Restitution", "NO")
    ask.set("Payment", "NO")
    etree.SubElement(decl, f"{{{VAT_NS}}}Comment").text = "/"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def listing_xml(config: HubConfig, year: int, lines: list[ListingLine]) -> bytes:
    """The annual client listing as an Intervat ``ClientListingConsignment`` (§2.4)."""
    root = etree.Element(
        f"{{{LISTING_NS}}}ClientListingConsignment", nsmap={None: COMMON_NS, "ns2": LISTING_NS}
    )
    root.set("ClientListingsNbr", "1")
    listing = etree.SubElement(root, f"{{{LISTING_NS}}}ClientListing")
    listing.set("SequenceNumber", "1")
    listing.set("ClientsNbr", str(len(lines)))
    listing.set("DeclarantReference", f"LK{year}")
    listing.set("TurnOverSum", _amount(sum((ln.turnover for ln in lines), ZERO)))
    listing.set("VATAmountSum", _amount(sum((ln.vat for ln in lines), ZERO)))
    _declarant(listing, LISTING_NS, config)
    etree.SubElement(listing, f"{{{LISTING_NS}}}Period").text = str(year)
    for n, line in enumerate(lines, start=1):
        client = etree.SubElement(listing, f"{{{LISTING_NS}}}Client")
        client.set("SequenceNumber", str(n))
        vat = etree.SubElement(client, f"{{{LISTING_NS}}}CompanyVATNumber")
        vat.set("issuedBy", "BE")
        vat.text = line.vat_number[2:]
        etree.SubElement(client, f"{{{LISTING_NS}}}TurnOver").text = _amount(line.turnover)
        etree.SubElement(client, f"{{{LISTING_NS}}}VATAmount").text = _amount(line.vat)
    etree.SubElement(listing, f"{{{LISTING_NS}}}Comment")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# ---------------------------------------------------------------- the report


def _listing_part(
    lang: str, year: int, listed: list[ListingLine], below: list[ListingLine]
) -> Part:
    cols = [
        Column("vat", t(lang, "col.vat_number"), width=1.2),
        Column("clients", t(lang, "col.clients"), width=1.0),
        Column("turnover", t(lang, "col.turnover"), "money"),
        Column("vat_amount", t(lang, "col.vat"), "money"),
        Column("listed", t(lang, "col.listed"), width=0.6),
    ]
    rows = [
        row(
            vat=ln.vat_number,
            clients=", ".join(ln.clients),
            turnover=ln.turnover,
            vat_amount=ln.vat,
            listed=t(lang, "vat.yes") if ln in listed else t(lang, "vat.no"),
        )
        for ln in sorted([*listed, *below], key=lambda ln: ln.vat_number)
    ]
    rows.append(
        row(
            "total",
            vat=t(lang, "total"),
            turnover=sum((ln.turnover for ln in listed), ZERO),
            vat_amount=sum((ln.vat for ln in listed), ZERO),
        )
    )
    part = Part("client-listing", t(lang, "vat.listing_title", year=year))
    part.add(Table(cols, rows, in_csv=False))
    part.add(Paragraph(t(lang, "vat.listing_note"), "note"))
    if not listed:
        part.add(Paragraph(t(lang, "vat.listing_nihil"), "body"))
    return part


def _line_json(line: ListingLine) -> dict[str, Any]:
    return {
        "vat_number": line.vat_number,
        "clients": line.clients,
        "turnover": str(line.turnover),
        "vat": str(line.vat),
    }


def build(
    frames: Frames,
    docs: list[DocumentVat],
    period: Period,
    lang: str,
    header: Header,
    today: dt.date,
) -> Report:
    regime = frames.config.hub.vat_regime
    if regime == "franchise":
        return _franchise(frames, docs, period, lang, header, today)
    if regime == "standard":
        return _standard(frames, docs, period, lang, header, today)
    return _exempt(frames, period, lang, header)


def _franchise(
    frames: Frames,
    docs: list[DocumentVat],
    period: Period,
    lang: str,
    header: Header,
    today: dt.date,
) -> Report:
    year = period.end.year
    as_of = min(period.end, today)
    start = dt.date(year, 1, 1)
    ytd = turnover(frames, start, as_of)
    previous = turnover(frames, dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31))
    # The turnover communicated by 31 March: the period's year once it has ended.
    comm_year = year if period.end < today else year - 1
    comm_amount = ytd if comm_year == year else previous
    elapsed = (as_of - start).days + 1
    days = (dt.date(year, 12, 31) - start).days + 1
    projection = (ytd * days / elapsed).quantize(Decimal("0.01")) if elapsed > 0 else ytd
    share = ytd / THRESHOLD
    if ytd > THRESHOLD:
        level, warning = "over", t(lang, "vat.over", threshold=money_text(THRESHOLD, lang))
    elif share >= WARNING_SHARE:
        level, warning = "warning", t(lang, "vat.warning", share=f"{share * 100:.0f}")
    elif projection > THRESHOLD:
        level, warning = (
            "projected",
            t(lang, "vat.projected", projection=money_text(projection, lang)),
        )
    else:
        level, warning = "ok", t(lang, "vat.ok")
    rows = [
        row(label=t(lang, "vat.turnover_ytd", date=as_of.isoformat()), amount=ytd),
        row(label=t(lang, "vat.threshold"), amount=THRESHOLD),
        row(label=t(lang, "vat.share"), amount=(share * 100).quantize(Decimal("0.01")), unit="%"),
        row(label=t(lang, "vat.projection"), amount=projection),
        row(label=t(lang, "vat.previous", year=year - 1), amount=previous),
    ]
    months = []
    cumulative = ZERO
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        if first > as_of:
            break
        last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        amount = turnover(frames, first, min(last, as_of))
        cumulative += amount
        months.append(row(month=f"{year}-{month:02d}", amount=amount, cumulative=cumulative))
    threshold_part = Part("franchise", t(lang, "vat.franchise_title")).add(
        Table(
            [
                Column("label", t(lang, "col.label"), width=3.5),
                Column("amount", t(lang, "col.amount"), "money"),
                Column("unit", "", width=0.3),
            ],
            rows,
            in_csv=False,
        ),
        Paragraph(warning, "warning" if level != "ok" else "body"),
        Table(
            [
                Column("month", t(lang, "col.month")),
                Column("amount", t(lang, "col.turnover"), "money"),
                Column("cumulative", t(lang, "col.cumulative"), "money"),
            ],
            months,
        ),
        Paragraph(t(lang, "vat.franchise_note"), "note"),
        Paragraph(
            t(lang, "vat.communication", year=comm_year, amount=money_text(comm_amount, lang)),
            "body",
        ),
    )
    listing_year = year if period.end < today else year - 1
    listed, below = client_listing(docs, listing_year)
    return Report(
        kind="vat",
        title=t(lang, "vat.title"),
        subtitle=f"{t(lang, 'vat.regime.franchise')} · {period.text()}",
        lang=lang,
        head=header,
        parts=[threshold_part, _listing_part(lang, listing_year, listed, below)],
        figures={
            "regime": "franchise",
            "as_of": as_of.isoformat(),
            "turnover_to_date": str(ytd),
            "threshold": str(THRESHOLD),
            "share": str((share * 100).quantize(Decimal("0.01"))),
            "projection": str(projection),
            "level": level,
            "previous_year_turnover": str(previous),
            "communication_31_march": {"year": comm_year, "turnover": str(comm_amount)},
            "client_listing": {
                "year": listing_year,
                "clients": [_line_json(ln) for ln in listed],
                "below_minimum": [_line_json(ln) for ln in below],
            },
        },
        stem=f"vat-{period.slug}",
        attachments={
            f"client-listing-{listing_year}.xml": listing_xml(frames.config, listing_year, listed)
        },
    )


def _standard(
    frames: Frames,
    docs: list[DocumentVat],
    period: Period,
    lang: str,
    header: Header,
    today: dt.date,
) -> Report:
    rets = returns(frames, docs, period)
    grid_rows = []
    figures = []
    for ret in rets:
        grid_rows.append(row("head", period=ret.label, label=f"{ret.start} – {ret.end}"))
        for number in GRID_ORDER:
            value = ret.grid(number)
            if value or number in ("71", "72"):
                grid_rows.append(
                    row(
                        "sub",
                        period=ret.label,
                        grid=number,
                        label=t(lang, f"grid.{number}"),
                        amount=value,
                    )
                )
        figures.append(
            {
                "period": ret.label,
                "from": ret.start.isoformat(),
                "to": ret.end.isoformat(),
                "grids": {k: str(v) for k, v in sorted(ret.grids.items()) if v},
                "booked_vat_due": str(ret.booked_vat_due),
                "booked_deductible": str(ret.booked_deductible),
            }
        )
    cols = [
        Column("period", t(lang, "col.period"), width=0.8),
        Column("grid", t(lang, "col.grid"), width=0.5),
        Column("label", t(lang, "col.label"), width=3.5),
        Column("amount", t(lang, "col.amount"), "money"),
    ]
    checks = [
        row(
            period=r.label,
            label=t(lang, "vat.check_due"),
            grids=r.grid("54") - r.grid("64"),
            books=r.booked_vat_due,
            ok=t(lang, "vat.yes")
            if r.grid("54") - r.grid("64") == r.booked_vat_due
            else t(lang, "vat.no"),
        )
        for r in rets
    ]
    returns_part = Part("returns", t(lang, "vat.returns_title")).add(
        Table(cols, grid_rows),
        Table(
            [
                Column("period", t(lang, "col.period"), width=0.8),
                Column("label", t(lang, "col.label"), width=2.5),
                Column("grids", t(lang, "col.grids"), "money"),
                Column("books", t(lang, "col.books"), "money"),
                Column("ok", t(lang, "col.agrees"), width=0.6),
            ],
            checks,
            title=t(lang, "vat.check_title"),
            in_csv=False,
        ),
        Paragraph(t(lang, "vat.grids_note"), "note"),
    )
    year = period.end.year if period.end < today else period.end.year - 1
    listed, below = client_listing(docs, year)
    xml = {}
    for ret in rets:
        last_of_year = ret.end.month == 12
        xml[f"vat-return-{ret.label}.xml"] = return_xml(
            frames.config, ret, listing_nihil=last_of_year and not listed
        )
    xml[f"client-listing-{year}.xml"] = listing_xml(frames.config, year, listed)
    return Report(
        kind="vat",
        title=t(lang, "vat.title"),
        subtitle=f"{t(lang, 'vat.regime.standard')} · {period.text()}",
        lang=lang,
        head=header,
        parts=[returns_part, _listing_part(lang, year, listed, below)],
        figures={
            "regime": "standard",
            "periodicity": frames.config.vat.periodicity,
            "returns": figures,
            "client_listing": {
                "year": year,
                "clients": [_line_json(ln) for ln in listed],
                "below_minimum": [_line_json(ln) for ln in below],
            },
        },
        stem=f"vat-{period.slug}",
        attachments=xml,
    )


def _exempt(frames: Frames, period: Period, lang: str, header: Header) -> Report:
    moves = frames.between(period.start, period.end)
    vat_moves = moves[moves["role"].isin(("vat_payable", "vat_recoverable"))]
    warnings = [
        row(date=v.date, piece=v.piece, account=v.account, amount=v.amount)
        for v in vat_moves.itertuples(index=False)
        if v.amount != 0
    ]
    part = Part("exempt", t(lang, "vat.exempt_title")).add(
        Paragraph(t(lang, "vat.exempt_statement"), "heading"),
        Paragraph(t(lang, "vat.exempt_why")),
        Paragraph(t(lang, "vat.exempt_intra"), "note"),
    )
    if warnings:
        part.add(Paragraph(t(lang, "vat.exempt_warning", n=len(warnings)), "warning"))
        part.add(
            Table(
                [
                    Column("date", t(lang, "col.date"), "date"),
                    Column("piece", t(lang, "col.piece")),
                    Column("account", t(lang, "col.account"), width=2),
                    Column("amount", t(lang, "col.amount"), "money"),
                ],
                warnings,
            )
        )
    return Report(
        kind="vat",
        title=t(lang, "vat.title"),
        subtitle=f"{t(lang, 'vat.regime.exempt')} · {period.text()}",
        lang=lang,
        head=header,
        parts=[part],
        figures={
            "regime": "exempt",
            "due": "0.00",
            "returns": [],
            "client_listing": None,
            "warnings": [
                {
                    "date": w["date"].isoformat(),
                    "piece": w["piece"],
                    "account": w["account"],
                    "amount": str(w["amount"]),
                }
                for w in warnings
            ],
        },
        stem=f"vat-{period.slug}",
    )
