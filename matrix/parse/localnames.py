"""Local-government plans: what a printed name means in the plan of one government.

:class:`LocalResolver` gives a printed name in a local document (its list prefix written out)
one :class:`~matrix.records.Department` per body and the national body whose duties it carries
(its ``counterpart``). A body is named as the plan prints it: 区发改局 stays 区发改局, never
区发展改革委; a bare 生态环境局 stays 生态环境局 (no prefix the plan does not print); a 2012
plan's 市国税局 stays, with no successor and no merger. Two spellings one plan prints of one body
(市发改委, 市发展和改革委员会, 发展改革委) share one column, titled with the fullest
(:meth:`LocalResolver.unify`); searches find a column by any of them. Whose plan a document is
and how a list prefix runs are :mod:`matrix.parse.jurisdiction`'s.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..records import Department, Jurisdiction
from .jurisdiction import (_BRANCH, _GENERIC, _GOVERNMENT, _NATIONAL_HEAD, _NATIONAL_TAIL,
                           _PARTY_INSIDE, _PLACE_HEAD, _VERTICAL, _ZONE, _index_for,
                           _province_short_names, _strip_national, own_prefix, prefix_of)


@dataclass(frozen=True)
class Resolved:
    """What a printed name is in a local document."""

    department: Department
    counterpart: str | None = None  # the national body whose duties it carries
    national_warning: bool = False  # a national name where a local body is likely meant


def local_label(prefix: str, national: str, level: str, registry=None) -> str:
    """The column name of a local body: the prefix and the national body's name in the form a
    government of that level uses (工业和信息化部 → 省工业和信息化厅 / 市工业和信息化局)."""
    base = _strip_national(national)
    if base.startswith("国") and len(base) <= 3 and not base.endswith("委"):
        # 国管局: a national acronym; the function is in the full name (机关事务管理局)
        if registry is None:
            from ..departments import default_registry

            registry = default_registry()
        full = registry.lookup(national)
        if full is not None and full.full_name:
            base = _strip_national(full.full_name)
    if base.endswith("总局"):
        base = base[:-2] + "局"
    elif base.endswith(("部", "署")) and not base.endswith("总部"):
        base = base[:-1] + ("厅" if prefix == "省" else "局")
    return prefix + base


def _runs_through(short: str, long: str) -> bool:
    """Do the characters of ``short`` occur in ``long`` in order (发改委 in 发展和改革委员会)?"""
    it = iter(long)
    return all(ch in it for ch in short)


def _renamed(department: Department, name: str) -> Department:
    return Department(name=name, full_name=department.full_name, category=department.category,
                      known=department.known, generic=department.generic)


class LocalResolver:
    """Printed names of one local document → bodies (one per body, with counterparts)."""

    def __init__(self, registry, jurisdiction: Jurisdiction, canonical) -> None:
        self.registry, self.jurisdiction, self.canonical = registry, jurisdiction, canonical
        self.index = _index_for(registry)
        self.prefix = prefix_of(jurisdiction)
        name = jurisdiction.name or ""
        self.place_names = (name,) if name else ()
        self._memo: dict[str, Resolved] = {}
        self._columns: dict[str, str] = {}  # a spelling → the plan's fuller spelling of the body

    def resolve(self, printed: str) -> Resolved:
        """The body ``printed`` (prefix written out) names in this document."""
        found = self._memo.get(printed)
        if found is None:
            found = self._memo[printed] = self._resolve(printed)
        column = self._columns.get(found.department.name)
        if column is not None and column != found.department.name:
            found = Resolved(_renamed(found.department, column), found.counterpart,
                             found.national_warning)
        return found

    def key(self, printed: str) -> tuple[str, str] | None:
        """(prefix, national function) of a local body, else None: two spellings with one key
        may be one body (市发改委, 市发展和改革委员会)."""
        found = self._memo.get(printed) or self.resolve(printed)
        name, counterpart = found.department.name, found.counterpart
        if counterpart is None:
            return None
        prefix = own_prefix(name)
        if prefix is None and found.department.category in (
                "地方部门", "中央驻地方机构") and not _PLACE_HEAD.match(name):
            # a bare name (生态环境局) is this government's body: one with 区生态环境局
            prefix = self.prefix or None
        elif found.department.category != "地方部门":
            return None
        return (prefix, counterpart) if prefix is not None else None

    def unify(self, printed: Iterable[str]) -> None:
        """Give the spellings one plan prints of one body one column, titled with its fullest
        spelling (市发改委 and 市发展和改革委员会 → 市发展和改革委员会). Two names are one body
        when they share prefix and function and the shorter's characters run, in order, through
        the longer (发改委 in 发展和改革委员会); 市国税局 and 市地税局 stay two."""
        self._columns = {}
        groups: dict[tuple[str, str], list[str]] = {}
        for name in dict.fromkeys(printed):
            found = self._memo.get(name) or self._resolve(name)
            self._memo[name] = found
            key = self.key(name)
            if key is not None:
                groups.setdefault(key, []).append(found.department.name)
        for names in groups.values():
            names = sorted(set(names), key=lambda n: (-len(n), n))
            titles: list[str] = []
            for name in names:
                title = next((t for t in titles if _runs_through(name, t)), None)
                if title is None:
                    titles.append(name)
                else:
                    self._columns[name] = title

    def _known(self, name: str, category: str, generic: bool = False) -> Department:
        return Department(name=name, category=category, known=True, generic=generic)

    def _resolve(self, printed: str) -> Resolved:
        from ..departments import _simplified, _strip_trailing

        name = _simplified(_strip_trailing(re.sub(r"\s+", "", printed)))
        scoped = self.registry.lookup_scoped(name, self.jurisdiction.name)
        if scoped is not None:
            return Resolved(scoped)
        if _GENERIC.search(name):
            return Resolved(self._known(name, "泛指", generic=True))
        # the government's own name written out: 广东省发展改革委 → 省发展改革委
        for place in sorted(self.place_names, key=len, reverse=True):
            if name.startswith(place) and len(name) > len(place) + 1 and self.prefix:
                rest = name[len(place):]
                if not rest.startswith(self.prefix):
                    name = self.prefix + rest
                else:
                    name = rest
                break
        if _NATIONAL_HEAD.match(name) or _NATIONAL_TAIL.search(name):
            return self._national(name)
        if _PARTY_INSIDE.search(name) and own_prefix(name) is None:
            return Resolved(self._known(name, "地方党群机构"))  # 团省委, 团市委
        for k in (2, 3):  # 湖北银保监局, 湖北日报: a place of its own (a province's short name)
            if name[:k] in _province_short_names(self.registry) and len(name) > k + 1:
                return self._placed_branch(name) or self._elsewhere(name)
        prefix = own_prefix(name)
        if prefix is not None:
            rest = name[len(prefix):]
            if _GOVERNMENT.search(rest) and len(rest) <= 4:  # 市政府, 区政府
                return Resolved(self._known(name, "地方人民政府"))
            return self._local(prefix, rest, name)
        if _GOVERNMENT.search(name):
            dept = self.registry.lookup(name)
            if dept is None or dept.category == "地方人民政府":
                return Resolved(dept if dept is not None else self._known(name, "地方人民政府"))
        if _ZONE.search(name):
            return Resolved(self._known(name, "园区"))
        if _PLACE_HEAD.match(name):
            return self._elsewhere(name)
        dept = self.registry.lookup(name)
        if dept is None:
            branch = self._placed_branch(name) or (
                self._branch(name) if name.endswith(("分行", "分署", "分局")) else None)
            if branch is not None:
                return branch
        if dept is not None and dept.category == "组成部门" and (
                name.endswith(("部", "署")) or name == "人民银行"):
            # the State Council's own 部 (署, 人民银行) printed in a local plan: kept, but said;
            # its 委 printed bare (发展改革委) and short forms (人行) are the local government's
            return Resolved(dept, national_warning=True)
        if dept is not None and dept.category in ("中央企业", "中央金融企业"):
            return Resolved(dept)  # a central enterprise or bank: a company, not a department
        # a bare name (生态环境局, 统计局, 银保监会) is kept as printed: the plan gives it no prefix
        # and a column the plan never prints (区生态环境局, 省银保监会) would mislead; its function
        # is its counterpart, and a spelling with the prefix in the same plan shares its column
        return self._bare(name)

    def _bare(self, name: str) -> Resolved:
        """A name printed without a level prefix and without a list prefix to take: as printed.

        Its counterpart is the national body whose duties it carries; a vertically managed one
        (税务局, 银保监会) is that body's local office, never succeeded here (a local plan's names
        are not renamed)."""
        function = self.index.function(name)
        if function is None:
            return Resolved(Department(name=name, known=False))
        category = "中央驻地方机构" if self._vertical(function) else "地方部门"
        return Resolved(Department(name=name, category=category, known=True),
                        counterpart=function)

    def _vertical(self, function: str) -> bool:
        """Is ``function`` (or a body it was succeeded by) vertically managed (税务总局,
        中国银保监会 → 金融监管总局)?"""
        vertical = set(_VERTICAL) - {"国家统计局"}  # a 统计局 is the government's own
        if function in vertical:
            return True
        return any(d.name in vertical for d in self.registry.successor_chain(function))

    def _national(self, name: str) -> Resolved:
        dept = self.registry.lookup(name)
        if dept is not None:
            return Resolved(dept)
        return self._branch(name) or Resolved(Department(name=name, known=False))

    def _branch(self, name: str) -> Resolved | None:
        """A national body's local office: 人民银行广东省分行, 海关总署广东分署, 滁州海关,
        广东金融监管局, 中国证监会广东监管局. Kept as printed; its counterpart the national body."""
        if not _BRANCH.search(name):
            return None
        for end in range(len(name) - 1, 1, -1):
            dept = self.registry.lookup(name[:end])
            if dept is not None and not dept.generic and dept.category != "地方人民政府":
                return Resolved(self._known(name, "中央驻地方机构"), counterpart=dept.name)
        tail = _PLACE_HEAD.sub("", name)
        function = self.index.function(tail)
        if function is not None and function in _VERTICAL:
            return Resolved(self._known(name, "中央驻地方机构"), counterpart=function)
        return None

    def _placed_branch(self, name: str) -> Resolved | None:
        """滁州海关, 广东金融监管局, 广东海事局: a place and a national body's local office (a
        vertically managed function, or a province's short name and a branch ending)."""
        for k in (2, 3, 4):
            if len(name) - k < 2:
                break
            function = self.index.function(name[k:])
            if function in _VERTICAL and self.index.function(name[:k]) is None:
                return Resolved(self._known(name, "中央驻地方机构"), counterpart=function)
            if name[:k] in _province_short_names(self.registry) and _BRANCH.search(name):
                return Resolved(self._known(name, "中央驻地方机构"), counterpart=function)
        return None

    def _elsewhere(self, name: str) -> Resolved:
        """A body with a place of its own: a branch of a national body or another government's."""
        branch = self._branch(name)
        if branch is not None:
            return branch
        tail = _PLACE_HEAD.sub("", name)
        function = self.index.function(tail) if tail else None
        return Resolved(Department(name=name, known=function is not None,
                                        category="地方部门" if function else None),
                        counterpart=function)

    def _local(self, prefix: str, rest: str, printed: str | None) -> Resolved:
        """A body of a government of this document (or of the level ``prefix`` names)."""
        if prefix.endswith("委") and len(prefix) == 2:  # 市委宣传部: a party body, as printed
            return Resolved(self._known(prefix + rest, "地方党委部门"))
        function = self.index.function(rest)
        if function is None:
            shown = printed or prefix + rest
            return Resolved(Department(name=shown, known=False))
        # named as the plan names it (prefix written out), never rebuilt from the function
        return Resolved(Department(name=prefix + rest, category="地方部门", known=True),
                        counterpart=function)
