"""What the command families share: the repeated options as decorators (``force_option``,
``record_path_option``, ``jurisdiction_option``), loading the plans a command names
(``load_plans``, with the warnings of what was read with doubt) and the one output helper
(``emit``: text to stdout or, atomically, to a file). Nothing here imports a command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ..i18n import _
from .clicktext import LocalPath  # noqa: F401 (the commands' path type)

if TYPE_CHECKING:
    from pathlib import Path

DEFAULT_OUTPUT = "output"  # folder, relative to where the command runs

# The options several commands take, declared once.
record_path_option = click.option(
    "--record-path", is_flag=True, help="Record the source file's full path in the workbook (by "
    "default only its name and SHA-256: a workbook is sent out).")


def force_option(help: str):
    """``--force``: replace what the command would otherwise refuse to; ``help`` says what."""
    return click.option("--force", is_flag=True, help=help)


def jurisdiction_option(help: str):
    """``--jurisdiction``, checked when it is parsed (a bad value is a usage error, exit 2)."""
    return click.option("--jurisdiction", callback=lambda ctx, param, value:
                        check_jurisdiction(value), help=help)


def fail(error: Exception) -> click.ClickException:
    return click.ClickException(str(error))


def check_jurisdiction(value: str | None) -> str | None:
    """--jurisdiction: checked here, so that a bad value is a usage error (exit code 2)."""
    if value is None:
        return None
    from ..parse.jurisdiction import parse_jurisdiction

    try:
        parse_jurisdiction(value)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--jurisdiction") from None
    return value


def load_plans(files: list[Path], named: set[Path] | None = None):
    """Every file as a Plan; the first error stops (it names the file).

    A workbook found in a folder (not in ``named``, the files the user gave) that is one of
    dutymatrix's other kinds (a task list, an index, a diff) is skipped with one line.
    """
    from ..errors import MatrixError
    from ..load.sources import is_workbook, load_plan, workbook_kind

    plans = []
    for path in files:
        if named is not None and path not in named and is_workbook(path):
            kind = workbook_kind(path)
            if kind not in (None, "plan"):
                click.echo(_("skipped {path}: {kind}, not a plan workbook").format(
                    path=path, kind=_(kind)), err=True)
                continue
        try:
            plans.append(load_plan(path))
        except MatrixError as e:
            raise fail(e) from None
        show_reading_warnings(plans[-1], path)
    return plans


def show_reading_warnings(plan, path: Path) -> None:
    """What reading a workbook noticed (a mark read as 负责, a column not understood), on
    stderr: the user edited that workbook and should know how the edit was read."""
    from ..i18n import current
    from ..load.sources import is_workbook
    from ..text.safe import for_terminal

    if str(path) == "-" or not is_workbook(path):
        return
    for document in plan.documents:
        for warning in document.warnings:
            if warning.kind.startswith("workbook-"):
                text = warning.message_zh if current() == "zh" else warning.message
                click.echo(for_terminal(_("warning: {path}: {message}").format(
                    path=path, message=text)), err=True)


def emit(text: str, output: Path | None, inputs=(), force: bool = False) -> None:
    """Text to stdout, or atomically to ``output``; CSV/JSON carry UTF-8."""
    if output is None or str(output) == "-":
        click.echo(text, nl=not text.endswith("\n"))
        return
    from ..errors import MatrixError
    from ..safety.writes import check_target, write_atomic

    try:
        check_target(output, inputs, force=force, workbook=False)
        write_atomic(output, text.encode("utf-8"))
    except MatrixError as e:
        raise fail(e) from None


def stem(path: Path) -> str:
    return "stdin" if str(path) == "-" else path.stem


def write_text(text: str, output: Path) -> None:
    from ..safety.writes import write_atomic

    write_atomic(output, text.encode("utf-8"))
