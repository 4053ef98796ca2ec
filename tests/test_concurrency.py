"""Concurrent writers: the lock serialises them and nothing is lost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_eight_concurrent_participant_adds(cli, books_dir: Path) -> None:  # type: ignore[no-untyped-def]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ledger.cli",
                "participant",
                "add",
                "--books",
                str(books_dir),
                "--from-file",
                "-",
                "--date",
                "2026-02-01",
            ],
            env=cli.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(8)
    ]
    codes = []
    for i, proc in enumerate(procs):
        out, err = proc.communicate(f'alias = "Fictive Concurrent {i} (test)"', timeout=300)
        assert proc.returncode == 0, err
        codes.append(out.splitlines()[-1])
    assert len(set(codes)) == 8
    listed = json.loads(cli("participant", "list", "--books", str(books_dir), "--json").stdout)
    assert sorted(p["code"] for p in listed) == sorted(codes)
    cli("check", "--books", str(books_dir))
    log = subprocess.run(["git", "-C", str(books_dir), "log", "--format=%s"],
                         capture_output=True, text=True, check=True).stdout.splitlines()  # fmt: skip
    assert len([m for m in log if m.startswith("participant: open")]) == 8
    # The roster holds all eight, decryptable with the hub key.
    for code in codes:
        shown = json.loads(
            cli("participant", "show", code, "--books", str(books_dir), "--json").stdout
        )
        assert shown["alias"].startswith("Fictive Concurrent")
