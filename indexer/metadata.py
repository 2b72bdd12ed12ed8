"""Report metadata: the corpus catalog, per-report sidecars, and inference from the text.

Precedence for every field is sidecar > catalog > inferred. The catalog is ``SOURCES.csv`` in
the corpus directory (columns file,region,year,title,published,source_url, plus optionally
id, kind, level and region_path); a sidecar is ``<report file>.meta.json`` next to the report.
Empty catalog cells mean "not given". Region and kind are canonical Simplified names so that
facets group Traditional and Simplified reports together; the title stays as written.

The region is resolved through the table of administrative divisions (``indexer.regions``):
it becomes the name in the 民政部 list with its level and path to the top. A region given
alone still gets its level and path from the table; ``level`` and ``region_path`` given in a
catalog or sidecar win over the table.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

import opencc

from indexer import regions
from indexer.model import ReportMeta
from indexer.normalize import normalize
from indexer.regions import Place

CATALOG_NAME = "SOURCES.csv"
SIDECAR_SUFFIX = ".meta.json"
OVERRIDE_KEYS = frozenset(
    {"id", "title", "region", "year", "kind", "published", "source_url", "level", "region_path"}
)
CONTEXT_LINES = 15  # the first lines name the region (在…第十四届人民代表大会, 某某市市长)

_t2s = opencc.OpenCC("t2s")
_NO_OVERRIDES: Mapping[str, str] = MappingProxyType({})
_BARE_SUFFIXES = frozenset({"特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区"})
_CN_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0"}
_REGION_SUFFIX = "特别行政区|自治区|自治州|自治县|自治旗|地区|省|市|县|区|州|盟|旗"
_REGION_UNIT = rf"[\u4e00-\u9fff]{{2,8}}?(?:{_REGION_SUFFIX})"
_REGION_PREFIX = re.compile(rf"(?:{_REGION_UNIT})+")
_REGION_WHOLE = re.compile(_REGION_UNIT)
_REGION_IN_TEXT = re.compile(rf"在({_REGION_UNIT})第?[一二三四五六七八九十]+届")
_SPEAKER = re.compile(rf"({_REGION_UNIT})(?:人民政府)?(?:省长|市长|县长|区长|州长|主席|盟长)")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_YEAR_CN = re.compile(r"([〇零一二三四五六七八九]{4})年")
_YEAR_TOKEN = re.compile(r"(?:19|20)\d{2}\s*年度?")
_ISO_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
# What marks a report of the State Council (or another national body) when no region shows.
_NATIONAL_NAME = re.compile(r"国务院|全国|中华人民共和国|中央人民政府")
_NATIONAL_LINE = re.compile(r"全国人民代表大会|全国人大|国务院总理|^总理|我代表国务院")
_PATH_SEPARATOR = re.compile(r"\s*[/>＞／]\s*")
# After a short region name at the start of a title: 上海政府工作报告, 太仓法治政府建设…
_AFTER_SHORT_NAME = ("人民政府", "政府", "法治政府")


def load_catalog(directory: Path) -> dict[str, dict[str, str]]:
    """Read ``directory/SOURCES.csv`` into rows keyed by the "file" column; {} if absent."""
    path = Path(directory) / CATALOG_NAME
    if not path.is_file():
        return {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames or "file" not in [f.strip() for f in reader.fieldnames]:
                raise ValueError(f"{path}: malformed catalog, missing 'file' column")
            return _catalog_rows(path, reader)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValueError(f"{path}: malformed catalog: {exc}") from exc


def _catalog_rows(path: Path, reader: csv.DictReader) -> dict[str, dict[str, str]]:
    rows: dict[str, dict[str, str]] = {}
    for row in reader:
        if None in row:  # more cells than header columns
            raise ValueError(f"{path}, line {reader.line_num}: more cells than columns")
        clean = {k.strip(): (v or "").strip() for k, v in row.items()}
        name = clean.get("file", "")
        if not name:
            if any(clean.values()):
                raise ValueError(f"{path}, line {reader.line_num}: empty 'file' cell")
            continue
        if name in rows:
            raise ValueError(f"{path}, line {reader.line_num}: duplicate entry for {name!r}")
        rows[name] = {k: v for k, v in clean.items() if v}  # empty cell = not given
    return rows


def sidecar_path(report: Path) -> Path:
    """Return where the sidecar of ``report`` lives: ``<report file>.meta.json``."""
    return report.with_name(report.name + SIDECAR_SUFFIX)


def load_sidecar(path: Path) -> dict[str, str]:
    """Read the optional sidecar of report ``path`` (or the sidecar itself); {} if absent."""
    path = Path(path)
    if not path.name.endswith(SIDECAR_SUFFIX):
        path = sidecar_path(path)
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: invalid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object, got {type(data).__name__}")
    unknown = sorted(set(data) - OVERRIDE_KEYS)
    if unknown:
        raise ValueError(f"{path}: unknown keys {unknown}; supported: {sorted(OVERRIDE_KEYS)}")
    out: dict[str, str] = {}
    for key, value in data.items():
        if value is None:
            continue
        if key == "region_path" and isinstance(value, list):
            value = _path_from_list(path, value)
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValueError(f"{path}: {key!r} must be a string, got {value!r}")
        if str(value).strip():
            out[key] = str(value).strip()
    return out


def _path_from_list(path: Path, names: list) -> str:
    """Join a sidecar's region_path list with "/" (the catalog's form)."""
    if not all(isinstance(n, str) and n.strip() for n in names):
        raise ValueError(f"{path}: 'region_path' must list names, got {names!r}")
    return "/".join(n.strip() for n in names)


def overrides_for(report: Path, catalog: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Merge the catalog row and the sidecar of ``report`` (sidecar wins, empties dropped)."""
    row = catalog.get(report.name, {})
    merged = {k: v for k, v in row.items() if k in OVERRIDE_KEYS and v}
    merged.update(load_sidecar(report))
    return merged


def report_id_for(path: Path, overrides: Mapping[str, str]) -> str:
    """Return overrides["id"] if given, else the file stem sanitised to [\\w.-]."""
    given = (overrides.get("id") or "").strip()
    if given:
        if not re.fullmatch(r"[\w.-]+", given) or not given.strip("."):
            raise ValueError(f"invalid report id {given!r}: use letters, digits, _, . and -")
        return given
    stem = re.sub(r"[^\w.-]+", "_", Path(path).stem).strip("_")
    return stem if stem.strip(".") else "report"


def infer_meta(
    title: str,
    file_name: str,
    lines: Sequence[str],
    published_hint: str = "",
    overrides: Mapping[str, str] = _NO_OVERRIDES,
) -> ReportMeta:
    """Build a ReportMeta from overrides, falling back on what the text and file name say."""
    shown = overrides.get("title") or title or Path(file_name).stem
    titles = [t for t in (overrides.get("title"), title) if t]
    place = infer_place(titles, file_name, lines, overrides)
    year = _parse_year(overrides["year"]) if overrides.get("year") else None
    if year is None:
        year = _infer_year(titles, file_name, lines)
    # The title, else the file name, else a line under the title (政府工作报告 in a banner).
    kinds = (infer_kind(t) for t in [*titles, Path(file_name).stem, *lines[:3]])
    kind = _t2s.convert(overrides.get("kind", "")) or next(filter(None, kinds), "")
    if overrides.get("published"):
        published = iso_date(overrides["published"])
        if not published:
            raise ValueError(f"invalid published date {overrides['published']!r}")
    else:
        published = iso_date(published_hint)
    return ReportMeta(
        shown, place.region, year, kind, published, overrides.get("source_url", ""),
        place.level, place.path,
    )  # fmt: skip


def infer_place(
    titles: Sequence[str],
    file_name: str,
    lines: Sequence[str],
    overrides: Mapping[str, str] = _NO_OVERRIDES,
) -> Place:
    """Return region, level and path: given ones first, else from the title, file name, lines."""
    context = _t2s.convert(" ".join([*titles, Path(file_name).stem, *lines[:CONTEXT_LINES]]))
    path = tuple(_t2s.convert(n) for n in _PATH_SEPARATOR.split(overrides.get("region_path", "")))
    path = tuple(n for n in path if n)
    region = _t2s.convert(overrides.get("region", ""))
    if path and region and path[-1] not in (region, regions.locate(region, context).region):
        raise ValueError(f"region_path {'/'.join(path)!r} does not end with region {region!r}")
    if path or region:
        place = regions.locate("".join(path) or region, context)
    else:
        place = _inferred_place(titles, file_name, lines, context)
    level = overrides.get("level") or place.level
    if level not in regions.LEVELS and level:
        raise ValueError(f"invalid level {level!r}: use one of {', '.join(regions.LEVELS)}")
    return Place(path[-1] if path else place.region, level, path or place.path)


def _inferred_place(
    titles: Sequence[str], file_name: str, lines: Sequence[str], context: str
) -> Place:
    if written := _infer_region(titles, file_name, lines):
        return regions.locate(written, context)
    if _is_national(titles, file_name, lines):
        return regions.locate(regions.NATIONAL)
    return Place("")


def _is_national(titles: Sequence[str], file_name: str, lines: Sequence[str]) -> bool:
    names = [_t2s.convert(t) for t in [*titles, Path(file_name).stem]]
    if any(_NATIONAL_NAME.search(name) for name in names):
        return True
    heads = (re.sub(r"\s+", "", _t2s.convert(line)) for line in lines[:CONTEXT_LINES])
    return any(_NATIONAL_LINE.search(line.lstrip("—―-（(")) for line in heads)


def region_from_title(title: str) -> str:
    """Return the region named at the start of a title (years skipped), in Simplified."""
    text = _YEAR_TOKEN.sub("", _t2s.convert(title)).strip()
    match = _REGION_PREFIX.match(text)
    return match.group() if match and match.group() not in _BARE_SUFFIXES else ""


def _short_region_at_start(title: str) -> str:
    """A short region name opening a title (上海2024年政府工作报告), or ""."""
    text = _YEAR_TOKEN.sub("", _t2s.convert(title)).strip()
    for end in range(min(len(text), 10), 1, -1):
        if text[end:].startswith(_AFTER_SHORT_NAME) and regions.lookup(text[:end]):
            return text[:end]
    return ""


def _infer_region(titles: Sequence[str], file_name: str, lines: Sequence[str]) -> str:
    for title in titles:
        if region := region_from_title(title) or _short_region_at_start(title):
            return region
    for part in re.split(r"[_\-\s]+", Path(file_name).stem):
        part = _t2s.convert(part)
        if _REGION_WHOLE.fullmatch(part) and part not in _BARE_SUFFIXES:
            return part
        if regions.lookup(part):  # a short name (2026_上海_…) or 全国
            return part
    for line in lines[:15]:
        text = re.sub(r"\s+", "", _t2s.convert(line))
        match = _REGION_IN_TEXT.search(text) or _SPEAKER.match(text)
        if match and match.group(1) not in _BARE_SUFFIXES:
            return match.group(1)
    return ""


def _parse_year(value: str) -> int:
    text = str(value).strip()
    if not re.fullmatch(r"\d{4}", text):
        raise ValueError(f"invalid year {value!r}: expected four digits")
    return int(text)


def _infer_year(titles: Sequence[str], file_name: str, lines: Sequence[str]) -> int | None:
    for title in titles:
        if match := re.search(r"((?:19|20)\d{2})\s*年", normalize(title)):
            return int(match.group(1))
    if match := _YEAR.search(Path(file_name).stem):
        return int(match.group(1))
    # The subtitle date: ——2026年1月26日在… or ——二〇二六年一月二十七日在…
    for line in lines[:15]:
        norm = normalize(line)
        if "在" not in norm:
            continue
        if match := re.search(r"((?:19|20)\d{2})年", norm):
            return int(match.group(1))
        if match := _YEAR_CN.search(norm):
            return int("".join(_CN_DIGIT[c] for c in match.group(1)))
    return None


def infer_kind(title: str) -> str:
    """Return the canonical Simplified kind of a report title, or "" if none shows."""
    norm = re.sub(r"\s+", "", normalize(title))
    if re.search(r"法治政府建设.*报告", norm):
        return "法治政府建设工作情况报告"
    if "政府工作报告" in norm:
        return "政府工作报告"
    if not norm.endswith("报告"):
        return ""
    # The phrase after the year (苏州市2024年度审计工作报告), else after the region.
    rest = _YEAR_TOKEN.split(norm)[-1]
    rest = rest[len(m.group()) :] if (m := _REGION_PREFIX.match(rest)) else rest
    return re.sub(r"^(关于|对)", "", rest)


def iso_date(text: str) -> str:
    """Return YYYY-MM-DD for a date written as 2026-02-09, 2026/2/9 or 2026年2月9日; else ""."""
    match = _ISO_DATE.search(normalize(text or ""))
    if not match:
        return ""
    try:
        return dt.date(*(int(g) for g in match.groups())).isoformat()
    except ValueError:
        return ""
