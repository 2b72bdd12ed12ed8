"""The tantivy engine's report-level facets, against counting by hand.

``ReportTable.facets`` takes paragraph counts per report serial and sums them by report,
region, year, level and kind with packed integer sort keys and two summing strategies (by
the reports with hits, or densely over the table); whatever path a query takes, the facet
must be the plain sum, ranked by count and then by value, cut at the limit.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.engines.tantivy_reports import REPORT_FACETS, ReportRow, ReportTable, ranked

REGIONS = ["", "上海市", "江苏省", "江苏省苏州市", "江苏省苏州市太仓市", "浙江省", "北京市"]
LEVELS = ["", "province", "city", "county"]
KINDS = ["", "政府工作报告", "法治政府建设"]


@st.composite
def tables(draw):
    """A table of reports (serials with gaps, as after removals) and counts for some."""
    n = draw(st.integers(1, 40))
    serials = draw(st.lists(st.integers(0, 80), min_size=n, max_size=n, unique=True))
    rows = []
    for serial in serials:
        rows.append(
            ReportRow(
                serial,
                f"r{draw(st.integers(0, 10**6)):07d}-{serial}",
                draw(st.sampled_from(REGIONS)),
                draw(st.sampled_from(LEVELS)),
                draw(st.sampled_from(KINDS)),
                draw(st.one_of(st.none(), st.integers(2019, 2026))),
            )
        )
    with_hits = draw(st.lists(st.sampled_from(serials), unique=True))
    counts = [draw(st.integers(1, 5)) for _ in with_hits]
    limit = draw(st.one_of(st.none(), st.integers(1, 8)))
    return rows, with_hits, counts, limit


def by_hand(rows, serials, counts, limit) -> dict:
    of = {row.serial: row for row in rows}
    out = {}
    for name in REPORT_FACETS:
        sums: Counter = Counter()
        for serial, n in zip(serials, counts, strict=True):
            row = of[serial]
            value = {"report": row.report_id, "region": row.region, "level": row.level,
                     "kind": row.kind, "year": "" if row.year is None else str(row.year)}[name]  # fmt: skip
            if value:
                sums[value] += n
        out[name] = ranked(sums, limit)
    return out


@settings(max_examples=300, deadline=None)
@given(tables())
def test_facets_are_the_sums_ranked_by_count_then_value(case) -> None:
    rows, serials, counts, limit = case
    table = ReportTable((f"record-{row.serial}", row) for row in rows)
    assert table.facets(serials, counts, limit) == by_hand(rows, serials, counts, limit)
    years = Counter()
    for serial, n in zip(serials, counts, strict=True):
        years[table.rows[serial].year] += n
    assert table.years(serials, counts) == dict(years)


def test_ties_at_the_cut_go_to_the_smaller_value_across_both_summing_paths() -> None:
    # 40 reports in 4 regions: 3 reports with hits take the per-report tally, 30 the dense sum.
    rows = [ReportRow(s, f"id-{39 - s:02d}", REGIONS[1 + s % 4], "county", "", 2025)
            for s in range(40)]  # fmt: skip
    table = ReportTable((f"record-{row.serial}", row) for row in rows)
    for serials in (list(range(3)), list(range(30))):
        counts = [1] * len(serials)
        got = table.facets(serials, counts, limit=2)
        assert got == by_hand(rows, serials, counts, 2)
        assert got["report"] == (
            (f"id-{39 - serials[-1]:02d}", 1),
            (f"id-{39 - serials[-2]:02d}", 1),
        )


def test_report_ids_are_sorted() -> None:
    rows = [ReportRow(s, name) for s, name in enumerate(["b", "a", "c"])]
    assert ReportTable((str(r.serial), r) for r in rows).report_ids() == ["a", "b", "c"]
