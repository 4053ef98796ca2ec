"""CSV exports of BNP Paribas Fortis (and Fintro), KBC, Belfius and ING Belgium (a fallback).

Each bank's export is recognised from its header row (``;``-separated; Belfius puts a few
lines of query parameters above it), in Dutch or, for BNP Paribas Fortis and Fintro, in
French. The column titles below are the ones described in public third-party parsers (see
docs/importing.md): they are not an official format and change without notice, which is
why CODA is preferred. Most exports carry no balance; KBC's gives the account's balance
after each movement (``Saldo``), which is checked row by row and then asserted. A file
may hold several of the hub's accounts: one statement per account.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import pairwise

from importers.errors import BankFileError, UnknownFormatError
from importers.model import Movement, Statement, content_ref
from importers.parsing import ParseResult, Problems
from importers.text import (
    compact_account,
    iban_in_text,
    iban_or_none,
    ogm_in_text,
    or_none,
    squash,
    valid_ogm,
)
from ledger.i18n import _

HEADER_SEARCH_LINES = 20
MAX_ROWS = 200_000
MAX_DIGITS = 15  # what CODA and MT940 allow; beyond it a value is no amount of a bank


@dataclass(frozen=True)
class Layout:
    """Which column holds what in one bank's export (None: the bank has no such column)."""

    bank: str
    signature: frozenset[str]  # every one of these titles is in the header row
    account: str
    booking_date: str
    amount: str
    currency: str
    value_date: str | None = None
    ref: tuple[str, ...] = ()  # columns that together identify a movement
    counterparty_account: str | None = None
    counterparty_name: str | None = None
    counterparty_bic: str | None = None
    communication: tuple[str, ...] = ()
    structured: str | None = None
    refused_if: str | None = None  # rows with a value here were not executed
    balance: str | None = None  # the account's balance after the row's movement


def title_key(title: str) -> str:
    """A column title as compared: lower case, without accents, ``Nº``/``N°`` = ``numéro``."""
    plain = unicodedata.normalize("NFKD", title.strip().strip('"'))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    plain = re.sub(r"^n\s*[o°º]\.?\s+", "numero ", plain)
    return re.sub(r"\s+", " ", plain).strip()


def _layout(bank: str, header: str, **columns: object) -> Layout:
    titles = frozenset(title_key(t) for t in header.split(";"))
    named = {k: title_key(v) if isinstance(v, str) else v for k, v in columns.items()}
    named = {k: tuple(title_key(t) for t in v) if isinstance(v, tuple) else v
             for k, v in named.items()}  # fmt: skip
    return Layout(bank=bank, signature=titles, **named)  # type: ignore[arg-type]


LAYOUTS: tuple[Layout, ...] = (
    _layout(
        "bnp",
        "Volgnummer;Uitvoeringsdatum;Valutadatum;Bedrag;Valuta rekening;Rekeningnummer;"
        "Type verrichting;Tegenpartij;Naam van de tegenpartij;Mededeling;Details;Status;"
        "Reden van weigering",
        account="rekeningnummer", booking_date="uitvoeringsdatum", value_date="valutadatum",
        amount="bedrag", currency="valuta rekening", ref=("volgnummer",),
        counterparty_account="tegenpartij", counterparty_name="naam van de tegenpartij",
        communication=("mededeling",), refused_if="reden van weigering",
    ),
    _layout(
        "bnp",
        "Nº de séquence;Date d'exécution;Date valeur;Montant;Devise du compte;"
        "Numéro de compte;Type de transaction;Contrepartie;Nom de la contrepartie;"
        "Communication;Détails;Statut;Motif du refus",
        account="numéro de compte", booking_date="date d'exécution", value_date="date valeur",
        amount="montant", currency="devise du compte", ref=("nº de séquence",),
        counterparty_account="contrepartie", counterparty_name="nom de la contrepartie",
        communication=("communication",), refused_if="motif du refus",
    ),
    _layout(
        "bnp",
        "Volgnummer;Uitvoeringsdatum;Valutadatum;Bedrag;Valuta rekening;"
        "TEGENPARTIJ VAN DE VERRICHTING;Details;Rekeningnummer",
        account="rekeningnummer", booking_date="uitvoeringsdatum", value_date="valutadatum",
        amount="bedrag", currency="valuta rekening", ref=("volgnummer",),
        counterparty_account="tegenpartij van de verrichting", communication=("details",),
    ),
    _layout(
        "bnp",
        "Numéro de séquence;Date d'exécution;Date valeur;Montant;Devise du compte;"
        "CONTREPARTIE DE LA TRANSACTION;Détails;Numéro de compte",
        account="numéro de compte", booking_date="date d'exécution", value_date="date valeur",
        amount="montant", currency="devise du compte", ref=("numéro de séquence",),
        counterparty_account="contrepartie de la transaction", communication=("détails",),
    ),
    # The 7-column export of BNP Paribas Fortis and Fintro: everything about the other
    # party is in the free text of "Details" (its IBAN is taken from there).
    _layout(
        "bnp",
        "Volgnummer;Uitvoeringsdatum;Valutadatum;Bedrag;Valuta rekening;Details;Rekeningnummer",
        account="rekeningnummer", booking_date="uitvoeringsdatum", value_date="valutadatum",
        amount="bedrag", currency="valuta rekening", ref=("volgnummer",),
        communication=("details",),
    ),
    _layout(
        "bnp",
        "Numéro de séquence;Date d'exécution;Date valeur;Montant;Devise du compte;Détails;"
        "Numéro de compte",
        account="numéro de compte", booking_date="date d'exécution", value_date="date valeur",
        amount="montant", currency="devise du compte", ref=("numéro de séquence",),
        communication=("détails",),
    ),
    _layout(
        "kbc",
        "Rekeningnummer;Rubrieknaam;Naam;Munt;Afschriftnummer;Datum;Omschrijving;Valuta;"
        "Bedrag;Saldo;credit;debet;rekeningnummer tegenpartij;BIC tegenpartij;"
        "Naam tegenpartij;Adres tegenpartij;gestructureerde mededeling;Vrije mededeling",
        account="rekeningnummer", booking_date="datum", value_date="valuta", amount="bedrag",
        currency="munt", counterparty_account="rekeningnummer tegenpartij",
        counterparty_name="naam tegenpartij", counterparty_bic="bic tegenpartij",
        communication=("vrije mededeling",), structured="gestructureerde mededeling",
        balance="saldo",
    ),
    _layout(
        "kbc",
        "Rekeningnummer;Rubrieknaam;Naam;Munt;Afschriftnummer;Datum;Omschrijving;Valuta;"
        "Bedrag;Saldo;Credit;Debet;Rekening tegenpartij;BIC code tegenpartij;"
        "Naam tegenpartij;Adres tegenpartij;gestructureerde mededeling;Vrije mededeling",
        account="rekeningnummer", booking_date="datum", value_date="valuta", amount="bedrag",
        currency="munt", counterparty_account="rekening tegenpartij",
        counterparty_name="naam tegenpartij", counterparty_bic="bic code tegenpartij",
        communication=("vrije mededeling",), structured="gestructureerde mededeling",
        balance="saldo",
    ),
    _layout(
        "belfius",
        "Rekening;Boekingsdatum;Afschriftnummer;Transactienummer;Rekening tegenpartij;"
        "Naam tegenpartij bevat;Straat en nummer;Postcode en plaats;Transactie;Valutadatum;"
        "Bedrag;Devies;BIC;Landcode;Mededelingen",
        account="rekening", booking_date="boekingsdatum", value_date="valutadatum",
        amount="bedrag", currency="devies", ref=("afschriftnummer", "transactienummer"),
        counterparty_account="rekening tegenpartij", counterparty_name="naam tegenpartij bevat",
        counterparty_bic="bic", communication=("mededelingen",),
    ),
    _layout(
        "ing",
        "Rekeningnummer;Naam van de rekening;Rekening tegenpartij;Omzetnummer;Boekingsdatum;"
        "Valutadatum;Bedrag;Munteenheid;Omschrijving;Detail van de omzet;Bericht",
        account="rekeningnummer", booking_date="boekingsdatum", value_date="valutadatum",
        amount="bedrag", currency="munteenheid", ref=("omzetnummer",),
        counterparty_account="rekening tegenpartij", communication=("bericht",),
    ),
)  # fmt: skip


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _cells(line: str) -> list[str]:
    return [c.strip().strip('"').strip() for c in next(csv.reader([line], delimiter=";"), [])]


def find_layout(text: str) -> tuple[Layout, int] | None:
    """The layout whose header row is among the first lines, and that row's index (the
    layout with the most columns when several match: the 7-column BNP export's titles
    are all in the 8- and 13-column ones)."""
    for index, line in enumerate(text.splitlines()[:HEADER_SEARCH_LINES]):
        titles = {title_key(c) for c in _cells(line) if c}
        found = [layout for layout in LAYOUTS if layout.signature <= titles]
        if found:
            return max(found, key=lambda layout: len(layout.signature)), index
    return None


def looks_like_bank_csv(data: bytes) -> bool:
    return b";" in data[:4096] and find_layout(_decode(data[:16384])) is not None


def parse_amount(text: str) -> Decimal:
    """``-1.234,56``, ``1234,56``, ``+12.50``, ``1 234,56 EUR`` → Decimal (ValueError else)."""
    value = re.sub(r"[\s\u00a0]|EUR$", "", text.strip().upper())
    if "," in value and "." in value:
        decimal_mark = "," if value.rfind(",") > value.rfind(".") else "."
    elif "," in value:
        decimal_mark = ","
    elif re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+", value):
        decimal_mark = ","  # 1.234 is a thousands separator
    else:
        decimal_mark = "."
    thousands = "." if decimal_mark == "," else ","
    value = value.replace(thousands, "").replace(decimal_mark, ".")
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", value):
        raise ValueError(text)
    if len(re.sub(r"\D", "", value).lstrip("0")) > MAX_DIGITS:
        raise OverflowError(f"more than {MAX_DIGITS} digits")
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValueError(text) from None


def parse_day(text: str) -> dt.date:
    """``dd/mm/yyyy`` (also ``dd-mm-yyyy``, ``dd.mm.yyyy``) or ISO ``yyyy-mm-dd``."""
    value = text.strip()
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", value)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return dt.date(year, month, day)
    return dt.date.fromisoformat(value)


class _Rows:
    def __init__(self, name: str, layout: Layout, header: Sequence[str]) -> None:
        self.name = name
        self.layout = layout
        self.index = {title_key(title): i for i, title in enumerate(header) if title}

    def get(self, row: Sequence[str], column: str | None) -> str:
        if column is None:
            return ""
        position = self.index.get(column)
        return row[position].strip() if position is not None and position < len(row) else ""

    def movement(self, row: Sequence[str], line: int) -> tuple[str, Movement, Decimal | None]:
        lay, get = self.layout, self.get
        try:
            amount = parse_amount(get(row, lay.amount))
            booking = parse_day(get(row, lay.booking_date))
            value_text = get(row, lay.value_date)
            value_day = parse_day(value_text) if value_text else None
        except OverflowError:
            raise BankFileError(
                self.name,
                "row",
                _("the amount has more than {max_digits} digits", max_digits=MAX_DIGITS),
                line,
            ) from None
        except (ValueError, TypeError) as exc:
            raise BankFileError(
                self.name,
                "row",
                _("unreadable date or amount ({type})", type=type(exc).__name__),
                line,
            ) from None
        currency = get(row, lay.currency).upper() or "EUR"
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise BankFileError(
                self.name,
                "currency",
                _("column {currency!r} is not a currency code", currency=lay.currency),
                line,
            )
        communication = squash(" ".join(get(row, c) for c in lay.communication))
        structured = re.sub(r"\D", "", get(row, lay.structured))
        ogm = valid_ogm(structured) or ogm_in_text(communication)
        if ogm and not communication:
            communication = f"+++{ogm[:3]}/{ogm[3:7]}/{ogm[7:]}+++"
        balance = None
        if lay.balance is not None:
            try:
                balance = parse_amount(get(row, lay.balance))
            except (ValueError, OverflowError):
                raise BankFileError(
                    self.name,
                    "row",
                    _("no balance in column {balance!r}", balance=lay.balance),
                    line,
                ) from None
        account = compact_account(get(row, lay.account)) or ""
        counterparty = get(row, lay.counterparty_account)
        if lay.counterparty_account is None:  # only the free text names the other party
            counterparty = iban_in_text(communication, exclude=account) or ""
        ref = "-".join(get(row, c) for c in lay.ref) if lay.ref else ""
        return (
            account,
            Movement(
                ref=ref if ref.strip("-") else "",
                bank_ref=ref or None,
                booking_date=booking,
                value_date=value_day,
                amount=amount,
                currency=currency,
                counterparty_name=or_none(get(row, lay.counterparty_name)),
                counterparty_account=iban_or_none(counterparty) or compact_account(counterparty),
                counterparty_bic=compact_account(get(row, lay.counterparty_bic)),
                communication=communication,
                ogm=ogm,
                structured_type="BBA" if valid_ogm(structured) else None,
                structured_ref=structured or None,
                line=line,
            ),
            balance,
        )


def _chronological(
    name: str, rows: list[tuple[Movement, Decimal | None]], problems: Problems
) -> tuple[list[Movement], Decimal | None, Decimal | None]:
    """The movements in date order, and the opening and closing balances when the export
    gives the balance after each movement (newest first or oldest first: the balances
    must chain, each one the one before plus the movement)."""
    if any(balance is None for _, balance in rows):
        return sorted((m for m, _ in rows), key=lambda m: m.booking_date), None, None
    orders = [rows, rows[::-1]]
    dated = [
        o for o in orders if all(a[0].booking_date <= b[0].booking_date for a, b in pairwise(o))
    ]
    candidates = dated or [sorted(rows, key=lambda r: r[0].booking_date)]
    breaks: list[tuple[Movement, Decimal, Decimal]] = []
    for order in candidates:
        broken = [
            (m, prev, bal)
            for (_, prev), (m, bal) in pairwise(order)
            if prev is not None and bal is not None and prev + m.amount != bal
        ]
        if not broken:
            first_movement, first_balance = order[0]
            last_balance = order[-1][1]
            assert first_balance is not None and last_balance is not None
            movements = [m for m, _ in order]
            return movements, first_balance - first_movement.amount, last_balance
        breaks = breaks or broken
    movement, before, after = breaks[0]
    problems(BankFileError(
        name, "balance", _("the balance after this row is {after}, but the one before it plus "
        "its amount is {before}", after=after, before=before + movement.amount), movement.line,
    ))  # fmt: skip
    order = candidates[0]
    first, last = order[0], order[-1]
    assert first[1] is not None
    return [m for m, _ in order], first[1] - first[0].amount, last[1]


def parse_bank_csv(data: bytes, name: str = "<csv>", *, strict: bool = True) -> ParseResult:
    """Read a bank CSV export: one statement per account found in it (with its opening and
    closing balances when the export has a balance column)."""
    if not data.strip():
        raise BankFileError(name, "empty", _("the file is empty"))
    text = _decode(data)
    found = find_layout(text)
    if found is None:
        raise UnknownFormatError(name, _("not a CSV export of BNP Paribas Fortis, KBC, Belfius "
                                 "or ING (header row not recognised)"))  # fmt: skip
    layout, header_at = found
    lines = text.splitlines()
    if len(lines) > MAX_ROWS:
        raise BankFileError(name, "rows", _("more than {max_rows} rows", max_rows=MAX_ROWS))
    rows = _Rows(name, layout, _cells(lines[header_at]))
    problems = Problems(strict)
    by_account: dict[str, list[tuple[Movement, Decimal | None]]] = {}
    for number in range(header_at + 1, len(lines)):
        cells = _cells(lines[number])
        if not any(cells):
            continue
        if layout.refused_if and rows.get(cells, layout.refused_if):
            continue
        account, movement, balance = rows.movement(cells, number + 1)
        if not account:
            raise BankFileError(name, "account", _("a row without the account number"), number + 1)
        by_account.setdefault(account, []).append((movement, balance))
    if not by_account:
        raise BankFileError(name, "empty", _("the export holds no movement"))
    statements = []
    for account, found_rows in by_account.items():
        currency = found_rows[0][0].currency
        if any(m.currency != currency for m, _ in found_rows):
            raise BankFileError(
                name, "currency", _("several currencies for account {account}", account=account)
            )
        refs = content_ref(
            "v-",
            ((m.booking_date, m.amount, m.counterparty_account, m.communication)
             for m, _ in found_rows),
        )  # fmt: skip
        found_rows = [
            (m if m.ref else m.model_copy(update={"ref": r}), balance)
            for (m, balance), r in zip(found_rows, refs, strict=True)
        ]
        movements, opening, closing = _chronological(name, found_rows, problems)
        days = [m.booking_date for m in movements]
        statements.append(
            Statement(
                format=f"csv-{layout.bank}",
                account=account,
                iban=iban_or_none(account),
                currency=currency,
                opening_balance=opening,
                opening_date=min(days),
                closing_balance=closing,
                closing_date=max(days),
                partial_last_day=closing is not None,
                movements=tuple(movements),
                line=header_at + 1,
            )
        )
    return ParseResult(statements, problems.found)
