"""Bytes → text: the first stage of the pipeline.

``read_bytes`` turns the content of one input into a ``RawText``: the plain text of the plan, the
encoding it was read with and the format it came in.

* **Formats.** A Word ``.docx`` (a zip holding ``word/document.xml``) goes through
  ``docxtext``; an HTML page (suffix ``.html``/``.htm``, or text that opens with a tag such as
  ``<html`` or ``<div``) through ``htmltext``; anything else is plain text. Old binary ``.doc``,
  PDF and other archives are refused with a message saying what to do instead.
* **Encodings.** UTF-8 with or without BOM and UTF-16/UTF-32 with BOM are recognised directly;
  an HTML page's own ``<meta charset>`` is believed when it decodes; anything else is detected
  with charset-normalizer (GB18030, Big5, UTF-16 without BOM …) unless the caller names an
  encoding. GB2312 and GBK are read with GB18030, their superset, so that nothing is lost.
* **Never mojibake.** Bytes that do not decode raise ``MatrixInputError`` naming the encoding
  tried and where it failed. A detected (or named) encoding whose result is mostly not Chinese —
  Latin-1 letters, kana, hangul, replacement characters where a Chinese plan has hanzi — is
  refused the same way rather than parsed.

* **Size.** An input larger than ``MAX_INPUT_BYTES`` (64 MB; the environment variable
  ``DUTYMATRIX_MAX_INPUT_MB`` sets another limit in megabytes of 2**20 bytes) is refused before it
  is read: a file by its size on disk, standard input as soon as more than the limit has come in.
  The largest real plans are a few hundred kilobytes; a file far over that is not a plan, and
  parsing it would hold several times its size in memory. A ``.docx`` is also refused when what
  it unpacks to is over the limit (a zip bomb), from the sizes its zip directory declares, which
  bound what unpacking can produce.

Every error is a ``MatrixInputError`` whose message starts with the file name.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .errors import MatrixInputError, unreadable
from .i18n import _, ngettext

STDIN = "-"  # the file name that means standard input
STDIN_NAME = "<stdin>"  # how standard input is named in messages and records

MB = 2**20
MAX_INPUT_BYTES = 64 * MB  # the default limit on one input (see the module docstring)
LIMIT_VARIABLE = "DUTYMATRIX_MAX_INPUT_MB"
_CHUNK = MB  # inputs are read in pieces this size, so that the limit is checked as they come


@dataclass(frozen=True)
class RawText:
    """Decoded text of one input, with what was learnt while reading it.

    ``lines[i]`` is the line (HTML) or paragraph (.docx) of the user's file that line ``i + 1`` of
    ``text`` came from; ``None`` when ``text`` is the file itself, line for line.
    """

    text: str
    encoding: str | None
    format: str = "text"
    lines: tuple[int, ...] | None = None


# UTF-32 first: its little-endian BOM starts with the UTF-16 one.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))

# Encodings read with a superset, so that a GBK character in a "GB2312" file is not an error.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "euc_cn": "gb18030"}

_HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml", ".shtm"}
# The comments are matched possessively (``*+``): "<!---->" repeated can be cut into comments in
# exponentially many ways, and a plain ``*`` tried them all before failing (seconds for 22 of them).
_HTML_START = re.compile(r"\s*(?:<!--.*?-->\s*)*+"
                         r"<(?:!doctype\s+html|html|head|body|div|p|table|meta|"
                         r"title|span|section|article|h[1-6])\b", re.IGNORECASE | re.DOTALL)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)

# What a correctly decoded Chinese plan is made of, besides ASCII.
_GOOD_RANGES = (
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F),  # hanzi
    (0x3000, 0x303F), (0xFF01, 0xFF60), (0xFFE0, 0xFFE6), (0xFE30, 0xFE4F),  # full-width forms
    (0x2000, 0x206F), (0x2100, 0x218F), (0x2190, 0x21FF), (0x2200, 0x22FF),  # “” — … ℃ Ⅱ → ≥
    (0x2460, 0x24FF), (0x2500, 0x257F), (0x25A0, 0x25FF), (0x2600, 0x26FF),  # ① ─ ● ★
    (0x3200, 0x33FF), (0x3100, 0x312F), (0x2E80, 0x2FDF),  # ㈠ ㎡, bopomofo, radicals
)
# Neither evidence for nor against: pinyin vowels, NBSP, middle dot, × ÷ °.
_NEUTRAL_RANGES = ((0x00A0, 0x00A0), (0x00B7, 0x00B7), (0x00D7, 0x00D7), (0x00F7, 0x00F7),
                   (0x00B0, 0x00B0), (0x00E0, 0x00FC), (0x0100, 0x024F), (0x01CD, 0x01DC),
                   (0x0300, 0x036F), (0x0391, 0x03C9))
_MIN_CHINESE_SHARE = 0.8


def _in(code: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= code <= hi for lo, hi in ranges)


def chinese_share(text: str) -> float | None:
    """Share of the non-ASCII, non-neutral characters of ``text`` that a Chinese text is made of.

    ``None`` when there is nothing to judge (pure ASCII, say). Control characters other than
    whitespace and U+FFFD count against the text.
    """
    good = bad = 0
    for ch in text:
        code = ord(ch)
        if code < 0x80:
            if code < 0x20 and ch not in "\t\n\r\f\v":
                bad += 1
            continue
        if _in(code, _GOOD_RANGES):
            good += 1
        elif not _in(code, _NEUTRAL_RANGES):
            bad += 1
    if good + bad == 0:
        return None
    return good / (good + bad)


def _check_chinese(text: str, path: str, encoding: str, how: str) -> None:
    share = chinese_share(text)
    if share is not None and share < _MIN_CHINESE_SHARE:
        sample = next((line.strip() for line in text.splitlines() if line.strip()), "")[:30]
        raise MatrixInputError(_(
            "{path}: read as {encoding} ({how}), the text is mostly not Chinese (only {share} of "
            "its non-ASCII characters are hanzi or Chinese punctuation, e.g. {sample!r}): wrong "
            "encoding? name the right one with --encoding").format(
                path=path, encoding=encoding, how=how, share=f"{share:.0%}", sample=sample))


def _where(data: bytes, start: int, encoding: str) -> str:
    """'line 3, byte 0xff at offset 40' for a decoding error (lines only where bytes show them)."""
    where = (_("byte 0x{byte:02x} at offset {offset}").format(byte=data[start], offset=start)
             if start < len(data) else _("at the end"))
    if not encoding.replace("-", "_").lower().startswith(("utf_16", "utf_32", "utf16", "utf32")):
        line = data.count(b"\n", 0, start) + 1
        where = _("line {line}, {where}").format(line=line, where=where)
    return where


def _strict(data: bytes, encoding: str, path: str, why: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        raise MatrixInputError(_("{path}: cannot decode as {encoding} ({why}): {where} is not "
                                 "{encoding}").format(path=path, encoding=encoding, why=why,
                                                      where=_where(data, e.start, encoding))
                               ) from None


def _lookup(name: str, path: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise MatrixInputError(_("{path}: unknown encoding {name!r}").format(
            path=path, name=name)) from None


def _check_damaged_utf8(data: bytes, path: str, error: UnicodeDecodeError) -> None:
    """Refuse a UTF-8 file with a few bad bytes: another encoding would make mojibake of it."""
    replaced = data.decode("utf-8", errors="replace").count("\ufffd")
    non_ascii = sum(1 for b in data if b >= 0x80)
    if replaced and replaced * 200 <= non_ascii:
        raise MatrixInputError(ngettext(
            "{path}: the file is UTF-8 except for {count} byte sequence, the first at {where}: "
            "a damaged file? Repair it, or name the encoding with --encoding",
            "{path}: the file is UTF-8 except for {count} byte sequences, the first at {where}: "
            "a damaged file? Repair it, or name the encoding with --encoding", replaced).format(
                path=path, count=replaced, where=_where(data, error.start, "utf-8"))) from None


def decode(data: bytes, path: str = "<input>", encoding: str | None = None, *,
           declared: str | None = None) -> RawText:
    """Decode ``data`` as text (see the module docstring); ``encoding`` overrides detection.

    ``declared`` is an encoding the content names for itself (an HTML ``<meta charset>``): used
    when the bytes decode with it, ignored otherwise.
    """
    if encoding:
        name = _lookup(encoding, path)
        wide = _SUPERSETS.get(name, name)
        why = (_("as asked") if wide == name
               else _("as asked; read with {encoding}, its superset").format(encoding=wide))
        text = _strict(data, wide, path, why)
        _check_chinese(text, path, encoding, _("as asked"))
        return RawText(text, wide)
    for bom, name in _BOMS:
        if data.startswith(bom):
            why = _("the file starts with a {encoding} BOM").format(encoding=name)
            return RawText(_strict(data, name, path, why), name)
    try:
        return RawText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as e:
        utf8_error = e
    _check_damaged_utf8(data, path, utf8_error)
    if declared:
        try:
            name = codecs.lookup(declared).name
            name = _SUPERSETS.get(name, name)
            text = data.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
        else:
            share = chinese_share(text)
            if share is None or share >= _MIN_CHINESE_SHARE:
                return RawText(text, name)
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise MatrixInputError(_(
            "{path}: cannot decode as utf-8 ({where} is not utf-8) and no other encoding fits: "
            "name one with --encoding").format(
                path=path, where=_where(data, utf8_error.start, "utf-8"))) from None
    name = codecs.lookup(best.encoding).name
    name = _SUPERSETS.get(name, name)
    text = _strict(data, name, path, _("detected"))
    _check_chinese(text, path, name, _("detected, since the file is not utf-8"))
    return RawText(text, name)


def sniff_format(data: bytes, name: str = "", *, label: str | None = None) -> str:
    """``docx``, ``html`` or ``text`` from the file name and the first bytes.

    ``label`` names the input in messages (default: ``name``).

    Raises ``MatrixInputError`` for formats that hold a plan but cannot be read (PDF, .doc, other
    zip archives such as .xlsx), with what to do instead.
    """
    suffix = Path(name).suffix.lower() if name else ""
    label = label or name or "<input>"
    if data.startswith(b"PK\x03\x04"):
        if b"word/" in data[:65536] or suffix in (".docx", ".docm", ".dotx"):
            return "docx"
        what = _("an Excel workbook") if b"xl/" in data[:65536] else _("a zip archive")
        raise MatrixInputError(_("{path}: this is {what}, not a plan: dutymatrix reads plain "
                                 "text, HTML pages and Word .docx files").format(path=label,
                                                                                 what=what))
    if data.startswith(b"%PDF"):
        raise MatrixInputError(_("{path}: PDF is not read directly: copy the text out of the PDF "
                                 "into a .txt file (hard line breaks and page numbers are "
                                 "handled)").format(path=label))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise MatrixInputError(_("{path}: this is an old binary Word .doc (or another Office 97 "
                                 "file): save it as .docx in Word or WPS and read that").format(
                                     path=label))
    if data.startswith(b"{\\rtf"):
        raise MatrixInputError(_("{path}: RTF is not read: save it as .docx or plain text")
                               .format(path=label))
    if suffix in (".docx", ".docm"):
        raise MatrixInputError(_("{path}: named .docx but is not a Word .docx (no zip inside)")
                               .format(path=label))
    if suffix in _HTML_SUFFIXES:
        return "html"
    head = data[:4096]
    for bom, enc in _BOMS:
        if head.startswith(bom):
            head = head.decode(enc, errors="ignore").encode("utf-8")
            break
    if b"\x00" in head[:200]:  # UTF-16 without BOM: look at its ASCII letters only
        head = head.replace(b"\x00", b"")
    if _HTML_START.match(head.decode("latin-1")):
        return "html"
    return "text"


def max_input_bytes(path: str = "<input>") -> int:
    """The largest input read, in bytes: ``DUTYMATRIX_MAX_INPUT_MB`` megabytes when it is set,
    else ``MAX_INPUT_BYTES``. A value that is not a positive number is an error naming ``path``."""
    value = os.environ.get(LIMIT_VARIABLE, "").strip()
    if not value:
        return MAX_INPUT_BYTES
    try:
        megabytes = float(value)
    except ValueError:
        megabytes = float("nan")
    if not megabytes > 0 or megabytes == float("inf"):  # also refuses nan
        raise MatrixInputError(_("{path}: {variable}={value!r}: expected a positive number of "
                                 "megabytes, e.g. 256").format(path=path, variable=LIMIT_VARIABLE,
                                                               value=value))
    return int(megabytes * MB)


def check_size(size: int, path: str, limit: int | None = None) -> None:
    """Refuse an input of ``size`` bytes when it is over the limit (``max_input_bytes``)."""
    limit = max_input_bytes(path) if limit is None else limit
    if size > limit:
        raise MatrixInputError(_(
            "{path}: {size} is over the {limit} MB limit; split the file or raise {variable}")
            .format(path=path, size=_size(size), limit=_megabytes(limit),
                    variable=LIMIT_VARIABLE))


def _megabytes(limit: int) -> str:
    """64, 0.5, 0.01: a limit in megabytes as the user set it."""
    return f"{round(limit / MB, 3):g}"


def _size(size: int) -> str:
    """100.0 MB, 0.3 MB, 29.4 KB: a size as a person reads it."""
    return f"{size / MB:.1f} MB" if size >= MB / 10 else f"{size / 1024:.1f} KB"


def read_bytes(data: bytes, path: str = "<input>", encoding: str | None = None, *,
               format: str | None = None) -> RawText:
    """Read the content of one input in any supported format; errors name ``path``.

    ``format`` (``text``, ``html``, ``docx``) overrides sniffing. Content over the size limit
    (``max_input_bytes``) is refused.
    """
    check_size(len(data), path)
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise MatrixInputError(_("{path}: the file is empty").format(path=path))
    fmt = format or sniff_format(data, "" if path == STDIN_NAME else path, label=path)
    if fmt == "docx":
        _check_unpacked_size(data, path)
        from .docxtext import docx_to_text

        text, lines = docx_to_text(data, path)
        return RawText(text, None, "docx", lines)
    if fmt == "html":
        m = _META_CHARSET.search(data[:4096])
        raw = decode(data, path, encoding, declared=m.group(1).decode("ascii") if m else None)
        from .htmltext import html_to_text

        text, lines = html_to_text(raw.text)
        return RawText(text, raw.encoding, "html", lines)
    if fmt != "text":
        raise MatrixInputError(_("{path}: unknown input format {format!r} (text, html or docx)")
                               .format(path=path, format=fmt))
    return decode(data, path, encoding)


def _check_unpacked_size(data: bytes, path: str) -> None:
    """Refuse a zip (.docx) whose members unpack to more than the size limit.

    ``zipfile`` never returns more than a member's declared size, so the declared sizes bound
    the memory that reading the .docx takes. A damaged zip is left to ``docx_to_text``.
    """
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except Exception:  # any damage (BadZipFile, NotImplementedError for an unknown zip
        return  # version, UnicodeDecodeError in a name …) is docx_to_text's to report
    limit = max_input_bytes(path)
    if unpacked > limit:
        raise MatrixInputError(_(
            "{path}: the .docx unpacks to {size}, over the {limit} MB limit; split the document "
            "or raise {variable}").format(path=path, size=_size(unpacked),
                                          limit=_megabytes(limit), variable=LIMIT_VARIABLE))


def read_path(path: Path | str, encoding: str | None = None, *,
              format: str | None = None) -> tuple[bytes, RawText]:
    """Read a file from disk (``-`` is standard input) and decode it; errors name the file."""
    if str(path) == STDIN:
        return read_stream(sys.stdin, STDIN_NAME, encoding, format=format)
    path = Path(path)
    limit = max_input_bytes(str(path))
    try:
        with open(path, "rb") as handle:
            # The size on disk first, so that a huge file is refused without reading it; then
            # no more than the limit is read, in case the file grows or is not a regular file.
            check_size(os.fstat(handle.fileno()).st_size, str(path), limit)
            data = _read_limited(handle, str(path), limit)
    except OSError as e:
        raise unreadable(path, e) from None
    return data, read_bytes(data, str(path), encoding, format=format)


def _read_limited(source, name: str, limit: int) -> bytes | str:
    """Everything from ``source`` (bytes, or str from a text stream), refused as soon as more
    than ``limit`` has come in: a pipe that never ends does not fill the memory."""
    chunks: list = []
    total = 0
    while True:
        chunk = source.read(min(_CHUNK, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        # A text stream yields characters: count them as UTF-8 bytes, as they will be encoded.
        if isinstance(chunk, str):
            total += len(chunk.encode("utf-8", "surrogatepass"))
        else:
            total += len(chunk)
        if total > limit:
            raise MatrixInputError(_(
                "{path}: the input is over the {limit} MB limit; split it or raise {variable}")
                .format(path=name, limit=_megabytes(limit), variable=LIMIT_VARIABLE))
    if not chunks:
        return b""
    return chunks[0][:0].join(chunks)


def read_stream(stream: BinaryIO, name: str = STDIN_NAME, encoding: str | None = None, *,
                format: str | None = None) -> tuple[bytes, RawText]:
    """Read everything from an open file (binary, or text such as ``sys.stdin``) and decode it.

    A text stream is read through its binary ``buffer`` when it has one, so that the encoding is
    detected from the bytes and not guessed by the terminal's locale.
    """
    source = getattr(stream, "buffer", stream)
    try:
        data = _read_limited(source, name, max_input_bytes(name))
    except OSError as e:
        raise MatrixInputError(_("{path}: cannot read: {reason}").format(
            path=name, reason=e.strerror or e)) from None
    if isinstance(data, str):  # a text stream without a buffer (io.StringIO): already decoded
        data = data.encode("utf-8", "surrogatepass")
    return data, read_bytes(data, name, encoding, format=format)
