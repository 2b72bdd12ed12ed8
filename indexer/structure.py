"""Split a report's body lines into title, paragraphs, a section tree and closing lines.

Input is what ``indexer.reading`` produces: body lines in reading order, stripped, non-empty,
web chrome removed. Every input line ends up in exactly one place (title, ``front``, a
paragraph or ``closing``), so nothing is silently dropped.

Heading markers, matched on normalized text so full-width and Traditional forms work too:

* ``一、``            level 1
* ``（一）`` ``(一)``  level 2
* ``1.`` ``1．`` ``1、`` level 3 (the number must not be followed by a digit: ``2.5``, ``2024年``)
* ``（1）`` ``(1)``    level 4
* ``［9］``            level 3 too (numbered glossary items in 注释 annexes)

A marked line with no sentence end before its last character (at most 60 chars) is a heading
paragraph (``is_heading``). A marked paragraph whose first sentence, cut at 。！？ or ：, is at
most 50 chars opens a section named by that sentence and stays a body paragraph; a first
clause cut at ； marks a list item (民生实事), which stays a plain paragraph. ``一是…`` lines
are plain paragraphs.

Two repairs come first: a line that is only a marker (``三、``) or that ends with an opening
bracket or quote (``三、关于《``) is joined with the next line, since a heading broken across
lines is one heading. A line that is only a number (``17``, ``2024``) is never a heading.

The lines between the title and the body that say when, where and by whom the report was
delivered (``——2026年1月26日在广东省第十四届人民代表大会第五次会议上``, ``广东省省长 孟凡利``)
are kept apart as ``front``, like the closing lines, so that paragraph numbers count body
paragraphs only: ``第N段`` is the N-th paragraph after them.

Levels are relative: a heading closes the open sections whose marker level is >= its own and
nests under whatever is still open, so ``Section.level`` is the depth in the tree, not the
marker level. Two extra kinds of heading keep the annexes of provincial reports tidy:
``附件``/``附件1``/``名词解释``/``注释`` lines open a top-level section (above ``一、``), and
the short title line right after an ``附件`` line opens a child section. Reports that use no
``一、`` marker at all may have unnumbered part headings (``2026年重点工作``); short
unpunctuated lines after the preamble are taken as level-1 headings there.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from indexer.chrome import is_blank
from indexer.model import Paragraph, Section
from indexer.normalize import fold, normalize

MAX_HEADING_CHARS = 60  # a standalone heading line is at most this long
MAX_INLINE_HEADING_CHARS = 50  # the first sentence of an inline-heading paragraph, likewise
TITLE_SEARCH_LINES = 10  # the title is looked for among the first lines only
MAX_CLOSING_LINES = 6  # signer and date lines after 特此报告; more is body text
MAX_FRONT_LINES = 6  # date, venue and speaker lines under the title
MAX_FRONT_CHARS = 80

_CN_DIGITS = "一二三四五六七八九十百零〇两"
_MARKERS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"[{_CN_DIGITS}]+、")),
    (2, re.compile(rf"\(\s*[{_CN_DIGITS}]+\s*\)")),
    (3, re.compile(r"\d{1,2}\s*[.、](?!\d)")),
    (4, re.compile(r"\(\s*\d{1,2}\s*\)")),
    (3, re.compile(r"\[\s*\d{1,3}\s*\]")),  # ［9］ glossary items number like 1.
)
_ANNEX = re.compile(r"(附件|附录)\s*\d*|名词解释|名词注释|注释|附注")
# Where a first sentence ends; the colon ends glossary terms such as 1.“两重”：是指…
_SENTENCE_END = re.compile(r"[。！？!?；;：:]")
_SENTENCE_PUNCT = re.compile(r"[。！？!?；;]")
_ANY_PUNCT = re.compile(r"[，,。．.！？!?；;：:、…—\-\s]")
_TITLE_WORDS = ("报告", "工作", "总结", "规划", "计划", "纲要", "公报", "方案", "意见", "情况")
_REPORT_END = re.compile(r"特此(报告|报告如下)?[。.!！]?")
_DATE_LINE = re.compile(
    rf"(\d{{4}}|[{_CN_DIGITS}]{{4}})年(\d{{0,2}}|[{_CN_DIGITS}]{{0,3}})月((\d{{0,2}}|[{_CN_DIGITS}]{{0,3}})日)?"
)
_SIGNER_END = ("人民政府", "政府", "委员会", "办公室", "局", "厅", "委", "办", "院", "部", "中心")
_LONE_OPENERS = ("（", "(", "〔", "［", "[")
_OPENING_MARKS = ("（", "(", "〔", "［", "[", "《", "“", "‘", "「", "『", "【", "〈")
_NUMBER_ONLY = re.compile(rf"[\d.,%]+|[{_CN_DIGITS}千万]+")
_VENUE = re.compile(r"(会议|大会)上?$|^在.*(会议|大会)|代表大会")
_OFFICE = re.compile(r"(省长|市长|县长|区长|州长|盟长|旗长|主席|总理|主任|书记)")
_PERSON = re.compile(r"[\u4e00-\u9fff·]{2,10}")
_SALUTATION = re.compile(r"各位")
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[(]\d{4}[〕\])]\d{1,4}号")  # 太政发〔2025〕12号


@dataclass(frozen=True)
class ParsedBody:
    """A report body split into title, paragraphs, section tree and closing lines."""

    title: str  # as written; "" when no line looks like a title
    paragraphs: tuple[Paragraph, ...]
    sections: tuple[Section, ...]  # tree of top-level sections with children
    closing: tuple[str, ...]  # 特此报告 / signer / date lines: kept here, not paragraphs
    front: tuple[str, ...] = ()  # date, venue and speaker lines under the title, likewise


@dataclass
class _Node:
    """Mutable section while the tree is being built."""

    title: str
    rank: float  # marker level (0 = annex, 0.5 = annex title); decides what a heading closes
    paragraph_id: str
    children: list[_Node] = field(default_factory=list)

    def freeze(self, level: int) -> Section:
        kids = tuple(c.freeze(level + 1) for c in self.children)
        return Section(self.title, level, self.paragraph_id, kids)


@dataclass(frozen=True)
class _Line:
    """A body line classified: ``title`` is set when it opens a section."""

    text: str
    title: str = ""
    rank: float = 0.0
    is_heading: bool = False


def heading_level(line: str) -> int | None:
    """Return the marker level of ``line`` (1 一、 / 2 （一） / 3 1. / 4 （1）), or None."""
    norm = normalize(line.strip())
    for level, pattern in _MARKERS:
        if pattern.match(norm):
            return level
    return None


def paragraph_ids(texts: Sequence[str]) -> list[str]:
    """Return stable anchors: "p-" + 8 hex of sha1(folded text), "-2", "-3" for repeats.

    Ids are permalinks people cite, so they hash :func:`fold` (the per-character part of
    normalization, whitespace as written), not :func:`normalize`: how matching treats
    whitespace may change without moving any id.
    """
    seen: dict[str, int] = {}
    ids = []
    for text in texts:
        digest = hashlib.sha1(fold(text.strip()).encode("utf-8")).hexdigest()[:8]
        base = f"p-{digest}"
        # Counting by id rather than by text also separates the (rare) hash-prefix collisions.
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return ids


def parse_body(lines: Sequence[str], title: str | None = None) -> ParsedBody:
    """Parse body lines into title, paragraphs, section tree and closing lines."""
    body = _join_broken([s for s in (line.strip() for line in lines) if not is_blank(s)])
    title_at = _find_title(body, title)
    found_title = body[title_at] if title_at is not None else ""
    rest = body[:title_at] + body[title_at + 1 :] if title_at is not None else body
    start = _front_end(rest, found_title)
    cut = max(start, _closing_start(rest))
    paragraphs, sections = _build(_classify(rest[start:cut]))
    return ParsedBody(found_title, paragraphs, sections, tuple(rest[cut:]), tuple(rest[:start]))


def _join_broken(lines: list[str]) -> list[str]:
    """Join a line that cannot end a paragraph (（ / 三、 / 三、关于《) with the next one."""
    out: list[str] = []
    pending = ""
    for line in lines:
        if _continues(line):
            pending += line
            continue
        out.append(pending + line)
        pending = ""
    if pending:
        out.append(pending)
    return out


def _continues(line: str) -> bool:
    if line in _LONE_OPENERS or line.endswith(_OPENING_MARKS):
        return True
    key = _key(line)
    return any(pattern.fullmatch(key) for _, pattern in _MARKERS)


def _is_number(line: str) -> bool:
    return bool(_NUMBER_ONLY.fullmatch(_key(line)))


def _key(text: str) -> str:
    return re.sub(r"\s+", "", normalize(text))


def _find_title(lines: list[str], title: str | None) -> int | None:
    head = lines[:TITLE_SEARCH_LINES]
    if title and title.strip():
        wanted = _key(title)
        for i, line in enumerate(head):
            if _key(line) == wanted:
                return i
    for i, line in enumerate(head[:5]):
        if _looks_like_title(line):
            return i
    if head and len(head[0]) <= 40 and not _ANY_PUNCT.search(head[0].replace(" ", "")):
        return 0 if heading_level(head[0]) is None else None
    return None


def _looks_like_title(line: str) -> bool:
    norm = normalize(line)
    if len(line) > MAX_HEADING_CHARS or _SENTENCE_PUNCT.search(norm):
        return False
    if heading_level(line) is not None or norm.startswith(("—", "-", "(")):
        return False
    return any(word in norm for word in _TITLE_WORDS)


def _front_end(lines: list[str], title: str) -> int:
    """Index of the first body line: past the date, venue and speaker lines under the title."""
    i = 0
    while i < min(len(lines), MAX_FRONT_LINES) and _is_front(lines[i], title, i > 0):
        i += 1
    return i if i < len(lines) else 0  # a text of front lines only is all body


def _is_front(line: str, title: str, after_front: bool) -> bool:
    key = _key(line).strip("—―-")
    if len(key) > MAX_FRONT_CHARS or _SENTENCE_PUNCT.search(key) or key.endswith(":"):
        return False
    if heading_level(key) is not None or _is_number(key):
        return False
    inner = key.strip("()")
    if _DATE_LINE.search(inner) or _VENUE.search(inner):
        return True  # 2026年1月26日在广东省第十四届 / 人民代表大会第五次会议上
    if _OFFICE.search(inner) and len(inner) <= 30 or _DOC_NUMBER.fullmatch(inner):
        return True  # 广东省省长 孟凡利, 太政发〔2025〕12号
    if len(inner) <= 30 and inner.endswith(_SIGNER_END) and not _ANY_PUNCT.search(inner):
        return True  # the issuing body: 太仓市人民政府
    if after_front and _PERSON.fullmatch(inner) and len(inner) <= 5:
        return not _SALUTATION.match(inner) and not _ANNEX.fullmatch(inner)  # 毛伟明
    return bool(title) and _looks_like_title(line)  # the title again (政府工作报告)


def _closing_start(lines: list[str]) -> int:
    """Index where the closing block (特此报告, signer, date) starts; len(lines) if none."""
    i = len(lines)
    floor = max(0, len(lines) - MAX_CLOSING_LINES)
    while i > floor and _is_sign_off(lines[i - 1]):
        i -= 1
    tail = lines[i:]
    if i > 0 and _REPORT_END.fullmatch(_key(lines[i - 1])):
        return i - 1
    if any(_DATE_LINE.fullmatch(_key(line)) for line in tail):
        return i
    return len(lines)


def _is_sign_off(line: str) -> bool:
    key = _key(line)
    if not re.search(r"\w", key):
        return True  # stray "-" or "|" left over after the signature
    if _DATE_LINE.fullmatch(key):
        return True
    return len(key) <= 30 and not _ANY_PUNCT.search(key) and key.endswith(_SIGNER_END)


def _classify(lines: list[str]) -> list[_Line]:
    has_level_one = any(heading_level(line) == 1 for line in lines)
    out: list[_Line] = []
    body_started = False
    for line in lines:
        prev = out[-1] if out else None
        item = _classify_line(line, prev)
        if item is None and not has_level_one and body_started and _is_bare_heading(line):
            item = _Line(line, line, 1, True)
        out.append(item or _Line(line))
        body_started = body_started or bool(_SENTENCE_PUNCT.search(normalize(line)))
    return out


def _classify_line(line: str, prev: _Line | None) -> _Line | None:
    norm = normalize(line)
    level = heading_level(line)
    after_annex = prev is not None and prev.is_heading and prev.rank == 0
    if _is_number(line):
        return None  # a page or footnote number: 17 such lines once made 17 empty sections
    if after_annex and level is None and len(line) <= 30 and not _SENTENCE_END.search(norm):
        return _Line(line, line, 0.5, True)  # 附件1 / 2026年省十件民生实事, 附件2 / 名词解释
    if _ANNEX.fullmatch(re.sub(r"[\s:]", "", norm)):
        return _Line(line, line, 0, True)
    if level is None:
        return None
    end = _SENTENCE_END.search(line[:-1])
    if end is None:
        return _Line(line, line, level, True) if len(line) <= MAX_HEADING_CHARS else None
    head = line[: end.start()].rstrip()
    # A first clause ending in ； is an item of a list (民生实事), not a heading.
    if end.group() not in "；;" and len(head) <= MAX_INLINE_HEADING_CHARS:
        return _Line(line, head, level, False)
    return None


def _is_bare_heading(line: str) -> bool:
    # An unnumbered part heading: short, no punctuation at all (quotes allowed).
    return 4 <= len(line) <= 20 and not _ANY_PUNCT.search(line) and not _is_number(line)


def _build(lines: list[_Line]) -> tuple[tuple[Paragraph, ...], tuple[Section, ...]]:
    ids = paragraph_ids([line.text for line in lines])
    roots: list[_Node] = []
    stack: list[_Node] = []
    paragraphs = []
    for number, (line, pid) in enumerate(zip(lines, ids, strict=True), start=1):
        if line.title:
            while stack and stack[-1].rank >= line.rank:
                stack.pop()
            node = _Node(line.title, line.rank, pid)
            (stack[-1].children if stack else roots).append(node)
            stack.append(node)
        path = tuple(node.title for node in stack)
        paragraphs.append(Paragraph(pid, number, path, line.text, line.is_heading))
    return tuple(paragraphs), tuple(node.freeze(1) for node in roots)
