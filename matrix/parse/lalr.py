"""The grammars at run time: an LALR(1) parser that runs the tables Lark built from
``grammar/*.lark``, with its lexers, tokens, trees and errors — without importing Lark.

Lark reads the grammars and builds their tables (``matrix.parse.tables``: shipped with the
package, rebuilt by Lark only when a grammar changes); a plan is parsed here. Importing Lark and
loading its objects cost ~60 ms of every ``parse`` before any work (its import alone is twice a
bare ``python -c pass``); this module and the tables as plain data cost ~2 ms. What it runs is
what Lark's LALR parser does with the same tables, step for step (tests/test_lalr.py parses the
seeds, the corpora and generated text with both and compares every tree and token):

* the parser (Lark's ``ParserState.feed_token``): shift, or reduce and go to, until the end;
* the trees (Lark's ``ParseTreeBuilder``): tokens whose name starts with ``_`` (and anonymous
  strings) left out, rules whose name starts with ``_`` spliced into their parent, a ``?rule``
  with one child replaced by it; a rule's value is its handler's (a method of the rule's name on
  the ``handlers`` object: called with the children, or with them as arguments when ``inline``),
  else a :class:`Tree`;
* the lexers (Lark's ``BasicLexer`` and ``ContextualLexer``): the first terminal that matches in
  Lark's order (priority, longest possible match, pattern length, name) among those the parser's
  state accepts (contextual) or all of them (basic); a match that equals a string terminal of
  the same priority is that terminal (Lark's ``_create_unless``).

Tokens are ``str`` with ``type``, ``start_pos``, ``line``, ``column`` and the ends, as Lark's
are. Errors are :class:`UnexpectedCharacters` (no terminal matches) and :class:`UnexpectedToken`
(the state accepts no such token), both :class:`UnexpectedInput` with ``line``, ``column`` and
:meth:`~UnexpectedInput.get_context`.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from typing import Any

from ..text import compiled


class Token(str):
    """A terminal's match: the text, with its ``type`` (the terminal's name) and position."""

    __slots__ = ("type", "value", "start_pos", "line", "column", "end_line", "end_column",
                 "end_pos")

    def __new__(cls, type: str, value: str, start_pos: int | None = None,
                line: int | None = None, column: int | None = None, end_line: int | None = None,
                end_column: int | None = None, end_pos: int | None = None) -> Token:
        self = str.__new__(cls, value)
        self.type, self.value, self.start_pos, self.line, self.column = (
            type, value, start_pos, line, column)
        self.end_line, self.end_column, self.end_pos = end_line, end_column, end_pos
        return self

    def __reduce__(self) -> tuple:
        return (Token, (self.type, self.value, self.start_pos, self.line, self.column,
                        self.end_line, self.end_column, self.end_pos))

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {self.value!r})"

    def __eq__(self, other: object) -> bool:
        # as Lark's: a token of another type is another token, whatever its text
        if isinstance(other, Token) and self.type != other.type:
            return False
        return str.__eq__(self, other)

    __hash__ = str.__hash__


class Tree:
    """A rule's value when it has no handler: the rule's name and its children."""

    __slots__ = ("data", "children")

    def __init__(self, data: str, children: list) -> None:
        self.data, self.children = data, children

    def __repr__(self) -> str:
        return f"Tree({self.data!r}, {self.children!r})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Tree) and self.data == other.data
                and self.children == other.children)

    __hash__ = None  # type: ignore[assignment]  # mutable, as Lark's

    def iter_subtrees_topdown(self) -> Iterator[Tree]:
        """This tree and every tree below it, parents before children, in order."""
        yield self
        for child in self.children:
            if isinstance(child, Tree):
                yield from child.iter_subtrees_topdown()

    def scan_values(self, pred: Callable[[Any], bool]) -> Iterator[Any]:
        """The leaves (tokens, values) below this tree for which ``pred`` holds, in order."""
        for child in self.children:
            if isinstance(child, Tree):
                yield from child.scan_values(pred)
            elif pred(child):
                yield child


class UnexpectedInput(Exception):
    """The text is not in the grammar's language: where (``line``, ``column``, ``pos_in_stream``)."""

    line: int | None = None
    column: int | None = None
    pos_in_stream: int | None = None

    def get_context(self, text: str, span: int = 40) -> str:
        """The line around the error with a caret under it (as Lark prints it)."""
        pos = self.pos_in_stream or 0
        before = text[max(pos - span, 0):pos].rsplit("\n", 1)[-1]
        after = text[pos:pos + span].split("\n", 1)[0]
        return before + after + "\n" + " " * len(before.expandtabs()) + "^\n"


class UnexpectedCharacters(UnexpectedInput):
    """No terminal (that the parser's state accepts) matches here."""

    def __init__(self, text: str, pos: int, line: int, column: int) -> None:
        self.pos_in_stream, self.line, self.column = pos, line, column
        self.char = text[pos] if pos < len(text) else ""
        super().__init__(f"No terminal matches {self.char!r} at line {line} col {column}")


class UnexpectedToken(UnexpectedInput):
    """The parser's state takes no token of this type here."""

    def __init__(self, token: Token, expected: set[str], state: int) -> None:
        self.token, self.expected, self.state = token, expected, state
        self.pos_in_stream, self.line, self.column = token.start_pos, token.line, token.column
        super().__init__(f"Unexpected token {token!r} at line {token.line} col {token.column},"
                         f" expected one of {sorted(expected)}")


# ---------------------------------------------------------------------------------------------
# Lexers


class BasicLexer:
    """Every terminal, in Lark's order, as one alternation: the first that matches wins."""

    def __init__(self, tables: Any) -> None:
        names = tables.basic
        self.pattern = _alternation(tables, names)
        self.unless = {name: tables.unless[name] for name in names if name in tables.unless}

    def find(self, text: str, pos: int) -> tuple[str, str] | None:
        """The text and terminal of the match at ``pos``, or None."""
        m = self.pattern.match(text, pos)
        if m is None:
            return None
        kind, value = m.lastgroup, m.group()
        unless = self.unless.get(kind)
        return value, (kind if unless is None else unless.get(value, kind))

    def lex(self, text: str, states: list[int],
            on_error: Callable[[UnexpectedInput], bool] | None = None) -> Iterator[Token]:
        """The tokens of ``text``; where nothing matches, an error (or, when ``on_error`` says
        so, the character skipped)."""
        def fail(pos: int, line: int, column: int) -> UnexpectedInput:
            return UnexpectedCharacters(text, pos, line, column)
        return _tokens(text, self.find, fail, on_error)


class ContextualLexer:
    """The first terminal, in Lark's order, that matches among those the parser's state accepts.

    One alternation of all the terminals answers first (compiled once: Lark compiles one per
    state). When the state accepts the terminal it found, that is the state's answer: no
    terminal the state accepts comes before it in the order, or the alternation would have
    matched that one. When it does not (a name beginning with a word that is elsewhere a
    deadline's, say), the state's own terminals after it are tried one by one, in order. The
    alternation holds every terminal, string terminals a pattern stands for included (a state
    may take one without the pattern).
    """

    def __init__(self, tables: Any) -> None:
        self.tables = tables
        self.master = _alternation(tables, tables.order)
        self.rank = {name: i for i, name in enumerate(tables.order)}
        self.accepts = [frozenset(names) for names in tables.contextual]
        self.ranks = [[self.rank[n] for n in names] for names in tables.contextual]
        self.unless = tables.contextual_unless
        self._root: BasicLexer | None = None  # for errors only

    def _match(self, state: int, text: str, pos: int) -> tuple[str, str] | None:
        m = self.master.match(text, pos)
        if m is None:
            return None
        if m.lastgroup in self.accepts[state]:
            value, kind = m.group(), m.lastgroup
        else:
            tables, names = self.tables, self.tables.contextual[state]
            for name in names[bisect.bisect_right(self.ranks[state], self.rank[m.lastgroup]):]:
                one = compiled.compile(tables.patterns[name], tables.flags).match(text, pos)
                if one:
                    value, kind = one.group(), name
                    break
            else:
                return None
        unless = self.unless[state].get(kind)
        return value, (kind if unless is None else unless.get(value, kind))

    def _error(self, state: int, text: str, pos: int, line: int,
               column: int) -> UnexpectedInput:
        """What Lark's contextual lexer says when the state's terminals do not match: the token
        a basic lexer of all the terminals finds there, unexpected in this state, else the
        characters."""
        if self._root is None:
            self._root = BasicLexer(self.tables)
        found = self._root.find(text, pos)
        if found is None:
            return UnexpectedCharacters(text, pos, line, column)
        value, kind = found
        return UnexpectedToken(_token(kind, value, pos, line, column),
                               set(self.tables.contextual[state]), state)

    def lex(self, text: str, states: list[int],
            on_error: Callable[[UnexpectedInput], bool] | None = None) -> Iterator[Token]:
        """The tokens of ``text``, each in the state the parser is in when it asks."""
        def find(text: str, pos: int) -> tuple[str, str] | None:
            return self._match(states[-1], text, pos)

        def fail(pos: int, line: int, column: int) -> UnexpectedInput:
            return self._error(states[-1], text, pos, line, column)
        return _tokens(text, find, fail, on_error)


def _tokens(text: str, find: Callable[[str, int], tuple[str, str] | None],
            fail: Callable[[int, int, int], UnexpectedInput],
            on_error: Callable[[UnexpectedInput], bool] | None) -> Iterator[Token]:
    """The tokens ``find`` makes of ``text`` from its start, with their lines and columns;
    where it finds none, ``fail``'s error, raised unless ``on_error`` passes over the
    character."""
    pos, line, line_start, end = 0, 1, 0, len(text)
    while pos < end:
        found = find(text, pos)
        if found is None:
            error = fail(pos, line, pos - line_start + 1)
            if on_error is None or not on_error(error):
                raise error
            pos += 1
            continue
        value, kind = found
        token = _token(kind, value, pos, line, pos - line_start + 1)
        newlines = value.count("\n")
        if newlines:
            line, line_start = line + newlines, pos + value.rindex("\n") + 1
        pos += len(value)
        token.end_line, token.end_column, token.end_pos = line, pos - line_start + 1, pos
        yield token


def _alternation(tables: Any, names: list[str]) -> Any:
    return compiled.compile("|".join(f"(?P<{n}>{tables.patterns[n]})" for n in names),
                            tables.flags)


def _token(kind: str, value: str, start: int, line: int, column: int) -> Token:
    # Token(kind, value, start, line, column) without the call through __new__'s defaults
    token = str.__new__(Token, value)
    token.type, token.value, token.start_pos, token.line, token.column = (
        kind, value, start, line, column)
    return token


# ---------------------------------------------------------------------------------------------
# Parser


class Parser:
    """The LALR(1) parser of one grammar's tables, with its lexer and the rules' handlers.

    ``lexer`` is ``"basic"``, ``"contextual"`` or an object with a ``lex(text, states,
    on_error)`` method (``parser.LineLexer``); ``handlers`` an object whose methods, named after
    rules, make the rules' values (``inline``: called with the children as arguments).
    """

    def __init__(self, tables: Any, lexer: Any = "basic", handlers: object | None = None,
                 inline: bool = False) -> None:
        self.tables = tables
        if lexer == "basic":
            lexer = BasicLexer(tables)
        elif lexer == "contextual":
            lexer = ContextualLexer(tables)
        self.lexer = lexer
        self.reducers = [(origin, size, _reducer(name, include, expand1, handlers, inline))
                         for origin, size, name, expand1, include in tables.rules]

    def parse(self, text: str,
              on_error: Callable[[UnexpectedInput], bool] | None = None) -> Any:
        """The value of the start rule over ``text``. With ``on_error``, an error it returns
        True for is passed over (a token the state does not take is skipped, as Lark's
        ``on_error`` does); else it is raised."""
        states = [self.tables.start]
        values: list[Any] = []
        token = None
        for token in self.lexer.lex(text, states, on_error):
            try:
                self._feed(token, states, values)
            except UnexpectedToken as error:
                if on_error is None or not on_error(error):
                    raise
        end = Token("$END", "", 0, 1, 1)
        if token is not None:
            end = Token("$END", "", token.start_pos, token.line, token.column, token.end_line,
                        token.end_column, token.end_pos)
        self._feed(end, states, values)
        return values[-1]

    def _feed(self, token: Token, states: list[int], values: list[Any]) -> None:
        actions, reducers, kind = self.tables.states, self.reducers, token.type
        while True:
            state = states[-1]
            action = actions[state].get(kind)
            if action is None:
                raise UnexpectedToken(token, {s for s in actions[state] if s.isupper()}, state)
            if action >= 0:  # shift (never the end: the start rule reduces to the end state)
                states.append(action)
                values.append(token)
                return
            origin, size, reduce = reducers[-1 - action]
            if size:
                children = values[-size:]
                del states[-size:]
                del values[-size:]
            else:
                children = []
            states.append(actions[states[-1]][origin])
            values.append(reduce(children))
            if kind == "$END" and states[-1] == self.tables.end:
                return


def _reducer(name: str, include: list[list] | None, expand1: bool, handlers: object | None,
             inline: bool) -> Callable[[list], Any]:
    """What reducing a rule makes of its children (Lark's ``ParseTreeBuilder`` wrappers)."""
    handler = getattr(handlers, name, None) if handlers is not None else None
    if handler is None:
        def build(children: list) -> Any:
            return Tree(name, children)
    elif inline:
        def build(children: list) -> Any:
            return handler(*children)
    else:
        build = handler
    made = build
    if expand1:
        def made(children: list) -> Any:
            return children[0] if len(children) == 1 else build(children)
    if include is None:
        return made
    keep = [(i, bool(expand)) for i, expand in include]

    def filtered(children: list) -> Any:
        out: list = []
        for i, expand in keep:
            if not expand:
                out.append(children[i])
            elif out:
                out += children[i].children
            else:
                # a spliced rule first (the left-recursive list of ``x*``): its list grows in
                # place, as in Lark, instead of being copied at every item (quadratic)
                out = children[i].children
        return made(out)
    return filtered
