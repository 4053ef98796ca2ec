"""The import through the books' one write path (used by the CLI and the demo).

The settings of an import are made in one place, :func:`import_settings` (``hub.toml``, the
clients, the roster's guard — refused without the hub key); beangulp's importers take the
same (:func:`importers.ingest.settings_from_books`).

One call is one ``Books.transaction``: every file is read and checked, the plan is made
against the books as they are under the lock, and then the bank entries, the entries
reconciliation books on top of them (:func:`ledger.money.reconcile.reconcile_new_entries`) and
the encrypted archive of each file are written together — or, if anything fails, nothing
is (the write path also reloads the books and rolls back if a check fails there).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from beancount.core import data

from importers.encrypted import encrypt_for
from importers.minimise import KnownParties
from importers.service import BankFile, ImportPlan, plan_import
from importers.settings import ImportSettings
from invoicing.clients import CLIENTS_FILE, parse_clients
from ledger.books import Books
from ledger.errors import RosterError
from ledger.i18n import _
from ledger.keys import has_key, key_path
from ledger.money.reconcile.booking import reconcile_with_archives
from ledger.privacy.guard import TextGuard

BANK_KIND = "bank"
RECONCILE_KIND = "payments"


@dataclass
class ImportResult:
    """What one call added (or, in a dry run, would add)."""

    plan: ImportPlan
    reconciled: list[data.Directive] = field(default_factory=list)
    dry_run: bool = False

    @property
    def settled(self) -> int:
        """Movements left for review at import that reconciliation settled at once."""
        links = {
            lk
            for e in self.reconciled
            if isinstance(e, data.Transaction) and e.meta.get("kind") == "settlement"
            for lk in e.links or ()
        }
        return len(links & self.plan.review_links)

    def summary(self) -> dict[str, Any]:
        out = self.plan.summary()
        out["matched"] = self.plan.matched + self.settled
        out["to_review"] = self.plan.to_review - self.settled
        out["reconciled"] = len(self.reconciled)
        out["dry_run"] = self.dry_run
        return out


def _reconcile(
    books: Books, entries: Sequence[data.Directive], plan: ImportPlan
) -> list[data.Directive]:
    """What reconciliation books on top of the new bank entries (nothing if none), with
    what the bank wrote in memory: this import's files, and the archived ones."""
    if not plan.entries:
        return []
    return reconcile_with_archives(books, list(entries), plan.entries, plan.originals)


def import_settings(books: Books, clients: bytes | None) -> ImportSettings:
    """The hub's settings, with whose names the books may keep (its clients) and the
    roster's values (which they never keep) when the key is at hand."""
    settings = ImportSettings.from_config(books.config)
    if not has_key(books.config):
        # Without the roster a participant's name shaped like a code or a business, or
        # her IBAN where a client's is expected, cannot be recognised, and the books (and
        # their git history) keep what an import writes: refused rather than guessed.
        raise RosterError(
            _("a bank import needs the hub key (none at {path}): what the bank wrote is "
              "checked against the roster before anything enters the books, so that no "
              "participant's name or account is kept; give the key with "
              "COOPLEDGER_KEY_FILE", path=key_path(books.config))
        )  # fmt: skip
    known = KnownParties.of(
        client_names=[c.name for c in parse_clients(clients).values()],
        ibans=settings.known.ibans,
        guard=TextGuard.for_books(books),  # each roster value, and each word of a name
    )
    return replace(settings, known=known)


def books_import_settings(books: Books) -> ImportSettings:
    """:func:`import_settings` with the clients as the books hold them on disk (a dry run,
    and beangulp's importers: :func:`importers.ingest.settings_from_books`)."""
    clients = books.root / CLIENTS_FILE
    return import_settings(books, clients.read_bytes() if clients.exists() else None)


def import_files(
    books: Books, files: Sequence[BankFile], account: str | None = None, dry_run: bool = False
) -> ImportResult:
    """Import ``files`` into ``books`` (all or nothing); with ``dry_run``, write nothing."""
    if dry_run:
        settings = books_import_settings(books)
        entries = books.load().entries
        plan = plan_import(files, entries, settings, account)
        return ImportResult(plan, _reconcile(books, entries, plan), dry_run=True)
    with books.transaction("import: bank statements") as tx:
        settings = import_settings(books, tx.read_file(CLIENTS_FILE))
        entries = tx.ledger.entries
        plan = plan_import(files, entries, settings, account, archive=True)
        result = ImportResult(plan, _reconcile(books, entries, plan))
        if plan.entries:
            tx.add_entries(plan.entries, kind=BANK_KIND)
            if result.reconciled:
                tx.add_entries(result.reconciled, kind=RECONCILE_KIND)
            for report, file in zip(plan.files, files, strict=True):
                for path in report.archives.values():  # under each account it holds
                    tx.write_file(path, encrypt_for(settings.recipients, file.data))
            imported = [f for f in plan.files if f.skipped is None]
            tx.message = (
                f"import: {plan.statements} statement(s), {plan.movements} movement(s) "
                f"from {len(imported)} file(s)"
            )
    return result
