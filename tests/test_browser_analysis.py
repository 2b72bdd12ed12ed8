"""Compare and terms in headless Chromium: the real server over a report and its predecessor."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

from conftest import running_server  # noqa: E402
from playwright.sync_api import expect  # noqa: E402
from report_pairs import CURRENT, PREVIOUS, write_pair  # noqa: E402
from test_browser import (  # noqa: E402  (skips this module too when Chromium is missing)
    ARTIFACTS,
    PHONE,
    browser,  # noqa: F401  (fixtures used by name)
    new_page,  # noqa: F401
    no_horizontal_scroll,
    shot,
)

from indexer.build import index_paths  # noqa: E402
from indexer.query.script import is_traditional  # noqa: E402


@pytest.fixture(scope="module")
def base_url(tmp_path_factory, make_engine, engine_kind):
    """`govsearch serve` over an index of a report and its made-up predecessor (the pages of
    test_browser's ``new_page`` open here)."""
    root = tmp_path_factory.mktemp("pair-browser")
    index_paths([write_pair(root / "corpus")], make_engine(root / "ix"))
    with running_server(root / "ix", ARTIFACTS / f"serve-pair-{engine_kind}.log") as url:
        yield url


def test_from_a_report_to_its_comparison_and_back_to_a_paragraph(new_page):  # noqa: F811
    page = new_page()
    page.goto(f"/reports/{CURRENT}")
    page.locator("a.compare-previous").click()
    expect(page).to_have_url(re.compile(rf"/compare\?a={PREVIOUS}&b={CURRENT}"))
    moved = page.locator(".compare-summary [data-status=moved]")
    expect(moved).to_have_attribute("data-count", "1")
    page.get_by_role("link", name="只看有变化的段落").click()
    expect(page).to_have_url(re.compile(r"changes=1"))
    rows = page.locator(".compare-row")
    expect(rows.first).to_be_visible()
    assert rows.locator("[data-status=same]").count() == 0
    assert page.locator(".compare-row.status-same").count() == 0
    changed = page.locator(".compare-row.status-changed").first
    expect(changed.locator(".side-b ins").first).to_be_visible()
    shot(page, "compare-desktop", publish="compare.png")
    link = changed.locator(".side-a .side-link")
    fragment = link.get_attribute("href").split("#", 1)[1]
    link.click()
    expect(page).to_have_url(re.compile(rf"/reports/{PREVIOUS}#{fragment}$"))
    page.wait_for_function("document.querySelector(':target') !== null")
    assert page.evaluate("document.querySelector(':target').id") == fragment
    assert page.js_errors == []


def test_terms_panel(new_page):  # noqa: F811
    page = new_page()
    page.goto(f"/reports/{CURRENT}")
    page.get_by_role("link", name="高频词与新提法").click()
    panel = page.locator("#terms")
    expect(panel).to_be_in_viewport()
    expect(panel.locator(".terms-new li a", has_text="人工智能")).to_be_visible()
    assert panel.locator(".terms-top li").count() == 20
    shot(panel, "terms-panel", publish="terms-panel.png")
    panel.locator(".terms-new li a", has_text="人工智能").click()
    expect(page).to_have_url(re.compile(r"/search\?q="))
    assert page.js_errors == []


def test_phone_layouts_do_not_scroll_sideways(new_page):  # noqa: F811
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    for name, url in [
        ("phone-compare", f"/compare?a={PREVIOUS}&b={CURRENT}"),
        ("phone-compare-chooser", "/compare"),
        ("phone-terms", f"/reports/{CURRENT}#terms"),
    ]:
        page.goto(url)
        assert no_horizontal_scroll(page), url
        shot(page, name)
    assert page.js_errors == []


def test_compare_page_script_switch(new_page):  # noqa: F811
    page = new_page()
    page.goto(f"/compare?a={PREVIOUS}&b={CURRENT}")
    before = page.locator(".side-a .side-text").all_inner_texts()
    assert sum(map(is_traditional, before)) == 1  # the predecessor's one Traditional paragraph
    page.locator(".script-switch a", has_text="简体").click()
    expect(page).to_have_url(re.compile(r"script=s"))
    after = page.locator(".side-text").all_inner_texts()
    assert not any(map(is_traditional, after))
    page.locator(".script-switch a", has_text="繁體").click()
    expect(page.locator("h1")).to_have_text("比较两份报告")
    assert "经济" not in " ".join(page.locator(".side-b .side-text").all_inner_texts())
