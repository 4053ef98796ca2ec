"""The hub's clients, kept in ``clients.toml`` in the books and changed only through the
write path.

A client is a business (enterprise number, VAT number or Peppol id: it gets a Peppol
e-invoice) or a private person (PDF only). Ids are ``C0001``, ``C0002``… in order of
creation and never reused.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from typing import Any, Protocol

from pydantic import ValidationError

from invoicing.models import CLIENT_ID_RE, Client, validation_text
from ledger.books import Books
from ledger.config import format_validation_error, toml_problem
from ledger.errors import BooksError, InputError
from ledger.i18n import _
from ledger.privacy.guard import TextGuard

CLIENTS_FILE = "clients.toml"
MATCHES_A_PARTICIPANT = (
    "it matches a participant in the roster: a participant is never the hub's client for her "
    "own work (her name would reach the books, the invoice and the e-invoice)"
)
HEADER = (
    "# Clients of the hub, written by 'coopledger client add' through the write path.\n"
    "# Business clients receive a Peppol e-invoice; private persons receive a PDF only.\n"
)
FIELDS = (
    "id",
    "name",
    "enterprise_number",
    "vat_number",
    "address",
    "country",
    "peppol_id",
    "email",
    "lang",
)


class FileReader(Protocol):
    """Anything that reads a file of the books (a transaction, or the books on disk)."""

    def read_file(self, relpath: str) -> bytes | None: ...


class _DiskReader:
    def __init__(self, books: Books) -> None:
        self.root = books.root

    def read_file(self, relpath: str) -> bytes | None:
        try:
            return (self.root / relpath).read_bytes()
        except FileNotFoundError:
            return None


def parse_clients(raw: bytes | None) -> dict[str, Client]:
    """The clients of a ``clients.toml`` (empty when the file does not exist yet)."""
    if raw is None:
        return {}
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BooksError(
            _(
                "{clients_file}: not valid TOML: {exc}",
                clients_file=CLIENTS_FILE,
                exc=toml_problem(exc),
            )
        ) from None
    out: dict[str, Client] = {}
    for index, item in enumerate(data.get("clients", []), start=1):
        try:
            client = Client.model_validate(item)
        except ValidationError as exc:
            raise BooksError(
                format_validation_error(exc, f"{CLIENTS_FILE}: client {index}")
            ) from None
        if client.id in out:
            raise BooksError(
                _(
                    "{clients_file}: client id {id} appears twice",
                    clients_file=CLIENTS_FILE,
                    id=client.id,
                )
            )
        out[client.id] = client
    return out


def read_clients(source: Books | FileReader) -> dict[str, Client]:
    """The clients, read from a transaction (under the lock) or from the books on disk."""
    reader: FileReader = _DiskReader(source) if isinstance(source, Books) else source
    return parse_clients(reader.read_file(CLIENTS_FILE))


def require_client(clients: dict[str, Client], client_id: str) -> Client:
    """The client with this id, or a clear error."""
    wanted = client_id.strip().upper()
    client = clients.get(wanted)
    if client is None:
        # An id is repeated; anything else typed (a name?) is not.
        shown = (
            _("unknown client {wanted!r}", wanted=wanted)
            if CLIENT_ID_RE.match(wanted)
            else _("unknown client")
        )
        raise InputError(
            _(
                "{shown} (give an id such as C0001: see 'coopledger client list'; add one with "
                "'coopledger client add')",
                shown=shown,
            )
        )
    return client


def _toml_string(value: str) -> str:
    out = []
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def render_clients(clients: Iterable[Client]) -> bytes:
    """The text of ``clients.toml`` (reads back to the same clients)."""
    parts = [HEADER]
    for client in clients:
        parts.append("\n[[clients]]\n")
        data = client.model_dump()
        for key in FIELDS:
            value = data.get(key)
            if value is not None and value != "":
                parts.append(f"{key} = {_toml_string(str(value))}\n")
    text = "".join(parts).encode("utf-8")
    if list(parse_clients(text).values()) != list(clients):
        raise AssertionError("clients.toml would not read back")  # pragma: no cover
    return text


def next_client_id(clients: dict[str, Client]) -> str:
    """``C`` + 4 digits (more when needed), one above the highest id so far."""
    highest = max((int(cid[1:]) for cid in clients), default=0)
    return f"C{highest + 1:04d}"


def make_client(client_id: str, fields: dict[str, Any]) -> Client:
    """Validate a new client's fields; InputError naming the first bad field."""
    try:
        return Client.model_validate({"id": client_id, **fields})
    except ValidationError as exc:
        first = exc.errors()[0]
        msg = validation_text(first)
        field = ".".join(str(p) for p in first["loc"])
        if not field:
            head = msg.split(":", 1)[0]
            field = head if head in FIELDS else "client"
        if field == "enterprise_number" and not fields.get("enterprise_number"):
            field = "vat_number"  # derived from a Belgian VAT number: name what was given
        option = "--" + field.replace("_", "-")
        if msg.startswith(f"{field}:"):
            msg = msg[len(field) + 1 :].strip()
        raise InputError(_("{option}: {msg}", option=option, msg=msg)) from None


def add_client(books: Books, fields: dict[str, Any]) -> Client:
    """Register a client through the write path; returns it with its new id."""
    fields = {k: v for k, v in fields.items() if v is not None}
    make_client("C0000", fields)  # fail fast on bad input, before taking the lock
    guard = TextGuard.for_books(books)
    guard.check(fields.get("name"), "--name")
    for key in ("email", "address", "enterprise_number", "vat_number"):
        guard.check_roster_only(
            fields.get(key), f"--{key.replace('_', '-')}", MATCHES_A_PARTICIPANT
        )
    with books.transaction("client: add") as tx:
        clients = read_clients(tx)
        client = make_client(next_client_id(clients), fields)
        for other in clients.values():
            if client.enterprise_number and other.enterprise_number == client.enterprise_number:
                raise InputError(
                    _(
                        "a client with enterprise number {enterprise_number} already exists: {id}",
                        enterprise_number=client.enterprise_number,
                        id=other.id,
                    )
                )
            if client.vat_number and other.vat_number == client.vat_number:
                raise InputError(
                    _(
                        "a client with VAT number {vat_number} already exists: {id}",
                        vat_number=client.vat_number,
                        id=other.id,
                    )
                )
        tx.message = f"client: add {client.id}"
        tx.write_file(CLIENTS_FILE, render_clients([*clients.values(), client]))
    return client
