"""A CODA v2 writer of our own, for tests and the demo hub.

It writes what :mod:`importers.coda` reads: records 0, 1, 2.1/2.2/2.3 (with globalised
details when a movement has :attr:`~importers.model.Movement.details`), 8 and 9, with the
trailer's count and totals, as windows-1252 bytes. It writes only consistent files: the
new balance is the old balance plus the movements.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from importers.model import Movement, Statement
from ledger import dates

CREDIT_TRANSFER_IN = "00150000"  # family 01 (domestic credit transfer), 50 received
CREDIT_TRANSFER_OUT = "00101000"  # family 01, 01 transfer
BANK_COSTS = "08037000"  # family 80 (separately charged costs), 37 costs


@dataclass(frozen=True)
class CodaHeader:
    """What a bank puts in record 0 and in the holder fields of record 1."""

    bank_id: str = "000"
    bic: str = ""
    holder: str = ""
    company_id: str = ""
    description: str = ""
    file_reference: str = ""


def _text(value: str | None, width: int) -> str:
    """Left-aligned, cut or padded to ``width``, limited to what windows-1252 encodes."""
    text = (value or "").replace("\n", " ").replace("\r", " ")
    text = text.encode("cp1252", errors="replace").decode("cp1252")
    return text[:width].ljust(width)


def _number(value: int, width: int) -> str:
    text = str(value)
    if value < 0 or len(text) > width:
        raise ValueError(f"{value} does not fit in {width} digits")
    return text.rjust(width, "0")


def _amount(value: Decimal) -> str:
    """Sign (0 credit, 1 debit) and 15 digits with 3 decimals."""
    thousandths = value.scaleb(3)
    if thousandths != thousandths.to_integral_value():
        raise ValueError(f"{value} has more than 3 decimals")
    return ("1" if value < 0 else "0") + _number(abs(int(thousandths)), 15)


def _date(value: dt.date | None) -> str:
    return value.strftime("%d%m%y") if value else "000000"


def _account_zone(statement: Statement) -> tuple[str, str]:
    """Account structure code and the 37-character account + currency zone."""
    account = statement.iban or statement.account
    structure = "2" if account.startswith("BE") else "3"
    return structure, _text(account, 34) + _text(statement.currency, 3)


class _Writer:
    def __init__(self, header: CodaHeader, statement: Statement, created: dt.date) -> None:
        self.header = header
        self.statement = statement
        self.created = created
        self.records: list[str] = []
        self.counted = 0

    def add(self, record: str, counted: bool = True) -> None:
        if len(record) != 128:
            raise AssertionError(f"record of {len(record)} characters: {record!r}")
        self.records.append(record)
        self.counted += counted

    def write(self, last: bool) -> list[str]:
        st, h = self.statement, self.header
        paper = _number(int(st.sequence or "0") % 1000, 3)
        duplicate = "D" if st.duplicate else " "
        self.add(
            "00000" + _date(self.created) + _text(h.bank_id, 3) + "05" + duplicate + " " * 7
            + _text(h.file_reference, 10) + _text(h.holder, 26) + _text(h.bic, 11)
            + _text(h.company_id, 11) + " " + "00000" + " " * 16 + " " * 16 + " " * 7
            + "2",
            counted=False,
        )  # fmt: skip
        structure, zone = _account_zone(st)
        opening = st.opening_balance or Decimal(0)
        self.add(
            "1" + structure + paper + zone + _amount(opening) + _date(st.opening_date)
            + _text(h.holder, 26) + _text(h.description, 35) + paper
        )  # fmt: skip
        for number, movement in enumerate(st.movements, start=1):
            self.movement(number, movement, paper)
        closing = opening + st.total
        if st.closing_balance is not None and st.closing_balance != closing:
            raise ValueError(f"{st.label}: closing balance {st.closing_balance} != {closing}")
        self.add("8" + paper + zone + _amount(closing) + _date(st.closing_date) + " " * 64 + "0")
        debit = sum((-m.amount for m in st.movements if m.amount < 0), Decimal(0))
        credit = sum((m.amount for m in st.movements if m.amount > 0), Decimal(0))
        self.add(
            "9" + " " * 15 + _number(self.counted, 6) + _amount(debit)[1:] + _amount(credit)[1:]
            + " " * 75 + ("2" if last else "1"),
            counted=False,
        )  # fmt: skip
        return self.records

    def movement(self, number: int, movement: Movement, paper: str) -> None:
        code = movement.transaction_code or (
            CREDIT_TRANSFER_IN if movement.amount > 0 else CREDIT_TRANSFER_OUT
        )
        if movement.details:
            code = "1" + code[1:]
        self.group(number, 0, movement, code, paper, "1" if movement.details else "0")
        for index, detail in enumerate(movement.details, start=1):
            part = Movement(
                ref="",
                booking_date=movement.booking_date,
                value_date=movement.value_date,
                amount=detail.amount if detail.amount is not None else Decimal(0),
                currency=movement.currency,
                counterparty_name=detail.counterparty_name,
                counterparty_account=detail.counterparty_account,
                communication=detail.communication,
                ogm=detail.ogm,
                end_to_end_id=detail.end_to_end_id,
            )
            self.group(number, index, part, "5" + code[1:], paper, "0")

    def group(
        self, number: int, detail: int, m: Movement, code: str, paper: str, globalisation: str
    ) -> None:
        seq = _number(number, 4) + _number(detail, 4)
        if m.ogm:
            flag, comm = "1", "101" + m.ogm
        else:
            flag, comm = "0", m.communication
        comm = _text(comm, 149)
        parts_22 = bool(comm[53:106].strip() or m.counterparty_bic or m.end_to_end_id)
        parts_23 = bool(comm[106:].strip() or m.counterparty_name or m.counterparty_account)
        nxt = "1" if (parts_22 or parts_23) else "0"
        self.add(
            "21" + seq + _text(m.bank_ref, 21) + _amount(m.amount) + _date(m.value_date)
            + code + flag + comm[:53] + _date(m.booking_date) + paper + globalisation + nxt
            + " 0"
        )  # fmt: skip
        if parts_22 or parts_23:
            self.add(
                "22" + seq + comm[53:106] + _text(m.end_to_end_id, 35)
                + _text(m.counterparty_bic, 11) + " " * 3 + " " + " " * 4 + " " * 4 + " " * 4
                + ("1" if parts_23 else "0") + " 0"
            )  # fmt: skip
        if parts_23:
            self.add(
                "23" + seq + _text(m.counterparty_account, 37) + _text(m.counterparty_name, 35)
                + comm[106:149] + "0 0"
            )  # fmt: skip


def write_coda(
    statements: Sequence[Statement],
    header: CodaHeader | None = None,
    *,
    created: dt.date | None = None,
    newline: str = "\n",
) -> bytes:
    """CODA v2 bytes (windows-1252) holding ``statements`` one after the other."""
    header = header or CodaHeader()
    lines: list[str] = []
    for index, statement in enumerate(statements):
        day = created or statement.closing_date or statement.opening_date or dates.today()
        last = index == len(statements) - 1
        lines.extend(_Writer(header, statement, day).write(last))
    return (newline.join(lines) + newline).encode("cp1252")
