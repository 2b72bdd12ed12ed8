"""In headless Chromium: question-style queries, did-you-mean and other engines' operators.

Uses the real server and browser of ``test_browser.py`` (skipped with it without Chromium).
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser

import test_browser as shared  # noqa: E402  (its server, browser and page fixtures)
from playwright.sync_api import expect  # noqa: E402

base_url, browser, new_page = shared.base_url, shared.browser, shared.new_page
PHONE, no_horizontal_scroll, shown_total = (
    shared.PHONE,
    shared.no_horizontal_scroll,
    shared.shown_total,
)

QUESTION = "各地政府关于低空经济发展的目标和具体措施有哪些"


def tab_to(page, selector: str, limit: int = 40) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    pytest.fail(f"{selector} is not reachable with Tab")


def test_a_question_typed_and_answered_in_part(new_page):
    page = new_page()
    page.goto("/")
    page.get_by_label("搜索内容").fill(QUESTION)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q="))
    expect(page.locator(".notice.partial")).to_be_visible()
    expect(page.locator(".notice.dropped")).to_contain_text("哪些")
    expect(page.locator(".hit .missing").first).to_be_visible()
    assert shown_total(page) > 0
    assert page.js_errors == []


def test_did_you_mean_by_keyboard(new_page):
    page = new_page()
    page.goto("/search?q=" + quote("营商环竟"))
    link = page.locator("a[data-did-you-mean]")
    expect(link).to_have_text("营商环境")
    page.get_by_label("搜索内容").focus()
    tab_to(page, "a[data-did-you-mean]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"q=%E8%90%A5%E5%95%86%E7%8E%AF%E5%A2%83"))
    expect(page.locator(".hit .snippet mark").first).to_be_visible()
    assert shown_total(page) > 0
    expect(page.locator("a[data-did-you-mean]")).to_have_count(0)


def test_operator_notes_fit_a_phone(new_page):
    page = new_page(viewport=PHONE)
    page.goto("/search?q=" + quote("营商环境 not 优化 and 法治"))
    expect(page.locator(".query-notes li").first).to_contain_text("-优化")
    assert shown_total(page) > 0
    page.goto("/search?q=" + quote(QUESTION))
    expect(page.locator(".notice.partial")).to_be_visible()
    assert no_horizontal_scroll(page)
