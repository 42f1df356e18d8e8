"""The parsers of the grammars: their tables (``tables``) run by ``lalr``, and Lark's own
parser of a grammar as the reference the tests compare them with.

Three grammars live in ``grammar/``: ``plan.lark`` for the document structure (sections,
clauses, items and the trailers that close tasks), ``trailer.lark`` for the inside of one
trailer and ``deadline.lark`` for the dated commitments of a task's text. All are LALR: Earley
takes minutes and gigabytes on a real 200 KB plan.

This module knows nothing of records: the parser that builds units while it parses (with
``units.UnitBuilder``) is ``units.plan_reader``, and the trailer reader ``trailer.read_trailer``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from . import tables as _tables
from .lalr import Parser, Token, UnexpectedCharacters, UnexpectedInput
from .tables import grammar_text  # noqa: F401  (the grammars' text, for the tests and tools)
from ..text import compiled

if TYPE_CHECKING:
    from lark import Lark


@functools.cache
def tables(name: str) -> _tables.Tables:
    """The LALR tables of ``grammar/<name>`` (shipped, else built by Lark: ``tables.load``)."""
    return _tables.load(name)


def lark_parser(name: str, **options: object) -> Lark:
    """Lark's own LALR parser of ``grammar/<name>`` with these ``options``: the reference the
    run-time parsers are tested against, never used to parse a plan."""
    from lark import Lark

    return Lark(grammar_text(name), parser="lalr", **options)


@functools.cache
def plan_parser() -> Parser:
    """The document-structure parser, giving a tree (a token at a time, as Lark's basic lexer
    would: the tests compare it with :class:`LineLexer`'s parse)."""
    return Parser(tables("plan.lark"), lexer="basic")


class LineToken(Token):
    """A token that stands for the rest of its line: ``pieces`` are the line's body tokens
    (TEXT, PAREN, TRAILER, STRAY and its NL). Either the line's number (SECTION_NUM …) with
    what follows it, or a ``TEXT`` token for an unnumbered line."""

    __slots__ = ("pieces",)


class LineLexer:
    """The lexer of ``plan.lark``'s own terminals, feeding the parser a line at a time.

    It matches exactly what Lark's basic lexer matches (the grammar's terminals, tried in the
    order Lark tries them, in one regular expression run by ``re.finditer``; a test checks the
    tokens are identical), but each line reaches the parser as one token (a
    :class:`LineToken`): its number, when it has one, else a ``TEXT``, carrying the line's body
    tokens. In ``plan.lark`` a body is a flat run of segments after a number that never
    affects the structure, so the parse is the same, and the parser does a step per line
    instead of one per segment. ``units.UnitBuilder`` unpacks the pieces. On a long plan
    this is most of the parse time (the parser costs a few µs a token in pure Python).
    """

    def __init__(self, tables: _tables.Tables) -> None:
        self.pattern = compiled.compile("|".join(f"(?P<{name}>{tables.patterns[name]})"
                                                 for name in tables.basic), tables.flags)
        self.numbers = frozenset(name for name in tables.basic if name.endswith("_NUM"))
        self.unless = tables.unless  # a match that is a string terminal's (none in plan.lark)

    def lex(self, text: str, states: list[int],
            on_error: Callable[[UnexpectedInput], bool] | None = None) -> Iterator[Token]:
        """One ``LineToken`` a line (``states`` and ``on_error`` are not used: every state
        takes every terminal, and an error ends the parse)."""
        numbers, unless = self.numbers, self.unless
        line, line_start, pos = 1, 0, 0
        head: LineToken | None = None  # the line's number
        pieces: list[Token] = []
        for m in self.pattern.finditer(text):
            start, kind = m.start(), m.lastgroup
            if start != pos:  # nothing matched here: what Lark's lexer reports
                raise UnexpectedCharacters(text, pos, line, pos - line_start + 1)
            value = m.group()
            pos = m.end()
            if unless and kind in unless:
                kind = unless[kind].get(value, kind)
            if kind in numbers:  # only ever at the start of a line (the terminals say so)
                if head is not None or pieces:
                    yield self._line(head, pieces)
                    pieces = []
                head = _token(LineToken, kind, value, start, line, start - line_start + 1)
                continue
            piece = str.__new__(Token, value)  # as _token, less the end positions, never read
            piece.type, piece.value, piece.start_pos, piece.line, piece.column = (
                kind, value, start, line, start - line_start + 1)
            pieces.append(piece)
            if kind == "NL":
                yield self._line(head, pieces)
                head, pieces = None, []
                line, line_start = line + 1, pos
        if pos != len(text):
            raise UnexpectedCharacters(text, pos, line, pos - line_start + 1)
        if head is not None or pieces:
            yield self._line(head, pieces)

    @staticmethod
    def _line(head: LineToken | None, pieces: list[Token]) -> LineToken:
        if head is None:
            first = pieces[0]
            head = _token(LineToken, "TEXT", "".join(pieces), first.start_pos, first.line,
                          first.column)
        head.pieces = pieces
        return head


def _token(cls: type[Token], kind: str, value: str, start: int, line: int, column: int) -> Token:
    """``cls(kind, value, start, line, column)`` without the call through ``Token.__new__``."""
    token = str.__new__(cls, value)
    token.type, token.value, token.start_pos, token.line, token.column = (
        kind, value, start, line, column)
    token.end_line = token.end_column = token.end_pos = None
    return token


@functools.cache
def trailer_parser() -> Parser:
    """The parser for the inner text of one responsibility trailer, giving a tree
    (``trailer.read_trailer`` runs the same tables with its reader).

    Contextual lexer: a department name may begin with what is elsewhere a word of the grammar
    (前海管理局 begins with the 前 of a deadline such as "2025年底前"), which only the parser
    state can tell apart: after 、 or 会同 only a name is expected.
    """
    return Parser(tables("trailer.lark"), lexer="contextual")


def terminal_pattern(grammar: str, name: str) -> str:
    """The regular expression of terminal ``name`` of ``grammar/<grammar>``."""
    return tables(grammar).patterns[name]
