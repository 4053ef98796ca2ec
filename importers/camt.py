"""ISO 20022 camt.053 (bank-to-customer statement) reader, versions .001.02 to .001.14.

Elements are found by their local name, whatever the namespace, so every version from
.02 to .14 reads through the same code (``BIC``/``BICFI``, ``Sts``/``Sts/Cd``/``Sts/Prtry``,
``Dbtr/Nm``/``Dbtr/Pty/Nm``, ``Dt``/``DtTm``): the elements we read kept their names and
places through the yearly maintenance releases, which added elements around them. A zip
holding several camt.053 files is read member by member. camt.054 (debit/credit
notifications) and camt.052 (intraday reports) are recognised and refused: they are not
statements and have no booked balances. An entry with several ``TxDtls`` (a batch) keeps
them as its details, which must add up to it.

Amounts are unsigned in camt; the sign is ``CdtDbtInd``. ``RvslInd`` only says that the
entry reverses an earlier one: ``CdtDbtInd`` already gives its effect on the balance.
Only booked entries (``Sts`` = ``BOOK``) move the booked balances and are read.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal, InvalidOperation

from lxml import etree
from lxml.etree import _Element as Element

from importers.errors import BankFileError, UnknownFormatError, UnsupportedFormatError
from importers.model import Detail, Movement, Statement, batch_gap, content_ref
from importers.parsing import ParseResult, Problems
from importers.text import (
    compact_account,
    format_ogm,
    iban_or_none,
    ogm_in_text,
    or_none,
    squash,
    valid_ogm,
)
from ledger.i18n import Message, _

SUPPORTED_VERSIONS = frozenset(f"{v:02d}" for v in range(2, 15))  # .001.02 to .001.14
MAX_DIGITS = 18  # ISO 20022 amounts: 18 digits at most, 5 of them decimals
MAX_ZIP_MEMBERS = 500
MAX_XML_BYTES = 50 * 1024 * 1024
_NS_VERSION = re.compile(r"camt\.(\d{3})\.001\.(\d{2})")
REFUSED_CAMT = {
    "BkToCstmrDbtCdtNtfctn": "camt.054 (a debit/credit notification, not a statement)",
    "BkToCstmrAcctRpt": "camt.052 (an intraday account report, not a statement)",
}

# ---------------------------------------------------------------- XML helpers


def _local(element: Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _children(element: Element | None, name: str) -> list[Element]:
    if element is None:
        return []
    return [c for c in element if _local(c) == name]


def _find(element: Element | None, *path: str) -> Element | None:
    """The first element along ``path`` (local names), or None."""
    for name in path:
        if element is None:
            return None
        element = next((c for c in element if _local(c) == name), None)
    return element


def _text(element: Element | None, *path: str) -> str | None:
    found = _find(element, *path)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _all_text(element: Element | None, *path: str) -> list[str]:
    """Texts of every element matching the last name of ``path`` under the others."""
    parent = _find(element, *path[:-1]) if len(path) > 1 else element
    return [c.text.strip() for c in _children(parent, path[-1]) if c.text and c.text.strip()]


# libxml2's error, in words of our own: its message quotes the file (a tag, an attribute,
# an entity may be a person's name), so only its code and column are read.
XML_PROBLEMS = {
    "ERR_TAG_NAME_MISMATCH": _("an element closed by another element's tag"),
    "ERR_TAG_NOT_FINISHED": _("the file ends inside an element"),
    "ERR_DOCUMENT_EMPTY": _("no XML in the file"),
    "ERR_DOCUMENT_END": _("more after the end of the document"),
    "ERR_UNDECLARED_ENTITY": _("an entity that is not defined"),
    "ERR_ATTRIBUTE_REDEFINED": _("an attribute given twice"),
    "ERR_ATTRIBUTE_WITHOUT_VALUE": _("an attribute without its value"),
    "ERR_INVALID_CHAR": _("a character XML does not allow"),
    "ERR_INVALID_ENCODING": _("bytes that are not in the file's encoding"),
}
_XML_ERROR_NAMES = {
    code: name for name, code in vars(etree.ErrorTypes).items() if name.startswith("ERR_")
}


def xml_problem(exc: etree.XMLSyntaxError) -> Message:
    """What is wrong with the XML, without a word of the file, and where on its line."""
    name = _XML_ERROR_NAMES.get(exc.code, "")
    what = XML_PROBLEMS.get(name) or _("a syntax error ({code})", code=name or exc.code)
    column = exc.position[1] if isinstance(exc.position, tuple) else 0
    if column:
        return _("{what}, column {column}", what=what, column=column)
    return what


def parse_xml(data: bytes, name: str) -> Element:
    """Parse untrusted XML: no DTD, no entities, no network."""
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data:
        raise BankFileError(name, "format", _("XML with a DOCTYPE or entities is refused"))
    if len(data) > MAX_XML_BYTES:
        raise BankFileError(
            name,
            "format",
            _("XML larger than {max_xml_bytes} bytes is refused", max_xml_bytes=MAX_XML_BYTES),
        )
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        raise BankFileError(
            name, "xml", _("not well-formed XML ({reason})", reason=xml_problem(exc)), line
        ) from None
    if root is None:
        raise BankFileError(name, "xml", _("no XML document"))
    return root


def camt_kind(root: Element) -> tuple[str, str | None]:
    """The message's body element name and the camt version from the namespace."""
    body = next(iter(root), None) if _local(root) == "Document" else None
    if body is None:
        return "", None
    ns = etree.QName(root.tag).namespace or ""
    match = _NS_VERSION.search(ns)
    return _local(body), (match.group(2) if match else None)


def looks_like_camt(data: bytes) -> bool:
    """A cheap test on the first bytes: an ISO 20022 camt document."""
    head = data[:2048]
    return b"<Document" in head and (b"camt.05" in head or b"BkToCstmr" in data[:8192])


# ---------------------------------------------------------------- values


class _Values:
    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, element: Element | None, check: str, detail: str) -> BankFileError:
        line = element.sourceline if element is not None else None
        return BankFileError(self.name, check, detail, line if isinstance(line, int) else None)

    def amount(self, element: Element | None, what: str) -> tuple[Decimal, str | None]:
        """``Amt`` with its ``Ccy``, signed by the sibling ``CdtDbtInd``."""
        amt = _find(element, "Amt")
        text = amt.text.strip() if amt is not None and amt.text else ""
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise self.fail(amt if amt is not None else element, what,
                            _("not an amount")) from None  # fmt: skip
        if not value.is_finite() or value < 0 or not re.fullmatch(r"\d+(\.\d+)?", text):
            raise self.fail(amt, what, _("not an unsigned amount"))
        if len(text.replace(".", "").lstrip("0")) > MAX_DIGITS:
            raise self.fail(
                amt,
                "amount",
                _("{what}: more than {max_digits} digits", what=what, max_digits=MAX_DIGITS),
            )
        indicator = _text(element, "CdtDbtInd")
        if indicator not in ("CRDT", "DBIT"):
            raise self.fail(
                element,
                what,
                _("CdtDbtInd {indicator!r} is not CRDT or DBIT", indicator=indicator),
            )
        currency = amt.get("Ccy") if amt is not None else None
        return (value if indicator == "CRDT" else -value), currency

    def date(self, element: Element | None, what: str) -> dt.date | None:
        """``Dt`` or the date part of ``DtTm`` (ISO)."""
        if element is None:
            return None
        text = _text(element, "Dt") or _text(element, "DtTm")
        if text is None:
            return None
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            raise self.fail(element, what, _("not an ISO date")) from None


# ---------------------------------------------------------------- statements


def _party(tx: Element | None, role: str) -> tuple[str | None, str | None, str | None]:
    """Name, account and BIC of the debtor (``Dbtr``) or creditor (``Cdtr``)."""
    parties = _find(tx, "RltdPties")
    party = _find(parties, role)
    name = _text(party, "Nm") or _text(party, "Pty", "Nm")
    account_el = _find(parties, f"{role}Acct", "Id")
    account = _text(account_el, "IBAN") or _text(account_el, "Othr", "Id")
    agent = _find(tx, "RltdAgts", f"{role}Agt", "FinInstnId")
    bic = _text(agent, "BICFI") or _text(agent, "BIC")
    return (
        or_none(name),
        iban_or_none(account) or compact_account(account),
        compact_account(bic),
    )


def _remittance(tx: Element | None) -> tuple[str, str | None, str | None, str | None]:
    """Free text, OGM, structured reference type and value of one transaction."""
    info = _find(tx, "RmtInf")
    texts = _all_text(info, "Ustrd")
    ogm = kind = ref = None
    for strd in _children(info, "Strd"):
        cri = _find(strd, "CdtrRefInf")
        value = _text(cri, "Ref")
        issuer = _text(cri, "Tp", "Issr")
        code = _text(cri, "Tp", "CdOrPrtry", "Cd") or _text(cri, "Tp", "CdOrPrtry", "Prtry")
        if value is None:
            continue
        if (issuer or "").upper() == "BBA" and valid_ogm(re.sub(r"\D", "", value)):
            ogm, kind, ref = re.sub(r"\D", "", value), "BBA", value
        elif ref is None:
            kind, ref = (issuer or code or "structured"), value
        texts.extend(_all_text(strd, "AddtlRmtInf"))
    if not texts and ref:
        texts = [format_ogm(ogm) if ogm else ref]
    return squash(" ".join(texts)), ogm, kind, ref


def _bank_code(element: Element | None) -> str | None:
    code = _find(element, "BkTxCd")
    domain = _text(code, "Domn", "Cd")
    if domain:
        family = _text(code, "Domn", "Fmly", "Cd") or ""
        sub = _text(code, "Domn", "Fmly", "SubFmlyCd") or ""
        return "/".join(p for p in (domain, family, sub) if p)
    return _text(code, "Prtry", "Cd")


class _StatementReader:
    def __init__(self, name: str, problems: Problems) -> None:
        self.name = name
        self.v = _Values(name)
        self.problem = problems

    def statement(self, stmt: Element) -> Statement:
        v = self.v
        account_el = _find(stmt, "Acct")
        account = _text(account_el, "Id", "IBAN") or _text(account_el, "Id", "Othr", "Id")
        if not account:
            raise v.fail(stmt, "account", _("the statement has no account (Acct/Id)"))
        compact = compact_account(account) or account
        currency = _text(account_el, "Ccy")
        opening = closing = None
        opening_date = closing_date = None
        opening_line = closing_line = None
        for bal in _children(stmt, "Bal"):
            code = _text(bal, "Tp", "CdOrPrtry", "Cd") or _text(bal, "Tp", "CdOrPrtry", "Prtry")
            if code not in ("OPBD", "PRCD", "CLBD"):
                continue
            value, ccy = v.amount(bal, "balance")
            currency = currency or ccy
            day = v.date(_find(bal, "Dt"), "balance date")
            line = bal.sourceline if isinstance(bal.sourceline, int) else None
            if code == "CLBD":
                closing, closing_date, closing_line = value, day, line
            elif code == "OPBD" or opening is None:
                opening, opening_date, opening_line = value, day, line
        entries = [e for e in _children(stmt, "Ntry") if self.booked(e)]
        movements = [self.movement(e) for e in entries]
        currency = currency or (movements[0].currency if movements else None)
        if not currency or not re.fullmatch(r"[A-Z]{3}", currency):
            raise v.fail(stmt, "currency", _("the statement gives no currency"))
        for m in movements:
            if m.currency != currency:
                raise BankFileError(self.name, "currency", _("an entry in {currency} on an "
                                    "account in {account_currency}",
                                    currency=m.currency, account_currency=currency),
                                    m.line)  # fmt: skip
        refs = content_ref(
            "c-",
            ((m.booking_date, m.amount, m.counterparty_account, m.communication)
             for m in movements),
        )  # fmt: skip
        movements = [
            m if m.ref else m.model_copy(update={"ref": ref})
            for m, ref in zip(movements, refs, strict=True)
        ]
        created = _text(stmt, "CreDtTm")
        period = _find(stmt, "FrToDt")
        from_date = _iso_date(_text(period, "FrDtTm") or _text(period, "FrDt"))
        if from_date is None and opening_date is not None:  # OPBD: the previous closing
            from_date = opening_date + dt.timedelta(days=1)
        result = Statement(
            format="camt.053",
            account=compact,
            iban=iban_or_none(compact),
            currency=currency,
            opening_balance=opening,
            opening_date=opening_date,
            closing_balance=closing,
            closing_date=closing_date,
            from_date=from_date,
            sequence=_text(stmt, "LglSeqNb") or _text(stmt, "ElctrncSeqNb") or _text(stmt, "Id"),
            created=_iso_date(created),
            movements=tuple(movements),
            line=stmt.sourceline if isinstance(stmt.sourceline, int) else None,
            opening_line=opening_line,
            closing_line=closing_line,
        )
        self.check(stmt, result)
        return result

    def booked(self, entry: Element) -> bool:
        status = _text(entry, "Sts") or _text(entry, "Sts", "Cd") or _text(entry, "Sts", "Prtry")
        status = status or "BOOK"
        return status.upper() == "BOOK"

    def movement(self, entry: Element) -> Movement:
        v = self.v
        amount, currency = v.amount(entry, "entry amount")
        booking = v.date(_find(entry, "BookgDt"), "booking date")
        if booking is None:
            raise v.fail(entry, "booking date", _("a booked entry without BookgDt"))
        details = _find(entry, "NtryDtls")
        txs = _children(details, "TxDtls")
        if not txs:
            txs = [tx for batch in _children(details, "Btch") for tx in _children(batch, "TxDtls")]
        role = "Dbtr" if amount > 0 else "Cdtr"
        other = "Cdtr" if role == "Dbtr" else "Dbtr"
        extra = _all_text(entry, "AddtlNtryInf")
        name = account = bic = None
        communication, ogm, kind, ref = "", None, None, None
        end_to_end = r_transaction = None
        parts: list[Detail] = []
        if len(txs) == 1:
            tx = txs[0]
            name, account, bic = _party(tx, role)
            if name is None and account is None:
                name, account, bic = _party(tx, other)
            communication, ogm, kind, ref = _remittance(tx)
            ogm = ogm or ogm_in_text(communication)
            end_to_end = _text(tx, "Refs", "EndToEndId")
            r_transaction = _text(tx, "RtrInf", "Rsn", "Cd")
            extra += _all_text(tx, "AddtlTxInf")
        else:
            for index, tx in enumerate(txs, start=1):
                tx_amount = self.detail_amount(tx, amount)
                tx_name, tx_account, tx_bic = _party(tx, role)
                if tx_name is None and tx_account is None:
                    tx_name, tx_account, tx_bic = _party(tx, other)
                text, tx_ogm, tx_kind, tx_ref = _remittance(tx)
                tx_e2e = _text(tx, "Refs", "EndToEndId")
                parts.append(
                    Detail(
                        sequence=str(index),
                        amount=tx_amount,
                        counterparty_name=tx_name,
                        counterparty_account=tx_account,
                        counterparty_bic=tx_bic,
                        communication=text,
                        ogm=tx_ogm or ogm_in_text(text),
                        structured_type=tx_kind,
                        structured_ref=tx_ref,
                        end_to_end_id=None if tx_e2e == "NOTPROVIDED" else tx_e2e,
                        bank_ref=_text(tx, "Refs", "AcctSvcrRef"),
                        transaction_code=_bank_code(tx),
                        information=tuple(_all_text(tx, "AddtlTxInf")),
                    )
                )
        if not communication and not parts:
            communication = squash(" ".join(extra))
        if end_to_end == "NOTPROVIDED":
            end_to_end = None
        return Movement(
            ref=_text(entry, "AcctSvcrRef") or "",
            bank_ref=_text(entry, "AcctSvcrRef") or _text(entry, "NtryRef"),
            booking_date=booking,
            value_date=v.date(_find(entry, "ValDt"), "value date"),
            amount=amount,
            currency=currency or "",
            counterparty_name=name,
            counterparty_account=account,
            counterparty_bic=bic,
            communication=communication if not parts else squash(" ".join(extra)),
            ogm=ogm,
            structured_type=kind,
            structured_ref=ref,
            transaction_code=_bank_code(entry),
            end_to_end_id=end_to_end,
            r_transaction=r_transaction,
            reversal=(_text(entry, "RvslInd") or "").lower() == "true",
            details=tuple(parts),
            information=tuple(extra),
            line=entry.sourceline if isinstance(entry.sourceline, int) else None,
        )

    def detail_amount(self, tx: Element, entry_amount: Decimal) -> Decimal | None:
        """A batch detail's amount, signed like its entry unless it says otherwise."""
        holder = _find(tx, "AmtDtls", "TxAmt")
        if _find(tx, "Amt") is not None and _find(tx, "CdtDbtInd") is not None:
            return self.v.amount(tx, "detail amount")[0]
        text = _text(holder, "Amt") or _text(tx, "Amt")
        if text is None:
            return None
        if not re.fullmatch(r"\d+(\.\d+)?", text):  # ISO 20022 amounts are unsigned
            raise self.v.fail(tx, "detail amount", _("not an unsigned amount (ISO 20022 amounts "
                              "carry no sign: CdtDbtInd gives it)"))  # fmt: skip
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise self.v.fail(tx, "detail amount", _("not an amount")) from None  # fmt: skip
        if not value.is_finite() or len(text.replace(".", "").lstrip("0")) > MAX_DIGITS:
            raise self.v.fail(
                tx,
                "amount",
                _("detail amount: more than {max_digits} digits", max_digits=MAX_DIGITS),
            )
        return value if entry_amount >= 0 else -value

    def check(self, stmt: Element, statement: Statement) -> None:
        for movement in statement.movements:
            day = movement.booking_date
            if statement.closing_date is not None and day > statement.closing_date:
                self.problem(BankFileError(
                    self.name, "date", _("entry booked on {day}, after the date of "
                    "the closing balance (Bal CLBD of line {closing_line}, "
                    "{closing_date})",
                    day=day.isoformat(), closing_line=statement.closing_line,
                    closing_date=statement.closing_date.isoformat()), movement.line,
                ))  # fmt: skip
            elif statement.opening_date is not None and day < statement.opening_date:
                self.problem(BankFileError(
                    self.name, "date", _("entry booked on {day}, before the date of "
                    "the opening balance (Bal OPBD of line {opening_line}, "
                    "{opening_date})",
                    day=day.isoformat(), opening_line=statement.opening_line,
                    opening_date=statement.opening_date.isoformat()), movement.line,
                ))  # fmt: skip
        for movement in statement.movements:
            batch = batch_gap(movement)
            if batch:
                self.problem(BankFileError(
                    self.name, "batch", _("the TxDtls of this entry add up to "
                    "{amount}, the entry is {entry_amount}",
                    amount=movement.amount - batch, entry_amount=movement.amount), movement.line,
                ))  # fmt: skip
        gap = statement.balance_gap
        if gap:
            self.problem(self.v.fail(
                stmt, "balance",
                _("opening balance {opening_balance} + entries {total} "
                "!= closing balance {closing_balance}",
                opening_balance=statement.opening_balance, total=statement.total,
                closing_balance=statement.closing_balance),
            ))  # fmt: skip
        summary = _find(stmt, "TxsSummry")
        if summary is None:
            return
        count = _text(summary, "TtlNtries", "NbOfNtries")
        if count and count.isdigit() and int(count) != len(statement.movements):
            self.problem(self.v.fail(summary, "summary", _("TxsSummry counts {count} entries, "
                                     "the statement has {actual}",
                                     count=count, actual=len(statement.movements))))  # fmt: skip
        for tag, sign in (("TtlCdtNtries", 1), ("TtlDbtNtries", -1)):
            total = _text(summary, tag, "Sum")
            if total is None:
                continue
            try:
                stated = Decimal(total)
            except InvalidOperation:
                raise self.v.fail(summary, "summary", _("Sum is not an amount")) from None
            actual = sum((m.amount * sign for m in statement.movements if m.amount * sign > 0),
                         Decimal(0))  # fmt: skip
            if stated != actual:
                self.problem(self.v.fail(summary, "summary", _("{tag} sum {stated} != sum of "
                                         "entries {actual}",
                                         tag=tag, stated=stated, actual=actual)))  # fmt: skip


def _iso_date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


# ---------------------------------------------------------------- entry points


def _members(data: bytes, name: str) -> list[tuple[str, bytes]]:
    """The XML documents of a file: itself, or each member of a zip (read at once)."""
    if not data.startswith(b"PK\x03\x04"):
        return [(name, data)]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > MAX_ZIP_MEMBERS:
            raise BankFileError(
                name,
                "zip",
                _("more than {max_zip_members} files in the zip", max_zip_members=MAX_ZIP_MEMBERS),
            )
        if sum(i.file_size for i in infos) > MAX_XML_BYTES:
            raise BankFileError(
                name,
                "zip",
                _(
                    "the zip unpacks to more than {max_xml_bytes} bytes",
                    max_xml_bytes=MAX_XML_BYTES,
                ),
            )
        out, left = [], MAX_XML_BYTES
        for info in sorted(infos, key=lambda i: i.filename):
            with archive.open(info) as handle:
                payload = handle.read(left + 1)
            left -= len(payload)
            if left < 0:  # the sizes the zip declares may lie
                raise BankFileError(
                    name,
                    "zip",
                    _(
                        "the zip unpacks to more than {max_xml_bytes} bytes",
                        max_xml_bytes=MAX_XML_BYTES,
                    ),
                )
            out.append((f"{name}!{info.filename}", payload))
        return out
    except BankFileError:
        raise
    except Exception as exc:  # zipfile, zlib, bz2, lzma and struct all raise their own
        raise BankFileError(
            name, "zip", _("unreadable zip ({type})", type=type(exc).__name__)
        ) from None


def parse_camt(data: bytes, name: str = "<camt>", *, strict: bool = True) -> ParseResult:
    """Read every statement of a camt.053 file (or of each camt.053 file in a zip)."""
    if not data.strip():
        raise BankFileError(name, "empty", _("the file is empty"))
    problems = Problems(strict)
    statements: list[Statement] = []
    for member, payload in _members(data, name):
        if payload.startswith(b"PK\x03\x04"):
            raise BankFileError(member, "zip", _("a zip inside a zip is refused"))
        root = parse_xml(payload, member)
        body, version = camt_kind(root)
        if body in REFUSED_CAMT:
            raise UnsupportedFormatError(
                member, _("this is {refused_camt}; import the account's camt.053 statement "
                "(or its CODA file) instead", refused_camt=REFUSED_CAMT[body]),
            )  # fmt: skip
        if body != "BkToCstmrStmt":
            raise UnknownFormatError(member, _("an XML file that is not a camt.053 statement"))
        if version is not None and version not in SUPPORTED_VERSIONS:
            raise UnsupportedFormatError(
                member,
                _(
                    "camt.053.001.{version} is not supported (versions .001.02 to .001.14)",
                    version=version,
                ),
            )
        reader = _StatementReader(member, problems)
        body_el: Element = next(iter(root))
        stmts = _children(body_el, "Stmt")
        if not stmts:
            raise BankFileError(member, "statement", _("no statement (Stmt) in the message"))
        statements.extend(reader.statement(s) for s in stmts)
    return ParseResult(statements, problems.found)
