"""QA 8/9/10 item 4: ``verify`` does not trust an ``allowed_signers`` edited inside the
books — each commit is checked against the keys allowed before it. Fictional data only."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from integrity_support import YEAR, base_env, build_books, verify_json


def _keygen(path: Path) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    return path.with_suffix(".pub").read_text().strip()


def test_qa_8_9_10_4_verify_checks_each_commit_against_the_signers_before_it(
    tmp_path: Path,
) -> None:
    if subprocess.run(["which", "ssh-keygen"], capture_output=True).returncode != 0:
        pytest.skip("ssh-keygen is not installed")
    hub_key = tmp_path / "hub-signing"
    _keygen(hub_key)
    env = base_env(tmp_path)
    root = tmp_path / "books"
    build_books(root, env, close=False, signing=hub_key)
    code, report = verify_json(env, root)
    assert code == 0, report["problems"]
    # The attacker changes an amount, adds his key to allowed_signers, signs with his key.
    attacker = _keygen(tmp_path / "attacker")
    manual = root / f"{YEAR}" / "manual.beancount"
    manual.write_text(manual.read_text().replace("12.50", "21.50"))
    signers = root / "allowed_signers"
    signers.write_text(
        signers.read_text() + f'attacker@example.invalid namespaces="git" {attacker}\n'
    )
    git = ["git", "-C", str(root), "-c", f"user.signingkey={tmp_path / 'attacker'}"]
    subprocess.run([*git, "add", "-A"], check=True, env=env)
    subprocess.run([*git, "commit", "-S", "-qm", "books: routine"], check=True, env=env)
    code, report = verify_json(env, root)
    assert code == 1
    messages = [str(p["message"]) for p in report["problems"]]  # type: ignore[attr-defined]
    assert any("is not signed by an allowed key" in m for m in messages), messages
    assert any("allowed_signers changed in commit" in m for m in messages), messages
    assert not any(c["check"] == "signatures" and c["ok"] for c in report["checks"])  # type: ignore[attr-defined]
