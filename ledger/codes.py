"""Pseudonymous participant codes.

A code is drawn from the operating system's CSPRNG and derived from nothing about the
person (GDPR art. 4(5), EDPB 01/2025: a hash of a name is not a pseudonym). It is a valid
Beancount account component: ``P-`` followed by six Crockford base-32 characters (no I, L,
O, U, so codes read aloud or copied by hand are not confused).
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 6
CODE_RE = re.compile(rf"^P-[{ALPHABET}]{{{CODE_LENGTH}}}$")


def new_code(taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A fresh random code not in ``taken``."""
    while True:
        code = "P-" + "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            return code


def is_code(text: str) -> bool:
    return CODE_RE.match(text) is not None
