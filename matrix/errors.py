"""Domain exceptions. Every error a user can cause is one of these, never a traceback."""

from __future__ import annotations


class MatrixError(Exception):
    """Base of every dutymatrix error; ``str(e)`` is the message shown to the user."""

    exit_code = 1


class MatrixParseError(MatrixError, ValueError):
    """Input that cannot be read as a plan, with its position in the user's file.

    ``line`` is 1-based; ``None`` when unknown and ``-1`` for "end of file" (as Lark reports).
    """

    def __init__(self, path: str, line: int | None, column: int | None, message: str,
                 context: str | None = None, *, page: int | None = None) -> None:
        self.path, self.line, self.column, self.page = str(path), line, column, page
        self.message, self.context = message, context
        super().__init__(self.__str__())

    def __str__(self) -> str:
        from .i18n import _

        where = self.path
        if self.page is not None:  # a paged source (PDF, scan): page and line on it
            where += _(": page {page}, line {line}").format(page=self.page, line=self.line)
        elif self.line == -1:
            where += ":" + _("end of file")
        elif self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = _("{where}: {message}").format(where=where, message=self.message)
        if self.context:
            text += "\n" + self.context.rstrip("\n")
        return text


class NoClausesError(MatrixParseError):
    """A file that holds no numbered clause at all (a news article, say)."""


class MatrixInputError(MatrixError):
    """A file that cannot be read at all: missing, undecodable, unsupported format."""


def unreadable(path: object, error: OSError, what: str = "file") -> MatrixInputError:
    """The message for a file the system would not let us read: missing, a folder, no access."""
    from .i18n import _

    if isinstance(error, FileNotFoundError):
        return MatrixInputError(_("{path}: no such file").format(path=path))
    if isinstance(error, IsADirectoryError):
        return MatrixInputError(_("{path}: is a folder, not a {what}").format(path=path,
                                                                            what=_(what)))
    return MatrixInputError(_("{path}: cannot read: {reason}").format(
        path=path, reason=error.strerror or error))


class MatrixOutputError(MatrixError):
    """An output that cannot be written safely."""


class UnknownDepartmentError(MatrixError):
    """A department name that matches nothing in the canonical data."""

    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name, self.suggestions = name, suggestions
        from .i18n import _

        if suggestions:
            message = _("unknown department {name!r}; did you mean {suggestions}?").format(
                name=name, suggestions=", ".join(suggestions))
        else:
            message = _("unknown department {name!r}").format(name=name)
        super().__init__(message)
