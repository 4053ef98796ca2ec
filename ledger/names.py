"""The name of the hub's settings file, apart from what reads it (:mod:`ledger.config`,
pydantic): the command line reads the hub's language from it before it imports the books,
so that ``coopledger --help`` and a usage error cost no more than click."""

from __future__ import annotations

HUB_FILE = "hub.toml"
