"""The commands of a 下发 round: ``dispatch`` (one return form per department), ``collect``
(the returns gathered into a 汇总) and ``remind`` (the 催办通知 and the 督查通报 that follow),
thin over ``matrix.round``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from ..i18n import _, ngettext
from .clicktext import TranslatedCommand as _Command
from .common import LocalPath as _Path, fail as _fail
from .common import force_option
from .common import load_plans as _load_plans

if TYPE_CHECKING:
    from pathlib import Path

warn_days_option = click.option(
    "--warn-days", type=click.IntRange(0, 366), default=7, show_default=True,
    help="A task not done and due within this many days is 临期 (yellow).")


@click.command(name="dispatch", cls=_Command)
@click.argument("plan", type=_Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=_Path(), required=True, help="Folder for the forms.")
@click.option("--round", "round_", metavar="NAME", help="The round, e.g. 2026年第四季度.")
@click.option("--due", metavar="DATE", help="When returns are due, e.g. 2026-12-20.")
@force_option(help="Replace forms even if they were edited since dutymatrix wrote them.")
def dispatch_command(plan: Path, output: Path, round_: str | None, due: str | None,
                     force: bool) -> None:
    """下发: one return form per department of PLAN, and an index, into -o DIR.

    Each form lists the department's tasks (locked) and the columns it fills in: 完成状态
    (a drop-down), 进展情况, 存在问题, 下步计划, and 报送单位, 联系人, 电话, 报送日期. A hidden
    stamp (plan, department, round, tasks) lets `collect` recognise a return whatever its
    file is called. The forms are the lists of `filter --split-by-dept`, with return columns.

    Example:

        dutymatrix dispatch seeds/001_5afa0209a0ae242f.txt -o output/下发/ --round 2026年第四季度 --due 2026-12-20
    """
    from ..round.dispatch import dispatch
    from ..errors import MatrixError

    (loaded,) = _load_plans([plan])
    try:
        result = dispatch(loaded, output, round=round_, due=due, inputs=[plan], force=force,
                          report=lambda message: click.echo(
                              _("Error: {message}").format(message=message), err=True))
    except MatrixError as e:
        raise _fail(e) from None
    if result.leaders:
        click.echo(_("wrote {count} return forms, {leaders} leaders' forms and {index} to "
                     "{folder}").format(count=len(result.files), leaders=len(result.leaders),
                                        index=result.index.name, folder=output), err=True)
    else:
        click.echo(ngettext("wrote {count} return form and {index} to {folder}",
                            "wrote {count} return forms and {index} to {folder}",
                            len(result.files)).format(count=len(result.files),
                                                      index=result.index.name, folder=output),
                   err=True)
    if result.failed:
        raise click.ClickException(ngettext("{count} form not written (see above)",
                                            "{count} forms not written (see above)",
                                            len(result.failed)).format(count=len(result.failed)))


@click.command(name="collect", cls=_Command)
@click.argument("plan", type=_Path(exists=True, dir_okay=False))
@click.argument("returns", nargs=-1, required=True, type=_Path(exists=True))
@click.option("-o", "--output", type=_Path(), help="The 汇总 workbook to write (.xlsx).")
@click.option("--as-of", "as_of", metavar="DATE",
              help="Count deadlines as of this day (YYYY-MM-DD). Default: today.")
@click.option("--since", type=_Path(exists=True, dir_okay=False),
              help="The previous round's 汇总: mark what changed since.")
@click.option("--round", "round_", metavar="NAME",
              help="The round collected; returns for another are refused. Default: the round "
                   "most returns carry.")
@click.option("--year", type=int, help="The plan's year for deadlines such as 6月底前 "
              "(default: from its 文号 or title).")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              help="table: a summary on the terminal (default); json: everything, on stdout.")
@warn_days_option
@force_option(help="Replace an existing -o workbook even if dutymatrix did not write it, it "
                   "was saved since or an office has it open (never one of the inputs).")
def collect_command(plan: Path, returns: tuple[Path, ...], output: Path | None,
                    as_of: str | None, since: Path | None, round_: str | None,
                    year: int | None, fmt: str, warn_days: int, force: bool) -> None:
    """汇总: gather the returns of a round against PLAN, show who is behind.

    RETURNS are files or folders of returns, in any order, with any names. Each is
    recognised by its stamp (or, when it is gone, by its tasks' text); a return for another
    plan or round is refused with the reason, a damaged file gets one line and the rest are
    still collected. Exit 1 when a file could not be read (the 汇总 is still written).

    Example:

        dutymatrix collect seeds/001_5afa0209a0ae242f.txt returns/ -o 汇总.xlsx --as-of 2026-12-21

        dutymatrix collect plan.txt returns/ -o 汇总2.xlsx --since 汇总1.xlsx --format json
    """
    from ..round.collect import collect_files
    from ..errors import MatrixError

    day = _day_option(as_of, "--as-of")
    (loaded,) = _load_plans([plan])
    try:
        result = collect_files(loaded, returns, output=output, as_of=day, round=round_,
                               year=year, since=since, warn_days=warn_days, force=force)
    except MatrixError as e:
        raise _fail(e) from None
    _show_refused(result.received)
    if fmt == "json":
        import json

        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        from .terminal import print_collection

        print_collection(result)
    if output is not None:
        click.echo(_("wrote {path}").format(path=output), err=True)
    if any(r.outcome == "无法读取" for r in result.received):
        sys.exit(1)


def _show_refused(received) -> None:
    """One line per return refused or unreadable, on standard error."""
    for r in received:
        if r.outcome in ("拒收", "无法读取"):
            click.echo(f"{r.outcome}: {r.path}: {r.reason}" if r.outcome == "拒收"
                       else f"{r.outcome}: {r.reason}", err=True)
        elif r.outcome == "采用" and r.reason:  # taken with a doubt: by text, 报送单位 differs
            click.echo(f"{r.outcome}（请核实）: {r.path}: {r.reason}", err=True)


def _day_option(value: str | None, hint: str):
    """A YYYY-MM-DD option as a date (None when not given)."""
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(_("{value!r} is not a date (YYYY-MM-DD)").format(value=value),
                                 param_hint=hint) from None


@click.command(name="remind", cls=_Command)
@click.argument("plan", type=_Path(exists=True, dir_okay=False))
@click.argument("returns", nargs=-1, required=True, type=_Path(exists=True))
@click.option("-o", "--outdir", "output", type=_Path(file_okay=False), default="output/催办",
              show_default=True, help="Folder for the 催办通知 and the 督查通报 (.docx).")
@click.option("--as-of", "as_of", metavar="DATE",
              help="Count deadlines as of this day (YYYY-MM-DD). Default: today.")
@click.option("--since", type=_Path(exists=True, dir_okay=False),
              help="The previous round's 汇总: 连续逾期 counts from it.")
@click.option("--round", "round_", metavar="NAME",
              help="The round collected. Default: the round most returns carry.")
@click.option("--year", type=int, help="The plan's year for deadlines such as 6月底前.")
@warn_days_option
@click.option("--reply-by", metavar="DATE",
              help="The day the departments are to answer by (default: 5 days after --as-of).")
@click.option("--office", default="督查室", show_default=True,
              help="Who signs the notices and the 通报.")
@force_option(help="Replace notices an office has edited.")
def remind_command(plan: Path, returns: tuple[Path, ...], output: Path, as_of: str | None,
                   since: Path | None, round_: str | None, year: int | None, warn_days: int,
                   reply_by: str | None, office: str, force: bool) -> None:
    """催办 and 通报: collect the round as `collect` does, then write one 催办通知 (.docx)
    per department that is late, silent or holds 逾期/临期 tasks, and a 督查通报 draft of
    the round for the leaders. Exit 1 when a return could not be read or a file was not
    replaced (the rest is still written).

    Example:

        dutymatrix remind plan.txt returns/ -o output/催办 --as-of 2026-12-21 --reply-by 2026-12-25
    """
    from ..errors import MatrixError
    from ..round.remind import remind_files

    day = _day_option(as_of, "--as-of")
    answer = _day_option(reply_by, "--reply-by")
    (loaded,) = _load_plans([plan])
    try:
        result = remind_files(loaded, returns, output, as_of=day, round=round_, year=year,
                              since=since, warn_days=warn_days, reply_by=answer,
                              office=office, force=force)
    except MatrixError as e:
        raise _fail(e) from None
    _show_refused(result.collection.received)
    for message in result.skipped:
        click.echo(message, err=True)
    click.echo(ngettext("wrote {count} 催办通知 and the 督查通报 to {folder}",
                        "wrote {count} 催办通知 and the 督查通报 to {folder}",
                        len(result.notices)).format(count=len(result.notices), folder=output),
               err=True)
    if result.skipped or any(r.outcome == "无法读取" for r in result.collection.received):
        sys.exit(1)
