"""The demo hub's clients, a year of invoices and a few credit notes.

Everything goes through the real code paths (``add_client``, ``issue_invoice``,
``issue_credit_note``) and so through the books' write path. All names are plainly
fictional; enterprise numbers are random with a valid checksum.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from decimal import Decimal

from invoicing.clients import add_client, read_clients
from invoicing.issue import CreditRequest, IssueRequest, issue_credit_note, issue_invoices
from invoicing.models import LineInput
from invoicing.vat import allowed_rates
from ledger.books import Books
from ledger.participants import find_participants

BUSINESSES = (
    ("Démo Traiteur SPRL", "Rue de la Démo 12, 1000 Bruxelles", "fr"),
    ("Atelier Fictif Couture SRL", "Avenue Imaginaire 3, 1030 Schaerbeek", "fr"),
    ("Voorbeeld Catering BV", "Fictieve Straat 8, 1080 Sint-Jans-Molenbeek", "nl"),
    ("Café Exemple SC", "Place du Test 5, 1060 Saint-Gilles", "fr"),
    ("Example Events Demo SRL", "Rue Fictive 40, 1050 Ixelles", "en"),
    ("Salon Démo Coiffure SRL", "Chaussée de l'Exemple 101, 1210 Saint-Josse-ten-Noode", "fr"),
)
PERSONS = (
    ("Client Fictif Un (démo)", "Rue Inventée 1, 1030 Schaerbeek", "fr"),
    ("Cliente Fictive Deux (démo)", "", "fr"),
    ("Fictieve Klant Drie (demo)", "Denkbeeldige Laan 7, 1020 Laken", "nl"),
)
# Per activity: (description, quantity range, unit price, standard VAT rate).
CATALOGUE: dict[str, tuple[tuple[str, tuple[int, int], str, str], ...]] = {
    "catering": (
        ("Buffet traiteur (par personne)", (10, 60), "12.50", "12"),
        ("Plateau de pâtisseries", (1, 6), "24.00", "6"),
        ("Service à table (heure)", (2, 8), "25.00", "21"),
    ),
    "couture": (
        ("Retouche de vêtement", (1, 8), "15.00", "21"),
        ("Confection sur mesure", (1, 3), "85.00", "21"),
    ),
    "coiffure": (
        ("Coupe et brushing", (1, 4), "28.00", "21"),
        ("Tresses africaines", (1, 2), "65.00", "21"),
    ),
    "repair": (
        ("Réparation de vélo", (1, 3), "35.00", "21"),
        ("Petit dépannage (heure)", (1, 5), "30.00", "21"),
    ),
    "cleaning": (("Nettoyage de bureaux (heure)", (2, 12), "22.00", "21"),),
}
DEFAULT_ITEMS = (("Prestation de service (heure)", (1, 6), "25.00", "21"),)
INVOICES = 60
SMALL_INVOICES = 16
DEFAULT_PARTICIPANTS = 7  # the default demo's (ledger.demo.DEMO_PARTICIPANTS)
CREDIT_NOTES = 4
REASONS = ("Prestation annulée", "Erreur de quantité", "Geste commercial", "Double facturation")


def enterprise_number(rng: random.Random) -> str:
    """A random 10-digit Belgian enterprise number with a valid mod-97 checksum."""
    base = rng.randint(2_000_000, 9_999_999)  # 0 + 7 digits = the first 8 digits
    return f"0{base:07d}{97 - (base % 97):02d}"


def add_demo_clients(books: Books, rng: random.Random) -> list[str]:
    """Register the fictional clients; returns their ids."""
    ids = []
    for name, address, lang in BUSINESSES:
        number = enterprise_number(rng)
        client = add_client(
            books,
            {"name": name, "enterprise_number": number, "address": address, "lang": lang},
        )
        ids.append(client.id)
    for name, address, lang in PERSONS:
        ids.append(add_client(books, {"name": name, "address": address, "lang": lang}).id)
    return ids


def _lines(books: Books, rng: random.Random, activity: str) -> list[LineInput]:
    return lines_for(rng, activity, allowed_rates(books.config))


def lines_for(
    rng: random.Random, activity: str, rates: Iterable[Decimal] = (Decimal(0),)
) -> list[LineInput]:
    """One to three lines of the activity's catalogue (VAT rates the hub may charge)."""
    rates = set(rates)
    items = CATALOGUE.get(activity, DEFAULT_ITEMS)
    chosen = rng.sample(items, k=rng.randint(1, len(items)))
    lines = []
    for desc, (low, high), price, rate in chosen:
        vat = Decimal(rate) if Decimal(rate) in rates else Decimal(0)
        lines.append(
            LineInput(
                description=desc,
                quantity=Decimal(rng.randint(low, high)),
                unit_price=Decimal(price),
                vat_rate=vat,
            )
        )
    return lines


# The random credit notes of the demo year are dated before this day (of that year).
CREDITS_BEFORE = dt.date(2000, 11, 10)


def populate(books: Books, rng: random.Random, year: int) -> None:
    """Fictional clients, about 60 invoices over ``year`` across the open participants,
    and a few credit notes."""
    clients = list(read_clients(books)) or add_demo_clients(books, rng)
    participants = [
        p for p in find_participants(books.load().entries, books.config).values() if not p.closed
    ]
    if not participants:
        return
    today = dt.date(year, 12, 31)
    start = max(min(p.opened for p in participants), dt.date(year, 1, 1))
    span = (dt.date(year, 12, 15) - start).days
    # About 60 for the 7 of the default demo (or more participants); a smaller hub issues
    # about 8 a participant (at least SMALL_INVOICES): a small demo builds in seconds.
    floor = INVOICES if len(participants) >= DEFAULT_PARTICIPANTS else SMALL_INVOICES
    count = max(floor, 8 * len(participants))
    days = sorted(start + dt.timedelta(days=rng.randint(0, max(span, 0))) for _ in range(count))
    early = [i for i in range(10, count) if days[i] < CREDITS_BEFORE.replace(year=year)]
    credit_days = set(rng.sample(early, k=min(CREDIT_NOTES, len(early))))
    requests: list[tuple[int, IssueRequest]] = []
    for index, day in enumerate(days):
        eligible = [p for p in participants if p.opened <= day]
        if eligible:
            who = rng.choice(eligible)
            requests.append((index, IssueRequest(
                participant=who.code, client=rng.choice(clients),
                lines=_lines(books, rng, who.activity), date=day,
            )))  # fmt: skip
    # The year's invoices in one write (numbered in date order), then the credit notes.
    results = issue_invoices(books, [r for _, r in requests], today=today)
    issued: list[tuple[str, dt.date]] = []
    last_credit = start
    by_index = dict(zip([i for i, _ in requests], results, strict=True))
    for index, day in enumerate(days):
        if index in by_index:
            issued.append((by_index[index].document.number, day))
        if index in credit_days and issued and day < CREDITS_BEFORE.replace(year=year):
            number, inv_day = rng.choice(issued[:-1] or issued)
            issued = [i for i in issued if i[0] != number]
            when = max(day, inv_day, last_credit) + dt.timedelta(days=rng.randint(1, 10))
            # Before the credit notes the money steps date in November and December
            # (numbers follow dates): whatever the seed, the series stays in date order.
            when = min(when, CREDITS_BEFORE.replace(year=year))
            issue_credit_note(
                books,
                CreditRequest(invoice=number, date=when, reason=rng.choice(REASONS)),
                today=today,
            )
            last_credit = when
