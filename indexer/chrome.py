"""Line-level removal of web-page chrome (navigation, widgets, metadata, footers).

The rules work on any format because the plain-text reports in the corpus were copied out of
web pages with the page furniture still in them. Every rule matches a short line of a known
shape; a body paragraph that merely mentions 来源 or 打印 in a sentence never matches, since
the patterns are anchored to the whole line and exclude sentence punctuation.

Matching is done on ``normalize(line)`` with spaces removed, so Traditional chrome
(掃一掃在手機打開當前頁) and full-width punctuation (：＞) match the same patterns.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from indexer.normalize import normalize


def _words(text: str) -> frozenset[str]:
    """A set of the whitespace-separated words of ``text`` (keeps long word lists readable)."""
    return frozenset(text.split())


# Longest line that can be a breadcrumb item or a label's value on its own line.
_SHORT = 20
# A "paragraph" line: long and ending a sentence. Marks the start of the body.
_PARAGRAPH_MIN = 50
# Chrome before the body never runs longer than this; caps head-only rules.
_HEAD_MAX_LINES = 40

_SENTENCE_PUNCT = re.compile(r"[。,;!?]")  # after NFKC: ，；！？ become ,;!?
# Symbol-only lines that are page furniture (separators, close buttons, widget brackets).
# Lone body punctuation such as "（" or "。" is left alone: it is a fragment of a paragraph.
_SYMBOLS_ONLY = re.compile(r"^[-—–―_|<>›»‹«×·•*【】\[\]/\\=~+#]+$")

# Lone buttons and toolbar labels; brackets and separators around them are stripped first.
_WIDGET_WORDS = _words(
    """下载 打印 全屏 收藏 分享 分享到 打印本页 打印此页 打印文章 打印页面 关闭 关闭窗口 关闭本页
    返回 返回顶部 返回首页 顶部 首页 网站首页 加大 还原 减小 放大 缩小 默认 纠错 我要纠错 字号
    字体 收藏本页 加入收藏 复制链接 点赞 评论 微信 微博 qq qq空间 朋友圈 保存 推荐 繁体 简体
    繁體 无障碍 长者模式 读屏 语音播报 播报 视力保护色 大字版 姊妹计划 数据项"""
)
_SEPARATORS = frozenset({">", ">>", "›", "»", "/", "→", "-", "|"})
_SPLIT_WIDGETS = re.compile(r"[【】\[\]()|/·•:\s]+")

_WIDGET_INLINE = re.compile(
    r"^[【\[]?(字号|字体|字体大小|文字大小)[:]?[大中小加减还原默认|/]*[】\]]?$"
)
_WIDGET_OPEN = re.compile(r"^[【\[](字号|字体|字体大小|文字大小)[:]?$")
_SHARE = re.compile(r"^分享((到|至):?|:).{0,10}$")
_SCAN = re.compile(r"扫一扫|(扫码|扫描二维码)(关注|阅读|打开|分享)|手机(打开|浏览|阅读)(当前|本)页")
_CLICK = re.compile(r"点击.{0,12}(进入|查看|下载|打开|阅读|播放)")
_CAPTION = re.compile(r"(记者|摄影|通讯员|图片).{0,30}(摄|摄影|供图)$")
# A photo caption above the speech: "省长某某作政府工作报告。" The lookbehind keeps the title
# "…政府工作报告" (where 作 follows 工) from matching; "张工作政府工作报告" still does.
_DELIVERS = re.compile(r"作政府工作报告|(?<!工)作(了)?报告")
_FOOTER = re.compile(
    r"版权所有|copyright|©|icp备|icp证|公网安备|网站标识码|^(主办|承办|协办|运维)(单位)?:|"
    r"^(主办|承办|协办)单位|^技术支持|联系我们|网站地图|关于我们|网站声明|隐私(政策|声明)|"
    r"(最佳|建议).{0,20}(分辨率|浏览器)"
)
_FOOTER_MAX = 160
_RELATED = re.compile(
    r"^(相关(报道|链接|阅读|新闻|文章|文档|附件|稿件|信息|专题|推荐|政策|解读)|延伸阅读|推荐阅读|"
    r"热点推荐|热门(文章|推荐)|更多(报道|新闻|阅读)|猜你喜欢)[:>》»]*$"
)

_SOURCE_LABELS = (
    "来源|信息来源|文章来源|稿件来源|稿源|出处|索引号|发布机构|发文机关|文号|发文字号|主题分类|"
    "公文种类|信息分类"
)
_TIME_LABELS = "时间|发布时间|发表时间|发布日期|更新时间|日期|成文日期|发文日期|印发日期"
_COUNT_LABELS = (
    "浏览次数|浏览量|阅读量|阅读数|阅读次数|访问量|访问次数|点击数|点击量|点击率|点击次数"
)
_PERSON_LABELS = "作者|编辑|责任编辑|责编|编审|审核|校对|记者|通讯员|摄影|主编|审校|签发"
_LABEL = re.compile(
    rf"^[(]?(?:(?P<src>{_SOURCE_LABELS})|(?P<time>{_TIME_LABELS})|(?P<count>{_COUNT_LABELS})"
    rf"|(?P<person>{_PERSON_LABELS})):(?P<value>.*?)[)]?$"
)

_DATE = r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
_DATE_START = re.compile(rf"^{_DATE}")
_TIME_OF_DAY = r"\d{1,2}(:\d{2}(:\d{2})?|时(\d{1,2}分)?)"
_STAMP = re.compile(rf"^{_DATE}({_TIME_OF_DAY})?$")
_ISO_DAY = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_STAMP_WITH_TIME = re.compile(rf"^{_DATE}{_TIME_OF_DAY}$")

_BREADCRUMB_LABEL = re.compile(r"^(您的位置|您现在的位置|当前位置|所在位置)(:|:?$)")
_HOME = frozenset({"首页", "网站首页", "主页", "门户首页"})
_BREADCRUMB_INLINE = re.compile(
    r"^((您的位置|您现在的位置|当前位置|所在位置):.{1,80}|(首页|主页)[>›»/→].{0,80})$"
)
_SALUTATION = re.compile(r"^各位(代表|委员)")

# Characters that show nothing: a line of them alone is no paragraph.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad]")
# Values of wiki templates that leak into copied text as lines of their own.
_TEMPLATE_VALUES = frozenset({"false", "true", "null", "none", "undefined", "nan", "publicdomain"})
# Licence notices that wiki and encyclopedia copies append (matched on the whitespace-free key).
_LICENCE = re.compile(
    r"publicdomain|(属于|进入|在.{0,12})公有领域|公有领域作品|creativecommons|知识共享(许可|署名)|"
    r"cc-?by(-sa)?\d|gfdl|gnu自由文档|维基文库|wikisource|维基百科|wikipedia|百度百科|互动百科|"
    r"(本|此|该)(作品|条目)|页面最后(修订|编辑)于"
)
# Notes about the copy's source edition: 本文据人民出版社单行本录入, 此版本来自新华社播发稿.
_EDITION = re.compile(
    r"^((注|说明):?)?(本文|此文|本篇|此篇|本版本|此版本|本文本|本页|此页|原文)"
    r"(据|依据|根据|来自|取自|录自|转录自?|摘自|原载|载于|录入|校对|参照|出自|来源)"
)
_TRAILER_LINES = 15  # licence and provenance notices are looked for among the last lines only
_TRAILER_FRAGMENT = 30  # short lines between them (template labels) go with them


def _key(line: str) -> str:
    """Matching form of a line: normalized, without any whitespace or zero-width character."""
    return re.sub(r"\s+", "", normalize(_ZERO_WIDTH.sub("", line)))


def _is_date_stamp(key: str) -> bool:
    """A line that is only a publication stamp: ISO date, or any date with a time of day."""
    return bool(_ISO_DAY.match(key) or _STAMP_WITH_TIME.match(key))


def _label_line(key: str) -> tuple[str, str] | None:
    """(label group, value) if the line is a "label: value" metadata line, else None."""
    m = _LABEL.match(key)
    if not m or len(key) > 60:
        return None
    group = next(g for g in ("src", "time", "count", "person") if m.group(g))
    value = m.group("value")
    if group == "time" and value and not _DATE_START.match(value):
        return None
    if group == "count" and len(value) > 12:
        return None
    if group in ("src", "person") and (len(value) > 30 or _SENTENCE_PUNCT.search(value)):
        return None
    return group, value


def _is_label_value(group: str, key: str) -> bool:
    """True if ``key`` is the value of an empty label on the previous line."""
    if group == "time":
        return bool(_STAMP.match(key))
    if group == "count":
        return bool(re.fullmatch(r"\d+次?", key))
    short = len(key) <= _SHORT and not _SENTENCE_PUNCT.search(key)
    return short and "报告" not in key and not _SALUTATION.match(key)


def _is_widget(key: str) -> bool:
    """Buttons and toolbars: 打印, 【打印本页】【关闭窗口】, 分享到微信, 【字号：大 中 小】."""
    words = [w for w in _SPLIT_WIDGETS.split(key.rstrip(":")) if w]
    if words and all(w.rstrip(":") in _WIDGET_WORDS for w in words):
        return True
    if _WIDGET_INLINE.match(key) or _SHARE.match(key):
        return True
    short = len(key) <= 30
    return short and bool(_SCAN.search(key) or _CLICK.search(key))


def _is_footer(key: str) -> bool:
    """Site footer lines: 版权所有, ICP备, 主办单位, 网站标识码, 联系我们 …"""
    if len(key) > _FOOTER_MAX or "。" in key:
        return False
    return bool(_FOOTER.search(key))


def is_chrome_line(line: str) -> bool:
    """True if one line, on its own, is page chrome wherever it appears."""
    return _is_chrome_key(_key(line))


def _is_chrome_key(key: str) -> bool:
    """is_chrome_line on an already computed matching key."""
    if not key or _SYMBOLS_ONLY.match(key) or key in _TEMPLATE_VALUES:
        return True  # lone "-", ">", "|", "【", "×", or a template's "false": no text to keep
    if _is_widget(key) or _is_footer(key) or _is_date_stamp(key):
        return True
    if _BREADCRUMB_INLINE.match(key) or _label_line(key):
        return True
    return len(key) <= 100 and bool(_CAPTION.search(key))


def _breadcrumb_end(keys: Sequence[str], i: int) -> int:
    """Index just past a breadcrumb trail starting at ``i`` (``i`` itself if there is none)."""
    n = len(keys)
    j = i
    label = _BREADCRUMB_LABEL.match(keys[i])
    if label and len(keys[i]) <= len(label.group(0)) + 1:
        j += 1
    elif not (keys[i] in _HOME and i + 1 < n and keys[i + 1] in _SEPARATORS):
        return i
    items: list[str] = []
    after_separator = False
    while j < n:
        if keys[j] in _SEPARATORS:
            after_separator = True
            j += 1
            continue
        before_separator = j + 1 < n and keys[j + 1] in _SEPARATORS
        linked = keys[j] in _HOME or after_separator or before_separator
        if not (0 < len(keys[j]) <= _SHORT and linked):
            break  # a short line after a bare label may be the title: keep it
        items.append(keys[j])
        j += 1
        after_separator = False
        if not before_separator:
            break
    # Sites often repeat the last crumb as the column heading right below the trail.
    while j < n and items and keys[j] == items[-1]:
        j += 1
    return j


def _widget_block_end(keys: Sequence[str], i: int) -> int:
    """Index just past a font-size widget split over lines (【字号： / 加大 / … / 】)."""
    if not _WIDGET_OPEN.match(keys[i]):
        return i
    for j in range(i + 1, min(i + 8, len(keys))):
        if "】" in keys[j] or "]" in keys[j]:
            return j + 1
        if len(keys[j]) > 4:
            break
    return i + 1


def _body_start(keys: Sequence[str]) -> int:
    """Index of the first body paragraph: the salutation or the first long sentence line."""
    for i, key in enumerate(keys[: _HEAD_MAX_LINES * 2]):
        if _SALUTATION.match(key):
            return i
        if len(key) >= _PARAGRAPH_MIN and "。" in key and not _CAPTION.search(key):
            return i
    return 0  # no recognisable start of the body: apply no head-only rule


def _head_only_chrome(keys: Sequence[str], start: int, keep: list[bool]) -> None:
    """Rules valid only before the body: captions, repeated titles, a copy's source notes."""
    for i in range(start):
        key = keys[i]
        if not keep[i]:
            continue
        if len(key) <= 150 and not key.startswith(("—", "(", "―")) and _DELIVERS.search(key):
            keep[i] = False
        elif _is_notice(key):
            keep[i] = False  # 本作品收录于《国务院公报》…
        elif "。" not in key and any(keep[j] and keys[j] == key for j in range(i + 1, start)):
            keep[i] = False  # page banner repeating the title/subtitle shown again below


def _related_cut(keys: Sequence[str], keep: list[bool]) -> None:
    """Drop a related-links header (相关报道：…) near the end and everything after it."""
    n = len(keys)
    for i, key in enumerate(keys):
        if not _RELATED.match(key):
            continue
        rest_short = all(len(k) <= 60 for k in keys[i + 1 :])
        if i >= n // 2 or rest_short:
            for j in range(i, n):
                keep[j] = False
            return


def _mark_sequences(keys: Sequence[str], keep: list[bool]) -> None:
    """Multi-line chrome: breadcrumb trails, split widgets and labels with the value below."""
    i = 0
    while i < len(keys):
        end = max(_breadcrumb_end(keys, i), _widget_block_end(keys, i))
        if end > i:
            for j in range(i, end):
                keep[j] = False
            i = end
            continue
        label = _label_line(keys[i])
        if label and not label[1]:
            keep[i] = False
            if i + 1 < len(keys) and _is_label_value(label[0], keys[i + 1]):
                keep[i + 1] = False
                i += 1
        i += 1


def is_blank(line: str) -> bool:
    """True if nothing in ``line`` shows: blanks and zero-width characters only."""
    return not line.strip().strip(_INVISIBLE).strip()


def _is_notice(key: str) -> bool:
    """A licence or source-edition notice of a wiki or encyclopedia copy."""
    if key in _TEMPLATE_VALUES:
        return True
    if _EDITION.search(key):
        return len(key) <= 120
    return len(key) <= 300 and bool(_LICENCE.search(key))


def _trailer_cut(keys: Sequence[str], keep: list[bool]) -> None:
    """Drop the licence and provenance block that ends a copied text.

    From the end, notices and short fragments between them (template labels such as 作者,
    许可协议) form the block; it starts at its first notice, so a signature or date line just
    before it stays.
    """
    first = None
    i = len(keys) - 1
    while i >= max(0, len(keys) - _TRAILER_LINES):
        key = keys[i]
        if _is_notice(key):
            first = i
        elif not keep[i] or (len(key) <= _TRAILER_FRAGMENT and "。" not in key):
            pass
        else:
            break
        i -= 1
    if first is not None:
        for j in range(first, len(keys)):
            keep[j] = False


def strip_chrome(lines: Sequence[str]) -> list[str]:
    """Return the body lines: stripped, non-empty, with page chrome removed."""
    stripped = [s for s in (line.strip() for line in lines) if not is_blank(s)]
    keys = [_key(s) for s in stripped]
    keep = [not _is_chrome_key(k) for k in keys]
    _mark_sequences(keys, keep)
    _related_cut(keys, keep)
    _trailer_cut(keys, keep)
    _head_only_chrome(keys, _body_start(keys), keep)
    return [s for s, k in zip(stripped, keep, strict=True) if k]


def _iso(year: str, month: str, day: str) -> str:
    """YYYY-MM-DD if the parts form a real date, else ""."""
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return ""


def parse_date(text: str) -> str:
    """First date in ``text`` (2026-02-09, 2026/2/9, 2026年02月09日) as ISO, else ""."""
    m = re.search(_DATE, normalize(text))
    return _iso(*m.groups()) if m else ""


def find_published(lines: Sequence[str]) -> str:
    """Publication date from a 时间：/发布时间：line (value maybe on the next line), else ""."""
    keys = [_key(s) for s in lines if s.strip()]
    for i, key in enumerate(keys[: _HEAD_MAX_LINES * 2]):
        label = _label_line(key)
        if not label or label[0] != "time":
            continue
        value = label[1] or (keys[i + 1] if i + 1 < len(keys) else "")
        if found := parse_date(value):
            return found
    # No labelled date: a bare stamp with a time of day near the top is the publication time.
    for key in keys[:_HEAD_MAX_LINES]:
        if _STAMP_WITH_TIME.match(key):
            return parse_date(key)
    return ""
