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

import re
from collections.abc import Callable, Iterable

from ledger.books import Books
from ledger.errors import PrivacyRefusal
from ledger.i18n import _
from ledger.keys import has_key
from ledger.privacy.patterns import (
    compact_needles,
    fold_compatible,
    needles,
    normalise,
    pattern_problem,
)
from ledger.roster import read_roster

NAME_WORD = 4
ROSTER_VALUE = _("a value of the participants' roster (a name, alias or detail)")
PARTICIPANTS_ACCOUNT = (
    "it is a participant's account (a value of the roster): the books keep the accounts of "
    "the hub and of organisations only"
)


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
        roster = read_roster(books)
        guard = cls(roster.secrets(), with_roster=True)
        # A name alone is enough to tell who she is ("Repas Zorbania"): each word of a
        # person's name field is looked for on its own too (words of 4 letters or more).
        guard.needles |= {
            word
            for entry in roster.participants.values()
            for word in normalise(entry.details.get("name", "")).split()
            if len(word) >= NAME_WORD and word.isalpha()
        }
        return guard

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
        compact = re.sub(r"[\W_]", "", fold_compatible(text)).casefold()
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
                _(
                    "{field}: refused, it contains {found}; personal details stay in the "
                    "encrypted roster only (write it without them)",
                    field=field,
                    found=found,
                )
            )

    def check_all(self, texts: Iterable[tuple[str | None, str]]) -> None:
        for text, field in texts:
            self.check(text, field)

    def check_roster_only(self, text: str | None, field: str, what: str) -> None:
        """Refuse ``text`` only if it matches the roster (for a client's own address…)."""
        if self.matches_roster(text):
            raise PrivacyRefusal(_("{field}: refused, {what}", field=field, what=what))


def refuse_roster_values(books: Books, staged: dict[str, bytes]) -> None:
    """Refuse staged text files that hold a roster value (a free edit, e.g. from Fava's
    editor, which no command template shaped): names the file, never the value."""
    guard = TextGuard.for_books(books)
    if not guard.with_roster:
        return  # without the key, the privacy plugin still reports the shapes on reload
    for relpath, payload in sorted(staged.items()):
        if relpath.endswith((".beancount", ".toml")) and guard.matches_roster(
            payload.decode("utf-8", errors="replace")
        ):
            raise PrivacyRefusal(
                _(
                    "{relpath}: refused, the change contains {roster_value}; personal details "
                    "stay in the encrypted roster only",
                    relpath=relpath,
                    roster_value=ROSTER_VALUE,
                )
            )


def roster_text_check(books: Books) -> Callable[[list[tuple[str, str]]], None]:
    """A check of a document's own texts (a supplier's e-invoice: its name, notes, contacts,
    line texts) against the roster only — such a document legitimately carries the
    supplier's phone, IBAN and address, never a participant's name."""
    guard = TextGuard.for_books(books)

    def check(texts: list[tuple[str, str]]) -> None:
        for text, field in texts:
            guard.check_roster_only(
                text,
                field,
                _(
                    "it names a participant: {roster_value} is never archived",
                    roster_value=ROSTER_VALUE,
                ),
            )

    return check
