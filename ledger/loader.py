"""The one way coopledger reads a ledger: allow-listed plugins, no pickle cache.

A ledger is code: a ``plugin`` line imports a Python module, ``option "insert_pythonpath"``
puts the books' own folder on ``sys.path``, and Fava's ``fava-extension`` and
``import-config`` directives import or run Python. :func:`install_guard` wraps beancount's
plugin runner (which Fava uses too) so that, in any process of ours, only allow-listed
plugins run, the books' folder never lands on ``sys.path``, and every refusal becomes a
load error naming the file and line. The pickle cache is never used: we call the uncached
loader directly, as Fava does.
"""

from __future__ import annotations

import collections
import datetime as dt
import glob
import os
import pkgutil
import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"

import contextlib
import importlib

from beancount import loader
from beancount.core import data
from beancount.core.amount import Amount
from beancount.ops import validation
from beancount.parser import booking, parser

import plugins as _our_plugins
from ledger.i18n import Message, _
from ledger.integrity.anchors import files_ending
from ledger.view import handing_over

UnsafeDirectiveError = collections.namedtuple("UnsafeDirectiveError", "source message entry")
# A file loaded from outside the books' folder: it changes the books without git seeing it.
OutsideFileError = collections.namedtuple("OutsideFileError", "source message entry")
MissingPluginError = collections.namedtuple("MissingPluginError", "source message entry")

ALLOWED_PLUGIN_PREFIXES = ("beancount.plugins.", "beancount.ops.")
# Fava extensions we ship and trust; anything else named in the books is refused.
# One module per page (reports/fava_*), in the order of Fava's sidebar.
FAVA_PAGES: tuple[str, ...] = (
    "reports.fava_participants",
    "reports.fava_invoices",
    "reports.fava_bank_review",
    "reports.fava_grants",
    "reports.fava_year_end",
)
ALLOWED_FAVA_EXTENSIONS: frozenset[str] = frozenset(FAVA_PAGES)
REFUSED_FAVA_OPTIONS = frozenset({"import-config"})
# The invariants coopledger checks on every load of a hub's books. Which plugins run is
# coopledger's decision, not the books': a hub's books (a folder with ``hub.toml``) that do
# not declare one of these get an error, and the plugin runs anyway.
REQUIRED_PLUGINS: tuple[str, ...] = (
    "plugins.participants",
    "plugins.privacy",
    "plugins.invoices",
    "plugins.reconciliation",
    "plugins.money",
    "plugins.sealed",
)
HUB_CONFIG_FILE = "hub.toml"
PICKLE_CACHE_SUFFIX = ".picklecache"
# A load that runs beancount's own transformations but none of coopledger's plugins (they
# only check: each returns the entries it is given, unchanged): the load a write makes under
# the lock, whose checks run once, over the books as written (ledger.books.Transaction).
UNCHECKED_OPTION = "coopledger-unchecked"
# The live ledger (ledger.integrity.carried): main.beancount starts from the balances the
# last close carried (carried.beancount); history.beancount holds every year, and a load of
# it drops the carried file's entries (the closed years stand there themselves).
HISTORY_FILE = "history.beancount"
CARRIED_FILE = "carried.beancount"
RECALLED_FILE = "recalled.beancount"  # copies of sealed entries a write recalled since


def our_plugin_modules() -> frozenset[str]:
    """Modules of our own ``plugins`` package (the only local plugins we allow)."""
    return frozenset(
        f"plugins.{m.name}" for m in pkgutil.iter_modules(_our_plugins.__path__) if not m.ispkg
    )


def is_allowed_plugin(name: str) -> bool:
    """True for beancount's own plugins and the modules of our ``plugins`` package."""
    if name.startswith(ALLOWED_PLUGIN_PREFIXES):
        return re.fullmatch(r"[a-z_][a-z0-9_.]*", name) is not None
    return name in our_plugin_modules()


class Entries(list[Any]):
    """The entries of one load: a list that can be referred to weakly, so the fold of a
    load (``ledger.view.View.of``) is shared by its readers while the load lives."""

    __slots__ = ("__weakref__",)


@dataclass
class Ledger:
    """What a load gives: the entries, the errors, the options."""

    entries: list[data.Directive]
    errors: list[Any]
    options: dict[str, Any]
    unsafe: list[Any] = field(default_factory=list)
    # What the load had before the plugins ran (booked entries, parse and booking errors):
    # what :func:`extend_ledger` starts from to check an append without a full reload.
    booked: list[data.Directive] = field(default_factory=list, repr=False)
    parse_errors: list[Any] = field(default_factory=list, repr=False)
    # The order beancount parsed the files in (absolute path → rank): entries of one date,
    # kind and line number in two files keep that order, as in a full load.
    file_order: dict[str, int] = field(default_factory=dict, repr=False)
    # False for a load without coopledger's plugins (load_ledger(checked=False)): its errors
    # are not all the books' errors (check_ledger gives them).
    checked: bool = True


def _locate(options_map: dict[str, Any], pattern: re.Pattern[str]) -> data.Meta:
    """File and line of the first line matching ``pattern`` in the loaded files."""
    for filename in options_map.get("include", []) or [options_map.get("filename")]:
        if not filename:
            continue
        try:
            lines = Path(filename).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for lineno, line in enumerate(lines, start=1):
            if pattern.search(line):
                return data.new_metadata(filename, lineno)
    return data.new_metadata(options_map.get("filename") or "<load>", 0)


def unsafe_directives(entries: list[data.Directive], options_map: dict[str, Any]) -> list[Any]:
    """Everything in the books that would import or run Python we do not allow."""
    errors: list[Any] = []
    for name, _config in options_map.get("plugin", []):
        if not is_allowed_plugin(name):
            meta = _locate(options_map, re.compile(r'^\s*plugin\s+"' + re.escape(name) + '"'))
            errors.append(
                UnsafeDirectiveError(
                    meta,
                    _(
                        'plugin "{name}" refused: only beancount.plugins.* and coopledger\'s '
                        "own plugins may run (a plugin line imports Python code)",
                        name=name,
                    ),
                    None,
                )
            )
    if options_map.get("insert_pythonpath") or options_map.get("pythonpath"):
        meta = _locate(options_map, re.compile(r'^\s*option\s+"insert_pythonpath"'))
        errors.append(
            UnsafeDirectiveError(
                meta,
                _(
                    'option "insert_pythonpath" refused: the books\' folder may not be put on '
                    "the Python path"
                ),
                None,
            )
        )
    for entry in entries:
        if not isinstance(entry, data.Custom) or not entry.values:
            continue
        first = entry.values[0].value
        if entry.type == "fava-extension" and first not in ALLOWED_FAVA_EXTENSIONS:
            errors.append(
                UnsafeDirectiveError(
                    entry.meta,
                    _(
                        'custom "fava-extension" "{first}" refused: it would import Python code',
                        first=first,
                    ),
                    entry,
                )
            )
        elif entry.type == "fava-option" and first in REFUSED_FAVA_OPTIONS:
            errors.append(
                UnsafeDirectiveError(
                    entry.meta,
                    _(
                        'custom "fava-option" "{first}" refused: it would run a Python file',
                        first=first,
                    ),
                    entry,
                )
            )
    return errors


INCLUDE_LINE = re.compile(r'^\s*include\s+"((?:[^"\\]|\\.)*)"')


def _include_line(options_map: dict[str, Any], target: str) -> data.Meta:
    """The ``include`` line (file and line) that loads ``target`` (a real path)."""
    for filename in options_map.get("include", []) or []:
        try:
            lines = Path(filename).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        folder = os.path.dirname(filename)
        for lineno, line in enumerate(lines, start=1):
            found = INCLUDE_LINE.match(line)
            if not found:
                continue
            pattern = os.path.join(folder, found.group(1))
            if any(os.path.realpath(p) == target for p in glob.glob(pattern)):
                return data.new_metadata(filename, lineno)
    return data.new_metadata(str(options_map.get("filename") or "<load>"), 0)


def outside_files(options_map: dict[str, Any]) -> list[Any]:
    """Every file a hub's books load must be in the books' folder (through no symbolic link
    out of it): git keeps, and ``audit verify`` proves, only what is in there."""
    if not is_hub_books(options_map):
        return []
    root = os.path.realpath(os.path.dirname(str(options_map["filename"])))
    errors = []
    for filename in options_map.get("include", []) or []:
        real = os.path.realpath(filename)
        if os.path.commonpath([root, real]) != root:
            message = _(
                "an included file is outside the books' folder: git does not keep it and "
                "nothing proves it; move it into the books and include it from there"
            )
        elif not is_books_file(os.path.relpath(real, root)):
            # a hidden folder (.git, .coopledger) or another kind of file (the books'
            # .gitignore keeps out only such files: *.tmp, *~, roster*.txt…)
            message = _(
                "an included file is not a books file (a .beancount file outside the hidden "
                "folders): git does not keep it and nothing proves it"
            )
        else:
            continue
        errors.append(OutsideFileError(_include_line(options_map, real), message, None))
    return errors


def is_books_file(rel: str) -> bool:
    """A file of the books as git keeps them: ``*.beancount``, in no hidden folder."""
    parts = rel.replace(os.sep, "/").split("/")
    return rel.endswith(".beancount") and not any(part.startswith(".") for part in parts)


_original_run_transformations = loader.run_transformations


def _guarded_run_transformations(
    entries: list[data.Directive],
    parse_errors: list[Any],
    options_map: dict[str, Any],
    log_timings: Any,
) -> tuple[list[data.Directive], list[Any]]:
    refusals = unsafe_directives(entries, options_map) + outside_files(options_map)
    safe_options = dict(options_map)
    safe_options["plugin"] = [p for p in options_map.get("plugin", []) if is_allowed_plugin(p[0])]
    missing = missing_required_plugins(options_map)
    safe_options["plugin"] += [(name, None) for name in missing]
    if options_map.get(UNCHECKED_OPTION):  # see UNCHECKED_OPTION: the checks come later
        ours = our_plugin_modules()
        safe_options["plugin"] = [p for p in safe_options["plugin"] if p[0] not in ours]
        missing = []
    main = str(options_map.get("filename") or "<load>")
    refusals += [
        MissingPluginError(
            data.new_metadata(main, 1),
            _(
                'plugin "{name}" is missing from the books: coopledger requires it on every '
                "load (it ran anyway); put the line back",
                name=name,
            ),
            None,
        )
        for name in missing
    ]
    # The loader has just prepended the books' folders to sys.path: take them off again so
    # nothing in the books can shadow a module (our own ``plugins`` package included).
    for folder in options_map.get("pythonpath", []) or []:
        while folder in sys.path:
            sys.path.remove(folder)
    if os.path.basename(main) == HISTORY_FILE:  # Fava's --all-years too
        entries = without_carried(entries)
    entries, errors = _original_run_transformations(
        entries, parse_errors, safe_options, log_timings
    )
    return entries, list(errors) + refusals


def without_carried(entries: list[data.Directive]) -> list[data.Directive]:
    """The entries of a full-history load: ``carried.beancount`` (and ``recalled.beancount``)
    stand for the closed years in the live load only."""
    return [
        e
        for e in entries
        if os.path.basename(str((e.meta or {}).get("filename", "")))
        not in (CARRIED_FILE, RECALLED_FILE)
    ]


def history_file(main_file: Path) -> Path | None:
    """The books' full history, once the live layout is in place (else ``None``: the main
    file is the whole history)."""
    path = Path(main_file).parent / HISTORY_FILE
    return path if path.is_file() else None


CARRIED_LINE = re.compile(r'^(\d{4}-\d{2}-\d{2}) custom "books-carried"', re.M)


def carried_until(main_file: Path) -> dt.date | None:
    """The last day the live books carry from the closed years (``None``: the books hold
    every year in the live load), read from the carried file's text without a load."""
    try:
        with open(Path(main_file).parent / CARRIED_FILE, encoding="utf-8") as handle:
            head = handle.read(4096)
    except OSError:
        return None
    match = CARRIED_LINE.search(head)
    return dt.date.fromisoformat(match.group(1)) if match else None


def needs_history(main_file: Path, start: dt.date) -> bool:
    """True when a reader of the books from ``start`` on needs the closed years themselves
    (a report of a closed year): the live books carry only their balances."""
    until = carried_until(main_file)
    return until is not None and start <= until


def is_hub_books(options_map: dict[str, Any]) -> bool:
    """True when the loaded main file is a hub's books (``hub.toml`` beside it)."""
    filename = options_map.get("filename")
    return bool(filename) and (Path(str(filename)).parent / HUB_CONFIG_FILE).is_file()


def missing_required_plugins(options_map: dict[str, Any]) -> list[str]:
    """Required plugins a hub's books do not declare (nothing for other ledgers)."""
    if not is_hub_books(options_map):
        return []
    declared = {name for name, _ in options_map.get("plugin", [])}
    return [name for name in REQUIRED_PLUGINS if name not in declared]


def pickle_caches(root: Path) -> list[Path]:
    """Beancount pickle caches sitting in the books: ``bean-check`` would unpickle (run)
    them; coopledger never reads them."""
    return files_ending(root, PICKLE_CACHE_SUFFIX, lambda name: name != ".git")


def install_guard() -> None:
    """Route every beancount load in this process through the allow list (idempotent)."""
    # Import our plugins now, from our package, so sys.modules pins them.

    for name in sorted(our_plugin_modules()):
        importlib.import_module(name)
    loader.run_transformations = _guarded_run_transformations


def _finish(
    booked: list[data.Directive], parse_errors: list[Any], options: dict[str, Any],
    file_order: dict[str, int], checked: bool = True,
) -> Ledger:  # fmt: skip
    """Plugins (through the guard) and beancount's validation over booked entries: the
    steps of beancount's own loader after parsing and booking."""
    # Copies: beancount's transformations extend the lists they are given (the documents
    # found on disk, the errors), and ``booked`` must stay what booking gave.
    run_options = options if checked else {**options, UNCHECKED_OPTION: True}
    # The fold the money plugin computes is the load's fold (ledger.view.handing_over).
    with handing_over() as hand_over:
        entries, errors = loader.run_transformations(
            list(booked), list(parse_errors), run_options, None
        )
        errors = list(errors) + list(validation.validate(entries, options, None, None))
        loaded = Entries(entries)
        hand_over(loaded)
    unsafe = [e for e in errors if isinstance(e, UnsafeDirectiveError)]  # refused code only
    return Ledger(loaded, errors, options, unsafe, booked, parse_errors, file_order, checked)


def check_ledger(ledger: Ledger) -> Ledger:
    """The load ``ledger`` stands for with coopledger's plugins run over it (itself when it
    was checked): the same entries, every error."""
    if ledger.checked:
        return ledger
    return _finish(ledger.booked, ledger.parse_errors, ledger.options, ledger.file_order)


def load_ledger(main_file: Path, checked: bool = True, full_history: bool = False) -> Ledger:
    """Load a ledger through the guard, without the pickle cache: parse every included
    file, book, run the plugins, validate (beancount's loader, step by step). Without
    ``checked``, coopledger's plugins do not run (see UNCHECKED_OPTION): the same entries,
    the errors of parsing, booking and beancount's own checks only.

    ``full_history``: every year, the closed ones included (``history.beancount`` when the
    books have the live layout; the same file otherwise). Without it, the live books: the
    open years from the balances the last close carried. Writes always work on the live
    load; reports of a closed year, ``audit verify`` and ``serve --all-years`` ask for the
    full history."""
    install_guard()
    if full_history:
        main_file = history_file(main_file) or main_file
    path = str(Path(main_file).resolve())
    parsed, parse_errors, options = loader._parse_recursive([(path, True)], None, None)
    file_order: dict[str, int] = {}
    for entry in parsed:  # still in the order parsed
        file_order.setdefault(entry.meta.get("filename", ""), len(file_order))
    parsed.sort(key=data.entry_sortkey)
    booked, booking_errors = booking.book(parsed, options)
    return _finish(booked, [*parse_errors, *booking_errors], options, file_order, checked)


# Lines that change how the text after them parses (or what is loaded): an append holding
# one, or following an open pushtag/pushmeta, is checked by a full reload instead.
CONTEXT_LINE = re.compile(
    rb"^[ \t]*(option|plugin|include|pushtag|poptag|pushmeta|popmeta)\b", re.M
)


def appendable(before: bytes, after: bytes) -> bool:
    """True when ``after`` is ``before`` with plain entries appended (see CONTEXT_LINE):
    nothing before changed, and the added text starts a new entry (an indented first line
    would continue the last entry of ``before``)."""
    if not after.startswith(before) or (before and not before.endswith(b"\n")):
        return False
    first = next((line for line in after[len(before) :].splitlines() if line.strip()), b"")
    if first[:1] in (b" ", b"\t"):
        return False
    return CONTEXT_LINE.search(after[len(before) :]) is None and not re.search(
        rb"^[ \t]*(pushtag|pushmeta)\b", before, re.M
    )


def books_alone(parsed: list[data.Directive]) -> bool:
    """Whether every transaction of ``parsed`` books by itself: complete amounts, no cost,
    no price (then booking it again alone gives what a full load gives)."""
    return not any(
        isinstance(entry, data.Transaction) and any(
            p.cost is not None or p.price is not None or not isinstance(p.units, Amount)
            or not isinstance(p.units.number, Decimal) or not p.units.currency
            for p in entry.postings
        )
        for entry in parsed
    )  # fmt: skip


def in_load_order(entries: list[data.Directive], order: dict[str, int]) -> list[data.Directive]:
    """``entries`` in the order a full load gives: beancount's sort key, then the order in
    which the files were read (``Ledger.file_order``)."""

    def key(entry: data.Directive) -> tuple[Any, ...]:
        return (*data.entry_sortkey(entry), order.get(entry.meta.get("filename", ""), -1))

    return sorted(entries, key=key)


def extend_ledger(
    before: Ledger, appended: dict[str, tuple[bytes, int]], new_files: list[str],
    file_order: dict[str, int] | None = None,
) -> Ledger | None:  # fmt: skip
    """The load of the books after plain entries were appended to some of their files
    (``appended``: absolute path → (the bytes added, the line they start on)) and new files
    were included (``new_files``), without parsing or booking anything else again.

    Parsing is per file and booking an entry with complete amounts and no cost depends on
    nothing but the entry, so the result is what a full reload gives; then the plugins and
    the validation run over every entry, as on any load. ``None`` when an added entry
    needs more (a cost, a price, an amount to interpolate): the caller reloads in full."""
    install_guard()
    parsed: list[data.Directive] = []
    errors: list[Any] = []
    for filename, (text, firstline) in sorted(appended.items()):
        got, errs, _opts = parser.parse_string(text, filename, report_firstline=firstline)
        parsed += got
        errors += errs
    for filename in new_files:
        got, errs, opts = parser.parse_file(filename)
        if opts.get("include") or opts.get("plugin"):
            return None
        parsed += got
        errors += errs
    if not books_alone(parsed):
        return None
    options = dict(before.options)
    options["include"] = sorted({*before.options.get("include", []), *new_files})
    # The order of the files (see Ledger.file_order): given by the caller when includes
    # were inserted, or else the new files come last, in the order given.
    order = dict(file_order or before.file_order)
    for filename in [*sorted(appended), *new_files]:
        order.setdefault(filename, len(order))
    parsed.sort(key=data.entry_sortkey)
    booked_new, booking_errors = booking.book(parsed, options)
    booked = in_load_order([*before.booked, *booked_new], order)
    errors = [*before.parse_errors, *errors, *booking_errors]
    return _finish(booked, errors, options, order)


def file_stamps(ledger: Ledger) -> dict[str, tuple[int, int]]:
    """``(mtime_ns, size)`` of every file a load read (what :func:`reload_ledger` compares)."""
    stamps = {}
    for name in ledger.options.get("include", []) or []:
        with contextlib.suppress(OSError):
            stat = os.stat(name)
            stamps[name] = (stat.st_mtime_ns, stat.st_size)
    return stamps


def reload_ledger(before: Ledger, changed: list[str]) -> Ledger | None:
    """The load of the books after the files ``changed`` (absolute paths, each included by
    ``before``) were rewritten, parsing and booking only those files again; the plugins and
    the validation run over every entry, as on any load. ``None`` when a full load is
    needed: the main file changed, a changed file holds options, plugins or includes, or
    one of its entries needs more than itself to book (a cost, a price, an interpolated
    amount). This is ``books serve``'s reload: a change of one file costs that file."""
    install_guard()
    main = str(before.options.get("filename") or "")
    if not before.booked or not changed or main in changed:
        return None
    parsed: list[data.Directive] = []
    errors: list[Any] = []
    for filename in changed:
        got, errs, opts = parser.parse_file(filename)
        if (
            opts.get("include")
            or opts.get("plugin")
            or CONTEXT_LINE.search(Path(filename).read_bytes())
        ):
            return None
        parsed += got
        errors += errs
    if not books_alone(parsed):
        return None
    gone = set(changed)
    kept = [e for e in before.booked if e.meta.get("filename") not in gone]
    if any(isinstance(e, data.Transaction) and e.meta.get("filename") in gone and any(
        p.cost is not None or p.price is not None for p in e.postings
    ) for e in before.booked):  # fmt: skip
        return None  # a lot booked there may have been reduced elsewhere
    old_errors = [
        e for e in before.parse_errors
        if (getattr(e, "source", None) or {}).get("filename") not in gone
    ]  # fmt: skip
    parsed.sort(key=data.entry_sortkey)
    booked_new, booking_errors = booking.book(parsed, before.options)
    order = before.file_order
    booked = in_load_order([*kept, *booked_new], order)
    return _finish(booked, [*old_errors, *errors, *booking_errors], dict(before.options), order)


def format_error(error: Any, root: Path | None = None) -> str:
    """``file:line: message`` for a beancount error, with the path relative to ``root``."""
    source = getattr(error, "source", None) or {}
    filename = str(source.get("filename", "<load>"))
    lineno = source.get("lineno", 0)
    if root is not None:
        with contextlib.suppress(ValueError):
            filename = str(Path(filename).resolve().relative_to(root.resolve()))
    given = getattr(error, "message", error)
    message = str(given).splitlines()[0]
    if type(error).__name__ in TEXT_ERRORS:  # the parser quotes what was typed: never repeated
        # the parser's own words stay; what replaces the quote is shown in the user's language
        escaped = message.replace("{", "{{").replace("}", "}}")
        message = _(QUOTED.sub("{hidden}", escaped), hidden=_("(the text is not repeated)"))
    elif isinstance(given, Message) and message == given:  # ours: shown in the hub's language
        message = given
    return _("{filename}:{lineno}: {message}", filename=filename, lineno=lineno, message=message)


# Errors of the lexer and parser quote the text of the line ("Invalid token: 'Zorbania'"):
# a hand edit may have put a name there, so the quote is dropped (QA 8/9/10 item 11).
TEXT_ERRORS = frozenset({"LexerError", "ParserError", "ParserSyntaxError"})
QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")


install_guard()
