"""Commands: ``audit verify|export``: what an auditor checks."""

from __future__ import annotations

import argparse
from pathlib import Path

import click

from ledger.audit.export import export_audit
from ledger.audit.verify import Report, verify_books
from ledger.cli import NOUNS
from ledger.cli.support import Group, command, open_books, print_json, say
from ledger.errors import InputError
from ledger.i18n import N_, _
from ledger.progress import Progress


def _expectations(values: list[str] | None) -> dict[str, str]:
    out = {}
    for value in values or []:
        name, sep, digest = value.partition("=")
        if not sep or not name.startswith("close-") or not digest:
            raise InputError(_("--expect: give TAG=HASH, e.g. close-2025=1a2b3c4d"))
        out[name] = digest
    return out


def print_report(report: Report, as_json: bool) -> None:
    if as_json:
        print_json(report.as_json())
        return
    for finding in report.findings:
        say(finding.line())
    problems = [f for f in report.findings if not f.ok and not f.warning]
    if report.ok:
        say(_("verified: nothing sealed or issued has changed"))
    else:
        say(_("NOT verified: {count} problem(s)", count=len(problems)))


def cmd_verify(args: argparse.Namespace) -> int:
    books = open_books(args)
    with Progress(N_("verifying the books")):
        report = verify_books(
            books,
            expect=_expectations(args.expect),
            allowed_signers=Path(args.allowed_signers) if args.allowed_signers else None,
        )
    print_report(report, args.json)
    return 0 if report.ok else 1


def cmd_export_audit(args: argparse.Namespace) -> int:
    books = open_books(args)
    with Progress(_("exporting {tag}", tag=args.tag)):
        done = export_audit(books, args.tag, Path(args.out))
    if args.json:
        print_json(
            {"out": str(done.out), "tag": done.tag, "lines": done.lines, "entries": done.entries,
             "debit": str(done.debit), "credit": str(done.credit), "documents": done.documents}
        )  # fmt: skip
        return 0
    say(_("Export of {tag} written to {path}", tag=done.tag, path=str(done.out)))
    say(_("  {entries} entries, {lines} journal lines, {documents} documents",
          entries=done.entries, lines=done.lines, documents=done.documents))  # fmt: skip
    say(_("  debit {debit} EUR = credit {credit} EUR", debit=done.debit, credit=done.credit))
    say(_("Check it with: (cd {path} && sha256sum -c MANIFEST.sha256)", path=str(done.out)))
    return 0


# ---------------------------------------------------------------- the commands

group = Group("audit", help=NOUNS["audit"])

command(
    group, "verify", cmd_verify,
    click.option("--expect", multiple=True, metavar="TAG=HASH",
                 help=N_("a close tag's hash as you were given it (repeatable)")),
    click.option("--allowed-signers", metavar="FILE",
                 help=N_("the hub's allowed_signers as you were given it (default: the books' "
                 "own)")),
    help=N_("prove that nothing sealed or issued changed (hash chain, tags, history, documents)"),
)  # fmt: skip
command(
    group, "export", cmd_export_audit,
    click.option("--tag", required=True, metavar="close-YYYY",
                 help=N_("the close tag of the year to export, e.g. close-2025")),
    click.option("--out", required=True, metavar="DIR", help=N_("a new, empty folder")),
    help=N_("a closed year as committed at its close tag: journal, balances, documents"),
)  # fmt: skip
