"""Hardening: hostile and malformed queries never break the server; fuzzed searches are exact.

Every parameterless GET endpoint of the app (the JSON API, the HTML search page and whatever
else is registered) is sent arbitrary strings, operator soup, 10,000-character values, raw
percent-encoded bytes (lone surrogates such as ``%ED%A0%80`` included) and junk parameters: the
answer is never a 5xx, is JSON (with an error object) on /api/ and a normal page elsewhere,
carries the security headers, and comes back (:data:`HANG_SECONDS` only catches hangs; speed
is measured in ``bench/``, not asserted here).
"""

from __future__ import annotations

import re
import time
from urllib.parse import quote, quote_from_bytes

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from indexer.normalize import normalize
from indexer.query import SearchRequest, search
from indexer.textmatch import contains

HANG_SECONDS = 30.0  # a hang guard, not a speed target: CI machines are busy
FIELDS = ("section:", "heading:", "region:", "year:", "report:", "章节:", "SECTION：", "year：")
SOUP = (
    '"', "“", "”", "「", "」", "『", "』", "(", ")", "[", "]", "{", "}", "<", ">", "OR", "AND",
    "NOT", "-", "--", "-\"", "*", "?", "~", "^", ":", "：", "\\", "%", "&", "|", "||", "!", "'",
    "营商环境", "法治", "综合查一次", "一网通办", "不足", "2024", "2019-2024", "\x00", "\x1b[31m",
    "\u200b", "\ufeff", "\u202e", "ﾟ", "𠀀", "＂", "－", *FIELDS,
)  # fmt: skip
PARAMS = ("page", "size", "year", "sort", "section", "heading", "region", "report", "within",
          "script", "q")  # fmt: skip
NUMBERISH = ("0", "1", "-1", "+1", "1.5", "1e3", "99999999999", "100", "101", "10000", " 2 ",
             "0x10", "１", "٣", "²", "①", "", "NaN", "inf")  # fmt: skip
SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# -- the app under test -------------------------------------------------------------------


@pytest.fixture(scope="module")
def web(index_dir):
    """A production-mode app (exceptions become 500s instead of propagating) and its client."""
    from webapp import create_app

    app = create_app({"INDEX_DIR": str(index_dir)})  # not TESTING: a bug must show as a 500
    client = app.test_client()
    assert client.get("/api/search", query_string={"q": "法治"}).status_code == 200  # warm up
    return app, client


def endpoints(app) -> list[str]:
    """Every GET route without URL arguments, except static files."""
    return sorted(
        r.rule
        for r in app.url_map.iter_rules()
        if "GET" in (r.methods or ()) and not r.arguments and r.endpoint != "static"
    )


def check_headers(response) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    script_src = directives.get("script-src", directives.get("default-src"))
    assert script_src is not None, csp
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, csp
    assert directives.get("frame-ancestors") == ["'none'"], csp
    assert directives.get("object-src") == ["'none'"], csp
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy")


def check_response(response, path: str, elapsed: float) -> None:
    """The contract for any answer to any request."""
    assert response.status_code < 500, (path, response.status_code, response.data[:500])
    assert elapsed < HANG_SECONDS, (path, elapsed)
    check_headers(response)
    if path.startswith("/api/"):
        assert response.content_type.startswith("application/json"), response.content_type
        data = response.get_json()
        if response.status_code >= 400:
            assert data["error"]["code"] and data["error"]["message"]
    elif path in ("/", "/search"):
        assert response.content_type.startswith("text/html")
        assert b"</html>" in response.data.lower()


def fetch(client, url: str, **kwargs):
    """GET ``url``, reading a streamed body to the end (exports stream), timed."""
    started = time.perf_counter()
    response = client.get(url, **kwargs)
    response.get_data()
    response.close()
    return response, time.perf_counter() - started


# -- strategies ---------------------------------------------------------------------------

soup = st.lists(st.sampled_from(SOUP), max_size=30).flatmap(
    lambda parts: st.lists(st.sampled_from(["", " ", "  ", "\t", "\n", "\u3000"]),
                           min_size=len(parts), max_size=len(parts)).map(
        lambda seps: "".join(p + s for p, s in zip(parts, seps, strict=True)))
)  # fmt: skip
long_text = st.builds(
    lambda unit, n: (unit * n)[:10_000],
    st.sampled_from(["营", "营商环境 ", '"', "a OR ", "-x "]),
    st.integers(200, 10_000),
)
field_query = st.builds(
    lambda f, v, rest: f"{f}{v} {rest}", st.sampled_from(FIELDS), st.text(max_size=12), soup
)
queries = st.one_of(st.text(max_size=300), soup, long_text, field_query)
param_values = st.one_of(
    st.sampled_from(NUMBERISH), st.text(max_size=20), st.integers(-(10**12), 10**12).map(str),
    st.sampled_from(["relevance", "year_desc", "year_asc", "paragraph", "sentence", "s", "t"]),
    long_text,
)  # fmt: skip


@given(q=queries, params=st.dictionaries(st.sampled_from(PARAMS[:-1]), param_values, max_size=4))
@SETTINGS
def test_hostile_queries_never_break_any_endpoint(web, q, params):
    app, client = web
    for path in endpoints(app):
        response, elapsed = fetch(client, path, query_string={**params, "q": q})
        check_response(response, path, elapsed)


numberish = st.one_of(
    st.sampled_from(NUMBERISH),
    st.text(st.characters(categories=["Nd", "No", "Nl", "Zs", "Pd"]), min_size=1, max_size=6),
)


@given(name=st.sampled_from(["page", "size", "year"]), value=numberish)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_numeric_parameters(web, name, value):
    """Unicode digits of every kind (fullwidth, Arabic-Indic, superscript, circled...)."""
    app, client = web
    for path in ("/api/search", "/search"):
        response, elapsed = fetch(client, path, query_string={"q": "法治", name: value})
        check_response(response, path, elapsed)


@given(raw=st.lists(st.binary(max_size=12), min_size=1, max_size=3), name=st.sampled_from(PARAMS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_raw_percent_encoded_bytes(web, raw, name):
    """Invalid UTF-8 (lone surrogates, overlongs, truncated sequences) straight in the URL."""
    app, client = web
    value = "".join(quote_from_bytes(b, safe="") for b in raw)
    for path in ("/api/search", "/search"):
        if path not in endpoints(app):
            continue
        q = "" if name == "q" else "q=%E6%B3%95%E6%B2%BB&"
        url = f"{path}?{q}{name}={value}"
        response, elapsed = fetch(client, url)
        check_response(response, path, elapsed)


@pytest.mark.parametrize(
    "url",
    [
        "/api/search?q=%ED%A0%80",  # a lone high surrogate, UTF-8-encoded (CESU style)
        "/api/search?q=%ED%B0%80%ED%A0%80",
        "/search?q=%ED%A0%80",
        "/api/search?q=%C0%AF",  # overlong '/'
        "/api/search?q=%FF%FE%00",
        "/api/search?q=%E6%B3",  # truncated 法
        "/api/search?q=%00%00%00",
        "/api/search?q=%1B%5B2J",
        "/api/search?q=" + quote("营" * 10_000),
        "/search?q=" + quote('"' * 257),
        "/api/search?q=" + "+".join(["a"] * 17),
        "/api/search?q=法治&size=100&page=100",
        "/api/search?q=法治&size=100&page=101",
        "/api/search?q=法治&page=999999999",
        "/api/search?q=法治&page=1&page=2&size=5&size=6",
        "/api/search?q[]=法治",
        "/search?q=year:0000-9999",
        "/search?q=report:..%2F..%2Fetc%2Fpasswd",
        "/search?q=region:%3Cscript%3E",
    ],
)
def test_raw_urls(web, url):
    app, client = web
    response, elapsed = fetch(client, url)
    check_response(response, url.split("?")[0], elapsed)


@pytest.mark.parametrize("path", ["/api/search", "/search"])
def test_superscript_digits_are_a_400(web, path):
    _, client = web
    response, _ = fetch(client, path, query_string={"q": "法治", "page": "²"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "report_id",
    ["..", "%2E%2E", "..%2F..%2Fetc%2Fpasswd", "../../etc/passwd", "%00", "x%00y", "%ED%A0%80",
     "%3Cscript%3E", "a" * 5000, "%2F", "current", "gen-0", "index.lock", "~root", "%25"],
)  # fmt: skip
def test_crafted_report_ids_are_404(web, report_id):
    app, client = web
    for prefix in ("/api/reports/", "/reports/"):
        response, elapsed = fetch(client, prefix + report_id)
        assert response.status_code == 404, (prefix + report_id, response.status_code)
        assert elapsed < HANG_SECONDS
        check_headers(response)


def test_security_headers_on_every_kind_of_response(web):
    app, client = web
    paths = [*endpoints(app), "/static/app.js", "/no/such/page", "/api/no-such", "/reports/none"]
    for path in paths:
        response, _ = fetch(client, path, query_string={"q": "法治"})
        assert response.status_code < 500, path
        check_headers(response)


# -- correctness under fuzzing ------------------------------------------------------------

UNSAFE = re.compile(r"[\s\"“”「」『』＂]")


def substring(text: str, start: int, length: int) -> str:
    start = start % max(1, len(text))
    return text[start : start + length]


def as_term(raw: str) -> str:
    """Query syntax for one term: bare when that is unambiguous, quoted otherwise."""
    if re.match(r"^(?:[-－]|OR$|(section|heading|region|year|report|章节)[:：])", raw, re.I):
        return f'"{raw}"'
    return raw


terms = st.tuples(st.integers(0, 10**6), st.integers(0, 10**6), st.integers(1, 6))


@given(
    positive=st.lists(terms, min_size=1, max_size=3),
    excluded=st.lists(terms, max_size=3),
    sort=st.sampled_from(["relevance", "year_desc", "year_asc"]),
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_hit_has_every_term_and_no_excluded_one(
    library, paragraphs, positive, excluded, sort
):
    """Terms cut from one random paragraph (found unless a cut splits a Latin or number token),
    exclusions from others; the exact hits are exactly the oracle's."""
    g = positive[0][0] % len(paragraphs)
    text = paragraphs[g][1].text
    pos = [substring(text, start, n) for _, start, n in positive]
    neg = [substring(paragraphs[p % len(paragraphs)][1].text, s, n) for p, s, n in excluded]
    pos = [t for t in pos if not UNSAFE.search(t) and normalize(t).strip("-")]
    neg = [t for t in neg if not UNSAFE.search(t) and normalize(t).strip("-")]
    assume(pos)
    q = " ".join([*(as_term(t) for t in pos), *(f"-{t}" for t in neg)])
    norm_pos = [normalize(t) for t in pos]
    norm_neg = [normalize(t) for t in neg]
    first = search(library, SearchRequest.from_args({"q": q, "size": "100", "sort": sort}))
    seen: list[tuple[str, str]] = []
    pages = max(1, -(-first.total // 100))
    for page in range(1, pages + 1):
        results = (
            first
            if page == 1
            else search(library, SearchRequest.from_args({"q": q, "size": "100", "page": str(page), "sort": sort}))
        )  # fmt: skip
        assert results.total == first.total
        for hit in results.hits:
            norm = normalize(hit.text)
            assert not any(contains(norm, t) for t in norm_neg), (q, hit.text)
            if results.mode == "exact":
                assert all(contains(norm, t) for t in norm_pos), (q, hit.text)
            assert "<" not in re.sub(r"</?mark>", "", hit.snippet)
            seen.append((hit.report_id, hit.paragraph_id))
    assert len(seen) == first.total == len(set(seen)), q
    if first.mode == "exact":
        expected = sum(
            all(contains(n, t) for t in norm_pos) and not any(contains(n, t) for t in norm_neg)
            for n in (normalize(p.text) for _, p in paragraphs)
        )
        assert first.total == expected, q
    # A cut can split a Latin or number token (e.g. "02" out of "2024"): then the paragraph
    # it came from need not match, and the oracle says so.
    target = normalize(text)
    if all(contains(target, t) for t in norm_pos) and not any(
        contains(target, t) for t in norm_neg
    ):
        report, para = paragraphs[g]
        assert first.mode == "exact", q
        assert (report.id, para.id) in seen, q
    # past the last page: an empty page with the same total, not an error
    beyond = search(
        library, SearchRequest.from_args({"q": q, "size": "100", "page": str(pages + 1)})
    )
    assert beyond.total == first.total and not beyond.hits
