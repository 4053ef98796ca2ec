"""QA 8/9/10 items 4 and 14: ``verify`` does not trust an ``allowed_signers`` edited inside
the books (each commit is checked against the keys allowed before it), and a version-1 seal
put in place of a version-2 close is named a downgrade. Fictional data only."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from beancount import loader
from integrity_support import YEAR, base_env, build_books, verify_json

from ledger.books import Books
from plugins.sealed import CHAIN_FIRST_YEAR, seal_digest


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


def test_qa_8_9_10_14_a_v1_seal_replacing_a_v2_close_is_a_downgrade(tmp_path: Path) -> None:
    env = base_env(tmp_path)
    root = tmp_path / "books"
    build_books(root, env)
    closing = root / f"{YEAR}" / "closing.beancount"
    text = closing.read_text()
    assert 'seal-version: "2"' in text
    # recompute a version-1 seal, drop the chain, re-create the tag as a version-1 close
    digest, count = seal_digest(Books.open(root).load().entries, YEAR)
    seal = re.search(rf'{YEAR}-12-31 custom "year-closed".*?(?=\n\S|\Z)', text, re.S)
    assert seal is not None
    closing.write_text(
        text.replace(
            seal.group(0),
            f'{YEAR}-12-31 custom "year-closed" "{YEAR}" "{digest}"\n'
            f'  seal-version: "1"\n  entries: {count}',
        )
    )
    (root / f"{YEAR}" / "chain.jsonl").unlink()
    git = ["git", "-C", str(root)]
    subprocess.run([*git, "add", "-A"], check=True, env=env)
    subprocess.run([*git, "commit", "-qm", f"close-year: seal {YEAR}"], check=True, env=env)
    subprocess.run([*git, "tag", "-f", "-a", f"close-{YEAR}", "-m",
                    f"Year {YEAR} closed.\n\nseal sha256: {digest}\nchain version: 1\n"],
                   check=True, env=env, capture_output=True)  # fmt: skip
    code, report = verify_json(env, root)
    assert code == 1
    messages = [str(p["message"]) for p in report["problems"]]  # type: ignore[attr-defined]
    assert any(f"seal of {YEAR}: a downgrade" in m for m in messages), messages


def test_qa_8_9_10_14_check_refuses_a_v1_seal_from_the_chain_s_first_year() -> None:
    year = CHAIN_FIRST_YEAR
    source = (
        'option "operating_currency" "EUR"\nplugin "plugins.sealed"\n'
        f"{year}-01-01 open Assets:Caisse EUR\n"
        f'{year}-12-31 custom "year-closed" "{year}" "{"0" * 64}"\n  seal-version: "1"\n'
    )
    _entries, errors, _options = loader.load_string(source)
    assert any("a downgrade" in e.message for e in errors), errors
