"""What every parser returns, and the strict/lenient handling of consistency checks."""

from __future__ import annotations

from dataclasses import dataclass, field

from importers.errors import BankFileError
from importers.model import Statement


@dataclass
class ParseResult:
    """Statements read from one file, and the consistency problems found (lenient mode)."""

    statements: list[Statement]
    problems: list[BankFileError] = field(default_factory=list)


class Problems:
    """Raises a consistency problem at once (strict) or collects it (lenient).

    Structure problems (a file that cannot be read) are always raised by the parsers;
    consistency problems (balances that do not add up, trailer totals, summaries) only
    stop a strict parse. Lenient parsing exists to survey other people's hand-edited
    sample files; importing into the books is always strict.
    """

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.found: list[BankFileError] = []

    def __call__(self, error: BankFileError) -> None:
        if self.strict:
            raise error
        self.found.append(error)
