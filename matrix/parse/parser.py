"""Grammar lookup and cached Lark parser factories.

Two grammars live in ``grammar/``: ``plan.lark`` for the document structure (sections, clauses,
items and the trailers that close tasks) and ``trailer.lark`` for the inside of one trailer.
Both are LALR: Earley takes minutes and gigabytes on a real 200 KB plan.

This module knows nothing of records: the parser that builds units while it parses (with
``transform.UnitBuilder``) is ``transform.plan_reader``, and ``transform`` imports from here,
never the other way round.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from lark import Lark, Token

from ..text import compiled
from lark.exceptions import UnexpectedCharacters
from lark.lexer import Lexer, LexerState


def grammar_text(name: str) -> str:
    """Text of ``grammar/<name>``: from the installed package, else from the checkout.

    A wheel carries the grammar as ``matrix/grammar`` (hatch force-include); an editable install
    resolves ``matrix`` to the checkout, which keeps it in the top-level ``grammar/``.
    """
    packaged = resources.files("matrix") / "grammar" / name
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return (Path(__file__).resolve().parents[2] / "grammar" / name).read_text(encoding="utf-8")


def build_parser(name: str, **options: object) -> Lark:
    """An LALR parser of ``grammar/<name>`` with these Lark ``options`` (``transform.plan_reader``
    builds one with its transformer)."""
    # The built tables are kept in the user's cache folder as JSON (matrix/parse/tables.py),
    # keyed by a hash of the grammar, the options and the Lark version, so start-up does not
    # rebuild them on every run.
    from . import tables

    grammar = grammar_text(name)
    options = {"parser": "lalr", **options}
    parser = tables.load(grammar, options)
    if parser is None:
        parser = Lark(grammar, **options)
        tables.save(parser, grammar, options)
    return _kept_scanners(parser)


def _kept_scanners(parser: Lark) -> Lark:
    """``parser`` with its Lark lexers compiling their scanners through
    ``matrix.text.compiled`` (kept between runs), before they first do."""
    from lark.lexer import BasicLexer, ContextualLexer

    lexer = getattr(parser.parser, "lexer", None)
    lexers = [lexer] if isinstance(lexer, BasicLexer) else []
    if isinstance(lexer, ContextualLexer):
        lexers = [*lexer.lexers.values(), lexer.root_lexer]
    for one in lexers:
        if type(one) is BasicLexer and one._scanner is None and one.re is re:
            one.re = compiled.RE
    return parser


@functools.cache
def plan_parser() -> Lark:
    """The document-structure parser.

    Positions come from the tokens (every number and trailer token has ``line`` and
    ``column``); ``propagate_positions`` is left off because computing ``meta`` for every
    reduction costs a tenth of the parse and nothing reads it.
    """
    # Every terminal of plan.lark is acceptable in every state, so one scanner (the basic
    # lexer) does what the contextual lexer would, without compiling a scanner per state.
    return build_parser("plan.lark", lexer="basic")


class LineToken(Token):
    """A token that stands for the rest of its line: ``pieces`` are the line's body tokens
    (TEXT, PAREN, TRAILER, STRAY and its NL). Either the line's number (SECTION_NUM …) with
    what follows it, or a ``TEXT`` token for an unnumbered line."""

    __slots__ = ("pieces",)


class LineLexer(Lexer):
    """The lexer of ``plan.lark``'s own terminals, feeding the parser a line at a time.

    It matches exactly what Lark's basic lexer matches (the grammar's terminals, tried in the
    order Lark tries them, in one regular expression run by ``re.finditer``; a test checks the
    tokens are identical), but each line reaches the parser as one token (a
    :class:`LineToken`): its number, when it has one, else a ``TEXT``, carrying the line's body
    tokens. In ``plan.lark`` a body is a flat run of segments after a number that never
    affects the structure, so the parse is the same, and the parser does a step per line
    instead of one per segment. ``transform.UnitBuilder`` unpacks the pieces. On a long plan
    this is most of the parse time (the parser costs ~10 µs a token in pure Python).
    """

    __future_interface__ = 2

    def __init__(self, lexer_conf: Any) -> None:
        # Lark's basic lexer: by priority, then longest possible match, then pattern length,
        # then name (lark.lexer.BasicLexer); an alternation tries its branches in that order.
        terminals = sorted(lexer_conf.terminals, key=lambda t: (
            -t.priority, -t.pattern.max_width, -len(t.pattern.value), t.name))
        self.pattern = compiled.compile("|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})"
                                                 for t in terminals), lexer_conf.g_regex_flags)
        self.numbers = frozenset(t.name for t in terminals if t.name.endswith("_NUM"))

    def lex(self, lexer_state: LexerState, parser_state: Any) -> Iterator[Token]:
        """One ``LineToken`` a line."""
        text = lexer_state.text.text
        if not lexer_state.text.is_complete_text():
            text = text[lexer_state.text.start:lexer_state.text.end]
        numbers = self.numbers
        line, line_start, pos = 1, 0, 0
        head: LineToken | None = None  # the line's number
        pieces: list[Token] = []
        for m in self.pattern.finditer(text):
            start, kind = m.start(), m.lastgroup
            if start != pos:  # nothing matched here: what Lark's lexer reports
                raise UnexpectedCharacters(text, pos, line, pos - line_start + 1)
            value = m.group()
            pos = m.end()
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
    """``cls(kind, value, start, line, column)`` without ``Token.__new__``'s handling of its
    deprecated arguments, which costs as much as the rest of the lexing."""
    token = str.__new__(cls, value)
    token.type, token.value, token.start_pos, token.line, token.column = (
        kind, value, start, line, column)
    token.end_line = token.end_column = token.end_pos = None
    return token


@functools.cache
def trailer_parser() -> Lark:
    """The parser for the inner text of one responsibility trailer.

    Contextual lexer: a department name may begin with what is elsewhere a word of the grammar
    (前海管理局 begins with the 前 of a deadline such as "2025年底前"), which only the parser
    state can tell apart: after 、 or 会同 only a name is expected.
    """
    return share_scanners(build_parser("trailer.lark", lexer="contextual"))


def share_scanners(parser: Lark) -> Lark:
    """``parser`` (a contextual lexer's) with one regular expression for all its states.

    Lark's contextual lexer compiles, for each set of terminals a parser state accepts, an
    alternation of those terminals: ``trailer.lark`` has 29 such sets, each compiled on first
    use, most of them holding the same costly department and rule terminals (Python compiles a
    pattern over Han characters in pure Python: 5–11 ms each). Here every state's scanner asks
    one alternation of all the terminals, in Lark's order, compiled once (:class:`_SharedScanner`),
    which gives the same token: see there. A lexer that is not Lark's contextual one is left as
    it is.
    """
    from lark.lexer import BasicLexer, ContextualLexer

    lexer = getattr(parser.parser, "lexer", None)
    if not isinstance(lexer, ContextualLexer) or not isinstance(lexer.root_lexer, BasicLexer):
        return parser
    master = _Master(lexer.root_lexer)
    for state_lexer in {id(x): x for x in lexer.lexers.values()}.values():
        if type(state_lexer) is BasicLexer and state_lexer._scanner is None:
            state_lexer._build_scanner = functools.partial(_shared_scanner, state_lexer, master)
    return parser


class _Master:
    """The alternation of all the terminals of a contextual lexer, in the order Lark tries them
    (``BasicLexer`` sorts them: priority, longest possible match, pattern length, name),
    compiled when first used."""

    def __init__(self, root: Any) -> None:
        self.terminals, self.flags, self.re = root.terminals, root.g_regex_flags, root.re
        self.order = {t.name: i for i, t in enumerate(root.terminals)}
        self._mres: list[Any] | None = None

    def match(self, text: str, pos: int, end: int) -> Any:
        if self._mres is None:
            from lark.lexer import Scanner

            self._mres = Scanner(self.terminals, self.flags, self.re, use_bytes=False)._mres
        for mre in self._mres:
            m = mre.match(text, pos, end)
            if m:
                return m
        return None


def _shared_scanner(lexer: Any, master: _Master) -> Any:
    """What ``BasicLexer._build_scanner`` does (the terminals a string terminal is embedded in
    retype its match; the user's callbacks), with a :class:`_SharedScanner` as the scanner."""
    from lark.lexer import CallChain, _create_unless

    terminals, lexer.callback = _create_unless(lexer.terminals, lexer.g_regex_flags, lexer.re,
                                               lexer.use_bytes)
    for type_, f in lexer.user_callbacks.items():
        if type_ in lexer.callback:
            lexer.callback[type_] = CallChain(lexer.callback[type_], f,
                                              lambda t, type_=type_: t.type == type_)
        else:
            lexer.callback[type_] = f
    return _SharedScanner(master, terminals, lexer.g_regex_flags, lexer.re)


class _SharedScanner:
    """One parser state's scanner, answering from the shared :class:`_Master` alternation.

    Lark's scanner of a state is the alternation of the state's terminals in the master's order,
    so it matches the first of them that matches at the position. The master's first match is
    the first of all terminals that match; when the state accepts it, no terminal of the state
    before it matched (they are all in the master, in the same order), so it is the state's
    answer. When the state does not accept it (a name beginning with a word that is elsewhere a
    deadline's, say), the state's own terminals after it are tried one by one in order (those
    before it did not match): each pattern is compiled once in the process (``re``'s cache),
    shared by all states. No match in the master means none in the state.
    """

    def __init__(self, master: _Master, terminals: list[Any], flags: int, re_: Any) -> None:
        self.terminals, self.master, self.flags, self.re = terminals, master, flags, re_
        self.allowed_types = {t.name for t in terminals}
        ranks = [master.order[t.name] for t in terminals]
        # ascending, as Lark sorts both alike; were they not, every terminal is tried
        self._ranks = ranks if ranks == sorted(ranks) else [-1] * len(ranks)

    def match(self, text: Any, pos: int) -> tuple[str, str] | None:
        m = self.master.match(text.text, pos, text.end)
        if m is None:
            return None
        if m.lastgroup in self.allowed_types:
            return m.group(0), m.lastgroup
        first = bisect.bisect_right(self._ranks, self.master.order[m.lastgroup])
        for t in self.terminals[first:]:
            m = self.re.compile(t.pattern.to_regexp(), self.flags).match(text.text, pos, text.end)
            if m:
                return m.group(0), t.name
        return None
