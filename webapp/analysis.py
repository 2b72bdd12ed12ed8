"""Report analysis: compare two reports, word frequency and new terms (API and pages)."""

from __future__ import annotations

import re

from flask import Blueprint, jsonify, request
from markupsafe import Markup

from indexer.query.compare import Comparison, compare
from indexer.query.reports import report_list
from indexer.query.script import SCRIPTS, convert
from indexer.query.terms import (
    ReportTerms,
    UnknownReport,
    previous_report,
    report_terms,
    term_history,
)
from webapp.api import error, library
from webapp.pages import chosen_script, render, text_lang

bp = Blueprint("analysis", __name__)

STATUS_LABELS = {"same": "相同", "changed": "修改", "moved": "移动", "added": "新增",
                 "removed": "删除"}  # fmt: skip
PANEL_TERMS = 20  # terms shown in the report page's panel (the API lists more)
_INS = re.compile(r"<ins>.*?</ins>", re.S)
_DEL = re.compile(r"<del>.*?</del>", re.S)


# -- JSON -----------------------------------------------------------------------------------


class PairError(Exception):
    """The reports to compare are missing or unknown."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _comparison(script: str = "orig") -> Comparison:
    """The comparison asked for by ?a=&b= (PairError if a report is missing or unknown)."""
    a_id, b_id = request.args.get("a", "").strip(), request.args.get("b", "").strip()
    if not a_id or not b_id:
        raise PairError(400, "missing_report", "比较需要两份报告：参数 a 和 b。")
    searcher = library().searcher()
    a, b = searcher.load_report(a_id), searcher.load_report(b_id)
    for rid, loaded in ((a_id, a), (b_id, b)):
        if loaded is None:
            raise PairError(404, "unknown_report", f"no report with id {rid!r}")
    return compare(a, b, script)


@bp.errorhandler(PairError)
def pair_error(exc: PairError):
    """JSON for the API; the HTML error page for /compare."""
    if request.path.startswith("/api/"):
        return error(exc.status, exc.code, exc.message)
    return render("error.html", exc.status, heading="找不到要比较的报告",
                  message="链接中的报告编号有误，或者这份报告已不在索引中。")  # fmt: skip


@bp.get("/api/compare")
def api_compare():
    """Two reports aligned paragraph by paragraph; see README."""
    script = request.args.get("script", "orig")
    return jsonify(_comparison(script if script in SCRIPTS else "orig").to_dict())


@bp.get("/api/reports/<report_id>/terms")
def api_terms(report_id: str):
    """The report's frequent terms and its new terms against its baseline."""
    baseline = tuple(request.args.getlist("baseline")) or None
    try:
        result = report_terms(library().searcher(), report_id, baseline)
    except UnknownReport as exc:
        return error(404, "unknown_report", f"no report with id {exc.args[0]!r}")
    return jsonify(result.to_dict())


@bp.get("/api/terms")
def api_term_history():
    """Which reports use a term, year by year, and the first ones to use it."""
    q = (request.args.get("q") or "").strip()
    if not q or len(q) > 64:
        return error(400, "bad_term", "q 是要查看的词语（1 到 64 个字符）。")
    try:
        return jsonify(term_history(library().searcher(), q).to_dict())
    except ValueError:
        return error(400, "bad_term", "q 是要查看的词语（1 到 64 个字符）。")


# -- pages ----------------------------------------------------------------------------------


@bp.get("/compare")
def compare_page():
    """Two reports side by side, paragraph by paragraph; a chooser when none is given."""
    script = chosen_script()
    reports = report_list(library().searcher())
    choice = {"a": request.args.get("a", ""), "b": request.args.get("b", "")}
    if not (choice["a"] and choice["b"]):
        return render("compare.html", reports=reports, choice=choice, c=None)
    result = _comparison(script)
    only_changes = request.args.get("changes") == "1"
    rows = [row_view(result, p, script) for p in result.pairs]
    if only_changes:
        rows = [r for r in rows if r["status"] != "same"]
    return render(
        "compare.html", reports=reports, choice=choice, c=result, rows=rows,
        labels=STATUS_LABELS, only_changes=only_changes,
        titles={side: convert(getattr(result, side).meta.title, script) for side in "ab"},
        lang=text_lang(result.b.meta.title, script),
    )  # fmt: skip


def row_view(c: Comparison, pair, script: str) -> dict:
    """One row: each side's text (marked where changed), its paragraph link and number."""
    sides = {}
    for side, index, cut in (("a", pair.a, _INS), ("b", pair.b, _DEL)):
        if index is None:
            sides[side] = None
            continue
        report = getattr(c, side)
        para = report.paragraphs[index]
        text = cut.sub("", pair.diff) if pair.diff else _escape(convert(para.text, script))
        sides[side] = {"html": Markup(text), "number": para.number,
                       "href": f"/reports/{report.id}#{para.id}", "heading": para.is_heading}  # fmt: skip
    path = " › ".join(convert(s, script) for s in pair.section_path)
    # Unchanged text written alike on both sides is shown once, across both columns.
    one = pair.status == "same" and sides["a"]["html"] == sides["b"]["html"]
    return {"status": pair.status, "a": sides["a"], "b": sides["b"], "section_path": path,
            "one_text": one}  # fmt: skip


def _escape(text: str) -> str:
    return str(Markup.escape(text))


@bp.app_template_global()
def report_panel(report_id: str) -> dict:
    """What a report page adds: the previous report to compare with, and the terms panel."""
    searcher, script = library().searcher(), chosen_script()
    years = {s.id: s.meta.year for s in searcher.summaries()}
    previous = previous_report(searcher, report_id)
    terms: ReportTerms = report_terms(searcher, report_id)  # the API's answer, cached
    return {
        "previous": None if previous is None else {"id": previous, "year": years[previous]},
        "terms": terms,
        "terms_top": [{**vars(t), "shown": convert(t.term, script)}
                      for t in terms.top[:PANEL_TERMS]],
        "terms_new": [{**vars(t), "shown": convert(t.term, script)}
                      for t in terms.new[:PANEL_TERMS]],
        "baseline_years": sorted({years[b] for b in terms.baseline}),
    }  # fmt: skip
