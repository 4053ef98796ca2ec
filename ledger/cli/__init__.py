"""The ``coopledger`` command (click): one grammar, ``coopledger NOUN VERB``.

Each noun is a module of this package, named as the noun, with a ``group`` (a
:class:`click.Group`) whose commands call a handler ``fn(args) -> int``; :data:`NOUNS`
lists them with their one line of help. A command imports only its own noun's module (and
``coopledger --help`` none: it reads :data:`NOUNS`), so a run pays for what it runs. Adding
a noun is adding a module and one line here (see ``docs/architecture.md``).

Every command that changes the books goes through ``Books.transaction``; every error a
user can cause is a :class:`CoopledgerError` printed on one line (``coopledger: error:
…``, exit 1). Usage errors are one line too (exit 2) and never repeat a value that was
typed where it did not belong: it may be a name or an IBAN.

The spellings of the previous release (``init``, ``check``, ``serve``, ``import``,
``bank-line show``, ``verify``, ``export audit``, ``backup``, ``restore``, ``close-year``,
``trial-balance``, ``demo DIR``, ``payout CODE AMOUNT``, ``reconcile --auto|--list|
--assign``) are still understood, for one release (:data:`OLD_SPELLINGS`).
"""

from __future__ import annotations

import importlib
import os
import re
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"

import click

from ledger.cli.grammar import GLOBAL_OPTIONS, Group, for_help, localised
from ledger.errors import CoopledgerError
from ledger.i18n import LANGS, N_, _, set_ui_lang, shown
from ledger.names import HUB_FILE

# The nouns, each with its one line of help (``coopledger --help`` lists them from here,
# without importing a noun's module; the noun's group takes its help from here too).
NOUNS: dict[str, str] = {
    "books": N_("the books themselves: create, check, browse"),
    "participant": N_("onboard, list, show and close participants"),
    "client": N_("the hub's clients (businesses and persons)"),
    "invoice": N_("issue, credit, pay, list, show, send, validate invoices"),
    "purchase": N_("supplier e-invoices: import, list, fetch"),
    "bank": N_("the hub's bank accounts and statements"),
    "reconcile": N_("settle bank lines against invoices, payouts, costs"),
    "expense": N_("book costs with their receipts"),
    "payout": N_("pay participants: by bank or in cash, export, list, cancel"),
    "cash": N_("the cash box: sales, withdrawals, deposits, counts"),
    "grant": N_("grants and gifts, and what they paid for"),
    "contribution": N_("the hub's contribution rule"),
    "year": N_("closing a year and its trial balance"),
    "report": N_("reports: trial balance, journals, annual accounts, VAT…"),
    "audit": N_("what an auditor checks: verify the books, export a year"),
    "backup": N_("encrypted backups of the whole history, and restore"),
    "key": N_("who can open the roster and the archived statements"),
    "demo": N_("a fictional hub that shows everything"),
}


def noun_group(noun: str) -> click.Group:
    """The group of ``noun``, its module (``ledger.cli.<noun>``) imported on first use."""
    if noun not in NOUNS:
        raise KeyError(noun)
    group: click.Group = importlib.import_module(f"ledger.cli.{noun}").group
    return group


# The previous release's spellings: a command that became NOUN VERB.
OLD_SPELLINGS: dict[str, tuple[str, ...]] = {
    "init": ("books", "init"),
    "check": ("books", "check"),
    "serve": ("books", "serve"),
    "import": ("bank", "import"),
    "verify": ("audit", "verify"),
    "restore": ("backup", "restore"),
    "close-year": ("year", "close"),
    "trial-balance": ("year", "trial-balance"),
}
# A noun whose first word is not one of its verbs takes this verb (``payout CODE AMOUNT``).
DEFAULT_VERBS = {"payout": "add", "backup": "create", "demo": "build"}
# ``reconcile --auto`` and friends: the flag became the verb.
RECONCILE_FLAGS = {"--auto": "auto", "--list": "list", "--assign": "assign"}


def modernise(args: list[str]) -> list[str]:
    """The arguments in today's grammar (the old spellings translated)."""
    if not args:
        return args
    head, rest = args[0], args[1:]
    if head in OLD_SPELLINGS:
        return [*OLD_SPELLINGS[head], *rest]
    if head == "bank-line" and rest[:1] == ["show"]:
        return ["bank", "show-line", *rest[1:]]
    if head == "export" and rest[:1] == ["audit"]:
        return ["audit", "export", *rest[1:]]
    if head == "reconcile":
        verbs = set(noun_group("reconcile").commands)
        if (rest[:1] and rest[0] in verbs) or any(w in ("--help", "-h") for w in rest[:1]):
            return args
        flags = [w for w in rest if w in RECONCILE_FLAGS]
        verb = RECONCILE_FLAGS[flags[0]] if flags else "review"
        others = [w for w in rest if w not in RECONCILE_FLAGS]
        return [head, verb, *others]
    if head in DEFAULT_VERBS:
        group = noun_group(head)
        if rest and rest[0] not in group.commands and rest[0] not in ("--help", "-h"):
            return [head, DEFAULT_VERBS[head], *rest]
    return args


class Coopledger(Group):
    """The root group: the nouns (each imported when it is invoked), the old spellings,
    and usage errors on one line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(NOUNS)  # as click lists a group's commands

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return noun_group(cmd_name) if cmd_name in NOUNS else None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # each noun's line of help from the table: the help page imports no noun
        with formatter.section(localised("Commands")):
            formatter.write_dl(
                [(name, for_help(NOUNS[name]).strip()) for name in self.list_commands(ctx)]
            )

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # the global options may come first: translate what follows them
        index = 0
        while index < len(args) and args[index].startswith("-"):
            index += 2 if args[index] == "--books" else 1
        return super().parse_args(ctx, [*args[:index], *modernise(args[index:])])


def _root(ctx: click.Context, **values: Any) -> None:
    """The global options, kept for the command (which may give them again)."""
    ctx.obj = {k: v for k, v in values.items() if v is not None}


_callback: Any = click.pass_context(_root)
for _option in reversed(GLOBAL_OPTIONS):
    _callback = _option(_callback)
cli = click.group(
    "coopledger",
    cls=Coopledger,
    help=N_(
        "Accounting and invoicing for a hub whose participants work under its legal "
        "entity, on a plain-text Beancount ledger."
    ),
    context_settings={"help_option_names": ["-h", "--help"]},
)(_callback)


def redact_usage(message: str) -> str:
    """Click repeats what was typed; a stray argument may be a name or an IBAN, so only
    option names are repeated. The usual usage errors are said in the user's language (a
    :class:`ledger.i18n.Message`; click's own text, English, otherwise)."""
    match = re.match(r"Got unexpected extra arguments? \((.*)\)", message, re.S)
    if match:
        words = match.group(1).split()
        options = " ".join(w.split("=", 1)[0] for w in words if w.startswith("-"))
        others = len(words) - len(options.split())
        if options and others:
            return _("unrecognized arguments: {options} and {count} value(s), not repeated",
                     options=options, count=others)  # fmt: skip
        if others:
            return _("unrecognized arguments: {count} value(s), not repeated", count=others)
        return _("unrecognized arguments: {options}", options=options)
    match = re.match(r"No such command '(.*)'\.", message)
    if match:
        return _("no such command (what was typed is not repeated)")
    # a choice or a number typed wrong: 'VALUE' is not one of … / is not a valid integer
    match = re.match(r"Invalid value for '([^']*)': '.*' (is not .*?)\.?$", message, re.S)
    if match:
        reason: str = match.group(2)
        for pattern, text in REASONS:
            found = re.fullmatch(pattern, reason, re.S)
            if found:
                reason = _(text, **found.groupdict())
        return _("Invalid value for '{option}': {reason} (what was typed is not repeated)",
                 option=match.group(1), reason=reason)  # fmt: skip
    # a number out of its range (click.IntRange: YEAR), the number repeated unquoted
    match = re.match(r"Invalid value for '([^']*)': \S+ is not in the range "
                     r"(\d+)<=x<=(\d+)\.?$", message, re.S)  # fmt: skip
    if match:
        reason = _("is not a year from {low} to {high}", low=match.group(2), high=match.group(3))
        return _("Invalid value for '{option}': {reason} (what was typed is not repeated)",
                 option=match.group(1), reason=reason)  # fmt: skip
    for pattern, text in SUGGESTIONS:  # click's "Did you mean …?" after the error
        match = re.search(pattern, message, re.S)
        if match:
            error = redact_usage(message[: match.start()])
            return _("{error}{suggestion}", error=error, suggestion=_(text, **match.groupdict()))
    for pattern, text in USAGE_ERRORS:
        match = re.fullmatch(pattern, message, re.S)
        if match:
            return _(text, **match.groupdict())
    return message


# click's usual usage errors (English: the process never sets click's gettext), and ours
USAGE_ERRORS = (
    (r"Missing option '(?P<option>[^']*)'\.", N_("Missing option '{option}'.")),
    (r"Missing argument '(?P<argument>[^']*)'\.", N_("Missing argument '{argument}'.")),
    (r"No such option '(?P<option>[^']*)'\.", N_("No such option '{option}'.")),
    (r"Option '(?P<option>[^']*)' requires an argument\.",
     N_("Option '{option}' requires an argument.")),
    (r"Missing command\.", N_("Missing command.")),
    (r"Invalid value for '(?P<option>[^']*)': (?P<reason>.*)",
     N_("Invalid value for '{option}': {reason}")),
)  # fmt: skip
REASONS = (  # why click refused a value (the value itself is not repeated)
    (r"is not one of (?P<choices>.*)", N_("is not one of {choices}")),
    (r"is not (?P<choice>'[^']*')", N_("is not {choice}")),
    (r"is not a valid integer", N_("is not a valid integer")),
    (r"is not a valid integer range", N_("is not a valid year")),
)
SUGGESTIONS = (
    (r" Did you mean (?P<other>[^ ]+)\?$", N_(" Did you mean {other}?")),
    (r" \(Did you mean one of: (?P<others>.*)\?\)$", N_(" (Did you mean one of: {others}?)")),
)


def language_of(args: Sequence[str]) -> str | None:
    """The language of this run's messages: the ``default_lang`` of the books the command
    names (``--books``, ``COOPLEDGER_BOOKS`` or the current directory), else the user's
    locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``) when it is French or Dutch.
    (``COOPLEDGER_LANG`` overrides both: :func:`ledger.i18n.set_ui_lang`.)"""
    books = os.environ.get("COOPLEDGER_BOOKS") or "."
    for index, word in enumerate(args):
        if word == "--books" and index + 1 < len(args):
            books = args[index + 1]
        elif word.startswith("--books="):
            books = word.split("=", 1)[1]
    try:
        data = tomllib.loads((Path(books) / HUB_FILE).read_text(encoding="utf-8"))
        lang = data.get("invoicing", {}).get("default_lang", "fr")
        if lang in LANGS:
            return str(lang)
    except (OSError, ValueError, AttributeError):
        pass  # no books here (yet): the user's locale decides
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")[:2]
        if value:
            return value if value in LANGS else None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    set_ui_lang(language_of(args))
    try:
        result = cli.main(args=args, prog_name="coopledger", standalone_mode=False)
        return int(result or 0)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc), err=True)
        return 2
    except click.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else "coopledger"
        message = redact_usage(exc.format_message())
        print(shown(_("coopledger: error: {message} (see '{where} --help')", message=message,
                      where=where)), file=sys.stderr)  # fmt: skip
        return 2
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.Abort:
        print(shown(_("coopledger: interrupted; the books are unchanged")), file=sys.stderr)
        return 130
    except CoopledgerError as exc:
        print(shown(_("coopledger: error: {message}", message=exc.message)), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(shown(_("coopledger: interrupted; the books are unchanged")), file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a file of the user's (not the books: their writes say so)
        from ledger.books import os_error_message

        print(shown(_("coopledger: error: {message}", message=os_error_message(exc))),
              file=sys.stderr)  # fmt: skip
        return 1


__all__ = ["NOUNS", "OLD_SPELLINGS", "cli", "main", "noun_group"]
