"""Word frequency and new terms: counts by the search's rule, `new` checked by ordinary searches."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.build import index_paths
from indexer.normalize import normalize
from indexer.query import Library, SearchRequest, search
from indexer.query.terms import TextIndex, candidates, is_term, report_terms
from indexer.textmatch import contains, count

VOCABULARY = ("营商环境", "法治政府", "新质生产力", "低空经济", "人工智能", "数字经济", "乡村振兴",
              "一网通办", "综合查一次", "城市更新", "绿色低碳", "科技创新", "养老服务", "托育",
              "AI", "AIGC", "5G", "15G", "PM2.5", "具身智能", "银发经济", "首发经济")  # fmt: skip
FRAMES = ("推进{}和{}。", "加快发展{}，持续优化{}。", "全年{}取得新进展，{}稳步推进。",
          "大力发展{}、{}。")  # fmt: skip
SERIES = (
    ("苏州市", "政府工作报告"),
    ("无锡市", "政府工作报告"),
    ("苏州市", "法治政府建设工作情况报告"),
)


def generated_corpus(folder: Path, seed: int) -> list[dict]:
    """Reports of three series over four years, each using a random part of the vocabulary."""
    rng = random.Random(seed)
    rows = []
    for region, kind in SERIES:
        for year in range(2021, 2021 + rng.randint(2, 4)):
            words = rng.sample(VOCABULARY, rng.randint(4, 10))
            paragraphs = [
                "".join(rng.choice(FRAMES).format(*rng.sample(words, 2)) for _ in range(3))
                for _ in range(rng.randint(3, 8))
            ]
            name = f"{region}-{kind}-{year}.txt"
            title = f"{region}{year}年{kind}"
            (folder / name).write_text("\n".join([title, *paragraphs]), encoding="utf-8")
            rows.append({"file": name, "region": region, "year": str(year), "title": title,
                         "kind": kind, "paragraphs": paragraphs})  # fmt: skip
    with (folder / "SOURCES.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["file", "region", "year", "title", "kind"])
        writer.writeheader()
        writer.writerows(
            {k: r[k] for k in ("file", "region", "year", "title", "kind")} for r in rows
        )
    return rows


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_new_terms_have_no_hits_in_the_baseline(tmp_path, make_engine, seed):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    generated_corpus(corpus, seed)
    summary = index_paths([corpus], make_engine(tmp_path / "ix"))
    assert not summary.failed
    library = Library(tmp_path / "ix")
    searcher = library.searcher()
    texts = {s.id: [normalize(p.text) for p in searcher.load_report(s.id).paragraphs]
             for s in searcher.summaries()}  # fmt: skip
    years = {s.id: s.meta.year for s in searcher.summaries()}
    checked = 0
    for report_id, paragraphs in texts.items():
        result = report_terms(searcher, report_id)
        if not result.baseline:
            assert result.new == ()
            continue
        assert report_id not in result.baseline
        assert all(years[b] < years[report_id] for b in result.baseline)
        for term in result.new:
            found = search(library, SearchRequest(q=f'"{term.term}"', report=result.baseline))
            assert found.total == 0, (report_id, term)
            users = [r for r, ps in texts.items() if any(contains(p, term.term) for p in ps)]
            assert term.reports == len(users) and report_id in users
            assert term.first_year == min(years[r] for r in users)
            assert term.count == sum(count(p, term.term) for p in paragraphs) > 0
            checked += 1
        for top in result.top:
            assert top.count == sum(count(p, top.term) for p in paragraphs)
            base = sum(count(p, top.term) for b in result.baseline for p in texts[b])
            assert top.baseline_count == base
    assert checked > 0


@pytest.mark.parametrize("seed", [4])
def test_report_without_predecessor_has_no_baseline_and_no_new(tmp_path, make_engine, seed):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rows = generated_corpus(corpus, seed)
    index_paths([corpus], make_engine(tmp_path / "ix"))
    searcher = Library(tmp_path / "ix").searcher()
    first = min((r for r in rows if r["region"] == "无锡市"), key=lambda r: r["year"])
    result = report_terms(searcher, Path(first["file"]).stem)
    assert result.baseline == () and result.new == ()
    assert result.top and all(t.baseline_count is None for t in result.top)


def test_recurring_phrases_are_terms_and_stop_words_are_not():
    paragraphs = [
        normalize("加快发展新质生产力，我们要进一步推进。"),
        normalize("培育新质生产力。"),
    ]
    found = candidates(paragraphs)
    assert "新质生产力" in found
    assert not {"我们", "进一步", "，", "。"} & found
    assert not is_term("2025") and not is_term("十五") and is_term("5g")


@given(
    st.text(alphabet="ai5g.发展 ", max_size=40),
    st.text(alphabet="ai5g.发展", min_size=2, max_size=4),
)
@settings(deadline=None)  # shared, loaded machines: no timing in tests
def test_text_index_counts_as_the_search_does(text, term):
    assert TextIndex(text).count(term) == count(text, term)
