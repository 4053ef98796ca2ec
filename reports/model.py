"""What a report is before it is a file: parts (one xlsx sheet each), made of tables and
paragraphs, and the figures ``--json`` prints.

Each report module builds a :class:`Report` from the frames; :mod:`reports.xlsx`,
:mod:`reports.pdf` and :mod:`reports.csv_out` render any report the same way, so a figure
is computed once and shows the same in every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ColumnKind = Literal["text", "money", "int", "date", "percent"]
RowStyle = Literal["", "bold", "total", "head", "sub", "muted"]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: ColumnKind = "text"
    width: float = 1.0  # relative width in the PDF and the xlsx


@dataclass
class Table:
    columns: list[Column]
    rows: list[dict[str, Any]]  # key -> value; "_style" -> RowStyle
    title: str = ""
    in_csv: bool = True  # the table --format csv writes (a report fits CSV with exactly one)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: Literal["body", "note", "warning", "heading"] = "body"


Block = Table | Paragraph


@dataclass
class Part:
    key: str  # the xlsx sheet name (at most 31 characters)
    title: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> Part:
        self.blocks.extend(blocks)
        return self

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


@dataclass(frozen=True)
class Header:
    """What every page of a report carries."""

    hub_name: str
    hub_footer: str  # name, enterprise number, register (printed on every page)
    provisional: str = ""  # the marking printed on every page when not empty


@dataclass
class Report:
    kind: str  # "annual-accounts", "trial-balance"…
    title: str
    subtitle: str  # the period, the grant…
    lang: str
    head: Header
    parts: list[Part]
    figures: dict[str, Any]  # what --json prints
    stem: str  # default file name without extension
    csv_table: Table | None = None  # what --format csv writes, when not the one in_csv table
    # Files the report can write besides itself, on request (the VAT XML): name -> bytes.
    attachments: dict[str, bytes] = field(default_factory=dict)

    @property
    def hub_name(self) -> str:
        return self.head.hub_name

    @property
    def hub_footer(self) -> str:
        return self.head.hub_footer

    @property
    def provisional(self) -> str:
        return self.head.provisional

    def part(self, key: str) -> Part:
        return next(p for p in self.parts if p.key == key)


def row(style: RowStyle = "", **values: Any) -> dict[str, Any]:
    return {"_style": style, **values}
