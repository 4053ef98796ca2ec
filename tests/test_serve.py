"""`coopledger serve`: Fava on loopback, guarded, read-only when asked."""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(cli, books_dir: Path, *extra: str) -> Iterator[int]:  # type: ignore[no-untyped-def]
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ledger.cli", "serve", "--books", str(books_dir),
         "--port", str(port), *extra],
        env=cli.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError(f"serve exited: {proc.stderr.read() if proc.stderr else ''}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


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
    cli("participant", "add", "--books", str(books_dir), "--alias", "Fictive Quebec (test)")
    with serving(cli, books_dir, "--read-only") as port:
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
    with serving(cli, books_dir) as port:
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
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Debian's chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    code = cli("participant", "add", "--books", str(books_dir), "--alias", "Fictive Romeo (test)",
               "--activity", "catering").stdout.splitlines()[-1]  # fmt: skip
    with serving(cli, books_dir, "--read-only") as port, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )  # fmt: skip
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/{SLUG}/balance_sheet/")
        page.wait_for_selector(f"text={code}", timeout=30000)
        text = page.inner_text("body")
        assert code in text
        assert "Fictive Romeo" not in page.content()
        page.screenshot(path=str(tmp_path / "balance_sheet.png"))
        browser.close()
    assert (tmp_path / "balance_sheet.png").stat().st_size > 1000
