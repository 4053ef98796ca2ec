"""Helpers shared by tests (importable from test modules: tests/ is on pythonpath)."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

ENTERPRISE = "0403170701"  # a valid-checksum enterprise number used only in tests
IBAN = "BE68539007547034"  # the textbook Belgian IBAN (valid, no real bank)


def tree_digest(root: Path) -> dict[str, str]:
    """sha256 of every file of the books (git internals and the lock state excluded)."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith((".git/", ".coopledger/")):
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def git_state(root: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(root), "log", "--format=%H"], capture_output=True, text=True, check=True
    ).stdout
