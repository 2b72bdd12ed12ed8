"""HTML -> body lines: drop page furniture, find the main content by text density.

Government pages differ in markup, so nothing here names a site. Furniture is recognised by
tag (nav, footer, script …) and by id/class words (breadcrumb, share, print …); the content is
the container that holds most of the page's non-link text. Block elements become lines.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.element import PreformattedString

from indexer.chrome import find_published, parse_date


def _words(text: str) -> frozenset[str]:
    """A set of the whitespace-separated words of ``text`` (keeps long word lists readable)."""
    return frozenset(text.split())


_DROP_TAGS = _words(
    "script style noscript template iframe frame object embed svg canvas button select input "
    "textarea map link meta figcaption"
)
# Structural furniture; removed only when it does not hold most of the page (some sites wrap
# the whole page in <form> or put everything inside <header>).
_FURNITURE_TAGS = ("nav", "header", "footer", "aside", "form", "menu")
_FURNITURE_SHARE = 0.5
_CHROME_SUBSTRINGS = re.compile(
    r"breadcrumb|crumb|navbar|navigation|sidebar|footer|copyright|related|comment|toolbar|"
    r"font-?size|font_size|qrcode|share|print|position(?!-(relative|absolute|fixed|static|sticky))|"
    r"location|weizhi|fenxiang|dayin|"
    r"xiangguan|advert|pagination|pager|friendlink|social"
)
_CHROME_TOKENS = _words(
    "nav menu foot ft header top topbar side aside ad ads banner logo search login close tools "
    "tool links yqlj ewm dqwz bottom"
)
_BLOCK_TAGS = _words(
    "p div h1 h2 h3 h4 h5 h6 li ul ol tr table tbody thead tfoot section article main header "
    "footer blockquote pre dl dt dd figure center address hr caption fieldset body html"
)
_CELL_TAGS = frozenset({"td", "th"})
# Descend into a child container while it holds at least this share of the parent's text.
_DESCEND_SHARE = 0.6
_LINK_DENSE = 0.5
_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|\s[-—–]\s|--)\s*")
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_NEWLINE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]*[\r\n]\s*(?=[{_CJK}])")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_:.-]+)""", re.I)
_PUBDATE_META = _words(
    """pubdate publishdate publish_date publishtime published_time publishedtime
    firstpublishedtime article:published_time og:published_time datepublished dc.date
    dc.date.issued dcterms.issued dc.date.created date"""
)


@dataclass(frozen=True)
class HtmlText:
    """Raw lines of the main content (chrome not yet stripped) plus hints from the page."""

    lines: list[str]
    title_hint: str
    published_hint: str


def declared_charset(data: bytes) -> str | None:
    """Charset named by <meta charset>, <meta http-equiv> or an XML declaration, if any."""
    head = data[:4096]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return match.group(1).decode("ascii") if match else None


def _parse(text: str) -> BeautifulSoup:
    """Parse without letting bs4's advisory warnings (URL-like or XML-like input) escape."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return BeautifulSoup(text, "html.parser")


def _measure(root: Tag) -> dict[int, tuple[int, int]]:
    """(text, link text) non-space character counts for every element, in one pass.

    Computing these per element would be quadratic on deeply nested pages.
    """
    sizes: dict[int, tuple[int, int]] = {}
    order: list[Tag] = [root, *root.find_all(True)]
    own: dict[int, int] = {}
    for el in order:
        own[id(el)] = sum(
            sum(1 for c in child if not c.isspace())
            for child in el.children
            if isinstance(child, NavigableString) and not isinstance(child, PreformattedString)
        )
    for el in reversed(order):  # children come after their parents in document order
        text = own[id(el)]
        links = 0
        for child in el.children:
            if isinstance(child, Tag):
                child_text, child_links = sizes[id(child)]
                text += child_text
                links += child_links
        sizes[id(el)] = (text, text if el.name == "a" else links)
    return sizes


def _is_chrome_element(el: Tag) -> bool:
    """True if the element's id/class names it as furniture, or it is hidden."""
    if el.attrs is None:
        return False
    names = " ".join([el.get("id") or "", *(el.get("class") or [])]).lower()
    if names.strip():
        if _CHROME_SUBSTRINGS.search(names):
            return True
        if _CHROME_TOKENS.intersection(re.split(r"[\s_\-]+", names)):
            return True
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style or el.has_attr("hidden")


def _remove_furniture(body: Tag) -> None:
    """Drop scripts, widgets, navigation, footers and other non-content elements."""
    for el in body.find_all(list(_DROP_TAGS)):
        el.decompose()
    for comment in body.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    sizes = _measure(body)
    total = max(sizes[id(body)][0], 1)
    candidates = [
        el for el in body.find_all(True) if el.name in _FURNITURE_TAGS or _is_chrome_element(el)
    ]
    for el in candidates:
        if el.decomposed or el.name in ("body", "html"):
            continue
        if sizes[id(el)][0] <= _FURNITURE_SHARE * total:
            el.decompose()


def _has_block_child(el: Tag) -> bool:
    """True if the element contains block-level elements (it is a container, not a paragraph)."""
    return el.find(_BLOCK_TAGS | _CELL_TAGS) is not None


def _main_content(body: Tag) -> Tag:
    """The deepest container that still holds most of the non-link text."""
    sizes = _measure(body)

    def reading(el: Tag) -> int:
        text, links = sizes[id(el)]
        return text - links

    node = body
    while True:
        children = [c for c in node.children if isinstance(c, Tag)]
        if not children:
            return node
        best = max(children, key=reading)
        if reading(best) < _DESCEND_SHARE * reading(node) or not _has_block_child(best):
            return node
        node = best


def _drop_link_lists(content: Tag) -> None:
    """Remove link lists inside the content (related articles, attachments menus)."""
    sizes = _measure(content)
    for el in content.find_all(["ul", "ol", "table", "td", "div", "dl", "section"]):
        if el.decomposed:
            continue
        total, links = sizes[id(el)]
        if total and links > _LINK_DENSE * total and len(el.find_all("a", limit=2)) >= 2:
            el.decompose()


def _clean_line(parts: list[str]) -> str:
    """Join text pieces into one display line with HTML whitespace collapsed."""
    text = _NEWLINE_BETWEEN_CJK.sub("", "".join(parts))
    return re.sub(r"\s+", " ", text).strip()


def _block_lines(root: Tag) -> list[str]:
    """Text of ``root`` with each block element and <br> starting a new line."""
    lines: list[str] = []
    parts: list[str] = []

    def flush() -> None:
        line = _clean_line(parts)
        parts.clear()
        if line:
            lines.append(line)

    # An explicit stack instead of recursion: broken pages can nest thousands of levels deep.
    stack: list[object] = [root]
    while stack:
        item = stack.pop()
        if item is flush:
            flush()
        elif isinstance(item, str) and not isinstance(item, NavigableString):
            parts.append(item)  # cell separator pushed below
        elif isinstance(item, PreformattedString):
            continue  # comments, doctype, CDATA, processing instructions
        elif isinstance(item, NavigableString):
            parts.append(str(item))
        elif isinstance(item, Tag):
            _push_tag(item, stack, flush)
    flush()
    return lines


def _push_tag(tag: Tag, stack: list[object], flush: object) -> None:
    """Schedule a tag's children, with line breaks around blocks and spaces around cells."""
    if tag.name == "br":
        stack.append(flush)
        return
    if tag.name == "pre":
        stack.append(flush)
        for raw in reversed(tag.get_text().splitlines()):
            stack.extend([flush, raw])
        stack.append(flush)
        return
    boundary: object | None = flush if tag.name in _BLOCK_TAGS else None
    if tag.name in _CELL_TAGS:
        boundary = " "
    if boundary is not None:
        stack.append(boundary)
    stack.extend(reversed(list(tag.children)))
    if boundary is not None:
        stack.append(boundary)


def _meta_published(soup: BeautifulSoup) -> str:
    """Publication date from <meta name="PubDate"> and similar tags."""
    for meta in soup.find_all("meta"):
        name = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        if name in _PUBDATE_META and (found := parse_date(meta.get("content") or "")):
            return found
    return ""


def _title_from_tag(soup: BeautifulSoup) -> str:
    """<title> without the site name after "_", "|" or " - "."""
    if soup.title is None:
        return ""
    text = re.sub(r"\s+", " ", soup.title.get_text()).strip()
    parts = [p for p in _TITLE_SEPARATORS.split(text) if p.strip()]
    return parts[0].strip() if parts else ""


def _pick_heading(title: str, headings: list[str], content_headings: list[str]) -> str:
    """An <h1> that agrees with <title>, else the first <h1> inside the content, else ""."""
    for h in headings:
        if title and (h == title or (h in title and len(h) * 2 >= len(title)) or title in h):
            return h
    return content_headings[0] if content_headings else ""


def _heading_texts(root: Tag, wide: bool = False) -> list[str]:
    """Texts of the <h1> elements under ``root`` (``wide``: also h2/h3 and *title* blocks)."""
    found = root.find_all("h1")
    if wide:
        found += root.find_all(["h2", "h3"])
        found += root.find_all(attrs={"class": re.compile("title", re.I)})
        found += root.find_all(id=re.compile("title", re.I))
    texts = (re.sub(r"\s+", " ", h.get_text()).strip() for h in found)
    return [t for t in texts if 0 < len(t) <= 120]


def html_to_text(text: str) -> HtmlText:
    """Extract the main content lines, the title and the publication date of a page."""
    soup = _parse(text)
    body = soup.body or soup
    published = _meta_published(soup)
    title_tag = _title_from_tag(soup)
    headings = _heading_texts(body, wide=True)
    for el in body.find_all(["script", "style", "noscript", "template"]):
        el.decompose()
    # The 来源/发布时间 line usually sits outside the content block, so read the whole page.
    published = published or find_published(_block_lines(body))
    _remove_furniture(body)
    content = _main_content(body)
    _drop_link_lists(content)
    lines = _block_lines(content)
    heading = _pick_heading(title_tag, headings, _heading_texts(content))
    if heading and heading not in lines[:3]:
        lines.insert(0, heading)  # the article's <h1> sat just above the content block
    return HtmlText(lines, heading or title_tag, published)
