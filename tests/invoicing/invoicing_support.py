"""Helpers for the invoicing tests (importable as ``invoicing_support``): hub configurations
per VAT regime, sample lines and clients, fresh books, snapshots of the books.

All data is fictional. Enterprise numbers here are valid-checksum numbers used only in
tests.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from tests_support import git_state, tree_digest

os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"

from invoicing.clients import add_client
from invoicing.models import Client, Document, InvoiceRef, LineInput
from invoicing.ogm import make_ogm
from invoicing.totals import compute
from ledger.books import Books
from ledger.config import HubConfig
from ledger.dates import today as calendar_today
from ledger.layout import init_books
from ledger.participants import add_participant

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
RULES = SHARED / "peppol-validation"
SAMPLES = SHARED / "samples" / "peppol"

HUB_ENTERPRISE = "0403170701"
CLIENT_ENTERPRISE = "0202239951"
OTHER_ENTERPRISE = "0417497106"
IBAN = "BE68539007547034"
BIC = "GKCCBEBB"
ALIAS = "Zorro Secret Alias"  # a participant alias that must never leak
REGIMES = ("exempt", "franchise", "standard")
LANGS = ("fr", "nl", "en")
YEAR = calendar_today().year - 1  # a whole past year: no date is ever in the future
TODAY = dt.date(YEAR, 12, 31)


def day(month: int, dom: int) -> dt.date:
    return dt.date(YEAR, month, dom)


def make_config(regime: str = "exempt", **invoicing: object) -> HubConfig:
    """A fictional hub in the given VAT regime."""
    hub: dict[str, object] = {
        "name": "Hub Test Entreprendre",
        "enterprise_number": HUB_ENTERPRISE,
        "vat_regime": regime,
        "address": "Rue de l'Essai 1",
        "postal_code": "1030",
        "city": "Schaerbeek",
        "email": "hub@example.org",
    }
    if regime != "exempt":
        hub["vat_number"] = "BE" + HUB_ENTERPRISE
    return HubConfig.model_validate(
        {
            "id": "hub-test-inv",
            "hub": hub,
            "bank_accounts": [{"iban": IBAN, "bic": BIC}],
            "invoicing": invoicing,
        }
    )


def rate_for(config: HubConfig, rate: str) -> str:
    """``rate`` under a standard hub, 0 otherwise."""
    return rate if config.hub.vat_regime == "standard" else "0"


def sample_lines(config: HubConfig) -> list[LineInput]:
    """Lines with several rates (standard regime) or all at 0 (exempt, franchise)."""
    return [
        LineInput(
            description="Buffet <script>alert(1)</script> & co",
            quantity=Decimal("20"),
            unit_price=Decimal("12.50"),
            vat_rate=Decimal(rate_for(config, "12")),
        ),
        LineInput(
            description='Service "à table" | heures',
            quantity=Decimal("3.5"),
            unit_price=Decimal("25"),
            vat_rate=Decimal(rate_for(config, "21")),
        ),
        LineInput(
            description="Pâtisseries",
            quantity=Decimal("1"),
            unit_price=Decimal("9.99"),
            vat_rate=Decimal(rate_for(config, "6")),
        ),
    ]


CLIENTS = {
    "be-enterprise": Client(
        id="C0001",
        name="Démo Traiteur <b>SRL</b>",
        enterprise_number=CLIENT_ENTERPRISE,
        address="Rue Fictive 12, 1000 Bruxelles",
        email="compta@example.com",
    ),
    "be-vat": Client(
        id="C0002",
        name="Atelier Fictif SRL",
        vat_number="BE" + OTHER_ENTERPRISE,
        address="Avenue Imaginaire 3",
        lang="nl",
    ),
    "be-peppol-9925": Client(
        id="C0003", name="Voorbeeld BV", peppol_id="9925:BE" + OTHER_ENTERPRISE, lang="nl"
    ),
    "foreign": Client(
        id="C0004",
        name="Exemple Events SARL",
        vat_number="FR40303265045",
        country="FR",
        peppol_id="9957:FR40303265045",
        address="1 rue de l'Exemple, 75001 Paris",
        lang="en",
    ),
    "person": Client(id="C0005", name="Client Fictif Privé", address="Rue B 2, 1030 Schaerbeek"),
}


def make_document(
    config: HubConfig,
    client: Client,
    kind: str = "invoice",
    lang: str = "fr",
    lines: list[LineInput] | None = None,
) -> Document:
    """An issued-looking document, without books (for the pure renderers)."""
    computed, totals = compute(config, lines or sample_lines(config))
    if kind == "invoice":
        return Document(
            kind="invoice", number=f"{YEAR}-0007", series=str(YEAR), seq=7, date=day(3, 14),
            due=day(4, 13), lang=lang, participant="P-7K3Q9X", client=client,  # type: ignore[arg-type]
            lines=computed, totals=totals, ogm=make_ogm(YEAR, 7),
        )  # fmt: skip
    return Document(
        kind="credit-note", number=f"NC{YEAR}-0002", series=str(YEAR), seq=2, date=day(3, 20),
        due=None, lang=lang, participant="P-7K3Q9X", client=client,  # type: ignore[arg-type]
        lines=computed, totals=totals, reference=InvoiceRef(number=f"{YEAR}-0007", date=day(3, 14)),
        reason="Erreur <i>de</i> quantité",
    )  # fmt: skip


@dataclass
class Hub:
    """Fresh books with one open participant, one closed, a business and a person."""

    books: Books
    participant: str
    closed: str
    business: str
    person: str

    @property
    def root(self) -> Path:
        return self.books.root


def create_hub(root: Path, regime: str = "exempt", **invoicing: object) -> Hub:
    config = make_config(regime, **invoicing)
    books, _ = init_books(root, config, dt.date(YEAR, 1, 1))
    participant = add_participant(books, alias=ALIAS, activity="catering", day=day(1, 2))
    closed = add_participant(books, alias="Closed Alias", activity="couture", day=day(1, 2))
    from ledger.participants import close_participant

    close_participant(books, closed, day=day(1, 3))
    business = add_client(
        books,
        {
            "name": "Démo Traiteur SRL",
            "enterprise_number": CLIENT_ENTERPRISE,
            "address": "Rue Fictive 12, 1000 Bruxelles",
        },
    ).id
    person = add_client(books, {"name": "Client Fictif Privé", "lang": "nl"}).id
    return Hub(Books.open(root), participant, closed, business, person)


def git_log(root: Path) -> str:
    return git_state(root)


@dataclass
class Snapshot:
    root: Path
    digest: dict[str, str]
    log: str

    def unchanged(self) -> bool:
        return tree_digest(self.root) == self.digest and git_log(self.root) == self.log


def snapshot(root: Path) -> Snapshot:
    return Snapshot(root, tree_digest(root), git_log(root))
