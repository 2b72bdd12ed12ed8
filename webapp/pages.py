"""The HTML pages: the same library calls as the JSON API, rendered with Jinja templates."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import groupby
from urllib.parse import quote_plus, urlencode

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from markupsafe import Markup, escape

from indexer.engines import IndexMissing
from indexer.normalize import normalize
from indexer.query import Limits, QueryError, SearchRequest, parse_query, search
from indexer.query.advanced import (
    AdvancedSearch,
    from_query,
    region_options,
    search_params,
    without_surrogates,
    year_bounds,
    year_span,
)
from indexer.query.filters import LEVELS, Collection
from indexer.query.parse import without_spans
from indexer.query.reports import find_spans, report_detail, report_list
from indexer.query.request import parse_years
from indexer.query.script import SCRIPTS, convert, is_traditional
from indexer.query.search import relaxed_clauses
from indexer.query.snippets import mark, mark_numbered, match_spans
from indexer.regions import government_of
from webapp.api import http_error, library

bp = Blueprint("pages", __name__)

EXAMPLES = ("综合查一次", '"一件事" OR 一网通办', "营商环境 -优化", "section:不足 法治")
SORT_LABELS = {"relevance": "相关度", "year_desc": "年份从新到旧", "year_asc": "年份从旧到新"}
SCRIPT_LABELS = {"orig": "原文", "s": "简体", "t": "繁體"}
FACET_TITLES = {"section": "章节", "report": "报告", "region": "地区", "year": "年份",
                "level": "层级", "kind": "类型"}  # fmt: skip
FACET_SHOWN = 8  # values shown before the "更多" disclosure
LIMITS = Limits()
_MARK_TAG = re.compile(r"(</?mark>)")

# -- shared helpers -----------------------------------------------------------------------


def chosen_script() -> str:
    """The display script: ?script= wins, then the cookie, else as written."""
    for value in (request.args.get("script"), request.cookies.get("script")):
        if value in SCRIPTS:
            return value
    return "orig"


def url_with(_endpoint: str | None = None, **changes) -> str:
    """The current URL (or ``_endpoint``'s) with some parameters replaced; page resets.

    None or "" removes a parameter (every value of a repeated one).
    """
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    for key, value in changes.items():
        args = [(k, v) for k, v in args if k != key]
        if value not in (None, ""):
            args.append((key, str(value)))
    path = url_for(_endpoint) if _endpoint else request.path
    return path + ("?" + urlencode(args) if args else "")


def convert_snippet(snippet: str, script: str) -> Markup:
    """Convert an escaped snippet's text, leaving its <mark> tags alone."""
    parts = _MARK_TAG.split(snippet)
    return Markup("".join(p if _MARK_TAG.fullmatch(p) else convert(p, script) for p in parts))


@bp.app_context_processor
def template_helpers() -> dict:
    """Helpers every page template may use."""
    return {"url_with": url_with, "script": chosen_script(), "SCRIPT_LABELS": SCRIPT_LABELS}


def render(template: str, status: int = 200, **context):
    """Render ``template``; remember an explicit ?script= choice in a cookie."""
    response = make_response(render_template(template, **context), status)
    if request.args.get("script") in SCRIPTS:
        response.set_cookie(
            "script", request.args["script"], max_age=365 * 24 * 3600, samesite="Lax",
            httponly=True,
        )  # fmt: skip
    return response


# -- home and search ----------------------------------------------------------------------


def home():
    """The search box, example queries and the reports grouped by year."""
    reports = report_list(library().searcher())
    by_year = [(year, list(rows)) for year, rows in groupby(reports, key=lambda r: r["year"])]
    return render("home.html", examples=EXAMPLES, by_year=by_year, total=len(reports))


@bp.get("/")
@bp.get("/search")
def search_page():
    """Search results for ?q= (same parameters as /api/search); the home page without q."""
    if "year_from" in request.args or "year_to" in request.args:
        return redirect(year_range_url(), 303)
    if not (request.args.get("q") or "").strip():
        return home()
    try:
        req = SearchRequest.from_args(request.args)
        results = search(library(), req)
    except QueryError as exc:
        return render("search.html", 400, q=request.args.get("q", ""), error=error_text(exc),
                    examples=EXAMPLES)  # fmt: skip
    script = chosen_script()
    return render(
        "search.html", q=req.q, req=req, results=results, examples=EXAMPLES,
        hits=[hit_view(h, req.q, script) for h in results.hits],
        groups=[group_view(g, req.q, script) for g in results.groups],
        hidden_except_year=hidden_params(req, "year"), year_range=year_range_view(req),
        facets=facet_views(results, req), filters=filter_views(results, req),
        relaxed_words=results.relaxed_words,
        pagination=pagination(results.page, results.pages), sorts=SORT_LABELS,
        charts=trend_charts(results), facet_shown=FACET_SHOWN, hidden=hidden_params(req),
        hidden_except_sort=hidden_params(req, "sort"),
        hidden_except_heading=hidden_params(req, "heading"),
    )  # fmt: skip


def year_range_url() -> str:
    """The search URL with the year-range form's two ends as one ``year=lo-hi`` parameter."""
    ends = [(request.args.get(k) or "").strip() for k in ("year_from", "year_to")]
    low, high = (e if e.isascii() and e.isdecimal() and len(e) == 4 else "" for e in ends)
    bounds = year_bounds(library().searcher())
    args = [(k, v) for k, v in request.args.items(multi=True)
            if k not in ("year_from", "year_to", "year", "page")]  # fmt: skip
    if span := year_span(low, high, bounds):
        args.append(("year", span))
    return url_for("pages.search_page") + "?" + urlencode(args)


def error_text(exc: QueryError) -> str:
    """A user-facing message for a query error (the library words them in Chinese)."""
    return exc.message


def hit_view(hit, q: str, script: str) -> dict:
    """What a result card needs: the hit, its reader link (marking q) and converted text."""
    path, _, fragment = hit.url.partition("#")
    return {
        "hit": hit,
        "href": f"{path}?{urlencode({'q': q})}#{fragment}",
        "title": convert(hit.report_title, script),
        "section_path": [convert(s, script) for s in hit.section_path],
        "snippet": convert_snippet(hit.snippet, script),
    }


def group_view(group, q: str, script: str) -> dict:
    """A report's entry when results are grouped: its best hits and the link to all of them."""
    more = group.total - len(group.hits)
    return {
        "group": group,
        "title": convert(group.report_title, script),
        "href": url_for("pages.report_page", report_id=group.report_id, q=q),
        "hits": [hit_view(h, q, script) for h in group.hits],
        "more": more,
        "more_href": url_with(report=group.report_id, group=None) if more else "",
    }


def facet_views(results, req: SearchRequest) -> list[dict]:
    """Each facet as a titled list of {label, count, href, active} toggles (multi-select).

    A link adds its value to the facet's selection (a union) or takes it out again; the
    selected values come first, and those the counts no longer list stay, with 0.
    """
    out = []
    for name, values in results.facets.items():
        current = getattr(req, name)
        toggle = _facet_toggle(name)
        listed = {v.value for v in values}
        items = [{"label": v.label or v.value, "count": v.count, "value": v.value}
                 for v in values] + [{"label": v, "count": 0, "value": v}
                                     for v in current if v not in listed]  # fmt: skip
        for item in items:
            item["match"] = normalize(item["label"])  # what the filter box compares, as typed
            item["active"] = item["value"] in current
            item["href"] = toggle(item["value"])
            item["html"] = facet_item_html(name, item)
        items.sort(key=lambda item: not item["active"])
        out.append({"name": name, "title": FACET_TITLES.get(name, name), "items": items,
                    "selected": sum(item["active"] for item in items)})  # fmt: skip
    return out


def facet_item_html(name: str, item: dict) -> Markup:
    """One facet toggle as a list item (a facet lists up to 500: a template macro per item
    cost more than the search that counted them)."""
    count, active = item["count"], item["active"]
    current = ' aria-current="true" title="再点一下取消"' if active else ""
    note = '<span class="visually-hidden">（已选，点击取消）</span>' if active else ""
    return Markup(
        f'<li><a href="{escape(item["href"])}" data-facet="{escape(name)}" data-count="{count}"'
        f' data-value="{escape(item["value"])}" data-match="{escape(item["match"])}"{current}>'
        f'<span class="facet-check" aria-hidden="true"></span>'
        f'<span class="facet-label">{escape(item["label"])}</span>'
        f'<span class="facet-count">{count}</span>{note}</a></li>'
    )


def year_range_view(req: SearchRequest) -> dict:
    """The year-range inputs' values: the one range selected, else blank."""
    if len(req.year) == 1:
        low, high = parse_years(req.year[0])
        return {"low": low, "high": high}
    return {"low": "", "high": ""}


_quote = lru_cache(maxsize=1 << 16)(quote_plus)  # facet values recur from page to page


def _facet_toggle(name: str):
    """A function giving the current URL with one value of facet ``name`` added, or removed if
    present; the other parameters are encoded once for all the facet's values."""
    others = [(k, v) for k, v in request.args.items(multi=True) if k not in ("page", name)]
    prefix = request.path + "?" + (urlencode(others) + "&" if others else "")
    current = request.args.getlist(name)

    key = _quote(name)

    def toggle(value: str) -> str:
        values = [v for v in current if v != value] if value in current else [*current, value]
        if not values:
            return prefix.rstrip("?&")
        return prefix + "&".join(f"{key}={_quote(v)}" for v in values)

    return toggle


def filter_views(results, req: SearchRequest) -> list[dict]:
    """Active filters in plain words, each with the URL that removes exactly it."""
    out = []
    for f in results.filters:
        if f.source == "url":
            remove = url_with(**{f.name: None})
        else:  # typed in the query: cut it (and its ORs) out of q
            remove = url_with(q=without_spans(req.q, f.spans))
        out.append({"description": f.description, "negated": f.negated, "remove": remove})
    return out


def hidden_params(req: SearchRequest, *leave_out: str) -> list[tuple[str, str]]:
    """The request's parameters other than q, as hidden form fields keep them."""
    pairs = req.filter_params()
    if req.sort != "relevance":
        pairs.append(("sort", req.sort))
    if req.within != "paragraph":
        pairs.append(("within", req.within))
    if req.group != "paragraph":
        pairs.append(("group", req.group))
    return [(k, v) for k, v in pairs if k not in leave_out]


def trend_charts(results) -> list[dict]:
    """Bar charts of matching paragraphs per year (oldest first) and per region (top 12).

    They are drawn from the facets, which count every match, so each bar equals the total
    its link (the year or region filter) returns.
    """
    years = sorted(results.facets.get("year", ()), key=lambda v: v.value)
    regions = list(results.facets.get("region", ()))[:12]
    charts = []
    for name, title, values in (("year", "按年份", years), ("region", "按地区（前 12）", regions)):
        if len(values) < 1:
            continue
        top = max(v.count for v in values)
        rows = [
            {"label": v.value, "count": v.count, "width": round(100 * v.count / top, 2),
             "href": url_with(**{name: v.value})}
            for v in values
        ]  # fmt: skip
        summary = "；".join(f"{r['label']} {r['count']} 段" for r in rows)
        charts.append({"name": name, "title": f"{title}的段落数", "rows": rows, "summary": summary})
    return charts


def pagination(current: int, pages: int, radius: int = 2) -> list[int | None]:
    """Page numbers to link: the first, the last and a window around the current (None = …)."""
    shown = sorted({1, pages, *range(max(1, current - radius), min(pages, current + radius) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and n - out[-1] > 1:
            out.append(None)
        out.append(n)
    return out


# -- advanced search ----------------------------------------------------------------------


@bp.get("/advanced")
def advanced_page():
    """The advanced search form; a filled-in form becomes the ordinary search URL."""
    searcher = library().searcher()
    form = AdvancedSearch.from_args(request.args)
    bounds = year_bounds(searcher)
    if not form.is_blank:
        return redirect(url_for("pages.search_page") + "?" + urlencode(search_params(form, bounds)),
                        303)  # fmt: skip
    q = without_surrogates(request.args.get("q") or "").strip()[: LIMITS.max_query_chars]
    prefill = from_query(q, request.args.get("sort", "relevance")) if q else form
    return render(
        "advanced.html", form=prefill or form, q=q, unexpressed=bool(q and prefill is None),
        empty_submit="go" in request.args, regions=region_options(searcher), bounds=bounds,
        levels=LEVELS, kinds=Collection.of(searcher).kinds, sorts=SORT_LABELS,
    )  # fmt: skip


# -- reading a report ---------------------------------------------------------------------


@bp.get("/reports/<report_id>")
def report_page(report_id: str):
    """The whole report with a table of contents, anchors, ¶ links and marked query matches."""
    detail = report_detail(library().searcher(), report_id)
    if detail is None:
        abort(404)
    script = chosen_script()
    q = (request.args.get("q") or "").strip()[: LIMITS.max_query_chars]
    find = (request.args.get("find") or "").strip()[: LIMITS.max_query_chars]
    paragraphs = detail["paragraphs"]
    spans = find_spans(paragraphs, find) if find else match_all(paragraphs, q)
    base = url_for("pages.report_page", report_id=report_id, _external=True)
    aliases: dict[str, list[str]] = {}
    for old, new in detail["aliases"].items():
        aliases.setdefault(new, []).append(old)
    shown, found = [], 0
    for p, s in zip(paragraphs, spans, strict=True):
        view = paragraph_view(p, s, script, detail, base, first_find=found + 1 if find else 0)
        shown.append({**view, "aliases": aliases.get(p["id"], [])})
        found += len(s)
    first = next((p["id"] for p, s in zip(paragraphs, spans, strict=True) if s), None)
    return render(
        "report.html", r=detail, q=q, find=find, found=found if find else 0,
        paragraphs=shown, first_match=first,
        matches=sum(len(s) for s in spans), title=convert(detail["title"], script),
        sections=convert_sections(detail["sections"], script),
        closing=[convert(line, script) for line in detail["closing"]],
        front=[convert(line, script) for line in detail["front"]],
        lang=text_lang(detail["title"], script),
    )  # fmt: skip


def match_all(paragraphs: list[dict], q: str) -> list[list[tuple[int, int]]]:
    """Spans of q's terms in each paragraph; the relaxed words if the whole terms never occur."""
    if not q:
        return [[] for _ in paragraphs]
    parsed = parse_query(q)
    spans = [match_spans(p["text"], [t.norm for t in parsed.positive_terms()]) for p in paragraphs]
    if not any(spans):  # the search may have matched in relaxed mode: mark its words
        words = [w for clause in relaxed_clauses(parsed) for alt in clause for w in alt]
        spans = [match_spans(p["text"], words) for p in paragraphs]
    return spans


def paragraph_view(p: dict, spans, script: str, detail: dict, base: str,
                   first_find: int = 0) -> dict:  # fmt: skip
    """One paragraph ready to render: marked (converted) HTML, heading level, citation.

    With ``first_find``, the marks are the find box's, numbered from it (``find-N`` ids).
    """
    shown = convert(p["text"], script)
    if len(shown) != len(p["text"]):  # spans index the original text: never misplace a mark
        shown = p["text"]
    html = mark_numbered(shown, spans, first_find) if first_find else mark(shown, spans)
    return {
        "id": p["id"],
        "number": p["number"],
        "path": " › ".join(convert(s, script) for s in p["section_path"]),
        "html": Markup(html),
        "heading": min(len(p["section_path"]) + 1, 4) if p["is_heading"] else 0,
        "cite": citation(detail, p, f"{base}#{p['id']}"),
    }


def citation(detail: dict, p: dict, url: str) -> str:
    """《title》，issuing government，date，section > path，第N段，URL，原文：source URL."""
    source = detail["source_url"]
    parts = (
        f"《{detail['title']}》",
        government_of(detail["region"], detail["level"], tuple(detail["region_path"])),
        detail["published"] or (f"{detail['year']}年" if detail["year"] else ""),
        " > ".join(p["section_path"]),
        f"第{p['number']}段",
        url,
        f"原文：{source}" if source.startswith(("https://", "http://")) else "",
    )
    return "，".join(part for part in parts if part)


def convert_sections(sections, script: str) -> list[dict]:
    """The section tree with titles in the display script."""
    return [
        {**s, "title": convert(s["title"], script),
         "children": convert_sections(s["children"], script)}
        for s in sections
    ]  # fmt: skip


def text_lang(sample: str, script: str) -> str:
    """The lang attribute for text shown in ``script`` (fonts differ for Traditional)."""
    if script == "t" or (script == "orig" and is_traditional(sample)):
        return "zh-Hant"
    return "zh-Hans"


# -- help and errors ----------------------------------------------------------------------


@bp.get("/help")
def help_page():
    """The query syntax with runnable examples, the limits and how ranking works."""
    return render("help.html", limits=LIMITS)


@bp.app_errorhandler(404)
def not_found(exc):
    """An HTML 404 page (the API keeps its own errors)."""
    if request.path.startswith("/api/"):
        return http_error(exc)
    return render("error.html", 404, heading="找不到这个页面",
                message="链接可能有误，或者这份报告已不在索引中。")  # fmt: skip


@bp.errorhandler(IndexMissing)
def index_missing(exc: IndexMissing):
    """The index has not been built yet."""
    return render("error.html", 503, heading="索引尚未建立",
                message="请先运行 govsearch index 建立索引，然后刷新本页。")  # fmt: skip
