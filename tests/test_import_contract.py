"""The import contract: layers point one way, no cycles, no imports inside functions.

Built from the source with ``ast`` (nothing is imported): every ``import`` of one of our
modules, at any depth, is an edge of the graph (``importlib.import_module`` of a name the
source spells out, too); an import of another library inside a function is seen as well. The layers, lowest first::

    core       ledger (config, loader, books, layout, roster, codes, keys, dates, errors,
               entries, view — the one fold —, integrity, privacy)
    plugins    plugins
    features   ledger.participants, ledger.money, ledger.audit, invoicing, importers
    reports    reports
    surfaces   ledger.cli, ledger.demo, ledger.fava

A module imports only from its own layer or below (see docs/architecture.md).
"""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("ledger", "importers", "invoicing", "plugins", "reports")

# Most specific prefix first.
LAYERS: tuple[tuple[str, int], ...] = (
    ("ledger.cli", 5),
    ("ledger.demo", 5),
    ("ledger.fava", 5),
    ("reports", 4),
    ("ledger.participants", 3),
    ("ledger.money", 3),
    ("ledger.audit", 3),
    ("invoicing", 3),
    ("importers", 3),
    ("plugins", 2),
    ("ledger", 1),
)
LAYER_NAMES = {1: "core", 2: "plugins", 3: "features", 4: "reports", 5: "surfaces"}

# Imports that cross the layers upward on purpose, each with its reason.
UPWARD_EXCEPTIONS = {
    # The loader lists the modules of the plugins package to allow-list them; importing
    # the package runs its docstring only, no plugin.
    ("ledger.loader", "plugins"): "the allow-list of our own plugins",
}
# Imports inside a function, each breaking a documented optional (heavy) dependency.
INNER_EXCEPTIONS = {
    # A command imports its own noun's module only (``importlib.import_module``): every
    # noun's dependencies at each start cost most of a second and 60 MiB.
    ("ledger.cli", "ledger.cli.*"): "a noun's module, when that noun is invoked",
    # The root imports no books (beancount, pydantic: a quarter of a second): its help page
    # and usage errors cost what click costs; an OSError's one line imports them then.
    ("ledger.cli", "ledger.books"): "os_error_message, on the OSError path only",
    # Babel's dates and numbers bring its time zones and CLDR data (tens of ms); only a
    # command that writes a date or an amount in a language needs them.
    ("ledger.i18n", "babel"): "Babel's locale data, for a date's pattern only",
    ("ledger.i18n", "babel.dates"): "Babel's dates, when a date is written",
    ("ledger.i18n", "babel.numbers"): "Babel's numbers, when an amount is written",
    # Fava and Flask take over a second to import; only 'serve' and 'demo --serve' need
    # them, every other command would pay it.
    ("ledger.cli.books", "ledger.fava.serve"): "Fava and Flask, for 'books serve' only",
    ("ledger.cli.demo", "ledger.fava.serve"): "Fava and Flask, for 'demo build --serve'",
    # The close's machinery reaches reconciliation and every bank format (lxml): tens of ms
    # that 'books check' and the other verbs of the noun would pay.
    ("ledger.cli.books", "ledger.money.live"): "the close's machinery, for 'books compact' only",
    # The reporting layer (pandas, openpyxl) takes most of a second to import; only the
    # report commands need it.
    ("ledger.cli.report", "reports.builders"): "pandas and openpyxl, for 'report …' only",
    ("ledger.cli.year", "reports.trial_balance"): "pandas, for 'year trial-balance' only",
    # reportlab's layout engine and the QR encoder (~0.15 s): only issuing renders, reading
    # an issued document (list, show, pay, send, reports) does not.
    ("invoicing.issue", "invoicing.pdf"): "reportlab and segno, when a document is rendered",
    ("invoicing.issue", "invoicing.ubl"): "with the PDF, when a document is rendered",
    ("invoicing.models", "babel"): "Babel's locale data, when a country code is checked",
    # The statement's PDF (reportlab) is most of what 'participant' would import.
    ("ledger.cli.participant", "reports.statement"): "reportlab, for 'participant statement'",
    # Pillow and pypdf take a tenth of a second; only a command given a receipt reads one.
    ("ledger.privacy.receipts", "PIL"): "Pillow, when an image receipt is read",
    ("ledger.privacy.receipts", "pypdf"): "pypdf, when a PDF receipt is read",
    ("ledger.privacy.receipts", "pypdf.generic"): "pypdf's objects, when a PDF is cleaned",
    # tomlkit keeps a hand-edited hub.toml's layout; only a change of settings needs it.
    ("ledger.config", "tomlkit"): "tomlkit, when hub.toml is edited",
    # A file is recognised format by format, CODA first: the readers of the others (camt's
    # brings lxml, ~7 ms with CSV and MT940) are imported only when a file gets that far.
    ("importers.formats", "importers.camt"): "camt.053's reader (lxml), for a file not CODA",
    ("importers.formats", "importers.mt940_reader"): "MT940's reader, for a file not CODA/camt",
    ("importers.formats", "importers.bank_csv"): "the CSV reader, for a file of no other format",
    # Saxon's native library (~8 MiB) in every process that imports the module (every
    # command); only a command that validates a document needs it.
    ("invoicing.validation", "saxonche"): "Saxon's native library, when a validator is made",
}


def layer_of(module: str) -> int:
    for prefix, layer in LAYERS:
        if module == prefix or module.startswith(prefix + "."):
            return layer
    raise AssertionError(f"{module}: in no layer")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def ours(name: str) -> bool:
    return name.split(".")[0] in PACKAGES


class Imports(ast.NodeVisitor):
    """Every import of one of our modules: (imported module, line, inside a function)."""

    def __init__(self, module: str, is_package: bool) -> None:
        self.module, self.is_package = module, is_package
        self.found: list[tuple[str, int, bool]] = []
        self.others: list[tuple[str, int]] = []  # another library's, inside a function
        self.depth = 0

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if ours(alias.name):
                self.found.append((alias.name, node.lineno, self.depth > 0))
            elif self.depth > 0:
                self.others.append((alias.name, node.lineno))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            package = self.module if self.is_package else self.module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}".strip(".")
        if not ours(base):
            if self.depth > 0:
                self.others.append((base, node.lineno))
            return
        for alias in node.names:
            # ``from ledger.money import cash`` imports the module ledger.money.cash
            candidate = f"{base}.{alias.name}"
            target = (
                candidate
                if (REPO / candidate.replace(".", "/")).exists()
                or (REPO / (candidate.replace(".", "/") + ".py")).exists()
                else base
            )
            self.found.append((target, node.lineno, self.depth > 0))

    def visit_Call(self, node: ast.Call) -> None:
        # ``importlib.import_module("…")`` is an import too (when its name can be read)
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        target = module_named(node.args[0]) if called == "import_module" and node.args else None
        if target is not None and ours(target):
            self.found.append((target, node.lineno, self.depth > 0))
        self.generic_visit(node)


def module_named(node: ast.expr) -> str | None:
    """The module ``importlib.import_module`` is given: a constant, or an f-string whose
    constant head names a package (``f"ledger.cli.{noun}"`` is ``ledger.cli.*``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        head = node.values[0]
        if isinstance(head, ast.Constant) and isinstance(head.value, str):
            return head.value.rstrip(".") + ".*"
    return None


@functools.cache
def visitors() -> dict[str, Imports]:
    out: dict[str, Imports] = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            name = module_name(path)
            visitor = Imports(name, path.name == "__init__.py")
            visitor.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
            out[name] = visitor
    return out


def graph() -> dict[str, list[tuple[str, int, bool]]]:
    return {name: visitor.found for name, visitor in visitors().items()}


def test_every_module_is_in_a_layer() -> None:
    for module in graph():
        layer_of(module)


def test_layers_point_one_way() -> None:
    wrong = []
    for module, imports in graph().items():
        for target, line, _ in imports:
            if layer_of(target) > layer_of(module) and (module, target) not in (UPWARD_EXCEPTIONS):
                wrong.append(
                    f"{module}:{line} ({LAYER_NAMES[layer_of(module)]}) imports {target} "
                    f"({LAYER_NAMES[layer_of(target)]})"
                )
    assert wrong == []


def test_no_imports_inside_functions_but_the_documented_ones() -> None:
    """Ours or another library's: an import inside a function is listed, with its reason."""
    inner = [
        f"{module}:{line} imports {target} inside a function"
        for module, imports in graph().items()
        for target, line, in_function in imports
        if in_function and (module, target) not in INNER_EXCEPTIONS
    ]
    inner += [
        f"{module}:{line} imports {target} inside a function"
        for module, visitor in visitors().items()
        for target, line in visitor.others
        if (module, target) not in INNER_EXCEPTIONS
    ]
    assert inner == []


def test_every_documented_inner_import_is_still_there() -> None:
    found = {(m, t) for m, imports in graph().items() for t, _, inner in imports if inner}
    found |= {(m, t) for m, visitor in visitors().items() for t, _ in visitor.others}
    assert set(INNER_EXCEPTIONS) - found == set()


def test_no_cycles() -> None:
    """No module reaches itself through top-level imports (a package and its own
    submodules excepted: a package's ``__init__`` may re-export them)."""
    edges: dict[str, set[str]] = defaultdict(set)
    for module, imports in graph().items():
        for target, _, in_function in imports:
            if in_function or target == module or target.startswith(module + "."):
                continue
            if module.startswith(target + "."):
                continue  # a submodule importing its own package's names
            edges[module].add(target)
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_contract_catches_what_it_forbids(tmp_path: Path) -> None:
    """The checker itself: an upward import and an import inside a function are seen."""
    source = (
        "import reports.statement\n\ndef f():\n    from ledger.cli import main\n"
        "\ndef g(noun):\n    return importlib.import_module(f'ledger.cli.{noun}')\n"
        "\ndef h():\n    from babel.dates import format_date\n    import pandas\n"
    )
    visitor = Imports("ledger.view", False)
    visitor.visit(ast.parse(source))
    assert ("reports.statement", 1, False) in visitor.found
    assert ("ledger.cli", 4, True) in visitor.found
    assert ("ledger.cli.*", 7, True) in visitor.found
    assert visitor.others == [("babel.dates", 10), ("pandas", 11)]
    assert layer_of("reports.statement") > layer_of("ledger.view")


def test_heavy_libraries_load_when_used() -> None:
    """Importing what every command imports does not load the libraries only rendering and
    validating need (each inner import above, with its reason)."""
    code = (
        "import sys, invoicing.issue, invoicing.validation\n"
        "print(sorted(m for m in ('segno', 'saxonche', 'reportlab.platypus') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    assert out.strip() == "[]"
    source = (REPO / "invoicing" / "validation.py").read_text()
    assert "    from saxonche import" in source  # inside a function (INNER_EXCEPTIONS)


def test_the_invariant_plugins_import_no_settings() -> None:
    """Every load runs the plugins (bean-check and Fava too): they read the chart from the
    ``open`` entries, never ``hub.toml``, so they import neither the settings' models nor
    pydantic (≈ 0.1 s of every load)."""
    code = (
        "import sys\n"
        "import plugins.participants, plugins.privacy, plugins.invoices\n"
        "import plugins.reconciliation, plugins.money, plugins.sealed\n"
        "print(sorted(m for m in ('pydantic', 'ledger.config', 'tomllib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    assert out.strip() == "[]"
