"""Advanced search, multi-select facets, grouped results and find-in-report in real Chromium."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest

pytestmark = pytest.mark.browser

from playwright.sync_api import Page, expect  # noqa: E402
from test_browser import (  # noqa: E402  (skips this module too when Chromium is missing)
    DESKTOP,
    PHONE,
    TAICANG,
    base_url,
    browser,
    new_page,
    no_horizontal_scroll,
    shot,
    shown_total,
    taicang_paragraph,
)  # fmt: skip

__all__ = ["base_url", "browser", "new_page"]  # fixtures used by this module's tests


def tab_to(page: Page, selector: str, limit: int = 400, back: bool = False) -> None:
    """Press Tab (Shift+Tab) until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        if page.evaluate(
            "s => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
    pytest.fail(f"{selector} never got the focus by keyboard")


def args(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_advanced_form_by_keyboard_alone(new_page):
    page = new_page()
    page.goto("/search?q=" + quote("营商环境"))
    tab_to(page, "a.advanced-link")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/advanced\?q="))
    expect(page.locator("#adv-all")).to_have_value("营商环境")
    tab_to(page, "#adv-none")
    page.keyboard.type("优化")
    tab_to(page, "#adv-sentence")
    page.keyboard.press("Space")
    tab_to(page, "#adv-region")
    for _ in range(80):  # a closed select steps through its options with the arrow keys
        if page.locator("#adv-region").input_value() == "江苏省":
            break
        page.keyboard.press("ArrowDown")
    expect(page.locator("#adv-region")).to_have_value("江苏省")
    tab_to(page, "#adv-year-from")
    page.keyboard.type("2020")
    shot(page, "advanced-desktop", publish="advanced-desktop.png")
    tab_to(page, "button[name=go]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q="))
    q = args(page)["q"][0]
    assert q.startswith("营商环境 -优化 ~句 region:江苏省 year:2020-"), q
    expect(page.locator("#q")).to_have_value(q)
    expect(page.locator(".active-filters li")).to_have_count(2)
    assert page.js_errors == []


def test_facets_multi_select_by_keyboard(new_page):
    page = new_page()
    page.goto("/search?q=" + quote("营商环境"))
    first = page.locator(".facet a[data-facet=region]").nth(0)
    second_value = page.locator(".facet a[data-facet=region]").nth(1).get_attribute("data-value")
    counts = [int(page.locator(".facet a[data-facet=region]").nth(i).get_attribute("data-count"))
              for i in (0, 1)]  # fmt: skip
    value = first.get_attribute("data-value")
    tab_to(page, f".facet a[data-facet=region][data-value='{value}']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"region="))
    assert shown_total(page) == counts[0]
    tab_to(page, f".facet a[data-facet=region][data-value='{second_value}']")
    page.keyboard.press("Enter")
    expect(page.locator(".facet a[data-facet=region][aria-current]")).to_have_count(2)
    assert args(page)["region"] == [value, second_value]
    assert shown_total(page) == sum(counts)  # a union, and each count said what a click gives
    page.locator("section[data-facet-name=region]").evaluate("e => e.scrollIntoView()")
    shot(page, "facets-multiselect-desktop", publish="facets-multiselect-desktop.png")
    tab_to(page, f".facet a[data-facet=region][data-value='{value}']", back=True)
    page.keyboard.press("Enter")  # a selected value's link takes it away again
    expect(page.locator(".facet a[data-facet=region][aria-current]")).to_have_count(1)
    assert args(page)["region"] == [second_value]
    assert page.js_errors == []


def test_facet_filter_box_and_year_range(new_page):
    page = new_page()
    page.goto("/search?q=" + quote("法治"))
    box = page.locator("input[data-facet-filter=report]")
    expect(box).to_be_visible()
    box.fill("太仓")
    reports = page.locator("section[data-facet-name=report] li:visible")
    expect(reports).to_have_count(1)
    expect(reports.first).to_contain_text("太")
    page.locator("#year-from").fill("2024")
    page.locator("#year-to").fill("2025")
    page.locator("#year-to").press("Enter")
    expect(page).to_have_url(re.compile(r"year=2024-2025"))
    expect(page.locator("#year-from")).to_have_value("2024")
    assert page.js_errors == []


def test_year_range_and_advanced_form_without_javascript(new_page):
    page = new_page(java_script_enabled=False)
    page.goto("/search?q=" + quote("法治"))
    expect(page.locator("input[data-facet-filter]").first).to_be_hidden()  # needs script
    page.locator("#year-from").fill("2024")
    page.locator("form.year-range button").click()
    expect(page).to_have_url(re.compile(r"year=2024-"))
    page.goto("/advanced")
    page.locator("#adv-phrase").fill("综合查一次")
    page.locator("button[name=go]").click()
    expect(page).to_have_url(re.compile(r"/search\?q="))
    expect(page.locator(".hit .snippet mark", has_text="綜合查一次").first).to_be_visible()


def test_results_grouped_by_report(new_page):
    page = new_page()
    page.goto("/search?q=" + quote("营商环境"))
    total = shown_total(page)
    page.locator(".group-switch a", has_text="按报告").click()
    expect(page).to_have_url(re.compile(r"group=report"))
    assert shown_total(page) == total
    expect(page.locator("#total-reports")).to_be_visible()
    group = page.locator(".group").first
    expect(group.locator(".hit")).to_have_count(3)
    shot(page, "search-grouped-desktop", publish="search-grouped-desktop.png")
    group_total = int(group.get_attribute("data-total"))
    group.locator(".group-more a").click()
    expect(page).to_have_url(re.compile(r"report="))
    assert shown_total(page) == group_total
    assert page.js_errors == []


def test_find_in_a_traditional_report(new_page, base_url):
    page = new_page()
    page.goto(f"/reports/{TAICANG}")
    page.locator("#find").fill("法治政府")
    page.locator("#find").press("Enter")
    expect(page).to_have_url(re.compile(r"find="))
    marks = page.locator("mark.find")
    count = int(page.locator("#find-count").inner_text())
    assert marks.count() == count > 3
    expect(page.locator("mark.find.current")).to_have_attribute("id", "find-1")
    expect(page.locator(".find-position")).to_have_text(f"第 1 / {count} 处")
    page.get_by_role("button", name="下一处").click()
    expect(page.locator("mark.find.current")).to_have_attribute("id", "find-2")
    page.get_by_role("button", name="上一处").click()
    page.get_by_role("button", name="上一处").click()  # wraps round to the last
    expect(page.locator("mark.find.current")).to_have_attribute("id", f"find-{count}")
    assert page.locator("mark.find.current").evaluate(
        "m => { const r = m.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
    )
    page.locator("#find").fill("综合查一次")  # Simplified typed, Traditional in the text
    page.locator("#find").press("Enter")
    expect(page.locator("mark.find").first).to_have_text("綜合查一次")
    shot(page, "report-find-desktop", publish="report-find-desktop.png")
    assert page.js_errors == []


def test_find_without_javascript(new_page):
    page = new_page(java_script_enabled=False)
    page.goto(f"/reports/{TAICANG}?find=" + quote("综合查一次"))
    expect(page.locator("mark.find").first).to_have_text("綜合查一次")
    expect(page.locator(".find-nav")).to_be_hidden()
    page.locator("a.find-first").click()
    expect(page).to_have_url(re.compile(r"#find-1$"))


def test_table_of_contents_follows_the_reader(new_page, base_url):
    page = new_page()
    pid = taicang_paragraph(base_url)
    page.goto(f"/reports/{TAICANG}#{pid}")
    current = page.locator(".toc a[aria-current=location]")
    expect(current).to_have_count(1)
    path = page.locator(f"#{pid}").get_attribute("data-path").split(" › ")
    assert current.inner_text() in path  # the section being read is the paragraph's own
    shown = page.locator(f"#{pid}").evaluate("p => getComputedStyle(p, '::before').content")
    assert path[0] in shown  # the linked paragraph shows where it stands
    page.evaluate("window.scrollTo(0, 0)")
    expect(current).to_have_count(0)  # above the first section: nothing marked
    page.locator(".toc a").nth(2).click()
    expect(page.locator(".toc a").nth(2)).to_have_attribute("aria-current", "location")
    assert page.js_errors == []


def test_new_pages_fit_a_phone(new_page, base_url):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    for name, url in [
        ("phone-advanced", "/advanced"),
        ("phone-grouped", "/search?q=" + quote("营商环境") + "&group=report"),
        ("phone-facets", "/search?q=" + quote("法治") + "&region=" + quote("上海市")
         + "&region=" + quote("太仓市") + "#facets"),
        ("phone-find", f"/reports/{TAICANG}?find=" + quote("综合查一次")),
    ]:  # fmt: skip
        page.goto(url)
        assert no_horizontal_scroll(page), url
        shot(page, name, publish=f"{name}.png" if name == "phone-advanced" else "")
    assert page.js_errors == []


def test_desktop_pages_without_horizontal_scroll(new_page):
    page = new_page(viewport=DESKTOP)
    page.goto("/advanced")
    assert no_horizontal_scroll(page)
