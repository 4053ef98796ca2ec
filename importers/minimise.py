"""What the books keep of a bank movement: what proves and settles it, nothing more.

The bank writes the other party's name, account and address and the payer's free text; for
a payout that is a participant's name and IBAN, for a deposit her own. The books are
shared (git, auditors, the accountant, Fava) and sealed every year, so one rule decides, in
one function (:func:`kept_meta`) that every reader and every detail of a batch goes through:

* **kept**: amount, dates, the bank's references (the caller's), a structured
  communication (OGM, or an ISO 11649 ``RF…`` creditor reference) and *our own*
  references found in the free text — invoice and credit-note numbers, payout
  (``PO-…``), cost (``EXP-…``) and cash (``CASH-…``) ids, grant ids — as ``references``;
* the counterparty's **name and account only when it is a known client** (a name of
  ``clients.toml``), **a business** (a legal form in its name: SRL, ASBL, NV, VZW, S.A.,
  Fondation…, or a public body), or named by an import rule — and never when it matches a
  value of the roster;
* otherwise only the **last four characters of its account** (``counterparty-iban-last4``),
  the same four the payout records keep;
* **never**: the free text itself, a person's name, a person's full IBAN, an address.

The rest stays in the encrypted archive of the statement: ``coopledger bank-line show REF``
decrypts it in memory, and reconciliation reads it in memory too
(:class:`ledger.money.reconcile.BankOriginal`, from :func:`original_of`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from beancount.core import data
from stdnum import iso11649
from stdnum.be import ogm_vcs

from importers.text import iban_or_none
from ledger.privacy.guard import TextGuard
from ledger.view import BankOriginal

# Words that only a business or a public body carries in its name (whole words).
LEGAL_FORMS = frozenset(
    {
        "srl", "sprl", "bvba", "asbl", "vzw", "aisbl", "ivzw", "scrl", "scrlfs", "cvba",
        "scs", "sca", "snc", "vof", "commv", "gcv", "sarl", "gmbh", "ltd", "llc", "inc",
        "plc", "fondation", "stichting", "foundation", "spf", "fod", "cpas", "ocmw",
        "commune", "gemeente", "ville", "stad", "region", "gewest", "province", "provincie",
        "actiris", "vdab", "forem", "onss", "rsz", "inasti", "mutualite", "ziekenfonds",
        "sncb", "nmbs", "stib", "mivb", "bpost", "proximus",
    }
)  # fmt: skip
# Short forms that are also given names or syllables of names: only in dotted or combined
# form (``S.A.``, ``N.V.``, ``SA/NV``), never bare.
DOTTED_FORMS = re.compile(r"(?i)(?<![a-z])(s\.a\.|n\.v\.|b\.v\.|s\.c\.|c\.v\.|sa/nv|nv/sa)")
OUR_ID = re.compile(r"(?i)(?<![A-Za-z0-9])(?:PO|EXP|CASH)-\d{4}-\d{4,}(?![A-Za-z0-9])")
OGM_TYPED = re.compile(
    r"(?:\+\+\+|\*\*\*)\s*(\d{3})\s*/?\s*(\d{4})\s*/?\s*(\d{5})\s*(?:\+\+\+|\*\*\*)"
)
OGM_LOOSE = re.compile(r"(?<!\d)(\d{3})\D{0,3}(\d{4})\D{0,3}(\d{5})(?!\d)")
CREDITOR_REF = re.compile(r"(?i)(?<![A-Za-z0-9])RF\d{2}[A-Z0-9]{1,21}(?![A-Za-z0-9])")
REFERENCE_KEYS = {"invoice", "payout", "expense", "grant", "cash"}


def normalise_name(text: str) -> str:
    """Lower case, no accents, words only, sorted (``FICTIVE PERSONNE`` = ``Personne Fictive``)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    noise = {"m", "mr", "mme", "mlle", "mevr", "dhr", "de", "heer", "mevrouw", "madame"}
    return " ".join(sorted(w for w in re.findall(r"[a-z0-9]+", plain) if w not in noise))


def is_business(name: str | None) -> bool:
    """Whether a counterparty's name says it is a business or a public body."""
    if not name:
        return False
    if DOTTED_FORMS.search(name):
        return True
    words = set(normalise_name(name).split())
    return bool(words & LEGAL_FORMS)


@dataclass(frozen=True)
class KnownParties:
    """What the hub knows that lets a counterparty or a reference be kept."""

    clients: frozenset[str] = frozenset()  # normalised names of clients.toml
    ibans: frozenset[str] = frozenset()  # accounts hub.toml names (import rules)
    references: frozenset[str] = frozenset()  # our own references, upper case
    ogms: frozenset[str] = frozenset()  # OGMs of our invoices (12 digits)
    guard: TextGuard = field(default_factory=TextGuard)  # the roster's values, when at hand

    @classmethod
    def of(
        cls, client_names: Iterable[str] = (), ibans: Iterable[str] = (),
        roster_values: Iterable[str] = (),
    ) -> KnownParties:  # fmt: skip
        return cls(
            clients=frozenset(n for n in map(normalise_name, client_names) if n),
            ibans=frozenset(i for i in (iban_or_none(v) for v in ibans) if i),
            guard=TextGuard(roster_values, with_roster=True),
        )

    @cached_property
    def references_pattern(self) -> re.Pattern[str] | None:
        """One pattern for all our references (longest first), as whole words."""
        if not self.references:
            return None
        alternatives = "|".join(map(re.escape, sorted(self.references, key=len, reverse=True)))
        return re.compile(rf"(?<![A-Z0-9\-])({alternatives})(?![A-Z0-9\-])")

    def with_books(self, entries: Iterable[data.Directive]) -> KnownParties:
        """These parties, and the references the books hold (invoices, payouts, costs…)."""
        refs, ogms = set(self.references), set(self.ogms)
        for entry in entries:
            if not isinstance(entry, data.Transaction):
                continue
            for key in REFERENCE_KEYS:
                value = entry.meta.get(key)
                if isinstance(value, str) and value.strip():
                    refs.add(value.strip().upper())
            ogm = re.sub(r"\D", "", str(entry.meta.get("ogm") or ""))
            if entry.meta.get("kind") == "invoice" and len(ogm) == 12:
                ogms.add(ogm)
        return replace(self, references=frozenset(refs), ogms=frozenset(ogms))


def references_in(text: str | None, known: KnownParties) -> list[str]:
    """Our own references and structured references in a free text, in order, once each."""
    if not text:
        return []
    found: list[tuple[int, str]] = []
    for match in OGM_TYPED.finditer(text):
        digits = "".join(match.groups())
        if ogm_vcs.is_valid(digits):
            found.append((match.start(), f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"))
    for match in OGM_LOOSE.finditer(text):
        digits = "".join(match.groups())
        if digits in known.ogms:  # never any 12 digits: a Belgian account number passes mod 97
            found.append((match.start(), f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"))
    for match in CREDITOR_REF.finditer(text):
        if iso11649.is_valid(match.group()):
            found.append((match.start(), match.group().upper()))
    for match in OUR_ID.finditer(text):
        found.append((match.start(), match.group().upper()))
    pattern = known.references_pattern
    if pattern is not None:
        for match in pattern.finditer(text.upper()):
            found.append((match.start(), match.group(1)))
    out: list[str] = []
    for _, ref in sorted(found):
        if ref not in out:
            out.append(ref)
    return out


def kept_counterparty(
    name: str | None, account: str | None, known: KnownParties, named_by_rule: bool = False
) -> dict[str, str]:
    """The counterparty metadata the books may keep (see the module's docstring)."""
    iban = iban_or_none(account) or (account or "").replace(" ", "").upper() or None
    identified = (
        named_by_rule
        or (iban is not None and iban in known.ibans)
        or (name is not None and normalise_name(name) in known.clients)
        or is_business(name)
    )
    personal = known.guard.matches_roster(name) or known.guard.matches_roster(iban)
    meta: dict[str, str] = {}
    if identified and not personal:
        if name:
            meta["counterparty"] = " ".join(name.split())
        if iban:
            meta["counterparty-iban"] = iban
    elif iban:
        meta["counterparty-iban-last4"] = iban[-4:]
    return meta


def kept_meta(
    name: str | None, account: str | None, text: str | None, known: KnownParties,
    named_by_rule: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """What the books keep of a movement's (or a batch detail's) party and free text."""
    meta: dict[str, Any] = kept_counterparty(name, account, known, named_by_rule)
    refs = references_in(text, known)
    if refs:
        meta["references"] = " ".join(refs)
    return meta


def original_of(name: str | None, account: str | None, text: str | None) -> BankOriginal:
    """What the bank wrote that the books do not keep, for reconciliation in memory."""
    iban = iban_or_none(account) or (account or "").replace(" ", "").upper()
    return BankOriginal(
        counterparty=" ".join((name or "").split()),
        iban=iban,
        communication=" ".join((text or "").split()),
    )
