"""No identity ever leaves the roster.

Participants are onboarded with fictional aliases, then every command is run. None of the
alias strings may appear anywhere in the books tree, the whole git history, or any
command's output — except ``participant show`` run with the hub key, whose job is to say
who a code is.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

ALIASES = ["Fictive Sierra Tango (test)", "Fictive Uniform Victor (test)", "Whiskey-Xray Fictive"]


def scan_tree(root: Path, needles: list[str]) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file() and ".git" not in path.relative_to(root).parts:
            data = path.read_bytes()
            hits += [
                f"{path}: {n}"
                for n in needles
                if n.encode() in data or n.lower().encode() in data.lower()
            ]
    return hits


def test_aliases_never_leave_the_roster(cli, books_dir: Path) -> None:  # type: ignore[no-untyped-def]
    b = ("--books", str(books_dir))
    outputs: list[str] = []

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = cli(*args, *b, check=check)
        outputs.append(proc.stdout + proc.stderr)
        return proc

    codes = [
        run(
            "participant",
            "add",
            "--alias",
            alias,
            "--activity",
            "catering",
            "--date",
            "2026-02-01",
        ).stdout.splitlines()[-1]
        for alias in ALIASES
    ]
    run("participant", "list")
    run("participant", "list", "--json")
    for code in codes:
        run("participant", "show", code, "--pseudonymous")
        run("participant", "show", code, "--pseudonymous", "--json")
    run("participant", "close", codes[2], "--date", "2026-03-01")
    run("participant", "close", codes[2], check=False)  # an error path
    run("participant", "show", "P-000000", check=False)
    run(
        "participant",
        "add",
        "--activity",
        ALIASES[0] + " catering",
        "--alias",
        ALIASES[0],
        check=False,
    )
    run("check")
    run("check", "--json")

    # participant show with the key does reveal the alias: that is its purpose.
    revealed = json.loads(cli("participant", "show", codes[0], *b, "--json").stdout)
    assert revealed["alias"] == ALIASES[0]

    assert scan_tree(books_dir, ALIASES) == []
    history = subprocess.run(
        ["git", "-C", str(books_dir), "log", "-p", "--all", "--format=%an %ae %s %b"],
        capture_output=True, text=True, errors="replace", check=True,
    ).stdout  # fmt: skip
    assert len(history) > 1000
    for alias in ALIASES:
        assert alias.lower() not in history.lower()
        for output in outputs:
            assert alias.lower() not in output.lower(), output
