"""The terminal's language: standard gettext catalogs, Chinese when the user's locale is.

Everything the command line prints — help texts, errors, warnings, progress and summaries, and
click's own words ("Usage:", "Error:", "No such option") — goes through gettext, domain
``dutymatrix``, catalogs in ``matrix/locale/<language>/LC_MESSAGES/dutymatrix.mo`` (compiled
from the ``.po`` beside it with Babel, committed, so that an editable install has them too;
``tests/test_i18n.py`` fails when the ``.mo`` is older than the ``.po``).

The language: ``--lang zh|en`` (a global option) if given, else the first of ``LANGUAGE``,
``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set, as gettext reads them: Chinese for
``zh*`` (``zh_CN.UTF-8``, ``zh_TW``, ``zh``), English otherwise (``C``, ``en_US.UTF-8``, unset).

What a workbook says is not here: workbooks are Chinese whatever the locale
(``matrix.messages`` makes the text of a recorded warning from its kind and parameters).

How to add a message (see README, Development):

* In code, wrap it: ``_("{path}: the file is empty").format(path=path)`` — named ``{fields}``,
  never an f-string (the catalog holds the text before formatting); ``ngettext(one, many, n)``
  for counts; ``N_("…")`` marks a text translated later. Help texts of click commands
  (docstrings) and options (``help=``, also of a shared ``*_option(help=…)``) are found without
  a marker.
* Run ``python -m matrix.i18n update``: extracts every message into ``matrix/locale/
  dutymatrix.pot``, merges it into each ``.po`` and lists the messages still untranslated.
* Write the Chinese in ``matrix/locale/zh_CN/LC_MESSAGES/dutymatrix.po`` (same ``{fields}``),
  then ``python -m matrix.i18n compile``. ``tests/test_i18n.py`` fails on a message without a
  translation, a placeholder that differs, or a stale ``.mo``.

This module imports only the standard library (``--help`` must start fast); Babel is used by
``update``/``compile`` and the tests, never at run time.
"""

from __future__ import annotations

import gettext as _gettext
import os
from contextlib import contextmanager
from contextvars import ContextVar

DOMAIN = "dutymatrix"
LOCALEDIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locale")
# --lang value → the catalog's language (and what LANGUAGE is set to).
LANGUAGES = {"zh": "zh_CN", "en": "en"}
_ENVIRONMENT = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")  # gettext's order


def requested() -> str:
    """``zh`` or ``en``: the language the environment asks for, as gettext reads it."""
    for name in _ENVIRONMENT:
        value = os.environ.get(name)
        if value:
            first = value.split(":", 1)[0].strip().lower()
            return "zh" if first.startswith("zh") else "en"
    return "en"


def use(language: str | None = None) -> None:
    """Speak ``language`` (``zh``/``en``; ``None``: what the environment asks for) from now on.

    Binds the ``dutymatrix`` catalogs and makes ``dutymatrix`` gettext's default domain, which
    is where click looks its own messages up (``gettext.gettext``); sets ``LANGUAGE`` (gettext's
    first choice) so that ``zh_TW`` or ``--lang`` reach click as they reach us.
    """
    global _ours
    if _ours is not None and os.environ.get("LANGUAGE") == _ours[1]:
        # what an earlier run in this process set is not the user's choice: put theirs back
        if _ours[0] is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = _ours[0]
    language = language or requested()
    _gettext.bindtextdomain(DOMAIN, LOCALEDIR)
    _gettext.textdomain(DOMAIN)
    _ours = (os.environ.get("LANGUAGE"), LANGUAGES.get(language, "en"))
    os.environ["LANGUAGE"] = _ours[1]


_ours: tuple[str | None, str] | None = None  # (LANGUAGE before ``use``, what it set)


def lang_from_args(args: list[str]) -> str | None:
    """The value of ``--lang`` among command-line ``args`` (``--lang zh``, ``--lang=zh``),
    read before click parses them, so that click's own errors are in that language too."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1] if args[i + 1] in LANGUAGES else None
        if arg.startswith("--lang="):
            value = arg.partition("=")[2]
            return value if value in LANGUAGES else None
    return None


# A language for the current context only (a web request: the page is Chinese), whatever the
# process speaks; ``None``: what the environment asks for. A ContextVar, so that another
# thread or request is not affected (Starlette's thread pool copies the context).
_context_language: ContextVar[str | None] = ContextVar("dutymatrix_language", default=None)


@contextmanager
def speaking(language: str):
    """Within the block, ``_``/``ngettext`` answer in ``language`` (``zh``/``en``) for this
    context (thread, task) only; the process's language and other threads are unchanged."""
    token = _context_language.set(language if language in LANGUAGES else "en")
    try:
        yield
    finally:
        _context_language.reset(token)


def current() -> str:
    """``zh`` or ``en``: the language spoken now (``speaking``'s, else the environment's);
    what chooses a recorded warning's ``message_zh`` or ``message`` for the user."""
    return _context_language.get() or requested()


def _translations() -> _gettext.NullTranslations:
    language = current()
    known = _loaded.get(language)
    if known is None:
        known = _loaded[language] = (
            _gettext.translation(DOMAIN, LOCALEDIR, languages=[LANGUAGES["zh"]], fallback=True)
            if language == "zh" else _gettext.NullTranslations())
    return known


_loaded: dict[str, _gettext.NullTranslations] = {}  # per language, read once


def _(message: str) -> str:
    """``message`` in the user's language."""
    return _translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for ``n`` things, in the user's language."""
    return _translations().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog; it is translated where it is shown, with ``_``."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a message with a plural for the catalog (translated with ``ngettext``)."""
    return singular, plural


# click's own messages that users of dutymatrix meet. click looks them up with gettext in
# the default domain (``use`` makes it ``dutymatrix``), so their Chinese is in our catalog;
# listed here so that extraction finds them (tests check each is still one of click's).
CLICK_MESSAGES = (
    N_("Usage:"), N_("Options"), N_("Commands"), N_("Error: {message}"),
    N_("Try '{command} {option}' for help."), N_("No such option {name!r}."),
    Nn_("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"),
    N_("No such command {name!r}."), N_("Missing command."), N_("Missing argument"),
    N_("Missing option"), N_("Missing parameter"), N_("Missing {param_type}"),
    N_("Missing parameter: {param_name}"), N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    Nn_("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"),
    Nn_("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."),
    N_("Option {name!r} does not take a value."),
    Nn_("{value!r} is not {choice}.", "{value!r} is not one of {choices}."),
    N_("file"), N_("directory"), N_("path"), N_("{name} {filename!r} does not exist."),
    N_("{name} {filename!r} is a file."), N_("{name} {filename!r} is a directory."),
    N_("{name} {filename!r} is not readable."), N_("{name} {filename!r} is not writable."),
    N_("Could not open file {filename!r}: {message}"), N_("Aborted!"),
    N_("Show this message and exit."), N_("Show the version and exit."),
    N_("%(prog)s, version %(version)s"), N_("default: {default}"),
    N_("{value!r} is not a valid {number_type}."), N_("Choose from:\n\t{choices}"),
)


# -- maintenance: Babel, never imported at run time ------------------------------------------
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATE = os.path.join(LOCALEDIR, f"{DOMAIN}.pot")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "Nn_": (1, 2)}


def extract(fileobj, keywords, comment_tags, options):
    """Babel extractor (``babel.cfg``): the ``_``/``N_``/``ngettext`` messages of a Python file,
    and the help texts click shows — command docstrings (``@x.command``/``@x.group``) and
    ``help="…"`` of options — as click will look them up (``inspect.cleandoc``)."""
    import ast
    import inspect
    import io

    from babel.messages.extract import extract_python

    source = fileobj.read()
    yield from extract_python(io.BytesIO(source), keywords, comment_tags, options)
    tree = ast.parse(source.decode("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if any(_is_click_command(d) for d in node.decorator_list):
                doc = ast.get_docstring(node, clean=False)
                if doc:
                    yield node.lineno, None, inspect.cleandoc(doc), ["click help"]
        elif isinstance(node, ast.Call) and (_name(node.func) in ("option", "argument")
                                             or (_name(node.func) or "").endswith("_option")):
            for kw in node.keywords:
                if kw.arg == "help" and isinstance(kw.value, ast.Constant) \
                        and isinstance(kw.value.value, str):
                    yield kw.value.lineno, None, inspect.cleandoc(kw.value.value), ["click help"]


def _name(node) -> str | None:
    import ast

    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _is_click_command(decorator) -> bool:
    import ast

    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return _name(target) in ("command", "group")


def _run(*args: str) -> None:
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], cwd=_ROOT,
                   check=True)


def untranslated(po_path: str) -> list[str]:
    """The messages of a ``.po`` file with no (or a fuzzy) translation."""
    from babel.messages.pofile import read_po

    with open(po_path, "rb") as f:
        catalog = read_po(f)
    return [str(m.id) for m in catalog if m.id and (m.fuzzy or not all(
        m.string if isinstance(m.string, tuple) else (m.string,)))]


def main(argv: list[str] | None = None) -> int:
    """``python -m matrix.i18n update|compile``: re-extract and merge, or compile the catalogs."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["update"]:
        from . import __version__

        _run("extract", "-F", "babel.cfg", "-o", os.path.relpath(TEMPLATE, _ROOT),
             "-k", "Nn_:1,2", "--project", "dutymatrix", "--version", __version__,
             "--sort-by-file", "--width", "100",
             "--msgid-bugs-address", "", "--copyright-holder", "dutymatrix", "matrix")
        _run("update", "-D", DOMAIN, "-i", os.path.relpath(TEMPLATE, _ROOT),
             "-d", os.path.relpath(LOCALEDIR, _ROOT), "--width", "100", "--ignore-obsolete",
             "--no-fuzzy-matching")
        for language in sorted(os.listdir(LOCALEDIR)):
            po = os.path.join(LOCALEDIR, language, "LC_MESSAGES", f"{DOMAIN}.po")
            if os.path.isfile(po):
                missing = untranslated(po)
                print(f"{language}: {len(missing)} message(s) to translate in "
                      f"{os.path.relpath(po, _ROOT)}")
                for message in missing:
                    print("  " + message.replace("\n", "\\n"))
        return 0
    if args[:1] == ["compile"]:
        _run("compile", "-D", DOMAIN, "-d", os.path.relpath(LOCALEDIR, _ROOT), "--statistics")
        return 0
    print("usage: python -m matrix.i18n update|compile", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
