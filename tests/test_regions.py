"""Tests for indexer.regions: the shipped division table, lookups, short names and paths."""

from __future__ import annotations

import csv
import re
from collections import Counter
from importlib import resources

import pytest

from indexer import regions
from indexer.regions import Place, locate, lookup, short_name, split_names


def table_rows() -> list[dict[str, str]]:
    text = resources.files("indexer").joinpath("data/divisions.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def test_table_is_a_tree_of_the_three_levels() -> None:
    rows = table_rows()
    codes = {r["code"]: r for r in rows if r["code"]}
    assert Counter(r["level"] for r in rows) == {"province": 34, "prefecture": 333, "county": 2846}
    for row in rows:
        assert row["code"] == "" or re.fullmatch(r"\d{6}", row["code"]), row
        parent = codes.get(row["parent_code"])
        if row["level"] == "province":
            assert row["parent_code"] == ""
        elif row["level"] == "prefecture":
            assert parent and parent["level"] == "province", row
        else:
            assert parent and parent["level"] in ("province", "prefecture"), row
    assert len([r for r in rows if r["code"]]) == len(codes)  # codes are unique


def test_table_stays_small() -> None:
    data = resources.files("indexer").joinpath("data/divisions.csv").read_bytes()
    assert len(data) < 300_000


@pytest.mark.parametrize(
    ("written", "region", "level", "path"),
    [
        ("上海", "上海市", "province", ("上海市",)),
        ("广西", "广西壮族自治区", "province", ("广西壮族自治区",)),
        ("内蒙古", "内蒙古自治区", "province", ("内蒙古自治区",)),
        ("西藏", "西藏自治区", "province", ("西藏自治区",)),
        ("苏州", "苏州市", "prefecture", ("江苏省", "苏州市")),
        ("太仓", "太仓市", "county", ("江苏省", "苏州市", "太仓市")),
        ("太倉市", "太仓市", "county", ("江苏省", "苏州市", "太仓市")),
        ("江苏省苏州市太仓市", "太仓市", "county", ("江苏省", "苏州市", "太仓市")),
        ("北京市朝阳区", "朝阳区", "county", ("北京市", "朝阳区")),
        ("浦东", "浦东新区", "county", ("上海市", "浦东新区")),
        ("黔南", "黔南布依族苗族自治州", "prefecture", ("贵州省", "黔南布依族苗族自治州")),
        ("仙桃市", "仙桃市", "county", ("湖北省", "仙桃市")),  # directly under the province
        ("东莞市", "东莞市", "prefecture", ("广东省", "东莞市")),
        ("全国", "全国", "national", ("全国",)),
        ("国务院", "全国", "national", ("全国",)),
    ],
)
def test_locate(written: str, region: str, level: str, path: tuple[str, ...]) -> None:
    assert locate(written) == Place(region, level, path)


def test_ambiguous_name_keeps_only_the_shared_part_of_the_path() -> None:
    # 朝阳区 is in 北京市 and in 吉林省长春市: without context, claim no parent.
    assert {d.path for d in lookup("朝阳区")} == {
        ("北京市", "朝阳区"),
        ("吉林省", "长春市", "朝阳区"),
    }
    assert locate("朝阳区") == Place("朝阳区", "county", ("朝阳区",))
    # Both 鼓楼区 of 江苏省 are under the province: that much is certain.
    both = [d for d in lookup("鼓楼区") if d.path[0] == "江苏省"]
    assert len(both) == 2 and regions._place(both, "鼓楼区").path == ("江苏省", "鼓楼区")


def test_context_chooses_between_namesakes() -> None:
    lines = "——在长春市朝阳区第十七届人民代表大会第五次会议上"
    assert locate("朝阳区", lines).path == ("吉林省", "长春市", "朝阳区")
    assert locate("朝阳区", "北京市朝阳区人民政府").path == ("北京市", "朝阳区")
    # A short name matching units of different levels stays ambiguous: no level claimed.
    assert locate("朝阳") == Place("朝阳", "", ("朝阳",))
    assert locate("朝阳", "辽宁省朝阳市人民政府").region == "朝阳市"


def test_unknown_units_keep_their_known_parents() -> None:
    assert locate("上海市某某区") == Place("某某区", "", ("上海市", "某某区"))
    assert locate("加格达奇区") == Place("加格达奇区", "", ("加格达奇区",))
    assert locate("") == Place("")


@pytest.mark.parametrize(
    ("full", "short"),
    [
        ("上海市", "上海"),
        ("广西壮族自治区", "广西"),
        ("宁夏回族自治区", "宁夏"),
        ("新疆维吾尔自治区", "新疆"),
        ("香港特别行政区", "香港"),
        ("塔什库尔干塔吉克自治县", "塔什库尔干"),
        ("积石山保安族东乡族撒拉族自治县", "积石山"),
        ("东乡族自治县", "东乡"),
        ("阿拉善盟", "阿拉善"),
        ("神农架林区", "神农架"),
        ("赵县", ""),  # one character is no name
        ("城区", ""),
    ],
)
def test_short_name(full: str, short: str) -> None:
    assert short_name(full) == short


def test_every_short_name_finds_its_division() -> None:
    for division in regions.divisions():
        if short := short_name(division.name):
            assert division in lookup(short)
        assert division in lookup(division.name)


def test_split_names() -> None:
    assert split_names("江苏省苏州市太仓市2024年度") == (["江苏省", "苏州市", "太仓市"], "2024年度")
    assert split_names("政府工作报告") == ([], "政府工作报告")
