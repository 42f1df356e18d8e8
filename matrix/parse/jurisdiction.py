"""Local-government plans: whose plan a document is, and what its printed names mean there.

A 省 / 市 / 县 / 区 plan prints its own bodies with a level prefix (市发改局, 省卫生健康委), often
without one (统计局, 发展改革委: that government's own body, never the national one), and lets a
prefix run over a list (市发改局、住建局 → 市住建局). This module holds the pure functions for
that, used by ``transform`` while it builds a document:

* :func:`distribute_prefix`: a list's level prefix written out over the names that lack one;
* :func:`detect_jurisdiction`: level and name of the issuing government, from the 文号, the issuer
  and title lines and the prefixes its bodies carry (``parse --jurisdiction`` overrides);
* :class:`~matrix.parse.localnames.LocalResolver` (its own module): a printed name in a local document → one :class:`Department` per body
  and its national counterpart. A body is **named as the plan prints it** (the prefix written
  out: 区发改局 stays 区发改局, never 区发展改革委; a 2012 plan's 市国税局 and 市社工委 stay, with
  no successor and no merger). Its function — the national body whose duties it carries, found
  from the spellings the national data knows (发展改革委, 发改委, 发展和改革委员会 → 国家发展改革委)
  plus the ``local`` spellings of ``departments.toml`` (经信, 人力社保 …) — is its
  ``counterpart`` and its key (prefix, function): :meth:`LocalResolver.unify` gives the spellings
  one plan prints of one body one column, titled with the fullest (市发改委 and 市发展和改革委员会),
  and searches find a column by any spelling. No list of governments is needed.

A prefix distributes only onto a government's own bodies (厅 局 委 办 …): never onto a
laboratory, a hospital or a group, and after 省委宣传部 as the government's 省, never 省委.
The jurisdiction comes from the issuer, the title and the 文号: a government named inside a
long sentence counts only where it issues the document (…人民政府办公厅印发).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Sequence

from ..records import Department, Jurisdiction
from ..text.patterns import lazy

LEVELS = ("central", "province", "city", "county", "district")
LEVEL_PREFIX = {"province": "省", "city": "市", "county": "县", "district": "区"}
_PREFIX_LEVEL = {"省": "province", "市": "city", "州": "city", "盟": "city", "县": "county",
                 "旗": "county", "区": "district"}
_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
# 文号 abbreviations of the provincial-level governments (粤府办〔2023〕5号).
PROVINCE_ABBREVIATIONS = {
    "京": "北京市", "津": "天津市", "沪": "上海市", "渝": "重庆市", "冀": "河北省", "晋": "山西省",
    "蒙": "内蒙古自治区", "内蒙": "内蒙古自治区", "辽": "辽宁省", "吉": "吉林省", "黑": "黑龙江省",
    "苏": "江苏省", "浙": "浙江省", "皖": "安徽省", "闽": "福建省", "赣": "江西省", "鲁": "山东省",
    "豫": "河南省", "鄂": "湖北省", "湘": "湖南省", "粤": "广东省", "桂": "广西壮族自治区",
    "琼": "海南省", "川": "四川省", "黔": "贵州省", "云": "云南省", "滇": "云南省", "藏": "西藏自治区",
    "陕": "陕西省", "甘": "甘肃省", "青": "青海省", "宁": "宁夏回族自治区", "新": "新疆维吾尔自治区",
}

_HAN = "\u4e00-\u9fff"
# A government's name: 广东省, 鞍山市, 立山区, 恩施土家族苗族自治州, 金乡县.
# (a place's name holds no 委, 办, 室, 厅, 局, 部, 政 or 府: 中共嵊泗县委办公室嵊泗县 is no place)
_PLACE = rf"(?:(?![委办室厅局部政府])[{_HAN}]){{1,10}}?(?:自治区|自治州|自治县|省|市|县|旗|区)"
# A name starts a line or follows punctuation (a label such as 发文单位 is blanked out first):
# never inside a sentence (经省政府同意 names no government).
_START = rf"(?:(?<![{_HAN}])|(?<=办公室)|(?<=办公厅))"  # (…县委办公室嵊泗县人民政府办公室)
_NOT_PLACE = "各有相全本我经已年在的为由将现请和及对向按据与从省市县区"
_GOV_LINE = lazy(rf"{_START}((?![{_NOT_PLACE}])(?:{_PLACE})+)(?:人民政府|政府)(?:办公厅|办公室)?(?:文件|关于|$)")
_GOV_ANY = lazy(rf"{_START}((?![{_NOT_PLACE}])(?:{_PLACE})+)(?:人民政府|政府)")
_PART = lazy(_PLACE)
_TITLE_PLACE = lazy(rf"^(?:【[^】]*】)?([{_HAN}]{{2,4}}?)(?:关于|市?人民政府关于)")
_OWN_PRACTICE = lazy(rf"结合((?![{_NOT_PLACE}]){_PLACE})实际")
_QUOTED_PLACE = lazy(rf"《((?![{_NOT_PLACE}]){_PLACE})")
_DOC_NUMBER_HEAD = lazy(rf"^([{_HAN}]{{1,6}}?)(?:府|政|办)")
# A plan's title that begins with its government: 杭州市推进“互联网+”行动实施意见, 四川省“十四五”…
_TITLE_HEAD_PLACE = lazy(rf"^(?![{_NOT_PLACE}])([{_HAN}]{{2,3}}(?:省|市|县|区))(?!政府|人民政府|委|级|直|场)")
# Words no government's name holds: a phrase of a quoted title (《关于进一步帮助市场主体…》 is not
# the government 关于进一步帮助市) or a national body (国务院关于… is no 国务院市)
_NOT_A_PLACE = lazy(r"关于|进一步|印发|加快|推进|促进|深化|实施|帮助|支持|建设|发展|做好|加强|"
                    r"办公|委员会|^(?:国务院|国家|中共|中央|全国|中华|党中央)")


def _plausible_place(name: str) -> bool:
    return _NOT_A_PLACE.search(name) is None

# A level prefix that begins a name: 市发改局, 省委宣传部, 区级相关部门.
_LEVEL_HEAD = lazy(r"^([省市县区州盟旗])(委(?!员会)|级|直|属)?")
# A name that carries a place of its own: 杭州市政府, 黄埔区政府, 滁州经开区管委会, 开发区.
_PLACE_HEAD = lazy(rf"^[{_HAN}]{{2,6}}?(?:省|市|县|区|州|盟|旗)(?!场|域|级|直)")
_GENERIC = lazy(r"^(?:[省市县区州](?:级|直|属)?|全[省市县区州])?(?:各|有关|相关|其他)"
                      r"|^全[省市县区州]|各(?:有关|相关)?(?:部门|单位|专班)")
_GOVERNMENT = lazy(r"(?:人民政府|政府|党委|党委和政府|管委会|管理委员会|办事处)$")
_ZONE = lazy(r"(?:开发区|高新区|经开区|园区|新区|产业园|示范区|自贸区|片区|街道|乡镇|[镇乡])$")
_NATIONAL_HEAD = lazy(r"^(?:国家|国务院|中央|中共中央|中国|中华|全国)")
_NATIONAL_TAIL = lazy(r"(?:总局|总署|总队|总会|团中央)$")
# Suffixes that name the kind of body: stripped to find the function (发改 + 局 = 发改委).
_KIND_SUFFIX = lazy(r"(?:委员会|管理局|总局|总署|分局|办公室|委|局|厅|署|办|部|会)$")
# Functions whose local offices belong to the national body (vertical management): a name with
# a place of its own and one of these is a central body's branch (滁州海关, 广东金融监管局).
_VERTICAL = ("海关总署", "金融监管总局", "中国证监会", "人民银行", "国家外汇局", "国家统计局",
             "中国气象局", "中国地震局", "国家邮政局", "税务总局", "国家烟草局")
_PARTY_INSIDE = lazy(r".(?:省委|市委|县委|区委)")
_PLACED_BRANCH = lazy(r"^(?!地方)[^省市县区]{2,4}(?:海关|海事局|监管局|监局|调查队|调查总队)$|(?:分行|分署)$")
_BRANCH = lazy(r"(?:分行|分署|分局|监管局|监局|调查队|调查总队|海关|海事局|管理局|税务局|气象局|"
                     r"邮政管理局)$")


def level_of(name: str) -> str | None:
    """The level of a government's name: 广东省 → province, 鞍山市 → city, 立山区 → district."""
    if name in _MUNICIPALITIES or name.endswith(("省", "自治区")):
        return "province"
    if name.endswith(("自治州", "州", "盟")):
        return "city"
    if name.endswith(("自治县", "县", "旗")):
        return "county"
    if name.endswith("区"):
        return "district"
    if name.endswith("市"):
        return "city"
    return None


def parse_jurisdiction(text: str) -> Jurisdiction:
    """``--jurisdiction`` text → a Jurisdiction: 广东省, 滁州市, 立山区, central (国务院)."""
    text = text.strip()
    if text.lower() in ("central", "national") or text in ("国务院", "中央", "全国"):
        return Jurisdiction(level="central", name=None)
    for suffix in ("人民政府", "政府"):
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
    parts = _PART.findall(text)
    name = parts[-1] if parts and "".join(parts) == text else text
    level = level_of(name)
    if level is None:
        from ..i18n import _

        raise ValueError(_("cannot tell the level of {text!r}: end it with 省, 市, 县 or 区")
                         .format(text=text))
    return Jurisdiction(level=level, name=name)


def is_local_form(name: str) -> bool:
    """A bare name in the form a local government gives a national function (财政局, 发改局,
    商务厅): not a national spelling, but its function is known."""
    from ..departments import default_registry

    registry = default_registry()
    return registry.lookup(name) is None and _index_for(registry).function(name) is not None


def own_prefix(name: str) -> str | None:
    """The level prefix a name begins with (市发改局 → 市, 省委宣传部 → 省委), else None.

    市场监管局 begins with no prefix (市场 is a word); 市市场监管局 begins with 市.
    """
    m = _LEVEL_HEAD.match(name)
    if m is None or len(name) <= len(m.group(0)) + 1:
        return None
    if m.group(2) in ("级", "直", "属"):
        return None  # 市级各有关部门: a group, not a prefix
    if m.group(2) is None and name[1:3] in ("政府", "政务"):
        return m.group(1)  # 市政府办公室, 市政务服务数据管理局 (市 + 政务, not 市政)
    if m.group(2) is None and name[:2] in ("市场", "市政", "市容", "市民", "区域", "县域", "省直"):
        # 市场监管局 / 市政公用局: the word, not the prefix (市市场监管局 has both); but 市民政局
        # is 市 and 民政局, a body whose function is known
        if not (_BODY_END.search(name) and _function_of(name[1:])):
            return None
    return m.group(0)


# What a government's own body ends with: a list prefix distributes onto these only (never onto
# 省之江实验室, 市人民医院, 各县政府).
_BODY_END = lazy(r"(?:厅|局|委|办|委员会|办公室)$")


# The supply and marketing cooperative a government runs (省商务厅、供销社 → 省供销社), and a
# court or procuratorate named right after the other one of its level (省法院、检察院)
_COOPERATIVE = lazy(r"^供销(?:合作)?(?:社|联社|总社)$|^供销合作社联合社$")
_JUDICIAL = lazy(r"^(?:人民)?(?:法院|检察院)$")
_JUDICIAL_END = lazy(r"(?:法院|检察院)$")


def _function_of(rest: str) -> str | None:
    from ..departments import default_registry

    return _index_for(default_registry()).function(rest)


# A zone's or a party committee's own body (园区党工委, 开发区管委会办公室, 街道党工委): a list
# prefix of the government does not run over it (区民政局、园区党工委 is never 区园区党工委).
_ZONE_OR_PARTY_BODY = lazy(r"^(?:园区|开发区|高新区|经开区|新区|产业园|街道|乡镇|各)|党工委|党委|党组")


def _other_kind(name: str) -> bool:
    """A name a list prefix does not run over: a group, a government, a zone (or a zone's or a
    party committee's body), a national body or one with a place of its own."""
    return bool(_GENERIC.search(name) or _GOVERNMENT.search(name) or _ZONE.search(name)
                or _ZONE_OR_PARTY_BODY.search(name)
                or _NATIONAL_HEAD.match(name) or _NATIONAL_TAIL.search(name)
                or _PLACE_HEAD.match(name) or _PLACED_BRANCH.search(name))


def distribute_prefix(names: Sequence[str]) -> list[str]:
    """Each name of one 、-list with the list's level prefix written out where it runs over.

    ``市发改局、住建局、农业农村局`` → 市发改局, 市住建局, 市农业农村局. A name with its own
    prefix starts a new run (省发展改革委、省市场监管局、商务厅 → 省商务厅); a name of another kind
    (各县…政府, 广东海事局, 国家统计局) gets none and ends the run.
    """
    out: list[str] = []
    current: str | None = None
    for name in names:
        prefix = own_prefix(name)
        if prefix is not None:
            current = prefix
            out.append(name)
        elif current is None or _other_kind(name):
            current = None
            out.append(name)
        elif name.endswith("部"):
            # a 部 is the State Council's (工业和信息化部), unless a party committee's list
            # runs on (市委宣传部、统战部)
            out.append(current + name if current.endswith("委") else name)
            if not current.endswith("委"):
                current = None
        elif _BODY_END.search(name) or _COOPERATIVE.match(name):
            # a government body after 省委宣传部 takes the government's prefix (省), never 省委
            out.append(current[0] + name)
        elif _JUDICIAL.match(name) and out and _JUDICIAL_END.search(out[-1]):
            out.append(current[0] + name)  # 省法院、检察院: the court's and procuratorate's pair
        else:
            out.append(name)  # 之江实验室, 人民医院: not the government's own body
    return out


# ---------------------------------------------------------------------------------------------
# Jurisdiction


_ISSUES = lazy(r"(?:办公厅|办公室)?\s*(?:印发|发布|下发|出台|制定|关于|文件)")
_ISSUER_LINE = 40  # characters of a line that can be an issuer's or a title's line
_LABELS = lazy(r"发文单位|发布机构|发文机关|制发机关|成文机关|发文字号|文件名称|索\s*引\s*号")


# Each pattern of _candidates with a word it cannot match without: a line without the word is
# not searched (most lines of a State Council plan name no government), and a pattern no line
# needs is never compiled.
_NEEDS = ((_GOV_LINE, "政府"), (_GOV_ANY, "政府"), (_OWN_PRACTICE, "实际"), (_QUOTED_PLACE, "《"))


def _candidates(lines: Iterable[str]) -> Counter:
    found: Counter = Counter()
    for line in lines:
        patterns = [pattern for pattern, word in _NEEDS if word in line]
        if not patterns:
            continue
        line = _LABELS.sub(" ", line)
        for pattern in patterns:
            long_line = pattern is _GOV_ANY and len(line.strip()) > _ISSUER_LINE
            for m in pattern.finditer(line):
                if long_line and not _ISSUES.match(line, m.end()):
                    # a government named inside a sentence (赵建才市长代表市政府, 以便区政府适时
                    # 协调) is a phrase of the text, not the issuer; one that issues (浙江省人民政府
                    # 办公厅印发, 河南省人民政府 关于…) is
                    continue
                parts = _PART.findall(m.group(1))
                for k, part in enumerate(parts):
                    if not part.startswith(("各", "有关", "相关", "全", "本", "我")) and len(part) >= 2 \
                            and _plausible_place(part):
                        # 苏州市吴江区人民政府: the government is the last of the places
                        found[part] += (2 if pattern is _GOV_LINE else 1) + (k == len(parts) - 1 > 0)
    return found


def detect_jurisdiction(opening: Sequence[str], title: str | None, doc_number: str | None,
                        body_lines: Sequence[str], prefixes: Counter,
                        national_names: int, self_refs: Counter | None = None,
                        groups: Sequence[str] = ()) -> Jurisdiction | None:
    """Whose plan a document is, or None when nothing tells.

    ``prefixes`` counts the level prefixes of the bodies its trailers name (市 → 12);
    ``national_names`` how many names the national data knows without a prefix; ``self_refs``
    how often the text speaks of itself as a level (我市, 全省, 本县: 市 → 3), which decides
    when no body carries a prefix.
    """
    if self_refs and not sum(n for p, n in prefixes.items() if p in _PREFIX_LEVEL):
        spoken = sum(self_refs.values())
        if spoken > national_names:
            prefixes = Counter({p: n for p, n in self_refs.items() if p in _PREFIX_LEVEL})
            national_names = 0  # bare names of a local plan (统计局) are its own bodies
    number_head = _DOC_NUMBER_HEAD.match(doc_number or "")
    central_mark = (number_head is not None and number_head.group(1).startswith("国")) or \
        any(p.startswith("国务院") for p in [title or "", *opening[:8]])
    local_count = sum(n for p, n in prefixes.items() if p in _PREFIX_LEVEL)
    if central_mark and local_count <= national_names:
        return Jurisdiction(level="central", name=None)
    level = None
    if local_count:
        level = _PREFIX_LEVEL[max((p for p in prefixes if p in _PREFIX_LEVEL),
                                  key=lambda p: (prefixes[p], -"省市州盟县旗区".index(p)))]
    heads = [*opening, *([title] if title else [])]
    found = _candidates(heads)
    tm = _TITLE_PLACE.match(title or "") or next(
        (m for m in (_TITLE_PLACE.match(p) for p in opening[:3]) if m), None)
    if tm is not None and not _plausible_place(tm.group(1)):
        tm = None  # 国务院关于…: a quoted national document, not the plan's government
    for line in [*([title] if title else []), *opening[:3]]:
        head = _TITLE_HEAD_PLACE.match(line.strip()) if len(line.strip()) <= _ISSUER_LINE else None
        if head is not None and _plausible_place(head.group(1)):
            found[head.group(1)] += 1  # 杭州市推进…实施意见: the plan's own title names it
    if number_head is not None:
        province = PROVINCE_ABBREVIATIONS.get(number_head.group(1))
        if province is not None:
            found[province] += 3
    if level is None:
        if not found:
            if national_names:
                return Jurisdiction(level="central", name=None)
            return None
        best = max(found, key=lambda n: (found[n], -list(found).index(n)))
        level = level_of(best)
        return _county_level_city(Jurisdiction(level=level, name=best), opening, groups) \
            if level else None
    fitting = [n for n in found if level_of(n) == level]
    if not fitting:
        more = _candidates(body_lines)
        fitting = [n for n in more if level_of(n) == level]
        found = more
    if fitting:
        name = max(fitting, key=lambda n: (found[n], -fitting.index(n)))
    elif tm is not None:
        name = tm.group(1) + LEVEL_PREFIX[level]
    else:
        name = None
    return _county_level_city(Jurisdiction(level=level, name=name), opening, groups)


# Prefecture-level cities with neither counties nor districts: they address their towns as a
# county-level city does (各镇人民政府、街道办事处), and are cities all the same.
_CITIES_OF_TOWNS = ("东莞市", "中山市", "嘉峪关市", "儋州市")
# A notice addressed to towns and streets (各镇人民政府、街道办事处, 各镇（街道）, 各镇、乡人民政府)
# and to no county or district: the government is a county-level one
_TO_TOWNS = lazy(r"各(?:乡镇|镇|乡)|街道办事处|镇（街道）|镇\(街道\)|各镇街|各街道")
_ADDRESSEES = lazy(r"((?:各|市)[^。：:]{2,100}?(?:政府|办事处|部门|单位|机构|委员会))[：:]")
_TO_COUNTIES = lazy(r"各(?:有关)?(?:县|区|市辖区)|县（市、?区）|县\(市、?区\)|区县|县市区|县（市）|区（市）")


_MIN_TOWN_GROUPS = 2  # fields or sentences that give the towns a share, without an addressee line


def _county_level_city(found: Jurisdiction, opening: Sequence[str],
                       groups: Sequence[str] = ()) -> Jurisdiction:
    """A 市 that addresses its towns and no county or district is a county-level city (县级市:
    桐乡市, 义乌市, 昆山市): its level is county, its bodies still print 市 (市发改局).

    The addressee line decides where the notice has one that names towns or counties; where it
    has none (a plan pasted without its notice, or addressed only to 市政府各部门), the groups
    its fields and sentences give a share (``groups``: 各镇（街道）, 各镇人民政府) do: towns at
    least twice and never a county or district."""
    if found.level != "city" or not (found.name or "").endswith("市") \
            or found.name in _CITIES_OF_TOWNS:
        return found
    for line in opening[:12]:
        # the addressees end with a colon (a line of their own, or joined to the title by a
        # page that lost its line breaks)
        for m in _ADDRESSEES.finditer(line):
            text = m.group(1)
            if _TO_COUNTIES.search(text):
                return found
            if _TO_TOWNS.search(text):
                return Jurisdiction(level="county", name=found.name)
    towns = sum(1 for g in groups if _TO_TOWNS.search(g))
    if towns >= _MIN_TOWN_GROUPS and not any(_TO_COUNTIES.search(g) for g in groups):
        return Jurisdiction(level="county", name=found.name)
    return found


def prefix_of(jurisdiction: Jurisdiction) -> str:
    """The prefix a government's own bodies print: 省, 市, 县, 区 — and 市 for a county-level
    city (桐乡市 prints 市发改局), 州 for an autonomous prefecture (州发改委)."""
    name = jurisdiction.name or ""
    if jurisdiction.level == "county" and name.endswith("市"):
        return "市"
    if jurisdiction.level == "city" and name.endswith("州") and not name.endswith("市"):
        return "州"
    return LEVEL_PREFIX.get(jurisdiction.level, "")


# ---------------------------------------------------------------------------------------------
# Functions of names


def _strip_national(spelling: str) -> str:
    return _NATIONAL_HEAD.sub("", spelling)


def _stem(spelling: str) -> str:
    return _KIND_SUFFIX.sub("", spelling)


class FunctionIndex:
    """Function stems of the national bodies: 发改, 发展改革, 发展和改革 → 国家发展改革委."""

    def __init__(self, registry) -> None:
        self.registry = registry
        self.exact: dict[str, str] = {}
        self.stems: dict[str, str] = {}
        for dept in registry.all():
            if dept.generic or dept.category in ("地方人民政府", "泛指", "军队"):
                continue
            spellings = sorted(registry.aliases(dept.name) | set(registry.local_spellings(dept.name)))
            for spelling in spellings:
                base = _strip_national(spelling)
                if len(base) < 2:
                    continue
                self._put(self.exact, base, dept)
                stem = _stem(base)
                if len(stem) >= 2:
                    self._put(self.stems, stem, dept)

    @classmethod
    def from_tables(cls, registry, exact: dict[str, str], stems: dict[str, str]) -> FunctionIndex:
        """The index of ``registry`` from its tables (as an earlier run built them)."""
        index = cls.__new__(cls)
        index.registry, index.exact, index.stems = registry, exact, stems
        return index

    def _put(self, table: dict[str, str], key: str, dept: Department) -> None:
        old = table.get(key)
        if old is None or (self.registry.lookup(old).successor is not None
                           and dept.successor is None):
            table[key] = dept.name

    def function(self, rest: str) -> str | None:
        """The national body a local name without its prefix carries the duties of."""
        found = self.exact.get(rest)
        if found is None:
            stem = _stem(rest)
            found = self.stems.get(stem) if len(stem) >= 2 else None
        return found


@functools.cache
def _province_short_names(registry) -> frozenset[str]:
    """广东, 内蒙古, 广西 …: the provincial governments of the data without their level."""
    out = set()
    for dept in registry.all():
        if dept.category == "地方人民政府":
            name = dept.name.removesuffix("人民政府")
            for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"):
                if name.endswith(suffix):
                    out.add(name[: -len(suffix)])
                    break
    return frozenset(out)


@functools.cache
def _index_for(registry) -> FunctionIndex:
    """The function index of ``registry``: built once per process, and kept between runs in
    the user's private cache under the registry's digest and this module's code (issue 27:
    building it cleans and matches every spelling, ~8 ms of every start)."""
    from ..safety.cache import fingerprint, load_json, own_source, store_json

    code = own_source(__file__) if registry.digest else b""
    if not code:
        return FunctionIndex(registry)
    key = fingerprint(b"functions", registry.digest.encode(), code)
    name = f"functions-{key[:40]}.json"
    kept = load_json("departments", name, 4 << 20)
    names = set(registry.names())
    if (type(kept) is dict and kept.get("key") == key
            and all(_names_table(kept.get(t), names) for t in ("exact", "stems"))):
        return FunctionIndex.from_tables(registry, kept["exact"], kept["stems"])
    index = FunctionIndex(registry)
    store_json("departments", name, {"key": key, "exact": index.exact, "stems": index.stems})
    return index


def _names_table(table, names: set[str]) -> bool:
    """Is ``table`` a dict of text to a canonical name of ``names``?"""
    return type(table) is dict and all(type(k) is str and v in names for k, v in table.items())
