"""SWIFT MT940 (customer statement message) reader — our own, strict.

An MT940 file is a sequence of messages, each one statement (or one page of a long one):
``:20:`` reference, ``:25:`` account, ``:28C:`` statement number, ``:60F:``/``:60M:``
opening balance, then ``:61:`` statement lines each optionally followed by ``:86:``
information, then ``:62F:``/``:62M:`` closing balance, ``:64:``/``:65:`` available
balances and an optional closing ``:86:``. We read the dialects banks really write
(docs/importing.md measures them on public files):

* the SWIFT envelope (``{1:…}{2:…}{4:`` … ``-}{5:…}``), ``-`` separators, none at all, and
  the bank's own header lines before ``:20:`` (``ABNANL2A``/``940``, ``:940:``, ``0000 01…``);
* a ``:61:`` wrapped onto a second line, and the free-text line (supplementary details)
  after it; a ``:28C:`` wrapped onto the next line; ``:86:`` over several lines, including
  lines that look like a tag (a wrapped time ``16:26:37``); consecutive ``:86:`` fields;
* ``:25:`` with a BIC before the account or the currency after it (``NL…393 EUR`` or
  ``…393EUR``), ``:25P:``; amounts with a decimal comma (or, in old exports, a point);
  reversal marks ``RC``/``RD``; funds codes; an entry date in the next year;
* ``:86:`` sub-fields: the slash codes of Dutch and Belgian banks (``/EREF/``, ``/CNTP/``,
  ``/ORDP//NAME/``, ``/REMI/USTD//…``, ``/REMI/STRD/…``, ``/RTRN/``…), the German
  ``?20…?63`` layout, or free text with an OGM written ``+++…+++``.

Every check names the tag and the line: a file whose content does not add up is refused
(``balance``: opening + statement lines = closing), one we cannot read says which field
is malformed and what was expected. Personal values (names, texts) are never quoted in a
message; only numbers, dates and codes are.
"""

from __future__ import annotations

import calendar
import codecs
import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from importers.errors import BankFileError, UnsupportedFormatError
from importers.model import Movement, Statement, content_ref
from importers.parsing import ParseResult, Problems
from importers.text import (
    compact_account,
    format_ogm,
    iban_in_text,
    iban_or_none,
    ogm_in_text,
    or_none,
    squash,
    valid_ogm,
)
from ledger.i18n import _

LINE_WIDTH = 65  # SWIFT wraps :86: at 65 characters, in the middle of a word if need be
MT940_TAGS = frozenset(
    {
        "20",
        "21",
        "25",
        "25P",
        "28",
        "28C",
        "60F",
        "60M",
        "61",
        "86",
        "62F",
        "62M",
        "64",
        "65",
        "NS",
    }
)
MT942_TAGS = frozenset({"13", "13D", "34F", "90C", "90D"})
FREE_TEXT = frozenset({"61", "86", "NS"})  # fields whose next lines may look like tags

_TAG = re.compile(r"^:(\d{2}[A-Z]?|NS):")
_ENVELOPE = re.compile(r"^(?:\{[1-3]:(?:[^{}]|\{[^{}]*\})*\})*\{4:")
_END = re.compile(r"^(?:-\}?(?:\{.*)?|\}|\{5:.*)$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_BALANCE = re.compile(r"(?P<mark>[CD])(?P<date>\d{6})(?P<ccy>[A-Z]{3})(?P<amount>\d+(?:[,.]\d*)?)")
_STATEMENT_LINE = re.compile(
    r"(?P<value>\d{6})(?P<entry>\d{4})?(?P<mark>R?[CD])(?P<funds>[A-Z])?"
    r"(?P<amount>\d+(?:[,.]\d*)?)(?P<type>[NSF][A-Z0-9]{2}[A-Z0-9 ])?"
    r"(?P<cref>.*?)(?://(?P<bref>.*))?"
)
_STATEMENT_NUMBER = re.compile(r"\s*(?P<number>[0-9A-Z ]*?)\s*(?:/\s*(?P<page>\d+))?\s*")
_BIC_PREFIX = re.compile(r"(?P<bic>[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)[/ ]+(?P<rest>\S.*)")
_SLASH_CODES = (
    "EREF|PREF|KREF|MARF|CSID|CNTP|ORDP|BENM|NAME|ADDR|IBAN|BIC|ID|REMI|RTRN|TRTP|TRCD|PURP|"
    "ULTC|ULTD|ULTB|SVCL|OAMT|OCMT|CHGS|EXCH|BUSP|ISDT|IREF|CRNM|CACT|CBIC|DRNM|DACT|DBIC|"
    "OPRP|NRTX|ABWA|ABWE"
)
_SLASH_MARK = re.compile(rf"/({_SLASH_CODES})/")
_GERMAN = re.compile(r"^\d{3}\s*\?")
_GERMAN_SUB = re.compile(r"\?(\d{2})")
_SEPA_KEYWORDS = re.compile(r"(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|COAM|OAMT|IBAN|BIC)\+")
_NOT_A_REFERENCE = frozenset({"", "NONREF", "NOTPROVIDED", "NONE"})

# What may follow each tag inside one message (None: the message may end here).
_NEXT: dict[str, frozenset[str | None]] = {
    "20": frozenset({"21", "25", "25P"}),
    "21": frozenset({"25", "25P"}),
    "25": frozenset({"28", "28C"}),
    "28": frozenset({"60"}),
    "60": frozenset({"61", "62"}),
    "61": frozenset({"61", "86", "62"}),
    "86": frozenset({"61", "86", "62"}),
    "62": frozenset({"64", "65", "86c", None}),
    "64": frozenset({"65", "86c", None}),
    "65": frozenset({"65", "86c", None}),
    "86c": frozenset({"86c", None}),
}
_LABEL = {
    "20": _("transaction reference"),
    "25": _("account"),
    "28": _("statement number"),
    "60": _("opening balance"),
    "61": _("statement line"),
    "86": _("information"),
    "62": _("closing balance"),
    "64": _("closing available balance"),
    "65": _("forward available balance"),
}


@dataclass
class _Field:
    """One field: its tag, the line it starts on, and its lines (the first without the tag)."""

    tag: str
    line: int
    lines: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """The tag without its letter option (``60F`` → ``60``, ``25P`` → ``25``)."""
        return "NS" if self.tag == "NS" else self.tag[:2]

    @property
    def value(self) -> str:
        """The lines joined as one text: a full 65-character line runs on into the next
        one (SWIFT breaks words there), any other line break is a space."""
        out = ""
        for index, text in enumerate(self.lines):
            if index:
                previous = self.lines[index - 1]
                if len(previous) < LINE_WIDTH or previous.endswith(" "):
                    out += " "
            out += text.rstrip()
        return out

    @property
    def first(self) -> str:
        return self.lines[0].strip() if self.lines else ""


@dataclass
class _Message:
    """The fields of one message (one statement, or one page of a long statement)."""

    line: int
    fields: list[_Field] = field(default_factory=list)

    def one(self, kind: str) -> _Field | None:
        return next((f for f in self.fields if f.kind == kind), None)


# ---------------------------------------------------------------- recognising


def looks_like_mt940(data: bytes) -> bool:
    """A statement tag ``:20:`` near the start and a balance ``:60F:``/``:60M:`` (or, to
    refuse it by name, the ``:34F:``/``:13D:`` of an MT942 interim report)."""
    head = data[:4096]
    if b":20:" not in head:
        return False
    return b":60F:" in data or b":60M:" in data or is_mt942(data)


def is_mt942(data: bytes) -> bool:
    """An MT942 interim transaction report: no booked balances, not a statement."""
    return (
        b":60F:" not in data
        and b":60M:" not in data
        and (b"\n:34F:" in data or b"\n:13D:" in data or data.startswith((b":34F:", b":13D:")))
    )


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


# ---------------------------------------------------------------- fields and messages


class _Reader:
    def __init__(self, name: str, strict: bool) -> None:
        self.name = name
        self.problem = Problems(strict)

    def fail(self, line: int | None, check: str, detail: str) -> BankFileError:
        return BankFileError(self.name, check, detail, line)

    # -- splitting the text into messages and fields --------------------------------

    def messages(self, text: str) -> list[_Message]:
        messages: list[_Message] = []
        current: _Message | None = None
        state = ""  # the last tag kind of the current message
        for number, raw in enumerate(text.split("\n"), start=1):
            line = raw.strip("\x01\x03\x1a").rstrip("\r")
            if not line.strip():
                continue
            envelope = _ENVELOPE.match(line)
            if envelope:
                line = line[envelope.end() :]
                if not line.strip():
                    continue
            if _END.match(line.strip()):
                if current is not None and state not in ("62", "64", "65", "86c"):
                    raise self.fail(
                        number,
                        "mt940",
                        _(
                            "the statement of line {line} ends before its closing balance (:62F:)",
                            line=current.line,
                        ),
                    )
                current, state = None, ""
                continue
            tag = self.tag_of(line, number, current, state)
            if tag is None:
                if current is None:
                    continue  # the bank's own header lines before :20: (ABNANL2A, 940…)
                if state in ("62", "64", "65"):
                    # The statement is complete: the next one's header lines, in a file
                    # that does not end its statements with "-".
                    current, state = None, ""
                    continue
                last = current.fields[-1]
                if last.kind not in FREE_TEXT and last.kind not in ("28", "25"):
                    raise self.fail(
                        number,
                        "mt940",
                        _(
                            "a line after :{tag}: that is no field (a field starts with :NN:)",
                            tag=last.tag,
                        ),
                    )
                last.lines.append(_CONTROL.sub(" ", line))
                continue
            value = line[len(tag) + 2 :]
            if tag == "20":
                if current is not None and state not in ("62", "64", "65", "86c"):
                    raise self.fail(
                        number,
                        "mt940",
                        _(
                            "a new statement (:20:) before the "
                            "closing balance (:62F:) of the one of line "
                            "{line}",
                            line=current.line,
                        ),
                    )
                current, state = _Message(number), ""
                messages.append(current)
            elif current is None:
                raise self.fail(
                    number,
                    "mt940",
                    _(":{tag}: outside a statement (every statement starts with :20:)", tag=tag),
                )
            kind = self.kind_at(tag, state)
            current.fields.append(_Field(tag, number, [_CONTROL.sub(" ", value)]))
            if kind != "NS":
                state = kind
        if current is not None and state not in ("62", "64", "65", "86c"):
            raise self.fail(
                current.line,
                "truncated",
                _("the file ends before the closing balance (:62F:) of its last statement"),
            )
        return messages

    def tag_of(self, line: str, number: int, current: _Message | None, state: str) -> str | None:
        """The tag a line starts, or None when it continues the field before it.

        A line that looks like a tag but cannot come here (``:26:37`` of a time wrapped
        inside an ``:86:``) continues a free-text field; anywhere else it is an error."""
        match = _TAG.match(line)
        if match is None:
            return None
        tag = match.group(1)
        last = current.fields[-1].kind if current is not None and current.fields else ""
        if tag in MT942_TAGS and tag not in MT940_TAGS and last not in FREE_TEXT:
            raise UnsupportedFormatError(
                self.name,
                _(
                    "this is MT942 (an interim transaction "
                    "report, not a statement); import the account's "
                    "MT940 statement or its CODA file instead"
                ),
            )
        if tag == "20" and (current is None or state in ("62", "64", "65", "86c")):
            return tag
        if tag == "NS" and current is not None:
            return tag
        if tag in MT940_TAGS and current is not None and self.allowed(tag, state):
            return tag
        if last in FREE_TEXT:
            return None
        if current is None:
            return tag  # reported by the caller: a field outside a statement
        if tag not in MT940_TAGS:
            raise self.fail(number, "mt940", _("unknown tag :{tag}:", tag=tag))
        expected = ", ".join(f":{t}:" for t in sorted(_expected(state)))
        raise self.fail(
            number,
            "mt940",
            _(
                ":{tag}: cannot follow :{state}: (expected {expected})",
                tag=tag,
                state=state,
                expected=expected or _("the end of the statement"),
            ),
        )

    @staticmethod
    def allowed(tag: str, state: str) -> bool:
        kind = _Reader.kind_at(tag, state)
        return kind in _NEXT.get(state, frozenset())

    @staticmethod
    def kind_at(tag: str, state: str) -> str:
        """The grammar's name of a tag at this point (a closing :86: is ``86c``)."""
        kind = tag[:2] if tag != "NS" else "NS"
        if kind == "86" and state in ("62", "64", "65", "86c"):
            return "86c"
        return kind

    # -- one message into one statement ---------------------------------------------

    def statement(self, message: _Message) -> Statement:
        fields = {f.kind: f for f in reversed(message.fields)}  # the first of each kind
        for kind in ("25", "28", "60", "62"):
            if kind not in fields:
                tag = f"{kind}F" if kind in ("60", "62") else kind
                raise self.fail(
                    message.line,
                    "mt940",
                    _("the statement has no {label} (:{tag}:)", label=_LABEL[kind], tag=tag),
                )
        opening, opening_date, currency = self.balance(fields["60"])
        closing, closing_date, closing_ccy = self.balance(fields["62"])
        if closing_ccy != currency:
            raise self.fail(
                fields["62"].line,
                "currency",
                _(
                    ":{tag}: is in {closing_ccy}, the opening balance in {currency}",
                    tag=fields["62"].tag,
                    closing_ccy=closing_ccy,
                    currency=currency,
                ),
            )
        for kind in ("64", "65"):
            for extra in (f for f in message.fields if f.kind == kind):
                self.balance(extra)
        account, iban = self.account(fields["25"], currency)
        movements: list[Movement] = []
        closing_at = message.fields.index(fields["62"])
        lines = [f for f in message.fields[:closing_at] if f.kind in ("61", "86")]
        for index, line in enumerate(lines):
            if line.kind != "61":
                continue
            info = []
            for after in lines[index + 1 :]:
                if after.kind != "86":
                    break
                info.append(after)
            movement, entry_given = self.movement(line, info, currency)
            if entry_given:
                self.check_entry_date(movement, fields["60"], opening_date, fields["62"],
                                      closing_date)  # fmt: skip
            movements.append(movement)
        statement = Statement(
            format="mt940",
            account=account,
            iban=iban,
            currency=currency,
            opening_balance=opening,
            opening_date=opening_date,
            closing_balance=closing,
            closing_date=closing_date,
            from_date=opening_date + dt.timedelta(days=1),
            sequence=self.sequence(fields["28"]),
            # an intermediate balance (:62M:): the statement goes on, perhaps the same day
            partial_last_day=fields["62"].tag == "62M",
            movements=tuple(movements),
            information=(),
            line=message.line,
            opening_line=fields["60"].line,
            closing_line=fields["62"].line,
        )
        gap = statement.balance_gap
        if gap:
            self.problem(
                self.fail(
                    fields["62"].line,
                    "balance",
                    _(
                        "opening balance {opening} "
                        "(:{tag}:) + statement lines {total} "
                        "!= closing balance {closing} "
                        "(:{closing_tag}:)",
                        opening=opening,
                        tag=fields["60"].tag,
                        total=statement.total,
                        closing=closing,
                        closing_tag=fields["62"].tag,
                    ),
                )
            )
        return statement

    def check_entry_date(
        self, movement: Movement, opening: _Field, opening_date: dt.date, closing: _Field,
        closing_date: dt.date,
    ) -> None:  # fmt: skip
        """A statement line's entry date lies between the statement's balances' dates."""
        day = movement.booking_date.isoformat()
        if movement.booking_date > closing_date:
            self.problem(self.fail(
                movement.line, "date", _(":61: entry date {day} is after the date of the "
                "closing balance (:{tag}: of line {line}, "
                "{closing_date})",
                day=day, tag=closing.tag, line=closing.line,
                closing_date=closing_date.isoformat()),
            ))  # fmt: skip
        elif movement.booking_date < opening_date:
            self.problem(self.fail(
                movement.line, "date", _(":61: entry date {day} is before the date of the "
                "opening balance (:{tag}: of line {line}, "
                "{opening_date})",
                day=day, tag=opening.tag, line=opening.line,
                opening_date=opening_date.isoformat()),
            ))  # fmt: skip

    def balance(self, bal: _Field) -> tuple[Decimal, dt.date, str]:
        """``C``/``D``, ``YYMMDD``, currency, amount (``:60F:``, ``:62M:``, ``:64:``…)."""
        text = "".join(t.strip() for t in bal.lines)
        what = _(":{tag}: ({label})", tag=bal.tag, label=_LABEL[bal.kind])
        match = _BALANCE.fullmatch(text)
        if match is None:
            if re.fullmatch(r"[CD]\d{6}\d+(?:[,.]\d*)?", text):
                raise self.fail(
                    bal.line,
                    "currency",
                    _(
                        "{what} gives no currency: expected "
                        "C or D, the date YYMMDD, a three-letter currency and the "
                        "amount, e.g. C260302EUR105,00",
                        what=what,
                    ),
                )
            raise self.fail(
                bal.line,
                "balance",
                _(
                    "{what} is not a balance: expected C or D, "
                    "the date YYMMDD, a three-letter currency and the amount, e.g. "
                    "C260302EUR105,00",
                    what=what,
                ),
            )
        day = self.date(match.group("date"), bal.line, what)
        amount = self.amount(match.group("amount"), bal.line, what)
        return (amount if match.group("mark") == "C" else -amount), day, match.group("ccy")

    def amount(self, text: str, line: int, what: str) -> Decimal:
        try:
            value = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise self.fail(line, "amount", _("{what}: not an amount", what=what)) from None
        if len(text.lstrip("0")) > 15 or not value.is_finite():
            raise self.fail(
                line, "amount", _("{what}: the amount has more than 15 digits", what=what)
            )
        return value

    def date(self, text: str, line: int, what: str) -> dt.date:
        """``YYMMDD`` (2000–2079, else 1980–1999). A 29th–31st of February, which some
        German banks write for interest periods (30/360), is the last day of February."""
        year, month, day = int(text[0:2]), int(text[2:4]), int(text[4:6])
        year += 2000 if year < 80 else 1900
        if month == 2 and 28 < day <= 31:
            day = min(day, calendar.monthrange(year, 2)[1])
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise self.fail(
                line, "date", _("{what}: {text} is not a date (YYMMDD)", what=what, text=text)
            ) from None

    def account(self, acct: _Field, currency: str) -> tuple[str, str | None]:
        """The account of ``:25:`` (a BIC before it, the currency after it, are dropped)."""
        text = acct.first
        if not text:
            raise self.fail(acct.line, "account", _("the statement has no account (:25:)"))
        bic = _BIC_PREFIX.fullmatch(text)
        if bic and not iban_or_none(text) and (iban_or_none(bic.group("rest")) or "/" in text):
            text = bic.group("rest")
        compact = compact_account(text) or text
        if compact.endswith(currency) and len(compact) > len(currency) + 4:
            trimmed = compact[: -len(currency)].rstrip("/")
            if not iban_or_none(compact) or iban_or_none(trimmed):
                compact = trimmed
        iban = iban_or_none(compact) or iban_in_text(compact)
        return compact, iban

    def sequence(self, number: _Field) -> str | None:
        """``:28C:`` statement number, with ``/page`` when it is a later page."""
        text = "".join(t.strip() for t in number.lines)
        match = _STATEMENT_NUMBER.fullmatch(text)
        if match is None:
            raise self.fail(
                number.line,
                "mt940",
                _(
                    ":{tag}: is not a statement number (digits, then optionally / and the page)",
                    tag=number.tag,
                ),
            )
        value, page = match.group("number").strip(), match.group("page")
        if page and int(page) > 1:
            return f"{value}/{int(page)}"
        return value or None

    def movement(self, line: _Field, info: list[_Field], currency: str) -> tuple[Movement, bool]:
        """The movement of a ``:61:`` (and its ``:86:``), and whether it gives its entry date."""
        what = _(":61: (statement line)")
        match = _STATEMENT_LINE.fullmatch(line.lines[0].strip())
        extra_lines = line.lines[1:]
        if match is None or (match.group("type") is None and len(line.lines) > 1):
            joined = (line.lines[0] + line.lines[1]).strip() if len(line.lines) > 1 else ""
            wrapped = _STATEMENT_LINE.fullmatch(joined) if joined else None
            if wrapped is not None and wrapped.group("type") is not None:
                match, extra_lines = wrapped, line.lines[2:]
        if match is None:
            raise self.fail(
                line.line,
                "mt940",
                _(
                    "{what} is not a statement line: expected the "
                    "value date YYMMDD, the entry date MMDD, C, D, RC or RD, the "
                    "amount, the transaction type and the reference",
                    what=what,
                ),
            )
        value_day = self.date(match.group("value"), line.line, what)
        booking = value_day
        if match.group("entry"):
            booking = self.entry_date(match.group("entry"), value_day, line.line, what)
        amount = self.amount(match.group("amount"), line.line, what)
        mark = match.group("mark")
        if mark in ("D", "RC"):  # a debit, or the reversal of a credit: money out
            amount = -amount
        supplementary = squash(" ".join(t.strip() for t in extra_lines))
        details = _information(" ".join(f.value for f in info) if info else "")
        customer = or_none(match.group("cref"))
        bank = or_none(match.group("bref"))
        if details["account"] is None:
            for text in (supplementary, customer or "", details["text"] or ""):
                found = iban_in_text(text)
                if found:
                    details["account"] = found
                    break
        communication = details["communication"] or ""
        ogm = details["ogm"] or ogm_in_text(communication)
        movement = Movement(
            ref="",
            bank_ref=_reference(bank) or _reference(customer),
            booking_date=booking,
            value_date=value_day,
            amount=amount,
            currency=currency,
            counterparty_name=details["name"],
            counterparty_account=details["account"],
            counterparty_bic=compact_account(details["bic"]),
            communication=communication,
            ogm=ogm,
            structured_type=details["structured_type"],
            structured_ref=details["structured_ref"],
            transaction_code=or_none((match.group("type") or "").strip()),
            end_to_end_id=_reference(details["end_to_end"]),
            r_transaction=details["return"],
            reversal=mark.startswith("R"),
            information=tuple(t for t in (supplementary,) if t),
            line=line.line,
        )
        return movement, bool(match.group("entry"))

    def entry_date(self, mmdd: str, value_day: dt.date, line: int, what: str) -> dt.date:
        """The entry date (MMDD) in the year that puts it nearest to the value date: an
        entry on 2 January of a movement value-dated 31 December is in the next year."""
        month, written = int(mmdd[:2]), int(mmdd[2:])
        best: dt.date | None = None
        for year in (value_day.year - 1, value_day.year, value_day.year + 1):
            day = written
            if month == 2 and 28 < day <= 31:
                day = min(day, calendar.monthrange(year, 2)[1])
            try:
                candidate = dt.date(year, month, day)
            except ValueError:
                continue
            if best is None or abs(candidate - value_day) < abs(best - value_day):
                best = candidate
        if best is None:
            raise self.fail(
                line,
                "date",
                _("{what}: entry date {mmdd} is not a date (MMDD)", what=what, mmdd=mmdd),
            )
        return best


# ---------------------------------------------------------------- :86: sub-fields


def _reference(text: str | None) -> str | None:
    value = squash(text).strip("/ ")
    return None if value.upper() in _NOT_A_REFERENCE else value


def _slash_fields(text: str) -> dict[str, str]:
    """``/CODE/value/CODE/value`` sub-fields (values may hold slashes of their own)."""
    flat = text.replace("\n", "")
    marks = list(_SLASH_MARK.finditer(flat))
    fields: dict[str, str] = {}
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(flat)
        fields.setdefault(mark.group(1), flat[mark.end() : end].strip())
    return fields


def _german_fields(text: str) -> dict[str, str]:
    """The ``?NN`` sub-fields of the German (DK) layout, after the 3-digit code."""
    parts = _GERMAN_SUB.split(text.replace("\n", ""))
    out: dict[str, str] = {}
    for index in range(1, len(parts) - 1, 2):
        out[parts[index]] = out.get(parts[index], "") + parts[index + 1]
    return out


def _structured(remi: str) -> tuple[str, str | None, str | None, str | None]:
    """``USTD//text`` or ``STRD/<issuer>/<reference>`` of a ``/REMI/`` sub-field:
    communication, OGM, structured type and structured reference."""
    match = re.match(r"\s*(USTD|STRD)/+(.*)", remi, re.S)
    if match is None:
        return squash(remi.strip("/")), None, None, None
    if match.group(1) == "USTD":
        return squash(match.group(2).strip("/")), None, None, None
    parts = [p for p in match.group(2).split("/") if p.strip()]
    issuer = parts[0].strip().upper() if len(parts) > 1 else None
    reference = squash(parts[-1]) if parts else ""
    digits = re.sub(r"[^0-9]", "", reference)
    ogm = valid_ogm(digits) if issuer in (None, "BBA", "BE", "SCOR") else None
    if ogm:
        return format_ogm(ogm), ogm, "BBA", reference
    if not reference:
        return "", None, None, None
    return reference, None, issuer or "structured", reference


def _information(text: str) -> dict[str, str | None]:
    """Counterparty, communication and references of one ``:86:``."""
    out: dict[str, str | None] = dict.fromkeys(
        (
            "name",
            "account",
            "bic",
            "communication",
            "ogm",
            "structured_type",
            "structured_ref",
            "end_to_end",
            "return",
        ),
    )
    out["text"] = squash(text)
    out["communication"] = squash(text)
    stripped = text.strip()
    if _GERMAN.match(stripped):
        sub = _german_fields(stripped)
        purpose = "".join(sub.get(f"{n:02d}", "") for n in (*range(20, 30), *range(60, 64)))
        keywords = _sepa_keywords(purpose)
        out["communication"] = squash(keywords.get("SVWZ") or purpose) or squash(sub.get("00"))
        out["name"] = or_none(sub.get("32", "") + sub.get("33", ""))
        out["account"] = iban_or_none(sub.get("31")) or compact_account(sub.get("31"))
        out["bic"] = sub.get("30")
        out["end_to_end"] = keywords.get("EREF")
        return out
    if not _SLASH_MARK.search(stripped.replace("\n", "")):
        return out
    fields = _slash_fields(stripped)
    party = next((fields[c] for c in ("CNTP", "BENM", "ORDP") if fields.get(c)), "")
    parts = [p.strip() for p in party.split("/")]
    # CNTP/BENM/ORDP: account/BIC/name/city — or empty, with /NAME/, /IBAN/… beside them.
    account = fields.get("IBAN") or fields.get("CACT") or (parts[0] if parts[0:1] else None)
    out["account"] = iban_or_none(account) or compact_account(account)
    out["bic"] = fields.get("BIC") or fields.get("CBIC") or (parts[1] if len(parts) > 1 else None)
    out["name"] = or_none(
        fields.get("NAME") or fields.get("CRNM") or (parts[2] if len(parts) > 2 else None)
    )
    communication, ogm, kind, ref = _structured(fields.get("REMI", ""))
    out["communication"], out["ogm"] = communication, ogm
    out["structured_type"], out["structured_ref"] = kind, ref
    out["end_to_end"] = fields.get("EREF")
    code = (fields.get("RTRN") or "").strip("/ ").split("/")[0].strip().upper()
    # a returned payment, with its ISO reason code (four letters or digits, nothing else)
    if re.fullmatch(r"[A-Z0-9]{1,4}", code):
        out["return"] = f"2/{code}"
    elif code:
        out["return"] = "2"
    return out


def _sepa_keywords(purpose: str) -> dict[str, str]:
    marks = list(_SEPA_KEYWORDS.finditer(purpose))
    found: dict[str, str] = {}
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(purpose)
        found.setdefault(mark.group(1), purpose[mark.end() : end].strip())
    return found


def _expected(state: str) -> Iterator[str]:
    for kind in _NEXT.get(state, frozenset()):
        if kind is not None:
            yield kind.rstrip("c")


# ---------------------------------------------------------------- entry point


def _stable_refs(statements: list[Statement]) -> list[Statement]:
    """``<entry date>-<bank reference>`` (banks number their references per statement or
    per day, so the reference alone repeats); otherwise a hash of the content."""
    seen: Counter[str] = Counter()
    out = []
    for statement in statements:
        movements = []
        contents = []
        for m in statement.movements:
            contents.append((m.booking_date, m.amount, m.counterparty_account, m.communication))
        hashed = content_ref("m-", contents)
        for m, fallback in zip(statement.movements, hashed, strict=True):
            ref = fallback
            if m.bank_ref:
                ref = f"{m.booking_date:%Y%m%d}-{m.bank_ref}"
                seen[ref] += 1
                if seen[ref] > 1:
                    ref = f"{ref}-{seen[ref]}"
            movements.append(m.model_copy(update={"ref": ref}))
        out.append(statement.model_copy(update={"movements": tuple(movements)}))
    return out


def parse_mt940(data: bytes, name: str = "<mt940>", *, strict: bool = True) -> ParseResult:
    """Read every statement (``:20:`` … ``:62F:``) of an MT940 file."""
    if not data.strip():
        raise BankFileError(name, "empty", _("the file is empty"))
    if is_mt942(data):
        raise UnsupportedFormatError(
            name,
            _(
                "this is MT942 (an interim transaction report, not "
                "a statement); import the account's MT940 statement or "
                "its CODA file instead"
            ),
        )
    text = _decode(data).replace("\r\n", "\n").replace("\r", "\n")
    reader = _Reader(name, strict)
    messages = reader.messages(text)
    if not messages:
        raise BankFileError(name, "mt940", _("no statement (:20: … :62F:) in the file"))
    statements = [reader.statement(m) for m in messages]
    previous: Statement | None = None
    for message, statement in zip(messages, statements, strict=True):
        opening = message.one("60")
        if (
            previous is not None
            and opening is not None
            and opening.tag == "60M"
            and previous.account == statement.account
            and previous.closing_balance != statement.opening_balance
        ):
            reader.problem(
                reader.fail(
                    opening.line,
                    "balance",
                    _(
                        ":60M: opening balance "
                        "{opening_balance} of a continued statement "
                        "!= closing balance {closing_balance} of its "
                        "previous page",
                        opening_balance=statement.opening_balance,
                        closing_balance=previous.closing_balance,
                    ),
                )
            )
        previous = statement
    return ParseResult(_stable_refs(statements), reader.problem.found)
