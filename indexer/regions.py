"""China's administrative divisions: lookup by full or usual short name, level, path to the top.

The table is ``indexer/data/divisions.csv`` (the 民政部 list with codes; see the README next
to it). Names are matched in Simplified script, so 太倉市 finds 太仓市. A short name is the full
name without its generic part: 上海 (上海市), 广西 (广西壮族自治区), 内蒙古, 苏州, 太仓, 浦东
(浦东新区), 黔南 (黔南布依族苗族自治州). Several divisions may share a name (朝阳区 is in
北京市 and in 长春市): lookups return all of them and :func:`locate` uses the context.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import opencc

NATIONAL = "全国"
LEVELS = ("national", "province", "prefecture", "county")
NATIONAL_NAMES = frozenset({"全国", "中国", "中华人民共和国", "国务院", "中央", "中央人民政府"})
_t2s = opencc.OpenCC("t2s")
_simplified = lru_cache(maxsize=8192)(_t2s.convert)  # table names only
# The 56 nationalities, as they appear in the names of autonomous areas (with or without 族).
_NATIONALITIES = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 "
    "拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 "
    "怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
)
_ETHNIC = _NATIONALITIES.split()
# Longest first, so 土家族 is tried before 土族 and 蒙古族 before 蒙古.
_ETHNIC_NAMES = sorted([e + "族" for e in _ETHNIC] + _ETHNIC, key=len, reverse=True)
_AUTONOMOUS = re.compile(r"自治(区|州|县|旗)$")
_GENERIC = ("特别行政区", "地区", "林区", "特区", "新区", "省", "市", "盟", "县", "区", "旗")


@dataclass(frozen=True)
class Division:
    """One administrative division, or the whole country (level ``national``)."""

    code: str  # 民政部 six-digit code; "" for the country and for a unit without one yet
    name: str  # full name as in the list, e.g. 太仓市
    level: str  # one of LEVELS
    path: tuple[str, ...]  # names from the top, ending with ``name``


COUNTRY = Division("", NATIONAL, "national", (NATIONAL,))


@dataclass(frozen=True)
class Place:
    """Where a report comes from: the region as written in the list, its level and path."""

    region: str
    level: str = ""  # "" when the region is not in the table or the name is ambiguous
    path: tuple[str, ...] = ()


def short_name(full: str) -> str:
    """Return the usual short form of a division name, or "" if it has none of 2+ chars."""
    base = _AUTONOMOUS.sub("", full)
    if base != full:
        base = _strip_ethnic(base)
    else:
        generic = next((g for g in _GENERIC if full.endswith(g)), "")
        base = full[: len(full) - len(generic)]
    return base if len(base) >= 2 and base != full else ""


def _strip_ethnic(name: str) -> str:
    # 黔南布依族苗族 -> 黔南; 内蒙古 stays (内 alone is no name); 东乡族 -> 东乡.
    while True:
        ethnic = next((e for e in _ETHNIC_NAMES if name.endswith(e)), "")
        if not ethnic or len(name) - len(ethnic) < 2:
            return name[:-1] if name.endswith("族") and len(name) > 2 else name
        name = name[: -len(ethnic)]


class _Table:
    """The divisions indexed by code, full name and short name."""

    def __init__(self, rows: list[dict[str, str]]):
        by_code = {r["code"]: r for r in rows if r["code"]}
        self.divisions = [
            Division(r["code"], r["name"], r["level"], _path(r, by_code)) for r in rows
        ]
        self.full: dict[str, list[Division]] = {}
        self.short: dict[str, list[Division]] = {}
        for d in self.divisions:
            # Keyed as t2s writes them too: the text is converted, and 乾安县 becomes 干安县.
            for key in {d.name, _simplified(d.name)}:
                self.full.setdefault(key, []).append(d)
            if short := short_name(d.name):
                for key in {short, _simplified(short)}:
                    self.short.setdefault(key, []).append(d)
        self.longest = max(len(n) for n in self.full)


def _path(row: dict[str, str], by_code: dict[str, dict[str, str]]) -> tuple[str, ...]:
    names = [row["name"]]
    while row["parent_code"]:
        row = by_code[row["parent_code"]]
        names.insert(0, row["name"])
    return tuple(names)


@lru_cache(maxsize=1)
def _table() -> _Table:
    text = resources.files("indexer").joinpath("data/divisions.csv").read_text(encoding="utf-8")
    return _Table(list(csv.DictReader(io.StringIO(text))))


def divisions() -> tuple[Division, ...]:
    """Return every division of the table, in code order."""
    return tuple(_table().divisions)


def lookup(name: str) -> tuple[Division, ...]:
    """Return the divisions called ``name`` (full names first, else short names)."""
    key = _t2s.convert(re.sub(r"\s+", "", name or ""))
    if key in NATIONAL_NAMES:
        return (COUNTRY,)
    table = _table()
    return tuple(table.full.get(key) or table.short.get(key) or ())


def government_of(region: str, level: str, path: tuple[str, ...] = ()) -> str:
    """Name the government of a region: 国务院, 太仓市人民政府, 和田地区行政公署."""
    if level == "national":
        return "国务院"
    if not region:
        return ""
    # A name several divisions share (朝阳区) is told apart by the unit above it.
    above = path[-2] if len(path) > 1 and len(lookup(region)) > 1 else ""
    if region.endswith(("地区", "盟")):
        return f"{above}{region}行政公署"
    return f"{above}{region}{'政府' if region.endswith('特别行政区') else '人民政府'}"


def split_names(text: str) -> tuple[list[str], str]:
    """Split a leading run of full division names (江苏省苏州市太仓市…); return it and the rest."""
    text = _t2s.convert(text)
    table = _table()
    names: list[str] = []
    i = 0
    while i < len(text):
        found = next(
            (text[i:j] for j in range(min(len(text), i + table.longest), i + 1, -1)
             if text[i:j] in table.full),
            "",
        )  # fmt: skip
        if not found:
            break
        names.append(found)
        i += len(found)
    return names, text[i:]


def locate(text: str, context: str = "") -> Place:
    """Resolve a region as written (a name or a chain such as 北京市朝阳区) to a Place.

    Earlier names of a chain and the names of ancestors found in ``context`` (title, first
    lines) choose between divisions that share a name. A name still ambiguous keeps only the
    part of the path that all its candidates share, so a region filter never claims a wrong
    parent: 朝阳区 alone gives level county and path ("朝阳区",).
    """
    text = _t2s.convert(re.sub(r"\s+", "", text or ""))
    if not text:
        return Place("")
    if text in NATIONAL_NAMES:
        return Place(NATIONAL, "national", (NATIONAL,))
    names, rest = split_names(text)
    if not rest:
        candidates, written = _in_chain(names), names[-1]
    elif not names and (found := lookup(rest)):
        candidates, written = list(found), rest  # a short name: 上海, 太仓
    else:  # an unknown unit, perhaps under known ones (上海市某某区)
        above = locate("".join(names), context).path if names else ()
        return Place(rest, "", (*above, rest))
    if len(candidates) > 1:
        candidates = _by_context(candidates, _t2s.convert(context)) or candidates
    return _place(candidates, written)


def _in_chain(names: list[str]) -> list[Division]:
    """Divisions named like the chain's last name, under all its earlier names."""
    candidates = _table().full[names[-1]]

    def under(d: Division) -> bool:
        above = {_simplified(a) for a in d.path[:-1]}
        return all(n in above for n in names[:-1])

    return [d for d in candidates if under(d)] or candidates


def _by_context(candidates: list[Division], context: str) -> list[Division]:
    """The candidates the context names in full, then those whose ancestors it names most."""
    named = [d for d in candidates if _simplified(d.name) in context] or candidates

    def score(d: Division) -> int:
        above = [_simplified(a) for a in d.path[:-1]]
        full = sum(2 for a in above if a in context)  # full names count double
        return full + sum(1 for a in above if (s := short_name(a)) and s in context)

    scores = {d: score(d) for d in named}
    best = max(scores.values())
    return [d for d in named if scores[d] == best] if best or named != candidates else []


def _place(candidates: list[Division], written: str) -> Place:
    if len(candidates) == 1:
        d = candidates[0]
        return Place(d.name, d.level, d.path)
    full = {d.name for d in candidates}
    written = full.pop() if len(full) == 1 else written
    levels = {d.level for d in candidates}
    shared: list[str] = []
    for names in zip(*(d.path[:-1] for d in candidates), strict=False):
        if len(set(names)) > 1:
            break
        shared.append(names[0])
    return Place(written, levels.pop() if len(levels) == 1 else "", (*shared, written))
