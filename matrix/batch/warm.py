"""Imported by the batch's fork server (``batch._context``): everything a worker needs to build
a workbook, imported and built once, so that every worker forked from the server starts warm."""

from __future__ import annotations

import gc
import tempfile
from pathlib import Path

import matrix

# The server and its workers run only dutymatrix: openpyxl, should a worker need it (the plan
# workbook is written without it: workbook/xlsx.py), without numpy and Pillow, and Lark, should
# a grammar need building, without the regex module, as in the command line's own process
# (matrix/cli/commands.py).
matrix._own_process = True
matrix.hide_unused_modules()
from ..precompiled import install  # noqa: E402

install()  # the records' methods from bytecode (matrix/precompiled), not compiled again

from ..load import pipeline  # noqa: E402
from .. import workbook  # noqa: E402
from ..departments import canonical  # noqa: E402
from ..text.normalise import normalise  # noqa: E402
from ..parse.deadline import _scanner as deadline_parser  # noqa: E402
from ..parse.trailer import trailer_reader  # noqa: E402
from ..parse.transform import plan_reader  # noqa: E402
from .jobs import build_one  # noqa: E402
from ..text import compiled  # noqa: E402

plan_reader()
trailer_reader()
deadline_parser()  # the small plan below gives it nothing to read: loaded here, not per worker
canonical("国务院")
normalise("國")
# One small plan built as a worker builds one (``build_one``), in a private temporary folder:
# the regular expressions compiled on first use (matrix/text/patterns.py), the trailer lexer's
# scanners are built here once, not again in every worker.
try:
    with tempfile.TemporaryDirectory(prefix="dutymatrix-warm-") as _folder:
        _source = Path(_folder) / "warm.txt"
        _source.write_text("关于某项工作的实施方案\n一、重点任务\n（一）加强统筹协调，完善工作机制。"
                           "（国家发展改革委牵头，财政部、市场监管总局按职责分工负责，2025年底前完成）\n",
                           encoding="utf-8")
        build_one(_source, Path(_folder) / "warm.xlsx")
except OSError:  # no temporary folder: the workers warm up on their first file instead
    pass

matrix.keep_own_bytecode()  # the next server starts from what this one compiled
# The patterns compiled above are kept for the next server (a worker's are not: it ends by
# os._exit, without the exit handler that writes them).
compiled.save()

# Everything above lives as long as the server: out of the collector's sight, so that workers do
# not walk it (nor copy its pages, written by the walk) on every full collection.
gc.freeze()
