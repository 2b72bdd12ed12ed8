"""Multi-select facets with disjunctive counts, and results grouped by report (both engines)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup

from indexer.query import SearchRequest, search
from indexer.query.facets import selected_facets


def run(library, **params):
    """Search with URL-style parameters (lists repeat a parameter)."""
    return search(library, SearchRequest.from_args(params))


def counts(page, name: str) -> dict[str, int]:
    return {v.value: v.count for v in page.facets[name]}


# -- facets ----------------------------------------------------------------------------------


def test_values_of_one_facet_are_a_union_and_facets_intersect(library):
    shanghai = run(library, q="营商环境", region="上海市").total
    zhejiang = run(library, q="营商环境", region="浙江省").total
    both = run(library, q="营商环境", region=["上海市", "浙江省"])
    assert both.total == shanghai + zhejiang > 0
    narrowed = run(library, q="营商环境", region=["上海市", "浙江省"], year="2024")
    assert narrowed.total <= both.total


def test_a_selected_facet_counts_what_each_click_would_give(library):
    page = run(library, q="营商环境", region="上海市")
    regions = counts(page, "region")
    unselected = counts(run(library, q="营商环境"), "region")
    assert regions == unselected  # the region facet ignores its own selection
    assert regions["上海市"] == page.total
    for value, count in list(regions.items())[:6]:
        if value == "上海市":
            continue  # selecting it again would take it away
        added = run(library, q="营商环境", region=["上海市", value])
        assert added.total == page.total + count, value


def test_other_facets_count_within_the_selection(library):
    page = run(library, q="法治", region=["上海市", "太仓市"])
    for name in ("year", "kind", "level", "report"):
        assert sum(counts(page, name).values()) == page.total, name
    for value, count in counts(page, "year").items():
        assert run(library, q="法治", region=["上海市", "太仓市"], year=value).total == count


def test_a_query_typed_filter_is_not_a_facet_selection(library):
    page = run(library, q="法治 region:太仓市", region="上海市")
    assert page.total == 0  # two region filters intersect
    assert selected_facets(page.filters) == ("region",)
    # the region facet still counts with the query's own region filter in force
    assert set(counts(page, "region")) <= {"太仓市"}


def test_facet_links_toggle_their_value(client):
    r = client.get("/search", query_string={"q": "营商环境", "region": "上海市"})
    assert r.status_code == 200
    page = BeautifulSoup(r.data, "html.parser")
    links = page.select(".facet a[data-facet=region]")
    active = [a for a in links if a.get("aria-current")]
    assert [a["data-value"] for a in active] == ["上海市"] and links[0] is active[0]
    assert "region" not in parse_qs(urlsplit(active[0]["href"]).query)  # a click removes it
    other = next(a for a in links if not a.get("aria-current"))
    assert parse_qs(urlsplit(other["href"]).query)["region"] == ["上海市", other["data-value"]]
    r2 = client.get(other["href"])
    shown = int(BeautifulSoup(r2.data, "html.parser").select_one("#total")["data-total"])
    assert shown == int(page.select_one("#total")["data-total"]) + int(other["data-count"])


def test_long_facets_have_a_filter_box_and_more(client):
    page = BeautifulSoup(client.get("/search", query_string={"q": "营商环境"}).data, "html.parser")
    reports = page.select_one("section.facet[data-facet-name=report]")
    assert reports.select_one("input[data-facet-filter]") is not None
    assert reports.select_one("details.facet-more summary").get_text().startswith("更多")


def test_the_year_range_form_becomes_one_year_parameter(client):
    page = BeautifulSoup(client.get("/search", query_string={"q": "法治"}).data, "html.parser")
    form = page.select_one("form.year-range")
    assert {i["name"] for i in form.select("input[type=number]")} == {"year_from", "year_to"}
    r = client.get("/search", query_string={"q": "法治", "year_from": "2024", "year_to": "2025"})
    assert r.status_code == 303
    assert parse_qs(urlsplit(r.headers["Location"]).query) == {"q": ["法治"], "year": ["2024-2025"]}
    r = client.get("/search", query_string={"q": "法治", "year": "2019", "year_from": "2026"})
    assert parse_qs(urlsplit(r.headers["Location"]).query)["year"] == ["2026"]


# -- grouped by report -----------------------------------------------------------------------


def test_groups_follow_the_report_facet(library):
    flat = run(library, q="营商环境")
    grouped = run(library, q="营商环境", group="report", size="5")
    per_report = counts(flat, "report")
    assert grouped.total == flat.total and grouped.total_reports == len(per_report)
    assert [g.total for g in grouped.groups] == sorted(per_report.values(), reverse=True)[:5]
    assert grouped.pages == -(-len(per_report) // 5)
    for g in grouped.groups:
        assert per_report[g.report_id] == g.total
        best = run(library, q="营商环境", report=g.report_id, size="3")
        assert [h.paragraph_id for h in g.hits] == [h.paragraph_id for h in best.hits]
        assert 1 <= len(g.hits) <= 3 and all(h.report_id == g.report_id for h in g.hits)


def test_grouped_pages_cover_every_report_once(library):
    seen = []
    first = run(library, q="法治", group="report", size="7")
    for n in range(1, first.pages + 1):
        seen += [g.report_id for g in run(library, q="法治", group="report", size="7",
                                          page=str(n)).groups]  # fmt: skip
    assert len(seen) == len(set(seen)) == first.total_reports
    assert sum(run(library, q="法治", group="report", report=rid).total for rid in seen[:3]) > 0


def test_grouped_by_year_orders_reports_by_year(library):
    grouped = run(library, q="法治", group="report", sort="year_asc", size="50")
    years = [g.year or 10_000 for g in grouped.groups]
    assert years == sorted(years)


def test_grouped_json(client):
    r = client.get("/api/search", query_string={"q": "营商环境", "group": "report", "size": 2})
    assert r.status_code == 200
    data = r.get_json()
    assert data["group"] == "report" and data["size"] == 2 and data["total_reports"] >= 2
    assert len(data["groups"]) == 2
    group = data["groups"][0]
    assert set(group) == {"report_id", "report_title", "region", "year", "total", "hits"}
    assert group["hits"] and len(group["hits"]) <= 3
    assert data["hits"] == [h for g in data["groups"] for h in g["hits"]]
    flat = client.get("/api/search", query_string={"q": "营商环境"}).get_json()
    assert "groups" not in flat and "total_reports" not in flat
    bad = client.get("/api/search", query_string={"q": "营商环境", "group": "x"})
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "bad_group"


def test_grouped_page_states_both_totals_and_links_the_rest(client):
    r = client.get("/search", query_string={"q": "营商环境", "group": "report"})
    assert r.status_code == 200
    page = BeautifulSoup(r.data, "html.parser")
    assert int(page.select_one("#total-reports")["data-total"]) > 1
    assert page.select_one(".group-switch a[aria-current]").get_text() == "按报告"
    group = page.select_one(".group")
    more = group.select_one(".group-more a")
    assert len(group.select(".hit")) == 3 and more is not None
    assert int(group["data-total"]) == 3 + int(more["data-more"])
    args = parse_qs(urlsplit(more["href"]).query)
    assert args["report"] == [group["data-report"]] and "group" not in args
    shown = BeautifulSoup(client.get(more["href"]).data, "html.parser")
    assert int(shown.select_one("#total")["data-total"]) == int(group["data-total"])
