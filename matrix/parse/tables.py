"""The LALR tables of the grammars, as plain data for ``matrix.parse.lalr``.

Lark reads ``grammar/<name>.lark`` and builds its parse table; :func:`export` writes down what
the run-time needs of it — the actions of every state, each rule's size and what its tree keeps
(Lark's ``ParseTreeBuilder``: tokens left out, rules spliced, ``?rule`` expanded), the terminals'
patterns in the order Lark's lexers try them, the terminals each state accepts and the string
terminals a pattern's match stands for — as JSON data.

The package ships these tables as generated modules of data (``matrix/parse/grammars/<name>.py``,
a dict of strings, numbers and lists that Python keeps as bytecode like any module: ~1 ms to
load the three, against ~4 ms as JSON files), made by ``python -m matrix.parse.tables``;
tests/test_lalr.py fails when one is not the current grammar's. So a run never imports Lark.
Each holds the grammar text it was built from: when the grammar beside it differs (someone
edits a grammar in a checkout), the tables are built again by Lark and kept as JSON in the
user's cache folder (``matrix.safety.cache``: mode 0700, a file trusted only when it is the
user's and nobody else can write it), never a module of the package rewritten. JSON builds data,
never objects; a cached file that is not what :func:`load` expects is not used.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FORMAT = 2
_MAX_BYTES = 8 * 2**20
SHIPPED = Path(__file__).resolve().parent / "grammars"  # the generated modules
GRAMMARS = ("plan.lark", "trailer.lark", "deadline.lark")


class Tables:
    """One grammar's tables (see the module's docstring); built from :func:`export`'s data."""

    __slots__ = ("grammar", "patterns", "flags", "order", "basic", "unless", "contextual",
                 "contextual_unless", "states", "start", "end", "rules")

    def __init__(self, data: dict[str, Any], checked: bool = True) -> None:
        self.grammar: str = data["grammar"]
        self.patterns: dict[str, str] = data["patterns"]
        self.flags: int = data["flags"]
        self.order: list[str] = data["order"]  # every terminal, as Lark's lexers sort them
        self.basic: list[str] = data["basic"]  # those a basic lexer's scanner tries
        self.unless: dict[str, dict[str, str]] = data["unless"]
        self.contextual: list[list[str]] = data["contextual"]  # by state
        self.contextual_unless: list[dict[str, dict[str, str]]] = data["contextual_unless"]
        self.states: list[dict[str, int]] = data["states"]  # ≥ 0 shift to; < 0 reduce -1 - rule
        self.start: int = data["start"]
        self.end: int = data["end"]
        self.rules: list[list] = data["rules"]  # origin, size, name, expand1, include
        if checked:  # the package's own tables are part of its code; a cached file is not
            _check(self)


def _check(tables: Tables) -> None:
    """Refuse tables that do not hang together (a wrong file is rebuilt, never run)."""
    n_states, n_rules = len(tables.states), len(tables.rules)
    names = set(tables.patterns)
    if not (0 <= tables.start < n_states and 0 <= tables.end < n_states
            and len(tables.contextual) == n_states == len(tables.contextual_unless)
            and set(tables.order) == names and set(tables.basic) <= names
            and all(set(state) <= names for state in tables.contextual)):
        raise ValueError("inconsistent tables")
    for actions in tables.states:
        for action in actions.values():
            if type(action) is not int or not -n_rules <= action < n_states:
                raise ValueError("inconsistent tables")
    for rule in tables.rules:
        origin, size, name, expand1, include = rule
        if (type(origin) is not str or type(size) is not int or type(name) is not str
                or type(expand1) is not bool
                or not (include is None or all(0 <= i < size for i, _ in include))):
            raise ValueError("inconsistent tables")


def grammar_text(name: str) -> str:
    """Text of ``grammar/<name>``: the installed package's (a wheel carries ``grammar/`` as
    ``matrix/grammar``), else the checkout's top-level ``grammar/`` (an editable install)."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "grammar" / name
    path = packaged if packaged.is_file() else here.parent / "grammar" / name
    return path.read_text(encoding="utf-8")


def load(name: str) -> Tables:
    """The tables of ``grammar/<name>``: the shipped ones when they are this grammar's, else
    the user's cached ones, else built by Lark now (and cached)."""
    grammar = grammar_text(name)
    shipped = shipped_data(name)
    if shipped is not None and shipped.get("format") == FORMAT and shipped.get("grammar") == grammar:
        return Tables(shipped, checked=False)  # part of the package's code, checked by its tests
    from ..safety.cache import load_json, store_json

    name = _cache_name(grammar)
    cached = _usable(load_json("grammar", name, _MAX_BYTES), grammar)  # the user's own file
    if cached is not None:
        return cached
    data = export(grammar)
    store_json("grammar", name, data)  # not kept where it cannot be: built again next time
    return Tables(data)


def shipped_data(name: str) -> dict[str, Any] | None:
    """The data of the generated module of ``grammar/<name>``, None without one."""
    import importlib

    try:
        module = importlib.import_module(f"{__package__}.grammars.{name.removesuffix('.lark')}")
    except ImportError:
        return None
    return getattr(module, "TABLES", None)


def _parse(data: bytes, grammar: str) -> Tables | None:
    """The tables a cached file's bytes hold for ``grammar``, or None."""
    try:
        return _usable(json.loads(data), grammar)
    except ValueError:
        return None


def _usable(value: Any, grammar: str) -> Tables | None:
    """The tables JSON data holds for ``grammar`` when they hang together, else None."""
    if (type(value) is not dict or value.get("format") != FORMAT
            or value.get("grammar") != grammar):
        return None
    try:
        return Tables(value)
    except (ValueError, TypeError, KeyError, AttributeError):  # not tables: built again
        return None


def _cache_name(grammar: str) -> str:
    from ..safety.cache import fingerprint

    return f"lalr-{fingerprint(str(FORMAT).encode(), grammar.encode('utf-8'))[:32]}.json"


# ---------------------------------------------------------------------------------------------
# Built by Lark


def export(grammar: str) -> dict[str, Any]:
    """The run-time tables of ``grammar`` (the text of a ``.lark`` file) as JSON data."""
    from lark import Lark
    from lark.lexer import PatternStr

    parser = Lark(grammar, parser="lalr", lexer="contextual")
    if parser.options.postlex is not None or parser.lexer_conf.ignore:
        raise ValueError("a grammar with %ignore or a post-lexer is not run by matrix.parse.lalr")
    terminals = sorted(parser.terminals, key=lambda t: (
        -t.priority, -t.pattern.max_width, -len(t.pattern.value), t.name))  # Lark's order
    if any(t.pattern.flags and isinstance(t.pattern, PatternStr) for t in terminals):
        raise ValueError("a string terminal with flags is not run by matrix.parse.lalr")
    flags = parser.lexer_conf.g_regex_flags
    table = parser.parser.parser._parse_table
    rules = sorted({rule for actions in table.states.values()
                    for action, rule in actions.values() if action.name == "Reduce"},
                   key=str)
    index = {rule: i for i, rule in enumerate(rules)}
    basic, unless = _scanner(terminals, flags)
    lexers = parser.parser.lexer.lexers
    contextual = [_scanner(_sorted_like(lexers[state].terminals, terminals), flags)
                  for state in range(len(table.states))]
    data = {
        "format": FORMAT,
        "grammar": grammar,
        "patterns": {t.name: t.pattern.to_regexp() for t in terminals},
        "flags": flags,
        "order": [t.name for t in terminals],
        "basic": basic,
        "unless": unless,
        "contextual": [names for names, _ in contextual],
        "contextual_unless": [retype for _, retype in contextual],
        "states": [{symbol: (arg if action.name == "Shift" else -1 - index[arg])
                    for symbol, (action, arg) in table.states[state].items()}
                   for state in range(len(table.states))],
        "start": table.start_states["start"],
        "end": table.end_states["start"],
        "rules": [_rule(rule, parser.options) for rule in rules],
    }
    # plain JSON values (Lark names its symbols with its own str subclass)
    return json.loads(json.dumps(data, ensure_ascii=False))


def _sorted_like(some: list, order: list) -> list:
    rank = {t.name: i for i, t in enumerate(order)}
    return sorted(some, key=lambda t: rank[t.name])


def _scanner(terminals: list, flags: int) -> tuple[list[str], dict[str, dict[str, str]]]:
    """What Lark's basic lexer over ``terminals`` scans for, and which string terminal a
    pattern's whole match is (``lark.lexer._create_unless``)."""
    import re

    from lark.lexer import _create_unless

    kept, callbacks = _create_unless(terminals, flags, re, False)
    unless = {name: {t.pattern.value: t.name for t in callback.scanner.terminals}
              for name, callback in callbacks.items()}
    return [t.name for t in kept], unless


def _rule(rule: Any, options: Any) -> list:
    """origin, size, the handler's name, expand1 and what the tree keeps (None: every child,
    none spliced) — Lark's ``ParseTreeBuilder`` for an LALR parser without ambiguity."""
    if rule.options.empty_indices and options.maybe_placeholders:
        raise ValueError("[optional] placeholders are not run by matrix.parse.lalr")
    keep_all = rule.options.keep_all_tokens or options.keep_all_tokens
    include = [[i, not sym.is_term and sym.name.startswith("_")]
               for i, sym in enumerate(rule.expansion)
               if keep_all or not (sym.is_term and sym.filter_out)]
    if len(include) == len(rule.expansion) and not any(expand for _, expand in include):
        include = None
    name = rule.alias or rule.options.template_source or rule.origin.name
    return [rule.origin.name, len(rule.expansion), name,
            bool(rule.options.expand1 and not rule.alias), include]


def module_text(name: str, data: dict[str, Any]) -> str:
    """The generated module of ``grammar/<name>``'s tables: a line per state and per rule."""
    def lines(key: str) -> list[str]:
        value = data[key]
        if key in ("states", "rules", "contextual", "contextual_unless"):
            return [f"    {key!r}: [", *(f"        {item!r}," for item in value), "    ],"]
        return [f"    {key!r}: {value!r},"]
    head = [f'"""The LALR tables of ``grammar/{name}``, built by Lark: generated by',
            '``python -m matrix.parse.tables`` (``matrix.parse.tables``), do not edit."""', "",
            "TABLES = {"]
    return "\n".join([*head, *(line for key in sorted(data) for line in lines(key)), "}", ""])


def main() -> None:
    """Write the shipped tables of every grammar (after a grammar changed). Lark numbers the
    states in the order it meets them in sets: another run may number them otherwise (the
    parses are the same: tests/test_lalr.py compares them with Lark's)."""
    SHIPPED.mkdir(parents=True, exist_ok=True)
    init = SHIPPED / "__init__.py"
    if not init.exists():
        init.write_text('"""The grammars\' LALR tables (generated: ``matrix.parse.tables``)."""\n',
                        encoding="utf-8")
    for name in GRAMMARS:
        target = SHIPPED / f"{name.removesuffix('.lark')}.py"
        target.write_text(module_text(name, export(grammar_text(name))),
                          encoding="utf-8")
        print(f"wrote {target}")


if __name__ == "__main__":
    main()
