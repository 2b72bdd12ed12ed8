"""Trends that don't mislead: matches set against what is indexed, gaps, coverage, filters."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from indexer.model import Paragraph, Report, ReportMeta
from indexer.query import SearchRequest
from indexer.query.research import trends


def api(client, path: str, **params) -> dict:
    r = client.get(path, query_string=params)
    assert r.status_code == 200, r.data
    return r.get_json()


def reports_of(body: dict) -> int:
    return len(body["facets"]["report"])


@pytest.mark.parametrize("params", [{}, {"level": "province"}, {"year": "2024-2026"}])
def test_every_trend_figure_is_a_search_total(client, params):
    data = api(client, "/api/trends", q="营商环境", **params)
    assert data["total"] > 0
    kwic_total = api(client, "/api/kwic", q="营商环境", size=1, **params)["total"]
    assert data["mentions"] == kwic_total == sum(p["mentions"] for p in data["by_year"])
    regions = [p for p in data["by_region"] if p["value"] in ("江苏省", "太仓市")]
    for point in data["by_year"] + data["by_level"] + data["by_region"][:4] + regions:
        name = next(n for n in ("year", "level", "region") if point in data[f"by_{n}"])
        found = api(client, "/api/search", q="营商环境", **{**params, name: point["value"]})
        assert found["total"] == point["paragraphs"]
        assert reports_of(found) == point["reports"]
        # Reports indexed: the same filters with no words to find.
        if point["reports_indexed"]:
            everything = api(client, "/api/search", q=f"{name}:{point['value']}", **params)
            assert reports_of(everything) == point["reports_indexed"]
            assert point["share"] == round(point["reports"] / point["reports_indexed"], 4)
            lines = api(client, "/api/kwic", q="营商环境", size=1,
                        **{**params, name: point["value"]})  # fmt: skip
            assert lines["total"] == point["mentions"]
        else:
            assert point["share"] is None and found["total"] == 0


def test_level_filter_gives_that_series_alone(client):
    data = api(client, "/api/trends", q="营商环境", level="province")
    assert [p["value"] for p in data["by_level"]] == ["province"]
    assert [c["level"] for c in data["coverage"]] == ["province"]
    assert data["reports_indexed"] == sum(p["reports_indexed"] for p in data["by_year"])


def collection() -> list[Report]:
    """National reports in 2001 and 2003 (none in 2002), provincial ones in 2003 only."""

    def report(rid, year, level, region, *texts):
        meta = ReportMeta(f"{year}年{region}政府工作报告", region, year, "政府工作报告",
                          level=level, region_path=(region,))  # fmt: skip
        paras = tuple(Paragraph(f"p-{i}", i + 1, (), t) for i, t in enumerate(texts))
        return Report(rid, meta, paras, ())

    return [
        report("n2001", 2001, "national", "全国", "优化营商环境，营商环境是生产力。", "其他工作。"),
        report("n2003", 2003, "national", "全国", "稳定就业。"),
        report("a2003", 2003, "province", "甲省", "营商环境。"),
        report("b2003", 2003, "province", "乙省", "营商环境持续改善。", "营商环境"),
        report("c2003", 2003, "province", "丙省", "教育。"),
    ]


def test_years_without_reports_are_gaps_and_shares_are_per_report(index_reports):
    library = index_reports(collection())
    t = trends(library, SearchRequest.from_args({"q": "营商环境"}))
    years = {p.value: p for p in t.by_year}
    assert list(years) == ["2001", "2002", "2003"]
    assert (years["2002"].reports_indexed, years["2002"].share) == (0, None)
    assert (years["2001"].reports, years["2001"].reports_indexed, years["2001"].share) == (
        1,
        1,
        1.0,
    )
    assert (years["2003"].reports, years["2003"].reports_indexed) == (2, 4)
    assert years["2003"].share == 0.5 and years["2003"].paragraphs == 3
    assert (years["2001"].mentions, years["2003"].mentions, t.mentions) == (2, 3, 5)
    assert [c.text for c in t.coverage] == ["2001–2003：2 份全国报告", "2003：3 份省级报告"]
    national = trends(library, SearchRequest.from_args({"q": "营商环境", "level": "national"}))
    assert [(p.value, p.reports_indexed, p.reports) for p in national.by_year] == [
        ("2001", 1, 1), ("2002", 0, 0), ("2003", 1, 0)
    ]  # fmt: skip


def test_trends_page_draws_gaps_and_defaults_to_shares(client):
    r = client.get("/trends", query_string={"q": "营商环境"})
    assert r.status_code == 200
    soup = BeautifulSoup(r.data, "html.parser")
    data = api(client, "/api/trends", q="营商环境")
    assert soup.select_one("nav.measure-switch a[aria-current]")["data-measure"] == "share"
    columns = {a["data-year"]: a for a in soup.select(".year-chart a[data-year]")}
    gaps = {g["data-year"] for g in soup.select(".year-chart rect.gap")}
    for p in data["by_year"]:
        if p["reports_indexed"]:
            assert int(columns[p["value"]]["data-reports"]) == p["reports"]
        else:
            assert p["value"] in gaps and p["value"] not in columns
    rows = soup.select("table[data-table=year] tbody tr")
    assert [row["data-value"] for row in rows] == [p["value"] for p in data["by_year"]]
    coverage = soup.select_one("#coverage").get_text()
    assert all(c["text"] in coverage for c in data["coverage"])
    counts = client.get("/trends", query_string={"q": "营商环境", "measure": "reports"})
    soup = BeautifulSoup(counts.data, "html.parser")
    assert soup.select_one("nav.measure-switch a[aria-current]")["data-measure"] == "reports"


def test_trends_page_without_a_query_and_with_a_bad_one(client):
    assert client.get("/trends").status_code == 200
    r = client.get("/trends", query_string={"q": "营商环境", "page": "x"})
    assert r.status_code == 400
    assert BeautifulSoup(r.data, "html.parser").select_one(".error")
