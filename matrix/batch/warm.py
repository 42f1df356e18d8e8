"""Imported by the batch's fork server (``batch._context``): everything a worker needs to build
a workbook, imported and built once, so that every worker forked from the server starts warm."""

from __future__ import annotations

import gc

from ..load import pipeline  # noqa: F401
from .. import workbook
from ..departments import canonical
from ..text.normalise import normalise
from ..parse.parser import trailer_parser
from ..parse.transform import plan_reader

plan_reader()
trailer_parser()
canonical("国务院")
normalise("國")

# Everything above lives as long as the server: out of the collector's sight, so that workers do
# not walk it (nor copy its pages, written by the walk) on every full collection.
gc.freeze()
