"""End to end in headless Chromium: the real server, a real browser, with and without JS."""

from __future__ import annotations

import json
import os
import re
import shutil
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
if CHROMIUM is None:
    pytest.skip(
        "browser tests need Chromium: install Debian's `chromium` package (not found on PATH)",
        allow_module_level=True,
    )

from conftest import running_server  # noqa: E402
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ROOT / "docs" / "screenshots"
# Set GOVSEARCH_UPDATE_SCREENSHOTS=1 to refresh the README screenshots from this run.
UPDATE_SCREENSHOTS = os.environ.get("GOVSEARCH_UPDATE_SCREENSHOTS") == "1"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]  # fmt: skip
TAICANG = "taicang-2024-fazhi"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="module")
def base_url(live_server):
    """The session's `govsearch serve`, warmed up so that timings shown are steady."""
    urllib.request.urlopen(f"{live_server}/api/search?q={quote('营商环境')}", timeout=60).close()
    return live_server


# Waits only catch hangs: on a busy CI machine a page may take seconds to settle.
HANG_MS = 30_000
expect.set_options(timeout=HANG_MS)


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the module."""
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def new_page(browser, base_url):
    """Open pages in fresh contexts (own cookies); everything is closed at the end."""
    contexts = []

    def make(viewport=DESKTOP, **options) -> Page:
        context = browser.new_context(viewport=viewport, base_url=base_url, **options)
        context.set_default_timeout(HANG_MS)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.js_errors = errors
        return page

    yield make
    for context in contexts:
        context.close()


def shot(target, name: str, publish: str = "") -> None:
    """Save a screenshot of a page or an element under test-artifacts/ (and into
    docs/screenshots/ when asked)."""
    path = ARTIFACTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    target.screenshot(path=str(path))
    if publish and UPDATE_SCREENSHOTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SCREENSHOTS / publish)


def shown_total(page: Page) -> int:
    """The match count the page shows."""
    return int(page.locator("#total").get_attribute("data-total"))


def target_in_view(page: Page) -> dict:
    """The :target element's id, the hash, and whether it is within the viewport."""
    # The URL changes before the new document is parsed: wait for it to load and settle.
    page.wait_for_load_state("load")
    page.wait_for_function("document.querySelector(':target') !== null")
    return page.evaluate(
        """() => {
            const t = document.querySelector(':target');
            if (!t) return {id: null, hash: location.hash, visible: false};
            const r = t.getBoundingClientRect();
            return {id: t.id, hash: location.hash.slice(1),
                    visible: r.top >= 0 && r.top < window.innerHeight && r.bottom > 0};
        }"""
    )


def no_horizontal_scroll(page: Page) -> bool:
    """True if the page is no wider than its viewport."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def taicang_paragraph(base_url: str) -> str:
    """The id of the Taicang paragraph that mentions 綜合查一次 (via the JSON API)."""
    url = f"{base_url}/api/search?q={quote('综合查一次')}&report={TAICANG}"
    with urllib.request.urlopen(url) as r:
        return json.load(r)["hits"][0]["paragraph_id"]


def test_search_facet_read_and_back(new_page):
    page = new_page()
    page.goto("/")
    page.get_by_label("搜索内容").fill("综合查一次")
    page.get_by_role("button", name="搜索").click()
    expect(page).to_have_url(re.compile(r"/search\?q="))
    expect(page.locator(".hit .snippet mark", has_text="綜合查一次").first).to_be_visible()
    shot(page, "search-desktop", publish="search-desktop.png")

    facet = page.locator(".facet a[data-facet=section]").first
    count = int(facet.get_attribute("data-count"))
    facet.click()
    expect(page).to_have_url(re.compile(r"section="))
    assert shown_total(page) == count
    expect(page.locator(".active-filters li")).to_have_count(1)
    results_url = page.url

    link = page.locator(".hit .hit-title a").first
    fragment = link.get_attribute("href").split("#", 1)[1]
    link.click()
    expect(page).to_have_url(re.compile(r"/reports/.+#" + fragment))
    target = target_in_view(page)
    assert target["id"] == target["hash"] == fragment and target["visible"], target
    assert page.locator(":target mark").count() > 0
    shot(page, "reader-desktop")

    page.go_back()
    expect(page).to_have_url(results_url)
    assert shown_total(page) == count
    expect(page.locator(".hit").first).to_be_visible()
    assert page.js_errors == []


def test_sort_select_submits_itself(new_page):
    page = new_page()
    page.goto("/search?q=" + quote("法治"))
    expect(page.locator(".sort-form button")).to_be_hidden()  # JS submits on change
    page.locator("#sort").select_option("year_asc")
    expect(page).to_have_url(re.compile(r"sort=year_asc"))
    expect(page.locator("#sort")).to_have_value("year_asc")
    years = page.locator(".hit-meta").all_inner_texts()
    assert "2024" in years[0]


def test_permalink_and_cite_copy(new_page, base_url):
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    pid = taicang_paragraph(base_url)
    page.goto(f"/reports/{TAICANG}")
    paragraph = page.locator(f"#{pid}")
    paragraph.locator("a.permalink").click()
    expect(page.locator("#toast")).to_have_text("已复制本段链接")
    assert page.evaluate("navigator.clipboard.readText()") == f"{base_url}/reports/{TAICANG}#{pid}"
    assert target_in_view(page)["id"] == pid
    paragraph.locator("button.cite").click()
    expect(page.locator("#toast")).to_have_text("已复制引用信息")
    cite = page.evaluate("navigator.clipboard.readText()")
    assert cite.startswith("《太倉市2024年度法治政府建設工作情況報告》") and "太仓市" in cite
    assert re.search(r"第\d+段", cite) and cite.endswith(f"/reports/{TAICANG}#{pid}")
    assert page.js_errors == []


def test_script_switch(new_page, base_url):
    page = new_page()
    pid = taicang_paragraph(base_url)
    page.goto(f"/reports/{TAICANG}?q={quote('综合查一次')}#{pid}")
    paragraph = page.locator(f"#{pid}")
    expect(paragraph.locator("mark")).to_have_text("綜合查一次")
    page.locator(".script-switch a", has_text="简体").click()
    expect(page).to_have_url(re.compile(r"script=s"))
    expect(page.locator(f"#{pid} mark")).to_have_text("综合查一次")
    expect(page.locator("h1")).to_have_text("太仓市2024年度法治政府建设工作情况报告")
    page.goto(f"/reports/{TAICANG}")  # the cookie remembers the choice
    expect(page.locator("h1")).to_have_text("太仓市2024年度法治政府建设工作情况报告")
    page.locator(".script-switch a", has_text="繁體").click()
    expect(page.locator("h1")).to_have_text("太倉市2024年度法治政府建設工作情況報告")
    page.goto("/reports/" + quote("2026_上海市_政府工作报告"))
    assert "經濟" in page.locator(".report-body").inner_text()
    page.locator(".script-switch a", has_text="原文").click()
    assert "經濟" not in page.locator(".report-body").inner_text()


def test_phone_layout(new_page, base_url):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    pid = taicang_paragraph(base_url)
    for name, url in [
        ("phone-home", "/"),
        ("phone-search", "/search?q=" + quote("综合查一次")),
        ("phone-filters", "/search?q=" + quote("section:不足 法治") + "&region=" + quote("太仓市")),
        ("phone-help", "/help"),
        ("phone-report-top", f"/reports/{TAICANG}"),
    ]:
        page.goto(url)
        assert no_horizontal_scroll(page), url
        shot(page, name)
    page.goto(f"/reports/{TAICANG}?q={quote('综合查一次')}#{pid}")
    assert no_horizontal_scroll(page)
    target = target_in_view(page)
    assert target["id"] == pid and target["visible"], target
    shot(page, "report-phone", publish="report-phone.png")
    assert page.js_errors == []


def test_without_javascript(new_page):
    page = new_page(java_script_enabled=False)
    page.goto("/")
    page.get_by_label("搜索内容").fill("综合查一次")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q="))
    expect(page.locator(".hit .snippet mark", has_text="綜合查一次").first).to_be_visible()
    page.locator("#sort").select_option("year_desc")
    page.locator(".sort-form button").click()  # visible without JS
    expect(page).to_have_url(re.compile(r"sort=year_desc"))
    facet = page.locator(".facet a[data-facet=report]").first
    count = int(facet.get_attribute("data-count"))
    facet.click()
    expect(page).to_have_url(re.compile(r"report="))
    assert shown_total(page) == count
    page.locator(".hit .hit-title a").first.click()
    expect(page).to_have_url(re.compile(r"/reports/.+#p-"))
    target = target_in_view(page)
    assert target["id"] == target["hash"] and target["visible"], target
    expect(page.locator(":target a.permalink")).to_be_visible()
    expect(page.locator(":target button.cite")).to_be_hidden()  # copying needs JS
    shot(page, "nojs-reader")


def test_keyboard_skip_link(new_page):
    page = new_page()
    page.goto("/search?q=" + quote("综合查一次"))
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0  # shown on focus
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))


def test_trend_chart_bars_filter_to_their_counts(new_page):
    page = new_page()
    page.goto("/search?q=" + quote("营商环境"))
    bars = page.locator("svg.bars a[data-trend='region']")
    expect(bars.first).to_be_visible()
    assert bars.count() >= 5
    # Bars are ordered by count, longest first, and scale with it.
    widths = [float(w) for w in page.locator("a[data-trend='region'] rect.bar").evaluate_all(
        "els => els.map(e => e.getAttribute('width'))")]  # fmt: skip
    assert widths == sorted(widths, reverse=True) and widths[0] > widths[-1]
    expected = int(bars.nth(1).get_attribute("data-count"))
    bars.nth(1).click()
    page.wait_for_load_state("load")
    assert "region=" in page.url
    assert shown_total(page) == expected
    shot(page, "trends-filtered")
    assert page.js_errors == []


def test_search_box_offers_suggestions(new_page):
    page = new_page()
    page.goto("/")
    box = page.locator("#q")
    box.click()
    box.press_sequentially("营商", delay=30)
    options = page.locator("#suggestions option")
    expect(options.first).to_be_attached()
    values = options.evaluate_all("els => els.map(e => e.value)")
    assert values and all("营商" in v or "營商" in v for v in values)
    assert page.locator("link[rel=search]").get_attribute("href").endswith("/opensearch.xml")
    assert page.js_errors == []


@pytest.fixture(scope="module")
def aliased_url(tmp_path_factory):
    """`govsearch serve` over a report indexed twice, its third paragraph edited in between."""
    from indexer.build import index_paths
    from indexer.engines import open_engine

    root = tmp_path_factory.mktemp("aliased")
    (root / "corpus").mkdir()
    source = root / "corpus" / "r.txt"
    lines = ["某市2024年法治政府建设工作情况报告", "2024年，某市法治政府建设取得新成效。"]
    lines += ["一、强化政治引领", "1.全面加强党的领导。市委常委会部署法治建设重点任务十二项。"]
    lines += ["2.压实第一责任。主要负责同志多次就行政复议工作作出批示。"]
    lines += [f"第{i}项工作扎实推进。" + "正文。" * 40 for i in range(20)]  # enough to scroll
    for text in (lines, [*lines[:3], lines[3].replace("十二项", "十五项"), *lines[4:]]):
        source.write_text("\n".join(text), encoding="utf-8")
        index_paths([root / "corpus"], open_engine(root / "ix"))
    with running_server(root / "ix", ARTIFACTS / "serve-aliased.log") as url:
        yield url


def test_old_paragraph_link_lands_on_the_new_version_with_a_note(browser, aliased_url):
    with urllib.request.urlopen(f"{aliased_url}/api/reports/r") as r:
        detail = json.load(r)
    ((old, new),) = detail["aliases"].items()
    context = browser.new_context(viewport=PHONE, base_url=aliased_url)
    try:
        page = context.new_page()
        page.goto(f"/reports/r#{old}")
        note = page.locator(".moved-note")
        expect(note).to_be_visible()
        expect(note).to_contain_text("已修改")
        assert page.locator(f"#{new}").evaluate(
            "el => { const r = el.getBoundingClientRect(); return r.top < innerHeight && r.bottom > 0; }"
        )
        page.goto(f"/reports/r#{new}")  # the current id: no note
        expect(note).to_be_hidden()
        expect(page.locator("#anchor-missing")).to_be_hidden()
    finally:
        context.close()


def test_unknown_paragraph_link_lands_at_the_top_with_a_notice(new_page, base_url):
    page = new_page(viewport=PHONE)
    pid = taicang_paragraph(base_url)
    page.goto(f"/reports/{TAICANG}#p-00000000")
    notice = page.locator("#anchor-missing")
    expect(notice).to_be_visible()
    assert page.evaluate("window.scrollY") == 0
    page.goto(f"/reports/{TAICANG}#{pid}")
    expect(notice).to_be_hidden()
    number = page.locator(f"#{pid} .para-number")
    expect(number).to_be_visible()
    expect(number).to_have_text(re.compile(r"^第\d+段$"))
    assert page.js_errors == []
