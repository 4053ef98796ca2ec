"""The access point configured for the books, or ``None`` to work offline."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from invoicing.peppol.accesspoint import AccessPoint
from invoicing.peppol.credentials import find_credentials
from invoicing.peppol.einvoice_be import EInvoiceBe
from ledger.config import HubConfig

# provider name (``peppol.access_point`` in hub.toml) → adapter(api_key, base_url, timeout)
ADAPTERS: dict[str, Callable[[str, str | None, float], AccessPoint]] = {
    "e-invoice.be": EInvoiceBe,
}


def access_point(
    config: HubConfig, books_root: Path, env: Mapping[str, str] | None = None
) -> AccessPoint | None:
    """The adapter with its credentials, or ``None`` when there are none (offline)."""
    credentials = find_credentials(config, books_root, env)
    if credentials is None:
        return None
    settings = config.peppol
    return ADAPTERS[settings.access_point](
        credentials.api_key, settings.base_url, float(settings.timeout_seconds)
    )
