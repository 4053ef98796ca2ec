"""Commands an auditor and the treasurer use to trust the books: verify, export, backup.

``coopledger verify``, ``coopledger export audit``, ``coopledger backup`` and
``coopledger restore`` (registered on the main parser by ``ledger.cli``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ledger.audit.backup import backup, restore
from ledger.audit.export import export_audit
from ledger.audit.verify import Report, verify_books
from ledger.cli.support import add_books_option, open_books, print_json
from ledger.errors import InputError
from ledger.integrity.signing import SIGNERS_FILE, configure_signing, public_key


def _expectations(values: list[str] | None) -> dict[str, str]:
    out = {}
    for value in values or []:
        name, sep, digest = value.partition("=")
        if not sep or not name.startswith("close-") or not digest:
            raise InputError(f"--expect {value!r}: give TAG=HASH, e.g. close-2025=1a2b3c4d")
        out[name] = digest
    return out


def print_report(report: Report, as_json: bool) -> None:
    if as_json:
        print_json(report.as_json())
        return
    for finding in report.findings:
        print(finding.line())
    problems = [f for f in report.findings if not f.ok and not f.warning]
    print("verified: nothing sealed or issued has changed" if report.ok else (
        f"NOT verified: {len(problems)} problem(s)"
    ))  # fmt: skip


def cmd_verify(args: argparse.Namespace) -> int:
    books = open_books(args)
    report = verify_books(
        books,
        expect=_expectations(args.expect),
        allowed_signers=Path(args.allowed_signers) if args.allowed_signers else None,
    )
    print_report(report, args.json)
    return 0 if report.ok else 1


def cmd_export_audit(args: argparse.Namespace) -> int:
    books = open_books(args)
    done = export_audit(books, args.tag, Path(args.out))
    if args.json:
        print_json(
            {"out": str(done.out), "tag": done.tag, "lines": done.lines, "entries": done.entries,
             "debit": str(done.debit), "credit": str(done.credit), "documents": done.documents}
        )  # fmt: skip
        return 0
    print(f"Export of {done.tag} written to {done.out}")
    print(f"  {done.entries} entries, {done.lines} journal lines, {done.documents} documents")
    print(f"  debit {done.debit} EUR = credit {done.credit} EUR")
    print(f"Check it with: (cd {done.out} && sha256sum -c MANIFEST.sha256)")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    books = open_books(args)
    done = backup(books, Path(args.to), [Path(p) for p in args.include or []])
    print(f"Backup written to {done.folder} (HEAD {done.head[:12]}, {len(done.tags)} close tags)")
    print("It is encrypted to the hub's recipients; the hub key is not in it. Copy the folder "
          "off-site (see docs/operations.md) and run a restore drill.")  # fmt: skip
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    key = Path(args.key).expanduser() if args.key else None
    extras = Path(args.extras_to) if args.extras_to else None
    done = restore(Path(args.backup), Path(args.dir), key_file=key, extras_to=extras)
    if args.signing_key:
        signing = Path(args.signing_key).expanduser()
        signers = (
            (done.books / SIGNERS_FILE).read_text() if (done.books / SIGNERS_FILE).exists() else ""
        )
        if public_key(signing) not in signers:
            raise InputError(f"--signing-key: that key is not in the books' {SIGNERS_FILE}")
        configure_signing(done.books, signing, "", write_signers=False)
    print(f"Restored {done.books} at {done.head[:12]}", file=sys.stderr)
    for extra in done.extras:
        print(f"Restored {extra}", file=sys.stderr)
    print_report(done.report, args.json)
    return 0 if done.report.ok else 1


def register(sub: Any) -> None:
    p = sub.add_parser(
        "verify",
        help="prove that nothing sealed or issued changed (hash chain, tags, history, documents)",
    )
    add_books_option(p)
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--expect",
        action="append",
        metavar="TAG=HASH",
        help="a close tag's hash as you were given it (repeatable)",
    )
    p.add_argument(
        "--allowed-signers",
        metavar="FILE",
        help="the hub's allowed_signers as you were given it (default: the books' own)",
    )
    p.set_defaults(func=cmd_verify)

    export = sub.add_parser("export", help="exports for the accountant and the auditor")
    esub = export.add_subparsers(dest="what", metavar="WHAT", required=True)
    p = esub.add_parser(
        "audit", help="a closed year as committed at its close tag: journal, balances, documents"
    )
    add_books_option(p)
    p.add_argument("--tag", required=True, metavar="close-YYYY")
    p.add_argument("--out", required=True, metavar="DIR", help="a new, empty folder")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_export_audit)

    p = sub.add_parser("backup", help="an encrypted backup of the whole history (never the key)")
    add_books_option(p)
    p.add_argument("--to", required=True, metavar="DIR", help="where the backup folder goes")
    p.add_argument(
        "--include",
        action="append",
        metavar="FILE",
        help="a file kept outside the books to back up too, encrypted (repeatable)",
    )
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="restore a backup into a new folder, then verify it")
    p.add_argument("backup", help="the backup folder (coopledger-<hub>-<time>)")
    p.add_argument("dir", help="a new folder for the books")
    p.add_argument("--key", metavar="FILE", help="the hub key (default: where init put it)")
    p.add_argument("--extras-to", metavar="DIR", help="where to put the files of --include")
    p.add_argument("--signing-key", metavar="SSH_KEY", help="sign new commits again with it")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_restore)
