"""Commands: ``client add|list``."""

from __future__ import annotations

import argparse

import click

from invoicing.clients import add_client, read_clients
from ledger.cli import NOUNS
from ledger.cli.support import Group, command, localised, open_books, print_json, say
from ledger.i18n import LANGS, N_, _


def cmd_client_add(args: argparse.Namespace) -> int:
    books = open_books(args)
    client = add_client(
        books,
        {
            "name": args.name,
            "enterprise_number": args.enterprise_number,
            "vat_number": args.vat_number,
            "address": args.address,
            "country": args.country,
            "peppol_id": args.peppol_id,
            "email": args.email,
            "lang": args.lang,
        },
    )
    if args.json:
        print_json(client.model_dump())
        return 0
    if not client.is_business:
        kind = _("private person (PDF)")
    elif client.endpoint() is None:
        kind = _("business without a Peppol id (PDF only; give --peppol-id for an e-invoice)")
    else:
        endpoint = ":".join(client.endpoint() or ())
        kind = _("business (Peppol e-invoice to {endpoint} + PDF)", endpoint=endpoint)
    say(_("Client added: {kind}", kind=kind))
    print(client.id)
    return 0


def cmd_client_list(args: argparse.Namespace) -> int:
    books = open_books(args)
    clients = read_clients(books)
    if args.json:
        print_json([{**c.model_dump(), "business": c.is_business} for c in clients.values()])
        return 0
    if not clients:
        say(_("No clients yet. Add one with: coopledger client add --name …"))
        return 0
    for c in clients.values():
        ident = c.vat_number or c.enterprise_number or c.peppol_id or "-"
        kind = localised(N_("business") if c.is_business else N_("person"))
        print(f"{c.id}  {kind:8}  {c.country}  {ident:14}  {c.name}")
    return 0


# ---------------------------------------------------------------- the commands

group = Group("client", help=NOUNS["client"])

command(
    group, "add", cmd_client_add,
    click.option("--name", required=True, help=N_("the client's name, as on its invoices")),
    click.option("--enterprise-number", help=N_("Belgian enterprise number (KBO/BCE)")),
    click.option("--vat-number", help=N_("VAT number with country prefix, e.g. BE0123456789")),
    click.option("--address", help=N_('one line, e.g. "Rue Exemple 1, 1000 Bruxelles"')),
    click.option("--country", default="BE", metavar="CC", help=N_("ISO country code (BE)")),
    click.option("--peppol-id", metavar="SCHEME:ID", help=N_("e.g. 0208:0123456789")),
    click.option("--email", help=N_("where the client's invoices are e-mailed")),
    click.option("--lang", type=click.Choice(LANGS), help=N_("language of the client's invoices")),
    help=N_("register a client; prints its id last"),
)  # fmt: skip
command(group, "list", cmd_client_list, help=N_("every client"))
