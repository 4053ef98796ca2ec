"""The books as committed, moved from commit to commit (``audit verify``'s trees): each
move leaves exactly the files of the commit, whatever the previous one held."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ledger.audit.verify import books_at, committed_trees


def _git(root: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.invalid")  # fmt: skip
    out = subprocess.run(["git", "-C", str(root), *args], env=env, check=True,
                         capture_output=True, text=True)  # fmt: skip
    return out.stdout.strip()


def _commit(root: Path, files: dict[str, str | None]) -> str:
    for rel, text in files.items():
        path = root / rel
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "step")
    return _git(root, "rev-parse", "HEAD")


def _files(tree: Path) -> dict[str, str]:
    return {
        p.relative_to(tree).as_posix(): p.read_text()
        for p in sorted(tree.rglob("*"))
        if p.is_file() or p.is_symlink()
    }


def test_each_move_gives_exactly_the_commits_files(tmp_path: Path) -> None:
    root = tmp_path / "books"
    root.mkdir()
    _git(root, "init", "-q")
    first = _commit(root, {"main.beancount": "one\n", "2025/bank.beancount": "a\n",
                           "documents/invoices/2025/1.pdf": "pdf 1\n"})  # fmt: skip
    second = _commit(root, {"main.beancount": "two\n", "2025/bank.beancount": None,
                            "documents/invoices/2026/2.pdf": "pdf 2\n"})  # fmt: skip
    with committed_trees(root) as trees:
        assert _files(trees.at(first)) == {
            "main.beancount": "one\n", "2025/bank.beancount": "a\n",
            "documents/invoices/2025/1.pdf": "pdf 1\n",
        }  # fmt: skip
        (trees.tree / "stray.txt").write_text("left by nobody\n")
        assert _files(trees.at(second)) == {
            "main.beancount": "two\n", "documents/invoices/2025/1.pdf": "pdf 1\n",
            "documents/invoices/2026/2.pdf": "pdf 2\n",
        }  # fmt: skip
        assert _files(trees.at(first))["2025/bank.beancount"] == "a\n"  # and back
        assert "documents/invoices/2026/2.pdf" not in _files(trees.tree)


def test_a_committed_symlink_is_written_as_a_plain_file(tmp_path: Path) -> None:
    root = tmp_path / "books"
    root.mkdir()
    _git(root, "init", "-q")
    (root / "main.beancount").write_text("x\n")
    (root / "evil.beancount").symlink_to("/etc/passwd")
    commit = _commit(root, {})
    with books_at(root, commit) as tree:
        assert not (tree / "evil.beancount").is_symlink()
        assert (tree / "evil.beancount").read_text() == "/etc/passwd"


def test_an_unknown_commit_gives_an_empty_tree(tmp_path: Path) -> None:
    root = tmp_path / "books"
    root.mkdir()
    _git(root, "init", "-q")
    commit = _commit(root, {"main.beancount": "x\n"})
    with committed_trees(root) as trees:
        assert _files(trees.at(commit))
        assert _files(trees.at("0" * 40)) == {}
