"""The access point's credentials: from the environment or a file outside the books.

Looked for, in order: ``$COOPLEDGER_PEPPOL_API_KEY``; the file named by
``$COOPLEDGER_PEPPOL_CREDENTIALS`` or ``peppol.credentials_file`` in hub.toml; the default
file ``$XDG_CONFIG_HOME/coopledger/peppol/<hub id>.toml`` when it exists. A file holds
``api_key = "…"`` (TOML) or just the key on its first line. It is refused inside the books
(it would be committed) and when anyone but its owner may read it. No credentials: the
commands work offline (documents wait in the outbox).
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ledger.config import HubConfig
from ledger.errors import ConfigError
from ledger.i18n import _

ENV_KEY = "COOPLEDGER_PEPPOL_API_KEY"
ENV_FILE = "COOPLEDGER_PEPPOL_CREDENTIALS"
MAX_FILE_BYTES = 16 * 1024


@dataclass(frozen=True)
class Credentials:
    """An API key and where it came from (the environment or a file's path)."""

    api_key: str
    source: str

    def __repr__(self) -> str:  # never print the key
        return f"Credentials(source={self.source!r})"


def default_path(config: HubConfig, env: Mapping[str, str]) -> Path:
    base = Path(env.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "coopledger" / "peppol" / f"{config.id}.toml"


def find_credentials(
    config: HubConfig, books_root: Path, env: Mapping[str, str] | None = None
) -> Credentials | None:
    """The credentials to use, or ``None`` (offline)."""
    env = os.environ if env is None else env
    key = (env.get(ENV_KEY) or "").strip()
    if key:
        return Credentials(_checked_key(key, ENV_KEY), ENV_KEY)
    named = env.get(ENV_FILE) or config.peppol.credentials_file
    if named:
        path = Path(named).expanduser()
        if not path.is_absolute():
            raise ConfigError(
                _(
                    "peppol credentials file {named!r}: give an absolute path (outside the books)",
                    named=named,
                )
            )
        return Credentials(read_key_file(path, books_root), str(path))
    path = default_path(config, env)
    if path.exists():
        return Credentials(read_key_file(path, books_root), str(path))
    return None


def read_key_file(path: Path, books_root: Path) -> str:
    """The key in ``path``, after checking the file is private and outside the books."""
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise ConfigError(_("peppol credentials file {path}: not found", path=path)) from None
    root = books_root.resolve()
    if resolved == root or root in resolved.parents:
        raise ConfigError(
            _(
                "peppol credentials file {path}: inside the books, where it would be committed "
                "to git; move it outside (e.g. ~/.config/coopledger/peppol/)",
                path=path,
            )
        )
    info = resolved.stat()
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(_("peppol credentials file {path}: not a regular file", path=path))
    if info.st_mode & 0o077:
        raise ConfigError(
            _(
                "peppol credentials file {path}: readable by others (mode "
                "{s_imode:o}); run: chmod 600 {path}",
                path=path,
                s_imode=stat.S_IMODE(info.st_mode),
            )
        )
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise ConfigError(_("peppol credentials file {path}: owned by another user", path=path))
    if info.st_size > MAX_FILE_BYTES:
        raise ConfigError(_("peppol credentials file {path}: too large for a key file", path=path))
    text = resolved.read_text(encoding="utf-8", errors="replace")
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        parsed = None
    if isinstance(parsed, dict) and "api_key" in parsed:
        key = str(parsed["api_key"])
    else:
        lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
        key = lines[0] if lines else ""
    return _checked_key(key.strip(), str(path))


def _checked_key(key: str, where: str) -> str:
    if not key:
        raise ConfigError(_("{where}: the API key is empty", where=where))
    if any(c.isspace() or ord(c) < 0x21 or ord(c) == 0x7F for c in key) or len(key) > 4096:
        raise ConfigError(
            _("{where}: the API key holds spaces or control characters", where=where)
        )
    return key
