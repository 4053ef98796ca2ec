"""The one grammar (``coopledger NOUN VERB``), the global options before the noun or after
the verb, the previous release's spellings, and usage errors on one line that never
repeat a stray value (it may be a name or an IBAN)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests_support import IBAN, run_cli

from ledger.cli import NOUNS, OLD_SPELLINGS, modernise, noun_group

NAME = "Maria Fictiva"


def test_every_noun_has_its_verbs() -> None:
    nouns = {name: sorted(noun_group(name).commands) for name in NOUNS}
    assert nouns["payout"] == ["add", "cancel", "export", "list"]
    assert nouns["reconcile"] == ["assign", "auto", "list", "review"]
    assert nouns["year"] == ["close", "plan", "trial-balance"]
    assert {"books", "participant", "invoice", "bank", "audit", "backup", "key"} <= set(nouns)


def test_each_noun_is_its_own_module_and_takes_its_help_from_nouns() -> None:
    """``ledger.cli.<noun>`` holds the group of ``noun``, whose help is its line of
    :data:`NOUNS` (the root's help page shows that line without importing the noun)."""
    for name, text in NOUNS.items():
        group = noun_group(name)
        assert (group.name, group.help) == (name, text)
    with pytest.raises(KeyError):
        noun_group("support")  # a module of the package that is not a noun


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (["init", "B"], ["books", "init", "B"]),
        (["check", "--json"], ["books", "check", "--json"]),
        (["import", "f.cod"], ["bank", "import", "f.cod"]),
        (["bank-line", "show", "R"], ["bank", "show-line", "R"]),
        (["export", "audit", "--tag", "close-2025"], ["audit", "export", "--tag", "close-2025"]),
        (["close-year", "2025"], ["year", "close", "2025"]),
        (["payout", "P-7K3Q9X", "10"], ["payout", "add", "P-7K3Q9X", "10"]),
        (["payout", "list"], ["payout", "list"]),
        (["reconcile", "--auto"], ["reconcile", "auto"]),
        (["reconcile", "--assign", "R", "T"], ["reconcile", "assign", "R", "T"]),
        (["reconcile"], ["reconcile", "review"]),
        (["backup", "--to", "D"], ["backup", "create", "--to", "D"]),
        (["demo", "D"], ["demo", "build", "D"]),
    ],
)
def test_the_previous_spellings_still_work(old: list[str], new: list[str]) -> None:
    assert modernise(old) == new
    assert set(OLD_SPELLINGS) >= {"init", "check", "import", "verify", "close-year"}


def test_global_options_before_the_noun_or_after_the_verb(books_dir: Path, cli_env) -> None:  # type: ignore[no-untyped-def]
    after = run_cli(["participant", "list", "--books", str(books_dir), "--json"], env=cli_env)
    before = run_cli(["--books", str(books_dir), "--json", "participant", "list"], env=cli_env)
    assert after.returncode == before.returncode == 0
    assert json.loads(after.stdout) == json.loads(before.stdout) == []
    quiet = run_cli(["--quiet", "books", "check", "--books", str(books_dir)], env=cli_env)
    assert quiet.returncode == 0 and quiet.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ["payout", "add", "P-7K3Q9X", "10", IBAN, NAME],
        ["participant", "list", NAME],
        [NAME],
        ["participant", "add", f"--alias={NAME}", "extra", IBAN],
    ],
)
def test_usage_errors_are_one_line_and_never_repeat_a_value(
    args: list[str], books_dir: Path, cli_env: dict[str, str]
) -> None:
    proc = run_cli([*args, "--books", str(books_dir)] if args[0] != NAME else args, env=cli_env)
    assert proc.returncode == 2
    assert proc.stderr.startswith("coopledger: error: ") and proc.stderr.count("\n") == 1
    assert NAME not in proc.stderr and "Maria" not in proc.stderr and IBAN not in proc.stderr
