"""Serving the books in Fava, guarded.

Fava has no authentication, so coopledger binds it to loopback by default and adds two
guards of its own: every load goes through our plugin allow list (Fava's reloads too), and
Fava's own ways of importing Python from the books (``fava-extension`` modules and the
``import-config`` file) are refused. A Host-header allow list closes DNS rebinding.
``--read-only`` makes Fava answer 401 to anything but GET.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ledger.books import Books
from ledger.errors import UnsafeBooksError
from ledger.loader import ALLOWED_FAVA_EXTENSIONS, install_guard

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _guard_fava() -> None:
    import fava.core.extensions as fava_extensions
    import fava.core.ingest as fava_ingest

    original_find = fava_extensions.find_extensions
    # Import our extensions now, from our package: Fava puts the books' folder first on
    # sys.path when it imports one, and a folder there must not shadow them.
    import importlib

    for name in sorted(ALLOWED_FAVA_EXTENSIONS):
        importlib.import_module(name)

    def guarded_find(base_path: Path, name: str) -> Any:
        if name not in ALLOWED_FAVA_EXTENSIONS:
            from fava.ext import FavaExtensionError

            return [], [
                FavaExtensionError(None, f'extension "{name}" refused by coopledger', None)
            ]
        return original_find(base_path, name)

    def refused_import_config(module_path: Path) -> Any:
        raise fava_ingest.ImportConfigLoadError("import-config refused by coopledger")

    fava_extensions.find_extensions = guarded_find
    fava_ingest.load_import_config = refused_import_config


class HostAllowList:
    """WSGI middleware answering 403 to requests whose Host is not ours."""

    def __init__(self, app: WSGIApp, hosts: set[str]) -> None:
        self.app = app
        self.hosts = hosts

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        host = environ.get("HTTP_HOST", "").rsplit(":", 1)[0].strip("[]").lower()
        if host and host not in self.hosts:
            start_response("403 Forbidden", [("Content-Type", "text/plain")])
            return [b"Host not allowed\n"]
        return self.app(environ, start_response)


def make_app(books: Books, read_only: bool = False, host: str = "127.0.0.1") -> Any:
    """The Fava WSGI application for these books, with our guards."""
    ledger = books.load(strict=False)
    if ledger.unsafe:
        raise UnsafeBooksError(
            "refusing to serve: "
            + "; ".join(books.error_lines(type(ledger)([], ledger.unsafe, {})))
        )
    install_guard()
    _guard_fava()
    from fava.application import create_app

    app = create_app([str(books.main_file)], load=True, read_only=read_only)
    allowed = {"127.0.0.1", "localhost", "::1", host.lower()}
    app.wsgi_app = HostAllowList(app.wsgi_app, allowed)  # type: ignore[method-assign]
    return app


def serve(books: Books, host: str, port: int, read_only: bool) -> None:
    from cheroot.wsgi import Server

    app = make_app(books, read_only=read_only, host=host)
    mode = "read-only" if read_only else "read-write"
    print(f"Serving {books.root} in Fava ({mode}) on http://{host}:{port}/", flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(
            "warning: Fava has no authentication; put an authenticating proxy in front of it",
            file=sys.stderr,
            flush=True,
        )
    server = Server((host, port), app)
    try:
        server.start()
    except KeyboardInterrupt:
        server.stop()
