"""Help that helps (issue 14): every option of every command says what it does, in the
hub's language, and ``reconcile`` lists the targets it accepts."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import click
from i18n_support import fields

from ledger.cli import cli, noun_group
from ledger.cli.support import CLICK_WORDS, Localised
from ledger.i18n import catalogue
from ledger.roster import DETAIL_FIELDS


def _commands(command: click.Command, path: str) -> Iterator[tuple[str, click.Command]]:
    yield path, command
    if isinstance(command, click.Group):  # the root loads a noun when it is asked for
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None, name
            yield from _commands(sub, f"{path} {name}")


def test_every_option_of_every_command_has_a_description() -> None:
    missing = [
        f"{path} {max(param.opts, key=len)}"
        for path, command in _commands(cli, "coopledger")
        for param in command.params
        if isinstance(param, click.Option) and not (param.help or "").strip()
    ]
    assert not missing, "options without a help text: " + ", ".join(missing)


def test_the_whole_command_tree_is_walked() -> None:
    paths = [path for path, _ in _commands(cli, "coopledger")]
    assert "coopledger reconcile assign" in paths
    assert "coopledger books serve" in paths
    assert len(paths) > 40


def _help_texts(command: click.Command) -> Iterator[str]:
    """Every text of a command's help page, as the code writes it (English)."""
    for text in (command.help, command.short_help):
        if text:
            yield inspect.cleandoc(text)
    for param in command.params:
        if getattr(param, "help", None):
            yield inspect.cleandoc(str(param.help))
    for paragraph in inspect.cleandoc(command.epilog or "").split("\n\n"):
        if paragraph.startswith("\b\n"):
            yield from (line.strip() for line in paragraph.splitlines()[1:] if line.strip())
        elif paragraph:
            yield paragraph


def test_every_help_text_is_translated_in_french_and_dutch() -> None:
    """Each command's, option's and argument's help (and click's own words of a help
    page) has its French and Dutch translation, with the same {fields}."""
    texts = {
        text for _path, command in _commands(cli, "coopledger") for text in _help_texts(command)
    }
    texts |= set(CLICK_WORDS)
    assert len(texts) > 200
    for lang in ("fr", "nl"):
        cat = catalogue(lang)
        missing = sorted(t for t in texts if (None, t) not in cat)
        assert missing == [], (
            f"{lang}: help texts without a translation (run python tests/i18n_support.py)"
        )
        wrong = sorted(t for t in texts if fields(cat[(None, t)]) != fields(t))
        assert wrong == [], f"{lang}: translations that lose or add a {{field}}"


def test_every_command_shows_its_help_in_the_users_language() -> None:
    plain = [path for path, command in _commands(cli, "coopledger")
             if not isinstance(command, Localised)]  # fmt: skip
    assert plain == [], "commands whose help click would show in English only"


def test_the_from_file_help_names_every_roster_field() -> None:
    add = noun_group("participant").commands["add"]
    [option] = [p for p in add.params if "--from-file" in getattr(p, "opts", ())]
    for name in ("alias", *DETAIL_FIELDS, "payee_iban", "payee_name"):
        assert f" {name}," in str(option.help) or f" {name};" in str(option.help), name
