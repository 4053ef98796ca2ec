"""VAT rules that depend on the hub's regime: allowed rates, Peppol categories, mentions.

* ``standard``: rates 21, 12, 6 and 0 %; category S (or Z for 0 %).
* ``exempt`` (art. 44 of the VAT Code) and ``franchise`` (small enterprises, art. 56bis):
  no VAT at all; category E with the legal reason printed on every invoice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from ledger.config import HubConfig
from ledger.i18n import translate

Lang = Literal["fr", "nl", "en"]
LANGS: tuple[Lang, ...] = ("fr", "nl", "en")

STANDARD_RATES = (Decimal("21"), Decimal("12"), Decimal("6"), Decimal("0"))
ZERO = Decimal("0")

# Peppol exemption reason code for art. 44 (VAT directive art. 132).
EXEMPT_REASON_CODE = "VATEX-EU-132"

# The legal mentions, in every language of the catalogue (ledger/locale/*/coopledger.po).
FRANCHISE_TEXT: dict[str, str] = {
    lang: translate(lang, "Special exemption scheme for small enterprises", "vat")
    for lang in LANGS
}
# (in French the hub's own text is printed: ``hub.exemption_text``)
EXEMPT_TEXT: dict[str, str] = {
    lang: translate(lang, "Exempt from VAT – art. 44 of the Belgian VAT Code", "vat")
    for lang in ("nl", "en")
}
# VAT Code art. 77: mention on a credit note that gives VAT back.
CREDIT_VAT_TEXT: dict[str, str] = {
    lang: translate(
        lang, "VAT to be repaid to the State insofar as it was initially deducted", "vat"
    )
    for lang in LANGS
}


def allowed_rates(config: HubConfig) -> tuple[Decimal, ...]:
    """The VAT rates (percent) a line may carry under the hub's regime."""
    if config.hub.vat_regime == "standard":
        return STANDARD_RATES
    return (ZERO,)


def category(config: HubConfig, rate: Decimal) -> str:
    """The UNCL5305 VAT category code of a line: S, Z or E."""
    if config.hub.vat_regime != "standard":
        return "E"
    return "Z" if rate == 0 else "S"


def exemption_text(config: HubConfig, lang: str) -> str | None:
    """The legal reason for charging no VAT, in ``lang``; None when the hub charges VAT.

    In French the hub's own configured text is used (it may cite a precise paragraph of
    art. 44). The legal language of a Brussels issuer is French or Dutch, so an English
    invoice also carries the French text.
    """
    regime = config.hub.vat_regime
    if regime == "standard":
        return None
    if regime == "exempt":
        fr = config.hub.exemption_text
        if lang == "fr":
            return fr
        if lang == "nl":
            return EXEMPT_TEXT["nl"]
        return f"{EXEMPT_TEXT['en']} ({fr})"
    if lang == "en":
        return f"{FRANCHISE_TEXT['en']} ({FRANCHISE_TEXT['fr']})"
    return FRANCHISE_TEXT[lang]


def exemption_reason(config: HubConfig, lang: str) -> tuple[str | None, str | None]:
    """Peppol ``(TaxExemptionReasonCode, TaxExemptionReason)`` for category E."""
    regime = config.hub.vat_regime
    legal_lang = "nl" if lang == "nl" else "fr"
    if regime == "exempt":
        return EXEMPT_REASON_CODE, exemption_text(config, legal_lang)
    if regime == "franchise":
        return None, FRANCHISE_TEXT[legal_lang]
    return None, None
