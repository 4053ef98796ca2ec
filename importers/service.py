"""Planning an import: from bank files and the books' entries to the entries to add.

:func:`plan_import` is a pure function of the files' bytes, the current entries and the
:class:`~importers.settings.ImportSettings`. It reads and checks every file before
anything else, so one bad file stops the whole call (all or nothing), and it decides:

* which files were imported before (their sha256 is recorded by a ``custom "bank-file"``
  entry) — those are skipped, whatever their name;
* which movements are already in the books (same ``^bank-`` link) — skipped too, so an
  overlapping statement adds only what is new;
* which movements are *near-duplicates* of a movement already in the books from another
  file (same account and amount, at most two days apart, not the same counterparty
  account): the bank's closing balance decides — kept if the balance needs them, held
  back (and reported) if it holds without them; a statement without balances holds them
  back. They are always reported, never dropped silently;
* the opening of an account that has no history, from the statement's old balance;
* a ``balance`` assertion at each statement's closing balance, checked here first so that
  a statement that does not follow the books (a missing one, a wrong order) is refused
  with a message that says so;
* nothing dated after today (the one dates policy, :mod:`ledger.dates`): a movement, or a
  balance or a statement the bank dates in the future, is refused naming its line;
* what the books keep of the bank's references (:func:`importers.minimise.kept_statement`).

Writing is the caller's job, through ``Books.transaction`` (see :mod:`ledger.cli.imports`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from beancount.core import data

from importers.categorise import Booking, InvoiceRef, issued_invoices
from importers.categorise import categorise as categorise_movement
from importers.entries import (
    balance_directive,
    bank_transaction,
    describe,
    file_directive,
    imported_files,
    money,
    opening_transaction,
)
from importers.errors import BankFileError, ImportConflictError
from importers.formats import MAX_FILE_BYTES, Format, read_statements
from importers.minimise import kept_statement, original_of
from importers.model import Movement, Statement
from importers.settings import BankRef, ImportSettings
from ledger.dates import booking_date
from ledger.dates import today as calendar_today
from ledger.errors import InputError
from ledger.i18n import _, system_error
from ledger.input_files import InputFileRefused, read_bounded
from ledger.view import BankOriginal

NEAR_DAYS = 2
TOLERANCE = Decimal("0.005")
ONE_DAY = dt.timedelta(days=1)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class BankFile:
    """A bank file given to the import: its name (for messages) and its bytes."""

    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @classmethod
    def read(cls, path: Path | str) -> BankFile:
        """The file, read within the bound of what the import reads (a FIFO or a device
        is refused before anything is read, a larger file too)."""
        path = Path(path)
        try:
            return cls(str(path), read_bounded(path, MAX_FILE_BYTES))
        except InputFileRefused as exc:
            check = "size" if exc.reason.startswith("larger") else "file"
            raise BankFileError(str(path), check, exc.reason) from None
        except IsADirectoryError:
            raise BankFileError(str(path), "file", _("a directory, not a file")) from None
        except FileNotFoundError:
            raise BankFileError(str(path), "file", _("no such file")) from None
        except OSError as exc:
            raise BankFileError(
                str(path), "file", _("cannot be read ({strerror})", strerror=system_error(exc))
            ) from None


@dataclass
class NearDuplicate:
    """A movement that looks like one already in the books, and what was done with it."""

    file: str
    ref: str
    link: str
    similar_to: str
    description: str
    kept: bool
    entries: list[data.Transaction] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "bank-ref": self.ref,
            "link": self.link,
            "similar-to": self.similar_to,
            "movement": self.description,
            "kept": self.kept,
        }


@dataclass
class FileReport:
    """What one file gave."""

    name: str
    sha256: str
    format: str | None = None
    account: str | None = None
    statements: list[str] = field(default_factory=list)
    movements: int = 0
    already_present: int = 0
    skipped: str | None = None
    archive: str | None = None
    day: dt.date | None = None
    # A file may hold statements of several of the hub's accounts (a CSV export): each
    # account's statements, and where the file is archived under each account.
    by_account: dict[str, list[str]] = field(default_factory=dict)
    archives: dict[str, str] = field(default_factory=dict)

    @property
    def accounts(self) -> list[str]:
        return list(self.by_account) or ([self.account] if self.account else [])

    def as_json(self) -> dict[str, object]:
        return {
            "file": self.name,
            "sha256": self.sha256,
            "format": self.format,
            "account": self.account,
            "accounts": self.accounts,
            "statements": self.statements,
            "movements": self.movements,
            "already_present": self.already_present,
            "skipped": self.skipped,
            "archive": self.archive,
            "archives": list(self.archives.values()),
        }


@dataclass
class ImportPlan:
    """Everything one call of the import adds, and what it found on the way."""

    entries: list[data.Directive] = field(default_factory=list)
    files: list[FileReport] = field(default_factory=list)
    near_duplicates: list[NearDuplicate] = field(default_factory=list)
    statements: int = 0
    movements: int = 0
    matched: int = 0
    to_review: int = 0
    already_present: int = 0
    review_links: set[str] = field(default_factory=set)
    formats: dict[str, Format] = field(default_factory=dict)
    # What the bank wrote and the books do not keep, by ^bank- link: in memory only, for
    # reconciliation inside the same import (importers/minimise.py).
    originals: dict[str, BankOriginal] = field(default_factory=dict, repr=False)

    def summary(self) -> dict[str, object]:
        return {
            "statements": self.statements,
            "movements": self.movements,
            "matched": self.matched,
            "to_review": self.to_review,
            "already_present": self.already_present,
            "near_duplicates": [n.as_json() for n in self.near_duplicates],
            "files": [f.as_json() for f in self.files],
        }


# ---------------------------------------------------------------- what the books hold


@dataclass
class _Line:
    date: dt.date
    link: str
    amount: Decimal
    iban: str
    source: str


class _BooksView:
    """The parts of the books an import checks against, updated as entries are planned."""

    def __init__(self, entries: Sequence[data.Directive], settings: ImportSettings) -> None:
        self.bank_accounts = {b.account for b in settings.banks}
        self.links: set[str] = set()
        self.postings: dict[str, list[tuple[dt.date, Decimal]]] = defaultdict(list)
        self.balances: dict[str, list[tuple[dt.date, Decimal]]] = defaultdict(list)
        self.lines: dict[tuple[str, Decimal], list[_Line]] = defaultdict(list)
        self.opens: dict[str, tuple[dt.date, dt.date | None]] = {}
        self.imported = imported_files(entries)
        self.opened: set[str] = set()  # accounts opened by this import
        for entry in entries:
            if isinstance(entry, data.Open):
                self.opens[entry.account] = (entry.date, None)
            elif isinstance(entry, data.Close) and entry.account in self.opens:
                self.opens[entry.account] = (self.opens[entry.account][0], entry.date)
        self.add(entries, source="books")

    def add(self, entries: Iterable[data.Directive], source: str) -> None:
        for entry in entries:
            if (
                isinstance(entry, data.Balance)
                and entry.account in self.bank_accounts
                and entry.amount.number is not None
            ):
                self.balances[entry.account].append((entry.date, entry.amount.number))
            if not isinstance(entry, data.Transaction):
                continue
            bank_links = [lk for lk in entry.links or () if lk.startswith("bank-")]
            self.links.update(bank_links)
            for posting in entry.postings:
                if posting.account not in self.bank_accounts or posting.units is None:
                    continue
                number = posting.units.number
                if number is None:
                    continue
                self.postings[posting.account].append((entry.date, number))
                if bank_links and entry.meta.get("kind") == "bank":
                    iban = str(
                        entry.meta.get("counterparty-iban")
                        or entry.meta.get("counterparty-iban-last4")
                        or ""
                    )
                    line = _Line(entry.date, bank_links[0], number, iban, source)
                    self.lines[(posting.account, number)].append(line)

    def has_history(self, account: str) -> bool:
        return account in self.opened or bool(
            self.postings.get(account) or self.balances.get(account)
        )

    def balance_before(self, account: str, day: dt.date) -> Decimal:
        return sum((n for d, n in self.postings.get(account, ()) if d < day), Decimal(0))

    def has_balance(self, account: str, day: dt.date, amount: Decimal) -> bool:
        return any(d == day and n == amount for d, n in self.balances.get(account, ()))

    def near_duplicate(
        self, account: str, movement: Movement, amount: Decimal, source: str
    ) -> str | None:
        """The link of a movement of another file that this one looks like, if any."""
        iban = movement.counterparty_account or ""
        for line in self.lines.get((account, amount), ()):
            if line.source == source or abs((line.date - movement.booking_date).days) > NEAR_DAYS:
                continue
            if iban and line.iban and not (iban == line.iban or iban[-4:] == line.iban[-4:]):
                continue
            return line.link
        return None


# ---------------------------------------------------------------- planning


def assertion_day(statement: Statement, today: dt.date | None = None) -> dt.date | None:
    """The day at whose start the statement's closing balance holds.

    Banks differ on the date they give the new balance (the day of the movements or the
    next business day), so the assertion is put the day after the last movement; an empty
    statement asserts its (unchanged) balance the day after its old balance date. A
    statement that may end during its last day asserts the balance at the start of that
    day, since a later statement may still add movements to it: an export made during the
    day (a CSV), an intermediate balance (MT940 ``:62M:``), a statement whose last day is
    today (``today``: the import's, default the calendar's); an empty statement of today
    asserts nothing.
    """
    now = calendar_today(today)
    if statement.movements:
        last = max(m.booking_date for m in statement.movements)
        open_day = statement.partial_last_day or last >= now
        return last if open_day else last + ONE_DAY
    day = statement.opening_date or statement.closing_date
    if day is None or day >= now:
        return None  # a day still open: the next statement asserts it
    return day + ONE_DAY


def asserted_balance(statement: Statement, today: dt.date | None = None) -> Decimal | None:
    """The balance the bank gives at the start of :func:`assertion_day`."""
    closing = statement.closing_balance
    day = assertion_day(statement, today)
    if closing is None or day is None:
        return None
    return closing - sum((m.amount for m in statement.movements if m.booking_date >= day),
                         Decimal(0))  # fmt: skip


def _bank_amount(entries: Iterable[data.Directive], account: str) -> Decimal:
    total = Decimal(0)
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for p in entry.postings:
                if p.account == account and p.units is not None and p.units.number is not None:
                    total += p.units.number
    return total


# How messages name the dates of each format (the balance's tag, the movement's record).
_DATED = {
    "mt940": (_(":61: entry date of the movement"), _(":60F: opening balance"),
              _(":62F: closing balance")),
    "camt.053": (_("Ntry BookgDt of the entry"), "Bal OPBD", "Bal CLBD"),
    "coda": (_("entry date of the movement (record 2.1)"), _("old balance (record 1)"),
             _("new balance (record 8)")),
}  # fmt: skip
_DATED_CSV = (_("date of the row"), _("first row"), _("last row"))


def check_dates(file: str, statement: Statement, today: dt.date | None = None) -> None:
    """Nothing the bank dates after today enters the books (:func:`ledger.dates.booking_date`,
    the one dates policy): each movement's booking date, the balances' dates, the date the
    statement was made. Refused naming the line and the tag."""
    movement_what, opening_what, closing_what = _DATED.get(statement.format, _DATED_CSV)
    dated: list[tuple[dt.date | None, str, int | None]] = [
        (m.booking_date, movement_what, m.line) for m in statement.movements
    ]
    dated += [
        (
            statement.opening_date,
            _("the date of the {what}", what=opening_what),
            statement.opening_line,
        ),
        (
            statement.closing_date,
            _("the date of the {what}", what=closing_what),
            statement.closing_line,
        ),
        (statement.created, _("the date the statement was made"), statement.line),
    ]
    for day, what, line in dated:
        if day is None:
            continue
        try:
            booking_date(day, today, what)
        except InputError as exc:
            raise BankFileError(file, "date", exc.message, line or statement.line) from None


def check_cents(file: str, statement: Statement) -> None:
    """A bank books cents: an amount with more decimals is a damaged or edited file, named
    at its own line (not at the books' line it would have been written to)."""
    amounts: list[tuple[Decimal | None, int | None]] = [
        (m.amount, m.line) for m in statement.movements
    ]
    amounts += [(d.amount, m.line) for m in statement.movements for d in m.details]
    amounts += [(statement.opening_balance, statement.opening_line),
                (statement.closing_balance, statement.closing_line)]  # fmt: skip
    for amount, line in amounts:
        if amount is not None and amount.is_finite() and amount != amount.quantize(CENT):
            raise BankFileError(
                file,
                "amount",
                _("an amount with more than two decimals: a bank books cents"),
                line or statement.line,
            )


def check_repeated_refs(
    file: str, account: str, statement: Statement, first_of: dict[tuple[str, str], Movement]
) -> None:
    """Refuse a file in which two movements of one account give the same reference.

    A reference (and the ``^bank-`` link made of it) names one movement: the books skip a
    movement whose link they hold, so a repeat within the file would be dropped as if it
    had been imported before. Every reference the formats give is unique within a file —
    CODA's is made of the statement and movement numbers, MT940's repeats are numbered
    (``-2``), the stand-ins and hashes carry their rank — except what the bank gives as
    unique: camt ``AcctSvcrRef`` (ISO 20022: it identifies the entry), and the CSV
    sequence numbers (BNP ``Volgnummer``, ING ``Omzetnummer``, Belfius'). A repeat of one
    of those means an edited file or two exports joined: refused, naming both lines.
    ``first_of`` holds the file's movements seen so far, by (account, reference)."""
    for movement in statement.movements:
        first = first_of.setdefault((account, movement.ref), movement)
        if first is movement:
            continue
        same = (first.booking_date, first.amount) == (movement.booking_date, movement.amount)
        if same:
            detail = _("this movement repeats the bank reference of line {first}, with the "
                       "same date and amount: a reference names one movement, so this one "
                       "would not be booked; nothing was imported (is a line repeated, or "
                       "were two exports joined?)", first=first.line or "?")  # fmt: skip
        else:
            detail = _("this movement repeats the bank reference of line {first}, with "
                       "another amount or date: a reference names one movement, so this one "
                       "would not be booked; nothing was imported (was the file edited, or "
                       "two exports joined?)", first=first.line or "?")  # fmt: skip
        raise BankFileError(file, "reference", detail, movement.line or statement.line)


class _Planner:
    def __init__(
        self,
        entries: Sequence[data.Directive],
        settings: ImportSettings,
        account: str | None,
        archive: bool,
        today: dt.date | None = None,
    ) -> None:
        self.settings = settings
        self.today = calendar_today(today)
        self.account = account
        self.archive = archive and bool(settings.recipients)
        self.view = _BooksView(entries, settings)
        self.invoices: dict[str, InvoiceRef] = issued_invoices(entries)
        self.known = settings.known.with_books(entries)
        self.plan = ImportPlan()
        self.touched: dict[str, dt.date] = {}
        self.placed: list[tuple[str, str, Statement]] = []  # (account, file, statement)
        # Balance assertions planned so far, by account: a later statement with a movement
        # before one's day (two statements of the same day) makes it untrue at that day.
        self.asserted: dict[str, list[data.Balance]] = defaultdict(list)

    def run(self, files: Sequence[BankFile]) -> ImportPlan:
        work: list[tuple[tuple[str, dt.date, str, int, int], FileReport, Statement, BankRef]] = []
        seen = set(self.view.imported)
        for index, file in enumerate(files):
            report = FileReport(file.name, file.sha256)
            self.plan.files.append(report)
            if file.sha256 in seen:
                report.skipped = _("already imported (same content)")
                continue
            seen.add(file.sha256)
            fmt, statements = read_statements(file.data, file.name)
            report.format = fmt.name
            self.plan.formats[file.sha256] = fmt
            self.one_account(file.name, statements)
            first_of: dict[tuple[str, str], Movement] = {}
            for position, raw in enumerate(statements):
                statement = kept_statement(raw, self.known.guard)
                check_dates(file.name, statement, self.today)
                check_cents(file.name, statement)
                bank = self.settings.bank_for(statement, file.name, self.account)
                if statement.currency != self.settings.currency:
                    raise BankFileError(
                        file.name, "currency", _("{label} is in {currency}, "
                        "the books are kept in {books_currency}",
                        label=statement.label, currency=statement.currency,
                        books_currency=self.settings.currency), statement.line,
                    )  # fmt: skip
                report.account = report.account or bank.account
                check_repeated_refs(file.name, bank.account, statement, first_of)
                day = statement.first_day or dt.date.min
                key = (bank.account, day, raw.sequence or "", index, position)
                work.append((key, report, statement, bank))
        for _key, report, statement, bank in sorted(work, key=lambda w: w[0]):
            self.statement(report, statement, bank)
        self.check_later_balances()
        self.check_open_accounts()
        for report in self.plan.files:
            if report.skipped is None and report.format is not None:
                for account in report.accounts:
                    path = archive_path(report, account) if self.archive else None
                    if path:
                        report.archives[account] = path
                    self.plan.entries.append(self.file_entry(report, account))
                report.archive = next(iter(report.archives.values()), None)
        return self.plan

    def one_account(self, name: str, statements: Sequence[Statement]) -> None:
        """``--account`` names one account: a file holding statements of several is
        refused (each statement would be booked on the one account named)."""
        if self.account is None:
            return
        accounts = list(dict.fromkeys(s.account for s in statements))
        if len(accounts) > 1:
            other = next(s for s in statements if s.account != accounts[0])
            raise BankFileError(
                name, "account", _("the file holds statements of {count} accounts, and "
                "--account names one: import it without --account (each statement then goes "
                "to the hub's account its IBAN names), or one account's statements at a time",
                count=len(accounts)),
                other.line,
            )  # fmt: skip

    # -- one statement --------------------------------------------------------------

    def statement(self, report: FileReport, statement: Statement, bank: BankRef) -> None:
        plan, view, name = self.plan, self.view, report.name
        plan.statements += 1
        report.statements.append(statement.sequence or statement.label)
        report.by_account.setdefault(bank.account, []).append(
            statement.sequence or statement.label
        )
        new: list[data.Directive] = []
        near: list[NearDuplicate] = []
        counted: list[list[data.Transaction]] = []
        for movement in statement.movements:
            bookings = categorise_movement(movement, self.settings, self.invoices)
            txns = [
                bank_transaction(name, movement, bank, b, statement.currency, self.known)
                for b in bookings
            ]
            self.remember_originals(movement, bookings, txns)
            links = {sorted(lk for lk in t.links if lk.startswith("bank-"))[0] for t in txns}
            if links & view.links:
                plan.already_present += 1
                report.already_present += 1
                continue
            view.links.update(links)
            similar = view.near_duplicate(
                bank.account, movement, money(movement.amount), report.sha256
            )
            if similar is not None:
                near.append(
                    NearDuplicate(name, movement.ref, sorted(links)[0], similar,
                                  describe(movement), kept=False, entries=list(txns))
                )  # fmt: skip
                continue
            new.extend(txns)
            counted.append(txns)
        opening = self.opening(name, statement, bank)
        if opening is not None:
            new.insert(0, opening)
        if statement.closing_balance is not None:
            kept, assertable = self.arbitrate(name, statement, bank, new, near)
            for dup in near:
                dup.kept = kept
            if kept:
                for dup in near:
                    new.extend(dup.entries)
                    counted.append(dup.entries)
            self.supersede_assertions(bank.account, new)
            day = assertion_day(statement, self.today)
            stated = asserted_balance(statement, self.today)
            closing = money(stated) if stated is not None else None
            if (
                assertable
                and day is not None
                and closing is not None
                and not view.has_balance(bank.account, day, closing)
            ):
                source = statement.model_copy(update={"closing_balance": stated})
                assertion = balance_directive(name, source, bank, day)
                new.append(assertion)
                self.asserted[bank.account].append(assertion)
        else:
            self.supersede_assertions(bank.account, new)
        plan.near_duplicates.extend(near)
        for txns in counted:
            self.count(txns, report)
        view.add(new, source=report.sha256)
        plan.entries.extend(new)
        self.placed.append((bank.account, name, statement))
        for entry in new:
            if entry.date < self.touched.get(bank.account, dt.date.max):
                self.touched[bank.account] = entry.date
        ends = [e.date for e in new]
        ends += [
            d for d in (statement.closing_date, statement.opening_date, statement.created) if d
        ]
        if ends:
            report.day = max([report.day or dt.date.min, *ends])

    def remember_originals(
        self, movement: Movement, bookings: Sequence[Booking], txns: list[data.Transaction]
    ) -> None:
        details = {d.sequence: d for d in movement.details}
        for booking, txn in zip(bookings, txns, strict=True):
            link = next(lk for lk in sorted(txn.links) if lk.startswith("bank-"))
            detail = details.get(booking.part or "")
            source = detail if detail is not None else movement
            self.plan.originals[link] = original_of(
                source.counterparty_name, source.counterparty_account, source.communication
            )

    def supersede_assertions(self, account: str, new: list[data.Directive]) -> None:
        """Drop this import's earlier assertions that ``new`` movements would contradict.

        A Beancount balance holds at the start of its day, so when the bank issues two
        statements on the same day (or a later statement has a movement dated earlier),
        only the last statement's closing balance can be asserted there. Each statement's
        balance was still checked above, in order, against the movements before it.
        """
        dates = [
            e.date for e in new if isinstance(e, data.Transaction) and _bank_amount([e], account)
        ]
        if not dates or not self.asserted.get(account):
            return
        first = min(dates)
        stale = [b for b in self.asserted[account] if b.date > first]
        for balance in stale:
            self.asserted[account].remove(balance)
            self.plan.entries.remove(balance)
            number = balance.amount.number
            if number is not None:
                self.view.balances[account].remove((balance.date, number))

    def count(self, txns: list[data.Transaction], report: FileReport) -> None:
        """Count one movement written (its transactions: one, or one per detail)."""
        self.plan.movements += 1
        report.movements += 1
        if any(t.postings[1].account == self.settings.suspense for t in txns):
            self.plan.to_review += 1
            self.plan.review_links.update(
                lk for t in txns for lk in t.links if lk.startswith("bank-")
            )
        else:
            self.plan.matched += 1

    def opening(self, name: str, statement: Statement, bank: BankRef) -> data.Transaction | None:
        """The opening entry of an account without history (None if not needed)."""
        if self.view.has_history(bank.account):
            return None
        opening = statement.opening_balance
        if opening is None and statement.closing_balance is not None:
            opening = statement.closing_balance - statement.total
        first = statement.first_day
        if opening is None or first is None:
            return None
        self.view.opened.add(bank.account)
        if opening == 0:
            return None
        source = statement.model_copy(update={"opening_balance": opening})
        day = self.opening_day(first, bank.account)
        return opening_transaction(name, source, bank, self.settings, day)

    def opening_day(self, first: dt.date, account: str) -> dt.date:
        """The day before the statement's first day, so that the books hold the bank's
        balance on every day the statement covers — but never before the bank account
        and the opening-balance account are open (books started on the first day)."""
        day = first - ONE_DAY
        for name in (self.settings.opening, account):
            opened = self.view.opens.get(name)
            if opened is not None and opened[0] > day:
                day = min(opened[0], first)
        return day

    def arbitrate(
        self,
        name: str,
        statement: Statement,
        bank: BankRef,
        new: list[data.Directive],
        near: list[NearDuplicate],
    ) -> tuple[bool, bool]:
        """Check the closing balance: whether the near-duplicates must be kept for it, and
        whether :func:`asserted_balance` may be asserted.

        A statement whose last day is still open (:func:`assertion_day`) may continue that
        day after a statement imported before (the next page of an MT940 statement, the
        second statement of today): its closing balance then follows on from everything
        the books hold for that day, and the balance at the start of the day is not its to
        assert (the earlier statement did)."""
        day = assertion_day(statement, self.today)
        closing = asserted_balance(statement, self.today)
        if day is None or closing is None:
            return False, False
        account = bank.account
        before = [e for e in new if e.date < day]
        base = self.view.balance_before(account, day) + _bank_amount(before, account)
        extra = sum(
            (_bank_amount([e for e in n.entries if e.date < day], account) for n in near),
            Decimal(0),
        )
        if abs(base - closing) <= TOLERANCE:
            return False, True
        if near and abs(base + extra - closing) <= TOLERANCE:
            return True, True
        last = max((m.booking_date for m in statement.movements), default=None)
        if day == last and statement.closing_balance is not None:
            through = self.view.balance_before(account, day + ONE_DAY) + _bank_amount(
                [e for e in new if e.date <= day], account
            )
            more = sum((_bank_amount(n.entries, account) for n in near), Decimal(0))
            if abs(through - statement.closing_balance) <= TOLERANCE:
                return False, False
            if near and abs(through + more - statement.closing_balance) <= TOLERANCE:
                return True, False
        hint = (
            _("; {count} movement(s) look like ones already in the books", count=len(near))
            if near
            else _("; is a statement missing, or were statements imported out of date order?")
        )
        raise ImportConflictError(
            name,
            "balance",
            _(
                "{label}: after it the books would hold {base} "
                "{currency} on {account} at the end of "
                "{day}, but the bank's closing balance is "
                "{closing}{hint}",
                label=statement.label,
                base=money(base),
                currency=statement.currency,
                account=bank.account,
                day=(day - ONE_DAY).isoformat(),
                closing=money(closing),
                hint=hint,
            ),
            statement.line,
        )

    # -- checks across statements ----------------------------------------------------

    def check_later_balances(self) -> None:
        """Balance assertions already in the books after what is added must still hold."""
        for account, since in self.touched.items():
            added = [
                e for e in self.plan.entries if isinstance(e, data.Transaction) and e.date >= since
            ]
            for day, amount in self.view.balances.get(account, ()):
                if day <= since:
                    continue
                now = self.view.balance_before(account, day)
                before = now - sum(
                    (_bank_amount([e], account) for e in added if e.date < day), Decimal(0)
                )
                if abs(before - amount) <= TOLERANCE and abs(now - amount) > TOLERANCE:
                    raise self.later_balance_broken(account, day, amount, now)

    def later_balance_broken(
        self, account: str, day: dt.date, amount: Decimal, now: Decimal
    ) -> ImportConflictError:
        """Why a balance the books assert would break, naming the statement that breaks it:
        a statement of a day whose end the books assert already (imported in an earlier
        call), or one older than statements already imported."""
        earlier = [
            (min(m.booking_date for m in st.movements if m.booking_date < day), name, st)
            for acct, name, st in self.placed
            if acct == account and any(m.booking_date < day for m in st.movements)
        ]
        if not earlier:
            return ImportConflictError(
                "import", "balance", _("the books assert {amount} on {account} on "
                "{day}; with these statements it would be {now}",
                amount=money(amount), account=account, day=day.isoformat(), now=money(now)),
            )  # fmt: skip
        first, name, statement = min(earlier, key=lambda found: found[0])
        asserted = _(
            "{amount} {currency} on {account}",
            amount=money(amount),
            currency=statement.currency,
            account=account,
        )
        end = (day - ONE_DAY).isoformat()
        if first == day - ONE_DAY and statement.opening_balance == amount:
            return ImportConflictError(
                name, "balance", _("{label} adds movements on {end} after a statement "
                "of the same day imported before, whose closing balance the books assert at "
                "the end of {end} ({asserted}); it follows on from it (its opening balance is "
                "{amount}), but an import never moves a balance the books assert: "
                "import a day's statements in one call; to add this "
                "one now, the balance line of "
                "{day} must be corrected by hand and adopted (--adopt-changes)",
                label=statement.label, end=end, asserted=asserted, amount=money(amount),
                day=day.isoformat()),
                statement.line,
            )  # fmt: skip
        return ImportConflictError(
            name, "balance", _("{label} has movements from {first} on, "
            "before the balance the books assert on {day} ({asserted}), which "
            "it would make {now}: it is older than statements already imported; "
            "import statements in date order",
            label=statement.label, first=first.isoformat(), day=day.isoformat(), asserted=asserted,
            now=money(now)),
            statement.line,
        )  # fmt: skip

    def check_open_accounts(self) -> None:
        """Every account posted to must be open at the entry's date (when there are books:
        a beangulp ``extract`` without ``-e`` plans against no entries at all)."""
        if not self.view.opens:
            return
        for entry in self.plan.entries:
            if isinstance(entry, data.Transaction):
                accounts = [p.account for p in entry.postings]
            elif isinstance(entry, data.Balance):
                accounts = [entry.account]
            else:
                continue
            for account in accounts:
                opened = self.view.opens.get(account)
                where = entry.meta.get("filename", "import")
                if opened is None:
                    raise ImportConflictError(
                        where, "account", _("{account} is not opened in the books (an import "
                        "rule or the chart in hub.toml names it)", account=account),
                    )  # fmt: skip
                start, end = opened
                if entry.date < start or (end is not None and entry.date > end):
                    raise ImportConflictError(
                        where, "account", _("{account} is open from {start} to {end} in "
                        "the books, but the statement has an entry on {day}", account=account,
                        start=start.isoformat(), end=end.isoformat(), day=entry.date.isoformat())
                        if end else _("{account} is open from {start} in the books, but the "
                        "statement has an entry on {day}", account=account,
                        start=start.isoformat(), day=entry.date.isoformat()),
                    )  # fmt: skip

    def file_entry(self, report: FileReport, account: str) -> data.Custom:
        """Records the file as imported, once for each account it holds statements of."""
        bank = next(b for b in self.settings.banks if b.account == account)
        day = report.day or calendar_today()
        statements = report.by_account.get(account, report.statements)
        return file_directive(
            day, report.format or "", report.sha256, bank, statements, report.archives.get(account)
        )


def plan_import(
    files: Sequence[BankFile],
    entries: Sequence[data.Directive],
    settings: ImportSettings,
    account: str | None = None,
    archive: bool = False,
    today: dt.date | None = None,
) -> ImportPlan:
    """Read and check ``files`` and plan what to add to ``entries`` (see the module doc).

    With ``archive`` (and age recipients in the settings), each file gets a path under
    ``documents/`` where the caller stores it encrypted (:attr:`FileReport.archive`).
    """
    return _Planner(entries, settings, account, archive, today).run(files)


def archive_path(report: FileReport, account: str | None = None) -> str | None:
    """Where the imported file is kept in the books, encrypted with age (``.age``).

    Under the bank account's folder and dated, so Beancount lists it as a ``document`` of
    the account (a file with statements of several accounts is kept under each of them).
    A bank file names everyone the hub paid, participants included, so it is never stored
    in clear in the books (which are shared with auditors and kept in git).
    """
    account = account or report.account
    if account is None or report.format is None or report.day is None:
        return None
    folder = account.replace(":", "/")
    ext = {"coda": ".cod", "camt.053": ".xml", "mt940": ".sta", "csv": ".csv"}[report.format]
    stem = f"{report.day.isoformat()}.{report.format}-{report.sha256[:10]}"
    return f"documents/{folder}/{stem}{ext}.age"
