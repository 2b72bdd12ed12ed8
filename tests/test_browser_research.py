"""Trends, keyword in context and printing a report, in headless Chromium."""

from __future__ import annotations

import json
import re
import urllib.request
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser

from playwright.sync_api import expect  # noqa: E402
from test_browser import (  # noqa: E402  (skips this module too when Chromium is missing)
    DESKTOP,
    PHONE,
    base_url,  # noqa: F401  (fixtures used by name)
    browser,  # noqa: F401
    new_page,  # noqa: F401
    no_horizontal_scroll,
    shot,
)

GUANGDONG = "2026_广东省_政府工作报告"


def api(base: str, path: str) -> dict:
    with urllib.request.urlopen(base + path) as r:
        return json.load(r)


def test_trends_page_shares_gaps_and_the_counts_switch(new_page, base_url):  # noqa: F811
    page = new_page(viewport=DESKTOP)
    page.goto("/search?q=" + quote("营商环境"))
    page.get_by_role("link", name="年度趋势（按报告占比）").click()
    expect(page).to_have_url(re.compile(r"/trends\?q="))
    data = api(base_url, "/api/trends?q=" + quote("营商环境"))
    expect(page.locator("#coverage")).to_contain_text(data["coverage"][0]["text"])
    expect(page.locator(".measure-switch a[aria-current]")).to_have_attribute(
        "data-measure", "share"
    )
    gaps = [p["value"] for p in data["by_year"] if not p["reports_indexed"]]
    assert page.locator(".year-chart rect.gap").count() == len(gaps)
    column = page.locator(".year-chart a[data-year] rect").first
    title = column.locator("title").text_content()
    assert "份报告中" in title and "段" in title  # the counts on hover
    shot(page, "trends-desktop", publish="trends-desktop.png")
    page.locator(".measure-switch a[data-measure=reports]").click()
    expect(page).to_have_url(re.compile(r"measure=reports"))
    expect(page.locator(".measure-switch a[aria-current]")).to_have_attribute(
        "data-measure", "reports"
    )
    year = page.locator(".year-chart a[data-year]").first
    reports = int(year.get_attribute("data-reports"))
    year.click()
    expect(page).to_have_url(re.compile(r"/search\?.*year="))
    report_facets = page.locator(".facet a[data-facet=report]")
    expect(report_facets).to_have_count(reports)
    assert page.js_errors == []


def test_kwic_page_sorts_and_fits_a_phone(new_page, base_url):  # noqa: F811
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto("/kwic?q=" + quote("营商环境"))
    total = api(base_url, "/api/kwic?q=" + quote("营商环境"))["total"]
    assert int(page.locator("#kwic-total").get_attribute("data-total")) == total
    expect(page.locator(".kwic-line")).to_have_count(min(20, total))
    assert no_horizontal_scroll(page)
    # The match sits between its contexts on one line, even at 375 px.
    line = page.locator(".kwic-line").nth(1)
    left, match, right = (line.locator(c).bounding_box() for c in
                          (".kwic-left", ".kwic-match", ".kwic-right"))  # fmt: skip
    assert left["x"] < match["x"] < right["x"] and abs(left["y"] - match["y"]) < 12
    page.locator(".kwic-sort a[data-sort=left]").click()
    expect(page).to_have_url(re.compile(r"sort=left"))
    first = api(base_url, "/api/kwic?sort=left&size=1&q=" + quote("营商环境"))["lines"][0]
    expect(page.locator(".kwic-line .kwic-match").first).to_have_text(first["match"])
    assert no_horizontal_scroll(page)
    shot(page, "kwic-phone", publish="kwic-phone.png")
    page.goto("/trends?q=" + quote("营商环境"))
    assert no_horizontal_scroll(page)
    shot(page, "trends-phone")
    assert page.js_errors == []


def test_kwic_and_trends_without_javascript(new_page):  # noqa: F811
    page = new_page(java_script_enabled=False)
    page.goto("/kwic")
    page.get_by_label("要看语境的词语").fill("综合查一次")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/kwic\?q="))
    expect(page.locator(".kwic-match").first).to_be_visible()
    page.locator(".kwic-source").first.click()
    expect(page).to_have_url(re.compile(r"/reports/.+#p-"))
    page.goto("/trends?q=" + quote("综合查一次"))
    page.locator(".measure-switch a[data-measure=paragraphs]").click()
    expect(page).to_have_url(re.compile(r"measure=paragraphs"))


def test_report_prints_without_navigation_with_numbers_in_the_margin(new_page):  # noqa: F811
    page = new_page(viewport=DESKTOP)
    page.goto("/reports/" + quote(GUANGDONG))
    expect(page.locator(".print-source")).to_be_hidden()
    expect(page.locator(".keep-tools")).to_be_visible()
    page.emulate_media(media="print")
    for hidden in (".site-header", ".site-footer", ".toc", ".report-tools", ".keep-tools",
                   "a.permalink >> nth=0", ".script-switch"):  # fmt: skip
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator(".report-header h1")).to_be_visible()
    expect(page.locator(".report-meta")).to_be_visible()
    expect(page.locator(".print-source")).to_be_visible()
    expect(page.locator(".print-source")).to_contain_text("来源：https://www.gd.gov.cn/")
    expect(page.locator(".print-source")).to_contain_text("发布日期：2026-01-31")
    para = page.locator(".report-body p.para").nth(2)
    number = para.locator(".para-number")
    expect(number).to_be_visible()
    box, num = para.bounding_box(), number.bounding_box()
    assert num["x"] >= 0 and num["x"] + num["width"] <= box["x"] + 1  # in the margin, on the page
    assert abs(num["y"] - box["y"]) < 20  # beside the paragraph's first line
    assert page.locator("button:visible").count() == 0
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    page.emulate_media(media="screen")
    shot(page, "report-print-reset")
