"""Labels and number/date formats of invoices in French, Dutch and English."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from invoicing.totals import fmt_rate, money

LABELS: dict[str, dict[str, str]] = {
    "fr": {
        "invoice": "FACTURE",
        "credit-note": "NOTE DE CRÉDIT",
        "number": "Numéro",
        "date": "Date de facture",
        "credit_date": "Date",
        "due": "Échéance",
        "client": "Client",
        "client_id": "Réf. client",
        "enterprise": "N° d'entreprise",
        "vat_number": "N° TVA",
        "description": "Description",
        "quantity": "Quantité",
        "unit_price": "Prix unitaire HTVA",
        "rate": "TVA",
        "net": "Montant HTVA",
        "breakdown": "Récapitulatif TVA",
        "base": "Base imposable",
        "vat": "TVA",
        "total_net": "Total HTVA",
        "total_vat": "Total TVA",
        "total_gross": "Total TVAC",
        "to_pay": "Montant à payer",
        "to_credit": "Montant crédité",
        "payment": "Paiement",
        "payment_text": "Merci de virer le montant avant l'échéance sur le compte ci-dessous "
        "avec la communication structurée.",
        "iban": "IBAN",
        "bic": "BIC",
        "ogm": "Communication structurée",
        "qr": "Scannez avec votre application bancaire",
        "refers_to": "Note de crédit relative à la facture {number} du {date}",
        "reason": "Motif",
        "seat": "Siège",
        "legal_form": "Forme juridique",
        "issuer": "Document émis par {name}, qui est le fournisseur.",
    },
    "nl": {
        "invoice": "FACTUUR",
        "credit-note": "CREDITNOTA",
        "number": "Nummer",
        "date": "Factuurdatum",
        "credit_date": "Datum",
        "due": "Vervaldatum",
        "client": "Klant",
        "client_id": "Klantref.",
        "enterprise": "Ondernemingsnummer",
        "vat_number": "Btw-nummer",
        "description": "Omschrijving",
        "quantity": "Aantal",
        "unit_price": "Eenheidsprijs excl. btw",
        "rate": "Btw",
        "net": "Bedrag excl. btw",
        "breakdown": "Btw-overzicht",
        "base": "Maatstaf van heffing",
        "vat": "Btw",
        "total_net": "Totaal excl. btw",
        "total_vat": "Totaal btw",
        "total_gross": "Totaal incl. btw",
        "to_pay": "Te betalen bedrag",
        "to_credit": "Gecrediteerd bedrag",
        "payment": "Betaling",
        "payment_text": "Gelieve het bedrag vóór de vervaldatum over te schrijven op de "
        "onderstaande rekening met de gestructureerde mededeling.",
        "iban": "IBAN",
        "bic": "BIC",
        "ogm": "Gestructureerde mededeling",
        "qr": "Scan met uw bankapp",
        "refers_to": "Creditnota met betrekking tot factuur {number} van {date}",
        "reason": "Reden",
        "seat": "Zetel",
        "legal_form": "Rechtsvorm",
        "issuer": "Document uitgereikt door {name}, die de leverancier is.",
    },
    "en": {
        "invoice": "INVOICE",
        "credit-note": "CREDIT NOTE",
        "number": "Number",
        "date": "Invoice date",
        "credit_date": "Date",
        "due": "Due date",
        "client": "Client",
        "client_id": "Client ref.",
        "enterprise": "Enterprise number",
        "vat_number": "VAT number",
        "description": "Description",
        "quantity": "Quantity",
        "unit_price": "Unit price excl. VAT",
        "rate": "VAT",
        "net": "Amount excl. VAT",
        "breakdown": "VAT breakdown",
        "base": "Taxable amount",
        "vat": "VAT",
        "total_net": "Total excl. VAT",
        "total_vat": "Total VAT",
        "total_gross": "Total incl. VAT",
        "to_pay": "Amount due",
        "to_credit": "Amount credited",
        "payment": "Payment",
        "payment_text": "Please transfer the amount before the due date to the account below "
        "with the structured communication.",
        "iban": "IBAN",
        "bic": "BIC",
        "ogm": "Structured communication",
        "qr": "Scan with your banking app",
        "refers_to": "Credit note for invoice {number} of {date}",
        "reason": "Reason",
        "seat": "Registered office",
        "legal_form": "Legal form",
        "issuer": "Document issued by {name}, who is the supplier.",
    },
}


def label(lang: str, key: str, **fields: str) -> str:
    """A label in ``lang``, with ``{fields}`` filled in."""
    text = LABELS[lang][key]
    return text.format(**fields) if fields else text


def fmt_date(value: dt.date, lang: str) -> str:
    """``14/03/2026`` in French and Dutch, ``2026-03-14`` in English."""
    return value.isoformat() if lang == "en" else value.strftime("%d/%m/%Y")


def _group(digits: str, sep: str) -> str:
    out: list[str] = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return sep.join(out)


def fmt_amount(value: Decimal, lang: str, currency: str = "EUR", places: int = 2) -> str:
    """``1 234,56 €`` (fr), ``€ 1.234,56`` (nl), ``€1,234.56`` (en)."""
    q = money(value) if places == 2 else value
    sign = "-" if q < 0 else ""
    units, cents = f"{abs(q):.{places}f}".split(".")
    symbol = "€" if currency == "EUR" else currency
    if lang == "fr":
        return f"{sign}{_group(units, ' ')},{cents} {symbol}"
    if lang == "nl":
        return f"{symbol} {sign}{_group(units, '.')},{cents}"
    return f"{sign}{symbol}{_group(units, ',')}.{cents}"


def fmt_price(value: Decimal, lang: str, currency: str = "EUR") -> str:
    """A unit price: two decimals, or up to four when the price has them."""
    exponent = value.normalize().as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return fmt_amount(value, lang, currency, places=min(places, 4))


def fmt_number(value: Decimal, lang: str) -> str:
    """A quantity or price without trailing zeros, with the language's decimal mark."""
    text = format(value.normalize(), "f")
    return text if lang == "en" else text.replace(".", ",")


def fmt_percent(value: Decimal, lang: str) -> str:
    """``21 %`` or ``21%``."""
    text = fmt_rate(value)
    return f"{text}%" if lang == "en" else f"{text.replace('.', ',')} %"


def fmt_enterprise(number: str) -> str:
    """``0123.456.789`` for the 10-digit enterprise number."""
    return f"{number[:4]}.{number[4:7]}.{number[7:]}"


# The same register and legal forms have a French and a Dutch name; an invoice states them
# in its own language (the hub's legal languages in Brussels are French and Dutch).
_COURT_PREFIX = {"fr": ("RPR", "RPM"), "nl": ("RPM", "RPR")}
_COURT_CITY = {"fr": ("Brussel", "Bruxelles"), "nl": ("Bruxelles", "Brussel")}
_LEGAL_FORMS = {
    "fr": {"VZW": "ASBL", "IVZW": "AISBL"},
    "nl": {"ASBL": "VZW", "AISBL": "IVZW"},
}


def court_register(text: str, lang: str) -> str:
    """``RPM Bruxelles`` on a French invoice, ``RPR Brussel`` on a Dutch one (English keeps
    the configured text)."""
    words = text.split()
    if lang not in _COURT_PREFIX or not words:
        return text
    other, own = _COURT_PREFIX[lang]
    if words[0].upper() == other:
        words[0] = own
    city_other, city_own = _COURT_CITY[lang]
    return " ".join(city_own if w == city_other else w for w in words)


def legal_form(text: str, lang: str) -> str:
    """``ASBL`` on a French invoice, ``VZW`` on a Dutch one (English keeps the text)."""
    return _LEGAL_FORMS.get(lang, {}).get(text.strip().upper(), text)
