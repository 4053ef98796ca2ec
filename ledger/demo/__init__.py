"""A fictional demo hub that shows everything coopledger does.

Every step goes through the same code paths as the real commands (init, participant add,
invoice issue, bank import…), so the demo is also an end-to-end exercise of the product.
All names are plainly fictional. The demo's key is written beside the books directory,
never inside it (``<dir>.key``), since a demo has nothing to protect.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from decimal import Decimal
from pathlib import Path

from invoicing.clients import read_clients
from ledger import dates, progress
from ledger.books import Books
from ledger.config import BankAccount, ContributionSettings, HubConfig, HubIdentity, RateChange
from ledger.demo import bank as demo_bank
from ledger.demo import history
from ledger.demo import invoicing as demo_invoicing
from ledger.demo import money as demo_money
from ledger.demo.days import demo_today
from ledger.errors import InputError
from ledger.i18n import _
from ledger.layout import init_books, new_hub_id
from ledger.money.closing import close_year
from ledger.participants import add_participant

# (alias, activity, month opened) — obviously fictional aliases.
DEMO_PARTICIPANTS = (
    ("Fictive Alpha (démo)", "catering", 1),
    ("Fictive Bravo (démo)", "couture", 1),
    ("Fictive Charlie (démo)", "coiffure", 2),
    ("Fictive Delta (démo)", "repair", 3),
    ("Fictive Echo (démo)", "catering", 4),
    ("Fictive Foxtrot (démo)", "cleaning", 6),
    ("Fictive Golf (démo)", "couture", 9),
)

DEMO_MARKER = "DEMO.txt"
# How many invoices a participant issues a month in the generated years (on average).
PAST_INVOICES_PER_MONTH = 1.5

# What each capability adds to the demo year, in this order (invoices before the bank
# statements that pay them, the cash box and a cost charged later before the statements
# that bring the money, statements before the money that flows from them).
POPULATORS = (
    demo_invoicing.populate,
    demo_money.before_statements,
    demo_bank.populate,
    demo_money.populate,
)


def demo_config(year: int) -> HubConfig:
    return HubConfig(
        id=new_hub_id("Demo Hub"),
        hub=HubIdentity(
            name="Hub Démo Entrepreneuriat ASBL",
            enterprise_number="0403170701",
            # Catering, sewing and hairdressing are taxable activities (rarely art. 44
            # exemptions): a small hub is under the franchise regime (turnover of at most
            # 25,000 EUR a year, no VAT charged), with a VAT number.
            vat_regime="franchise",
            vat_number="BE0403170701",
            address="Rue de l'Exemple 1",
            postal_code="1030",
            city="Schaerbeek",
            email="demo@example.org",
        ),
        bank_accounts=[
            BankAccount(
                iban="BE68539007547034",
                account="Assets:Banque:Courant",
                label="Compte courant (démo)",
            )
        ],
        contribution=ContributionSettings(
            rate=Decimal("10"), changes=[RateChange(since=dt.date(year, 7, 1), rate=Decimal("12"))]
        ),
    )


def build_demo(
    root: Path, year: int | None = None, seed: int = 2025, years: int = 1,
    participants: int | None = None,
) -> Books:  # fmt: skip
    """Create the demo books in ``root`` (absent or empty) and fill a year of activity.

    The demo replays a finished year (and the first days of the next one, when the year is
    closed), so no entry is ever dated after today. With ``years`` > 1 the hub is that many
    years old: the years before the last are generated as text and closed
    (:mod:`ledger.demo.history`), the last is played through the real commands and left
    open (a hub closes its year in the spring). ``participants`` sets how many there are
    (the seven of the one-year demo by default)."""
    today = dates.today()
    year = year or (today.year - 1 if demo_today(today.year - 1) <= today else today.year - 2)
    if demo_today(year) > today:
        raise InputError(
            _(
                "--year {year}: the demo replays a finished year and the first days of the "
                "next one; give {last_year} or earlier (or wait until {demo_today})",
                year=year,
                last_year=year - 1,
                demo_today=demo_today(year),
            )
        )
    if not 1 <= years <= 50:
        raise InputError(_("--years: from 1 to 50"))
    if participants is not None and not 1 <= participants <= 500:
        raise InputError(_("--participants: from 1 to 500"))
    rng = random.Random(seed)
    root = root.expanduser().absolute()
    if not os.environ.get("COOPLEDGER_KEY_FILE"):
        os.environ["COOPLEDGER_KEY_FILE"] = str(root.parent / f"{root.name}.key")
    if (root / DEMO_MARKER).exists():
        return Books.open(root)  # built earlier: reuse it
    first = year - years + 1
    books, _key = init_books(root, demo_config(year), dt.date(first, 1, 1))
    with books.transaction("demo: mark these books as a fictional demo") as tx:
        tx.write_file(
            DEMO_MARKER,
            b"These books are a fictional demo built by 'coopledger demo'.\n"
            b"Every name, number and amount in them is invented.\n",
        )
    people = _demo_participants(participants)
    opened = []
    for alias, activity, month in people:
        day = dt.date(first, month, rng.randint(1, 20))
        code = add_participant(books, alias=alias, activity=activity, day=day)
        opened.append(history.DemoParticipant(code, activity, day))
    if years > 1:
        _past_years(books, rng, first, year, opened)
    for step in progress.each("demo", POPULATORS, lambda s: s.__module__.rsplit(".", 1)[-1]):
        if step is demo_money.populate:
            demo_money.populate(books, rng, year, close=years == 1)
        else:
            step(books, rng, year)
    return books


def _demo_participants(count: int | None) -> list[tuple[str, str, int]]:
    """The seven participants of the demo, or ``count`` of them (opened in the first four
    months, in this order: roles in the demo follow this order, never the random codes)."""
    if count is None:
        return list(DEMO_PARTICIPANTS)
    activities = [a for _, a, _ in DEMO_PARTICIPANTS]
    return [
        (f"Fictive {n:03d} (démo)", activities[n % len(activities)], 1 + n % 4)
        for n in range(1, count + 1)
    ]


def _past_years(
    books: Books, rng: random.Random, first: int, year: int,
    opened: list[history.DemoParticipant],
) -> None:  # fmt: skip
    """Generate and close every year before the demo year (see :mod:`ledger.demo.history`)."""
    clients = list(read_clients(books).values()) or [
        read_clients(books)[c] for c in demo_invoicing.add_demo_clients(books, rng)
    ]
    state = history.History()
    for past in range(first, year):
        history.generate_year(
            books, rng, past, state, opened, clients, PAST_INVOICES_PER_MONTH,
            demo_invoicing.lines_for, opening=demo_bank.OPENING_BALANCE if past == first else None,
        )  # fmt: skip
        close_year(books, past, today=demo_today(year))
