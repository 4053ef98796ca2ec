"""The roster guard: no personal value enters the books or a document through free text.

Every text a command writes into the books, a commit message or a document the hub sends
(invoice lines, credit-note reasons, cost descriptions and suppliers, grant funders and
purposes, activities, client names) is checked before anything is written:

* with the hub key at hand, against every value the roster holds (alias, every detail,
  the payout IBAN and name): each whole value, and each pair of consecutive words of a
  value of several words, compared without case, accents or punctuation;
* always, key or not, against the shapes of a valid IBAN (or old Belgian account number),
  a phone number, an e-mail address and a street address.

A refusal names the field and what kind of value was found, never the value itself: it
would land in a terminal's scrollback, a log or a screenshot. What the guard cannot see —
a name that is in no roster field, written without its other words — is documented in
``docs/security.md``.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.be import vat as be_vat

from ledger.books import Books
from ledger.errors import PrivacyRefusal
from ledger.keys import has_key
from ledger.roster import read_roster

ROSTER_VALUE = "a value of the participants' roster (a name, alias or detail)"
MIN_NEEDLE = 3

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ .\-]?[A-Za-z0-9]){10,32}(?![A-Za-z0-9])")
_BBAN = re.compile(r"(?<!\d)\d{3}[ .\-]?\d{7}[ .\-]?\d{2}(?!\d)")
_OGM = re.compile(r"(?:\+\+\+|\*\*\*)[\d/ .]+(?:\+\+\+|\*\*\*)")
_DATE = re.compile(
    r"(?<!\d)(?:(\d{1,2})[/.\-](\d{1,2})[/.\-](?:\d{4}|\d{2})|\d{4}-(\d{2})-(\d{2}))(?!\d)"
)
_PHONE_INTL = re.compile(
    r"(?<![\w+])(?:\+|00)[1-9]\d{0,2}(?:[ ./\-]?\(?0?\)?[ ./\-]?\d){7,12}(?!\d)"
)
_PHONE_BE = re.compile(r"(?<![\w])0[1-9]\d{0,2}(?:[ ./\-]?\d){6,8}(?!\d)")
_STREET_WORDS = (
    "rue|avenue|av|chaussée|chaussee|boulevard|bd|place|square|quai|allée|allee|impasse|"
    "drève|dreve|chemin|clos|sentier|rond-point|street|road"
)
_STREET = re.compile(rf"(?i)\b(?:{_STREET_WORDS})\b[^,;:\n\d]{{0,40}}\d{{1,4}}\b")
_STRAAT = re.compile(r"(?i)\b\w{2,}(?:straat|laan|steenweg|plein|dreef|kaai|lei|weg)\s*\d{1,4}\b")


def normalise(text: str) -> str:
    """Lower case, no accents, words separated by one space (for comparing values)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.findall(r"[^\W_]+", plain))


def needles(values: Iterable[str]) -> set[str]:
    """What the guard looks for: each whole value, and each pair of consecutive words."""
    out: set[str] = set()
    for value in values:
        norm = normalise(value)
        if len(norm.replace(" ", "")) >= MIN_NEEDLE:
            out.add(norm)
        words = norm.split()
        for first, second in itertools.pairwise(words):
            if not (first.isdigit() or second.isdigit()) and len(first + second) > MIN_NEEDLE:
                out.add(f"{first} {second}")
    return out


def compact_needles(values: Iterable[str]) -> set[str]:
    """Values with digits (an IBAN, a phone number), without spaces or punctuation, so that
    they are found however they are spaced."""
    out = set()
    for value in values:
        compact = re.sub(r"[\W_]", "", value).casefold()
        if len(compact) >= 8 and sum(c.isdigit() for c in compact) >= 6:
            out.add(compact)
    return out


def _valid_iban(candidate: str) -> bool:
    compact = re.sub(r"[ .\-]", "", candidate).upper()
    try:
        IBAN(compact)
    except SchwiftyException:
        return False
    return True


def _valid_bban(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    return int(digits[:10]) % 97 == int(digits[10:]) or (
        int(digits[:10]) % 97 == 0 and digits[10:] == "97"
    )


def _enterprise_number(candidate: str) -> bool:
    """``0403.170.701``: a business's number (public, not a phone)."""
    if not re.fullmatch(r"[01]\d{3}[. ]\d{3}[. ]\d{3}", candidate.strip()):
        return False
    return bool(be_vat.is_valid(candidate))


def _drop_date(match: re.Match[str]) -> str:
    """A date is no phone number: blank it out (only if it is a plausible date)."""
    day, month = match.group(1) or match.group(4), match.group(2) or match.group(3)
    plausible = 1 <= int(day) <= 31 and 1 <= int(month) <= 12
    return " " if plausible else match.group()


def pattern_problem(text: str) -> str | None:
    """What kind of personal value ``text`` seems to hold (without the roster), if any."""
    if _EMAIL.search(text):
        return "an e-mail address"
    if any(_valid_iban(m.group()) for m in _IBAN.finditer(text)):
        return "an IBAN"
    if any(_valid_bban(m.group()) for m in _BBAN.finditer(text)):
        return "a bank account number"
    rest = _DATE.sub(_drop_date, _OGM.sub(" ", text))
    if _PHONE_INTL.search(rest):
        return "a phone number"
    if any(not _enterprise_number(m.group()) for m in _PHONE_BE.finditer(rest)):
        return "a phone number"
    if _STREET.search(text) or _STRAAT.search(text):
        return "a street address"
    return None


class TextGuard:
    """Checks free texts before they are written (see the module's docstring)."""

    def __init__(self, secrets: Iterable[str] = (), with_roster: bool = False) -> None:
        values = list(secrets)
        self.needles = needles(values)
        self.compact = compact_needles(values)
        self.with_roster = with_roster

    @classmethod
    def for_books(cls, books: Books) -> TextGuard:
        """The guard of these books: with the roster's values when the hub key is at hand."""
        if not has_key(books.config):
            return cls()
        return cls(read_roster(books).secrets(), with_roster=True)

    def with_values(self, values: Iterable[str]) -> TextGuard:
        """This guard, also watching for ``values`` (a record not in the roster yet)."""
        extra = [v for v in values if v]
        guard = TextGuard(with_roster=self.with_roster)
        guard.needles = self.needles | needles(extra)
        guard.compact = self.compact | compact_needles(extra)
        return guard

    def matches_roster(self, text: str | None) -> bool:
        if not text or not (self.needles or self.compact):
            return False
        norm = f" {normalise(text)} "
        if any(f" {n} " in norm for n in self.needles):
            return True
        compact = re.sub(r"[\W_]", "", text).casefold()
        return any(n in compact for n in self.compact)

    def problem(self, text: str | None) -> str | None:
        if not text:
            return None
        if self.matches_roster(text):
            return ROSTER_VALUE
        return pattern_problem(text)

    def check(self, text: str | None, field: str) -> None:
        """Refuse ``text`` if it holds a personal value (names ``field``, never the value)."""
        found = self.problem(text)
        if found is not None:
            raise PrivacyRefusal(
                f"{field}: refused, it contains {found}; personal details stay in the "
                "encrypted roster only (write it without them)"
            )

    def check_all(self, texts: Iterable[tuple[str | None, str]]) -> None:
        for text, field in texts:
            self.check(text, field)

    def check_roster_only(self, text: str | None, field: str, what: str) -> None:
        """Refuse ``text`` only if it matches the roster (for a client's own address…)."""
        if self.matches_roster(text):
            raise PrivacyRefusal(f"{field}: refused, {what}")
