"""The user guides (``docs/guide/fr.md``, ``docs/guide/nl.md``) stay true: every
``console`` block is run, in order, on a fresh hub, and what it shows must be printed.

The guides' conventions (what this test reads):

* a fenced block tagged ``console``: lines ``$ coopledger …`` (``\\`` continues a line;
  ``$ cd DIR`` moves), each followed by lines of what it prints. A shown line must be
  printed, in that order (other lines may come between); ``…`` stands for any text, and a
  participant code (``P-7K3Q9X``) for the code the books gave, which later commands then
  use. ``[exit N]`` says the command ends with code N (0 otherwise).
* ``<!-- file: NAME -->`` just before a fenced block: the block is written to NAME, in the
  folder where the guide starts (the books are one level down, after ``cd``).
* the guides are written in 2026: ``2026`` stands for the current year and ``2027`` for
  the next one (commands use today's date).
* other blocks (``sh``, ``text``) are shown, not run (``serve`` runs until Ctrl-C).
* each guide runs in its language (``COOPLEDGER_LANG=fr`` for ``fr.md``, ``nl`` for
  ``nl.md``): what it shows is what coopledger prints in that language.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from tests_support import run_cli

from ledger.dates import today as calendar_today
from ledger.i18n import LANG_ENV

REPO = Path(__file__).resolve().parent.parent
GUIDES = [REPO / "docs" / "guide" / "fr.md", REPO / "docs" / "guide" / "nl.md"]
LANGS = {"fr.md": "fr", "nl.md": "nl"}
FENCE = re.compile(r"(?:<!-- file: (?P<file>\S+) -->\n)?```(?P<tag>\w*)\n(?P<body>.*?)```", re.S)
CODE = re.compile(r"P-[0-9A-Z]{6}")
YEARS = re.compile(r"\b202[67]")


def this_year(text: str) -> str:
    """The guide's text with its years (2026, 2027) made this year and the next."""
    year = calendar_today().year
    return YEARS.sub(lambda m: str(year + int(m[0]) - 2026), text)


def blocks(text: str) -> list[tuple[str, str, str]]:
    return [(m["tag"], m["file"] or "", m["body"]) for m in FENCE.finditer(text)]


def commands(body: str) -> list[tuple[str, list[str]]]:
    """(command line, shown lines) of a console block."""
    out: list[tuple[str, list[str]]] = []
    lines = iter(body.splitlines())
    for line in lines:
        if line.startswith("$ "):
            command = line[2:]
            while command.endswith("\\"):
                command = command[:-1] + next(lines).strip()
            out.append((command, []))
        elif out and line.strip():
            out[-1][1].append(line)
    return out


def pattern(shown: str) -> re.Pattern[str]:
    parts = re.split(r"(…|P-[0-9A-Z]{6})", " ".join(shown.split()))
    regex = "".join(
        ".*" if p == "…" else "(P-[0-9A-Z]{6})" if CODE.fullmatch(p) else re.escape(p)
        for p in parts
    )
    return re.compile(regex)


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_every_command_of_the_guide_runs_and_prints_what_it_shows(
    guide: Path, cli_env: dict[str, str], tmp_path: Path
) -> None:
    text = this_year(guide.read_text(encoding="utf-8"))
    cwd = start = tmp_path / "work"  # files of the guide are written in ``start``
    cwd.mkdir()
    env = dict(cli_env)
    env.pop("COOPLEDGER_BOOKS", None)
    env[LANG_ENV] = LANGS[guide.name]  # each guide shows coopledger speaking its language
    codes: dict[str, str] = {}  # the guide's code → the books'
    ran = 0
    for tag, name, body in blocks(text):
        if name:
            (start / name).write_text(body, encoding="utf-8")
            continue
        if tag != "console":
            continue
        for command, shown in commands(body):
            for mine, theirs in codes.items():
                command = command.replace(mine, theirs)
            argv = shlex.split(command)
            if argv[0] == "cd":
                cwd = cwd / argv[1]
                continue
            assert argv[0] == "coopledger", command
            exit_code = 0
            wanted = []
            for line in shown:
                found = re.fullmatch(r"\[exit (\d+)\]", line.strip())
                if found:
                    exit_code = int(found[1])
                else:
                    wanted.append(line)
            proc = run_cli(argv[1:], env=env, cwd=cwd)
            ran += 1
            printed = [" ".join(ln.split()) for ln in (proc.stdout + proc.stderr).splitlines()]
            assert "Traceback" not in proc.stderr, (command, proc.stderr)
            assert proc.returncode == exit_code, (command, proc.stdout, proc.stderr)
            at = 0
            for line in wanted:
                regex = pattern(line)
                while at < len(printed) and not regex.fullmatch(printed[at]):
                    at += 1
                assert at < len(printed), (guide.name, command, line, printed)
                match = regex.fullmatch(printed[at])
                assert match is not None
                for mine, theirs in zip(CODE.findall(line), match.groups(), strict=True):
                    codes.setdefault(mine, theirs)
                at += 1
    assert ran >= 8, f"{guide.name} runs only {ran} commands"
