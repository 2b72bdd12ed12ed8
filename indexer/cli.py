"""The ``govsearch`` command: a thin layer over the library."""

from __future__ import annotations

import ctypes
import json
import os
import re
import sys
from pathlib import Path

import click

from indexer.build import IndexSummary, index_paths
from indexer.config import default_corpus_dir, default_index_dir
from indexer.engines import KINDS, EngineMismatch, IndexBusy, IndexMissing, open_engine
from indexer.query import Library, QueryError, SearchRequest, search

INDEX_DIR = click.option(
    "--index-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Index directory (default: $GOVSEARCH_INDEX_DIR or instance/index).",
)


@click.group()
@click.version_option(package_name="govsearch")
def main() -> None:
    """Full-text search over Chinese governance reports."""


@main.command("index")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@INDEX_DIR
@click.option("--rebuild", is_flag=True, help="Rebuild the whole index from scratch.")
@click.option("--wait", type=float, default=0.0, show_default=True,
              help="Seconds to wait for another running index to finish.")  # fmt: skip
@click.option("--engine", "kind", type=click.Choice(KINDS), default=None,
              help="Engine for a new index (default whoosh; tantivy for large collections). "
                   "An existing index keeps its engine unless --rebuild.")  # fmt: skip
def index_command(
    paths: tuple[Path, ...],
    index_dir: Path | None,
    rebuild: bool,
    wait: float,
    kind: str | None,
) -> None:
    """Index report files (.txt .html .htm .docx .pdf); only changed files are re-read.

    PATHS are files or directories (default: corpus/). Files that disappeared from a given
    directory are removed from the index.

    Exit status: 0 when every file was indexed or unchanged; 1 when some files failed (the
    others are committed; the summary names the failures) or the index is busy; 2 for usage
    errors.

    Example: govsearch index corpus/ --index-dir instance/index
    """
    paths = paths or (default_corpus_dir(),)
    from indexer.build import report_file_names

    try:
        engine = open_engine(index_dir or default_index_dir(), kind, rebuild=rebuild)
        files = report_file_names(paths)
        with click.progressbar(length=len(files), label="Indexing", file=sys.stderr,
                               show_pos=True) as bar:  # fmt: skip
            summary = index_paths(list(paths), engine, rebuild=rebuild, files=files,
                                  progress=lambda _name: bar.update(1), wait=wait)  # fmt: skip
    except (IndexBusy, EngineMismatch, FileNotFoundError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    _print_summary(summary)
    if summary.failed:
        sys.exit(1)  # the other files are committed; scripts still learn that some failed


def _print_summary(s: IndexSummary) -> None:
    lines = [f"failed: {_safe(name)}: {_safe(reason)}" for name, reason in s.failed]
    _print_lines(lines, fg="red")
    _print_lines([f"warning: {_safe(warning)}" for warning in s.warnings], fg="yellow")
    click.echo(
        f"{len(s.added)} added, {len(s.updated)} updated, {len(s.unchanged)} unchanged, "
        f"{len(s.removed)} removed, {len(s.failed)} failed; "
        f"{s.reports} reports, {s.paragraphs} paragraphs in the index; {s.seconds:.1f} s"
    )


def _print_lines(lines: list[str], fg: str) -> None:
    """Print lines to stderr in one colour, with one write (there may be thousands)."""
    if lines:
        click.secho("\n".join(lines), fg=fg, err=True)


def _safe(text: str) -> str:
    """Make untrusted text safe for a terminal (no control sequences)."""
    return text if text.isprintable() else _CONTROL.sub("?", text)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


_MODES = {
    "exact": "",
    "relaxed": "（无完全匹配，以下为分词匹配结果）",
    "partial": "（无完全匹配，也没有包含全部词语的段落，以下为包含大部分词语的段落）",
}


@main.command("search")
@click.argument("query")
@click.option("--section", multiple=True, help="Whole top-level heading (repeat: any of them).")
@click.option("--heading", multiple=True, help="A word in any heading, e.g. 不足.")
@click.option(
    "--region", multiple=True, help="A region and everything under it, e.g. 江苏 or 苏州市."
)
@click.option("--year", multiple=True, help="A year or a range such as 2019-2024.")
@click.option("--report", multiple=True, help="A report id.")
@click.option("--kind", multiple=True, help="A report kind, e.g. 政府工作报告.")
@click.option("--level", multiple=True, help="national, province, prefecture or county.")
@click.option(
    "--sort", default="relevance", type=click.Choice(["relevance", "year_desc", "year_asc"])
)
@click.option("--page", default=1, type=int)
@click.option("--size", default=20, type=int)
@click.option("--within", default="paragraph", type=click.Choice(["paragraph", "sentence"]))
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option(
    "--format", "fmt", default="text", type=click.Choice(["text", "json", "csv", "jsonl"]),
    help="json: one page, as /api/search; csv/jsonl: every hit, as /export.csv and /export.jsonl.",
)  # fmt: skip
@INDEX_DIR
def search_command(
    query: str, index_dir: Path | None, as_json: bool, fmt: str, **params: object
) -> None:
    """Search the index and print the hits.

    Example: govsearch search 综合查一次 --heading 营商环境
    Example: govsearch search 综合查一次 --format csv > hits.csv
    """
    args = {k: (list(v) if isinstance(v, tuple) else str(v)) for k, v in params.items() if v}
    library = Library(index_dir or default_index_dir())
    try:
        request = SearchRequest.from_args({"q": query, **args})
        if fmt in ("csv", "jsonl"):
            _export(library, request, fmt)
            return
        results = search(library, request)
    except QueryError as exc:
        raise click.ClickException(exc.message) from exc
    except IndexMissing as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json or fmt == "json":
        click.echo(json.dumps(results.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{results.total} 个段落 {_MODES[results.mode]}".rstrip())
    for note in results.notes:
        click.echo(_safe(note))
    if results.dropped_words:
        click.echo(f"已忽略：{_safe('、'.join(results.dropped_words))}")
    if results.did_you_mean:
        click.echo(f"您是不是要找：{_safe(results.did_you_mean)}")
    for active in results.filters:
        click.echo(f"筛选：{_safe(active.description)}")
    if results.unfiltered_total:
        click.echo(f"不加筛选条件时有 {results.unfiltered_total} 个段落，但都不符合筛选条件。")
    for hit in results.hits:
        click.echo("")
        click.secho(f"{_safe(hit.report_title)} · {_safe(hit.region)} · {hit.year}", bold=True)
        click.echo(" › ".join(_safe(s) for s in hit.section_path))
        click.echo(_terminal_snippet(hit.snippet))
        if hit.missing_words:
            click.echo(f"缺少：{_safe('、'.join(hit.missing_words))}")
        click.secho(hit.url, dim=True)


def _export(library: Library, request: SearchRequest, fmt: str) -> None:
    from indexer.query.research import csv_chunks, export_rows, jsonl_chunks

    chunks = csv_chunks if fmt == "csv" else jsonl_chunks
    for chunk in chunks(export_rows(library, request)):
        click.echo(chunk, nl=False)


def _terminal_snippet(html: str) -> str:
    import html as html_lib

    parts = re.split(r"(<mark>.*?</mark>)", html)
    out = []
    for part in parts:
        if part.startswith("<mark>"):
            out.append(click.style(_safe(html_lib.unescape(part[6:-7])), fg="red", bold=True))
        else:
            out.append(_safe(html_lib.unescape(part)))
    return "".join(out)


SERVE_ARENAS = 2
M_ARENA_MAX = -8  # glibc's mallopt() parameter number


def limit_malloc_arenas(arenas: int = SERVE_ARENAS) -> bool:
    """Cap glibc's malloc arenas for a threaded server, unless MALLOC_ARENA_MAX is set.

    glibc gives threads their own arenas, up to eight per core; with eight request threads
    and tantivy's workers each holding freed memory in its own arena, the 1000x server kept
    85 MiB more anonymous memory after a load test for the same throughput (BENCHMARKS.md).
    Returns whether the cap was set (False off glibc).
    """
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    return bool(mallopt(M_ARENA_MAX, arenas))


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@INDEX_DIR
def serve_command(host: str, port: int, threads: int, index_dir: Path | None) -> None:
    """Serve the web site and the JSON API (builds the index from corpus/ if there is none).

    Example: govsearch serve --port 8000
    """
    import logging

    from waitress import serve

    from webapp import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    limit_malloc_arenas()

    index_dir = index_dir or default_index_dir()
    engine = open_engine(index_dir)
    if not engine.exists():
        click.echo(f"{index_dir} 中还没有索引；先为 {default_corpus_dir()} 建立索引…", err=True)
        try:
            summary = index_paths([default_corpus_dir()], engine, wait=60)
        except IndexBusy as exc:
            raise click.ClickException(str(exc)) from exc
        _print_summary(summary)
    app = create_app({"INDEX_DIR": str(index_dir)})
    # Load the corpus, jieba's dictionary and the suggestion data now, before the first request.
    app.extensions["govsearch.library"].searcher()
    click.echo(f"Serving on http://{host}:{port}/", err=True)
    serve(app, host=host, port=port, threads=threads, ident="govsearch")
