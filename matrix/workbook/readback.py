"""Reading a workbook back: :func:`read_workbook` and :func:`read_workbook_contents`.

The file is first checked by ``untrusted`` (:func:`~matrix.workbook.untrusted.check_package`);
the hidden records written by ``hidden`` say what the cells cannot.

:func:`read_workbook` turns a workbook written by :func:`write_workbook` back into a ``Plan``,
with whatever a person changed in Excel or WPS since (a mark added, removed or changed, a row
deleted, inserted, sorted or renumbered, a title edited).

* **The 矩阵 sheet is the truth** for tasks and assignments. Each row with a 编号 or 任务 is a
  task; each marked department column an assignment (the column header is the department).
  ★ ● ○ ◇ and the role words (牵头 负责 参与 配合 指导 …, :data:`MARK_WORDS`) are read as
  their role; any other mark (√, x, 1) as 负责 with a warning naming the cell. A header the
  workbook did not have (a column a person added) goes through the department registry.
* **What cells cannot say travels in hidden records.** Below the 合计 row, in hidden rows of a
  hidden column after 任务全文, the writer leaves JSON (:func:`records_json`): the source, the
  documents (title, 文号, rules, warnings) and per task its 序号, fingerprints of its 编号,
  title and text, section and subsection, line, deadline, scope, trailer and every assignment
  with its flags. They sit outside the autofilter range, so that sorting and deleting task rows
  never moves them, and each row finds its own record by 序号 and fingerprint
  (:func:`_match_records`), never by position.
* **Inherited marks**: a mark still showing the role it was written with gets back every
  assignment it stood for (``inherited``, ``lead_by_rule``, the printed name); a mark a person
  changed is a plain assignment (no longer inherited). Fonts are not read: a grey italic cell
  someone typed a new mark into is still grey and italic, but no longer inherited.
* **Deadlines** are edited in 分工表 (完成时限), so that is where they are read, by 序号, 编号 and
  title — but only once the file has been saved by another program: the writer signs the zip
  with the CRC-32 of the 分工表 part (:func:`sign`), and while the signature holds the records
  say the same and the sheet is not parsed. Everything else in 分工表, 部门统计 and 说明 is a
  view and not read (说明 only for the source of a workbook without records).
* ``plan.source`` is the workbook (``format="xlsx"``, SHA-256 of its bytes), so that a filter
  over workbooks names the file the user gave; the plan file it was built from is
  :attr:`WorkbookContents.origin` (:func:`read_workbook_contents`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress
from pathlib import Path
from typing import Any

from . import book as _book  # noqa: F401  first: openpyxl with numpy hidden (book)
from openpyxl.utils import get_column_letter

from ..parse.deadline import document_year, tasks_with_deadlines
from ..errors import MatrixError, MatrixInputError
from ..i18n import _
from ..records import ROLE_RANK, Assignment, Document, ParseWarning, Plan, Role, Source, Task
from .book import MARKS, clean_text
from .hidden import RECORDS_MAGIC, fingerprint
from .hidden import DocumentRecord as _DocumentRecord, HiddenRecords as _Records
from .hidden import TaskRecord as _TaskRecord, made as _made, parse_records as _parse_records
from .plan import FORMAT_LABELS, SHEET_NAMES
from .untrusted import Package, check_package
from .values import SheetValues as _Values, cell_int as _int, cell_text as _text

_FORMAT_CODES = {label: code for code, label in FORMAT_LABELS.items()}  # 说明's 格式, read back

_MATRIX_SHEET, _LIST_SHEET, _NOTES_SHEET = SHEET_NAMES[0], SHEET_NAMES[1], SHEET_NAMES[3]
_LEAD_HEADS = ("序号", "文件", "章节", "编号", "任务", "合计", "任务全文")
_HEADER_SEARCH = 50  # rows searched for the header row

# What a person may type in a department cell. Anything else non-empty is read as 负责, with a
# warning naming the cell.
MARK_WORDS = {
    **{mark: role for role, mark in MARKS.items()},
    "牵头": Role.lead, "牵头单位": Role.lead, "牽頭": Role.lead,
    "负责": Role.responsible, "责任": Role.responsible, "负责单位": Role.responsible,
    "责任单位": Role.responsible, "負責": Role.responsible, "責任": Role.responsible,
    "参与": Role.support, "配合": Role.support, "协助": Role.support, "参与单位": Role.support,
    "配合单位": Role.support, "參與": Role.support, "協助": Role.support,
    "指导": Role.guide, "指导单位": Role.guide, "指導": Role.guide,
}


# What a person types in a department cell to say "no": read as no assignment.
NO_MARKS = frozenset({"无", "没有", "否", "不", "—", "——", "－", "-", "–", "−", "×", "✗", "✘",
                      "╳", "/", "／", "\\", "N", "n", "No", "NO", "no"})


@dataclass(frozen=True)
class WorkbookContents:
    """Everything :func:`read_workbook_contents` found in a workbook.

    ``plan.source`` is the workbook itself (``format="xlsx"``, the SHA-256 of its bytes), so
    that a task read from it names the file the user gave; ``origin`` is the plan file the
    workbook was built from, as the workbook records it (``None`` when it does not say).
    ``records`` tells whether the hidden records were found: without them inherited marks,
    deadlines, scopes, trailers and source lines cannot be restored (the plan's warnings say so).
    """

    plan: Plan
    origin: Source | None
    generated_at: str | None
    tool_version: str | None
    records: bool


def read_workbook(path: str | os.PathLike[str]) -> Plan:
    """Read a workbook written by :func:`write_workbook` — edits included — back into a ``Plan``.

    The 矩阵 sheet is the truth: one task per row (编号 → number and part, 章节 → section and
    subsection, 任务 → title, the hidden 任务全文 → text) and one assignment per marked
    department column. ★ ● ○ ◇ and the words 牵头 负责 参与 配合 指导 are read as their role;
    any other mark as 负责, with a warning naming the cell. What the cells cannot say comes
    from the records :func:`write_workbook` hides below the table: a mark still showing the
    role it was written with gets back its original assignments (``inherited``,
    ``lead_by_rule``, the printed name); a changed or new mark is a plain assignment. Deadlines
    come from 分工表's 完成时限 once a spreadsheet program has saved the file, else from the
    records. See the module docstring, "Reading a workbook".

    The file is untrusted: it is refused with :class:`~matrix.errors.MatrixInputError` when it
    is not an .xlsx, exceeds :data:`MAX_UNCOMPRESSED`, :data:`MAX_ENTRIES` or
    :data:`MAX_RATIO` (checked before any XML is parsed), or has no 矩阵 sheet with a
    序号/编号/任务 header row. Every other failure is a ``MatrixInputError`` naming the file.

    Example::

        plan = read_workbook("output/001_5afa0209a0ae242f.xlsx")
    """
    return read_workbook_contents(path).plan


def read_workbook_contents(path: str | os.PathLike[str]) -> WorkbookContents:
    """:func:`read_workbook`, plus the original source and when and by what it was written."""
    path = Path(path)
    reader = _WorkbookReader(path, check_package(path))
    try:
        return reader.read()
    except (MatrixError, KeyboardInterrupt, SystemExit):
        raise
    # Never a traceback: damaged XML, odd values, a reader's own error. BaseException, because
    # a Rust panic inside calamine arrives as pyo3's PanicException, which derives from it.
    except BaseException as e:
        detail = str(e) or type(e).__name__
        raise MatrixInputError(_("{path}: cannot read the workbook{where}: {detail}").format(
            path=path, where=reader.where, detail=detail)) from e


def _split_label(label: str) -> tuple[str, int]:
    """（十）#2 → ("（十）", 2); anything without a trailing #N is part 1."""
    number, sep, part = label.strip().rpartition("#")
    if sep and part.isdigit() and number and len(part) < 6:
        return number, int(part)
    return label.strip(), 1


def _cell_ref(row: int, column: int) -> str:
    """0-based row and column → A1."""
    return f"{get_column_letter(column + 1)}{row + 1}"


# -- 矩阵 rows


@dataclass
class _MatrixRow:
    index: int  # 0-based row in the sheet
    seq: int | None
    document: str | None  # the 文件 cell
    section: str
    label: str
    title: str
    text: str | None  # None when the sheet has no 任务全文 column or the cell is empty
    marks: dict[str, Role]
    record: _TaskRecord | None = None

    def key(self) -> tuple[str, str, str]:
        """(label, title digest, text digest): how a row is recognised among the records."""
        return self.label, fingerprint(self.title), fingerprint(self.text or "")


def _match_records(rows: list[_MatrixRow], records: list[_TaskRecord]) -> None:
    """Give each row the record written for it, if any, in three passes.

    A row keeps its record when its 序号, 编号, title and text are unchanged; then a row whose
    序号 changed (rows renumbered after a deletion) finds it by 编号, title and text; last, a
    row with its old 序号 and two of the three unchanged (the title or text was edited). Sorting
    and deleting rows never pairs a row with another task's record.
    """
    by_seq = {r.seq: r for r in records}
    by_key: dict[tuple[str, str, str], list[_TaskRecord]] = {}
    for r in records:
        by_key.setdefault((r.label, r.title, r.text), []).append(r)
    used: set[int] = set()

    def take(row: _MatrixRow, record: _TaskRecord | None) -> bool:
        if record is None or id(record) in used:
            return False
        row.record = record
        used.add(id(record))
        return True

    keys = {id(row): row.key() for row in rows}
    for row in rows:
        record = by_seq.get(row.seq)
        if record is not None and (record.label, record.title, record.text) == keys[id(row)]:
            take(row, record)
    for row in rows:
        if row.record is None:
            for record in by_key.get(keys[id(row)], ()):
                if take(row, record):
                    break
    for row in rows:
        if row.record is None:
            record = by_seq.get(row.seq)
            if record is not None:
                same = sum(a == b for a, b in zip((record.label, record.title, record.text),
                                                  keys[id(row)]))
                if same >= 2:
                    take(row, record)


def _shown(assignments: Sequence[Assignment]) -> dict[str, Role]:
    """Department → the role its mark shows: its strongest (as pivot and Task.roles() rank)."""
    out: dict[str, Role] = {}
    for a in assignments:
        old = out.get(a.department)
        if old is None or ROLE_RANK[a.role] < ROLE_RANK[old]:
            out[a.department] = a.role
    return out


def _assignments(marks: dict[str, Role], record: _TaskRecord | None,
                 known: Callable[[str], tuple[str, bool]]) -> tuple[Assignment, ...]:
    """The row's assignments: unchanged marks get their records back, others are new.

    A department whose mark still shows the role the matrix was written with keeps every
    recorded assignment (flags and printed name included, in their order); a changed mark
    becomes one plain assignment where the department first stood; a removed mark drops the
    department; marks on departments the record does not name come last, in column order.
    """
    if record is None:
        shown: dict[str, Role] = {}
        out: list[Assignment] = []
    else:
        shown = _shown(record.assignments)
        if shown == marks:  # the row as written: the common case
            return record.assignments
        out = []
        changed: set[str] = set()
        for a in record.assignments:
            role = marks.get(a.department)
            if role is None:
                continue  # the mark was removed
            if role is shown[a.department]:
                out.append(a)
            elif a.department not in changed:
                changed.add(a.department)
                out.append(_made(Assignment, department=a.department, as_printed=a.department,
                                      role=role, known=a.known))
    for department, role in marks.items():
        if department not in shown:
            name, is_known = known(department)
            out.append(_made(Assignment, department=name, as_printed=department, role=role,
                                  known=is_known))
    return tuple(out)


class _WorkbookReader:
    """One read of one workbook (internal); ``where`` says what is being read, for errors."""

    def __init__(self, path: Path, package: Package) -> None:
        self.path = path
        self.package = package
        self.where = ""
        self.notes: list[tuple[int | None, ParseWarning]] = []  # (document index, warning)

    def warn(self, document: int | None, kind: str, row: int | None = None,
             column: int | None = None, **params: Any) -> None:
        """A warning for the plan, on ``document`` (the first one when None); its text in both
        languages comes from ``matrix.messages``."""
        from ..messages import warning

        self.notes.append((document, warning(
            ParseWarning, kind, None if row is None else row + 1,
            None if column is None else column + 1, **params)))

    def read(self) -> WorkbookContents:
        """Read the workbook (see :func:`read_workbook`)."""
        digest = hashlib.sha256()
        with open(self.path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        values = _Values(self.path)
        try:
            return self._read(values, digest.hexdigest())
        finally:
            values.close()

    def _read(self, values: _Values, sha256: str) -> WorkbookContents:
        path = self.path
        if _MATRIX_SHEET not in values.sheet_names:
            raise MatrixInputError(_(
                "{path}: not a workbook written by dutymatrix: it has no {sheet} sheet (sheets: "
                "{sheets})").format(path=path, sheet=_MATRIX_SHEET,
                                    sheets="、".join(values.sheet_names) or _("none")))
        self.where = _(" (sheet {sheet})").format(sheet=_MATRIX_SHEET)
        grid = values.rows(_MATRIX_SHEET)
        head = _find_header(grid, ("序号", "编号", "任务"))
        if head is None:
            raise MatrixInputError(_(
                "{path}: not a workbook dutymatrix can read: sheet {sheet} has no header row "
                "with 序号, 编号 and 任务").format(path=path, sheet=_MATRIX_SHEET))
        columns = _header_columns(grid[head])
        records = self._records(grid, head, columns)
        departments = self._department_columns(grid, head, columns)
        rows = self._rows(grid, head, columns, departments)
        if records is not None:
            _match_records(rows, records.tasks)
        deadlines = None
        # 完成时限 is edited in 分工表; while the zip's signature holds (see sign) the sheet is
        # as written and the records say the same, so it is not parsed (it costs as much as 矩阵).
        if not self.package.signed and _LIST_SHEET in values.sheet_names:
            self.where = _(" (sheet {sheet})").format(sheet=_LIST_SHEET)
            deadlines = _deadlines(values.rows(_LIST_SHEET))
        self.where = _(" (sheet {sheet})").format(sheet=_MATRIX_SHEET)
        documents = self._documents(rows, records, deadlines)
        origin = generated = tool = None
        if records is not None:
            origin, generated, tool = records.origin, records.generated_at, records.tool
        elif _NOTES_SHEET in values.sheet_names:
            self.where = _(" (sheet {sheet})").format(sheet=_NOTES_SHEET)
            origin, generated, tool = _notes(values.rows(_NOTES_SHEET))
        plan = _made(Plan, source=_made(Source, path=str(path), sha256=sha256, format="xlsx"),
                    documents=documents)
        return WorkbookContents(plan, origin, generated, tool, records is not None)

    def _records(self, grid: list[list[Any]], head: int,
                 columns: dict[str, int]) -> _Records | None:
        width = len(grid[head])
        candidates = [width - 1]
        if "任务全文" in columns and columns["任务全文"] + 1 < width:
            candidates.insert(0, columns["任务全文"] + 1)
        for column in dict.fromkeys(candidates):
            for r in range(head + 1, len(grid)):
                first = grid[r][column]
                if isinstance(first, str) and first.startswith(RECORDS_MAGIC):
                    parts = [first]
                    for row in grid[r + 1:]:
                        value = row[column]
                        if not isinstance(value, str) or not value:
                            break
                        parts.append(value)
                    try:
                        return _parse_records("".join(parts))
                    except Exception as e:  # untrusted: any shape at all
                        self.warn(None, "workbook-records", form="unreadable",
                                  cell=f"{_MATRIX_SHEET}!{_cell_ref(r, column)}",
                                  error=type(e).__name__)
                        return None
        self.warn(None, "workbook-records", form="missing", sheet=_MATRIX_SHEET)
        return None

    def _department_columns(self, grid: list[list[Any]], head: int,
                            columns: dict[str, int]) -> dict[int, str]:
        """Column → department name, from the header cells between 任务 and 合计."""
        header = grid[head]
        start = columns["任务"] + 1
        ends = [c for c in (columns.get("合计"), columns.get("任务全文"))
                if c is not None and c >= start]
        end = min(ends) if ends else len(header)
        out: dict[int, str] = {}
        seen: set[str] = set()
        for c in range(start, end):
            name = _text(header[c])  # as written: the records name it so
            if name.strip() in _LEAD_HEADS:
                continue
            if not name.strip():
                if any(_text(row[c]).strip() for row in grid[head + 1:]):
                    self.warn(None, "workbook-column", head, c, form="unnamed",
                              cell=f"{_MATRIX_SHEET}!{_cell_ref(head, c)}")
                continue
            if name in seen:
                self.warn(None, "workbook-column", head, c, form="twice",
                          cell=f"{_MATRIX_SHEET}!{_cell_ref(head, c)}", name=name)
            seen.add(name)
            out[c] = name
        return out

    def _rows(self, grid: list[list[Any]], head: int, columns: dict[str, int],
              departments: dict[int, str]) -> list[_MatrixRow]:
        c_seq, c_label, c_title = columns["序号"], columns["编号"], columns["任务"]
        c_doc, c_section, c_text = (columns.get(k) for k in ("文件", "章节", "任务全文"))
        first = min(departments, default=0)
        last = max(departments, default=-1) + 1
        rows = []
        for r in range(head + 1, len(grid)):
            cells = grid[r]
            seq = cells[c_seq]
            if seq == "合计":
                continue
            label, title = _text(cells[c_label]), _text(cells[c_title])
            text = _text(cells[c_text]) if c_text is not None else ""
            marks: dict[str, Role] = {}
            # Most of a row is empty: compress() finds the marked cells in C, not bytecode
            # (a 10,000 × 200 matrix has two million cells). 0 and "" are both no mark.
            for c in compress(range(first, last), cells[first:last]):
                department = departments.get(c)
                if department is None:
                    continue
                raw = cells[c]
                role = MARK_WORDS.get(raw) if isinstance(raw, str) else None
                if role is None:
                    role = self._mark(raw, r, c)
                    if role is None:
                        continue
                old = marks.get(department)
                if old is None or ROLE_RANK[role] < ROLE_RANK[old]:
                    marks[department] = role
            if not (label.strip() or title.strip() or text.strip()):
                if _text(seq).strip() == "合计":
                    continue
                if marks:
                    self.warn(None, "workbook-row", r, 0,
                              cell=f"{_MATRIX_SHEET}!{_cell_ref(r, 0)}")
                continue
            rows.append(_MatrixRow(
                index=r, seq=_int(seq),
                document=_text(cells[c_doc]).strip() if c_doc is not None else None,
                section=_text(cells[c_section]) if c_section is not None else "",
                label=label.strip(), title=title, text=text or None, marks=marks))
        return rows

    def _mark(self, raw: Any, r: int, c: int) -> Role | None:
        text = _text(raw).strip()
        if not text or text in NO_MARKS:  # 无, —, ×, 否, /: a person wrote "not this one"
            return None
        role = MARK_WORDS.get(text)
        if role is None:
            role = Role.responsible
            self.warn(None, "workbook-mark", r, c, cell=f"{_MATRIX_SHEET}!{_cell_ref(r, c)}",
                      mark=text)
        return role

    def _documents(self, rows: list[_MatrixRow], records: _Records | None,
                   deadlines: dict[Any, str | None] | None) -> tuple[Document, ...]:
        documents = list(records.documents) if records is not None else []
        by_label: dict[str, int] = {}
        for i, d in enumerate(documents):
            by_label.setdefault(d.label, i)
        tasks: list[list[Task]] = [[] for _ in documents]
        known_names: dict[str, bool] = {}
        if records is not None:
            for record in records.tasks:
                for a in record.assignments:
                    known_names.setdefault(a.department, a.known)

        def known(name: str) -> tuple[str, bool]:
            if name in known_names:
                return name, known_names[name]
            from ..departments import canonical  # only for a column the records do not name

            department = canonical(name)
            return department.name, department.known

        def document_of(row: _MatrixRow) -> int:
            record = row.record
            if row.document:  # a 文件 column: what it says counts
                if record is not None and 0 <= record.document < len(documents) and \
                        documents[record.document].label == row.document:
                    return record.document
                if row.document in by_label:
                    return by_label[row.document]
                documents.append(_DocumentRecord(row.document or None, None, 1, row.document,
                                                 (), []))
                tasks.append([])
                by_label[row.document] = len(documents) - 1
                return len(documents) - 1
            if record is not None and 0 <= record.document < len(documents):
                return record.document
            if not documents:
                documents.append(_DocumentRecord(None, None, 1, "", (), []))
                tasks.append([])
            return 0

        for row in rows:
            index = document_of(row)
            self.where = _(" (sheet {sheet}, row {row})").format(sheet=_MATRIX_SHEET,
                                                                    row=row.index + 1)
            tasks[index].append(self._task(row, deadlines, known))
        if not documents and self.notes:
            documents.append(_DocumentRecord(None, None, 1, "", (), []))
            tasks.append([])
        for index, warning in self.notes:
            documents[index or 0].warnings.append(warning)
        # The commitments of each task's text are read again from the text, in its plan's year.
        return tuple(_made(Document, title=d.title, doc_number=d.doc_number, line=d.line,
                           tasks=tasks_with_deadlines(tuple(t), document_year(d.doc_number, d.title)),
                           rules=d.rules, warnings=tuple(d.warnings),
                              jurisdiction=d.jurisdiction)
                     for d, t in zip(documents, tasks))

    def _task(self, row: _MatrixRow, deadlines: dict[Any, str | None] | None,
              known: Callable[[str], tuple[str, bool]]) -> Task:
        record = row.record
        number, part = _split_label(row.label)
        section, subsection = _sections(row.section, record)
        deadline = record.deadline if record is not None else None
        if deadlines is not None:
            key = (row.seq, row.label, row.title)
            if key in deadlines:
                deadline = deadlines[key]
            elif deadlines.get((row.label, row.title), _AMBIGUOUS) is not _AMBIGUOUS:
                deadline = deadlines[(row.label, row.title)]
        text = row.text
        if text is None:
            text = "" if record is not None else row.title
        title = row.title
        if record is not None:  # a cell cut at Excel's limit and left as written: the whole
            if record.full_text and fingerprint(text) == record.text:
                text = record.full_text
            if record.full_title and fingerprint(title) == record.title:
                title = record.full_title
        return _made(Task, number=number, part=part, section=section, subsection=subsection,
                    title=title, text=text,
                    trailer=record.trailer if record is not None else None,
                    line=record.line if record is not None else row.index + 1,
                    assignments=_assignments(row.marks, record, known), deadline=deadline,
                    scope=record.scope if record is not None else None,
                    leaders=record.leaders if record is not None else ())


_AMBIGUOUS = object()


def _sections(cell: str, record: _TaskRecord | None) -> tuple[str | None, str | None]:
    """章节 → (section, subsection): the recorded pair while the cell still shows it."""
    if record is not None:
        shown = "\n".join(p for p in (record.section, record.subsection) if p)
        if clean_text(shown) == cell:
            return record.section, record.subsection
    first, _, rest = cell.strip().partition("\n")
    return first.strip() or None, rest.strip() or None


def _find_header(grid: list[list[Any]], required: Sequence[str]) -> int | None:
    for r, row in enumerate(grid[:_HEADER_SEARCH]):
        found = {_text(v).strip() for v in row}
        if all(h in found for h in required):
            return r
    return None


def _header_columns(header: list[Any]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for c, value in enumerate(header):
        name = _text(value).strip()
        if name in _LEAD_HEADS:
            columns.setdefault(name, c)
    return columns


def _deadlines(grid: list[list[Any]]) -> dict[Any, str | None] | None:
    """分工表's 完成时限 by (序号, 编号, 重点任务), and by (编号, 重点任务) when that is unique."""
    head = _find_header(grid, ("序号", "编号", "重点任务", "完成时限"))
    if head is None:
        return None
    columns = {}
    for c, value in enumerate(grid[head]):
        columns.setdefault(_text(value).strip(), c)
    c_seq, c_label, c_title, c_deadline = (columns[k] for k in ("序号", "编号", "重点任务",
                                                                 "完成时限"))
    out: dict[Any, Any] = {}
    for row in grid[head + 1:]:
        label, title = _text(row[c_label]).strip(), _text(row[c_title])
        if not (label or title):
            continue
        deadline = _text(row[c_deadline]) or None
        out[(_int(row[c_seq]), label, title)] = deadline
        pair = (label, title)
        out[pair] = _AMBIGUOUS if pair in out and out[pair] != deadline else deadline
    return out


def _notes(grid: list[list[Any]]) -> tuple[Source | None, str | None, str | None]:
    """Source, generation time and tool from 说明, for a workbook without hidden records."""
    pairs: dict[str, str] = {}
    for row in grid:
        if len(row) >= 2:
            pairs.setdefault(_text(row[0]).strip(), _text(row[1]))
    origin = None
    if pairs.get("源文件"):
        fmt = pairs.get("格式", "") or "text"
        fmt, _, encoding = fmt.partition("（编码 ")
        fmt = _FORMAT_CODES.get(fmt.strip(), fmt)  # 纯文本 → text (older workbooks: text)
        origin = _made(Source, path=pairs["源文件"], sha256=pairs.get("SHA-256", ""),
                        format=fmt.strip() or "text", encoding=encoding.rstrip("）") or None)
    tool = pairs.get("工具版本", "").removeprefix("dutymatrix ").strip() or None
    return origin, pairs.get("生成时间") or None, tool
