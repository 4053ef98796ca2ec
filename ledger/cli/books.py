"""Commands: the books themselves: ``init``, ``check``, ``serve``."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import threading
from pathlib import Path

import click
from pydantic import ValidationError
from pyrage import x25519

from ledger import dates
from ledger.audit.verify import check_documents
from ledger.books import (
    Books,
    describe_changes,
    worktree_changes,
)
from ledger.cli.support import DATE, RATE, Group, command, open_books, print_json, say
from ledger.config import (
    BankAccount,
    ContributionSettings,
    HubConfig,
    HubIdentity,
    InvoicingSettings,
    format_validation_error,
)
from ledger.entries import parse_rate
from ledger.errors import InputError, KeyFileError
from ledger.i18n import N_, _, shown
from ledger.keys import (
    identity_text,
    new_identity,
    write_secret,
)
from ledger.layout import init_books, new_hub_id
from ledger.loader import format_error, pickle_caches
from ledger.outputs import inside


def split_address(text: str) -> tuple[str, str, str]:
    """``"Rue X 1, 1030 Schaerbeek"`` → street, postal code, city (as given otherwise)."""

    match = re.match(r"^\s*(.*?)[,\s]+(?:B-|BE-)?(\d{4})\s+(\S.*?)\s*$", text)
    if not match:
        return text.strip(), "", ""
    return match.group(1).strip(" ,"), match.group(2), match.group(3)


def cmd_init(args: argparse.Namespace) -> int:

    street, postal_code, city = split_address(args.address or "")
    postal_code = args.postal_code or postal_code
    city = args.city or city
    rate = parse_rate(args.contribution_rate, "--contribution-rate")
    try:
        config = HubConfig(
            id=new_hub_id(args.name),
            hub=HubIdentity(
                name=args.name,
                legal_form=args.legal_form,
                enterprise_number=args.enterprise_number,
                vat_regime=args.vat_regime,
                vat_number=args.vat_number,
                address=street,
                postal_code=postal_code,
                city=city,
                country=args.country,
                court_register=args.court_register,
                email=args.email,
                website=args.website,
            ),
            bank_accounts=[BankAccount(iban=args.iban, bic=args.bic)],
            contribution=ContributionSettings(rate=rate),
            invoicing=InvoicingSettings(default_lang=args.lang),
        )
    except ValidationError as exc:
        raise InputError(format_validation_error(exc, "init")) from None
    start = args.start or dt.date(dates.today().year, 1, 1)
    recovery_file = Path(args.recovery_key_file) if args.recovery_key_file else None
    recovery = new_recovery_key(Path(args.dir), recovery_file)
    config.roster.recipients = [str(recovery.to_public())]
    signing_key = Path(args.signing_key).expanduser() if args.signing_key else None
    books, key_file = init_books(Path(args.dir), config, start, signing_key=signing_key)
    say(_("Created the books of {name} in {root}", name=config.hub.name, root=str(books.root)))
    say(_("Hub key (decrypts the roster): {path}", path=str(key_file)))
    say(
        _(
            "The roster and the archived bank statements are encrypted to the hub key and to "
            "a recovery key. Back the hub key up away from the books, and keep the recovery "
            "key offline, apart from the books and from this machine (e.g. on paper in the "
            "board's safe): without a key the roster is lost; with a key and the books, "
            "anyone can tell who the participants are."
        )
    )
    if recovery_file is not None:
        write_secret(recovery_file, identity_text(recovery, "recovery key"), books.root)
        say(
            _(
                "Recovery key written to {path} (mode 0600): move it offline now.",
                path=str(recovery_file),
            )
        )
    else:
        say(_("RECOVERY KEY — shown once, stored nowhere; write it down now:"))
        print(str(recovery))
    say(_("Check them with: coopledger check --books {root}", root=str(books.root)))
    return 0


def new_recovery_key(root: Path, path: Path | None) -> x25519.Identity:
    """A recovery key for new books (checked to be writable outside them first)."""
    if path is not None:
        if inside(root, path):
            raise KeyFileError(
                _(
                    "{path}: the recovery key may not be written inside the books directory; "
                    "choose a path outside it",
                    path=str(path),
                )
            )
        if path.exists():
            raise KeyFileError(
                _("{path}: already exists; refusing to overwrite a key", path=str(path))
            )
    return new_identity()


class _Status:
    """The books' ``git status`` (``worktree_changes``), run in a thread from now on: the
    thread only waits for git, so the load goes on meanwhile (~20 ms of every check)."""

    def __init__(self, books: Books) -> None:
        self._changes: list[tuple[str, str]] = []
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if (books.root / ".git").exists():
            self._thread = threading.Thread(target=self._run, args=(books,))
            self._thread.start()

    def _run(self, books: Books) -> None:
        try:
            with books.locked_if_free() as mine:  # no write running: git keeps its stat cache
                self._changes = worktree_changes(books.root, refresh=mine)
        except BaseException as exc:  # raised in the command's own thread (changes)
            self._error = exc

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def changes(self) -> list[tuple[str, str]]:
        self.wait()
        if self._error is not None:
            raise self._error
        return self._changes


def cmd_check(args: argparse.Namespace) -> int:

    books = open_books(args)
    # git status is another process: it runs on another core while this one loads
    status = _Status(books)
    try:
        ledger = books.load(strict=False, full_history=args.all_years)
    except BaseException:
        status.wait()  # what the load raised is the error; git's answer is not wanted
        raise
    changes = status.changes()
    warnings = [
        _(
            "{path}: a beancount pickle cache sits in the books: bean-check would unpickle "
            "(run) it; delete it and use coopledger check",
            path=p.relative_to(books.root).as_posix(),
        )
        for p in pickle_caches(books.root)
    ]
    if changes:
        warnings.append(
            _(
                "uncommitted changes no coopledger command made: {changes} (commit them with "
                "--adopt-changes, or undo them)",
                changes=describe_changes(changes),
            )
        )
    errors = [
        {
            "filename": str(getattr(e, "source", {}).get("filename", "<load>")),
            "lineno": getattr(e, "source", {}).get("lineno", 0),
            "message": str(getattr(e, "message", e)),
            "where": format_error(e, books.root),
        }
        for e in ledger.errors
    ]
    # an issued document whose bytes are no longer those recorded at issue (QA 8/9/10 item 5)
    errors += [
        {"filename": f.where, "lineno": 0, "message": f.message, "where": f.message}
        for f in check_documents(books, ledger)
        if not f.ok
    ]
    if args.json:
        print_json(
            {
                "ok": not errors,
                "entries": len(ledger.entries),
                "errors": errors,
                "warnings": warnings,
            }
        )
    else:
        for warning in warnings:
            say(_("warning: {warning}", warning=warning), err=True)
        for error in errors:
            say(error["where"], err=True)
        if not errors:
            say(_("OK: {count} entries, no errors", count=len(ledger.entries)))
        else:
            say(_("{count} error(s)", count=len(errors)), err=True)
    return 0 if not errors else 1


def cmd_serve(args: argparse.Namespace) -> int:
    from ledger.fava.serve import serve

    books = open_books(args)
    serve(books, args.host, args.port, edit=args.edit, all_years=args.all_years)
    return 0


def cmd_compact(args: argparse.Namespace) -> int:
    from ledger.money.live import compact

    books = open_books(args)
    year, digest = compact(books)
    if args.json:
        print_json({"carried": year, "digest": digest})
    elif not args.quiet:
        print(
            shown(
                _(
                    "The live books now start from the close of {year}; the closed years "
                    "stay in history.beancount (tag carried-{year}).",
                    year=year,
                )
            )
        )
    return 0


# ---------------------------------------------------------------- the commands

group = Group("books", help=N_("the books themselves: create, check, browse"))

SERVE_OPTIONS = (
    click.option("--host", default="127.0.0.1", help=N_("address to bind (default: loopback)")),
    click.option("--port", type=int, default=5000, help=N_("port to listen on (default: 5000)")),
    click.option("--read-only", is_flag=True, help=N_("answer 401 to any change (the default)")),
    click.option(
        "--edit", is_flag=True,
        help=N_("let Fava edit the books, through coopledger's write path (checked, committed; "
        "closed years refused)"),
    ),
    click.option(
        "--all-years", is_flag=True,
        help=N_("serve the full history (history.beancount), the closed years included; "
                "read-only"),
    ),
)  # fmt: skip

command(
    group, "init", cmd_init,
    click.argument("dir"),
    click.option("--name", required=True, help=N_("the hub's legal name")),
    click.option("--enterprise-number", required=True,
                 help=N_("the hub's Belgian enterprise number (KBO/BCE)")),
    click.option("--iban", required=True, help=N_("the hub's bank account (IBAN)")),
    click.option("--bic", help=N_("the bank's BIC")),
    click.option("--address", help=N_('the seat, e.g. "Rue de l\'Exemple 1, 1030 Schaerbeek"')),
    click.option("--postal-code", help=N_("postal code of the seat")),
    click.option("--city", help=N_("city of the seat")),
    click.option("--country", default="BE", help=N_("ISO country code of the seat (default: BE)")),
    click.option("--legal-form", default="ASBL", help=N_("ASBL, VZW, AISBL…")),
    click.option("--court-register", default="RPM Bruxelles", help=N_("RPM/RPR and seat")),
    click.option("--email", help=N_("the hub's e-mail address, printed on invoices")),
    click.option("--website", help=N_("the hub's website, printed on invoices")),
    click.option("--vat-regime", type=click.Choice(["exempt", "franchise", "standard"]),
                 default="exempt", help=N_("the hub's VAT regime (default: exempt)")),
    click.option("--vat-number",
                 help=N_("VAT number with country prefix (franchise or standard regime)")),
    click.option("--contribution-rate", default="10", type=RATE, help=N_("percent")),
    click.option("--start", type=DATE, help=N_("date the accounts open (default: 1 January)")),
    click.option("--lang", type=click.Choice(["fr", "nl", "en"]), default="fr",
                 help=N_("the hub's language: its documents, Fava pages and messages "
                 "(default_lang in hub.toml; default: fr)")),
    click.option("--recovery-key-file", metavar="FILE",
                 help=N_("write the recovery key there (outside the books) instead of printing "
                 "it once")),
    click.option("--signing-key", metavar="SSH_KEY",
                 help=N_("sign every commit and close tag with this SSH key (git SSH signing)")),
    help=N_("create a hub's books in a new directory"), books=False,
)  # fmt: skip
command(
    group, "check", cmd_check,
    click.option("--all-years", is_flag=True,
                 help=N_("check the full history (every closed year) instead of the live books")),
    help=N_("load the books safely and report every error"),
)  # fmt: skip
command(group, "serve", cmd_serve, *SERVE_OPTIONS, help=N_("browse the books in Fava"))
command(
    group, "compact", cmd_compact,
    help=N_("take the closed years out of the live books (books closed before the live "
            "ledger)"),
)  # fmt: skip
