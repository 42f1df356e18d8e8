"""The ``diff`` command: two versions of a plan compared (terminal summary, JSON or a
workbook), thin over ``matrix.diff``. Exit 0 when nothing changed, 1 when something did, 2 when
the comparison itself failed (``DiffTrouble``).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from ..i18n import _
from .clicktext import TranslatedCommand as _Command
from .common import DEFAULT_OUTPUT, LocalPath as _Path
from .common import force_option, record_path_option
from .common import show_reading_warnings as _show_reading_warnings
from .common import stem as _stem, write_text as _write_text

if TYPE_CHECKING:
    from pathlib import Path


class DiffTrouble(click.ClickException):
    """An error in `diff`: exit 2, as diff(1) does, so that 1 keeps meaning "differences"."""

    exit_code = 2


@click.command(name="diff", cls=_Command)
@click.argument("old", type=_Path(exists=True, dir_okay=False, allow_dash=True))
@click.argument("new", type=_Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json", "xlsx"]), default=None,
              help="table: a summary (default); json: every change; xlsx: a workbook of the "
                   "changes (default when -o ends in .xlsx).")
@click.option("-o", "--output", type=_Path(allow_dash=True),
              help="Write to this file (- for standard output).")
@click.option("-d", "--dept", help="Only what changed for this department (any alias).")
@click.option("--match", "pairs", multiple=True, metavar="OLD=NEW",
              help="Match these two tasks whatever the automatic matching says (repeatable), "
                   "e.g. --match （三）=（五） or 二、/（三）=三、/（一）.")
@click.option("--matches", "match_files", multiple=True,
              type=_Path(exists=True, dir_okay=False),
              help="A file of OLD=NEW lines decided by a person.")
@click.option("--all-renumbered", is_flag=True, help="List every renumbered task in the summary.")
@force_option(help="Replace an existing workbook even if it was edited or is open elsewhere.")
@record_path_option
def diff_command(old: Path, new: Path, fmt: str | None, output: Path | None, dept: str | None,
                 pairs: tuple[str, ...], match_files: tuple[Path, ...],
                 all_renumbered: bool, force: bool,
                 record_path: bool) -> None:
    """Compare two versions of a plan: tasks added, removed, reworded, renumbered, moved,
    split or merged, and which departments gained or lost which task.

    OLD and NEW are plan documents or workbooks written by `dutymatrix build`, in any
    combination and either script. Exit status as diff(1): 0 no differences, 1 differences,
    2 trouble.

    Example:

        dutymatrix diff old.txt new.txt

        dutymatrix diff old.xlsx new.docx -o output/diff.xlsx

        dutymatrix diff old.txt new.txt --dept 财政部 --format json
    """
    from ..errors import MatrixError

    try:
        plans, result = _compare(old, new, pairs, match_files, dept)
    except MatrixError as e:
        raise DiffTrouble(str(e)) from None
    if fmt is None:
        fmt = "xlsx" if output is not None and output.suffix.lower() == ".xlsx" else (
            "json" if output is not None and str(output) != "-" else "table")
    if output is not None and str(output) == "-" and fmt != "xlsx":
        output = None  # -o -: standard output
    try:
        _write(result, plans, old, new, fmt, output, force=force, record_path=record_path,
               all_renumbered=all_renumbered)
    except MatrixError as e:
        raise DiffTrouble(str(e)) from None
    except OSError as e:
        raise DiffTrouble(_("{path}: {error}").format(path=output, error=e.strerror or e)) from None
    sys.exit(0 if result.is_empty() else 1)


def _compare(old: Path, new: Path, pairs: tuple[str, ...], match_files: tuple[Path, ...],
             dept: str | None):
    """The two plans read (their reading warnings shown) and compared, filtered to ``dept``."""
    from ..diff import diff_plans, filter_diff, read_matches
    from ..load.sources import load_plan

    matches = read_matches(pairs, match_files)
    plans = [load_plan(path) for path in (old, new)]
    for plan, path in zip(plans, (old, new)):
        _show_reading_warnings(plan, path)
    result = diff_plans(plans[0], plans[1], matches=matches or None)
    return plans, filter_diff(result, dept) if dept else result


def _write(result, plans, old: Path, new: Path, fmt: str, output: Path | None, *, force: bool,
           record_path: bool, all_renumbered: bool) -> None:
    """The comparison as ``fmt`` to ``output`` (None: the terminal, or output/ for a workbook)."""
    from ..safety.writes import check_target, make_folder, safe_file_name

    if output is not None:
        check_target(output, (old, new), force=force, workbook=fmt == "xlsx")
    if fmt == "table":
        from ..diff import render_summary

        if output is None:
            render_summary(result, all_renumbered=all_renumbered)
            return
        from io import StringIO

        from rich.console import Console

        buffer = StringIO()
        render_summary(result, Console(file=buffer, width=120, no_color=True),
                       all_renumbered=all_renumbered)
        _write_text(buffer.getvalue(), output)
    elif fmt == "json":
        from ..export.downloads import diff_json

        text = diff_json(result)
        if output is None:
            click.echo(text, nl=False)
        else:
            _write_text(text, output)
    else:
        from pathlib import Path

        from ..workbook import write_diff_workbook

        target = output or Path(DEFAULT_OUTPUT) / safe_file_name(
            f"diff_{_stem(old)}_{_stem(new)}", ".xlsx")
        if output is None:
            check_target(target, (old, new), force=force)
        if str(target) != "-":
            make_folder(target.parent)
        write_diff_workbook(result, plans[0], plans[1], target, record_path=record_path)
        click.echo(_("wrote {path}").format(path=target), err=True)
