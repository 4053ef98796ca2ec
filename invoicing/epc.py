"""EPC QR code ("SEPA credit transfer" QR, EPC069-12 version 002) for banking apps."""

from __future__ import annotations

from decimal import Decimal

import segno

from invoicing.ogm import format_ogm
from ledger.config import HubConfig

MAX_PAYLOAD = 331


def epc_payload(config: HubConfig, amount: Decimal, ogm: str) -> str:
    """The EPC QR text: the hub as beneficiary, the amount and the structured communication.

    Banking apps differ in how they read an OGM; ``invoicing.epc_qr_ogm_as`` chooses the
    unstructured text line (``+++123/4567/89012+++``, the common choice) or the reference
    line (the 12 digits).
    """
    bank = config.main_bank
    name = config.hub.name.replace("\n", " ").strip()[:70]
    if not (Decimal("0.01") <= amount <= Decimal("999999999.99")):
        raise ValueError(f"amount {amount} cannot be paid with an EPC QR code")
    as_text = config.invoicing.epc_qr_ogm_as == "text"
    fields = [
        "BCD",
        "002",
        "1",  # UTF-8
        "SCT",
        bank.bic or "",
        name,
        bank.iban,
        f"EUR{amount:.2f}",
        "",  # purpose
        "" if as_text else ogm,
        format_ogm(ogm) if as_text else "",
    ]
    payload = "\n".join(fields).rstrip("\n")
    if len(payload.encode("utf-8")) > MAX_PAYLOAD:
        raise ValueError("EPC QR payload too long")
    return payload


def epc_qr(config: HubConfig, amount: Decimal, ogm: str) -> segno.QRCode:
    """The QR code (error correction M, version ≤ 13 as EPC069-12 requires)."""
    data = epc_payload(config, amount, ogm).encode("utf-8")
    qr = segno.make_qr(data, error="m", boost_error=False)
    if not isinstance(qr.version, int) or qr.version > 13:
        raise ValueError("EPC QR code needs a version above 13")
    return qr
