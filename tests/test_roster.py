"""The roster is encrypted at rest, readable only with a listed key, never in clear."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pyrage import x25519

from ledger.books import Books
from ledger.codes import ALPHABET, is_code, new_code
from ledger.errors import RosterError
from ledger.roster import Roster, RosterEntry, decrypt_roster, encrypt_roster


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
    b = ("--books", str(books_dir))
    first = cli("participant", "add", *b, "--alias", "Fictive Mike (test)").stdout.splitlines()[-1]
    second = cli("participant", "add", *b, "--alias", "Fictive Mike (test)").stdout.splitlines()[
        -1
    ]
    assert first != second


def test_ciphertext_holds_no_roster_string(cli_env, books_dir: Path) -> None:  # type: ignore[no-untyped-def]
    books = Books.open(books_dir)
    roster = Roster(participants={
        "P-ABCDEF": RosterEntry(code="P-ABCDEF", alias="Fictive November (test)",
                                details={"phone": "+32 000 00 00 00"}, added=dt.date(2026, 1, 1))
    })  # fmt: skip
    blob = encrypt_roster(books.config, roster)
    assert b"Fictive" not in blob and b"+32" not in blob and b"P-ABCDEF" not in blob
    assert decrypt_roster(books.config, blob) == roster


def test_wrong_key_cannot_read_the_roster(
    cli_env, books_dir: Path, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    books = Books.open(books_dir)
    blob = (books_dir / "roster.age").read_bytes()
    other = tmp_path / "other.key"
    other.write_text(str(x25519.Identity.generate()) + "\n")
    monkeypatch.setenv("COOPLEDGER_KEY_FILE", str(other))
    with pytest.raises(RosterError, match="cannot be decrypted"):
        decrypt_roster(books.config, blob)
    monkeypatch.setenv("COOPLEDGER_KEY_FILE", str(tmp_path / "missing.key"))
    with pytest.raises(RosterError, match="no hub key"):
        decrypt_roster(books.config, blob)


def test_a_second_recipient_alone_can_decrypt(
    cli_env, books_dir: Path, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    books = Books.open(books_dir)
    recovery = x25519.Identity.generate()
    books.config.roster.recipients.append(str(recovery.to_public()))
    roster = Roster(participants={
        "P-ABCDEF": RosterEntry(code="P-ABCDEF", alias="Fictive Oscar (test)", added=dt.date(2026, 1, 1))
    })  # fmt: skip
    blob = encrypt_roster(books.config, roster)
    key = tmp_path / "recovery.key"
    key.write_text(str(recovery) + "\n")
    monkeypatch.setenv("COOPLEDGER_KEY_FILE", str(key))
    assert (
        decrypt_roster(books.config, blob).participants["P-ABCDEF"].alias == "Fictive Oscar (test)"
    )


def test_no_plaintext_roster_is_ever_written(cli_env, books_dir: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Watch every file written during onboarding: none holds the alias."""
    import builtins
    import os

    from ledger.participants import add_participant

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
    add_participant(Books.open(books_dir), alias=alias, activity="couture")
    monkeypatch.undo()
    assert written, "the spy saw no writes"
    assert not any(alias.encode() in chunk for chunk in written)
