"""Offline Peppol validation: UBL 2.1 XSD (lxml), then CEN EN 16931 and Peppol BIS 3.0
schematron (compiled XSLT run by saxonche).

The rules directory holds ``ubl-2.1-xsd/maindoc/UBL-{Invoice,CreditNote}-2.1.xsd`` and
``xslt/{CEN,PEPPOL}-EN16931-UBL.xslt``. Stylesheets and schemas are compiled once per
process and per directory (the stylesheets when the validator is made, about half a second;
a schema when its first document comes), then a document takes about ten milliseconds.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ledger.errors import ConfigError
from ledger.i18n import _, system_error
from ledger.input_files import InputFileRefused, read_bounded

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RULES_DIR = REPO_ROOT.parent / "shared" / "peppol-validation"
SVRL = "http://purl.oclc.org/dsdl/svrl"
ROOTS = {
    "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice": "UBL-Invoice-2.1.xsd",
    "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote": (
        "UBL-CreditNote-2.1.xsd"
    ),
}
LAYERS = (("cen", "CEN-EN16931-UBL.xslt"), ("peppol", "PEPPOL-EN16931-UBL.xslt"))
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
DTD_REFUSED = _("holds a DTD or entity declarations, which UBL never needs")


def dtd_problem(data: bytes) -> str | None:
    """Why a document is refused before it is parsed at all: a DTD or an entity
    declaration (an external entity reads a local file, a nested one fills the memory;
    UBL needs neither). Checked before the schema, whose validator cannot take them."""
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data:
        return DTD_REFUSED
    return None


@dataclass(frozen=True)
class Failure:
    """One failed rule: its layer (xsd, cen, peppol), id, flag (fatal, warning) and text."""

    layer: str
    rule: str
    flag: str
    text: str
    location: str = ""

    @property
    def is_fatal(self) -> bool:
        return self.flag in ("fatal", "error", "")


@dataclass
class Report:
    """The result of validating one document."""

    name: str
    failures: list[Failure] = field(default_factory=list)

    @property
    def fatal(self) -> list[Failure]:
        return [f for f in self.failures if f.is_fatal]

    @property
    def warnings(self) -> list[Failure]:
        return [f for f in self.failures if not f.is_fatal]

    @property
    def ok(self) -> bool:
        return not self.fatal


def resolve_rules_dir(
    option: str | Path | None = None, setting: str | None = None, books_root: Path | None = None
) -> Path:
    """The rules directory: the command's option, else the hub's setting (relative to the
    books), else ``../shared/peppol-validation`` next to the code."""
    if option:
        return Path(option).expanduser().resolve()
    if setting:
        path = Path(setting).expanduser()
        if not path.is_absolute() and books_root is not None:
            path = books_root / path
        return path.resolve()
    return DEFAULT_RULES_DIR


def rules_available(rules_dir: Path = DEFAULT_RULES_DIR) -> bool:
    """Whether ``rules_dir`` holds the XSD and both stylesheets."""
    return all(p.is_file() for p in _rule_files(rules_dir))


def _rule_files(rules_dir: Path) -> list[Path]:
    files = [rules_dir / "ubl-2.1-xsd" / "maindoc" / xsd for xsd in ROOTS.values()]
    files += [rules_dir / "xslt" / name for _, name in LAYERS]
    return files


class Validator:
    """XSD + CEN + Peppol validation with schemas and stylesheets compiled once."""

    _lock = threading.Lock()

    def __init__(self, rules_dir: Path) -> None:
        missing = [p for p in _rule_files(rules_dir) if not p.is_file()]
        if missing:
            raise ConfigError(
                _(
                    "Peppol rules not found: {missing} is missing (give --rules DIR or set "
                    "invoicing.rules_dir in hub.toml to a directory with ubl-2.1-xsd/ and xslt/)",
                    missing=missing[0],
                )
            )
        self.rules_dir = rules_dir
        # Each UBL schema is compiled when a document of its kind first comes (~0.1 s each):
        # a batch of invoices never needs the credit note's.
        self._schemas: dict[str, etree.XMLSchema] = {}

        # Imported when a validator is made: Saxon's native library costs every process
        # that merely imports this module (every command) about 8 MiB.
        from saxonche import PySaxonProcessor

        self._proc = PySaxonProcessor(license=False)
        xslt = self._proc.new_xslt30_processor()
        self._executables = [
            (layer, xslt.compile_stylesheet(stylesheet_file=str(rules_dir / "xslt" / name)))
            for layer, name in LAYERS
        ]

    def validate_bytes(self, data: bytes, name: str = "<document>") -> Report:
        """Validate one UBL document given as bytes."""
        report = Report(name)
        refused = dtd_problem(data)
        if refused:
            report.failures.append(Failure("xml", "DTD", "fatal", refused))
            return report
        try:
            parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
            doc = etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            report.failures.append(
                Failure("xml", "XML", "fatal", _("not well-formed XML: {exc}", exc=exc))
            )
            return report
        schema = self._schema(doc.tag)
        if schema is None:
            report.failures.append(
                Failure(
                    "xsd",
                    "UBL",
                    "fatal",
                    _("root element {tag} is not a UBL Invoice or CreditNote", tag=doc.tag),
                )
            )
            return report
        try:
            valid = schema.validate(doc)
        except etree.Error as exc:  # e.g. a node lxml's schema validator cannot take
            report.failures.append(
                Failure("xsd", "XSD", "fatal", _("cannot be validated ({exc})", exc=exc))
            )
            return report
        if not valid:
            for err in schema.error_log:
                report.failures.append(
                    Failure("xsd", "XSD", "fatal", err.message, _("line {line}", line=err.line))
                )
        text = etree.tostring(doc, encoding="unicode")
        with self._lock:
            node = self._proc.parse_xml(xml_text=text)
            outputs = [
                (layer, ex.transform_to_string(xdm_node=node)) for layer, ex in self._executables
            ]
        for layer, svrl in outputs:
            report.failures.extend(_svrl_failures(layer, svrl or ""))
        return report

    def _schema(self, root: str) -> etree.XMLSchema | None:
        """The compiled schema of a UBL root element (None for any other root)."""
        if root not in ROOTS:
            return None
        with self._lock:
            if root not in self._schemas:
                path = self.rules_dir / "ubl-2.1-xsd" / "maindoc" / ROOTS[root]
                self._schemas[root] = etree.XMLSchema(etree.parse(str(path)))
            return self._schemas[root]

    def validate_file(self, path: Path) -> Report:
        """Validate one UBL file."""
        try:
            data = read_bounded(path, MAX_DOCUMENT_BYTES)
        except InputFileRefused as exc:
            return Report(str(path), [Failure("xml", "IO", "fatal", exc.reason)])
        except OSError as exc:
            return Report(
                str(path),
                [
                    Failure(
                        "xml",
                        "IO",
                        "fatal",
                        _("cannot read: {strerror}", strerror=system_error(exc)),
                    )
                ],
            )
        report = self.validate_bytes(data, str(path))
        return report


def _svrl_failures(layer: str, svrl: str) -> list[Failure]:
    if not svrl.strip():
        return [Failure(layer, "SVRL", "fatal", _("the stylesheet produced no report"))]
    root = etree.fromstring(svrl.encode("utf-8"))
    failures = []
    for el in root.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        text_el = el.find(f"{{{SVRL}}}text")
        text = " ".join((text_el.text or "").split()) if text_el is not None else ""
        rule = el.get("id", "")
        if rule and text.startswith(f"[{rule}]"):
            text = text[len(rule) + 2 :].lstrip("- ")
        failures.append(
            Failure(
                layer,
                rule,
                el.get("flag", "fatal" if el.tag.endswith("failed-assert") else "warning"),
                text,
                el.get("location", ""),
            )
        )
    return failures


@functools.lru_cache(maxsize=4)
def get_validator(rules_dir: Path = DEFAULT_RULES_DIR) -> Validator:
    """The process-wide validator for ``rules_dir`` (compiled on first use)."""
    return Validator(rules_dir)
