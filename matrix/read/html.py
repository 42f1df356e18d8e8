"""HTML page → plain text of the plan, one block per line.

``html_to_text(page)`` reads a page saved from a government portal with the standard library's
``html.parser`` (a real, forgiving parser: unclosed ``<p>``, ``<li>``, ``<td>`` are closed the way
browsers close them) and returns the text with, for each line, the line of the page it came from.

What it guarantees:

1. Block elements (``p div br tr td li h1–h6 table ul ol section`` …) start a new line; inline
   elements (``span b a font`` …) do not. Whitespace inside a block collapses to one space, and a
   line break in the page source between two Chinese characters disappears (as a browser renders
   it). ``<pre>`` keeps its lines.
2. Nothing that is not page text: scripts, styles, comments, ``<head>``, forms' controls,
   navigation, iframes and elements hidden with ``display:none`` are dropped, and so are lines
   of page furniture ("扫一扫在手机打开当前页", 打印 / 关闭 / 收藏 buttons, 字号：大 中 小).
3. The metadata table of a portal page (索引号, 主题分类, 标题, 发文字号 …) is not body text: its
   标题 and 发文字号 come out as the first lines, ``标题：…`` and ``发文字号：…``, which
   ``transform.find_title`` reads; its other cells are dropped. Without that table, the page's
   ``<title>`` (site name cut off) gives the ``标题：`` line.
4. Where the page marks its article (``id="UCAP-CONTENT"``, ``id="zoom"``, ``class="TRS_Editor"``
   … and the article holds most of the page's Chinese text), only the article is read, so that
   menus and side lists of other documents cannot pass for numbered clauses.
5. A table of duties (任务分工表: columns such as 重点任务 and 牵头单位/责任单位/完成时限) becomes
   numbered clauses with trailers, exactly as in a .docx (``docx.division_lines``); other
   leaf tables give their cells' text, one cell per line. Tables that hold tables are layout.
6. Entities are decoded once here (``&nbsp;`` → NBSP); ``normalise`` decodes any left over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from ..errors import MatrixInputError
from ..i18n import _
from .plain import RawText, decode

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
         "source", "track", "wbr", "keygen", "basefont", "frame"}
_SKIP = {"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math",
         "canvas", "select", "button", "textarea", "head", "nav", "aside", "map", "audio",
         "video", "frameset", "noframes", "datalist", "option"}
_BLOCK = {"address", "article", "blockquote", "body", "center", "dd", "details", "dialog", "dir",
          "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
          "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "li", "main", "menu", "ol",
          "p", "pre", "section", "summary", "table", "tbody", "thead", "tfoot", "tr", "td", "th",
          "caption", "ul", "legend"}
# Start tags that close an open <p> (HTML's "p end tag omission").
_CLOSES_P = _BLOCK - {"body", "html", "td", "th", "tr", "tbody", "thead", "tfoot", "caption",
                      "li", "dd", "dt"}


class TableTooLarge(ValueError):
    """A table whose cells and spans cover more than ``limits.MAX_TABLE_CELLS`` positions."""


_MAX_DEPTH = 200  # deeper, tags are ignored (text kept) so that walking the tree cannot overflow
# Open elements an implied end tag may not cross.
_SCOPE = {"table", "td", "th", "html", "body", "button", "object", "caption"}

_CONTENT_IDS = {"ucap-content", "zoom", "fontzoom", "art_content", "articlecontent",
                "article-content", "article_content", "content_text", "pages_content",
                "mainarticle"}
_CONTENT_CLASSES = ("trs_editor", "trs_ueditor", "pages_content", "article-content",
                    "article_content", "articlecontent", "view-content")

_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_FURNITURE = re.compile(
    r"^(?:扫一扫在手机(?:上)?(?:打开|查看)当前页(?:面)?|"
    r"(?:[【\[]?(?:打印|打印本页|打印文章|关闭|关闭窗口|关闭本页|收藏|加入收藏|分享|分享到|返回顶部|"
    r"我要纠错|纠错|下载|保存|字号|字体)[】\]]?\s*)+|"
    r"[【\[]?(?:字号|字体)[：:]?\s*(?:大\s*中\s*小|[大中小]\s*)+[】\]]?)$")
_WS = re.compile(r"[ \t\r\n\f]+")
_CJKISH = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f“”‘’—…]")
_CJK_SPACE = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”])\s+"
                        r"|\s+(?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”])")
_META_LABELS = {"索引号", "主题分类", "发文机关", "成文日期", "标题", "发文字号", "发布日期", "主题词",
                "文号", "有效性", "信息来源", "发布机构", "公开方式", "公开范围", "生成日期",
                "名称", "信息分类", "发布时间", "文件编号", "失效时间", "组配分类", "体裁分类",
                "服务对象", "内容概述", "效力状态"}
_META_KEEP = {"标题": "标题", "名称": "标题", "发文字号": "发文字号", "文号": "发文字号",
              "文件编号": "发文字号"}
_TITLE_SPLIT = re.compile(r"\s*[_|｜]\s*|\s+[-–—－]+\s+|\s*——\s*")
_SITE_NAME = re.compile(r"(?:网|网站|门户|首页|主页|频道|平台|政府网|官网)$")


@dataclass
class Node:
    """An element of the parsed page; ``children`` holds nodes and (text, line) pairs."""

    tag: str
    attrs: dict[str, str]
    line: int
    children: list = field(default_factory=list)

    def iter(self):
        """This node and every descendant element, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()


class _TreeBuilder(HTMLParser):
    """Builds a small ``Node`` tree, closing elements the way browsers do."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, 1)
        self.stack = [self.root]

    def _close_to(self, tag: str, scope: set[str]) -> bool:
        for i in range(len(self.stack) - 1, 0, -1):
            name = self.stack[i].tag
            if name == tag:
                del self.stack[i:]
                return True
            if name in scope:
                return False
        return False

    def handle_starttag(self, tag: str, attrs) -> None:
        """Open an element (void elements are closed at once)."""
        if tag in _CLOSES_P:
            self._close_to("p", _SCOPE)
        if tag == "li":
            self._close_to("li", _SCOPE | {"ul", "ol"})
        elif tag in ("dd", "dt"):
            self._close_to("dd", _SCOPE | {"dl"}) or self._close_to("dt", _SCOPE | {"dl"})
        elif tag == "tr":
            self._close_to("tr", {"table"})
        elif tag in ("td", "th"):
            self._close_to("td", {"tr", "table"}) or self._close_to("th", {"tr", "table"})
        elif tag in ("tbody", "thead", "tfoot"):
            for inner in ("tbody", "thead", "tfoot"):
                self._close_to(inner, {"table"})
        if len(self.stack) > _MAX_DEPTH and tag not in _VOID and tag not in _SKIP:
            return  # thousands of unclosed <font>s: tags that deep add nothing but depth
        node = Node(tag, {k.lower(): (v or "") for k, v in attrs}, self.getpos()[0])
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs) -> None:
        """``<br/>``, ``<div/>``: an element with no content."""
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        """Close the innermost open element of that name; a stray end tag is ignored."""
        if tag in ("br", "p") and not any(n.tag == tag for n in self.stack):
            self.handle_starttag(tag, [])  # </br> and a stray </p> break the line, as browsers do
            if tag == "p":
                self.stack.pop()
            return
        self._close_to(tag, set() if tag not in ("td", "th", "tr") else {"table"})

    def handle_data(self, data: str) -> None:
        """Text, with the page line it starts on."""
        self.stack[-1].children.append((data, self.getpos()[0]))


def _hidden(node: Node) -> bool:
    return "hidden" in node.attrs or bool(_HIDDEN.search(node.attrs.get("style", "")))


def _skipped(node: Node) -> bool:
    return node.tag in _SKIP or _hidden(node)


def _label(text: str) -> str:
    return re.sub(r"[\s\u3000\xa0]+", "", text).rstrip("：:")


class _Lines:
    """Collects output lines; inline text accumulates until a block boundary."""

    def __init__(self, spaced: bool = False) -> None:
        self.lines: list[tuple[str, int]] = []
        self.parts: list[tuple[str, int]] = []
        self.spaced = spaced

    def add(self, text: str, line: int) -> None:
        """Inline text, part of the current line."""
        self.parts.append((text, line))

    def add_line(self, text: str, line: int) -> None:
        """A whole line of its own (a table cell, a duty-table clause)."""
        self.flush()
        self.lines.append((text, line))

    def flush(self) -> None:
        """End the current line at a block boundary (nothing when it holds only white space)."""
        if not self.parts:
            return
        joined = "".join(t for t, _ in self.parts)
        first = next((i for i, (t, _) in enumerate(self.parts) if t.strip(" \t\r\n\f")), None)
        if first is None:
            self.parts = []
            return
        t, line = self.parts[first]
        lead = len(t) - len(t.lstrip(" \t\r\n\f"))
        line += t[:lead].count("\n")
        self.parts = []
        self.lines.append((_collapse(joined, self.spaced), line))


def _collapse(text: str, spaced: bool = False) -> str:
    """HTML white space: runs become one space; a source line break between hanzi vanishes,
    unless ``spaced`` (table cells, where it often separates names: 市交通运输局⏎市财政局)."""
    def one(m: re.Match[str]) -> str:
        """What one run of white space becomes."""
        if spaced or ("\n" not in m.group(0) and "\r" not in m.group(0)):
            return " "
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if (before and _CJKISH.match(before)) or (after and _CJKISH.match(after)):
            return ""
        return " "

    return _WS.sub(one, text).strip(" ")


@dataclass
class _Cell:
    lines: list[tuple[str, int]]
    line: int

    @property
    def text(self) -> str:
        """The cell's lines joined by line breaks."""
        return "\n".join(t for t, _ in self.lines if t.strip())


class _Extractor:
    """Walks the tree into lines, reading tables as metadata, duty tables or cells."""

    def __init__(self, spaced: bool = False) -> None:
        self.out = _Lines(spaced)
        self.meta: dict[str, tuple[str, int]] = {}

    def walk(self, node: Node, pre: bool = False) -> None:
        """Add the text under ``node``; ``pre`` keeps line breaks (inside ``<pre>``)."""
        for child in node.children:
            if isinstance(child, tuple):
                text, line = child
                if pre and "\n" in text:
                    pieces = text.split("\n")
                    for k, piece in enumerate(pieces):
                        if k:
                            self.out.flush()
                        self.out.add(piece.replace("\r", ""), line + k)
                else:
                    self.out.add(text, line)
                continue
            if _skipped(child):
                continue
            if child.tag == "br":
                if self.out.parts:
                    self.out.flush()
                else:
                    self.out.lines.append(("", child.line))
                continue
            if child.tag == "table" and not any(n.tag == "table" for n in child.iter()
                                                if n is not child):
                self.out.flush()
                self.table(child)
                continue
            block = child.tag in _BLOCK
            if block:
                self.out.flush()
            self.walk(child, pre or child.tag == "pre")
            if block:
                self.out.flush()

    # -- tables ---------------------------------------------------------------------------------
    def _cell(self, node: Node) -> _Cell:
        inner = _Extractor(spaced=True)
        inner.walk(node)
        inner.out.flush()
        lines = [(t, ln) for t, ln in inner.out.lines if t.strip()]
        return _Cell(lines, lines[0][1] if lines else node.line)

    def _grid(self, table: Node) -> tuple[list[list[_Cell]], list[_Cell]]:
        """Rows aligned on the column grid (spanned cells repeated) and the cells in order.

        Raises ``TableTooLarge`` past ``MAX_TABLE_CELLS`` grid positions: spans of a few
        hundred rows each, stacked, would otherwise grow the grid quadratically."""
        from ..safety.limits import MAX_TABLE_CELLS

        rows = [n for n in table.iter() if n.tag == "tr" and not _hidden(n)]
        total = 0
        grid: list[list[_Cell]] = []
        order: list[_Cell] = []
        pending: dict[int, tuple[_Cell, int]] = {}  # column → (cell, rows still to fill)
        for tr in rows:
            row: list[_Cell] = []
            cells = [n for n in tr.children if isinstance(n, Node) and n.tag in ("td", "th")
                     and not _hidden(n)]
            col = 0

            def fill_pending() -> None:
                """Place the cells that rowspans above carry into this row."""
                nonlocal col
                while col in pending:
                    cell, left = pending[col]
                    row.append(cell)
                    if left <= 1:
                        del pending[col]
                    else:
                        pending[col] = (cell, left - 1)
                    col += 1

            for td in cells:
                fill_pending()
                cell = self._cell(td)
                order.append(cell)
                span = _int(td.attrs.get("colspan"), 1, 50)
                down = _int(td.attrs.get("rowspan"), 1, 500)
                for _column in range(span):
                    row.append(cell)
                    if down > 1:
                        pending[col] = (cell, down - 1)
                    col += 1
            fill_pending()
            for c in sorted(k for k in pending if k >= col):
                while col < c:
                    row.append(_Cell([], tr.line))
                    col += 1
                fill_pending()
            total += len(row)
            if total > MAX_TABLE_CELLS:
                raise TableTooLarge(_("a table (line {line}) spans more than "
                                      "{limit:,} cells (MAX_TABLE_CELLS): refused").format(
                                          line=table.line, limit=MAX_TABLE_CELLS))
            grid.append(row)
        return grid, order

    def table(self, table: Node) -> None:
        """A leaf table: metadata (kept aside), a duty table (clauses) or cells (lines)."""
        from .docx import division_lines

        grid, order = self._grid(table)
        if self._metadata(grid, order):
            return
        division = division_lines([[c.text for c in row] for row in grid])
        if division is not None:
            for row_index, text in division:
                row = grid[row_index]
                line = next((c.line for c in row if c.lines), table.line)
                self.out.add_line(text, line)
            return
        for cell in order:
            for text, line in cell.lines:
                self.out.add_line(text, line)

    def _metadata(self, grid: list[list[_Cell]], order: list[_Cell]) -> bool:
        """Read a portal's metadata table into ``self.meta``; False when it is not one."""
        texts = [c.text for c in order if c.text.strip()]
        labels = [t for t in texts if t.rstrip().endswith(("：", ":")) and _label(t) in _META_LABELS]
        if not labels or len(labels) * 2 < len(texts) - len(labels):
            return False
        for row in grid:
            unique = [c for i, c in enumerate(row) if i == 0 or c is not row[i - 1]]
            for i, cell in enumerate(unique):
                text = cell.text
                key = _META_KEEP.get(_label(text)) if text.rstrip().endswith(("：", ":")) else None
                if key and i + 1 < len(unique) and key not in self.meta:
                    value = unique[i + 1].text
                    value = re.sub(r"\s+", "", value) if key == "发文字号" else \
                        _CJK_SPACE.sub("", " ".join(value.split()))
                    if value:
                        self.meta[key] = (value, unique[i + 1].line)
        return True


def _int(value: str | None, default: int, most: int) -> int:
    try:
        return max(1, min(int((value or "").strip()), most))
    except ValueError:
        return default


def _cjk_count(node: Node) -> int:
    count = 0
    stack = [node]
    while stack:
        n = stack.pop()
        if _skipped(n) and n.tag != "head":
            continue
        for child in n.children:
            if isinstance(child, Node):
                if not _skipped(child):
                    stack.append(child)
            else:
                count += sum(1 for ch in child[0] if "\u4e00" <= ch <= "\u9fff")
    return count


def _visible(node: Node):
    """``node`` and its descendants, in document order, without skipped or hidden subtrees."""
    if node.tag != "#root" and _skipped(node):
        return
    yield node
    for child in node.children:
        if isinstance(child, Node):
            yield from _visible(child)


def _article(root: Node) -> Node | None:
    """The element the page marks as its article, if it holds most of the page's text."""
    total = _cjk_count(root)
    for node in _visible(root):
        ident = node.attrs.get("id", "").lower()
        classes = node.attrs.get("class", "").lower().split()
        if ident in _CONTENT_IDS or any(c in _CONTENT_CLASSES for c in classes):
            if total and _cjk_count(node) * 2 >= total:
                return node
    return None


def _page_title(root: Node) -> tuple[str, int] | None:
    for node in root.iter():
        if node.tag == "title":
            text = " ".join("".join(c[0] for c in node.children if isinstance(c, tuple)).split())
            for part in _TITLE_SPLIT.split(text):
                part = part.strip()
                hanzi = sum(1 for ch in part if "\u4e00" <= ch <= "\u9fff")
                if hanzi >= 6 and not _SITE_NAME.search(part):
                    return part, node.line
            return None
    return None


def parse_html(page: str) -> Node:
    """The page as a ``Node`` tree (never raises: the parser recovers from any markup)."""
    builder = _TreeBuilder()
    builder.feed(page)
    builder.close()
    return builder.root


def html_to_text(page: str) -> tuple[str, tuple[int, ...]]:
    """(text, page line of each text line) of an HTML page, as the module docstring promises."""
    root = parse_html(page)
    metadata = _Extractor()
    for table in _visible(root):
        if table.tag == "table" and not any(n.tag == "table" for n in table.iter()
                                            if n is not table):
            grid, order = metadata._grid(table)
            metadata._metadata(grid, order)
    body = _Extractor()
    article = _article(root)
    body.walk(article if article is not None else root)
    body.out.flush()
    meta = dict(metadata.meta)
    if "标题" not in meta:
        title = _page_title(root)
        if title:
            meta["标题"] = title
    lines: list[tuple[str, int]] = [(f"{key}：{meta[key][0]}", meta[key][1])
                                    for key in ("标题", "发文字号") if key in meta]
    for text, line in body.out.lines:
        if _FURNITURE.match(re.sub(r"[\s\xa0]+", "", text)) and text.strip():
            continue
        lines.append((text, line))
    # Blank runs collapse to one blank line: they carry no meaning after this point.
    out: list[tuple[str, int]] = []
    for text, line in lines:
        if not text.strip() and (not out or not out[-1][0].strip()):
            continue
        out.append((text, line))
    while out and not out[-1][0].strip():
        out.pop()
    if not out:
        return "", ()
    return "\n".join(t for t, _ in out) + "\n", tuple(line for _, line in out)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def read_html(data: bytes, path: str, encoding: str | None = None) -> RawText:
    """The reader of HTML pages (see the package): decode (believing the page's own ``<meta
    charset>`` when it decodes), then :func:`html_to_text`."""
    m = _META_CHARSET.search(data[:4096])
    raw = decode(data, path, encoding, declared=m.group(1).decode("ascii") if m else None)
    try:
        text, lines = html_to_text(raw.text)
    except TableTooLarge as e:
        raise MatrixInputError(_("{where}: {message}").format(where=path, message=e)) from None
    return RawText(text, raw.encoding, "html", lines)
