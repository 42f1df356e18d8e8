"""Text from untrusted files made safe to compare and to show.

Three concerns, each one pure function over a string:

* :func:`strip_invisible` drops the characters that change nothing a reader sees but make two
  names different strings: every format character (Unicode category Cf: soft hyphen, zero-width
  space and joiners, LRM/RLM, the bidi embeddings, overrides and isolates, invisible operators,
  the BOM, tag characters), the Hangul and Mongolian fillers, the combining grapheme joiner
  and the variation selectors. ``normalise`` runs it over every plan, and department names go
  through it again at lookup, so that "财\u2063政部" is 财政部.
* :func:`strip_bidi` drops only the bidirectional controls (U+061C, U+200E/F, U+202A–202E,
  U+2066–2069): no output dutymatrix writes (CSV, JSON, workbooks, the terminal) carries one,
  whatever the input held, so no file or screen can be made to show text in another order.
* :func:`for_terminal` makes text printable on a terminal: C0 and C1 control characters
  (ESC and CSI start the sequences that clear a screen or retitle a window) become visible
  ``\\x1b``-style escapes, and bidi controls are dropped; newlines are kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .patterns import lazy

if TYPE_CHECKING:
    import re

__all__ = ["BIDI", "INVISIBLE", "for_terminal", "strip_bidi", "strip_invisible"]

# Category Cf as of Unicode 15 (tests check this list against unicodedata), then the fillers
# (U+115F, U+1160, U+3164, U+FFA0 are Lo but print as nothing), the combining grapheme joiner,
# Mongolian free variation selectors and the variation selectors (Mn).
_CF = ("\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
       "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
       "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
       "\U000e0020-\U000e007f")
_FILLERS = "\u115f\u1160\u3164\uffa0\u034f\u180b-\u180d\u180f\ufe00-\ufe0f\U000e0100-\U000e01ef"
INVISIBLE = lazy(f"[{_CF}{_FILLERS}]")
BIDI = lazy("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# C0 controls but newline and tab, DEL, and the C1 controls (U+0080–U+009F: CSI is U+009B).
_CONTROL = lazy("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_invisible(text: str) -> str:
    """``text`` without format characters, fillers and variation selectors."""
    return INVISIBLE.sub("", text) if INVISIBLE.search(text) else text


def strip_bidi(text: str) -> str:
    """``text`` without bidirectional control characters."""
    return BIDI.sub("", text) if BIDI.search(text) else text


def _visible(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def for_terminal(text: str) -> str:
    """``text`` as it may be printed on a terminal: controls shown as ``\\x1b``, no bidi."""
    return _CONTROL.sub(_visible, strip_bidi(text))
