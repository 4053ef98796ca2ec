"""The restore drill (runs in CI with the rest of the suite): back up, restore, verify."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from integrity_support import YEAR, base_env, build_books, run
from pyrage import x25519
from tests_support import tree_digest


@pytest.fixture(scope="module")
def closed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    home = tmp_path_factory.mktemp("backup")
    env = base_env(home)
    build_books(home / "books", env)
    return home / "books", env


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip


def _backup(env: dict[str, str], root: Path, dest: Path, *extra: str) -> Path:
    run(env, "backup", "--books", str(root), "--to", str(dest), *extra)
    (folder,) = dest.iterdir()
    return folder


def test_restore_drill(closed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    # A file kept outside the books (e.g. an encrypted key file of participants' data).
    extra = tmp_path / "outside" / "participant-keys.age"
    extra.parent.mkdir()
    extra.write_bytes(b"age-encryption.org/v1\n-> X25519 fictional\n\x00\x01binary")
    folder = _backup(env, root, tmp_path / "backups", "--include", str(extra))
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert names == [
        "SHA256SUMS",
        "books.bundle.age",
        "extra/01-participant-keys.age.age",
        "manifest.json",
        "roster-keys.age",  # the roster's data keys (never in git): carried, still encrypted
    ]
    # Nothing readable, nothing secret: no key, no plaintext of the books.
    key = next((Path(env["XDG_CONFIG_HOME"]) / "coopledger" / "keys").iterdir()).read_text()
    secret = next(line for line in key.splitlines() if line.startswith("AGE-SECRET-KEY-"))
    for name in names:
        payload = (folder / name).read_bytes()
        assert b"AGE-SECRET-KEY-" not in payload and secret.encode() not in payload
        if name.endswith(".age"):
            assert b"Frais-bancaires" not in payload and b"Buffet" not in payload
    subprocess.run(["sha256sum", "--quiet", "-c", "SHA256SUMS"], cwd=folder, check=True)
    # Restore into a new folder: the same history, the same files, and it verifies.
    target = tmp_path / "restored"
    proc = run(
        env, "restore", str(folder), str(target), "--extras-to", str(tmp_path / "extras"), "--json"
    )
    report = json.loads(proc.stdout)
    assert report["ok"], report["problems"]
    assert _git(target, "rev-parse", "HEAD") == _git(root, "rev-parse", "HEAD")
    assert _git(target, "tag", "-l", "-n99") == _git(root, "tag", "-l", "-n99")
    for tag in (f"close-{YEAR - 1}", f"close-{YEAR}"):
        assert _git(target, "rev-parse", tag) == _git(root, "rev-parse", tag)
    assert tree_digest(target) == tree_digest(root)  # the data-key file included
    assert (tmp_path / "extras" / "participant-keys.age").read_bytes() == extra.read_bytes()
    assert _git(target, "remote") == ""
    # The restored books work: a command writes through the write path and verify passes.
    run(env, "participant", "add", "--books", str(target), "--date", f"{YEAR + 1}-01-02")
    assert run(env, "verify", "--books", str(target), check=False).returncode == 0


def test_a_damaged_or_foreign_backup_is_refused_in_one_line(closed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    folder = _backup(env, root, tmp_path / "backups")
    # Wrong key.
    other = tmp_path / "other.key"
    other.write_text(f"{x25519.Identity.generate()}\n")
    proc = run(env, "restore", str(folder), str(tmp_path / "r1"), "--key", str(other), check=False)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    assert "cannot be decrypted with this key" in proc.stderr
    assert not (tmp_path / "r1").exists() or not any((tmp_path / "r1").iterdir())
    # One flipped byte.
    bundle = folder / "books.bundle.age"
    payload = bytearray(bundle.read_bytes())
    payload[len(payload) // 2] ^= 0x01
    bundle.write_bytes(bytes(payload))
    proc = run(env, "restore", str(folder), str(tmp_path / "r2"), check=False)
    assert proc.returncode == 1 and "books.bundle.age is damaged" in proc.stderr
    # Not an empty target.
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    proc = run(env, "restore", str(folder), str(tmp_path / "full"), check=False)
    assert proc.returncode == 1


def test_backup_never_takes_the_key_nor_uncommitted_changes(closed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root, env = closed
    key = next((Path(env["XDG_CONFIG_HOME"]) / "coopledger" / "keys").iterdir())
    proc = run(env, "backup", "--books", str(root), "--to", str(tmp_path / "b"), "--include",
               str(key), check=False)  # fmt: skip
    assert proc.returncode == 1 and "secret key" in proc.stderr
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-a", str(root), str(copy)], check=True)
    (copy / "accounts.beancount").write_text((copy / "accounts.beancount").read_text() + "; x\n")
    proc = run(env, "backup", "--books", str(copy), "--to", str(tmp_path / "c"), check=False)
    assert proc.returncode == 1 and "uncommitted changes" in proc.stderr
    assert not (tmp_path / "c").exists()


def test_restored_signed_books_keep_verifying(tmp_path: Path) -> None:
    if subprocess.run(["which", "ssh-keygen"], capture_output=True).returncode != 0:
        pytest.skip("ssh-keygen is not installed")
    key = tmp_path / "hub-signing"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    env = base_env(tmp_path)
    root = tmp_path / "books"
    build_books(root, env, signing=key)
    folder = _backup(env, root, tmp_path / "backups")
    target = tmp_path / "restored"
    run(env, "restore", str(folder), str(target), "--signing-key", str(key))
    run(env, "participant", "add", "--books", str(target), "--date", f"{YEAR + 1}-01-02")
    proc = run(env, "verify", "--books", str(target), check=False)
    assert proc.returncode == 0, proc.stdout
    assert "[signatures]" in proc.stdout
