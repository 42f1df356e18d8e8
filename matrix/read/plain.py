"""Plain text: bytes → str in the right encoding, or a clear refusal (never mojibake).

:func:`decode` is the reader of plain-text inputs (and decodes HTML pages for ``html``);
:class:`RawText` is what every reader of this package returns.

* **Encodings.** UTF-8 with or without BOM and UTF-16/UTF-32 with BOM are recognised directly;
  an HTML page's own ``<meta charset>`` is believed when it decodes; anything else is detected
  with charset-normalizer (GB18030, Big5, UTF-16 without BOM …) unless the caller names an
  encoding. GB2312 and GBK are read with GB18030, their superset, so that nothing is lost.
* **Never mojibake.** Bytes that do not decode raise ``MatrixInputError`` naming the encoding
  tried and where it failed. A detected (or named) encoding whose result is mostly not Chinese —
  Latin-1 letters, kana, hangul, replacement characters where a Chinese plan has hanzi — is
  refused the same way rather than parsed.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from ..errors import MatrixInputError
from ..i18n import _, ngettext


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
    # For a paged source (PDF, scan, OFD): the page of each line; ``lines`` is then the line on it.
    pages: tuple[int, ...] | None = None
    confidence: tuple[float | None, ...] | None = None  # OCR confidence of each line (a scan)


# UTF-32 first: its little-endian BOM starts with the UTF-16 one.
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))

# Encodings read with a superset, so that a GBK character in a "GB2312" file is not an error.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "euc_cn": "gb18030"}

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
            "encoding? Open it in an editor and save it as UTF-8").format(
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
        raise MatrixInputError(_(
            "{path}: the file is UTF-8 except for {count} byte sequence(s), the first at {where}: "
            "a damaged file, or text of two encodings pasted together? Repair it and save it as "
            "UTF-8").format(path=path, count=replaced, where=_where(data, error.start, "utf-8"))
        ) from None


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
    for bom, name in BOMS:
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
            "open it in an editor and save it as UTF-8").format(
                path=path, where=_where(data, utf8_error.start, "utf-8"))) from None
    name = codecs.lookup(best.encoding).name
    name = _SUPERSETS.get(name, name)
    text = _strict(data, name, path, _("detected"))
    _check_chinese(text, path, name, _("detected, since the file is not utf-8"))
    return RawText(text, name)
