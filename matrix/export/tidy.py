"""Records → one tidy table: a row per (document, task, department, role), and its writers.

``export_rows(path)`` maps one plan file to its rows: a pure, picklable function with no
state of its own, what ``dutymatrix export`` runs on every file and what an engine that already
exists (``dask.bag``, Spark's ``mapPartitions``) maps over an archive. ``plan_rows(plan)`` does
the same for records already read. ``write_rows`` writes batches of rows as CSV (UTF-8 with a
BOM, for Excel and WPS; formula-like cells guarded as ``tabular`` does), JSON lines or Parquet
(pyarrow, the optional extra ``parquet``).

Which rows (the matrix's rows, nothing dropped):

* a task gives one row per assignment, in the order of its assignments, so a department
  named twice on one task (printed, and again by a document-wide rule) gives two rows;
* a task with no department gives one row whose department columns are null (empty in CSV);
* a document that names no department at all (the 质量强国建设纲要 in seed 003) gives the rows its
  matrix shows: its innermost clauses as tasks with no department (``records.task_rows``);
* a document with no task row at all gives one row whose task columns are null, so that every
  document of every file appears;
* clauses that are not tasks in a document that has tasks (指导思想, headings) are no rows, as
  in the matrix; they stay in the JSON of ``dutymatrix parse``.

The columns (``COLUMNS``: name, type, meaning) are a contract like the JSON one: never renamed
or dropped, new ones added at the end. ``tests/test_export.py`` pins them.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from ..records import Plan, task_rows
from ..text.safe import strip_bidi
from ..i18n import _, ngettext

__all__ = ["COLUMNS", "FORMATS", "Column", "Exported", "check_target", "died", "export_one",
           "export_rows", "format_for", "is_export", "plan_rows", "write_rows"]


class Column(NamedTuple):
    """One column of the export: its name, type (``string``, ``int64``, ``bool`` or
    ``list<string>``; every column may be null except those marked) and meaning."""

    name: str
    type: str
    meaning: str


COLUMNS: tuple[Column, ...] = (
    Column("source_path", "string", "the file as it was named to dutymatrix (never null)"),
    Column("source_sha256", "string", "sha256 of the file's bytes (never null)"),
    Column("jurisdiction_level", "string",
           "whose plan: central, province, city, county, district; null: not determined"),
    Column("jurisdiction_name", "string", "广东省, 滁州市 …; null for the central government"),
    Column("document", "int64", "position of the document in the file, from 1 (never null)"),
    Column("document_title", "string", "the document's title"),
    Column("doc_number", "string", "文号, e.g. 国发〔2018〕42号"),
    Column("task_no", "int64", "position of the task among the document's rows, from 1: "
           "(source_path, document, task_no) identifies a task"),
    Column("task", "string", "the task's number as an office cites it: （十）, or （十）#2 for "
           "the second trailer of a clause"),
    Column("line", "int64", "line of the task's number in the file"),
    Column("section", "string", "the enclosing top-level heading, number included"),
    Column("subsection", "string", "the enclosing （一） heading, when the task is an item under it"),
    Column("title", "string", "the task's first sentence"),
    Column("deadline", "string", "完成时限 as printed (2025年底前, 长期坚持 …)"),
    Column("leaders", "list<string>",
           "people named as responsible (牵头负责领导 …); in CSV joined with 、 (never null)"),
    Column("department", "string", "canonical short name; null: the task names no department"),
    Column("as_printed", "string", "the department as printed in the trailer (simplified script)"),
    Column("role", "string", "lead (牵头), responsible (负责), support (参与/配合), guide (指导)"),
    Column("inherited", "bool", "given by a document-wide rule (以下均需…落实，不再列出)"),
    Column("lead_by_rule", "bool", "lead only by position (列第一位者为牵头单位，下同)"),
    Column("known", "bool", "false: a name not in the canonical data, kept as printed"),
    Column("counterpart", "string",
           "for a local body, its national counterpart (省工业和信息化厅 → 工业和信息化部)"),
)

NAMES = tuple(c.name for c in COLUMNS)
FORMATS = ("csv", "jsonl", "parquet")
_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
SEPARATOR = "、"  # between leaders in a CSV cell, as plans print lists of names
# Written into every Parquet file's schema metadata: how a later run knows the file is ours.
PARQUET_KEY = b"dutymatrix.export"

_TASK_COLUMNS = ("task_no", "task", "line", "section", "subsection", "title", "deadline")
_ASSIGNMENT_COLUMNS = ("department", "as_printed", "role", "inherited", "lead_by_rule", "known",
                       "counterpart")


def plan_rows(plan: Plan) -> list[dict[str, Any]]:
    """The export rows of one plan (either kind of records), keys ``NAMES`` in that order.

    Text carries no bidirectional control character (``textsafe.strip_bidi``, as every output
    of dutymatrix): a file name or a workbook's cell cannot make a row show in another order.
    """
    rows: list[dict[str, Any]] = []
    source = plan.source
    path = strip_bidi(source.path)
    for number, document in enumerate(plan.documents, 1):
        where = document.jurisdiction
        head = {"source_path": path, "source_sha256": source.sha256,
                "jurisdiction_level": where.level if where else None,
                "jurisdiction_name": _clean(where.name) if where else None,
                "document": number, "document_title": _clean(document.title),
                "doc_number": _clean(document.doc_number)}
        tasks = task_rows(document)
        if not tasks:
            rows.append({**head, **dict.fromkeys(_TASK_COLUMNS), "leaders": [],
                         **dict.fromkeys(_ASSIGNMENT_COLUMNS)})
        for task_no, task in enumerate(tasks, 1):
            row = {**head, "task_no": task_no, "task": _clean(task.label), "line": task.line,
                   "section": _clean(task.section), "subsection": _clean(task.subsection),
                   "title": _clean(task.title), "deadline": _clean(task.deadline),
                   "leaders": [strip_bidi(name) for name in task.leaders]}
            if not task.assignments:
                rows.append({**row, **dict.fromkeys(_ASSIGNMENT_COLUMNS)})
            for a in task.assignments:
                rows.append({**row, "department": strip_bidi(a.department),
                             "as_printed": strip_bidi(a.as_printed), "role": a.role.value,
                             "inherited": a.inherited, "lead_by_rule": a.lead_by_rule,
                             "known": a.known, "counterpart": _clean(a.counterpart)})
    return rows


def _clean(text: str | None) -> str | None:
    return None if text is None else strip_bidi(text)


def export_rows(path: str | Path) -> list[dict[str, Any]]:
    """The export rows of one file (a plan document, or a workbook written by ``build``).

    Pure and picklable: it reads the file and returns plain dicts (str, int, bool, None and
    lists of str), so any engine can map it over files on other processes or machines.
    Raises ``NoClausesError`` for a file with no numbered clause (a news article, which
    ``dutymatrix export`` skips) and ``MatrixError`` for any other file it cannot read.
    """
    from ..load.sources import load_plan

    return plan_rows(load_plan(Path(path)))


@dataclass(frozen=True)
class Exported:
    """What became of one file in ``dutymatrix export``: its rows, or why it has none."""

    source: str
    status: str  # exported | skipped | failed
    message: str = ""
    rows: list[dict[str, Any]] = field(default_factory=list)

    def line(self) -> str:
        """One line for the user."""
        if self.status == "exported":
            return ngettext("exported {path} ({count} row)", "exported {path} ({count} rows)",
                            len(self.rows)).format(path=self.source, count=len(self.rows))
        if self.status == "skipped":
            return _("skipped {path}: {message}").format(path=self.source, message=self.message)
        return _("Error: {message}").format(message=self.message)


def export_one(source: Path) -> Exported:
    """``export_rows`` for the batch: every failure becomes an ``Exported``, never raised."""
    from ..errors import MatrixError, NoClausesError

    try:
        return Exported(str(source), "exported", rows=export_rows(source))
    except NoClausesError as e:
        return Exported(str(source), "skipped", e.message)
    except MatrixError as e:
        return Exported(str(source), "failed", str(e))
    except OSError as e:
        return Exported(str(source), "failed", _("{path}: {error}").format(
            path=source, error=e.strerror or e))
    except RecursionError:
        return Exported(str(source), "failed",
                        _("{path}: too deeply nested to read (RecursionError)").format(
                            path=source))
    except MemoryError:
        return Exported(str(source), "failed",
                        _("{path}: out of memory reading it").format(path=source))
    except Exception as e:  # a bug or a library's surprise: this file fails, the batch goes on
        return Exported(str(source), "failed",
                        _("{path}: internal error: {kind}: {error}").format(
                            path=source, kind=type(e).__name__, error=e))


def died(job: tuple) -> Exported:
    """What became of a file whose pool worker died (``batch.run_many``)."""
    source = job[0]
    return Exported(str(source), "failed", _(
        "{path}: the worker reading it died (a crash, a signal or out of memory); the other "
        "files are not affected").format(path=source))


def format_for(path: Path) -> str | None:
    """The format a file name asks for (.csv, .jsonl/.ndjson, .parquet), else None."""
    return _SUFFIXES.get(path.suffix.lower())


# ── writers ──────────────────────────────────────────────────────────────────────────────────


def write_rows(batches: Iterable[list[dict[str, Any]]], path: Path, fmt: str) -> int:
    """Write batches of rows to ``path`` (replacing it) as ``fmt``; the number of rows.

    The batches are written as they come, so memory holds one batch (for Parquet, one row
    group), not the archive. Callers
    that must not lose an existing file write to a temporary one (``output.replace_atomically``).
    """
    if fmt == "csv":
        return _write_csv(batches, path)
    if fmt == "jsonl":
        return _write_jsonl(batches, path)
    if fmt == "parquet":
        return _write_parquet(batches, path)
    raise ValueError(_("unknown export format {format!r}; one of {formats}").format(
        format=fmt, formats=", ".join(FORMATS)))


def _csv_cells(guard):
    """A function from a row to its CSV cells: null empty, booleans true/false (DuckDB, pandas
    and Excel read them as booleans), leaders joined with 、, and text that a spreadsheet would
    run as a formula prefixed with ' (``guard``: ``tabular.guard``, as ``filter`` writes CSV)."""
    def cell(value: Any) -> str:
        if value is None:
            return ""
        if value is True or value is False:
            return "true" if value else "false"
        if isinstance(value, str):
            return guard(value)
        if isinstance(value, list):
            return guard(SEPARATOR.join(value))
        return str(value)

    return lambda row: [cell(row[name]) for name in NAMES]


def _write_csv(batches: Iterable[list[dict[str, Any]]], path: Path) -> int:
    from ..filter.formats import guard

    cells = _csv_cells(guard)
    # utf-8-sig: the BOM that makes Excel and WPS read UTF-8 instead of the local code page.
    # Rows end with CRLF (RFC 4180, the csv module's default), as `filter --format csv`.
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(NAMES)
        for batch in batches:
            writer.writerows(map(cells, batch))
            count += len(batch)
    return count


def _write_jsonl(batches: Iterable[list[dict[str, Any]]], path: Path) -> int:
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as stream:
        for batch in batches:
            stream.writelines(json.dumps({name: row[name] for name in NAMES},
                                         ensure_ascii=False) + "\n" for row in batch)
            count += len(batch)
    return count


def arrow_schema():
    """The columns as a pyarrow schema, with the export's mark in its metadata."""
    import pyarrow as pa

    from .. import __version__

    kinds = {"string": pa.string(), "int64": pa.int64(), "bool": pa.bool_(),
             "list<string>": pa.list_(pa.string())}
    required = {"source_path", "source_sha256", "document", "leaders"}
    return pa.schema([pa.field(c.name, kinds[c.type], nullable=c.name not in required)
                      for c in COLUMNS],
                     metadata={PARQUET_KEY: __version__.encode()})


def _pyarrow():
    from ..errors import MatrixOutputError

    try:
        import pyarrow  # noqa: F401
        import pyarrow.parquet
    except ImportError:
        raise MatrixOutputError(
            _("Parquet needs pyarrow: {install}").format(
                install="pip install 'dutymatrix[parquet]'")) from None
    return pyarrow


# Rows per Parquet row group: big enough to compress well, small enough for memory.
_ROW_GROUP = 50_000


def _write_parquet(batches: Iterable[list[dict[str, Any]]], path: Path) -> int:
    # Each file's rows become an Arrow record batch at once (columnar: a fraction of the
    # memory of the dicts); a row group is written every _ROW_GROUP rows.
    pa = _pyarrow()
    schema = arrow_schema()
    count, pending, size = 0, [], 0
    with pa.parquet.ParquetWriter(path, schema, compression="zstd") as writer:
        for batch in batches:
            if batch:
                pending.append(pa.RecordBatch.from_pylist(batch, schema=schema))
                size += len(batch)
            if size >= _ROW_GROUP:
                writer.write_table(pa.Table.from_batches(pending, schema=schema),
                                   row_group_size=size)
                count, pending, size = count + size, [], 0
        if pending or not count:
            writer.write_table(pa.Table.from_batches(pending, schema=schema))
            count += size
    return count


def check_target(output: Path, sources: Iterable[Path], *, force: bool = False) -> None:
    """Raise ``MatrixOutputError`` when writing ``output`` would lose something:
    ``output.check_target``'s refusals (one of the ``sources``, always; a file an office
    application holds open), and, unless ``force``, an existing file that is not an export
    (``is_export``)."""
    from ..errors import MatrixOutputError
    from ..safety.writes import check_target as check_output
    from ..safety.writes import is_stream_link

    check_output(output, sources, force=force, workbook=False)
    if (not force and output.is_file() and not is_stream_link(output)
            and not is_export(output)):
        raise MatrixOutputError(_("{path}: not replaced: it is not a file dutymatrix export "
                                  "wrote (use --force to replace it)").format(path=output))


def is_export(path: Path) -> bool:
    """True when ``path`` is a file ``dutymatrix export`` wrote (so a later export may replace
    it without ``--force``): a CSV starting with the BOM and the first columns, JSON lines whose
    first line is a row, or Parquet with the export's mark in its metadata."""
    try:
        with open(path, "rb") as stream:
            head = stream.read(4096)
    except OSError:
        return False
    if head.startswith(("\ufeff" + ",".join(NAMES[:2]) + ",").encode("utf-8")):
        return True
    if head.startswith(b'{"source_path": '):
        first = head.split(b"\n", 1)[0]
        try:
            row = json.loads(first)
        except (ValueError, RecursionError):
            row = None if b"\n" in head else {}  # a first line longer than 4 KB
        if row is not None and (not row or NAMES[1] in row):
            return True
    if head.startswith(b"PAR1"):
        try:
            import pyarrow.parquet as pq

            metadata = pq.read_schema(path).metadata or {}
        except Exception:  # not readable as Parquet: not ours
            return False
        return PARQUET_KEY in metadata
    return False
