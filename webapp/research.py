"""Research endpoints: trends, exports, Atom feeds, suggestions and OpenSearch."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from urllib.parse import quote

from flask import Blueprint, Response, jsonify, request, stream_with_context, url_for

from indexer.query import QueryError, SearchRequest
from indexer.query.research import (
    csv_chunks,
    export_filename,
    export_rows,
    feed_entries,
    jsonl_chunks,
    trends,
)
from indexer.query.suggest import suggest
from webapp.api import error, library

bp = Blueprint("research", __name__)
ATOM = "http://www.w3.org/2005/Atom"


@bp.errorhandler(QueryError)
def query_error(exc: QueryError):
    return error(400, exc.code, exc.message)


def _request() -> SearchRequest:
    req = SearchRequest.from_args(request.args)
    if not req.q:
        raise QueryError("missing_query", "q is required")
    return req


@bp.get("/api/trends")
def api_trends():
    """Matching paragraphs and reports per year and per region."""
    return jsonify(trends(library(), _request()).to_dict())


def _export(chunks, content_type: str, extension: str) -> Response:
    req = _request()
    rows = export_rows(library(), req)
    first = next(rows, None)  # raise QueryError before the response starts streaming
    rows = rows if first is None else _prepend(first, rows)
    body = stream_with_context(chunks(rows, request.host_url.rstrip("/")))
    response = Response(body, content_type=content_type)
    name = export_filename(req.q, extension)
    # RFC 6266: an ASCII fallback for old clients, the UTF-8 name for everyone else.
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"govsearch-export.{extension}\"; filename*=UTF-8''{quote(name)}"
    )
    return response


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
