"""Serving the books in Fava, guarded.

Fava has no authentication, so coopledger binds it to loopback by default and adds
guards of its own: every load goes through our plugin allow list (Fava's reloads too), and
Fava's own ways of importing Python from the books (``fava-extension`` modules and the
``import-config`` file) are refused. A Host-header allow list closes DNS rebinding (a
request without a Host, or with an empty one, is refused too).

Fava is **read-only** unless ``--edit`` is given (it answers 401 to anything but GET).
With ``--edit``, Fava's own writes go through the books' write path
(:mod:`ledger.fava.edit`): lock, atomic write, check, rollback, commit; writes touching a
closed year are refused, and so are Fava's document uploads, moves and deletions. Fava's
error page also shows the anchors (seals against their tags, every file included).
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import fava.core as fava_core
import fava.core.extensions as fava_extensions
import fava.core.ingest as fava_ingest
from cheroot.wsgi import Server
from fava.application import create_app
from fava.ext import FavaExtensionError
from flask import jsonify, request

from ledger.books import Books
from ledger.errors import InputError, UnsafeBooksError
from ledger.fava.edit import ALLOWED_WRITES, BooksFavaLedger
from ledger.i18n import _, joined, shown
from ledger.loader import (
    ALLOWED_FAVA_EXTENSIONS,
    Ledger,
    file_stamps,
    history_file,
    install_guard,
    load_ledger,
    reload_ledger,
)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _guard_fava() -> None:
    original_find = fava_extensions.find_extensions
    # Import our extensions now, from our package: Fava puts the books' folder first on
    # sys.path when it imports one, and a folder there must not shadow them.
    for name in sorted(ALLOWED_FAVA_EXTENSIONS):
        importlib.import_module(name)

    def guarded_find(base_path: Path, name: str) -> Any:
        if name not in ALLOWED_FAVA_EXTENSIONS:
            return [], [
                FavaExtensionError(
                    None, shown(_('extension "{name}" refused by coopledger', name=name)), None
                )
            ]
        return original_find(base_path, name)

    def refused_import_config(module_path: Path) -> Any:
        raise fava_ingest.ImportConfigLoadError(shown(_("import-config refused by coopledger")))

    fava_extensions.find_extensions = guarded_find
    fava_ingest.load_import_config = refused_import_config


# The load Fava is to use for the load_file under way in this thread (see ServedLedger).
_PENDING = threading.local()
_fava_load_uncached = fava_core.load_uncached
# (files changed, reloaded incrementally?) of each reload, for the tests and the benchmark
RELOADS: list[tuple[int, bool]] = []


def _load_for_fava(beancount_file_path: str, *, is_encrypted: bool) -> Any:
    """Fava's own load, or the load coopledger already made for it (one load, not two)."""
    ledger: Ledger | None = getattr(_PENDING, "ledger", None)
    if ledger is None or is_encrypted:
        return _fava_load_uncached(beancount_file_path, is_encrypted=is_encrypted)
    _PENDING.ledger = None
    return ledger.entries, ledger.errors, ledger.options


fava_core.load_uncached = _load_for_fava


class ServedLedger(BooksFavaLedger):
    """The served ledger: its first load is the one ``make_app`` made to check the books
    (no second load before the first page); Fava reloads when a file changed (its
    watcher), each time with one load of coopledger's guarded loader."""

    def __init__(
        self,
        path: str,
        books: Books,
        first: Ledger | None,
        *,
        edit: bool = False,
        all_years: bool = False,
    ) -> None:
        self._first: Ledger | None = first
        self._all_years = all_years
        self._last: tuple[Ledger, dict[str, tuple[int, int]]] | None = None
        super().__init__(path, books, edit=edit)

    def _load(self) -> Ledger:
        """The books now: the first load, else the last one with only the files that
        changed since parsed and booked again (``ledger.loader.reload_ledger``), else a
        full load of the live books (or of the full history with ``--all-years``)."""
        ledger, self._first = self._first, None
        if ledger is None and self._last is not None:
            before, stamps = self._last
            now = file_stamps(before)
            changed = sorted(
                name for name in set(stamps) | set(now) if stamps.get(name) != now.get(name)
            )
            ledger = reload_ledger(before, changed)
            RELOADS.append((len(changed), ledger is not None))
        if ledger is None:
            ledger = load_ledger(self.books.main_file, full_history=self._all_years)
        self._last = (ledger, file_stamps(ledger))
        return ledger

    def load_file(self) -> None:
        _PENDING.ledger = self._load()
        try:
            super().load_file()
        finally:
            _PENDING.ledger = None


class HostAllowList:
    """WSGI middleware answering 403 to requests whose Host is not ours."""

    def __init__(self, app: WSGIApp, hosts: set[str]) -> None:
        self.app = app
        self.hosts = hosts

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        host = environ.get("HTTP_HOST", "").rsplit(":", 1)[0].strip("[]").lower()
        if host not in self.hosts:  # an absent or empty Host is refused too
            start_response("403 Forbidden", [("Content-Type", "text/plain")])
            return [b"Host not allowed\n"]
        return self.app(environ, start_response)


def _refuse_other_writes() -> Any:
    """With --edit, only the writes that go through the write path are let through."""
    if request.method != "GET" and request.endpoint not in ALLOWED_WRITES:
        response = jsonify(
            {"error": "refused by coopledger: documents and imports enter the books through "
             "coopledger's commands"}
        )  # fmt: skip
        response.status_code = 403
        return response
    return None


def make_app(
    books: Books,
    read_only: bool | None = None,
    host: str = "127.0.0.1",
    *,
    edit: bool = False,
    all_years: bool = False,
) -> Any:
    """The Fava WSGI application for these books, with our guards: read-only unless
    ``edit`` (or ``read_only=False``), and then writing through the write path. With
    ``all_years``, the full history (every closed year; read-only: writes work on the live
    books)."""
    edit = edit or read_only is False
    if edit and all_years:
        raise InputError(_("--all-years serves the full history read-only; drop --edit"))
    # Fava's first load too; it adds the anchors
    ledger = load_ledger(books.main_file, full_history=all_years)
    path = str(history_file(books.main_file) or books.main_file) if all_years else None
    main = path or str(books.main_file)
    if ledger.unsafe:
        raise UnsafeBooksError(
            _(
                "refusing to serve: {errors}",
                errors=joined(books.error_lines(type(ledger)([], ledger.unsafe, {})), "; "),
            )
        )
    install_guard()
    _guard_fava()
    app = create_app([main], load=False, read_only=not edit)
    loader = app.config["LEDGERS"]
    once: list[Ledger] = [ledger]  # the check's load serves Fava's first load, only once
    loader._load = lambda: [
        ServedLedger(main, books, once.pop() if once else None, edit=edit, all_years=all_years)
    ]
    loader.ledgers  # noqa: B018 - load now, as create_app(load=True) would
    if edit:
        app.before_request(_refuse_other_writes)
    allowed = {"127.0.0.1", "localhost", "::1", host.lower()}
    app.wsgi_app = HostAllowList(app.wsgi_app, allowed)  # type: ignore[method-assign]
    return app


def serve(books: Books, host: str, port: int, edit: bool = False, all_years: bool = False) -> None:
    app = make_app(books, edit=edit, host=host, all_years=all_years)
    mode = _("editing through the write path") if edit else _("read-only")
    if all_years:
        mode = _("{mode}, every year", mode=mode)
    url = f"http://{host}:{port}/"
    print(shown(_("Serving {root} in Fava ({mode}) on {url}", root=str(books.root), mode=mode,
                  url=url)), flush=True)  # fmt: skip
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(
            shown(
                _(
                    "warning: Fava has no authentication; put an authenticating proxy in "
                    "front of it"
                )
            ),
            file=sys.stderr,
            flush=True,
        )
    server = Server((host, port), app)
    try:
        server.start()
    except KeyboardInterrupt:
        server.stop()
