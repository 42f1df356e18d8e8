"""The old import path of the workbook functions (``from matrix.excel import read_workbook``),
kept for library users. The code lives in the :mod:`matrix.workbook` package; import from there.
"""

from __future__ import annotations

from .workbook import *  # noqa: F401,F403
from .workbook import __all__  # noqa: F401
