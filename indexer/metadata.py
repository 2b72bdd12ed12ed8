"""Report metadata: the corpus catalog, per-report sidecars, and inference from the text.

Precedence for every field is sidecar > catalog > inferred. The catalog is ``SOURCES.csv`` in
the corpus directory (columns file,region,year,title,published,source_url, plus optionally
id and kind); a sidecar is ``<report file>.meta.json`` next to the report. Empty catalog cells
mean "not given". Region and kind are canonical Simplified names so that facets group
Traditional and Simplified reports together; the title stays as written.
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

from indexer.model import ReportMeta
from indexer.normalize import normalize

CATALOG_NAME = "SOURCES.csv"
SIDECAR_SUFFIX = ".meta.json"
OVERRIDE_KEYS = frozenset({"id", "title", "region", "year", "kind", "published", "source_url"})

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
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValueError(f"{path}: {key!r} must be a string, got {value!r}")
        if str(value).strip():
            out[key] = str(value).strip()
    return out


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
    region = overrides.get("region") or _infer_region(titles, file_name, lines)
    year = _parse_year(overrides["year"]) if overrides.get("year") else None
    if year is None:
        year = _infer_year(titles, file_name, lines)
    kinds = (infer_kind(t) for t in [*titles, Path(file_name).stem])
    kind = overrides.get("kind") or next(filter(None, kinds), "")
    if overrides.get("published"):
        published = iso_date(overrides["published"])
        if not published:
            raise ValueError(f"invalid published date {overrides['published']!r}")
    else:
        published = iso_date(published_hint)
    return ReportMeta(shown, region, year, kind, published, overrides.get("source_url", ""))


def region_from_title(title: str) -> str:
    """Return the region named at the start of a title (years skipped), in Simplified."""
    text = _YEAR_TOKEN.sub("", _t2s.convert(title)).strip()
    match = _REGION_PREFIX.match(text)
    return match.group() if match and match.group() not in _BARE_SUFFIXES else ""


def _infer_region(titles: Sequence[str], file_name: str, lines: Sequence[str]) -> str:
    for title in titles:
        if region := region_from_title(title):
            return region
    for part in re.split(r"[_\-\s]+", Path(file_name).stem):
        part = _t2s.convert(part)
        if _REGION_WHOLE.fullmatch(part) and part not in _BARE_SUFFIXES:
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
