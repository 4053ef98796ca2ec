"""SWIFT MT940 reader, on top of the ``mt-940`` library (WoLpH/mt940, BSD-3).

The library parses the tags of a whole file into one flat list of transactions; we cut
the file into statements ourselves (each begins with ``:20:``), let the library read each
one, and check ``:60F:`` + ``:61:`` = ``:62F:`` per statement. The ``:86:`` text is kept
as the communication; the common sub-field layouts (``/NAME/…/REMI/…`` and the German
``?20…?32`` one, which the library already splits) give the counterparty when present.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import logging
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import mt940

from importers.errors import BankFileError
from importers.model import Movement, Statement, content_ref
from importers.parsing import ParseResult, Problems
from importers.text import compact_account, iban_or_none, ogm_in_text, or_none, squash

_STATEMENT_START = re.compile(r"^:20:", re.MULTILINE)
_IBAN_IN_TEXT = re.compile(r"\b[A-Z]{2}\d{2}[A-Z0-9]{10,30}\b")
_SLASH_TAGS = re.compile(
    r"/(EREF|REMI|NAME|IBAN|BIC|CNTP|BENM|ORDP|MARF|CSID|ISDT|TRCD|RTRN|ADDR|PREF|ULTD|ULTC|"
    r"PURP|SVCL|NRTX|PREF|BUSP|OAMT|CHGS|EXCH|ULTB|ABWA|ABWE)/"
)


@contextlib.contextmanager
def _library_silenced() -> Iterator[None]:
    """Keep the ``mt940`` library's logging quiet while it parses.

    On a line it cannot read, the library logs the raw text of the statement (names,
    communications) at ERROR level, which Python prints on stderr when no handler is set:
    that would break the one-line error and put personal data in the terminal and logs.
    Its DEBUG messages quote every line read, too. The error we raise says which check.
    """
    library = logging.getLogger("mt940")
    level, propagate = library.level, library.propagate
    library.setLevel(logging.CRITICAL + 1)
    library.propagate = False
    try:
        yield
    finally:
        library.setLevel(level)
        library.propagate = propagate


def looks_like_mt940(data: bytes) -> bool:
    """A statement tag ``:20:`` and a balance tag ``:60F:``/``:60M:`` near the start."""
    head = data[:4096]
    return b":20:" in head and (b":60F:" in data or b":60M:" in data)


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _slash_fields(text: str) -> dict[str, str]:
    """``/TAG/value/TAG/value`` sub-fields of a structured ``:86:``."""
    flat = text.replace("\n", "")
    marks = list(_SLASH_TAGS.finditer(flat))
    fields: dict[str, str] = {}
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(flat)
        fields.setdefault(mark.group(1), flat[mark.end() : end].strip("/ "))
    return fields


def _details(data: dict[str, Any]) -> dict[str, str | None]:
    """Counterparty and communication of one ``:61:``/``:86:`` pair."""
    raw = str(data.get("transaction_details") or "")
    fields = _slash_fields(raw) if raw.lstrip().startswith("/") else {}
    name = account = bic = None
    communication = squash(raw)
    if fields:
        cntp = fields.get("CNTP", "").split("/")
        name = fields.get("NAME") or (cntp[2] if len(cntp) > 2 else None)
        account = fields.get("IBAN") or (cntp[0] if cntp and cntp[0] else None)
        bic = fields.get("BIC") or (cntp[1] if len(cntp) > 1 else None)
        remi = fields.get("REMI", "")
        communication = squash(re.sub(r"^(USTD|STRD)/+([A-Z]+/+)?", "", remi)) or communication
    purpose = data.get("purpose")
    if purpose:  # the German ?00…?63 layout, split by the library
        extra = data.get("additional_purpose") or ""
        communication = squash(f"{purpose} {extra}")
        name = data.get("applicant_name") or data.get("recipient_name") or name
        account = data.get("gvc_applicant_iban") or account
        bic = data.get("applicant_bin") or bic
    extra_details = str(data.get("extra_details") or "")
    if account is None:
        found = _IBAN_IN_TEXT.search(extra_details)
        account = found.group(0) if found else None
    return {
        "name": or_none(name),
        "account": iban_or_none(account) or compact_account(account),
        "bic": compact_account(bic),
        "communication": communication,
        "end_to_end": or_none(fields.get("EREF")) or or_none(data.get("end_to_end_reference")),
    }


def _ref(value: Any) -> str | None:
    text = str(value or "").strip()
    return None if not text or text.upper() == "NONREF" else text


def _balance(data: dict[str, Any], *keys: str) -> tuple[Decimal | None, dt.date | None, str]:
    for key in keys:
        balance = data.get(key)
        if balance is not None:
            amount = balance.amount
            return Decimal(amount.amount), dt.date(*balance.date.timetuple()[:3]), amount.currency
    return None, None, ""


def _statement(chunk: str, line: int, name: str, problems: Problems) -> Statement:
    parsed = mt940.models.Transactions()
    try:
        with _library_silenced():
            parsed.parse(chunk)
    except Exception as exc:  # the library raises many kinds; the file is what is wrong
        raise BankFileError(name, "mt940", f"unreadable statement ({type(exc).__name__})",
                            line) from None  # fmt: skip
    data = parsed.data
    account_text = str(data.get("account_identification") or "").strip()
    if not account_text:
        raise BankFileError(name, "account", "the statement has no account (:25:)", line)
    found = _IBAN_IN_TEXT.search(account_text.replace(" ", ""))
    iban = iban_or_none(found.group(0)) if found else None
    opening, opening_date, ccy_open = _balance(
        data, "final_opening_balance", "intermediate_opening_balance"
    )
    closing, closing_date, ccy_close = _balance(
        data, "final_closing_balance", "intermediate_closing_balance"
    )
    if opening is None or closing is None:
        raise BankFileError(name, "balance", "a statement needs :60F: and :62F: balances", line)
    currency = ccy_open or ccy_close
    if ccy_close and ccy_close != currency:
        raise BankFileError(name, "currency", f"opening in {currency}, closing in {ccy_close}",
                            line)  # fmt: skip
    movements = []
    contents = []
    for tx in parsed.transactions:
        tx_data = tx.data
        amount = tx_data.get("amount")
        day = tx_data.get("entry_date") or tx_data.get("date")
        if amount is None or day is None:
            raise BankFileError(name, "mt940", "a :61: line without date or amount", line)
        value = Decimal(amount.amount)
        details = _details(tx_data)
        booking = dt.date(*day.timetuple()[:3])
        value_day = tx_data.get("date")
        communication = details["communication"] or ""
        movements.append(
            Movement(
                ref=_ref(tx_data.get("bank_reference")) or "",
                bank_ref=_ref(tx_data.get("bank_reference"))
                or _ref(tx_data.get("customer_reference")),
                booking_date=booking,
                value_date=dt.date(*value_day.timetuple()[:3]) if value_day else None,
                amount=value,
                currency=amount.currency or currency,
                counterparty_name=details["name"],
                counterparty_account=details["account"],
                counterparty_bic=details["bic"],
                communication=communication,
                ogm=ogm_in_text(communication),
                transaction_code=or_none(tx_data.get("id")),
                end_to_end_id=details["end_to_end"],
                reversal=str(tx_data.get("status") or "").startswith("R"),
                line=line,
            )
        )
        contents.append((booking, value, details["account"], communication))
    refs = content_ref("m-", contents)
    movements = [
        m if m.ref else m.model_copy(update={"ref": r})
        for m, r in zip(movements, refs, strict=True)
    ]
    statement = Statement(
        format="mt940",
        account=compact_account(account_text) or account_text,
        iban=iban,
        currency=currency,
        opening_balance=opening,
        opening_date=opening_date,
        closing_balance=closing,
        closing_date=closing_date,
        sequence=or_none(str(data.get("statement_number") or "")),
        movements=tuple(movements),
        line=line,
    )
    if statement.balance_gap:
        problems(BankFileError(
            name, "balance", f"opening balance {opening} + movements {statement.total} != "
            f"closing balance {closing}", line,
        ))  # fmt: skip
    return statement


def parse_mt940(data: bytes, name: str = "<mt940>", *, strict: bool = True) -> ParseResult:
    """Read every statement (``:20:`` … ``:62F:``) of an MT940 file."""
    if not data.strip():
        raise BankFileError(name, "empty", "the file is empty")
    text = _decode(data).replace("\r\n", "\n").replace("\r", "\n")
    starts = [m.start() for m in _STATEMENT_START.finditer(text)]
    if not starts:
        raise BankFileError(name, "mt940", "no statement (:20: … :62F:) in the file")
    problems = Problems(strict)
    statements = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(text)
        chunk = text[start:end].strip()
        if chunk.endswith("\n-") or chunk == "-":
            chunk = chunk[:-1]
        line = text.count("\n", 0, start) + 1
        statements.append(_statement(chunk, line, name, problems))
    return ParseResult(statements, problems.found)
