"""The ``dutymatrix`` command line: click, nothing else.

Every command parses its options, calls the library and turns a ``MatrixError`` into
``click.ClickException`` ("Error: file:line:col: message", exit 1). Heavy modules (Lark,
pydantic, openpyxl) are imported inside the commands, so that ``--help`` starts fast.

Exit codes: 0 success; 1 an input or output problem (the message says which file and line);
2 a usage error; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from .. import __version__
from ..i18n import N_, _, ngettext
from .clicktext import TranslatedGroup as _Group
from .common import DEFAULT_OUTPUT, LocalPath as _Path, emit as _emit, fail as _fail
from .common import force_option, jurisdiction_option, record_path_option
from .common import load_plans as _load_plans

if TYPE_CHECKING:
    from pathlib import Path


def bundled_seeds() -> Path:
    """The sample documents: ``seeds/`` in the checkout, or the copy inside the wheel."""
    from pathlib import Path

    package = Path(__file__).resolve().parents[1]  # matrix/
    for candidate in (package.parent / "seeds", package / "seeds"):
        if candidate.is_dir():
            return candidate
    raise click.ClickException(_("the bundled seeds/ folder is missing from this installation"))


# The command families declared in modules of their own, imported when a command is looked up:
# ``parse`` and ``build`` never import them (``--help`` does, to list them).
LAZY_COMMANDS = {"diff": "matrix.cli.diff:diff_command",
                 "dispatch": "matrix.cli.round:dispatch_command",
                 "collect": "matrix.cli.round:collect_command",
                 "remind": "matrix.cli.round:remind_command"}


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]},
             lazy_commands=LAZY_COMMANDS)
@click.version_option(__version__, prog_name="dutymatrix")
@click.option("--lang", type=click.Choice(["zh", "en"]), expose_value=False, is_eager=True,
              help="Language of the messages: zh (中文) or en. Default: from the locale "
                   "(LANG, LC_ALL, LC_MESSAGES: zh_* is Chinese).")
def cli() -> None:
    """Turn Chinese government action plans into responsibility matrices.

    Reads a plan (its numbered clauses and the trailers that name who does what, such as
    "（工业和信息化部、市场监管总局等按职责分工负责）") and writes an Excel workbook with one row per
    task and one column per department.

    Example:

        dutymatrix build seeds/001_5afa0209a0ae242f.txt
    """
    import matrix

    if matrix._own_process:  # a command runs (``--help`` and ``--version`` stop before this)
        from ..precompiled import install
        from ..safety.signals import install_signal_cleanup

        install()  # the records' methods from bytecode, not compiled again (matrix/precompiled)
        install_signal_cleanup()  # SIGTERM, SIGHUP: temporary files removed, exit 128 + signal


@cli.command()
@click.argument("inputs", nargs=-1, type=_Path(exists=True, allow_dash=True))
@click.option("-o", "--output", type=_Path(allow_dash=True),
              help="Workbook file (one input; - for standard output) or folder. Default: output/")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@force_option(help="Replace an existing workbook even if it was edited since dutymatrix wrote it.")
@click.option("--strict", is_flag=True, help="Treat warnings (unknown departments, unread "
              "trailers, unbalanced parentheses, odd numbering) as errors.")
@record_path_option
@jurisdiction_option(help="Whose plans these are (广东省, 滁州市, 立山区, central), instead of "
                          "what each document shows.")
def build(inputs: tuple[Path, ...], output: Path | None, quiet: bool, force: bool,
          strict: bool, record_path: bool, jurisdiction: str | None) -> None:
    """Build responsibility-matrix workbooks from plan files or folders.

    With no INPUTS, builds the bundled sample documents (seeds/) into output/. A folder is
    built file by file: documents that hold no numbered clause (news articles) are skipped
    with one line each and the others still build.

    Example:

        dutymatrix build seeds/001_5afa0209a0ae242f.txt        # → output/001_5afa0209a0ae242f.xlsx

        dutymatrix build seeds/ -o output/

    An existing workbook is replaced only when dutymatrix wrote it and nobody has saved it
    since; a workbook an office has edited needs --force.
    """
    from ..batch.jobs import build_many, build_one, plan_jobs, summary
    from ..load.sources import expand

    if not inputs:
        inputs = (bundled_seeds(),)
    sources = expand(inputs, workbooks=False)
    many = len(sources) > 1 or any(item.is_dir() for item in inputs)
    if many and output is not None and output.suffix.lower() == ".xlsx":
        raise click.UsageError(_("several inputs need an output folder, not an .xlsx file"))
    jobs = plan_jobs(sources, output, many, DEFAULT_OUTPUT)
    if not many:
        outcome = build_one(*jobs[0], force=force, strict=strict, record_path=record_path,
                            jurisdiction=jurisdiction)
        if outcome.status != "built":
            raise click.ClickException(outcome.message if outcome.status == "failed"
                                       else f"{outcome.source}: {outcome.message}")
        if not quiet:
            click.echo(outcome.line())
        return
    from ..text.safe import for_terminal

    outcomes = []
    with _progress(len(jobs), quiet) as advance:
        for outcome in build_many(jobs, force=force, strict=strict, record_path=record_path,
                                  jurisdiction=jurisdiction):
            outcomes.append(outcome)
            if outcome.status != "built":
                advance(for_terminal(outcome.line()), err=True)
            elif not quiet:
                advance(for_terminal(outcome.line()), err=False)
            else:
                advance(None, err=False)
    if not quiet:
        click.echo(summary(outcomes), err=True)
    if any(o.status == "failed" for o in outcomes) or not any(o.status == "built" for o in outcomes):
        sys.exit(1)


class _progress:
    """A rich progress bar on a terminal (stderr), plain lines otherwise or with --quiet."""

    def __init__(self, total: int, quiet: bool, what: str = N_("building")) -> None:
        self.total, self.quiet, self.bar, self.what = total, quiet, None, what

    def __enter__(self):
        if not self.quiet and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

            self.bar = Progress("[progress.description]{task.description}", BarColumn(),
                                MofNCompleteColumn(), TimeRemainingColumn(),
                                console=Console(stderr=True), transient=True)
            self.bar.__enter__()
            self.task = self.bar.add_task(_(self.what), total=self.total)
        return self.advance

    def advance(self, line: str | None, err: bool) -> None:
        """Print ``line`` (above the bar, if any) and move the bar one file on."""
        if self.bar is not None:
            if line and (err or not self.quiet):
                self.bar.console.print(line, highlight=False, markup=False)
            self.bar.advance(self.task)
        elif line:
            click.echo(line, err=err)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


@cli.command()
@click.argument("input", type=_Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("-f", "--format", "fmt", type=click.Choice(["json", "table"]), default=None,
              help="json: the records; table: a readable list. Default: table on a terminal, "
                   "json otherwise.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@jurisdiction_option(help="Whose plan this is (广东省, 滁州市, 立山区, central), instead of "
                          "what the document shows.")
def parse(input: Path, fmt: str | None, strict: bool, jurisdiction: str | None) -> None:
    """Print the tasks and departments read from one plan.

    The JSON keys are a stable contract: source, documents[].title, .tasks[] (number, section,
    title, text, line, assignments[] with department, as_printed, role, inherited),
    .unassigned, .rules and .warnings.

    Example:

        dutymatrix parse seeds/001_5afa0209a0ae242f.txt --format json

        cat plan.txt | dutymatrix parse - --format table
    """
    from ..errors import MatrixError
    from ..load.pipeline import parse_file

    try:
        plan = parse_file(input, jurisdiction=jurisdiction)
        if strict:
            from ..batch.jobs import check_strict

            check_strict(plan)
    except MatrixError as e:
        raise _fail(e) from None
    if fmt is None:
        fmt = "table" if sys.stdout.isatty() else "json"
    if fmt == "json":
        from ..export.downloads import plan_json

        click.echo(plan_json(plan), nl=False)
        return
    from .terminal import print_plan

    print_plan(plan)


ROLE_CHOICES = ["lead", "responsible", "support", "guide"]


@cli.command(name="filter")
@click.argument("inputs", nargs=-1, required=True,
                type=_Path(exists=True, allow_dash=True))
@click.option("-d", "--dept", "depts", multiple=True,
              help="Department, any known name or alias, either script (repeat: OR).")
@click.option("-r", "--role", "roles", multiple=True, type=click.Choice(ROLE_CHOICES),
              help="Only tasks where the department has this role (repeat: OR).")
@click.option("-s", "--section", help="Section number (二, 二、, 2) or part of its heading.")
@click.option("-m", "--match", "match", help="Task title or text contains this.")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json", "csv", "xlsx"]),
              default=None, help="Default: table on a terminal, json otherwise.")
@click.option("-o", "--output", type=_Path(allow_dash=True),
              help="Write to this file (json, csv, xlsx; - for standard output) or folder "
                   "(--split-by-dept).")
@click.option("--split-by-dept", is_flag=True,
              help="One task list workbook per department, and an index, into -o DIR.")
@force_option(help="Replace an existing workbook even if it was edited or is open elsewhere.")
@record_path_option
@click.option("-l", "--leader", "leaders", multiple=True,
              help="Only tasks this person leads (牵头负责领导, 牵头市领导 …; repeat: OR).")
def filter_command(inputs: tuple[Path, ...], depts: tuple[str, ...], roles: tuple[str, ...],
                   section: str | None, match: str | None, fmt: str | None,
                   output: Path | None, split_by_dept: bool, force: bool,
                   record_path: bool, leaders: tuple[str, ...]) -> None:
    """List the tasks of one or more departments: which are ours, where do we lead.

    INPUTS are plan documents, workbooks written by `dutymatrix build` (edits made in Excel
    count), or folders of either. Filters combine with AND; repeated --dept or --role with OR.
    A name that matches no department is an error with suggestions; a department with no task
    in the plan gives an empty list.

    Example:

        dutymatrix filter seeds/001_5afa0209a0ae242f.txt --dept 国家卫健委

        dutymatrix filter output/001_5afa0209a0ae242f.xlsx --dept 市场监管总局 --role lead --format csv -o out.csv

        dutymatrix filter seeds/001_5afa0209a0ae242f.txt --split-by-dept -o output/清单/
    """
    from ..errors import MatrixError
    from ..filter.select import filter_tasks
    from ..load.sources import expand

    files = expand(inputs)
    if not files:
        raise click.UsageError(_("no plan or workbook file in the inputs"))
    plans = _load_plans(files, {item for item in inputs if not item.is_dir()})
    if not plans:
        raise click.UsageError(_("no plan or plan workbook in the inputs"))
    if split_by_dept:
        if output is None:
            raise click.UsageError(_("--split-by-dept needs -o DIR"))
        _split(plans, output, files, force, record_path)
        return
    try:
        hits = filter_tasks(plans, depts, roles, section, match, leaders=leaders)
    except MatrixError as e:
        raise _fail(e) from None
    if not hits:
        _say_nothing_found(depts + leaders, len(files))
    if fmt is None:
        fmt = "xlsx" if output is not None and output.suffix.lower() == ".xlsx" else (
            "table" if sys.stdout.isatty() and output is None else "json")
    if output is not None and str(output) == "-" and fmt != "xlsx":
        output = None  # -o -: standard output
    if fmt == "xlsx":
        _task_list_workbook(hits, depts, output, files, force, record_path)
        return
    from ..filter import formats as tabular

    if fmt == "table":
        tabular.render_table(hits)
    elif fmt == "json":
        _emit(tabular.to_json(hits), output, files, force)
    elif output is None:
        # A BOM on a pipe helps no program; it is for files that Excel/WPS will open.
        _emit(tabular.to_csv(hits).lstrip("\ufeff"), None)
    else:
        _emit(tabular.to_csv(hits), output, files, force)


def _say_nothing_found(names: tuple[str, ...], count: int) -> None:
    """On standard error: no task matched (the departments or leaders asked for, if any)."""
    if names:
        click.echo(ngettext("no task for {departments} in {count} file",
                            "no task for {departments} in {count} files", count)
                   .format(departments="、".join(names), count=count), err=True)
    else:
        click.echo(ngettext("no task for the filters in {count} file",
                            "no task for the filters in {count} files", count)
                   .format(count=count), err=True)


def _task_list_workbook(hits, depts: tuple[str, ...], output: Path | None, files,
                        force: bool, record_path: bool) -> None:
    """``filter --format xlsx``: the 任务清单 workbook, to ``output`` or into output/."""
    from pathlib import Path

    from ..errors import MatrixError
    from ..safety.writes import check_target, make_folder, safe_file_name
    from ..workbook import write_task_list

    name = "、".join(depts) if depts else "筛选"
    # A department name as typed (or printed in a plan) never becomes a path of its own.
    target = output or Path(DEFAULT_OUTPUT) / safe_file_name(f"{name}任务清单", ".xlsx")
    try:
        check_target(target, files, force=force)
        if str(target) != "-":
            make_folder(target.parent)
        write_task_list(hits, target, title=f"{name}任务清单",
                        department=depts[0] if len(depts) == 1 else None,
                        record_path=record_path)
    except MatrixError as e:
        raise _fail(e) from None
    click.echo(ngettext("wrote {path} ({count} task)", "wrote {path} ({count} tasks)",
                        len(hits)).format(path=target, count=len(hits)), err=True)


@cli.command(name="export")
@click.argument("inputs", nargs=-1, required=True, type=_Path(exists=True, allow_dash=True))
@click.option("-o", "--output", type=_Path(), required=True,
              help="The file to write (.csv, .jsonl or .parquet).")
@click.option("-f", "--format", "fmt", type=click.Choice(["csv", "jsonl", "parquet"]),
              default=None, help="Default: from the output's suffix.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@force_option(help="Replace an existing output file that dutymatrix export did not write.")
def export_command(inputs: tuple[Path, ...], output: Path, fmt: str | None, quiet: bool,
                   force: bool) -> None:
    """Write the tasks of many plans as one table: a row per (document, task, department, role).

    INPUTS are plan files or folders of them (a workbook written by `dutymatrix build` may be
    named too). Folders are read on every core, with a progress bar; a file that fails is
    reported and the others are still exported. The columns are a stable contract (README).

    Example:

        dutymatrix export seeds/ tests/corpus/ -o tasks.parquet

        dutymatrix export plans/ -o tasks.csv          # UTF-8 with BOM, for Excel and WPS
    """
    from ..batch.jobs import run_many, summary
    from ..errors import MatrixError
    from ..export.tidy import FORMATS, check_target, died, export_one, format_for, write_rows
    from ..safety.writes import replace_atomically
    from ..load.sources import expand
    from ..text.safe import for_terminal

    if str(output) == "-":
        raise click.UsageError(_("export writes a file: name it with -o"))
    fmt = fmt or format_for(output)
    if fmt is None:
        raise click.UsageError(_("cannot tell the format from {name}: name a .csv, .jsonl "
                                 "or .parquet file, or say --format ({formats})").format(
                                     name=output.name, formats="|".join(FORMATS)))
    sources = expand(inputs, workbooks=False)
    if not sources:
        raise click.UsageError(_("no plan file in the inputs"))
    try:
        check_target(output, sources, force=force)
    except MatrixError as e:
        raise _fail(e) from None
    outcomes = []

    def batches():
        with _progress(len(sources), quiet, N_("exporting")) as advance:
            for outcome in run_many(export_one, [(s,) for s in sources], died=died):
                outcomes.append(outcome)
                ok = outcome.status == "exported"
                advance(for_terminal(outcome.line()) if not (ok and quiet) else None,
                        err=not ok)
                yield outcome.rows
        if not any(o.status == "exported" for o in outcomes):
            raise MatrixError(_("{path}: not written: no file gave any task").format(
                path=output))

    written = []  # the number of rows, once the file is complete
    try:
        replace_atomically(output, lambda temp: written.append(write_rows(batches(), temp, fmt)),
                           suffix=f".{fmt}")
    except MatrixError as e:
        if outcomes and not quiet:
            click.echo(summary(outcomes, "exported"), err=True)
        raise _fail(e) from None
    if not quiet:
        click.echo(summary(outcomes, "exported"), err=True)
        click.echo(ngettext("wrote {path} ({count} row, {format})",
                            "wrote {path} ({count} rows, {format})", written[0]).format(
                                path=output, count=written[0], format=fmt), err=True)
    if any(o.status == "failed" for o in outcomes):
        sys.exit(1)


def _split(plans, folder: Path, inputs=(), force: bool = False, record_path: bool = False) -> None:
    """--split-by-dept: one workbook per department and an index workbook (write_split)."""
    from ..errors import MatrixError
    from ..safety.writes import INDEX_FILE
    from ..workbook import write_split

    try:
        rows, failed = write_split(plans, folder, inputs=inputs, force=force,
                                   record_path=record_path,
                                   report=lambda message: click.echo(
                                       _("Error: {message}").format(message=message), err=True))
    except MatrixError as e:
        raise _fail(e) from None
    written = sum(1 for r in rows if r["file"])
    click.echo(ngettext("wrote {count} department list and {index} to {folder}",
                        "wrote {count} department lists and {index} to {folder}", written)
               .format(count=written, index=INDEX_FILE, folder=folder), err=True)
    if failed:
        raise click.ClickException(ngettext("{count} department list not written (see above)",
                                            "{count} department lists not written (see above)",
                                            len(failed)).format(count=len(failed)))


WEB_EXTRA_MISSING = N_("the web page needs the 'web' extra (Starlette, uvicorn, Jinja2, "
                     "python-multipart): pip install 'dutymatrix[web]' "
                     "(from a checkout: pip install -e '.[web]')")


@cli.command()
@click.option("-p", "--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to serve on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. 0.0.0.0 shares the page with the office network.")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the browser.")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="Another host name the page may be reached by (repeatable).")
def serve(port: int, host: str, open_browser: bool, allow_hosts: tuple[str, ...]) -> None:
    """Serve the web page: upload plans, see the matrix, download, compare versions.

    In Chinese, for people who never open a terminal; it calls the same library functions as
    the commands. Bound to 127.0.0.1: only this computer can open it. Stop with Ctrl-C.

    Example:

        dutymatrix serve --open

        dutymatrix serve --port 8080 --host 0.0.0.0     # share on the office network
    """
    try:
        import uvicorn

        from ..web import create_app

        app = create_app(host, port, extra_hosts=allow_hosts)
    except ImportError:
        raise click.ClickException(_(WEB_EXTRA_MISSING)) from None
    from ..web.app import url_host

    url = f"http://{url_host('127.0.0.1' if host in ('0.0.0.0', '::', '') else host)}:{port}/"
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(_("Warning: serving on {host}: anyone who can reach this computer on port "
                     "{port} can use the page and see what is uploaded. Use it only on a "
                     "network you trust.").format(host=host, port=port), err=True)
    click.echo(_("dutymatrix: serving {url} (Ctrl-C to stop)").format(url=url), err=True)
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, (url,)).start()
    _stop_reads_on_exit(uvicorn.Server)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False,
                timeout_graceful_shutdown=3)


def _stop_reads_on_exit(server: type) -> None:
    """SIGTERM or Ctrl-C to ``serve`` also kills a file being read (``read.confine``), so that
    the server stops within seconds whatever runs (uvicorn otherwise waits for the request)."""
    from ..read.confine import stop_all

    exit_handler = server.handle_exit
    if getattr(exit_handler, "stops_reads", False):
        return

    def handle_exit(self, sig, frame):
        stop_all()
        exit_handler(self, sig, frame)

    handle_exit.stops_reads = True
    server.handle_exit = handle_exit


def main() -> None:
    """Console entry point: like ``cli()``, but Ctrl-C exits 130 with one line."""
    import matrix

    matrix._own_process = True  # this process runs only dutymatrix (see matrix/workbook/book.py)
    matrix.hide_unused_modules()
    try:
        result = cli.main(prog_name="dutymatrix", standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo(_("Interrupted."), err=True)
        sys.exit(130)
    except click.ClickException as e:
        from ..text.safe import for_terminal

        e.message = for_terminal(e.message)  # a name from a file is printable text only
        e.show()
        sys.exit(e.exit_code)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except OSError as e:  # the output cannot be written (a full disk, a closed pipe …)
        _output_failed(e)
    finally:
        matrix.keep_own_bytecode()  # the next start reads what this one compiled
    sys.exit(result if isinstance(result, int) else 0)


def _output_failed(error: OSError) -> None:
    """End a command whose output could not be written: one line (none for a reader that went
    away, ``| head``), exit 1, and the standard output pointed at nothing, so that Python's own
    exit does not fail on it again with a traceback."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    if not isinstance(error, BrokenPipeError):
        from ..text.safe import for_terminal

        where = f"{error.filename}: " if error.filename else ""
        reason = error.strerror or str(error)
        click.echo(_("Error: {message}").format(message=for_terminal(
            _("cannot write the output: {where}{reason}").format(where=where, reason=reason))),
            err=True)
    sys.exit(1)
