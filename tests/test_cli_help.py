"""Help that helps (issue 14): every option of every command says what it does, and
``reconcile`` lists the targets it accepts."""

from __future__ import annotations

from collections.abc import Iterator

import click

from ledger.cli import cli


def _commands(command: click.Command, path: str) -> Iterator[tuple[str, click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
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
