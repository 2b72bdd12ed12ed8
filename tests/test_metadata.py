"""Tests for indexer.metadata: catalog, sidecars, ids and metadata inference."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.metadata import (
    CATALOG_NAME,
    infer_kind,
    infer_meta,
    iso_date,
    load_catalog,
    load_sidecar,
    overrides_for,
    region_from_title,
    report_id_for,
    sidecar_path,
)

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
GD_LINES = [
    "政府工作报告",
    "——2026年1月26日在广东省第十四届",
    "人民代表大会第五次会议上",
    "广东省省长 孟凡利",
    "各位代表：",
]


def test_seed_inference() -> None:
    meta = infer_meta("太倉市2024年度法治政府建設工作情況報告", "taicang-2024-fazhi.txt", [])
    assert meta.title == "太倉市2024年度法治政府建設工作情況報告"
    assert (meta.region, meta.year, meta.kind) == ("太仓市", 2024, "法治政府建设工作情况报告")
    assert meta.published == "" and meta.source_url == ""


def test_provincial_title_without_year_uses_file_name() -> None:
    meta = infer_meta("政府工作报告", "2026_广东省_政府工作报告.txt", GD_LINES)
    assert (meta.region, meta.year, meta.kind) == ("广东省", 2026, "政府工作报告")


def test_provincial_title_without_year_uses_subtitle() -> None:
    meta = infer_meta("政府工作报告", "report.txt", GD_LINES)
    assert (meta.region, meta.year) == ("广东省", 2026)


def test_subtitle_in_chinese_numerals_and_speaker_line() -> None:
    lines = ["——二〇二六年一月二十七日在甘肃省十四届人民代表大会第四次会议上"]
    assert (lambda m: (m.region, m.year))(infer_meta("政府工作报告", "x.txt", lines)) == (
        "甘肃省",
        2026,
    )
    speaker = infer_meta("政府工作报告", "x.txt", ["北京市市长 殷勇"])
    assert speaker.region == "北京市" and speaker.year is None
    assert infer_meta("政府工作报告", "x.txt", ["自治区主席 韦 韬"]).region == ""


@pytest.mark.parametrize(
    ("title", "region"),
    [
        ("2026年上海市政府工作报告", "上海市"),
        ("陕西省2026年政府工作报告", "陕西省"),
        ("2026年四川省人民政府工作报告", "四川省"),
        ("2026年内蒙古自治区政府工作报告", "内蒙古自治区"),
        ("2026年宁夏回族自治区政府工作报告", "宁夏回族自治区"),
        ("上海市浦东新区2024年法治政府建设情况报告", "上海市浦东新区"),
        ("2026年政府工作报告", ""),
        ("2024年度城市更新工作报告", ""),
    ],
)
def test_region_from_title(title: str, region: str) -> None:
    assert region_from_title(title) == region


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("太倉市2024年度法治政府建設工作情況報告", "法治政府建设工作情况报告"),
        ("某区2024年法治政府建设年度报告", "法治政府建设工作情况报告"),
        ("2026年上海市人民政府工作报告", "政府工作报告"),
        ("某市2024年度审计工作报告", "审计工作报告"),
        ("关于2024年度预算执行情况的报告", "预算执行情况的报告"),
        ("2024年国民经济和社会发展统计公报", ""),
    ],
)
def test_infer_kind(title: str, kind: str) -> None:
    assert infer_kind(title) == kind


def test_year_is_the_report_year_not_the_publication_date() -> None:
    meta = infer_meta("太倉市2024年度法治政府建設工作情況報告", "x.txt", [], "2025-03-01")
    assert meta.year == 2024 and meta.published == "2025-03-01"


@pytest.mark.parametrize(
    ("hint", "iso"),
    [
        ("2026-02-03 09:02:33", "2026-02-03"),
        ("2026年02月10日 07时41分", "2026-02-10"),
        ("2026/2/3", "2026-02-03"),
        ("２０２６－０２－０９", "2026-02-09"),
        ("2026-02-30", ""),
        ("昨天", ""),
        ("", ""),
    ],
)
def test_iso_date(hint: str, iso: str) -> None:
    assert iso_date(hint) == iso


def test_real_catalog() -> None:
    catalog = load_catalog(CORPUS)
    assert len(catalog) == 32
    seed = catalog["taicang-2024-fazhi.txt"]
    assert seed["region"] == "太仓市" and seed["year"] == "2024"
    assert "published" not in seed  # empty cell = not given
    assert catalog["2026_云南省_政府工作报告.txt"]["published"] == "2026-02-03"


def test_catalog_absent(tmp_path: Path) -> None:
    assert load_catalog(tmp_path) == {}


def test_catalog_missing_file_column(tmp_path: Path) -> None:
    (tmp_path / CATALOG_NAME).write_text("name,region\na.txt,上海市\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing 'file' column"):
        load_catalog(tmp_path)


@pytest.mark.parametrize(
    "body",
    [
        "file,region\na.txt,上海市\na.txt,北京市\n",  # duplicate
        "file,region\na.txt,上海市,extra\n",  # too many cells
        "",  # no header at all
    ],
)
def test_catalog_malformed(tmp_path: Path, body: str) -> None:
    (tmp_path / CATALOG_NAME).write_text(body, encoding="utf-8")
    with pytest.raises(ValueError, match=CATALOG_NAME):
        load_catalog(tmp_path)


def test_catalog_with_bom_and_blank_lines(tmp_path: Path) -> None:
    (tmp_path / CATALOG_NAME).write_text("\ufefffile,year\na.txt,2024\n,\n", encoding="utf-8")
    assert load_catalog(tmp_path) == {"a.txt": {"file": "a.txt", "year": "2024"}}


def test_sidecar(tmp_path: Path) -> None:
    report = tmp_path / "foo.txt"
    side = sidecar_path(report)
    assert side.name == "foo.txt.meta.json"
    assert load_sidecar(report) == {}
    side.write_text(json.dumps({"year": 2023, "region": "苏州市", "kind": ""}), encoding="utf-8")
    assert load_sidecar(report) == {"year": "2023", "region": "苏州市"}
    assert load_sidecar(side) == load_sidecar(report)  # the sidecar path works too


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"yaer": "2024"}', "unknown keys"),
        ('{"year": [2024]}', "must be a string"),
    ],
)
def test_sidecar_invalid(tmp_path: Path, text: str, message: str) -> None:
    side = tmp_path / "foo.txt.meta.json"
    side.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_sidecar(side)


def test_precedence_sidecar_over_catalog_over_inferred(tmp_path: Path) -> None:
    header = "file,region,year,title,published,source_url\n"
    row = "太倉-2024.txt,,2025,太倉市2024年度法治政府建設工作情況報告,2025-02-01,https://x\n"
    (tmp_path / CATALOG_NAME).write_text(header + row, encoding="utf-8")
    report = tmp_path / "太倉-2024.txt"
    sidecar_path(report).write_text('{"year": "2023", "id": "tc-2024"}', encoding="utf-8")
    overrides = overrides_for(report, load_catalog(tmp_path))
    meta = infer_meta("政府工作报告", report.name, [], "2026-01-01", overrides)
    assert meta.year == 2023  # sidecar beats catalog
    assert meta.title == "太倉市2024年度法治政府建設工作情況報告"  # catalog beats text
    assert meta.region == "太仓市"  # empty catalog cell: inferred (from the catalog title)
    assert meta.published == "2025-02-01" and meta.source_url == "https://x"
    assert report_id_for(report, overrides) == "tc-2024"


def test_invalid_overrides() -> None:
    with pytest.raises(ValueError, match="year"):
        infer_meta("政府工作报告", "x.txt", [], overrides={"year": "二〇二四"})
    with pytest.raises(ValueError, match="published"):
        infer_meta("政府工作报告", "x.txt", [], overrides={"published": "soon"})
    with pytest.raises(ValueError, match="report id"):
        report_id_for(Path("a.txt"), {"id": "a/b"})


@pytest.mark.parametrize(
    ("name", "report_id"),
    [
        ("2026_上海市_政府工作报告.txt", "2026_上海市_政府工作报告"),
        ("taicang-2024-fazhi.txt", "taicang-2024-fazhi"),
        ("太倉 2024 (final)?.docx", "太倉_2024_final"),
        ("v1.2.report.pdf", "v1.2.report"),
        ("???.txt", "report"),
    ],
)
def test_report_id_for(name: str, report_id: str) -> None:
    assert report_id_for(Path("corpus") / name, {}) == report_id


NATIONAL_LINES = [
    "——2024年3月5日在第十四届全国人民代表大会第二次会议上",
    "国务院总理 李强",
    "各位代表：",
    "现在，我代表国务院，向大会报告政府工作，请予审议，并请全国政协委员提出意见。",
]


def test_every_report_gets_region_level_and_path() -> None:
    meta = infer_meta("太倉市2024年度法治政府建設工作情況報告", "x.txt", [])
    assert (meta.region, meta.level) == ("太仓市", "county")
    assert meta.region_path == ("江苏省", "苏州市", "太仓市")
    province = infer_meta("政府工作报告", "2026_广东省_政府工作报告.txt", GD_LINES)
    assert (province.level, province.region_path) == ("province", ("广东省",))


@pytest.mark.parametrize(
    ("title", "file_name", "lines"),
    [
        ("2024年政府工作报告", "report.txt", NATIONAL_LINES),
        ("政府工作报告", "x.txt", NATIONAL_LINES[2:]),  # 我代表国务院
        ("政府工作报告", "2019_全国_政府工作报告.txt", []),
        ("国务院2023年政府工作报告", "x.txt", []),
        ("政府工作报告", "x.txt", ["總理 李克強", "各位代表："]),
    ],
)
def test_national_reports(title: str, file_name: str, lines: list[str]) -> None:
    meta = infer_meta(title, file_name, lines)
    assert (meta.region, meta.level, meta.region_path) == ("全国", "national", ("全国",))
    assert meta.kind == "政府工作报告"


def test_a_report_with_no_region_and_no_national_sign_stays_unplaced() -> None:
    # A provincial report whose lines never name the province: not the State Council's.
    meta = infer_meta(
        "政府工作报告",
        "x.txt",
        ["自治区主席 韦 韬", "各位代表：", "过去一年，在党中央、国务院的坚强领导下，…"],
    )
    assert (meta.region, meta.level, meta.region_path) == ("", "", ())


def test_region_chain_in_title_and_short_names() -> None:
    pudong = infer_meta("上海市浦东新区2024年法治政府建设情况报告", "x.txt", [])
    assert (pudong.region, pudong.region_path) == ("浦东新区", ("上海市", "浦东新区"))
    short = infer_meta("上海2024年政府工作报告", "x.txt", [])
    assert (short.region, short.level) == ("上海市", "province")
    by_file = infer_meta("政府工作报告", "2024_苏州_政府工作报告.txt", [])
    assert by_file.region_path == ("江苏省", "苏州市")


def test_ambiguous_county_uses_the_first_lines_or_claims_no_parent() -> None:
    lines = ["——2024年1月9日在长春市朝阳区第十七届人民代表大会第四次会议上"]
    changchun = infer_meta("朝阳区2024年政府工作报告", "x.txt", lines)
    assert changchun.region_path == ("吉林省", "长春市", "朝阳区")
    beijing = infer_meta("朝阳区2024年政府工作报告", "x.txt", ["北京市朝阳区区长 某某"])
    assert beijing.region_path == ("北京市", "朝阳区")
    # Nothing tells which 朝阳区: keep the name, claim no parent (see regions.locate).
    unknown = infer_meta("朝阳区2024年政府工作报告", "x.txt", [])
    assert (unknown.region, unknown.level, unknown.region_path) == ("朝阳区", "county", ("朝阳区",))


def test_given_region_alone_gets_level_and_path_from_the_table() -> None:
    meta = infer_meta("政府工作报告", "x.txt", [], overrides={"region": "太倉"})
    assert (meta.region, meta.level) == ("太仓市", "county")
    assert meta.region_path == ("江苏省", "苏州市", "太仓市")
    # The catalog says 朝阳区, the title says which one.
    given = infer_meta(
        "北京市朝阳区2024年政府工作报告", "x.txt", [], overrides={"region": "朝阳区"}
    )
    assert given.region_path == ("北京市", "朝阳区")
    national = infer_meta("政府工作报告", "x.txt", [], overrides={"region": "全国"})
    assert (national.level, national.region_path) == ("national", ("全国",))


@pytest.mark.parametrize(
    "cell", ["吉林省/长春市/朝阳区", "吉林省 > 长春市 > 朝阳区", "吉林省>长春市>朝阳区"]
)
def test_catalog_region_path(tmp_path: Path, cell: str) -> None:
    (tmp_path / CATALOG_NAME).write_text(
        f"file,region,region_path,level,kind\na.txt,,{cell},,政府工作報告\n", encoding="utf-8"
    )
    overrides = overrides_for(tmp_path / "a.txt", load_catalog(tmp_path))
    meta = infer_meta("2024年政府工作报告", "a.txt", [], overrides=overrides)
    assert (meta.region, meta.level) == ("朝阳区", "county")
    assert meta.region_path == ("吉林省", "长春市", "朝阳区")
    assert meta.kind == "政府工作报告"  # given kinds are Simplified too


def test_sidecar_region_path_and_level(tmp_path: Path) -> None:
    report = tmp_path / "a.txt"
    sidecar_path(report).write_text(
        json.dumps({"region": "某开发区", "region_path": ["江苏省", "苏州市", "某开发区"],
                    "level": "county"}, ensure_ascii=False),
        encoding="utf-8",
    )  # fmt: skip
    overrides = overrides_for(report, {})
    assert overrides["region_path"] == "江苏省/苏州市/某开发区"
    meta = infer_meta("政府工作报告", "a.txt", [], overrides=overrides)
    assert (meta.region, meta.level, meta.region_path) == (
        "某开发区", "county", ("江苏省", "苏州市", "某开发区"),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"level": "city"}, "invalid level"),
        ({"region": "太仓市", "region_path": "江苏省/苏州市"}, "does not end with"),
    ],
)
def test_invalid_place_overrides(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        infer_meta("政府工作报告", "x.txt", [], overrides=overrides)


def test_sidecar_region_path_must_list_names(tmp_path: Path) -> None:
    side = tmp_path / "a.txt.meta.json"
    side.write_text('{"region_path": ["江苏省", 3]}', encoding="utf-8")
    with pytest.raises(ValueError, match="region_path"):
        load_sidecar(side)


def test_kind_from_a_line_under_the_title_when_title_and_file_name_lack_it() -> None:
    meta = infer_meta("2024年", "wiki-copy.txt", ["政府工作报告", *NATIONAL_LINES])
    assert meta.kind == "政府工作报告"
    assert infer_meta("2024年", "wiki-copy.txt", NATIONAL_LINES[1:2]).kind == ""
