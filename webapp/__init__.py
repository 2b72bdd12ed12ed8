"""govsearch web application: thin HTTP over the :mod:`indexer` library."""

from __future__ import annotations

import json
import logging
import time

from flask import Flask, g, request

from indexer.config import default_index_dir
from indexer.query import Library
from indexer.query.filters import Collection
from indexer.query.spelling import vocabulary
from indexer.query.suggest import prepare

REQUEST_LOG = logging.getLogger("govsearch.requests")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def create_app(test_config: dict | None = None) -> Flask:
    """Create the app; config keys: INDEX_DIR (default $GOVSEARCH_INDEX_DIR or instance/index)."""
    app = Flask(__name__)
    app.config.from_mapping(INDEX_DIR=str(default_index_dir()), JSON_AS_ASCII=False)
    if test_config:
        app.config.from_mapping(test_config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    # Per-collection data (regions, labels, suggestions, the did-you-mean vocabulary) is built
    # before requests can use it.
    warmers = (Collection.of, prepare, vocabulary)
    app.extensions["govsearch.library"] = Library(app.config["INDEX_DIR"], warmers=warmers)

    from webapp import analysis, api, pages, research

    app.register_blueprint(api.bp)
    app.register_blueprint(research.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(analysis.bp)

    @app.before_request
    def start_timer():
        g.started = time.perf_counter()

    @app.after_request
    def log_request(response):
        # One line per request; no client address, cookies or headers (no personal data).
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        q = request.args.get("q", "")
        REQUEST_LOG.info(
            "%s %s %d %.1fms q=%s",
            request.method, request.path, response.status_code, elapsed,
            json.dumps(q[:200], ensure_ascii=False) if q else "-",
        )  # fmt: skip
        return response

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    return app
