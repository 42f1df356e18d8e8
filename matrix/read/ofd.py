"""OFD (GB/T 33190, the national fixed-layout format) → plain text, page by page.

An OFD file is a zip of XML: ``OFD.xml`` names each document's root (``DocBody/DocRoot``), the
document (``Document.xml``) lists its pages (``Pages/Page@BaseLoc``), and each page's content
holds ``TextObject`` elements (a ``Boundary`` "x y w h" in millimetres) whose ``TextCode``
children carry the text at an offset (``X``, ``Y``) inside the boundary.

``ofd_to_text(data, path)`` returns a ``furniture.Paged`` text:

* the zip is checked by ``safety.zipcheck`` before anything is unpacked, and every XML part is parsed
  with defusedxml (no entities, no external references);
* **reading order**: each text run is placed at its absolute position (boundary plus offset);
  runs whose baselines are within half a character height are one line, read left to right,
  and lines run top to bottom;
* page numbers and running heads are dropped as for PDF (``furniture.drop_furniture``), and the
  line breaks are left for ``reflow``.

No maintained Python library reads OFD text well enough to depend on (the few on PyPI render
to images or are unmaintained), so this module reads the XML itself.
"""

from __future__ import annotations

import posixpath
import re

from ..errors import MatrixInputError
from ..i18n import N_, _

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element, name: str):
    return [child for child in element if _local(child.tag) == name]


def _find(element, *names: str):
    for name in names:
        found = _children(element, name) if element is not None else []
        element = found[0] if found else None
    return element


def _numbers(text: str | None) -> list[float]:
    return [float(n) for n in _NUMBER.findall(text or "")]


def _parse(archive, name: str, path: str):
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    from ..safety.zipcheck import read_member

    try:
        return ElementTree.fromstring(read_member(archive, name, path))
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as e:
        raise MatrixInputError(_("{path}: {name} in the OFD file is damaged or unsafe XML "
                                 "({error})").format(path=path, name=name, error=e)) from None


def _resolve(base: str, location: str, names: set[str]) -> str:
    """A location inside the package, relative to the folder of ``base`` or absolute."""
    location = location.strip().replace("\\", "/")
    if location.startswith("/"):
        candidate = posixpath.normpath(location.lstrip("/"))
    else:
        candidate = posixpath.normpath(posixpath.join(posixpath.dirname(base), location))
    if candidate not in names and location.lstrip("/") in names:
        candidate = location.lstrip("/")
    return candidate


def page_lines(content) -> list[str]:
    """The text lines of one page's content XML, in reading order."""
    runs = []  # (baseline y, x, height, text)
    for obj in content.iter():
        if _local(obj.tag) != "TextObject":
            continue
        box = _numbers(obj.get("Boundary"))
        left, top = (box[0], box[1]) if len(box) >= 2 else (0.0, 0.0)
        size = float(obj.get("Size") or (box[3] if len(box) >= 4 else 3.5) or 3.5)
        for code in _children(obj, "TextCode"):
            text = code.text or ""
            if not text.strip():
                continue
            x = float(code.get("X") or 0.0)
            y = float(code.get("Y") or 0.0)
            runs.append((top + y, left + x, size, text))
    runs.sort()
    lines: list[list[tuple]] = []
    for run in runs:
        if lines and abs(run[0] - lines[-1][0][0]) < max(run[2], lines[-1][0][2]) / 2:
            lines[-1].append(run)
        else:
            lines.append([run])
    return ["".join(r[3] for r in sorted(line, key=lambda r: r[1])) for line in lines]


def ofd_to_text(data: bytes, path: str = "<input>"):
    """The text of every page of every document of an OFD file, as a ``pdf.Paged``."""
    from .furniture import Paged, TextBudget, check_pages, drop_furniture
    from ..safety.zipcheck import open_zip

    archive = open_zip(data, path, N_("an OFD file"))
    with archive:
        names = set(archive.namelist())
        if "OFD.xml" not in names:
            raise MatrixInputError(_("{path}: not an OFD file (no OFD.xml inside the zip)").format(
                path=path))
        root = _parse(archive, "OFD.xml", path)
        pages: list[list[str]] = []
        budget = TextBudget(path)
        read: dict[str, list[str]] = {}  # a content part several pages share is parsed once
        for body in _children(root, "DocBody"):
            doc_root = _find(body, "DocRoot")
            if doc_root is None or not (doc_root.text or "").strip():
                continue
            doc_name = _resolve("OFD.xml", doc_root.text, names)
            if doc_name not in names:
                raise MatrixInputError(_("{path}: the OFD file names {name} "
                                         "but does not hold it").format(
                                             path=path, name=doc_root.text.strip()))
            document = _parse(archive, doc_name, path)
            listed = _children(_find(document, "Pages") or document, "Page")
            check_pages(len(pages) + len(listed), path)
            for page in listed:
                location = page.get("BaseLoc")
                if not location:
                    continue
                page_name = _resolve(doc_name, location, names)
                if page_name not in names:
                    raise MatrixInputError(_("{path}: the OFD file names page {location} but "
                                             "does not hold it").format(
                                                 path=path, location=location))
                if page_name not in read:
                    read[page_name] = page_lines(_parse(archive, page_name, path))
                pages.append(read[page_name])
                budget.add(sum(map(len, pages[-1])), len(pages))
    if not pages:
        raise MatrixInputError(_("{path}: the OFD file has no pages").format(path=path))
    kept = drop_furniture(pages)
    text, numbers, lines = [], [], []
    for number, page in enumerate(kept, 1):
        for line, value in page:
            text.append(value)
            numbers.append(number)
            lines.append(line)
    if not "".join(text).strip():
        raise MatrixInputError(_("{path}: the OFD file holds no text (a scan inside an OFD is "
                                 "not read: print it to PDF and read that)").format(path=path))
    return Paged("\n".join(text), tuple(numbers), tuple(lines), None, len(pages), 0)
