"""A ledger is code: only allow-listed plugins run, and never the pickle cache."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from ledger.integrity.anchors import books_files
from ledger.loader import is_allowed_plugin, load_ledger, pickle_caches

EVIL = """
import pathlib
pathlib.Path(__file__).with_name("MARKER").write_text("ran")
__plugins__ = ()
"""


def test_allow_list() -> None:
    assert is_allowed_plugin("plugins.participants")
    assert is_allowed_plugin("beancount.plugins.auto_accounts")
    assert not is_allowed_plugin("evil")
    assert not is_allowed_plugin("plugins.nonexistent")
    assert not is_allowed_plugin("os")


def test_foreign_plugin_is_refused_and_never_imported(tmp_path: Path) -> None:
    (tmp_path / "evil.py").write_text(EVIL)
    main = tmp_path / "main.beancount"
    main.write_text(
        textwrap.dedent(
            """\
            option "insert_pythonpath" "TRUE"
            plugin "evil"
            2026-01-01 open Assets:Cash EUR
            """
        )
    )
    ledger = load_ledger(main)
    assert not (tmp_path / "MARKER").exists()
    messages = [e.message for e in ledger.unsafe]
    assert any('plugin "evil" refused' in m for m in messages)
    assert any("insert_pythonpath" in m for m in messages)
    plugin_error = next(e for e in ledger.unsafe if "evil" in e.message)
    assert plugin_error.source["lineno"] == 2


def test_books_cannot_shadow_our_plugins(tmp_path: Path) -> None:
    shadow = tmp_path / "plugins"
    shadow.mkdir()
    (shadow / "__init__.py").write_text("")
    (shadow / "participants.py").write_text(EVIL)
    main = tmp_path / "main.beancount"
    main.write_text(
        'option "insert_pythonpath" "TRUE"\nplugin "plugins.participants"\n'
        "2026-01-01 open Assets:Cash EUR\n"
    )
    load_ledger(main)
    assert not (shadow / "MARKER").exists()


def test_fava_extension_and_import_config_are_refused(tmp_path: Path) -> None:
    main = tmp_path / "main.beancount"
    main.write_text(
        '2026-01-01 custom "fava-extension" "evil_ext"\n'
        '2026-01-01 custom "fava-option" "import-config" "import.py"\n'
    )
    ledger = load_ledger(main)
    assert len(ledger.unsafe) == 2
    assert {e.source["lineno"] for e in ledger.unsafe} == {1, 2}


def test_check_command_refuses_foreign_plugin(tmp_path: Path, cli, books_dir: Path) -> None:  # type: ignore[no-untyped-def]
    (books_dir / "evil.py").write_text(EVIL)
    main = books_dir / "main.beancount"
    main.write_text(main.read_text() + 'plugin "evil"\n')
    proc = cli("check", "--books", str(books_dir), check=False)
    assert proc.returncode != 0
    assert "main.beancount:" in proc.stderr and 'plugin "evil" refused' in proc.stderr
    assert not (books_dir / "MARKER").exists()
    # Every other command refuses to work on such books, in one line.
    proc = cli("participant", "list", "--books", str(books_dir), check=False)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "refused" in proc.stderr


def test_pickle_cache_is_never_used(tmp_path: Path, cli, books_dir: Path) -> None:  # type: ignore[no-untyped-def]
    # Books large enough that beancount would write its cache (load > 1 s).
    body = ["2026-01-01 open Assets:Big EUR", "2026-01-01 open Expenses:Big EUR"]
    for i in range(12000):
        body.append(f'2026-01-02 * "t{i}"\n  Expenses:Big 1.00 EUR\n  Assets:Big')
    (books_dir / "big.beancount").write_text("\n".join(body) + "\n")
    main = books_dir / "main.beancount"
    main.write_text(main.read_text() + 'include "big.beancount"\n')
    # A planted cache whose unpickling would write a marker.
    payload = tmp_path / "PWNED"
    planted = books_dir / ".main.beancount.picklecache"
    code = (
        "import pickle,os\n"
        f"class P:\n def __reduce__(self): return (open, ({str(payload)!r}, 'w'))\n"
        f"open({str(planted)!r},'wb').write(pickle.dumps(P()))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    env = dict(cli.env)
    env.pop("BEANCOUNT_DISABLE_LOAD_CACHE", None)
    cli("check", "--books", str(books_dir), env=env)
    cli("participant", "list", "--books", str(books_dir), env=env)
    assert not payload.exists()
    leftovers = [p for p in books_dir.iterdir() if p.name.endswith(".picklecache")]
    assert leftovers == [] or (leftovers == [planted] and not payload.exists())
    assert not any(p.name.endswith(".picklecache") and p != planted for p in books_dir.rglob("*"))
    assert "BEANCOUNT_DISABLE_LOAD_CACHE" in os.environ


def _walked(root: Path, suffix: str, skip: tuple[str, ...], hidden: bool) -> list[Path]:
    """What the scans found with os.walk (before their one-scandir walk)."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in skip and not (hidden and d[0] == "."))
        found += [Path(folder) / f for f in sorted(files) if f.endswith(suffix)]
    return found


def test_books_scans_find_what_os_walk_finds(tmp_path: Path) -> None:
    """The pickle-cache scan and the books-files scan: the same files, in the same order,
    as os.walk — links not followed, hidden folders and .git as before."""
    root = tmp_path / "books"
    for rel in [
        "main.beancount", ".main.beancount.picklecache", "b/x.beancount", "a/y.beancount",
        "a/z/.y.beancount.picklecache", "documents/inv/1.pdf", "documents/inv/.p.picklecache",
        ".coopledger/.main.beancount.picklecache", ".hidden/h.beancount",
        ".git/.x.picklecache", "a/z/deep/w.beancount", "Z.beancount",
    ]:  # fmt: skip
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("")
    (root / "dir.picklecache").mkdir()
    (root / "dir.beancount").mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.beancount").write_text("")
    (outside / ".o.picklecache").write_text("")
    (root / "linked").symlink_to(outside)
    (root / "link.beancount").symlink_to(outside)
    (root / "file-link.beancount").symlink_to(root / "main.beancount")
    (root / "dangling.picklecache").symlink_to(tmp_path / "nothing")
    assert pickle_caches(root) == _walked(root, ".picklecache", (".git",), hidden=False)
    assert books_files(root) == _walked(root, ".beancount", (), hidden=True)
    assert len(pickle_caches(root)) == 5 and len(books_files(root)) == 6
