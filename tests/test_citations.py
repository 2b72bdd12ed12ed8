"""Citations that hold: paragraph numbers, aliases of changed paragraphs, the citation text."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from indexer.aliases import carry_aliases
from indexer.build import index_paths
from indexer.model import Report, ReportMeta
from indexer.structure import parse_body

TITLE = "某市2024年法治政府建设工作情况报告"
V1 = [
    "2024年，某市深入学习贯彻习近平法治思想，法治政府建设取得新成效。",
    "一、强化政治引领",
    "1.全面加强党的领导。市委常委会专题研究法治工作，部署法治建设重点任务十二项。",
    "2.压实第一责任。主要负责同志多次就行政复议、行政应诉工作作出批示。",
    "二、存在的不足",
    "行政执法规范化水平有待提升，基层法治力量仍然薄弱。",
]


def report(lines: list[str], aliases: dict[str, str] | None = None) -> Report:
    body = parse_body([TITLE, *lines])
    return Report("r", ReportMeta(TITLE), body.paragraphs, body.sections, aliases=aliases or {})


def edited(lines: list[str], i: int, text: str) -> list[str]:
    return [*lines[:i], text, *lines[i + 1 :]]


V2 = edited(V1, 2, V1[2].replace("十二项", "十五项"))


def test_a_changed_paragraph_keeps_its_old_id_as_an_alias() -> None:
    old, new = report(V1), report(V2)
    assert old.paragraphs[2].id != new.paragraphs[2].id
    assert carry_aliases(old, new) == {old.paragraphs[2].id: new.paragraphs[2].id}


def test_unchanged_reports_and_rewritten_paragraphs_have_no_aliases() -> None:
    assert carry_aliases(report(V1), report(V1)) == {}
    rewritten = edited(V1, 5, "全年办理行政复议案件三百余件，纠错率明显下降，群众满意度提高。")
    assert carry_aliases(report(V1), report(rewritten)) == {}  # nothing similar enough


def test_the_most_similar_paragraph_wins() -> None:
    # The edited paragraph moved to the end; a near namesake stays where it was.
    lines = [*V1[:3], *V1[4:], V1[3].replace("批示", "批示和部署")]
    old, new = report(V1), report(lines)
    target = next(p for p in new.paragraphs if p.text.endswith("批示和部署。"))
    assert carry_aliases(old, new) == {old.paragraphs[3].id: target.id}


def test_aliases_accumulate_and_an_id_back_in_use_is_no_alias() -> None:
    v1, v2 = report(V1), report(V2)
    v2 = report(V2, carry_aliases(v1, v2))
    v3 = report(edited(V2, 2, V2[2] + "全年完成立法项目六件。"))
    aliases = carry_aliases(v2, v3)
    first, second, third = (r.paragraphs[2].id for r in (v1, v2, v3))
    assert aliases == {first: third, second: third}
    back = report(V1)  # v1's text is back: its id is current again, the v2 id points at it
    assert carry_aliases(
        report(edited(V2, 2, V2[2] + "全年完成立法项目六件。"), aliases), back
    ) == {
        second: first,
        third: first,
    }


@pytest.fixture()
def reindexed(tmp_path: Path, make_engine) -> tuple[Path, Report, Report]:
    """A report indexed, edited, and indexed again: (index dir, first version, second)."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    source = folder / "r.txt"
    engine = make_engine(tmp_path / "ix")
    versions = []
    for lines in (V1, V2):
        source.write_text("\n".join([TITLE, *lines]), encoding="utf-8")
        summary = index_paths([folder], engine)
        assert not summary.failed
        snap = engine.snapshot()
        try:
            versions.append(snap.load_report("r"))
        finally:
            snap.close()
    return tmp_path / "ix", versions[0], versions[1]


def test_index_run_stores_aliases_and_the_api_lists_them(reindexed) -> None:
    from webapp import create_app

    index_dir, v1, v2 = reindexed
    old_id, new_id = v1.paragraphs[2].id, v2.paragraphs[2].id
    assert v2.aliases == {old_id: new_id}
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    r = client.get("/api/reports/r")
    assert r.status_code == 200
    assert r.get_json()["aliases"] == {old_id: new_id}


def test_report_page_lands_old_links_on_the_new_paragraph(reindexed) -> None:
    from webapp import create_app

    index_dir, v1, v2 = reindexed
    old_id, new = v1.paragraphs[2].id, v2.paragraphs[2]
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    r = client.get("/reports/r")
    assert r.status_code == 200
    page = BeautifulSoup(r.data, "html.parser")
    anchor = page.find(id=old_id)
    assert anchor is not None and "moved-target" in anchor["class"]
    block = anchor.find_parent(class_="moved")
    assert "已修改" in block.select_one(".moved-note").text
    assert block.find_next_sibling(class_="para")["id"] == new.id
    assert len(page.select(".moved")) == 1  # only the changed paragraph has one


def test_page_numbers_are_the_api_numbers(client) -> None:
    detail = client.get("/api/reports/2026_广东省_政府工作报告").get_json()
    r = client.get("/reports/2026_广东省_政府工作报告")
    assert r.status_code == 200
    page = BeautifulSoup(r.data, "html.parser")
    for p in detail["paragraphs"]:
        assert page.find(id=p["id"]).select_one(".para-number").text == f"第{p['number']}段"
    # The date, venue and speaker lines are shown above the text, not numbered.
    assert detail["front"] and detail["paragraphs"][0]["text"] == "各位代表："
    assert [p.text for p in page.select(".report-front p")] == detail["front"]


def test_citation_names_government_date_and_source(client) -> None:
    r = client.get("/reports/2026_云南省_政府工作报告")
    assert r.status_code == 200
    cite = BeautifulSoup(r.data, "html.parser").select_one("button.cite")["data-cite"]
    assert "云南省人民政府" in cite
    assert "2026-02-03" in cite  # published, from the catalog
    assert "原文：https://www.yn.gov.cn/ywdt/ynyw/202602/t20260203_323801.html" in cite
    seed = client.get("/reports/taicang-2024-fazhi")
    seed_cite = BeautifulSoup(seed.data, "html.parser").select_one("button.cite")["data-cite"]
    assert "太仓市人民政府" in seed_cite and "2024年" in seed_cite and "原文" not in seed_cite


def test_unknown_anchor_notice_is_on_the_page_for_the_script(client) -> None:
    r = client.get("/reports/taicang-2024-fazhi")
    assert r.status_code == 200
    notice = BeautifulSoup(r.data, "html.parser").find(id="anchor-missing")
    assert notice is not None and notice.has_attr("hidden") and "不存在" in notice.text


def test_report_page_shows_the_region_path(client) -> None:
    r = client.get("/reports/taicang-2024-fazhi")
    assert r.status_code == 200
    shown = BeautifulSoup(r.data, "html.parser").select_one(".report-meta .region-path").text
    assert shown == " › ".join(
        client.get("/api/reports/taicang-2024-fazhi").get_json()["region_path"]
    )
