"""Grammar lookup and cached Lark parser factories.

Two grammars live in ``grammar/``: ``plan.lark`` for the document structure (sections, clauses,
items and the trailers that close tasks) and ``trailer.lark`` for the inside of one trailer.
Both are LALR: Earley takes minutes and gigabytes on a real 200 KB plan.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

from lark import Lark


def grammar_text(name: str) -> str:
    """Text of ``grammar/<name>``: from the installed package, else from the checkout.

    A wheel carries the grammar as ``matrix/grammar`` (hatch force-include); an editable install
    resolves ``matrix`` to the checkout, which keeps it in the top-level ``grammar/``.
    """
    packaged = resources.files("matrix") / "grammar" / name
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return (Path(__file__).resolve().parent.parent / "grammar" / name).read_text(encoding="utf-8")


def _build(name: str, **options: object) -> Lark:
    # cache=True stores the built tables in the temp folder, keyed by a hash of the grammar,
    # the options and the Lark version, so start-up does not rebuild them on every run.
    return Lark(grammar_text(name), parser="lalr", cache=True, **options)


@functools.cache
def plan_parser() -> Lark:
    """The document-structure parser.

    Positions come from the tokens (every number and trailer token has ``line`` and
    ``column``); ``propagate_positions`` is left off because computing ``meta`` for every
    reduction costs a tenth of the parse and nothing reads it.
    """
    # Every terminal of plan.lark is acceptable in every state, so one scanner (the basic
    # lexer) does what the contextual lexer would, without compiling a scanner per state.
    return _build("plan.lark", lexer="basic")


@functools.cache
def plan_reader() -> Lark:
    """``plan_parser`` with ``transform.UnitBuilder`` applied during the parse: ``parse`` gives
    the units directly, without building the tree first (what the pipeline uses)."""
    from .transform import UnitBuilder

    return _build("plan.lark", lexer="basic", transformer=UnitBuilder())


@functools.cache
def trailer_parser() -> Lark:
    """The parser for the inner text of one responsibility trailer.

    Basic lexer: its terminals never need the parser state to be told apart (the grammar says
    why), and one scanner is compiled instead of one per parser state (~9 in seed 001, each
    several milliseconds of regular-expression compiling on every run).
    """
    return _build("trailer.lark", lexer="basic")
