"""The partial tier's threshold, swept over a set of question-style queries.

Usage (from the repository root, on any index of the shipped corpus or a multiple of it):

  .venv/bin/python bench/partial.py INDEX_DIR [--shares 0.5,0.6,0.667,0.75,0.85] [--latency]

For each question, the partial plan of its content words (question words dropped, as the
search does) is run at each minimum share, whatever the exact and relaxed tiers would have
found. A hit is on topic when its paragraph holds one of the question's topic phrases. The
table gives, per share: questions answered (any hit), the mean share of on-topic hits among
the first ten and among all hits (questions with hits only), and the median number of hits. ``--latency`` also
times whole searches of the questions (every tier they go through) and each question's partial
plan alone through the engine, best of three per query.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.normalize import normalize  # noqa: E402
from indexer.query import Library, SearchRequest, parse_query, search  # noqa: E402
from indexer.query.plan import Plan  # noqa: E402
from indexer.query.tiers import MIN_SHARE, partial, relaxed  # noqa: E402
from indexer.textmatch import contains  # noqa: E402

# (question, topic phrases: a paragraph holding one of them is on topic)
QUESTIONS: list[tuple[str, tuple[str, ...]]] = [
    ("如何优化营商环境促进民营经济发展", ("营商环境", "民营经济")),
    ("各地政府关于低空经济发展的目标和具体措施有哪些", ("低空经济",)),
    ("怎样推进乡村全面振兴", ("乡村全面振兴", "乡村振兴")),
    ("哪些地方提出了建设全国统一大市场的措施", ("全国统一大市场",)),
    ("关于数字政府建设有什么安排", ("数字政府",)),
    ("如何提高行政执法质量和效率", ("行政执法",)),
    ("怎么做好稳就业和促进居民增收工作", ("就业",)),
    ("各地如何推进新型城镇化和城市更新", ("城镇化", "城市更新")),
    ("有哪些关于养老服务体系建设的举措", ("养老服务",)),
    ("政府如何推动科技创新和产业创新深度融合", ("科技创新",)),
    ("如何加强生态环境保护和污染防治", ("生态环境", "污染防治")),
    ("关于以旧换新政策扩大消费的做法有哪些", ("以旧换新",)),
    ("怎样防范化解地方政府债务风险", ("债务",)),
    ("人工智能赋能千行百业有哪些具体行动", ("人工智能",)),
    ("如何推进法治政府建设和依法行政", ("法治政府", "依法行政")),
    ("各地在安全生产方面的重点工作是什么", ("安全生产",)),
]
SHARES = (0.5, 0.6, 2 / 3, 0.75, 0.85)
TOP = 10


def partial_plan(searcher, question: str, share: float) -> Plan | None:
    """The partial plan the search would run for ``question``, at minimum ``share``."""
    words = relaxed(parse_query(question)).words()
    plan = partial(words, searcher.doc_freq, searcher.paragraph_count())
    return None if plan is None else Plan(partial=replace(plan, min_share=share), size=TOP)


def on_topic(searcher, key, topics: tuple[str, ...]) -> bool:
    """True if the hit's paragraph holds one of the topic phrases."""
    text = normalize(searcher.load_report(key.report_id).paragraphs[key.paragraph].text)
    return any(contains(text, normalize(t)) for t in topics)


def sweep(searcher, shares) -> list[dict]:
    """Answered questions, precision of the first ten and median hits, per minimum share."""
    rows = []
    for share in shares:
        answered, precision, overall, totals = 0, [], [], []
        for question, topics in QUESTIONS:
            plan = partial_plan(searcher, question, share)
            result = searcher.search(plan) if plan else None
            totals.append(result.total if result else 0)
            if result and result.total:
                answered += 1
                good = sum(on_topic(searcher, k, topics) for k in result.page)
                precision.append(good / len(result.page))
                every = list(searcher.iter_hits(plan))
                overall.append(sum(on_topic(searcher, k, topics) for k in every) / len(every))
        rows.append({"share": share, "answered": answered, "questions": len(QUESTIONS),
                     "precision_at_10": statistics.mean(precision) if precision else 0.0,
                     "on_topic_all": statistics.mean(overall) if overall else 0.0,
                     "median_hits": statistics.median(totals)})  # fmt: skip
    return rows


def latency(library) -> list[tuple[str, str, int, float]]:
    """(question, mode, total, best of three ms) of whole searches."""
    out = []
    for question, _topics in QUESTIONS:
        request = SearchRequest(question)
        search(library, request)  # warm: jieba, vocabulary, caches of the engine
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            page = search(library, request)
            best = min(best, (time.perf_counter() - t0) * 1000)
        out.append((question, page.mode, page.total, best))
    return out


def plan_latency(searcher) -> list[float]:
    """Best of three ms of each question's partial plan alone (search: total, facets, page)."""
    out = []
    for question, _topics in QUESTIONS:
        plan = partial_plan(searcher, question, MIN_SHARE)
        if plan is None:
            continue
        searcher.search(plan)
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            searcher.search(plan)
            best = min(best, (time.perf_counter() - t0) * 1000)
        out.append(best)
    return sorted(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("--shares", default=",".join(f"{s:.3f}" for s in SHARES))
    parser.add_argument("--latency", action="store_true")
    args = parser.parse_args()
    library = Library(args.index_dir)
    searcher = library.searcher()
    print("| minimum share | answered | on topic: first 10 | on topic: all hits | median hits |")
    print("|---|---|---|---|---|")
    for row in sweep(searcher, [float(s) for s in args.shares.split(",")]):
        print(f"| {row['share']:.2f} | {row['answered']}/{row['questions']} "
              f"| {row['precision_at_10']:.2f} | {row['on_topic_all']:.2f} "
              f"| {row['median_hits']:g} |")  # fmt: skip
    if args.latency:
        times = latency(library)
        print("\n| question | mode | hits | ms (best of 3) |\n|---|---|---|---|")
        for question, mode, total, ms in times:
            print(f"| {question} | {mode} | {total} | {ms:.1f} |")
        partial_ms = sorted(ms for _, mode, _, ms in times if mode == "partial")
        if partial_ms:
            print(f"\nsearches answered by the partial tier: n={len(partial_ms)}, median "
                  f"{statistics.median(partial_ms):.1f} ms, max {partial_ms[-1]:.1f} ms")  # fmt: skip
        alone = plan_latency(searcher)
        print(f"partial plans alone (engine search), n={len(alone)}: median "
              f"{statistics.median(alone):.1f} ms, max {alone[-1]:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
