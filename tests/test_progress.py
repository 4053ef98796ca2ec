"""Progress of long work on stderr: shown on a terminal, silent when stderr is not one
and under --quiet, never on stdout."""

from __future__ import annotations

import io
from pathlib import Path

from ledger import progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_and_silent_elsewhere(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("COOPLEDGER_PROGRESS", raising=False)
    screen, pipe = Terminal(), io.StringIO()
    with progress.Progress("demo", 2, stream=screen) as shown:
        shown.step("invoicing")
        shown.step("bank")
    assert "\rdemo: 1/2 invoicing" in screen.getvalue()
    assert "\rdemo: 2/2 bank" in screen.getvalue() and "demo: done in" in screen.getvalue()
    assert screen.getvalue().endswith("\n")
    with progress.Progress("demo", 2, stream=pipe) as hidden:
        hidden.step("invoicing")
    assert pipe.getvalue() == ""
    screen = Terminal()
    with progress.silenced(), progress.Progress("demo", 1, stream=screen) as q:
        q.step("x")
    assert screen.getvalue() == ""


def test_progress_of_a_command_on_stderr_only_and_quiet_silences_it(  # type: ignore[no-untyped-def]
    cli, books_dir: Path, tmp_path: Path
) -> None:
    b = ("--books", str(books_dir))
    code = cli("participant", "add", *b, "--from-file", "-", "--activity", "couture",
               input='alias = "Fictive Lima (test)"').stdout.splitlines()[-1]  # fmt: skip
    out = tmp_path / "st.pdf"
    plain = cli("participant", "statement", code, *b, "--out", str(out))
    assert plain.stderr == ""  # not a terminal: silent
    env = dict(cli.env, COOPLEDGER_PROGRESS="1")
    shown = cli("participant", "statement", code, *b, "--out", str(out), env=env)
    assert "statement: done in" in shown.stderr and shown.stdout == plain.stdout
    quiet = cli("participant", "statement", code, *b, "--out", str(out), "--quiet", env=env)
    assert quiet.stderr == "" and quiet.stdout == ""
