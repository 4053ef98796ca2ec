"""Peppol participant and document identifiers (``docs/peppol.md`` §2).

A participant id is ``SCHEME:VALUE`` under ``iso6523-actorid-upis``; values compare
without case. Belgian businesses are found on ``0208:<enterprise number>`` and sometimes
only on ``9925:<VAT number>``, so a lookup tries both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ledger.config import HubConfig

SCHEME_PREFIX = "iso6523-actorid-upis::"
ID_RE = re.compile(r"^(\d{4}):([A-Za-z0-9][A-Za-z0-9.\-_]{0,49})$")
BIS_BILLING_PROCESS = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
DOCUMENT_TYPES = {
    "invoice": (
        "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##"
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1"
    ),
    "credit-note": (
        "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote##"
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1"
    ),
}


@dataclass(frozen=True, order=True)
class PeppolId:
    """A participant identifier: ICD scheme (4 digits) and value."""

    scheme: str
    value: str

    @classmethod
    def parse(cls, text: str) -> PeppolId:
        """``0208:0123456789`` (the ``iso6523-actorid-upis::`` prefix is optional)."""
        raw = text.strip().removeprefix(SCHEME_PREFIX)
        match = ID_RE.match(raw)
        if not match:
            raise ValueError(f"not a Peppol participant id (SCHEME:ID): {text[:60]!r}")
        return cls(match.group(1), match.group(2))

    @property
    def key(self) -> str:
        """The form used to compare ids (values are case-insensitive)."""
        return f"{self.scheme}:{self.value.lower()}"

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"


def hub_ids(config: HubConfig) -> list[PeppolId]:
    """Every id the hub receives on: its enterprise number (0208), its VAT number (9925)
    and the ``peppol.receiver_ids`` of hub.toml."""
    hub = config.hub
    out = [PeppolId("0208", hub.enterprise_number)]
    if hub.vat_number:
        out.append(PeppolId("9925", hub.vat_number))
    out += [PeppolId.parse(pid) for pid in config.peppol.receiver_ids]
    return out


def hub_sender_id(config: HubConfig) -> PeppolId:
    """The id the hub sends from: the EndpointID of its UBL (0208, enterprise number)."""
    return PeppolId("0208", config.hub.enterprise_number)


def candidates_for(endpoint: PeppolId, vat_number: str | None) -> list[PeppolId]:
    """Ids to look a Belgian client up on, in order: its endpoint, then the other Belgian
    scheme (0208 ↔ 9925) when it can be derived."""
    out = [endpoint]
    if endpoint.scheme == "0208":
        out.append(PeppolId("9925", f"BE{endpoint.value}"))
    elif endpoint.scheme == "9925" and endpoint.value.upper().startswith("BE"):
        out.append(PeppolId("0208", endpoint.value[2:]))
    if vat_number and vat_number.startswith("BE"):
        out.append(PeppolId("9925", vat_number))
    seen: set[str] = set()
    unique = []
    for pid in out:
        if pid.key not in seen:
            seen.add(pid.key)
            unique.append(pid)
    return unique
