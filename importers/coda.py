"""CODA v2 (Febelfin "coded statement of account") reader.

A CODA file is a sequence of 128-character records read as windows-1252 bytes. One
physical file may hold several statements (``0 1 {2 3}* 8 4* 9`` each; an "empty"
statement is ``0 1 4* 9``). Field positions follow Febelfin's CODA 2.4/2.6 description
(see docs/importing.md and the project's domain notes); Python slices are 0-based.

Two kinds of checks run:

* *structure* — record length, encoding, record order, numeric fields, dates, version.
  A file that fails one cannot be read at all: :class:`BankFileError`, always.
* *consistency* — old balance plus movements equals new balance, trailer count and totals,
  the same account in records 1 and 8. :func:`parse_coda` raises on the first one; with
  ``strict=False`` (used to survey hand-edited sample files) the problems are returned
  beside the statements instead.

Globalisation: only movement records with detail number ``0000`` move money; detail
records (``0001``…) are kept as :class:`~importers.model.Detail` information.
Structured communication types 101 and 102 are Belgian OGMs; other structured types are
kept with their type and raw reference.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from importers.errors import BankFileError
from importers.model import Detail, Movement, Statement, batch_gap
from importers.parsing import ParseResult, Problems
from importers.text import compact_account, format_ogm, iban_or_none, or_none, squash, valid_ogm
from ledger.i18n import _

RECORD_LENGTH = 128
OGM_TYPES = frozenset({"101", "102"})
R_TYPES = "12345"


@dataclass(frozen=True)
class Record:
    """One 128-character record and the line it came from."""

    line: int
    text: str

    @property
    def kind(self) -> str:
        """``0``, ``1``, ``21``, ``22``, ``23``, ``31``, ``32``, ``33``, ``4``, ``8``, ``9``."""
        head = self.text[0]
        return head + self.text[1] if head in "23" else head


# ---------------------------------------------------------------- reading records


def looks_like_coda(data: bytes) -> bool:
    """Whether the bytes start like a CODA file: a 128-character header record ``00000…``."""
    head = data[: RECORD_LENGTH + 8]
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    return len(first) >= 128 and first[:5] == b"00000" and first[5:11].isdigit()


CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f]")  # one search a record, not a loop a character


def read_records(data: bytes, name: str) -> list[Record]:
    """Split a CODA file into records, checking encoding, line endings and lengths."""
    if not data.strip():
        raise BankFileError(name, "empty", _("the file is empty"))
    for bom, label in ((codecs.BOM_UTF8, "UTF-8"), (codecs.BOM_UTF16_LE, "UTF-16"),
                       (codecs.BOM_UTF16_BE, "UTF-16")):  # fmt: skip
        if data.startswith(bom):
            raise BankFileError(
                name,
                "encoding",
                _(
                    "the file starts with a {label} byte order mark: CODA is plain windows-1252 "
                    "(was it re-saved by an editor? download it again from the bank)",
                    label=label,
                ),
                line=1,
            )
    records = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if not raw:
            continue
        if b"\r" in raw:
            raise BankFileError(
                name, "line endings", _("a carriage return inside a record"), number
            )
        if len(raw) != RECORD_LENGTH:
            _wrong_length(name, number, raw)
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise BankFileError(
                name,
                "encoding",
                _(
                    "byte 0x{byte:02x} at column {start} is not windows-1252",
                    byte=raw[exc.start],
                    start=exc.start + 1,
                ),
                number,
            ) from None
        control = CONTROL_CHARACTER.search(text)
        if control is not None:
            bad = control.start()
            raise BankFileError(
                name,
                "encoding",
                _(
                    "control character 0x{code:02x} at column {column}",
                    code=ord(text[bad]),
                    column=bad + 1,
                ),
                number,
            )
        records.append(Record(number, text))
    return records


def _wrong_length(name: str, number: int, raw: bytes) -> None:
    if len(raw) > RECORD_LENGTH:
        try:
            as_utf8 = raw.decode("utf-8")
        except UnicodeDecodeError:
            as_utf8 = ""
        if len(as_utf8) == RECORD_LENGTH:
            raise BankFileError(
                name,
                "encoding",
                _(
                    "the record is {count} bytes but 128 characters once read as UTF-8: the "
                    "file was re-encoded to UTF-8, CODA is windows-1252 (download it again from "
                    "the bank, do not open and save it in an editor)",
                    count=len(raw),
                ),
                number,
            )
    raise BankFileError(
        name,
        "record length",
        _("the record has {count} characters, expected 128", count=len(raw)),
        number,
    )


# ---------------------------------------------------------------- fields


class _Fields:
    """Field readers that name the file, line and field when a value is malformed."""

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, record: Record, check: str, detail: str) -> BankFileError:
        return BankFileError(self.name, check, detail, record.line)

    def digits(self, record: Record, start: int, end: int, what: str) -> str:
        value = record.text[start:end]
        if not value.isdigit() or not value.isascii():
            raise self.fail(
                record, what, _("columns {start}-{end} are not digits", start=start + 1, end=end)
            )
        return value

    def amount(self, record: Record, sign_at: int, what: str) -> Decimal:
        """A sign (``0`` credit, ``1`` debit) followed by 15 digits with 3 decimals."""
        sign = record.text[sign_at]
        if sign not in "01":
            raise self.fail(
                record,
                what,
                _(
                    "sign {sign!r} at column {sign_at} is not 0 or 1",
                    sign=sign,
                    sign_at=sign_at + 1,
                ),
            )
        value = _thousandths(self.digits(record, sign_at + 1, sign_at + 16, what))
        return -value if sign == "1" else value

    def optional_date(self, record: Record, start: int, what: str) -> dt.date | None:
        """A DDMMYY date where ``000000`` means "unknown"."""
        if record.text[start : start + 6] == "000000":
            return None
        return self.date(record, start, what)

    def date(self, record: Record, start: int, what: str) -> dt.date:
        """A DDMMYY date."""
        text = self.digits(record, start, start + 6, what)
        day, month, year = int(text[0:2]), int(text[2:4]), int(text[4:6])
        try:
            return dt.date(2000 + year if year < 80 else 1900 + year, month, day)
        except ValueError:
            raise self.fail(
                record, what, _("{text!r} is not a date (DDMMYY)", text=text)
            ) from None


# ---------------------------------------------------------------- statements


@dataclass
class _MovementDraft:
    """Records 2.x of one (sequence, detail) pair, and records 3.x attached to it."""

    first: Record
    sequence: str
    detail: str
    parts: dict[str, Record] = field(default_factory=dict)
    information: list[str] = field(default_factory=list)
    children: list[_MovementDraft] = field(default_factory=list)


@dataclass
class _StatementDraft:
    header: Record
    old: Record | None = None
    new: Record | None = None
    trailer: Record | None = None
    movements: list[_MovementDraft] = field(default_factory=list)
    free: list[str] = field(default_factory=list)
    counted: int = 0  # records of types 1, 2, 3 and 8 (what the trailer counts)


class _Reader:
    """Walks the records of one file, checking their order, and builds statements."""

    def __init__(self, name: str, strict: bool) -> None:
        self.name = name
        self.fields = _Fields(name)
        self.problem = Problems(strict)

    def order(self, record: Record, detail: str) -> BankFileError:
        return self.fields.fail(record, "record order", detail)

    # -- grouping ---------------------------------------------------------------------

    def group(self, records: list[Record]) -> list[_StatementDraft]:
        drafts: list[_StatementDraft] = []
        current: _StatementDraft | None = None
        last_group: _MovementDraft | None = None  # the (sequence, detail) being continued
        last_article = ""
        info_group: tuple[str, str] | None = None
        for record in records:
            kind = record.kind
            if kind == "0":
                if current is not None:
                    raise self.order(
                        record,
                        _(
                            "a new header (record 0) before the trailer "
                            "(record 9) of the previous statement"
                        ),
                    )
                version = record.text[127]
                if version != "2":
                    raise self.fields.fail(
                        record,
                        "version",
                        _(
                            "CODA version {version!r} is not supported (only version 2)",
                            version=version,
                        ),
                    )
                current = _StatementDraft(header=record)
                drafts.append(current)
                last_group, last_article, info_group = None, "", None
                continue
            if current is None:
                raise self.order(
                    record,
                    _("record {label} before any header (record 0)", label=_label(kind))
                    if kind in _KNOWN
                    else _("unknown record type {text!r}", text=record.text[:2]),
                )
            if kind not in _KNOWN:
                raise self.order(record, _("unknown record type {text!r}", text=record.text[:2]))
            if kind == "1":
                if current.old is not None:
                    raise self.order(record, _("a second old balance (record 1)"))
                current.old = record
                current.counted += 1
                continue
            if current.old is None:
                raise self.order(
                    record,
                    _("record {label} before the old balance (record 1)", label=_label(kind)),
                )
            if kind == "9":
                if current.movements and current.new is None:
                    raise self.order(
                        record, _("trailer (record 9) without a new balance (record 8)")
                    )
                current.trailer = record
                current = None
                continue
            if kind == "8":
                if current.new is not None:
                    raise self.order(record, _("a second new balance (record 8)"))
                current.new = record
                current.counted += 1
                continue
            if kind == "4":
                if current.new is None and current.movements:
                    raise self.order(
                        record,
                        _("free communication (record 4) before the new balance (record 8)"),
                    )
                current.free.append(squash(record.text[32:112]))
                continue
            # Records 2.x and 3.x.
            if current.new is not None or current.free:
                raise self.order(
                    record,
                    _(
                        "record {label} after the new balance or a free communication",
                        label=_label(kind),
                    ),
                )
            current.counted += 1
            sequence = self.fields.digits(record, 2, 6, "sequence number")
            detail = self.fields.digits(record, 6, 10, "detail number")
            if kind == "21":
                last_group = self.start_movement(record, current, sequence, detail)
                last_article, info_group = "1", None
            elif kind in ("22", "23"):
                article = kind[1]
                if (
                    last_group is None
                    or (last_group.sequence, last_group.detail) != (sequence, detail)
                    or last_article not in _BEFORE[article]
                ):
                    raise self.order(
                        record,
                        _(
                            "record {label} {sequence}/{detail} does not follow its record 2.1",
                            label=_label(kind),
                            sequence=sequence,
                            detail=detail,
                        ),
                    )
                last_group.parts[article] = record
                last_article = article
            else:
                main = current.movements[-1] if current.movements else None
                if kind == "31":
                    if main is None or main.sequence != sequence:
                        raise self.order(
                            record,
                            _(
                                "information record 3.1 {sequence}/{detail} "
                                "does not follow its movement",
                                sequence=sequence,
                                detail=detail,
                            ),
                        )
                    info_group = (sequence, detail)
                    main.information.append(_information_31(record))
                else:
                    if main is None or info_group != (sequence, detail):
                        raise self.order(
                            record,
                            _(
                                "record {label} {sequence}/{detail} "
                                "does not follow its record 3.1",
                                label=_label(kind),
                                sequence=sequence,
                                detail=detail,
                            ),
                        )
                    main.information.append(
                        squash(record.text[10:115] if kind == "32" else record.text[10:100])
                    )
                last_group, last_article = None, ""
        if current is not None:
            raise BankFileError(
                self.name,
                "truncated",
                _("the file ends before the trailer (record 9) of its last statement"),
                records[-1].line if records else None,
            )
        if not drafts:
            raise BankFileError(self.name, "record order", _("no header (record 0)"))
        return drafts

    def start_movement(
        self, record: Record, statement: _StatementDraft, sequence: str, detail: str
    ) -> _MovementDraft:
        draft = _MovementDraft(first=record, sequence=sequence, detail=detail)
        mains = statement.movements
        if detail == "0000":
            if mains and int(sequence) <= int(mains[-1].sequence):
                raise self.fields.fail(
                    record,
                    "sequence",
                    _(
                        "movement {sequence} follows movement {previous}",
                        sequence=sequence,
                        previous=mains[-1].sequence,
                    ),
                )
            mains.append(draft)
            return draft
        if not mains or mains[-1].sequence != sequence:
            raise self.fields.fail(
                record,
                "sequence",
                _(
                    "detail {sequence}/{detail} does not belong to the movement before it",
                    sequence=sequence,
                    detail=detail,
                ),
            )
        seen = [c.detail for c in mains[-1].children]
        if seen and int(detail) <= int(seen[-1]):
            raise self.fields.fail(
                record,
                "sequence",
                _(
                    "detail {sequence}/{detail} follows detail {sequence}/{seen}",
                    sequence=sequence,
                    detail=detail,
                    seen=seen[-1],
                ),
            )
        mains[-1].children.append(draft)
        return draft

    # -- building -----------------------------------------------------------------------

    def statement(self, draft: _StatementDraft) -> Statement:
        f = self.fields
        header, old = draft.header, draft.old
        assert old is not None and draft.trailer is not None  # ensured by group()
        created = f.date(header, 5, "creation date")
        account, iban, currency = self.account(old)
        opening = f.amount(old, 42, "old balance")
        opening_date = f.date(old, 58, "old balance date")
        sequence = old.text[125:128]
        if not sequence.isdigit():
            raise f.fail(old, "statement number", _("columns 126-128 are not digits"))
        closing, closing_date = opening, opening_date
        closing_line = old.line
        if draft.new is not None:
            new = draft.new
            if new.text[4:41] != old.text[5:42]:
                self.problem(
                    f.fail(
                        new,
                        "account",
                        _(
                            "the new balance (record 8) is for another "
                            "account than the old balance (line {line})",
                            line=old.line,
                        ),
                    )
                )
            closing = f.amount(new, 41, "new balance")
            closing_date = f.date(new, 57, "new balance date")
            closing_line = new.line
        movements = [self.movement(m, currency, sequence) for m in draft.movements]
        result = Statement(
            format="coda",
            account=account,
            iban=iban,
            currency=currency,
            opening_balance=opening,
            opening_date=opening_date,
            closing_balance=closing,
            closing_date=closing_date,
            from_date=opening_date + dt.timedelta(days=1),
            sequence=sequence,
            created=created,
            duplicate=header.text[16] == "D",
            movements=tuple(movements),
            information=tuple(t for t in draft.free if t),
            line=old.line,
            opening_line=old.line,
            closing_line=closing_line,
        )
        self.check_totals(draft, result)
        for movement in result.movements:
            gap = batch_gap(movement)
            if gap:
                self.problem(BankFileError(
                    self.name, "batch", _("movement {ref}: its details add up to "
                    "{amount:.3f}, the movement is {movement_amount:.3f}",
                    ref=movement.ref[-4:], amount=movement.amount - gap,
                    movement_amount=movement.amount),
                    movement.line,
                ))  # fmt: skip
        return result

    def account(self, old: Record) -> tuple[str, str | None, str]:
        """The account (as given), its IBAN when it is one, and the currency."""
        structure, zone = old.text[1], old.text[5:42]
        if structure == "0":  # Belgian BBAN: 12 digits, blank, currency
            account, currency = zone[0:12], zone[13:16]
            if not account.isdigit():
                raise self.fields.fail(
                    old,
                    "account",
                    _("columns 6-17 are not a Belgian account number (structure 0)"),
                )
        elif structure in "123":  # 1 foreign BBAN, 2 Belgian IBAN, 3 foreign IBAN
            account, currency = zone[0:34].strip(), zone[34:37]
            if structure == "2":
                account = zone[0:31].strip()
        else:
            raise self.fields.fail(
                old, "account", _("unknown account structure {structure!r}", structure=structure)
            )
        if not account or not currency.isalpha() or not currency.isupper():
            raise self.fields.fail(
                old, "account", _("no account number or currency in the old balance record")
            )
        compact = compact_account(account) or account
        iban = iban_or_none(compact) if structure in "023" else None
        return compact, iban, currency

    def movement(self, draft: _MovementDraft, currency: str, statement_no: str) -> Movement:
        """The movement of a detail-0000 record group, its details attached."""
        main = self.read_movement(draft, currency, ref="")
        details = tuple(
            Detail(
                sequence=f"{child.sequence}/{child.detail}",
                amount=detail.amount,
                counterparty_name=detail.counterparty_name,
                counterparty_account=detail.counterparty_account,
                counterparty_bic=detail.counterparty_bic,
                communication=detail.communication,
                ogm=detail.ogm,
                structured_type=detail.structured_type,
                structured_ref=detail.structured_ref,
                end_to_end_id=detail.end_to_end_id,
                bank_ref=detail.bank_ref,
                transaction_code=detail.transaction_code,
            )
            for child in draft.children
            for detail in [self.read_movement(child, currency, ref="")]
        )
        ref = f"{main.booking_date:%Y%m%d}-{statement_no}-{draft.sequence}"
        return main.model_copy(update={"ref": ref, "details": details})

    def read_movement(self, draft: _MovementDraft, currency: str, ref: str) -> Movement:
        """Every field of one group of records 2.1/2.2/2.3 (and its records 3.x)."""
        f, r21 = self.fields, draft.first
        r22, r23 = draft.parts.get("2"), draft.parts.get("3")
        code = f.digits(r21, 53, 61, "transaction code")
        flag = r21.text[61]
        if flag not in "01":
            raise f.fail(
                r21, "communication", _("communication type {flag!r} is not 0 or 1", flag=flag)
            )
        zone = r21.text[62:115]
        zone += (r22.text[10:63] if r22 else "") + (r23.text[82:125] if r23 else "")
        ogm = structured_type = structured_ref = None
        if flag == "1":
            structured_type, data = zone[0:3], zone[3:]
            if structured_type in OGM_TYPES:
                ogm = valid_ogm(data[0:12])
                structured_ref = data[0:12].strip() or None
                communication = format_ogm(ogm) if ogm else squash(data)
            else:
                structured_ref = or_none(data)
                communication = squash(data)
        else:
            communication = squash(zone)
        r_transaction = None
        # Record 2.2: columns 110-112 blank, 113 the R-transaction type (1 reject, 2 return,
        # 3 refund, 4 reversal, 5 cancellation), 114-117 the ISO reason. Some banks' older
        # files fill columns 110-127 with their own data: that is not an R-transaction.
        if r22 is not None and not r22.text[109:112].strip() and r22.text[112] in R_TYPES:
            r_transaction = f"{r22.text[112]}/{r22.text[113:117].strip()}".rstrip("/")
        account, name = _counterparty(r23)
        return Movement(
            ref=ref,
            bank_ref=or_none(r21.text[10:31]),
            booking_date=f.date(r21, 115, "entry date"),
            value_date=f.optional_date(r21, 47, "value date"),
            amount=f.amount(r21, 31, "amount"),
            currency=currency,
            counterparty_name=name,
            counterparty_account=account,
            counterparty_bic=compact_account(r22.text[98:109]) if r22 else None,
            communication=communication,
            ogm=ogm,
            structured_type=structured_type,
            structured_ref=structured_ref,
            transaction_code=code,
            end_to_end_id=or_none(r22.text[63:98]) if r22 else None,
            r_transaction=r_transaction,
            information=tuple(t for t in draft.information if t),
            line=r21.line,
        )

    def check_totals(self, draft: _StatementDraft, statement: Statement) -> None:
        f = self.fields
        trailer = draft.trailer
        assert trailer is not None
        count = int(f.digits(trailer, 16, 22, "trailer"))
        debit = _thousandths(f.digits(trailer, 22, 37, "trailer"))
        credit = _thousandths(f.digits(trailer, 37, 52, "trailer"))
        debits = sum((-m.amount for m in statement.movements if m.amount < 0), Decimal(0))
        credits = sum((m.amount for m in statement.movements if m.amount > 0), Decimal(0))
        gap = statement.balance_gap
        if gap:
            self.problem(
                f.fail(
                    draft.new or draft.old or trailer,
                    "balance",
                    _(
                        "old balance {opening_balance:.3f} + movements "
                        "{total:.3f} != new balance {closing_balance:.3f}",
                        opening_balance=statement.opening_balance,
                        total=statement.total,
                        closing_balance=statement.closing_balance,
                    ),
                )
            )
        if count != draft.counted:
            self.problem(
                f.fail(
                    trailer,
                    "trailer",
                    _(
                        "record count {count} != {counted} records of types 1, 2, 3 and 8",
                        count=count,
                        counted=draft.counted,
                    ),
                )
            )
        if debit != debits:
            self.problem(
                f.fail(
                    trailer,
                    "trailer",
                    _(
                        "total debit {debit:.3f} != sum of movements {debits:.3f}",
                        debit=debit,
                        debits=debits,
                    ),
                )
            )
        if credit != credits:
            self.problem(
                f.fail(
                    trailer,
                    "trailer",
                    _(
                        "total credit {credit:.3f} != sum of movements {credits:.3f}",
                        credit=credit,
                        credits=credits,
                    ),
                )
            )


_KNOWN = frozenset({"1", "21", "22", "23", "31", "32", "33", "4", "8", "9"})
_BEFORE = {"2": {"1"}, "3": {"1", "2"}}


def _thousandths(digits: str) -> Decimal:
    """CODA amounts: 15 digits, the last 3 are decimals."""
    return Decimal(int(digits)).scaleb(-3)


def _label(kind: str) -> str:
    return f"{kind[0]}.{kind[1]}" if len(kind) == 2 else kind


def _information_31(record: Record) -> str:
    text = record.text[40:113]
    if record.text[39] == "1":  # structured: type then data
        return squash(f"{text[0:3]}: {text[3:]}")
    return squash(text)


def _counterparty(r23: Record | None) -> tuple[str | None, str | None]:
    """Counterparty account (IBAN when valid, else as given) and name from record 2.3."""
    if r23 is None:
        return None, None
    zone = r23.text[10:47]
    if zone[0:12].isdigit() and zone[12] == " ":  # old Belgian account number
        raw = zone[0:12]
    else:
        raw = zone[0:34].split(" ")[0] if zone[0:34].strip() else ""
    account = iban_or_none(raw) or compact_account(raw)
    return account, or_none(r23.text[47:82])


# ---------------------------------------------------------------- entry point


def parse_coda(data: bytes, name: str = "<coda>", *, strict: bool = True) -> ParseResult:
    """Read every statement of a CODA file.

    With ``strict`` (the default) the first failed check raises :class:`BankFileError`;
    otherwise consistency problems are collected in :attr:`ParseResult.problems`.
    """
    reader = _Reader(name, strict)
    drafts = reader.group(read_records(data, name))
    statements = [reader.statement(d) for d in drafts]
    return ParseResult(statements, reader.problem.found)
