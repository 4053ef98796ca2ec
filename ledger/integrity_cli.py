"""Commands an auditor and the treasurer use to trust the books: verify, export, backup.

``coopledger verify``, ``coopledger export audit``, ``coopledger backup`` and
``coopledger restore`` (registered on the main parser by ``ledger.cli``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ledger.cli_support import add_books_option, open_books, print_json
from ledger.errors import InputError
from ledger.verify import verify_books


def _expectations(values: list[str] | None) -> dict[str, str]:
    out = {}
    for value in values or []:
        name, sep, digest = value.partition("=")
        if not sep or not name.startswith("close-") or not digest:
            raise InputError(f"--expect {value!r}: give TAG=HASH, e.g. close-2025=1a2b3c4d")
        out[name] = digest
    return out


def cmd_verify(args: argparse.Namespace) -> int:
    books = open_books(args)
    report = verify_books(
        books,
        expect=_expectations(args.expect),
        allowed_signers=Path(args.allowed_signers) if args.allowed_signers else None,
    )
    if args.json:
        print_json(report.as_json())
    else:
        for finding in report.findings:
            print(finding.line())
        problems = [f for f in report.findings if not f.ok and not f.warning]
        print("verified: nothing sealed or issued has changed" if report.ok else (
            f"NOT verified: {len(problems)} problem(s)"
        ))  # fmt: skip
    return 0 if report.ok else 1


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
