"""Regular expressions compiled on first use, not at import.

Python compiles a pattern in pure Python, and the patterns over Han ranges (``[\\u4e00-\\u9fff]``,
the invisible characters, the local plans' place names) take a millisecond or more each: a
module of twenty costs its importer tens of milliseconds at start-up whether or not a pattern is
ever used (a State Council plan never needs the local plans' name patterns). ``lazy(pattern)``
stands where ``re.compile(pattern)`` stood::

    _GOV_LINE = lazy(r"...(?:人民政府|政府)")
    _GOV_LINE.finditer(line)        # compiled here, the first time

The compiled form is kept between runs (``matrix.text.compiled``). On first use the compiled
pattern's methods are bound on the object itself, so later calls go
straight to them (no indirection on the hot path). ``compiled`` says whether it has been (tests
use it to pin what a run compiles). Use it for module-level patterns only; a lazy pattern is not
an ``re.Pattern`` (pass ``p.pattern`` to a function that wants one).
"""

from __future__ import annotations

import re

__all__ = ["LazyPattern", "lazy"]

_BOUND = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split",
          "scanner", "groups", "groupindex")


class LazyPattern:
    """A regular expression compiled the first time one of its methods is used."""

    def __init__(self, pattern: str | bytes, flags: int = 0) -> None:
        self.pattern, self.flags, self.compiled = pattern, flags, False

    def __getattr__(self, name: str):
        # Called only for a name not (yet) on the instance: compile, bind, answer.
        if name.startswith("__") or name not in _BOUND:
            raise AttributeError(name)
        from .compiled import compile as compile_kept  # compiled once per user and Python

        compiled = compile_kept(self.pattern, self.flags)
        for attr in _BOUND:
            setattr(self, attr, getattr(compiled, attr))
        self.flags, self.compiled = compiled.flags, True
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy({self.pattern!r})"


def lazy(pattern: str | bytes, flags: int = 0) -> LazyPattern:
    """``re.compile(pattern, flags)``, done the first time the pattern is used."""
    return LazyPattern(pattern, flags)
