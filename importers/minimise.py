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
  ``clients.toml``), **a business alone** (its legal form ends the name, or a public
  body's name with nothing after it: :func:`is_business`), or named by an import rule —
  and never when it matches a value of the roster;
* otherwise only the **last four characters of its account** (``counterparty-iban-last4``),
  the same four the payout records keep;
* **never**: the free text itself, a person's name, a person's full IBAN, an address.

The bank's own **references and statement ids** go into the books too (``bank-ref``,
``statement``), and a bank may write anything there — a name, a phone number, an account.
They are kept only when they look like what they are, a code (:func:`reference_problem`,
:func:`shape_problem`: every token holds a digit and no word, no roster value, no IBAN,
phone or e-mail shape); otherwise
:func:`kept_statement` puts a stable stand-in in their place, derived by hash from the
statement and the movement's date, amount and rank — never from the value itself — so a
statement read again gives the same references (and the movement the same ``^bank-``
link), and imports still deduplicate.

The rest stays in the encrypted archive of the statement: ``coopledger bank-line show REF``
decrypts it in memory, and reconciliation reads it in memory too
(:class:`ledger.money.reconcile.BankOriginal`, from :func:`original_of`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from beancount.core import data
from stdnum import iso11649
from stdnum.be import ogm_vcs

from importers.model import Movement, Statement
from importers.text import iban_or_none
from ledger.privacy.guard import TextGuard
from ledger.view import BankOriginal

# The legal forms of a business: it is one when its name ends with one (whole word).
LEGAL_FORMS = frozenset(
    {
        "srl", "sprl", "bvba", "asbl", "vzw", "aisbl", "ivzw", "scrl", "scrlfs", "cvba",
        "scs", "sca", "snc", "vof", "commv", "gcv", "sarl", "gmbh", "ltd", "llc", "inc",
        "plc", "fondation", "stichting", "foundation",
    }
)  # fmt: skip
# Short forms that are also given names or syllables of names: only in dotted or combined
# form (``S.A.``, ``N.V.``, ``SA/NV``), never bare, and at the end of the name.
DOTTED_FORMS = re.compile(r"(?i)(?<![a-z])(s\.a\.?|n\.v\.?|b\.v\.?|s\.c\.?|c\.v\.?|sa/nv|nv/sa)$")
# A public body's name is made of these words only: at least one body, then connecting
# words, places (the 19 Brussels communes, the regions, the largest cities) and the
# federal departments. A CPAS paying a person's allowance writes her name after its own.
PUBLIC_BODIES = frozenset(
    {
        "spf", "fod", "cpas", "ocmw", "commune", "gemeente", "ville", "stad", "region",
        "gewest", "province", "provincie", "actiris", "vdab", "forem", "onss", "rsz",
        "inasti", "rszv", "onem", "rva", "mutualite", "ziekenfonds", "sncb", "nmbs", "stib",
        "mivb", "bpost", "proximus", "capac", "hvw", "inami", "riziv", "famiris",
    }
)  # fmt: skip
CONNECTING_WORDS = frozenset(
    {"de", "d", "du", "des", "la", "le", "les", "van", "het", "der", "et", "en"}
)  # fmt: skip
# Places of one word: the Brussels region and communes, the regions, large cities.
PUBLIC_PLACES = frozenset(
    {
        "bruxelles", "brussel", "brussels", "anderlecht", "auderghem", "oudergem",
        "etterbeek", "evere", "forest", "vorst",
        "ganshoren", "ixelles", "elsene", "jette", "koekelberg", "molenbeek", "schaerbeek",
        "schaarbeek", "uccle", "ukkel", "berchem", "watermael", "boitsfort", "watermaal",
        "bosvoorde", "woluwe", "wallonne", "wallonie", "vlaamse", "vlaanderen", "flandre",
        "antwerpen", "anvers", "gent", "gand", "liege", "luik", "charleroi", "namur", "namen",
        "leuven", "louvain", "mons", "bergen", "brugge", "bruges",
    }
)  # fmt: skip
# Federal departments (SPF/FOD …), kinds of mutuality, what qualifies a region.
PUBLIC_DEPARTMENTS = frozenset(
    {
        "capitale", "hoofdstedelijk", "hoofdstad", "finances", "financien", "economie",
        "justice", "justitie", "interieur",
        "binnenlandse", "zaken", "emploi", "werkgelegenheid", "securite", "sociale",
        "zekerheid", "sante", "publique", "volksgezondheid", "mobilite", "mobiliteit",
        "affaires", "etrangeres", "buitenlandse", "chretienne", "socialiste", "neutre",
        "liberale", "christelijke", "socialistische", "onafhankelijke", "libre", "libres",
        "solidaris", "partena", "helan",
    }
)  # fmt: skip
PUBLIC_WORDS = PUBLIC_BODIES | CONNECTING_WORDS | PUBLIC_PLACES | PUBLIC_DEPARTMENTS
_A_PLACE = "\x00place"  # a place of several words (PUBLIC_PHRASES), as one word
# What a bank writes after a business's legal form: where it is (``FF SRL BXL``,
# ``Garage Fictif SPRL Bruxelles``) — the one-word places above, their usual abbreviations.
PLACE_WORDS = frozenset(
    {
        "bruxelles", "brussel", "brussels", "bxl", "brux", "bru", "anderlecht", "auderghem",
        "oudergem", "etterbeek", "evere", "forest", "vorst", "ganshoren", "ixelles", "elsene",
        "jette", "koekelberg", "molenbeek", "schaerbeek", "schaarbeek", "uccle", "ukkel",
        "berchem", "watermael", "boitsfort", "watermaal", "bosvoorde", "woluwe", "antwerpen",
        "anvers", "gent", "gand", "liege", "luik", "charleroi", "namur", "namen", "leuven",
        "louvain", "mons", "bergen", "brugge", "bruges", "be", "bel", "belgique", "belgie",
        "belgium",
    }
)  # fmt: skip
# Places whose words are also given names: only as the whole phrase (longest first).
PUBLIC_PHRASES = sorted(
    (
        tuple(p.split())
        for p in (
            "saint josse ten noode", "sint joost ten node", "saint gilles", "sint gillis",
            "sint jans", "saint jean", "sainte agathe", "sint agatha", "saint lambert",
            "sint lambrechts", "saint pierre", "sint pieters", "st josse", "st gilles",
            "ste agathe", "st lambert", "st pierre", "st jean",
        )
    ),
    key=len,
    reverse=True,
)  # fmt: skip
OUR_ID = re.compile(r"(?i)(?<![A-Za-z0-9])(?:PO|EXP|CASH)-\d{4}-\d{4,}(?![A-Za-z0-9])")
OGM_TYPED = re.compile(
    r"(?:\+\+\+|\*\*\*)\s*(\d{3})\s*/?\s*(\d{4})\s*/?\s*(\d{5})\s*(?:\+\+\+|\*\*\*)"
)
OGM_LOOSE = re.compile(r"(?<!\d)(\d{3})\D{0,3}(\d{4})\D{0,3}(\d{5})(?!\d)")
CREDITOR_REF = re.compile(r"(?i)(?<![A-Za-z0-9])RF\d{2}[A-Z0-9]{1,21}(?![A-Za-z0-9])")
REFERENCE_KEYS = {"invoice", "payout", "expense", "grant", "cash"}
MAX_REFERENCE = 64  # MT940 gives 16 characters, camt 35; a longer one is no reference


def normalise_name(text: str) -> str:
    """Lower case, no accents, words only, sorted (``FICTIVE PERSONNE`` = ``Personne Fictive``)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    noise = {"m", "mr", "mme", "mlle", "mevr", "dhr", "de", "heer", "mevrouw", "madame"}
    return " ".join(sorted(w for w in re.findall(r"[a-z0-9]+", plain) if w not in noise))


def _words(text: str) -> list[str]:
    """Lower case, no accents, words only, in order."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.findall(r"[a-z0-9]+", plain)


def _without_phrases(words: list[str], mark: bool = False) -> list[str]:
    """``words`` without the places of :data:`PUBLIC_PHRASES` (``saint gilles``), each
    replaced by one word :data:`_A_PLACE` when ``mark``."""
    out: list[str] = []
    i = 0
    while i < len(words):
        phrase = next((p for p in PUBLIC_PHRASES if tuple(words[i : i + len(p)]) == p), None)
        if phrase is None:
            out.append(words[i])
            i += 1
        else:
            out += [_A_PLACE] if mark else []
            i += len(phrase)
    return out


def _is_public_body(words: list[str]) -> bool:
    """A public body's name and nothing more: bodies, then connecting words and its
    departments, one place at the most and right after a body (``CPAS de Bruxelles``,
    ``SPF Sécurité sociale``, ``Commune d'Anderlecht``), and maybe a legal form at the end
    (``Proximus SA``, ``Actiris ASBL``). A second place, or one after a department, is a
    person's name as often (``CPAS BRUXELLES VAN DER VORST``, ``SPF Finances / Namur``)."""
    places = 0
    seen_body = False
    after_body = False  # nothing but connecting words since the last body word
    for index, word in enumerate(words):
        if word in PUBLIC_BODIES:
            seen_body = after_body = True
        elif word in CONNECTING_WORDS:
            continue
        elif word in PUBLIC_PLACES or word == _A_PLACE:
            # before the body (``Brussels Hoofdstedelijk Gewest``) or right after it
            if places or (seen_body and not after_body):
                return False
            places, after_body = 1, False
        elif word in PUBLIC_DEPARTMENTS:
            after_body = False
        elif index == len(words) - 1 and (word in LEGAL_FORMS or word in ("sa", "nv")):
            continue
        else:
            return False
    return True


def is_business(name: str | None) -> bool:
    """Whether a counterparty's name is a business's or a public body's, and only that.

    A bank writes the name of the person a payment is about after the payer's (``CPAS
    BRUXELLES TANGORA SIERRAH``, ``SPF Finances / Tangora``): the name is a business only
    when **its legal form ends it** (``Papeterie Imaginaire SRL``, ``Garage Fictif
    N.V.``) or only where the business is follows it (``FF SRL BXL``, at most two words of
    :data:`PLACE_WORDS`), or it is **a public body's name and nothing more** — every word a body
    (:data:`PUBLIC_BODIES`), connecting words, its departments, one place right after a
    body (:func:`_is_public_body`: ``CPAS de Bruxelles``, ``SPF Finances``, ``Proximus
    SA``). A name holding a public body's word is never a business by a legal form
    alone (``Mutualite Tangora ASBL``)."""
    if not name or not name.strip():
        return False
    words = _words(name)
    if not words:
        return False
    if any(w in PUBLIC_BODIES for w in words):
        return _is_public_body(_without_phrases(words, mark=True))
    if bool(DOTTED_FORMS.search(name.strip())):
        return True
    # the legal form ends the name, or only where the business is follows it
    forms = [i for i, w in enumerate(words) if w in LEGAL_FORMS]
    if not forms:
        return False
    tail = _without_phrases(words[forms[-1] + 1 :])
    return len(tail) <= 2 and all(w in PLACE_WORDS for w in tail)


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
        roster_values: Iterable[str] = (), guard: TextGuard | None = None,
    ) -> KnownParties:  # fmt: skip
        """``guard`` (the books', :meth:`TextGuard.for_books`) or one of ``roster_values``;
        with neither, no roster (``guard.with_roster`` is false: beangulp's importers refuse
        to extract with it)."""
        values = [v for v in roster_values if v]
        return cls(
            clients=frozenset(n for n in map(normalise_name, client_names) if n),
            ibans=frozenset(i for i in (iban_or_none(v) for v in ibans) if i),
            guard=guard or TextGuard(values, with_roster=bool(values)),
        )

    @cached_property
    def references_by_length(self) -> list[tuple[int, frozenset[str]]]:
        """Our references by length, longest first (what :func:`our_references` looks up)."""
        by_length: dict[int, set[str]] = {}
        for ref in self.references:
            by_length.setdefault(len(ref), set()).add(ref)
        return sorted(((n, frozenset(refs)) for n, refs in by_length.items()), reverse=True)

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


# What may not stand right before or after one of our references in a text (upper case).
REFERENCE_NEIGHBOUR = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")


def our_references(
    text: str, by_length: list[tuple[int, frozenset[str]]]
) -> list[tuple[int, str]]:
    """Where our references stand in ``text`` as whole words, left to right, the longest
    at each place: what one pattern of them all (longest first) found, without compiling
    an alternative per reference of the books (thousands) at every import."""
    found: list[tuple[int, str]] = []
    start, size = 0, len(text)
    while start < size:
        if start == 0 or text[start - 1] not in REFERENCE_NEIGHBOUR:
            for length, refs in by_length:
                end = start + length
                if (
                    end <= size
                    and text[start:end] in refs
                    and (end == size or text[end] not in REFERENCE_NEIGHBOUR)
                ):
                    found.append((start, text[start:end]))
                    start = end
                    break
            else:
                start += 1
        else:
            start += 1
    return found


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
    found += our_references(text.upper(), known.references_by_length)
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


# ---------------------------------------------------------------- the bank's references


# What a bank's code is made of: ASCII letters and digits in tokens, between the
# separators SWIFT's character set allows (and ``_``, ``#``).
CODE_SEPARATORS = re.compile(r"[ \-/?:().,'+_#]+")
CODE_TOKEN = re.compile(r"[A-Za-z0-9]+")
HEX_TOKEN = re.compile(r"[0-9a-f]+")
# The references the readers and :func:`kept_statement` derive by hash (``c-…``, ``m-…``,
# ``v-…``, ``r-…``, ``s-…``): ours, made of no value of the file.
DERIVED = re.compile(r"[a-z]-[0-9a-f]{16}")
# The few words that a bank's ids carry on their own and that are nobody's name.
CODE_WORDS = frozenset({"STMT", "STAT", "CAMT", "MT", "REF", "NR", "NO", "ID", "EUR", "SEPA",
                        "SCT", "SDD"})  # fmt: skip


def shape_problem(value: str) -> str | None:
    """Why ``value`` does not look like a code (None: it does).

    A code is tokens of ASCII letters and digits between separators (space, ``-``, ``/``,
    ``.``, ``:``, ``+``…), where **every token holds a digit** — a token of letters only
    could be a word of a name (``W.P. Jansen``, ``Sierrah``, ``TANGORA``), so only a few
    words of bank ids (``STMT``, ``REF``, ``NR``… :data:`CODE_WORDS`) pass alone — and
    the letters of a token are upper case, unless it is hexadecimal in lower case
    (``Tangora12`` is a name glued to a number, ``a3f9c2`` a hash). Real references pass:
    ``20260303-012-0001``, ``0724710351063405``, ``B4G29PGCVO7Q06US``, ``00107/002``,
    ``TEST2026080300001``, ``STMT-2026-003``."""
    tokens = [t for t in CODE_SEPARATORS.split(value) if t]
    if not tokens:
        return "no code"
    for token in tokens:
        if not CODE_TOKEN.fullmatch(token):
            return "a character no code has"
        if token.upper() in CODE_WORDS:
            continue
        if not any(c.isdigit() for c in token):
            return "a word, not a code"
        if not (token.isupper() or token.isdigit() or HEX_TOKEN.fullmatch(token)):
            return "a word glued to a number, not a code"
    if not any(c.isdigit() for c in value):
        return "no digit: a word, not a reference"
    return None


def reference_problem(value: str | None, guard: TextGuard) -> str | None:
    """Why a bank's reference or statement id cannot go into the books (None: it can).

    A reference is a code the bank gives its movement or statement (:func:`shape_problem`);
    a value of the roster — whole, or one of its words among the reference's letters when
    the key is at hand — or the shape of an IBAN, a phone number or an e-mail is refused
    too: it is replaced by a stand-in."""
    if not value or DERIVED.fullmatch(value):
        return None
    if len(value) > MAX_REFERENCE:
        return "too long for a reference"
    found = shape_problem(value) or guard.problem(value)
    if found is None and guard.matches_roster(" ".join(re.findall(r"[A-Za-z]+", value))):
        found = "a value of the roster"
    return found


def _stand_in(prefix: str, *parts: object) -> str:
    key = "|".join("" if p is None else str(p) for p in parts)
    return f"{prefix}{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def kept_statement(statement: Statement, guard: TextGuard | None = None) -> Statement:
    """``statement`` with every reference the books cannot keep replaced by a stable
    stand-in (see the module's docstring): its id (``s-…``, from its account, dates and
    balances), each movement's reference (``r-…``, from the statement's id as kept, the
    movement's dates, amount and bank code, and its rank among identical ones)."""
    guard = guard or TextGuard()
    sequence = statement.sequence
    if reference_problem(sequence, guard) is not None:
        sequence = _stand_in(
            "s-", statement.account, statement.opening_date, statement.opening_balance,
            statement.closing_date, statement.closing_balance,
        )  # fmt: skip
    seen: Counter[tuple[object, ...]] = Counter()
    movements: list[Movement] = []
    for movement in statement.movements:
        key = (movement.booking_date, movement.value_date, movement.amount,
               movement.transaction_code)  # fmt: skip
        seen[key] += 1
        update: dict[str, object] = {}
        bank_ref = movement.bank_ref
        refused = reference_problem(bank_ref, guard) is not None
        if refused:
            update["bank_ref"] = None
        # the reference may be made of the bank's (MT940: ``<entry date>-<reference>``)
        if (refused and bank_ref and bank_ref in movement.ref) or reference_problem(
            movement.ref, guard
        ) is not None:
            update["ref"] = _stand_in("r-", sequence or "", *key, seen[key])
        movements.append(movement.model_copy(update=update) if update else movement)
    if sequence == statement.sequence and movements == list(statement.movements):
        return statement
    return statement.model_copy(update={"sequence": sequence, "movements": tuple(movements)})
