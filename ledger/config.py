"""The hub's identity and settings: ``hub.toml``, validated by pydantic.

Identifiers are checked by the field's own libraries (python-stdnum for enterprise and VAT
numbers, schwifty for IBAN and BIC) and stored in their compact, canonical form.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import exceptions as stdnum_exceptions
from stdnum.be import vat as be_vat

from ledger import entries as number_parser
from ledger.errors import ConfigError, InputError
from ledger.i18n import Message, _
from ledger.ibans import IBAN_PROBLEMS, normalize_iban
from ledger.names import HUB_FILE

VatRegime = Literal["exempt", "franchise", "standard"]
ACCOUNT_RE = re.compile(r"^(Assets|Liabilities|Equity|Income|Expenses)(:[A-Z0-9][A-Za-z0-9\-]*)+$")


# ---------------------------------------------------------------- identifier checks


# Why python-stdnum refused a number, in the user's language (its own texts are English).
NUMBER_PROBLEMS = {
    "InvalidChecksum": _("wrong check digits"),
    "InvalidLength": _("wrong length"),
    "InvalidFormat": _("not in the expected format"),
    "InvalidComponent": _("a part of the number is not valid"),
}


def number_problem(exc: Exception) -> str:
    """Why python-stdnum refused a number (enterprise, VAT, structured communication)."""
    return NUMBER_PROBLEMS.get(type(exc).__name__, _("not a valid number"))


_TOML_AT = re.compile(r"^(?P<reason>.*) \(at line (?P<line>\d+), column (?P<column>\d+)\)$", re.S)
_TOML_END = re.compile(r"^(?P<reason>.*) \(at end of document\)$", re.S)


def toml_problem(exc: Exception) -> str:
    """Where a TOML file is broken: the parser's own words in English (unchanged), its
    line and column in the user's language (the parser speaks only English)."""
    text = str(exc)
    if found := _TOML_AT.match(text):
        return _("{reason} (at line {line}, column {column})", **found.groupdict())
    if found := _TOML_END.match(text):
        return _("{reason} (at end of document)", reason=found["reason"])
    return text


def normalize_enterprise_number(value: str) -> str:
    """Return the 10-digit Belgian enterprise number (KBO/BCE), checked with mod 97."""
    try:
        return str(be_vat.validate(value))
    except stdnum_exceptions.ValidationError as exc:
        raise ValueError(
            _("invalid Belgian enterprise number: {exc}", exc=number_problem(exc))
        ) from None


def normalize_vat_number(value: str) -> str:
    """Return a Belgian VAT number as ``BE0123456789``, checked with mod 97."""
    try:
        return "BE" + str(be_vat.validate(value))
    except stdnum_exceptions.ValidationError as exc:
        raise ValueError(_("invalid Belgian VAT number: {exc}", exc=number_problem(exc))) from None


def bic_problem(exc: Exception) -> str:
    """Why a BIC is invalid, in words that never repeat it (schwifty's messages do)."""
    return IBAN_PROBLEMS.get(type(exc).__name__, _("not a valid BIC"))


def normalize_bic(value: str) -> str:
    """Return a BIC in compact form after checking its structure."""
    try:
        return str(BIC(value).compact)
    except SchwiftyException as exc:
        raise ValueError(_("invalid BIC: {exc}", exc=bic_problem(exc))) from None


def parse_rate(value: str | int | float | Decimal) -> Decimal:
    """A percentage between 0 and 100 inclusive, as a Decimal (ValueError else): the one
    number parser, :func:`ledger.entries.parse_rate`."""
    try:
        return number_parser.parse_rate(str(value))
    except InputError as exc:
        raise ValueError(exc.message) from None


def parse_date(value: str) -> dt.date:
    """An ISO date (YYYY-MM-DD) given by the user."""
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value.strip()):
            return dt.date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        pass
    raise InputError(_("invalid date: expected YYYY-MM-DD, a day of the calendar (what was typed "
                     "is not repeated)"))  # fmt: skip


# ---------------------------------------------------------------- models


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class AccountSpec(_Model):
    """One account of the chart: its Beancount name and its PCMN code."""

    name: str
    pcmn: str
    label: str = ""

    @field_validator("name")
    @classmethod
    def _account_name(cls, value: str) -> str:
        if not ACCOUNT_RE.match(value.replace("{code}", "P-CODE")):
            raise ValueError(_("not a valid Beancount account name: {value!r}", value=value))
        return value


def _default_chart() -> dict[str, AccountSpec]:
    A = AccountSpec
    return {
        # Balance sheet of the hub itself.
        "cash": A(name="Assets:Caisse", pcmn="570", label="Caisse"),
        "clients": A(name="Assets:Clients", pcmn="400", label="Clients"),
        "vat_recoverable": A(name="Assets:TVA-a-recuperer", pcmn="411", label="TVA à récupérer"),
        "other_receivables": A(
            name="Assets:Autres-creances", pcmn="416", label="Créances diverses"
        ),
        "grants_receivable": A(
            name="Assets:Subsides-a-recevoir", pcmn="416", label="Subsides à recevoir"
        ),
        "internal_transfers": A(
            name="Assets:Virements-internes", pcmn="580", label="Virements internes"
        ),
        "suspense": A(name="Assets:Compte-d-attente", pcmn="499", label="Compte d'attente"),
        "suppliers": A(name="Liabilities:Fournisseurs", pcmn="440", label="Fournisseurs"),
        # Ordered transfers wait for their debit in a debt account of their own (48x), never
        # in the suspense account (499), which must be empty when a year is closed.
        "payouts_pending": A(
            name="Liabilities:Virements-a-executer",
            pcmn="489",
            label="Virements ordonnés, pas encore débités",
        ),
        "refunds_due": A(
            name="Liabilities:Remboursements-dus",
            pcmn="489",
            label="Trop-perçus et notes de crédit à rembourser",
        ),
        "deferred_income": A(
            name="Liabilities:Produits-a-reporter",
            pcmn="493",
            label="Produits à reporter (subsides affectés non utilisés)",
        ),
        "vat_payable": A(name="Liabilities:TVA-a-payer", pcmn="451", label="TVA à payer"),
        "advances_received": A(
            name="Liabilities:Acomptes-recus", pcmn="46", label="Acomptes reçus"
        ),
        "fund": A(name="Equity:Fonds-associatif", pcmn="10", label="Fonds de l'association"),
        "restricted_funds": A(name="Equity:Fonds-affectes", pcmn="13", label="Fonds affectés"),
        "retained_result": A(name="Equity:Resultat-reporte", pcmn="14", label="Résultat reporté"),
        "opening_balances": A(
            name="Equity:Soldes-d-ouverture", pcmn="10", label="Soldes d'ouverture"
        ),
        # The hub's own income and costs.
        "purchases": A(name="Expenses:Achats", pcmn="60", label="Achats"),
        "services": A(name="Expenses:Services-et-biens-divers", pcmn="61", label="Services"),
        "remuneration": A(name="Expenses:Remunerations", pcmn="62", label="Rémunérations"),
        "bank_fees": A(name="Expenses:Frais-bancaires", pcmn="65", label="Frais bancaires"),
        "cash_shortfall": A(
            name="Expenses:Ecarts-de-caisse", pcmn="64", label="Écarts de caisse (manquants)"
        ),
        "sales": A(name="Income:Ventes", pcmn="70", label="Ventes du hub"),
        "gifts": A(name="Income:Dons", pcmn="73", label="Dons"),
        "grants": A(name="Income:Subsides", pcmn="73", label="Subsides"),
        "other_income": A(name="Income:Autres-produits", pcmn="74", label="Autres produits"),
        "cash_surplus": A(
            name="Income:Ecarts-de-caisse", pcmn="74", label="Écarts de caisse (excédents)"
        ),
        "financial_income": A(
            name="Income:Produits-financiers", pcmn="75", label="Produits financiers"
        ),
        # Each participant's activity: one subtree per pseudonymous code.
        "participant_held": A(
            name="Liabilities:Participants:{code}",
            pcmn="489",
            label="Montants détenus pour le participant",
        ),
        "participant_sales": A(
            name="Income:Participants:{code}:Ventes", pcmn="70", label="Ventes de l'activité"
        ),
        "participant_contribution": A(
            name="Income:Participants:{code}:Contribution",
            pcmn="74",
            label="Contribution au hub",
        ),
        "participant_share": A(
            name="Expenses:Participants:{code}:Quote-part",
            pcmn="613",
            label="Quote-part revenant au participant",
        ),
        "participant_costs": A(
            name="Expenses:Participants:{code}:Couts", pcmn="61", label="Coûts de l'activité"
        ),
        # The participant's share of invoices not paid yet: accrued when the invoice is
        # issued, so the hub's result never holds it; moved to the held balance as the
        # client pays.
        "participant_pending": A(
            name="Liabilities:Quotes-parts-en-attente:{code}",
            pcmn="489",
            label="Quote-part des factures non encore payées",
        ),
        # What the participant owes the hub (a cost charged later, a credit note after she
        # was paid out): recovered from her next client payments.
        "participant_owed": A(
            name="Assets:Participants-a-recuperer:{code}",
            pcmn="416",
            label="Dû par le participant, récupéré sur ses prochains encaissements",
        ),
    }


class BankAccount(_Model):
    """A bank account of the hub, and the Beancount account it is booked on."""

    iban: str
    bic: str | None = None
    account: str = "Assets:Banque:Courant"
    label: str = "Compte courant"
    pcmn: str = "550"
    opened: dt.date | None = None

    @field_validator("iban")
    @classmethod
    def _iban(cls, value: str) -> str:
        return normalize_iban(value)

    @field_validator("bic")
    @classmethod
    def _bic(cls, value: str | None) -> str | None:
        return normalize_bic(value) if value else None

    @model_validator(mode="after")
    def _derive_bic(self) -> BankAccount:
        # Belgian banks' BICs follow from the IBAN's bank code (NBB list, via schwifty).
        if self.bic is None:
            try:
                derived = IBAN(self.iban).bic
            except SchwiftyException:
                derived = None
            if derived is not None:
                object.__setattr__(self, "bic", str(derived.compact))
        return self

    @field_validator("account")
    @classmethod
    def _account(cls, value: str) -> str:
        if not ACCOUNT_RE.match(value):
            raise ValueError(_("not a valid Beancount account name: {value!r}", value=value))
        return value


class RateChange(_Model):
    """A contribution rate that applies to payments received from ``since`` on."""

    since: dt.date
    rate: Decimal

    @field_validator("rate", mode="before")
    @classmethod
    def _rate(cls, value: Any) -> Decimal:
        return parse_rate(value)


class ContributionSettings(_Model):
    """The hub's contribution on what clients pay for a participant's work."""

    rate: Decimal = Decimal("10")
    changes: list[RateChange] = Field(default_factory=list)
    # Per-participant overrides: code -> list of dated rates.
    participants: dict[str, list[RateChange]] = Field(default_factory=dict)

    @field_validator("rate", mode="before")
    @classmethod
    def _rate(cls, value: Any) -> Decimal:
        return parse_rate(value)

    def rate_for(self, code: str | None, on: dt.date) -> tuple[Decimal, str]:
        """The rate in force for ``code`` on date ``on``, and the rule that gave it."""
        rate, own, since = self.rule_for(code, on)
        if own:
            return rate, f"participant {code} since {since.isoformat() if since else ''}"
        if since is not None:
            return rate, f"hub rate since {since.isoformat()}"
        return rate, "hub rate"

    def rule_for(self, code: str | None, on: dt.date) -> tuple[Decimal, bool, dt.date | None]:
        """The rate in force for ``code`` on ``on``: (rate, whether it is the participant's
        own rate, since when it applies — None for the hub's first rate)."""
        override = [c for c in self.participants.get(code or "", []) if c.since <= on]
        if override:
            last = max(override, key=lambda c: c.since)
            return last.rate, True, last.since
        changes = [c for c in self.changes if c.since <= on]
        if changes:
            last = max(changes, key=lambda c: c.since)
            return last.rate, False, last.since
        return self.rate, False, None


class RosterSettings(_Model):
    """Where the encrypted roster lives and to whom it is encrypted (age recipients)."""

    file: str = "roster.age"
    # Each participant's record is encrypted under its own data key; the data keys live in
    # this file, in the books' folder but never in git (crypto-shredding: docs/security.md).
    data_keys: str = "roster-keys.age"
    recipients: list[str] = Field(default_factory=list)

    @field_validator("recipients")
    @classmethod
    def _recipients(cls, value: list[str]) -> list[str]:
        for r in value:
            if not (r.startswith("age1") or r.startswith("ssh-")):
                raise ValueError(_("not an age recipient: {r!r}…", r=r[:12]))
        return value


class GitSettings(_Model):
    """Who the books' commits are authored by: the hub in a role, never a person."""

    author: str = Field(default="Trésorerie", min_length=1, max_length=60)

    @field_validator("author")
    @classmethod
    def _author(cls, value: str) -> str:
        if "@" in value or any(c in value for c in "<>\n"):
            raise ValueError(_("a role label such as 'Trésorerie', without an e-mail address"))
        return value.strip()


class InvoicingSettings(_Model):
    """Invoice series, payment terms and languages."""

    series_format: str = "{year}-{seq:04d}"
    credit_series_format: str = "NC{year}-{seq:04d}"
    payment_terms_days: int = Field(default=30, ge=0, le=365)
    default_lang: Literal["fr", "nl", "en"] = "fr"
    # How the OGM goes into the EPC QR code: as unstructured text (+++…+++) or the
    # structured-reference line. Banking apps differ; the text form is the common one.
    epc_qr_ogm_as: Literal["text", "reference"] = "text"
    rules_dir: str | None = None


PEPPOL_ID_SHAPE = re.compile(r"^\d{4}:[A-Za-z0-9][A-Za-z0-9.\-_]{0,49}$")


class PeppolSettings(_Model):
    """Delivery and receipt over Peppol (``docs/peppol.md``). Without the access point's
    credentials every command works offline: documents ready to send wait in the outbox."""

    access_point: Literal["e-invoice.be"] = "e-invoice.be"
    base_url: str | None = None  # the provider's production API unless set (sandbox, tests)
    credentials_file: str | None = None  # outside the books, readable by its owner only
    outbox: str | None = None  # default: $XDG_DATA_HOME/coopledger/<hub id>/outbox
    timeout_seconds: Decimal = Field(default=Decimal(30), gt=0, le=300)
    retry_delay_seconds: Decimal = Field(default=Decimal(2), ge=0, le=60)  # between safe retries
    # Peppol ids the hub also receives on, besides 0208:<enterprise no.> and 9925:<VAT no.>
    receiver_ids: list[str] = Field(default_factory=list)

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        text = value.strip().rstrip("/")
        loopback = re.match(r"^http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(/|$)", text)
        if not (text.startswith("https://") or loopback):
            raise ValueError(_("base_url: https:// only (plain http only to this machine)"))
        return text

    @field_validator("receiver_ids")
    @classmethod
    def _receiver_ids(cls, value: list[str]) -> list[str]:
        for pid in value:
            if not PEPPOL_ID_SHAPE.match(pid.strip()):
                raise ValueError(
                    _("receiver_ids: {pid!r} is not SCHEME:ID (e.g. 0088:54123450)", pid=pid)
                )
        return [pid.strip() for pid in value]


class ImportRule(_Model):
    """Sends bank movements that match to an account (first matching rule wins)."""

    account: str
    counterparty_iban: str | None = None
    contains: str | None = None
    narration: str | None = None

    @field_validator("counterparty_iban")
    @classmethod
    def _iban(cls, value: str | None) -> str | None:
        return None if value is None else normalize_iban(value)

    @model_validator(mode="after")
    def _one_criterion(self) -> ImportRule:
        if not (self.counterparty_iban or self.contains):
            raise ValueError(_("an import rule needs counterparty_iban or contains"))
        return self


class AnnualAccountsSettings(_Model):
    """What the annual accounts need that the books do not know (``docs/annual-accounts.md``)."""

    # The model the board chose: simplified accounts (CSA art. 3:47 §2) or double entry
    # (micro / abridged association model). The report prints both; this one is declared.
    model: Literal["simplified", "micro", "abridged"] = "simplified"
    average_fte: Decimal = Field(default=Decimal(0), ge=0)  # workers, not volunteers
    valuation_rules: str = ""  # the annex's summary of valuation rules (default text if empty)
    double_entry_since: dt.date | None = None  # when the board chose double entry, if it did
    # Significant rights and commitments for the annex (promised grants, guarantees…).
    rights_and_commitments: list[str] = Field(default_factory=list)


class VatSettings(_Model):
    """How often a hub in the standard VAT regime files its periodic return."""

    periodicity: Literal["quarterly", "monthly"] = "quarterly"


class FeesSlipsSettings(_Model):
    """281.50 slips (``docs/fees-slips.md``): the identities are only ever used when the
    hub turned this on, with its lawyer's decision recorded here."""

    enabled: bool = False
    decision: str = ""  # the reference of the lawyer's / board's decision
    decided_on: dt.date | None = None
    amount_zone: Literal["2060", "2061"] = "2061"  # commissions or fees: the accountant's call
    threshold: Decimal = Decimal("250.00")  # per beneficiary and year (no slip at or below)

    @model_validator(mode="after")
    def _decision(self) -> FeesSlipsSettings:
        if self.enabled and not (self.decision.strip() and self.decided_on):
            raise ValueError(_("enabled: record the decision (decision and decided_on) first"))
        return self


class HubIdentity(_Model):
    """Who the hub is: everything an invoice must say about its issuer."""

    name: str = Field(min_length=1, max_length=200)
    legal_form: str = "ASBL"
    enterprise_number: str
    vat_regime: VatRegime = "exempt"
    vat_number: str | None = None
    address: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = "BE"
    court_register: str = "RPM Bruxelles"
    email: str | None = None
    website: str | None = None
    # Legal text printed on invoices of an exempt hub (art. 44 of the VAT Code).
    exemption_text: str = "Exemption de TVA – art. 44 du Code de la TVA"

    @field_validator("enterprise_number")
    @classmethod
    def _enterprise(cls, value: str) -> str:
        return normalize_enterprise_number(value)

    @field_validator("vat_number")
    @classmethod
    def _vat(cls, value: str | None) -> str | None:
        return normalize_vat_number(value) if value else None

    @model_validator(mode="after")
    def _vat_regime(self) -> HubIdentity:
        if self.vat_regime in ("standard", "franchise") and not self.vat_number:
            raise ValueError(
                _(
                    "vat_number: required for the VAT regime {vat_regime!r}",
                    vat_regime=self.vat_regime,
                )
            )
        return self


class HubConfig(_Model):
    """The whole of ``hub.toml``."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,63}$")
    hub: HubIdentity
    currency: Literal["EUR"] = "EUR"
    bank_accounts: list[BankAccount] = Field(min_length=1)
    contribution: ContributionSettings = Field(default_factory=ContributionSettings)
    roster: RosterSettings = Field(default_factory=RosterSettings)
    git: GitSettings = Field(default_factory=GitSettings)
    invoicing: InvoicingSettings = Field(default_factory=InvoicingSettings)
    accounts: dict[str, AccountSpec] = Field(default_factory=_default_chart)
    import_rules: list[ImportRule] = Field(default_factory=list)
    peppol: PeppolSettings = Field(default_factory=PeppolSettings)
    annual_accounts: AnnualAccountsSettings = Field(default_factory=AnnualAccountsSettings)
    vat: VatSettings = Field(default_factory=VatSettings)
    fees_slips: FeesSlipsSettings = Field(default_factory=FeesSlipsSettings)

    @model_validator(mode="after")
    def _complete_chart(self) -> HubConfig:
        chart = _default_chart()
        chart.update(self.accounts)
        object.__setattr__(self, "accounts", chart)
        ibans = [b.iban for b in self.bank_accounts]
        if len(set(ibans)) != len(ibans):
            raise ValueError(_("bank_accounts: the same IBAN is declared twice"))
        names = [b.account for b in self.bank_accounts]
        if len(set(names)) != len(names):
            raise ValueError(_("bank_accounts: two bank accounts share one Beancount account"))
        return self

    # -- lookups --------------------------------------------------------------------

    def account(self, role: str, code: str | None = None) -> str:
        """The Beancount account name for a role of the chart (``{code}`` filled in)."""
        spec = self.accounts[role]
        if "{code}" in spec.name:
            if code is None:
                raise KeyError(f"account role {role!r} needs a participant code")
            return spec.name.replace("{code}", code)
        return spec.name

    def bank_account_for_iban(self, iban: str) -> BankAccount | None:
        """The hub's bank account with this IBAN, if the hub has one."""
        try:
            wanted = normalize_iban(iban)
        except ValueError:
            return None
        return next((b for b in self.bank_accounts if b.iban == wanted), None)

    @property
    def main_bank(self) -> BankAccount:
        return self.bank_accounts[0]


# ---------------------------------------------------------------- reading and writing


def format_validation_error(exc: ValidationError, where: str) -> str:
    """One line naming the first invalid field and why."""
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "(top level)"
    error = first.get("ctx", {}).get("error")
    ours = error.args[0] if isinstance(error, ValueError) and error.args else None
    msg = ours if isinstance(ours, Message) else str(first["msg"]).removeprefix("Value error, ")
    more = _(" (and {count} more)", count=len(exc.errors()) - 1) if len(exc.errors()) > 1 else ""
    return _("{where}: {field}: {msg}{more}", where=where, field=field, msg=msg, more=more)


def load_config(books_dir: Path) -> HubConfig:
    """Read and validate ``hub.toml`` of a books directory."""
    path = books_dir / HUB_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            _(
                "{path}: not found (is {books_dir} a coopledger books directory? "
                "create one with 'coopledger init')",
                path=path,
                books_dir=books_dir,
            )
        ) from None
    return parse_config(raw.decode("utf-8"), str(path))


def parse_config(text: str, where: str = HUB_FILE) -> HubConfig:
    """Validate the text of a ``hub.toml``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            _("{where}: not valid TOML: {exc}", where=where, exc=toml_problem(exc))
        ) from None
    try:
        return HubConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, where)) from None


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (Decimal, float)):
        return f'"{value}"'
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value)
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _toml_table(lines: list[str], header: str, data: dict[str, Any]) -> None:
    scalars = {k: v for k, v in data.items() if not isinstance(v, dict) and v is not None}
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    if header:
        lines.append(f"\n[{header}]")
    for key, value in scalars.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for item in value:
                lines.append(f"\n[[{header + '.' if header else ''}{key}]]")
                for k, v in item.items():
                    if v is not None:
                        lines.append(f"{k} = {_toml_value(v)}")
            continue
        lines.append(f"{key} = {_toml_value(value)}")
    for key, value in tables.items():
        _toml_table(lines, f"{header + '.' if header else ''}{_toml_key(key)}", value)


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_\-]+", key) else _toml_value(key)


def _toml_plain(value: Any) -> Any:
    """A value of a configuration's dump as ``hub.toml`` holds it (decimals as strings)."""
    if isinstance(value, dict):
        return {k: _toml_plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_toml_plain(v) for v in value]
    if isinstance(value, (Decimal, float)):
        return str(value)
    return value


def _as_item(value: Any) -> Any:
    """A new value for the document: a table for a dict (nested tables for dicts of
    lists of tables), an array of tables for a list of dicts."""
    import tomlkit

    if isinstance(value, dict) and value and all(isinstance(v, list) for v in value.values()):
        table = tomlkit.table(is_super_table=True)
        for key, item in value.items():
            table[key] = _as_item(item)
        return table
    if isinstance(value, dict):
        table = tomlkit.table()
        for key, item in value.items():
            table[key] = _as_item(item)
        return table
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        aot = tomlkit.aot()
        for item in value:
            aot.append(_as_item(item))
        aot[-1].add(tomlkit.nl())  # a blank line before what follows, as in the rest
        return aot
    return value


def _merge(container: Any, old: dict[str, Any], new: dict[str, Any]) -> None:
    """Change in ``container`` (a tomlkit table) exactly what differs from ``old`` to
    ``new``, so every comment and the layout of what did not change survive."""
    import tomlkit

    for key in [k for k in old if k not in new]:
        if key in container:
            del container[key]
    for key, value in new.items():
        if key in old and old[key] == value:
            continue
        here = container.get(key) if key in container else None
        if (
            isinstance(value, dict)
            and isinstance(old.get(key), dict)
            and isinstance(here, (dict, tomlkit.items.Table, tomlkit.items.InlineTable))
        ):
            _merge(here, old[key], value)
            continue
        container[key] = _as_item(value)


def edit_config(text: str, config: HubConfig) -> str:
    """The text of ``hub.toml`` changed to say ``config``, edited in place (tomlkit): the
    treasurer's comments, order and layout of everything else are kept."""
    # tomlkit only edits: a command that changes no setting does not import it (listed in
    # tests/test_import_contract.py)
    import tomlkit

    document = tomlkit.parse(text)
    old = _toml_plain(parse_config(text).model_dump(mode="python", exclude_none=True))
    new = _toml_plain(config.model_dump(mode="python", exclude_none=True))
    _merge(document, old, new)
    out = tomlkit.dumps(document)
    if parse_config(out) != config:  # what we write must read back as what was meant
        raise ConfigError(_("hub.toml: the edited configuration does not read back (a bug)"))
    return out


def render_config(config: HubConfig) -> str:
    """The TOML text of a configuration (the chart written out so the accountant can adapt it)."""
    data = config.model_dump(mode="python", exclude_none=True)
    lines = [
        "# coopledger hub configuration. Validated on every command; see docs/configuration.md.",
        "# Account names and PCMN codes under [accounts] may be adapted by the hub's accountant",
        "# before the first entries are booked.",
    ]
    top = {k: data[k] for k in ("id", "currency")}
    _toml_table(lines, "", top)
    _toml_table(lines, "hub", data["hub"])
    for bank in data["bank_accounts"]:
        lines.append("\n[[bank_accounts]]")
        for k, v in bank.items():
            lines.append(f"{k} = {_toml_value(v)}")
    contribution = dict(data["contribution"])
    changes = contribution.pop("changes", [])
    per_participant = contribution.pop("participants", {})
    _toml_table(lines, "contribution", contribution)
    for change in changes:
        lines.append("\n[[contribution.changes]]")
        lines.append(f"since = {_toml_value(change['since'])}")
        lines.append(f"rate = {_toml_value(change['rate'])}")
    for code, rates in per_participant.items():
        for change in rates:
            lines.append(f"\n[[contribution.participants.{_toml_key(code)}]]")
            lines.append(f"since = {_toml_value(change['since'])}")
            lines.append(f"rate = {_toml_value(change['rate'])}")
    _toml_table(lines, "roster", data["roster"])
    _toml_table(lines, "git", data["git"])
    _toml_table(lines, "invoicing", data["invoicing"])
    peppol_defaults = PeppolSettings().model_dump(mode="python")
    peppol = {k: v for k, v in data["peppol"].items() if v != peppol_defaults.get(k)}
    if peppol:  # only what the hub set: most hubs never see the section
        _toml_table(lines, "peppol", peppol)
    for section, defaults in (
        ("annual_accounts", AnnualAccountsSettings()),
        ("vat", VatSettings()),
        ("fees_slips", FeesSlipsSettings()),
    ):
        base = defaults.model_dump(mode="python")
        changed = {k: v for k, v in data[section].items() if v != base.get(k)}
        if changed:
            _toml_table(lines, section, changed)
    for rule in data.get("import_rules", []):
        lines.append("\n[[import_rules]]")
        for k, v in rule.items():
            if v is not None:
                lines.append(f"{k} = {_toml_value(v)}")
    lines.append(
        "\n# role = { name = Beancount account ({code} = participant code), pcmn = code }"
    )
    lines.append("[accounts]")
    for role, spec in data["accounts"].items():
        lines.append(
            f"{role} = {{ name = {_toml_value(spec['name'])}, pcmn = {_toml_value(spec['pcmn'])}"
            f", label = {_toml_value(spec['label'])} }}"
        )
    text = "\n".join(lines) + "\n"
    parse_config(text)  # what we write must read back
    return text
