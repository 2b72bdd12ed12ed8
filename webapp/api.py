"""The JSON API: each view validates, calls the library and serializes what it returns."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from indexer.engines import IndexMissing
from indexer.query import Library, QueryError, SearchRequest, search
from indexer.query.reports import find_in_report, report_detail, report_list

bp = Blueprint("api", __name__)


def library() -> Library:
    """The app's shared library."""
    return current_app.extensions["govsearch.library"]


def error(status: int, code: str, message: str):
    """A JSON error response."""
    return jsonify({"error": {"code": code, "message": message}}), status


@bp.app_errorhandler(HTTPException)
def http_error(exc: HTTPException):
    """Answer HTTP errors under /api/ (unknown paths, wrong methods, bad requests) in JSON."""
    if not request.path.startswith("/api/"):
        return exc
    status = exc.code or 500
    code = (exc.name or "error").lower().replace(" ", "_")
    response, status = error(status, code, exc.description or exc.name or "error")
    if "Allow" in exc.get_response().headers:  # 405 keeps telling which methods are allowed
        response.headers["Allow"] = exc.get_response().headers["Allow"]
    return response, status


@bp.errorhandler(QueryError)
def query_error(exc: QueryError):
    return error(400, exc.code, exc.message)


@bp.errorhandler(IndexMissing)
def index_missing(exc: IndexMissing):
    return error(503, "index_missing", str(exc))


@bp.get("/api/search")
def api_search():
    """Search paragraphs; see README for parameters."""
    req = SearchRequest.from_args(request.args)
    if not req.q:
        return error(400, "missing_query", "q is required")
    return jsonify(search(library(), req).to_dict())


@bp.get("/api/reports")
def api_reports():
    """List the indexed reports."""
    return jsonify({"reports": report_list(library().searcher())})


@bp.get("/api/reports/<report_id>")
def api_report(report_id: str):
    """One report: metadata, section tree and paragraphs in reading order."""
    detail = report_detail(library().searcher(), report_id)
    if detail is None:
        return error(404, "unknown_report", f"no report with id {report_id!r}")
    return jsonify(detail)


@bp.get("/api/reports/<report_id>/find")
def api_report_find(report_id: str):
    """Every occurrence of ?q= in one report (across scripts), as spans per paragraph."""
    text = "".join(c for c in request.args.get("q") or "" if not 0xD800 <= ord(c) <= 0xDFFF)
    if not text.strip():
        return error(400, "missing_query", "q is required")
    if len(text) > 256:
        return error(400, "query_too_long", "查询太长了：最多 256 个字符。")
    detail = report_detail(library().searcher(), report_id)
    if detail is None:
        return error(404, "unknown_report", f"no report with id {report_id!r}")
    return jsonify(find_in_report(detail, text))


@bp.get("/healthz")
def healthz():
    """Liveness and what is being served."""
    searcher = library().searcher()
    return jsonify({"status": "ok", "reports": len(searcher.summaries()),
                    "paragraphs": searcher.paragraph_count()})  # fmt: skip
