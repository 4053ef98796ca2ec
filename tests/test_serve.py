"""`coopledger serve`: Fava on loopback, guarded, read-only when asked."""

from __future__ import annotations

import http.client
from pathlib import Path

import pytest
from tests_support import chromium_browser, free_port, serving


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
