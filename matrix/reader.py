"""Bytes → text: the first stage of the pipeline.

``read_bytes`` decodes a file's content. UTF-8 with or without BOM and UTF-16 with BOM are
recognised directly; anything else is detected with charset-normalizer (GB18030, Big5 …) unless
the caller names an encoding. Text that cannot be decoded is refused with the encoding tried,
never parsed as mojibake.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from .errors import MatrixInputError


@dataclass(frozen=True)
class RawText:
    """Decoded text of one input, with what was learnt while reading it."""

    text: str
    encoding: str
    format: str = "text"


_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def decode(data: bytes, path: str = "<input>", encoding: str | None = None) -> RawText:
    """Decode ``data``; ``encoding`` overrides detection."""
    if encoding:
        try:
            return RawText(data.decode(encoding), encoding)
        except (UnicodeDecodeError, LookupError) as e:
            raise MatrixInputError(f"{path}: cannot decode as {encoding}: {e}") from None
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return RawText(data.decode(name), name)
            except UnicodeDecodeError as e:
                raise MatrixInputError(f"{path}: starts with a {name} BOM but is not {name}: {e}") from None
    try:
        return RawText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as e:
        utf8_error = e
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise MatrixInputError(
            f"{path}: not UTF-8 ({utf8_error.reason} at byte {utf8_error.start}) and no other "
            "encoding fits; name one with --encoding") from None
    encoding = best.encoding
    if encoding in ("gb2312", "gbk"):  # GB18030 is a superset: decode with it to lose nothing
        encoding = "gb18030"
    return RawText(data.decode(encoding, errors="strict"), encoding)


def read_path(path: Path, encoding: str | None = None) -> tuple[bytes, RawText]:
    """Read a file from disk and decode it; errors name the file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise MatrixInputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise MatrixInputError(f"{path}: is a folder, not a file") from None
    except OSError as e:
        raise MatrixInputError(f"{path}: cannot read: {e.strerror}") from None
    return data, decode(data, str(path), encoding)
