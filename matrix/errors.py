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
        where = self.path
        if self.page is not None:  # a paged source (PDF, scan): page and line on it
            where += f": page {self.page}, line {self.line}"
        elif self.line == -1:
            where += ":end of file"
        elif self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.message}"
        if self.context:
            text += "\n" + self.context.rstrip("\n")
        return text


class NoClausesError(MatrixParseError):
    """A file that holds no numbered clause at all (a news article, say)."""


class MatrixInputError(MatrixError):
    """A file that cannot be read at all: missing, undecodable, unsupported format."""


def unreadable(path: object, error: OSError, what: str = "file") -> MatrixInputError:
    """The message for a file the system would not let us read: missing, a folder, no access."""
    if isinstance(error, FileNotFoundError):
        return MatrixInputError(f"{path}: no such file")
    if isinstance(error, IsADirectoryError):
        return MatrixInputError(f"{path}: is a folder, not a {what}")
    return MatrixInputError(f"{path}: cannot read: {error.strerror or error}")


class MatrixOutputError(MatrixError):
    """An output that cannot be written safely."""


class UnknownDepartmentError(MatrixError):
    """A department name that matches nothing in the canonical data."""

    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name, self.suggestions = name, suggestions
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown department {name!r}{hint}")
