"""The roster is encrypted at rest, record by record, readable only with a listed key."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pyrage
import pytest
from pyrage import x25519

from ledger.books import Books
from ledger.codes import ALPHABET, is_code, new_code
from ledger.errors import KeyFileError, RosterError
from ledger.keys import load_identities
from ledger.participants import add_participant
from ledger.roster import (
    OpenRoster,
    Roster,
    RosterEntry,
    open_roster,
    read_roster,
    seal_roster,
    write_data_keys,
)


def add(cli, books_dir: Path, alias: str, *extra: str) -> str:  # type: ignore[no-untyped-def]
    proc = cli("participant", "add", "--books", str(books_dir), "--from-file", "-", *extra,
               input=f'alias = "{alias}"\n')  # fmt: skip
    return str(proc.stdout.splitlines()[-1])


def test_codes_are_random_unique_and_valid_account_components() -> None:
    taken: set[str] = set()
    for _ in range(100_000):
        taken.add(new_code(taken))
    assert len(taken) == 100_000
    assert all(is_code(c) for c in taken)
    # Every character of the alphabet shows up in every position, about equally often.
    for position in range(2, 8):
        counts = {ch: 0 for ch in ALPHABET}
        for code in taken:
            counts[code[position]] += 1
        expected = 100_000 / len(ALPHABET)
        assert all(0.85 * expected < n < 1.15 * expected for n in counts.values())


def test_same_alias_twice_gives_different_codes(cli, books_dir: Path) -> None:  # type: ignore[no-untyped-def]
    assert add(cli, books_dir, "Fictive Mike (test)") != add(cli, books_dir, "Fictive Mike (test)")


def test_ciphertext_holds_no_roster_string(cli_env, books_dir: Path) -> None:  # type: ignore[no-untyped-def]
    books = Books.open(books_dir)
    roster = Roster(participants={
        "P-ABCDEF": RosterEntry(code="P-ABCDEF", alias="Fictive November (test)",
                                details={"phone": "+32 000 00 00 00"}, added=dt.date(2026, 1, 1))
    })  # fmt: skip
    blob, keys = seal_roster(OpenRoster(Roster()), roster, books.config.roster.recipients)
    assert b"Fictive" not in blob and b"+32" not in blob and b"P-ABCDEF" not in blob
    # The hub key alone opens the roster's envelope, not the record: that takes its data key.
    identities = load_identities(books.config)
    envelope = pyrage.decrypt(blob, identities)
    assert b"P-ABCDEF" in envelope and b"Fictive" not in envelope
    opened = OpenRoster(Roster(), keys={code: [k] for code, k in keys.items()})
    write_data_keys(books.root, books.config, opened.keys, books.config.roster.recipients)
    assert open_roster(books.root, books.config, blob).roster == roster


def test_wrong_key_cannot_read_the_roster(
    cli, books_dir: Path, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    add(cli, books_dir, "Fictive Oscar (test)")
    books = Books.open(books_dir)
    blob = (books_dir / "roster.age").read_bytes()
    other = tmp_path / "other.key"
    other.write_text(str(x25519.Identity.generate()) + "\n")
    other.chmod(0o600)
    monkeypatch.setenv("COOPLEDGER_KEY_FILE", str(other))
    with pytest.raises(RosterError, match="cannot be decrypted"):
        open_roster(books.root, books.config, blob)
    monkeypatch.setenv("COOPLEDGER_KEY_FILE", str(tmp_path / "missing.key"))
    with pytest.raises(RosterError, match="no hub key"):
        open_roster(books.root, books.config, blob)


def test_the_recovery_key_alone_opens_the_roster(cli, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "books"
    recovery = tmp_path / "offline" / "recovery.key"
    cli("init", str(root), "--name", "Hub Test ASBL", "--enterprise-number", "0403170701",
        "--iban", "BE68539007547034", "--recovery-key-file", str(recovery))  # fmt: skip
    assert recovery.stat().st_mode & 0o077 == 0
    add(cli, root, "Fictive Oscar (test)")
    books = Books.open(root)
    assert len(books.config.roster.recipients) == 2
    monkeypatch.setenv("COOPLEDGER_KEY_FILE", str(recovery))
    (entry,) = read_roster(books).participants.values()
    assert entry.alias == "Fictive Oscar (test)"


def test_init_prints_the_recovery_key_once_when_no_file_is_given(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = cli("init", str(tmp_path / "b"), "--name", "Hub Test ASBL", "--enterprise-number",
              "0403170701", "--iban", "BE68539007547034").stdout  # fmt: skip
    secret = [line for line in out.splitlines() if line.startswith("AGE-SECRET-KEY-")]
    assert len(secret) == 1
    assert not any(secret[0].encode() in p.read_bytes() for p in (tmp_path / "b").rglob("*")
                   if p.is_file())  # fmt: skip


def test_leak_9_6_a_key_inside_the_books_is_refused(cli, books_dir: Path) -> None:  # type: ignore[no-untyped-def]
    inside = books_dir / "documents" / "hub.key"
    inside.write_text(str(x25519.Identity.generate()) + "\n")
    inside.chmod(0o600)
    env = {**cli.env, "COOPLEDGER_KEY_FILE": str(inside)}
    proc = cli("participant", "add", "--books", str(books_dir), check=False, env=env)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    assert "inside the books directory" in proc.stderr
    target = cli.cwd / "new-books"
    proc = cli("init", str(target), "--name", "Hub", "--enterprise-number", "0403170701",
               "--iban", "BE68539007547034", check=False,
               env={**cli.env, "COOPLEDGER_KEY_FILE": str(target / "k.key")})  # fmt: skip
    assert proc.returncode == 1 and "inside the books directory" in proc.stderr
    assert not target.exists() or not any(target.iterdir())


def test_leak_9_6_a_key_readable_by_others_is_refused(
    cli, books_dir: Path, snapshot_books
) -> None:  # type: ignore[no-untyped-def]
    key = next((Path(cli.env["XDG_CONFIG_HOME"]) / "coopledger" / "keys").glob("*.key"))
    snapshot_books.take(books_dir)
    key.chmod(0o644)
    proc = cli("participant", "add", "--books", str(books_dir), check=False)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    assert "other users" in proc.stderr and "chmod 600" in proc.stderr
    key.chmod(0o640)
    proc = cli("participant", "show", "P-000000", "--books", str(books_dir), check=False)
    assert proc.returncode == 1
    snapshot_books.assert_unchanged()
    key.chmod(0o600)


def test_leak_9_6_an_ssh_recipient_reads_the_roster(cli, books_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed")
    ssh_key = tmp_path / "board_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", str(ssh_key)],
                   check=True)  # fmt: skip
    ssh_key.chmod(0o600)
    cli("key", "add-recipient", ssh_key.with_suffix(".pub").read_text().strip(),
        "--books", str(books_dir))  # fmt: skip
    add(cli, books_dir, "Fictive Papa (test)")
    env = {**cli.env, "COOPLEDGER_KEY_FILE": str(ssh_key)}
    shown = cli("participant", "list", "--retention", "--json", "--books", str(books_dir),
                env=env).stdout  # fmt: skip
    assert '"roster": "kept"' in shown
    log = subprocess.run(["git", "-C", str(books_dir), "log", "--format=%s"],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "key: add a recipient" in log


def test_each_record_has_its_own_data_key_outside_git(cli, books_dir: Path) -> None:  # type: ignore[no-untyped-def]
    codes = [add(cli, books_dir, f"Fictive Quebec {n} (test)") for n in range(3)]
    keys_file = books_dir / "roster-keys.age"
    assert keys_file.exists() and keys_file.stat().st_mode & 0o077 == 0
    tracked = subprocess.run(["git", "-C", str(books_dir), "ls-files"], capture_output=True,
                             text=True, check=True).stdout.split()  # fmt: skip
    assert "roster-keys.age" not in tracked and "roster.age" in tracked
    books = Books.open(books_dir)
    opened = open_roster(books.root, books.config, (books_dir / "roster.age").read_bytes())
    assert set(opened.keys) == set(codes)
    assert len({k[0] for k in opened.keys.values()}) == 3
    keys_file.rename(books_dir.parent / "elsewhere.age")
    with pytest.raises(RosterError, match=r"roster-keys\.age is missing"):
        read_roster(books)


def test_no_plaintext_roster_is_ever_written(cli_env, books_dir: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Watch every file written during onboarding: none holds the alias."""
    import builtins

    alias = "Fictive Papa (test)"
    written: list[bytes] = []
    real_fdopen = os.fdopen
    real_open = builtins.open

    class Spy:
        def __init__(self, handle):  # type: ignore[no-untyped-def]
            self.handle = handle

        def write(self, data):  # type: ignore[no-untyped-def]
            written.append(data if isinstance(data, bytes) else data.encode())
            return self.handle.write(data)

        def __getattr__(self, name):  # type: ignore[no-untyped-def]
            return getattr(self.handle, name)

        def __enter__(self):  # type: ignore[no-untyped-def]
            self.handle.__enter__()
            return self

        def __exit__(self, *exc):  # type: ignore[no-untyped-def]
            return self.handle.__exit__(*exc)

    def spy_fdopen(*a, **k):  # type: ignore[no-untyped-def]
        return Spy(real_fdopen(*a, **k))

    def spy_open(file, mode="r", *a, **k):  # type: ignore[no-untyped-def]
        handle = real_open(file, mode, *a, **k)
        return Spy(handle) if any(c in mode for c in "wax+") else handle

    monkeypatch.setattr(os, "fdopen", spy_fdopen)
    monkeypatch.setattr(builtins, "open", spy_open)
    add_participant(Books.open(books_dir), alias=alias, activity="couture",
                    details={"phone": "+32 000 11 22 33"})  # fmt: skip
    monkeypatch.undo()
    assert written, "the spy saw no writes"
    assert not any(alias.encode() in chunk or b"+32 000" in chunk for chunk in written)


def test_a_key_file_is_never_written_over(tmp_path: Path) -> None:
    from ledger.keys import write_secret

    path = tmp_path / "k.key"
    write_secret(path, "x\n")
    with pytest.raises(KeyFileError, match="already exists"):
        write_secret(path, "y\n")
    assert path.read_text() == "x\n"
