"""The click pieces of ``coopledger NOUN VERB``: the global options, and the commands and
groups whose help is in the user's language (a handler ``fn(args) -> int`` made a command).

Light on purpose: the root command and its help page import this and no books
(:mod:`ledger.cli.support` adds opening the books and the value types of the options).
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import os
import re
from collections.abc import Callable
from typing import Any

import click

from ledger import progress
from ledger.i18n import N_, Message, _, shown, translate, ui_lang

GLOBAL_KEYS = ("books", "json", "quiet", "adopt_changes")
Handler = Callable[[argparse.Namespace], int]


GLOBAL_OPTIONS = (
    click.option(
        "--books", metavar="DIR", default=None,
        help=N_("the books directory (default: $COOPLEDGER_BOOKS, else the current directory)"),
    ),
    click.option("--json", "json", is_flag=True, default=None, help=N_("print JSON")),
    click.option("--quiet", "-q", is_flag=True, default=None, help=N_("print only errors")),
    click.option(
        "--adopt-changes", is_flag=True, default=None,
        help=N_("first commit a hand edit of the books, under its own message, once they check"),
    ),
)  # fmt: skip


# ---------------------------------------------------------------- help in the hub's language
#
# Every help text (a command's, an option's, an argument's) is English in the code, marked
# ``N_("…")`` so the catalogue holds it, and translated here, when click formats the help:
# the commands are :class:`Command` and :class:`Group` (both :class:`Localised`), whose help
# methods take each text through :func:`for_help`. Click's own words of a help page
# (:data:`CLICK_WORDS`) are in our catalogue too: click reads them with the gettext module,
# which needs compiled ``.mo`` files and the process's locale, so the methods that write
# them (public, documented click API) are overridden here instead.

CLICK_WORDS = (
    N_("Usage:"), N_("Options"), N_("Commands"), N_("Positional arguments"),
    N_("Show this message and exit."), N_("required"), N_("default: {default}"),
)  # fmt: skip


def localised(text: str | None) -> str:
    """``text`` (English, as the code has it) in the user's language."""
    if not text:
        return ""
    if isinstance(text, Message):
        return shown(text)
    lang = ui_lang()
    # a label indented on purpose ("  of which …") is in the catalogue as it is written
    exact = translate(lang, text)
    return exact if exact != text else translate(lang, inspect.cleandoc(text))


def for_help(text: str | None) -> str:
    """A help text in the user's language; in French, the space before ``: ; ? !`` does
    not break (click wraps help at spaces: a line never starts with a colon)."""
    shown_text = localised(text)
    if ui_lang() == "fr":
        shown_text = re.sub(r" ([:;?!»])", "\u00a0\\1", shown_text)
    return shown_text


def _help_record(param: click.Parameter, ctx: click.Context) -> tuple[str, str] | None:
    """An option's or argument's row of the help, its text in the user's language (what
    click adds after it, ``[required]`` or ``[default: …]``, too)."""
    record = param.get_help_record(ctx)
    if record is None:
        return None
    term, text = record
    english = inspect.cleandoc(param.help or "")
    if english and text.startswith(english):
        rest = text[len(english) :]
        rest = rest.replace("[required]", f"[{for_help('required')}]")
        rest = re.sub(r"default: (.*?)(?=[];])",
                      lambda m: for_help(_("default: {default}", default=m[1])), rest)  # fmt: skip
        text = for_help(english) + rest
    return term, text


class HelpFormatter(click.HelpFormatter):
    """Click's help formatter, its headings punctuated as the user's language writes them
    (French: ``Options :``, a non-breaking space before the colon)."""

    def write_heading(self, heading: str) -> None:
        colon = "\u00a0:" if ui_lang() == "fr" else ":"
        self.write(f"{'':>{self.current_indent}}{heading}{colon}\n")


class HelpContext(click.Context):
    """Click's context, formatting help with :class:`HelpFormatter`."""

    formatter_class = HelpFormatter


class Localised(click.Command):
    """A command whose help page is in the user's language."""

    context_class = HelpContext

    def get_short_help_str(self, limit: int = 45) -> str:
        return for_help(self.short_help or self.help).strip()

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), f"{for_help('Usage:')} ")

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        text = for_help(self.help).partition("\f")[0]
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text)

    def format_arguments(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        params = [p for p in self.get_params(ctx) if isinstance(p, click.Argument)]
        if any(p.help for p in params):
            with formatter.section(localised("Positional arguments")):
                formatter.write_dl([r for p in params if (r := _help_record(p, ctx))])

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # each paragraph is translated on its own; a list (click's ``\b``) line by line
        if self.epilog:
            paragraphs = inspect.cleandoc(self.epilog).split("\n\n")
            text = "\n\n".join(
                "\n".join(f"{ln[: len(ln) - len(ln.lstrip())]}{for_help(ln.strip())}"
                          for ln in p.splitlines()) if p.startswith("\b\n") else for_help(p)
                for p in paragraphs
            )  # fmt: skip
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [
            row
            for p in self.get_params(ctx)
            if not isinstance(p, click.Argument) and (row := _help_record(p, ctx))
        ]
        if rows:
            with formatter.section(localised("Options")):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)


class Command(Localised):
    """A verb: ``coopledger NOUN VERB``."""


class Group(Localised, click.Group):
    """A noun (and the root): its commands are :class:`Command`."""

    command_class = Command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        commands = [
            (name, cmd)
            for name in self.list_commands(ctx)
            if (cmd := self.get_command(ctx, name)) is not None and not cmd.hidden
        ]
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _cmd in commands)
            with formatter.section(localised("Commands")):
                formatter.write_dl(
                    [(name, cmd.get_short_help_str(limit)) for name, cmd in commands]
                )


def handler(run: Handler) -> Callable[..., int]:
    """A click callback calling ``run`` with the command's values and the global ones."""

    @click.pass_context
    def callback(ctx: click.Context, **values: Any) -> int:
        given = ctx.find_root().obj or {}
        for key in GLOBAL_KEYS:
            if values.get(key) is None:
                values[key] = given.get(key) or (False if key != "books" else None)
        values.setdefault("action", ctx.info_name)  # the verb, for handlers of several
        args = argparse.Namespace(**values)
        if args.quiet and not args.json:  # --quiet: nothing on stdout, errors still on stderr
            with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull), \
                    progress.silenced():  # fmt: skip
                return int(run(args) or 0)
        return int(run(args) or 0)

    callback.__name__ = run.__name__
    callback.__doc__ = run.__doc__
    return callback


def command(
    group: click.Group, name: str, run: Handler, *params: Callable[..., Any], help: str,
    books: bool = True, **settings: Any,
) -> click.Command:  # fmt: skip
    """Add ``name`` to ``group``: ``params`` (click.option/argument decorators, in order)
    and the global options when ``books``, calling the handler ``run``."""
    callback: Callable[..., Any] = handler(run)
    for param in reversed(params):
        callback = param(callback)
    for option in GLOBAL_OPTIONS if books else GLOBAL_OPTIONS[1:3]:  # --json, --quiet
        callback = option(callback)
    return group.command(name, cls=Command, help=help, short_help=help, **settings)(callback)
