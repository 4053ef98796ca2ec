"""Commands for participants' safety: ``participant set-payee / purge``, ``key …``.

Personal values are asked without echo or read with ``--from-file`` (:mod:`ledger.cli.prompts`),
never taken as arguments; secret keys are printed once or written outside the books.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ledger.cli.prompts import ask
from ledger.cli.support import add_books_option, date_arg, open_books, print_json
from ledger.keys import has_key, key_path, load_identities, public_keys
from ledger.participants.payees import set_payee
from ledger.participants.retention import purge
from ledger.privacy.rekey import KeyChange, add_recipient, remove_recipient, rotate

PAYEE_FIELDS = (("iban", "Payout IBAN"), ("name", "Account holder's name (as on the account)"))


def cmd_set_payee(args: argparse.Namespace) -> int:
    books = open_books(args)
    values = ask(PAYEE_FIELDS, args.from_file)
    payee = set_payee(books, args.code, values.get("iban"), values.get("name"))
    print(
        f"Payout account of {args.code} stored in the encrypted roster (IBAN ending "
        f"…{payee.iban[-4:]}); bank payouts and 'payout export' take it from there."
    )
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    books = open_books(args)
    done = purge(books, args.code, today=args.today, court_order=args.court_order)
    print(
        f"The roster record of {args.code} is erased for good ({done.reason.replace('-', ' ')}): "
        "its data key is destroyed, no version of the roster can be read for it any more. "
        "Her code stays in the books."
    )
    print(
        "Also destroy every backup of the data-key file made before today, and read "
        "docs/security.md for what a purge does not reach (archived bank statements)."
    )
    return 0


def _print_change(change: KeyChange, what: str) -> None:
    print(f"{what}: the roster and {len(change.files)} archived statement(s) are now "
          f"encrypted to {len(change.recipients)} recipient(s), committed.")  # fmt: skip
    if change.hub_key is not None:
        print(f"New hub key: {change.hub_key} (the old one is replaced; destroy its copies)")
    if change.recovery_file is not None:
        print(f"New recovery key written to {change.recovery_file}: keep it offline, apart.")
    elif change.recovery_secret is not None:
        print("New RECOVERY KEY — shown once, stored nowhere; write it down and keep it apart:")
        print(change.recovery_secret)


def cmd_key_list(args: argparse.Namespace) -> int:
    books = open_books(args)
    at_hand: set[str] = set()
    if has_key(books.config):
        at_hand = set(public_keys(load_identities(books.config, books.root)))
    rows = [{"recipient": r, "at_hand": r in at_hand} for r in books.config.roster.recipients]
    if args.json:
        print_json({"key_file": str(key_path(books.config)), "recipients": rows})
        return 0
    print(f"Hub key file: {key_path(books.config)}")
    for row in rows:
        mark = "  (the hub key at hand)" if row["at_hand"] else ""
        print(f"  {row['recipient']}{mark}")
    return 0


def cmd_key_add(args: argparse.Namespace) -> int:
    books = open_books(args)
    _print_change(add_recipient(books, args.recipient), "Recipient added")
    return 0


def cmd_key_remove(args: argparse.Namespace) -> int:
    books = open_books(args)
    _print_change(remove_recipient(books, args.recipient), "Recipient removed")
    return 0


def cmd_key_rotate(args: argparse.Namespace) -> int:
    books = open_books(args)
    recovery = Path(args.recovery_key_file) if args.recovery_key_file else None
    change = rotate(books, args.keep or [], args.add or [], recovery)
    _print_change(change, "Keys rotated")
    return 0


def register_participant(psub: Any) -> None:
    """``participant set-payee`` and ``participant purge``."""
    p = psub.add_parser("set-payee", help="store a participant's payout IBAN and name (roster)")
    add_books_option(p)
    p.add_argument("code")
    p.add_argument(
        "--from-file", metavar="FILE", help="'iban = …' and 'name = …' lines ('-': stdin); "
        "without it they are asked without echo"
    )  # fmt: skip
    p.set_defaults(func=cmd_set_payee)
    p = psub.add_parser("purge", help="erase a participant's roster record for good")
    add_books_option(p)
    p.add_argument("code")
    p.add_argument("--court-order", metavar="REF", help="purge before the retention date")
    p.add_argument("--today", type=date_arg, default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_purge)


def register(sub: Any) -> None:
    """``key list / add-recipient / remove-recipient / rotate``."""
    key = sub.add_parser("key", help="who can open the roster and the archived statements")
    ksub = key.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = ksub.add_parser("list", help="the recipients, and which key is at hand")
    add_books_option(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_key_list)
    p = ksub.add_parser("add-recipient", help="encrypt to one more key (age or SSH public key)")
    add_books_option(p)
    p.add_argument("recipient", metavar="PUBLIC_KEY")
    p.set_defaults(func=cmd_key_add)
    p = ksub.add_parser("remove-recipient", help="stop encrypting to a key")
    add_books_option(p)
    p.add_argument("recipient", metavar="PUBLIC_KEY")
    p.set_defaults(func=cmd_key_remove)
    p = ksub.add_parser("rotate", help="new hub and recovery keys; re-encrypt everything")
    add_books_option(p)
    p.add_argument("--keep", action="append", metavar="PUBLIC_KEY",
                   help="a current recipient to keep (repeat)")  # fmt: skip
    p.add_argument("--add", action="append", metavar="PUBLIC_KEY", help="a new recipient")
    p.add_argument("--recovery-key-file", metavar="FILE",
                   help="write the new recovery key there (outside the books) instead of "
                   "printing it once")  # fmt: skip
    p.set_defaults(func=cmd_key_rotate)
