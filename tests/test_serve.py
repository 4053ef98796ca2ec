"""`coopledger serve`: Fava on loopback, guarded, read-only when asked."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
from pathlib import Path

import pytest
from integrity_support import YEAR, base_env, build_books, copy_books, run
from tests_support import chromium_browser, free_port, git_state, serving, tree_digest


def request(port: int, method: str, path: str, body: str | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, str]:  # fmt: skip
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    text = response.read().decode("utf-8", "replace")
    conn.close()
    return response.status, text


SLUG = "hub-test-asbl"


def test_serve_read_only(cli, books_dir: Path) -> None:  # type: ignore[no-untyped-def]
    cli("participant", "add", "--books", str(books_dir), "--from-file", "-",
        input='alias = "Fictive Quebec (test)"')  # fmt: skip
    with serving(cli.env, books_dir, "--read-only") as port:
        status, page = request(port, "GET", f"/{SLUG}/income_statement/")
        assert status == 200
        assert "Hub Test ASBL" in page
        assert "Fictive Quebec" not in page
        status, _ = request(port, "PUT", f"/{SLUG}/api/source",
                            body='{"file_path": "x", "source": "", "sha256sum": ""}',
                            headers={"Content-Type": "application/json"})  # fmt: skip
        assert status == 401
        status, _ = request(port, "GET", f"/{SLUG}/api/errors")
        assert status == 200


def test_serve_refuses_foreign_host_header(cli, books_dir: Path) -> None:  # type: ignore[no-untyped-def]
    with serving(cli.env, books_dir) as port:
        status, _ = request(
            port, "GET", f"/{SLUG}/income_statement/", headers={"Host": "attacker.example"}
        )
        assert status == 403
        status, _ = request(port, "GET", f"/{SLUG}/income_statement/")
        assert status == 200


def test_serve_refuses_books_with_foreign_plugins(cli, books_dir: Path) -> None:  # type: ignore[no-untyped-def]
    main = books_dir / "main.beancount"
    main.write_text(main.read_text() + 'plugin "evil"\n')
    proc = cli("serve", "--books", str(books_dir), "--port", str(free_port()), check=False)
    assert proc.returncode == 1
    assert "refusing to serve" in proc.stderr


@pytest.mark.browser
def test_fava_pages_in_a_real_browser(cli, books_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Debian's chromium, driven by playwright (no browser download)."""
    code = cli("participant", "add", "--books", str(books_dir), "--from-file", "-",
               "--activity", "catering", input='alias = "Fictive Romeo (test)"'
               ).stdout.splitlines()[-1]  # fmt: skip
    with serving(cli.env, books_dir, "--read-only") as port, chromium_browser() as browser:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/{SLUG}/balance_sheet/")
        page.wait_for_selector(f"text={code}", timeout=30000)
        text = page.inner_text("body")
        assert code in text
        assert "Fictive Romeo" not in page.content()
        page.screenshot(path=str(tmp_path / "balance_sheet.png"))
    assert (tmp_path / "balance_sheet.png").stat().st_size > 1000


# ---------------------------------------------------------------- issue 10: one write path


def api(port: int, method: str, path: str, payload: object | None = None) -> tuple[int, dict]:  # type: ignore[type-arg]
    body = json.dumps(payload) if payload is not None else None
    status, text = request(port, method, f"/{SLUG}/api/{path}", body=body,
                           headers={"Content-Type": "application/json"})  # fmt: skip
    return status, json.loads(text)


def _log(root: Path) -> list[str]:
    return subprocess.run(["git", "-C", str(root), "log", "--format=%s"], capture_output=True,
                          text=True, check=True).stdout.splitlines()  # fmt: skip


def test_defect_10_3_serve_is_read_only_by_default(cli, books_dir: Path) -> None:  # type: ignore[no-untyped-def]
    before, history = tree_digest(books_dir), git_state(books_dir)
    main = str(books_dir / "main.beancount")
    with serving(cli.env, books_dir) as port:
        status, source = api(port, "GET", f"source?filename={main}")
        assert status == 200
        data = source["data"]
        status, _ = request(port, "PUT", f"/{SLUG}/api/source", body=json.dumps(
            {"file_path": main, "source": data["source"] + "; x\n", "sha256sum": data["sha256sum"]}
        ), headers={"Content-Type": "application/json"})  # fmt: skip
        assert status == 401
    assert tree_digest(books_dir) == before and git_state(books_dir) == history


@pytest.fixture(scope="module")
def closed_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    home = tmp_path_factory.mktemp("serve-closed")
    env = base_env(home)
    build_books(home / "books", env)
    return home / "books", env


def test_defect_10_3_fava_edit_writes_through_the_write_path(
    closed_template, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    root, env = copy_books(closed_template[0], tmp_path / "books"), closed_template[1]
    main = str(root / "main.beancount")
    # the closed year is out of the live books: what it carries is in carried.beancount
    sealed_file = str(root / "carried.beancount")
    with serving(env, root, "--edit") as port:
        # A new entry in an open year: written, checked, committed.
        entry = {"t": "Transaction", "date": f"{YEAR + 1}-01-10", "flag": "*", "payee": "",
                 "narration": "caisse", "tags": [], "links": [], "meta": {},
                 "postings": [{"account": "Assets:Caisse", "amount": "5.00 EUR"},
                              {"account": "Income:Dons", "amount": "-5.00 EUR"}]}  # fmt: skip
        status, reply = api(port, "PUT", "add_entries", {"entries": [entry]})
        assert status == 200, reply
        assert _log(root)[0] == "fava: add 1 entry"
        assert "caisse" in (root / f"{YEAR + 1}/fava.beancount").read_text()
        # The editor: a whole file, checked by sha256 under the lock, then committed.
        status, source = api(port, "GET", f"source?filename={main}")
        data = source["data"]
        status, reply = api(port, "PUT", "source", {"file_path": main, "sha256sum": data["sha256sum"],
                                                     "source": data["source"] + "; a comment\n"})  # fmt: skip
        assert status == 200, reply
        assert _log(root)[0] == "fava: edit main.beancount"
        # The entry editor: one entry's lines, then deleting it, each a commit.
        status, journal = api(port, "GET", "journal")
        caisse = next(e for e in journal["data"] if e.get("narration") == "caisse")
        status, sliced = api(port, "GET", f"source_slice?entry_hash={caisse['entry_hash']}")
        edited = sliced["data"]["slice"].replace('"caisse"', '"caisse du marché"')
        status, reply = api(port, "PUT", "source_slice", {"entry_hash": caisse["entry_hash"],
                            "source": edited, "sha256sum": sliced["data"]["sha256sum"]})  # fmt: skip
        assert status == 200, reply
        assert _log(root)[0] == f"fava: edit an entry in {YEAR + 1}/fava.beancount"
        assert "caisse du marché" in (root / f"{YEAR + 1}/fava.beancount").read_text()
        status, journal = api(port, "GET", "journal")
        caisse = next(e for e in journal["data"] if e.get("narration") == "caisse du marché")
        status, sliced = api(port, "GET", f"source_slice?entry_hash={caisse['entry_hash']}")
        status, reply = api(port, "DELETE", f"source_slice?entry_hash={caisse['entry_hash']}"
                            f"&sha256sum={sliced['data']['sha256sum']}")  # fmt: skip
        assert status == 200, reply
        assert _log(root)[0] == f"fava: delete an entry in {YEAR + 1}/fava.beancount"
        assert "caisse" not in (root / f"{YEAR + 1}/fava.beancount").read_text()
        assert subprocess.run(["git", "-C", str(root), "status", "--porcelain"],
                              capture_output=True, text=True).stdout == ""  # fmt: skip
        before, history = tree_digest(root), git_state(root)
        # A write to a closed year is refused, whatever the path.
        status, source = api(port, "GET", f"source?filename={sealed_file}")
        data = source["data"]
        status, reply = api(port, "PUT", "source", {"file_path": sealed_file, "sha256sum": data["sha256sum"],
                                                     "source": data["source"].replace("12.50", "21.50")})  # fmt: skip
        assert status == 403 and "closed years carry" in reply["error"]
        status, journal = api(port, "GET", "journal")
        frais = next(
            e for e in journal["data"] if str(e.get("narration")).startswith("Balances carried")
        )
        status, sliced = api(port, "GET", f"source_slice?entry_hash={frais['entry_hash']}")
        status, reply = api(port, "PUT", "source_slice", {"entry_hash": frais["entry_hash"],
                                                           "source": "; gone", "sha256sum": sliced["data"]["sha256sum"]})  # fmt: skip
        assert status == 403 and "closed year" in reply["error"]
        status, reply = api(
            port, "PUT", "add_entries", {"entries": [dict(entry, date=f"{YEAR}-12-01")]}
        )
        assert status == 403 and "closed year" in reply["error"]
        # Removing the carried balances' include would silence the seal: rolled back.
        status, source = api(port, "GET", f"source?filename={main}")
        data = source["data"]
        silenced = data["source"].replace('include "carried.beancount"\n', "")
        status, reply = api(
            port,
            "PUT",
            "source",
            {"file_path": main, "sha256sum": data["sha256sum"], "source": silenced},
        )
        assert (
            status == 422
            and "change refused" in reply["error"]
            and f"close-{YEAR}" in reply["error"]
        )
        # Fava's own document writes are refused.
        status, reply = api(
            port, "DELETE", f"document?filename={root}/documents/invoices/{YEAR}/{YEAR}-0001.pdf"
        )
        assert status == 403
        assert tree_digest(root) == before and git_state(root) == history
        # A hand edit in the books: Fava's next write is refused and names the file.
        accounts = root / "accounts.beancount"
        accounts.write_text(accounts.read_text() + "; typed by hand\n")
        status, reply = api(port, "PUT", "add_entries", {"entries": [entry]})
        assert status == 409 and "accounts.beancount (modified)" in reply["error"]
    assert run(env, "verify", "--books", str(root), check=False).returncode == 1  # the hand edit
    subprocess.run(["git", "-C", str(root), "checkout", "--", "accounts.beancount"], check=True)
    assert run(env, "verify", "--books", str(root), check=False).returncode == 0


def _raw(port: int, head: bytes) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head)
        reply = sock.recv(200)
    return int(reply.split()[1])


def test_defect_10_6_empty_host_header_is_refused(cli, books_dir: Path) -> None:  # type: ignore[no-untyped-def]
    path = f"/{SLUG}/income_statement/".encode()
    with serving(cli.env, books_dir) as port:
        assert (
            _raw(port, b"GET " + path + b" HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n") == 403
        )
        assert _raw(port, b"GET " + path + b" HTTP/1.0\r\n\r\n") == 403
        assert (
            _raw(
                port, b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            )
            == 200
        )
