"""The outbox: a folder outside the books holding what is ready to send.

``peppol/<number>.xml|.pdf|.json``: e-invoices waiting to go over Peppol (no access point
configured yet, or not confirmed sent); removed once the access point says they left.
``pdf/<number>.pdf|.json``: invoices the hub must send itself, as a PDF (a private person,
a business not on Peppol). The ``.json`` says what, to whom and why. The folder is the
hub's: mode 0700, files 0600 (they carry clients' details).

Where: ``$COOPLEDGER_OUTBOX``, else ``peppol.outbox`` in hub.toml (``~`` expanded; a
relative path is taken from the folder that holds the books), else
``$XDG_DATA_HOME/coopledger/<hub id>/outbox``. Never inside the books.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ledger.books import atomic_write
from ledger.config import HubConfig
from ledger.errors import ConfigError
from ledger.i18n import _

ENV_OUTBOX = "COOPLEDGER_OUTBOX"
ROUTES = ("peppol", "pdf")


def outbox_dir(config: HubConfig, books_root: Path, env: Mapping[str, str] | None = None) -> Path:
    """The outbox folder of these books (not created)."""
    env = os.environ if env is None else env
    named = env.get(ENV_OUTBOX) or config.peppol.outbox
    if named:
        path = Path(named).expanduser()
        if not path.is_absolute():
            path = books_root.parent / path
    else:
        base = Path(env.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
        path = base / "coopledger" / config.id / "outbox"
    path = path.resolve()
    root = books_root.resolve()
    if path == root or root in path.parents:
        raise ConfigError(
            _(
                "peppol outbox {path}: inside the books; it must be a folder outside them "
                "(set peppol.outbox in hub.toml or $COOPLEDGER_OUTBOX)",
                path=path,
            )
        )
    return path


def put(outbox: Path, route: str, stem: str, files: Mapping[str, bytes], manifest: Any) -> Path:
    """Write one document's files (``{".xml": …, ".pdf": …}``) and its manifest."""
    folder = outbox / route
    for directory in (outbox, folder):
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            os.chmod(directory, 0o700)
    for suffix, payload in files.items():
        atomic_write(folder / f"{stem}{suffix}", payload, mode=0o600)
    text = json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n"
    atomic_write(folder / f"{stem}.json", text.encode("utf-8"), mode=0o600)
    return folder / f"{stem}.json"


def remove(outbox: Path, route: str, stem: str) -> None:
    """Take a document out of the outbox (it was sent)."""
    for suffix in (".xml", ".pdf", ".json"):
        with contextlib.suppress(FileNotFoundError):
            (outbox / route / f"{stem}{suffix}").unlink()


def waiting(outbox: Path, route: str = "peppol") -> list[dict[str, Any]]:
    """The manifests of what waits in the outbox for a route."""
    out = []
    for path in sorted((outbox / route).glob("*.json")):
        try:
            out.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return out
