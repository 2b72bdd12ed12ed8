"""The fixed query mix of the benchmarks and the phrase list of the baseline comparison.

Every request computes total + facets + the first page of hits with snippets (the same
work as /api/search). Nothing is cached across requests by the benchmark.

``MIX``: (name, category, URL parameters). Categories:
  exact     rare and common exact phrases (Simplified)
  trad      the same kind of phrases typed in Traditional characters
  relaxed   no exact match, falls back to jieba words (营商环境法治保障)
  boolean   OR, exclusion, two required terms
  filtered  region / year / heading filters (URL parameter or in-query)
  sorted    sort=year_desc
The latency floors ("phrase and relaxed queries") are checked on exact+trad+relaxed.

``PHRASES``: 20 common Simplified phrases and their Traditional forms (OpenCC s2t) = 40,
for the tutorial-baseline recall comparison.
"""

from __future__ import annotations

from urllib.parse import urlencode

MIX: list[tuple[str, str, dict[str, str]]] = [
    ("rare 综合查一次", "exact", {"q": "综合查一次"}),
    ("rare 全过程人民民主", "exact", {"q": "全过程人民民主"}),
    ("common 高质量发展", "exact", {"q": "高质量发展"}),
    ("common 消费", "exact", {"q": "消费"}),
    ("very common 发展", "exact", {"q": "发展"}),
    ("trad 高質量發展", "trad", {"q": "高質量發展"}),
    ("trad 營商環境", "trad", {"q": "營商環境"}),
    ("trad 法治政府建設", "trad", {"q": "法治政府建設"}),
    ("relaxed 营商环境法治保障", "relaxed", {"q": "营商环境法治保障"}),
    ("relaxed 科技创新人才培养", "relaxed", {"q": "科技创新人才培养"}),
    ("OR 人工智能 OR 数字经济", "boolean", {"q": "人工智能 OR 数字经济"}),
    ("NOT 营商环境 -民营", "boolean", {"q": "营商环境 -民营"}),
    ("AND 科技创新 人才", "boolean", {"q": "科技创新 人才"}),
    ("region=上海市 高质量发展", "filtered", {"q": "高质量发展", "region": "上海市"}),
    ("year=2024-2026 营商环境", "filtered", {"q": "营商环境", "year": "2024-2026"}),
    ("heading:营商环境 优化", "filtered", {"q": "优化 heading:营商环境"}),
    ("sort=year_desc 科技创新", "sorted", {"q": "科技创新", "sort": "year_desc"}),
]

FLOOR_CATEGORIES = ("exact", "trad", "relaxed")

SIMPLIFIED = [
    "高质量发展", "营商环境", "碳达峰", "新质生产力", "科技创新",
    "法治政府建设", "乡村振兴", "数字经济", "民营经济", "生态环境",
    "社会保障", "低空经济", "以旧换新", "养老服务", "优化营商环境",
    "行政执法", "新型城镇化", "安全生产", "对外开放", "绿色低碳",
]  # fmt: skip


def phrases() -> list[str]:
    """The 40 baseline phrases: SIMPLIFIED, then their Traditional forms (all differ)."""
    import opencc

    s2t = opencc.OpenCC("s2t")
    return SIMPLIFIED + [s2t.convert(p) for p in SIMPLIFIED]


def url(path: str, params: dict[str, str]) -> str:
    """``path?query`` for one mix entry."""
    return f"{path}?{urlencode(params)}"
