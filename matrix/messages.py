"""Warnings and notes: one place that turns a message's kind and parameters into text.

A warning is recorded as its ``kind`` (a stable English code: ``unknown-department``) and its
parameters (``{"name": "省科技厅"}``); its text in either language is made here, from one table,
never by translating an English sentence after the fact::

    >>> render("unknown-department", {"name": "省科技厅"}, "zh")
    '部门“省科技厅”不在部门名录中，按原文保留'
    >>> render("unknown-department", {"name": "省科技厅"}, "en")
    "department '省科技厅' is not in the canonical data; kept as printed"
    >>> located("numbering", {"old": "（一）", "new": "（三）"}, 5, "zh")
    '第5行：编号从（一）跳到（三）'

English is what the JSON's ``message`` keeps (machines read it); Chinese is what every workbook
shows (and the JSON's ``message_zh``), in the register of an office document. The terminal's
messages are gettext catalogs (``matrix.i18n``); this table is for what is *recorded* with a
plan, so that a workbook says the same whatever the locale of the machine that wrote it.

To add a warning: give it a kind here (English and Chinese, the same ``{placeholders}``; a test
checks), then record it with ``warning(kinds.ParseWarning, kind, line=…, **params)`` (the parser's
``_DocumentBuilder.warn`` does). A warning read back without parameters (a workbook written by an
older version) shows the kind's Chinese title.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from .text.patterns import lazy

_HAN = lazy(r"[\u4e00-\u9fff]")
_WORDS = lazy(r"[A-Za-z]{2,}(?:[ ,;:'’()-]+[A-Za-z]{2,}){2,}")  # an English phrase


class Text(NamedTuple):
    """One message in both languages, and the kind's short Chinese title (for a 类型 column)."""

    en: str
    zh: str
    title: str


# Placeholders are str.format fields; ``!r`` is used in English only (Chinese quotes “…”).
MESSAGES: dict[str, Text] = {
    # -- reading a plan ----------------------------------------------------------------------
    "unknown-department": Text(
        "department {name!r} is not in the canonical data; kept as printed",
        "部门“{name}”不在部门名录中，按原文保留",
        "部门不在名录中"),
    "unknown-department/summary": Text(
        "{count} names not in the canonical data, kept as printed: {names}",
        "{count}个单位名称不在部门名录中，按原文保留：{names}",
        "部门不在名录中"),
    "national-in-local": Text(
        "national body {name!r} named in a local plan; if the local body is meant, write "
        "{local!r} (kept as the national body)",
        "地方文件中出现国家部门“{name}”：如指本级部门，请写作“{local}”（现按国家部门处理）",
        "地方文件中的国家部门"),
    "unbalanced-parenthesis": Text(
        "unbalanced parenthesis {char!r} in {number}",
        "{number}中括号“{char}”不成对",
        "括号不成对"),
    "unread-trailer": Text(
        "could not read {part!r} in the trailer of {number}",
        "{number}的责任分工括注中“{part}”未能识别",
        "括注未能识别"),
    "field-unread": Text(
        "{text!r} in {number} looks like a responsibility field but no department was read "
        "from it: check this line",
        "{number}中“{text}”像是责任分工，但未能从中读出责任单位：请核对此行",
        "疑似分工未读出"),
    "no-department": Text(
        "the trailer of {number} names no department",
        "{number}的责任分工括注未列出责任单位",
        "括注未列单位"),
    "numbering": Text(
        "numbering goes from {old} to {new}",
        "编号从{old}跳到{new}",
        "编号不连续"),
    "no-trailer": Text(
        "{number}{title} has no responsibility trailer",
        "{number}{title}未标明责任单位",
        "未标明责任单位"),
    "no-departments": Text(
        "this document names no responsible departments: its clauses are listed so that an "
        "office can fill the matrix by hand",
        "本文件未列明责任单位：已列出各条款，请手工填写责任单位",
        "全文未列责任单位"),
    # -- reading a scan (OCR) ----------------------------------------------------------------
    "ocr-confidence": Text(
        "the trailer of {label} was read by OCR with confidence {confidence}: check it against "
        "the scan",
        "{label}的责任分工括注由文字识别（OCR）读出，可信度为{confidence}：请对照扫描件核对",
        "识别可信度低"),
    "ocr-department": Text(
        "department {name!r} in {label} is one character from {close!r}: misread by OCR? kept "
        "as printed, not added as a department",
        "{label}中的部门“{name}”与“{close}”只差一个字：是否识别有误？已按原文保留，未作为部门列入",
        "部门名称疑似识别有误"),
    # -- writing a workbook ------------------------------------------------------------------
    "cell-limit/title": Text(
        "the title of {label} has {count:,} characters, more than an Excel cell holds "
        "({limit:,}): cut in the sheet, whole in the hidden records",
        "{label}的标题有{count:,}字，超过Excel单元格上限{limit:,}字：表中截断，隐藏记录保留全文",
        "单元格容量不足"),
    "cell-limit/text": Text(
        "the text of {label} has {count:,} characters, more than an Excel cell holds "
        "({limit:,}): cut in the sheet, whole in the hidden records",
        "{label}的全文有{count:,}字，超过Excel单元格上限{limit:,}字：表中截断，隐藏记录保留全文",
        "单元格容量不足"),
    # -- reading a workbook back -------------------------------------------------------------
    "workbook-records/unreadable": Text(
        "{cell}: the hidden records cannot be read ({error}); inherited marks, deadlines, "
        "scopes and trailers are not restored",
        "{cell}：隐藏的记录无法读取（{error}），统一规定带出的单位、完成时限、适用范围和括注原文未能恢复",
        "隐藏记录无法读取"),
    "workbook-records/missing": Text(
        "{sheet}: no hidden records below the table (not written by this version of "
        "dutymatrix, or the rows were deleted); inherited marks, deadlines, scopes and "
        "trailers are not restored",
        "{sheet}：表格下方没有隐藏的记录（不是本版本dutymatrix生成的，或相应行已被删除），"
        "统一规定带出的单位、完成时限、适用范围和括注原文未能恢复",
        "缺少隐藏记录"),
    "workbook-column/unnamed": Text(
        "{cell}: marks under a column without a department name are ignored",
        "{cell}：该列没有部门名称，列中标记不予读取",
        "列无部门名称"),
    "workbook-column/twice": Text(
        "{cell}: a second column for {name}; the stronger mark of the two counts",
        "{cell}：{name}有两列，按两列中较强的标记计",
        "部门列重复"),
    "workbook-row": Text(
        "{cell}: marks in a row without 编号 or 任务 are ignored",
        "{cell}：该行没有编号和任务，行中标记不予读取",
        "行无编号任务"),
    "workbook-mark": Text(
        "{cell}: mark {mark!r} is not one of ★ ● ○ ◇ 牵头 负责 参与 指导; read as 负责 "
        "(responsible)",
        "{cell}：标记“{mark}”不是★ ● ○ ◇ 牵头 负责 参与 指导之一，按“负责”读取",
        "标记无法识别"),
    # -- comparing two plans (PlanDiff.notes) ------------------------------------------------
    "diff-section-only": Text(
        "{old} old and {new} new tasks were left after the exact passes: similar texts were "
        "looked for within each section only",
        "逐字比对后仍有原版本{old}项、新版本{new}项任务未对应：相近文字只在同一章节内查找",
        "仅在章节内比对"),
}

# The line that stands for the warnings of one kind beyond the first few.
MORE = Text("… and {more} more {kind} warnings", "……另有{more}条“{title}”警告", "")


def _key(kind: str, params: Mapping[str, Any]) -> str:
    """The table entry of a warning: its kind, or ``kind/form`` for a kind with several forms
    (``workbook-records`` is either unreadable or missing; the JSON keeps the one kind)."""
    form = params.get("form") if params else None
    return f"{kind}/{form}" if form else kind


def render(kind: str, params: Mapping[str, Any], lang: str = "zh") -> str:
    """The text of a warning or note of ``kind`` with ``params``, in ``lang`` (``zh``/``en``).

    ``params`` holding ``more`` is the line that counts the warnings of ``kind`` left out.
    Raises ``KeyError`` for a kind not in the table or a parameter missing.
    """
    if params and "more" in params:
        template = MORE.zh if lang == "zh" else MORE.en
        return template.format(more=params["more"], kind=kind, title=title(kind))
    text = MESSAGES[_key(kind, params)]
    return (text.zh if lang == "zh" else text.en).format(**params)


def title(kind: str) -> str:
    """The kind's short Chinese title (部门不在名录中 …), for a workbook's 类型 column; a kind
    not in the table (from a newer version) as it is."""
    text = MESSAGES.get(kind) or next(
        (t for k, t in MESSAGES.items() if k.startswith(kind + "/")), None)
    return text.title if text is not None else kind


def chinese(kind: str, params: Mapping[str, Any], message: str) -> str:
    """The Chinese text of a recorded warning; one recorded without parameters (by an older
    version, or made by hand) shows its kind's title, and its message when that is Chinese."""
    try:
        return render(kind, params, "zh")
    except (KeyError, IndexError, ValueError):
        known = kind in MESSAGES or any(k.startswith(kind + "/") for k in MESSAGES)
        if not known or (message and _HAN.search(message) and not _WORDS.search(message)):
            return message  # a kind this version does not know: its text as recorded
        return title(kind)


def warning(cls: type, kind: str, line: int | None = None, column: int | None = None, *,
            page: int | None = None, **params: Any) -> Any:
    """A ``ParseWarning`` of record class ``cls`` (lean or pydantic): ``message`` is the English
    text, ``params`` what both languages are made from; ``page`` for a paged source (PDF, scan)."""
    where = {"page": page} if page is not None else {}
    return cls.make(line=line, column=column, kind=kind, message=render(kind, params, "en"),
                    params=tuple(params.items()), **where)


def located(kind: str, params: Mapping[str, Any], line: int | None, lang: str = "zh") -> str:
    """``第5行：…`` (``line 5: …``): a warning with its line, as a sentence of its own."""
    body = render(kind, params, lang)
    if line is None:
        return body
    return f"第{line}行：{body}" if lang == "zh" else f"line {line}: {body}"
