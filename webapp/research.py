"""Research endpoints: trends, keyword in context, exports, report downloads, Atom feeds,
suggestions and OpenSearch."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from urllib.parse import quote

from flask import Blueprint, Response, abort, jsonify, request, stream_with_context, url_for

from indexer.query import QueryError, SearchRequest
from indexer.query.downloads import download_names, report_markdown, report_text
from indexer.query.filters import LEVELS
from indexer.query.kwic import concordance_lines, kwic, kwic_csv
from indexer.query.research import (
    csv_chunks,
    export_filename,
    export_rows,
    feed_entries,
    jsonl_chunks,
    trends,
)
from indexer.query.script import convert
from indexer.query.suggest import suggest
from webapp.api import error, library
from webapp.pages import chosen_script, hidden_params, pagination, render

bp = Blueprint("research", __name__)
ATOM = "http://www.w3.org/2005/Atom"


@bp.errorhandler(QueryError)
def query_error(exc: QueryError):
    return error(400, exc.code, exc.message)


def _request(args=None) -> SearchRequest:
    req = SearchRequest.from_args(request.args if args is None else args)
    if not req.q:
        raise QueryError("missing_query", "q is required")
    return req


@bp.get("/api/trends")
def api_trends():
    """Reports indexed, reports and paragraphs matching, share and mentions per year and region."""
    return jsonify(trends(library(), _request()).to_dict())


@bp.get("/api/kwic")
def api_kwic():
    """One line per occurrence, with its context: a page of the concordance."""
    return jsonify(kwic(library(), _kwic_request(), _kwic_sort()).to_dict())


def _kwic_sort() -> str:
    return request.args.get("sort") or "relevance"


def _kwic_request() -> SearchRequest:
    """The search behind a concordance (its own ``sort`` means something else)."""
    args = request.args.copy()
    args.pop("sort", None)
    return _request(args)


@bp.get("/kwic.csv")
def kwic_export():
    """Every line of the concordance as CSV (UTF-8 with BOM)."""
    req = _kwic_request()
    _, lines = concordance_lines(library(), req, _kwic_sort())
    return _download(kwic_csv(lines, request.host_url.rstrip("/")), "text/csv; charset=utf-8",
                     export_filename(f"kwic-{req.q}", "csv"), "govsearch-kwic.csv")  # fmt: skip


def _download(body, content_type: str, name: str, fallback: str) -> Response:
    """An attachment named ``name`` (UTF-8), with an ASCII ``fallback`` for old clients."""
    response = Response(body, content_type=content_type)
    # RFC 6266: an ASCII fallback for old clients, the UTF-8 name for everyone else.
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
    )
    return response


def _export(chunks, content_type: str, extension: str) -> Response:
    req = _request()
    rows = export_rows(library(), req)
    first = next(rows, None)  # raise QueryError before the response starts streaming
    rows = rows if first is None else _prepend(first, rows)
    body = stream_with_context(chunks(rows, request.host_url.rstrip("/")))
    name = export_filename(req.q, extension)
    return _download(body, content_type, name, f"govsearch-export.{extension}")


def _prepend(first, rest):
    yield first
    yield from rest


@bp.get("/export.csv")
def export_csv():
    """All hits as CSV (UTF-8 with BOM)."""
    return _export(csv_chunks, "text/csv; charset=utf-8", "csv")


@bp.get("/export.jsonl")
def export_jsonl():
    """All hits as JSON Lines."""
    return _export(jsonl_chunks, "application/x-ndjson; charset=utf-8", "jsonl")


@bp.get("/feed.atom")
def feed():
    """An Atom feed of the matching paragraphs of the most recently added reports."""
    req = _request()
    entries = feed_entries(library(), req)
    root = ET.Element("feed", xmlns=ATOM)
    ET.SubElement(root, "title").text = f"govsearch：{req.q}"
    ET.SubElement(root, "id").text = f"tag:govsearch,2026:search/{quote(req.q)}"
    ET.SubElement(root, "updated").text = entries[0].updated if entries else _epoch()
    ET.SubElement(root, "link", rel="self", href=request.url)
    ET.SubElement(root, "link", rel="alternate", type="text/html",
                  href=url_for("pages.search_page", q=req.q, _external=True))  # fmt: skip
    ET.SubElement(ET.SubElement(root, "author"), "name").text = "govsearch"
    for entry in entries:
        node = ET.SubElement(root, "entry")
        ET.SubElement(node, "id").text = entry.id
        ET.SubElement(node, "title").text = entry.title
        ET.SubElement(node, "updated").text = entry.updated
        ET.SubElement(node, "link", rel="alternate", href=request.host_url.rstrip("/") + entry.url)
        ET.SubElement(node, "summary", type="html").text = entry.snippet
        ET.SubElement(node, "content", type="text").text = entry.text
    body = ET.tostring(root, encoding="unicode", xml_declaration=False)
    return Response('<?xml version="1.0" encoding="utf-8"?>\n' + body,
                    mimetype="application/atom+xml; charset=utf-8")  # fmt: skip


def _epoch() -> str:
    return datetime.fromtimestamp(0, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@bp.get("/api/suggest")
def api_suggest():
    """Suggestions for the search box, in the OpenSearch suggestions format."""
    q = (request.args.get("q") or "")[:64]
    return jsonify([q, suggest(library().searcher(), q)])


@bp.get("/opensearch.xml")
def opensearch():
    """The OpenSearch description, so browsers can add the site as a search engine."""
    root = ET.Element("OpenSearchDescription", xmlns="http://a9.com/-/spec/opensearch/1.1/")
    ET.SubElement(root, "ShortName").text = "govsearch"
    ET.SubElement(root, "Description").text = "搜索政府工作报告与法治政府建设报告"
    ET.SubElement(root, "InputEncoding").text = "UTF-8"
    base = request.host_url.rstrip("/")
    ET.SubElement(root, "Url", type="text/html", method="get",
                  template=f"{base}/search?q={{searchTerms}}")  # fmt: skip
    ET.SubElement(root, "Url", type="application/x-suggestions+json", method="get",
                  template=f"{base}/api/suggest?q={{searchTerms}}")  # fmt: skip
    body = ET.tostring(root, encoding="unicode")
    return Response('<?xml version="1.0" encoding="utf-8"?>\n' + body,
                    mimetype="application/opensearchdescription+xml")  # fmt: skip


# -- pages: trends and keyword in context --------------------------------------------------

MEASURES = {"share": "提及的报告占比", "reports": "提及的报告数", "paragraphs": "段落数",
            "mentions": "出现次数"}  # fmt: skip
CHART_WIDTH = 360  # viewBox units; the drawing scales to the page's width
CHART_HEIGHT = 120


@bp.get("/trends")
def trends_page():
    """Trends of a query: the share of reports mentioning it per year, with the counts."""
    q = (request.args.get("q") or "").strip()
    measure = request.args.get("measure") if request.args.get("measure") in MEASURES else "share"
    if not q:
        return render("trends.html", q="", result=None, measures=MEASURES, measure=measure)
    try:
        req = SearchRequest.from_args(request.args)
        result = trends(library(), req)
    except QueryError as exc:
        return render("trends.html", 400, q=q, error=exc.message, result=None,
                      measures=MEASURES, measure=measure)  # fmt: skip
    if measure == "mentions" and result.mentions is None:
        measure = "reports"
    return render("trends.html", q=q, req=req, result=result, measures=MEASURES,
                  measure=measure, chart=year_chart(result, measure, req),
                  hidden=hidden_params(req), LEVEL_NAMES=LEVELS)  # fmt: skip


def measured(point, measure: str) -> float | None:
    """A point's value for ``measure`` (None for a year without reports)."""
    if not point.reports_indexed:
        return None
    return getattr(point, measure)


def year_chart(result, measure: str, req: SearchRequest) -> dict:
    """Columns per year: height by ``measure``; years without reports are gaps, not zeros."""
    points = result.by_year
    slot = CHART_WIDTH / max(len(points), 1)
    values = [measured(p, measure) for p in points]
    top = max((v for v in values if v), default=0) or 1
    top = top * 1.1  # room for the value above the highest column
    columns = []
    for i, (p, value) in enumerate(zip(points, values, strict=True)):
        height = round(CHART_HEIGHT * (value or 0) / top, 2)
        columns.append({
            "point": p, "value": value, "shown": shown_value(value, measure),
            "x": round(i * slot + slot * 0.15, 2), "width": round(slot * 0.7, 2),
            "y": round(CHART_HEIGHT - height, 2), "height": height,
            "center": round(i * slot + slot / 2, 2),
            "tick": len(points) <= 12 or p.value.endswith("0") or i in (0, len(points) - 1),
            "href": url_for("pages.search_page", q=req.q, **_params(req, year=p.value)),
        })  # fmt: skip
    return {"columns": columns, "width": CHART_WIDTH, "height": CHART_HEIGHT,
            "labelled": len(points) <= 16, "title": f"“{req.q}”：各年{MEASURES[measure]}"}  # fmt: skip


def shown_value(value, measure: str) -> str:
    """A value as the page shows it: a share as a percentage; a gap as a dash."""
    if value is None:
        return "—"
    return f"{value:.0%}" if measure == "share" else str(value)


def _params(req: SearchRequest, **changes) -> dict:
    """The request's filter parameters as url_for keywords (lists for repeated ones)."""
    params: dict[str, list[str]] = {}
    for name, value in hidden_params(req):
        params.setdefault(name, []).append(value)
    for name, value in changes.items():
        params[name] = [value]
    return params


@bp.get("/kwic")
def kwic_page():
    """Keyword in context: one line per occurrence, sortable by left or right context."""
    q = (request.args.get("q") or "").strip()
    if not q:
        return render("kwic.html", q="", result=None)
    try:
        req = _kwic_request()
        result = kwic(library(), req, _kwic_sort())
    except QueryError as exc:
        return render("kwic.html", 400, q=q, error=exc.message, result=None)
    script = chosen_script()
    lines = [{"line": line, "left": convert(line.left, script), "match": convert(line.match, script),
              "right": convert(line.right, script), "title": convert(line.report_title, script),
              "href": url_for("pages.report_page", report_id=line.report_id, q=q)
              + f"#{line.paragraph_id}"}
             for line in result.lines]  # fmt: skip
    return render("kwic.html", q=q, req=req, result=result, lines=lines,
                  pagination=pagination(result.page, result.pages), hidden=hidden_params(req),
                  sorts={"relevance": "相关度", "left": "按左侧语境", "right": "按右侧语境"})  # fmt: skip


# -- keeping a report ------------------------------------------------------------------------


@bp.get("/reports/<report_id>.txt")
def report_txt(report_id: str):
    """The report as indexed, as plain text with its metadata at the top."""
    return _report_download(report_id, report_text, "text/plain; charset=utf-8", "txt")


@bp.get("/reports/<report_id>.md")
def report_md(report_id: str):
    """The report as indexed, as Markdown with headings and its metadata at the top."""
    return _report_download(report_id, report_markdown, "text/markdown; charset=utf-8", "md")


def _report_download(report_id: str, write, content_type: str, extension: str) -> Response:
    """``write(report)`` as an attachment named after the report's title."""
    report = library().searcher().load_report(report_id)
    if report is None:
        abort(404)
    name, fallback = download_names(report, extension)
    return _download(write(report), content_type, name, fallback)
