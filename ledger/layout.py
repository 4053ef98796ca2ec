"""Creating a hub's books: a directory of its own, under git.

```
books/
  hub.toml                 identity and settings (validated on every command)
  main.beancount           options, allow-listed plugins, includes
  accounts.beancount       the chart of accounts, each with its PCMN code
  participants.beancount   open/close of each participant's accounts (codes only)
  <year>/<kind>.beancount  entries by year and kind (invoices, bank, payouts…)
  documents/               invoice PDFs and UBL, receipts, imported statements
  roster.age               code → person, each record under its own data key, with age
  roster-keys.age          the records' data keys, encrypted with age (never committed)
  .coopledger/             lock and journal (never committed)
```
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
from pathlib import Path

from beancount.core import data

from ledger.books import MAIN_FILE, Books, atomic_write, git, render_entries
from ledger.config import HubConfig, render_config
from ledger.errors import BooksError
from ledger.i18n import _, joined
from ledger.integrity.signing import configure_signing
from ledger.keys import create_key, key_path
from ledger.loader import FAVA_PAGES
from ledger.roster import OpenRoster, Roster, seal_roster, write_data_keys

PLUGINS = (
    "plugins.participants",
    "plugins.privacy",
    "plugins.invoices",
    "plugins.reconciliation",
    "plugins.money",
    "plugins.sealed",
)
# Accounts of the chart that are opened at init (participant roles are opened per code).
HUB_ROLES_EXCLUDED_PREFIX = "participant_"

BOOKS_GITIGNORE = """\
# coopledger: never commit the lock, the journal, caches, keys or any plaintext roster.
# The roster's data keys stay out of git so that a purge can destroy them for good.
.coopledger/
roster-keys.age
*.picklecache
.*.picklecache
*.tmp
*~
*.swp
*.key
roster.json
roster*.txt
roster*.csv
*.plain
"""


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:40].strip("-") or "hub"


def new_hub_id(name: str) -> str:
    return f"{slugify(name)}-{secrets.token_hex(3)}"


def render_main(config: HubConfig, start: dt.date) -> str:
    title = config.hub.name.replace('"', "'")
    lines = [
        f"; Books of {title}, kept by coopledger. Change them with coopledger commands:",
        "; every write is checked and committed to git. See hub.toml for the settings.",
        "",
        f'option "title" "{title}"',
        'option "operating_currency" "EUR"',
        'option "documents" "documents"',
        "",
        *(f'plugin "{name}"' for name in PLUGINS),
        "",
        *(f'{start.isoformat()} custom "fava-extension" "{page}"' for page in FAVA_PAGES),
        "",
        'include "accounts.beancount"',
        'include "participants.beancount"',
    ]
    return "\n".join(lines) + "\n"


def chart_entries(config: HubConfig, day: dt.date) -> list[data.Directive]:
    entries: list[data.Directive] = [
        data.Commodity(data.new_metadata("<coopledger>", 0, {"name": "Euro"}), day, "EUR")
    ]
    for index, bank in enumerate(config.bank_accounts):
        meta = {"role": "bank", "pcmn": bank.pcmn, "iban": bank.iban, "label": bank.label}
        if bank.bic:
            meta["bic"] = bank.bic
        entries.append(
            data.Open(
                data.new_metadata("<coopledger>", index, meta), day, bank.account, ["EUR"], None
            )
        )
    for index, (role, spec) in enumerate(config.accounts.items()):
        if role.startswith(HUB_ROLES_EXCLUDED_PREFIX):
            continue
        meta = {"role": role, "pcmn": spec.pcmn, "label": spec.label}
        entries.append(
            data.Open(
                data.new_metadata("<coopledger>", 100 + index, meta), day, spec.name, ["EUR"], None
            )
        )
    return entries


def init_books(
    root: Path, config: HubConfig, start: dt.date, signing_key: Path | None = None
) -> tuple[Books, Path]:
    """Create the books in ``root`` (absent or empty); returns them and the key's path.
    With ``signing_key``, every commit and close tag is SSH-signed
    (``ledger.integrity.signing``)."""
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise BooksError(
            _("{root}: not an empty directory; choose a new directory for the books", root=root)
        )
    key_file = key_path(config)
    recipient = create_key(key_file, books_root=root)
    if recipient not in config.roster.recipients:
        config.roster.recipients = [recipient, *config.roster.recipients]
    root.mkdir(parents=True, exist_ok=True)
    root = root.resolve()
    files = {
        "hub.toml": render_config(config),
        MAIN_FILE: render_main(config, start),
        "accounts.beancount": "; Chart of accounts (PCMN code in the pcmn metadata).\n\n"
        + render_entries(chart_entries(config, start)),
        "participants.beancount": "; Participants' accounts, by pseudonymous code only.\n\n",
        ".gitignore": BOOKS_GITIGNORE,
        "documents/.gitkeep": "",
    }
    for relpath, text in files.items():
        atomic_write(root / relpath, text.encode("utf-8"))
    roster, _keys = seal_roster(OpenRoster(Roster()), Roster(), config.roster.recipients)
    atomic_write(root / config.roster.file, roster)
    write_data_keys(root, config, {}, config.roster.recipients)
    git(root, "init", "-q", "-b", "main")
    signed = (
        [configure_signing(root, signing_key, f"{config.id}@coopledger")] if signing_key else []
    )
    git(root, "add", "--", *files, config.roster.file, *signed)
    git(root, "commit", "-q", "--no-verify", "-m", "init: create the hub's books")
    books = Books.open(root)
    ledger = books.load()
    if ledger.errors:
        raise BooksError(
            _(
                "the new books do not check: {errors}",
                errors=joined(books.error_lines(ledger), "; "),
            )
        )
    return books, key_file
