"""click, in the user's language: help texts looked up when they are shown, Chinese punctuation
in the help layout, and ``pathlib`` paths that name their kind in the user's words.

The command line (``matrix.cli.commands``) builds its group and commands from these; nothing here runs a
command or knows one. The language is set by ``--lang`` or the locale (``matrix.i18n``).
"""

from __future__ import annotations

import click

from ..i18n import _


class LocalPath(click.Path):
    """``click.Path`` that gives ``pathlib.Path`` values, importing pathlib only when a command
    runs: ``--help`` does not need it (it costs a fifth of start-up)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # click names the kind in the language of the moment it is made; a command module
        # imported late (``TranslatedGroup.lazy_commands``) is made after ``--lang``: the kind
        # kept in English whenever it is made, as the help shows it (PATH), and translated
        # when a message names it (``convert``)
        self.name = ("file" if self.file_okay and not self.dir_okay else
                     "directory" if self.dir_okay and not self.file_okay else "path")

    def convert(self, value, param, ctx):
        from pathlib import Path

        # click names the kind ("file", "path") when it is set up, before the language is
        # known: named again here, in the user's language ("路径 'x.txt' 不存在").
        named = self.name
        self.name = _(named)
        try:
            return Path(super().convert(value, param, ctx))
        finally:
            self.name = named


class _Formatter(click.HelpFormatter):
    """click's help layout, with Chinese punctuation when the words are Chinese: "用法：" and
    "选项：" rather than "用法： " and "选项:"."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None:
            word = _("Usage:")
            prefix = word if word.endswith("：") else f"{word} "
        super().write_usage(prog, args, prefix)

    def write_heading(self, heading: str) -> None:
        if heading and "\u4e00" <= heading[0] <= "\u9fff":
            self.write(f"{'':>{self.current_indent}}{heading}：\n")
        else:
            super().write_heading(heading)


class _Context(click.Context):
    formatter_class = _Formatter


class _Translated:
    """Help texts in the user's language, looked up when they are shown (the language is known
    only then: ``--lang``, or the environment of the run). The catalog holds each text as click
    shows it (``inspect.cleandoc``); ``matrix.i18n.extract`` puts them there."""

    context_class = _Context

    def format_help_text(self, ctx, formatter):
        with _helps_translated([self]):
            super().format_help_text(ctx, formatter)

    def format_options(self, ctx, formatter):
        with _helps_translated(self.get_params(ctx)):
            super().format_options(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        with _helps_translated([self]):
            return super().get_short_help_str(limit)

    def get_help_option(self, ctx):
        # click makes --help once per command, its text translated then: kept as click's
        # message instead (matrix.i18n.CLICK_MESSAGES), translated when shown.
        new = getattr(self, "_help_option", None) is None
        option = super().get_help_option(ctx)
        if option is not None and new:
            option.help = "Show this message and exit."
        return option


class _helps_translated:
    """Swap the ``help`` of commands or options for its translation while it is shown."""

    def __init__(self, items) -> None:
        self.items = [i for i in items if getattr(i, "help", None)]

    def __enter__(self) -> None:
        import inspect

        self.saved = [i.help for i in self.items]
        for item in self.items:
            item.help = _(inspect.cleandoc(item.help))

    def __exit__(self, *exc) -> None:
        for item, text in zip(self.items, self.saved):
            item.help = text


class _Command(_Translated, click.Command):
    """A dutymatrix command: help in the user's language."""


TranslatedCommand = _Command  # the class of a command declared outside the group


class TranslatedGroup(_Translated, click.Group):
    """The ``dutymatrix`` group: reads ``--lang`` before click parses anything, so that click's
    own messages (an unknown option) are in that language too; its commands are ``_Command``."""

    command_class = _Command

    def __init__(self, *args, lazy_commands: dict[str, str] | None = None, **kwargs) -> None:
        """``lazy_commands``: name → ``"module:attribute"`` of commands declared in a module
        imported only when the command is looked up (run, or listed by ``--help``)."""
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx) -> list[str]:
        return sorted({*self.commands, *self.lazy_commands})

    def get_command(self, ctx, name: str):
        if name not in self.commands:
            # an unknown name loads them all: click offers its "Did you mean" from ``commands``
            for lazy in [name] if name in self.lazy_commands else list(self.lazy_commands):
                self._load(lazy)
        return super().get_command(ctx, name)

    def _load(self, name: str) -> None:
        import importlib

        module, _, attribute = self.lazy_commands[name].partition(":")
        if name not in self.commands:
            self.add_command(getattr(importlib.import_module(module), attribute), name)

    def parse_args(self, ctx, args):
        from ..i18n import lang_from_args, use

        use(lang_from_args(args))
        return super().parse_args(ctx, args)
