"""Text that is not the report stays out: notices, invisible lines, broken and bogus headings."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.build import SourceFile, build_report
from indexer.chrome import is_blank, strip_chrome
from indexer.structure import parse_body

BODY = [
    "各位代表：",
    "现在，我代表国务院，向大会报告政府工作，请予审议，并请全国政协委员提出意见。",
    "一、过去一年工作回顾",
    "过去一年，我们坚持稳中求进工作总基调，经济社会发展主要目标任务圆满完成，高质量发展扎实推进。",
    "让我们更加紧密地团结在以习近平同志为核心的党中央周围，为全面建设社会主义现代化国家而团结奋斗！",
]


@pytest.mark.parametrize(
    "trailer",
    [
        ["Public domain", "false", "false"],
        ["本作品在全世界都属于公有领域，因为作者逝世已经超过100年，并且于1930年1月1日之前出版。"],
        [
            "本作品来自中华人民共和国的法律、法规，国家机关的决议、决定、命令和其他具有立法、行政、"
            "司法性质的文件，及其官方正式译文。根据《中华人民共和国著作权法》第五条，本作品不适用于"
            "该法，在中华人民共和国大陆境内属于公有领域。",
            "Public domain",
            "false",
        ],
        ["此版本据新华社北京3月5日电播发稿录入。", "许可协议", "Public domain"],
        ["注：本文依据人民出版社单行本校对。"],
        ["本條目在全世界都屬於公有領域。"],
    ],
)
def test_licence_and_provenance_trailers_are_dropped(trailer: list[str]) -> None:
    assert strip_chrome(["政府工作报告", *BODY, *trailer]) == ["政府工作报告", *BODY]


def test_source_notes_above_the_body_are_dropped() -> None:
    head = [
        "政府工作报告",
        "本作品收录于《中华人民共和国国务院公报》2024年第9号",
        "姊妹计划：数据项",
    ]
    assert strip_chrome([*head, *BODY]) == ["政府工作报告", *BODY]


def test_signature_and_date_before_a_trailer_stay() -> None:
    lines = ["政府工作报告", *BODY, "国务院", "2024年3月5日", "Public domain", "false"]
    assert strip_chrome(lines)[-2:] == ["国务院", "2024年3月5日"]


def test_report_notes_and_mentions_are_not_notices() -> None:
    notes = [
        "注：本报告中部分数据为初步统计数，最终以统计部门公布的为准。",
        "推动知识共享平台建设，完善著作权保护和公有领域资源开放利用机制。",
    ]
    assert strip_chrome(["政府工作报告", *BODY, *notes]) == ["政府工作报告", *BODY, *notes]
    # A notice's words in the middle of the text are the text.
    middle = [
        "政府工作报告",
        BODY[0],
        "Public domain 的概念在这里不适用，应当另行规定。",
        *BODY[1:],
    ]
    assert strip_chrome(middle) == middle


def test_lone_template_values_are_dropped_anywhere() -> None:
    lines = ["政府工作报告", BODY[0], "false", BODY[1], "TRUE", *BODY[2:]]
    assert strip_chrome(lines) == ["政府工作报告", *BODY]


def test_empty_and_zero_width_lines_are_dropped() -> None:
    lines = ["政府工作报告", "\u200b", BODY[0], " \u200b\u200b ", "\ufeff", "\u00ad", *BODY[1:]]
    assert strip_chrome(lines) == ["政府工作报告", *BODY]
    assert is_blank("\u200b \u200d\ufeff") and not is_blank("\u200b综合查一次")
    assert strip_chrome(["\u200bfalse", *BODY]) == BODY  # matched as if it were not there
    parsed = parse_body(["政府工作报告", "\u200b", *BODY])
    assert [p.text for p in parsed.paragraphs] == BODY


def test_a_number_alone_is_not_a_heading() -> None:
    # Page and footnote numbers on lines of their own, in a report without 一、 headings.
    lines = ["政府工作报告", "各位代表：", "过去一年，我们奋发有为。", "2023", "工作回顾"]
    lines += ["经济回升向好。", "17", "18", "2024年工作安排", "稳中求进。", "２０２４"]
    parsed = parse_body(lines)
    assert [s.title for s in parsed.sections] == ["工作回顾", "2024年工作安排"]
    assert {"2023", "17", "18", "２０２４"} <= {p.text for p in parsed.paragraphs}
    assert not any(p.is_heading for p in parsed.paragraphs if p.text.isdigit())


def test_annex_is_not_titled_by_a_number() -> None:
    parsed = parse_body(["某市政府工作报告", "正文。", "附件", "1", "名词解释内容。"])
    assert [s.title for s in parsed.sections] == ["附件"]
    assert parsed.sections[0].children == ()


@pytest.mark.parametrize(
    ("broken", "heading"),
    [
        (["三、关于《", "国务院机构改革方案》的说明"], "三、关于《国务院机构改革方案》的说明"),
        (["三、", "2024年政府工作任务"], "三、2024年政府工作任务"),
        (["（二）", "着力扩大国内需求"], "（二）着力扩大国内需求"),
        (["2.推进“", "一网通办”改革"], "2.推进“一网通办”改革"),
    ],
)
def test_a_heading_broken_across_lines_is_joined(broken: list[str], heading: str) -> None:
    lines = ["政府工作报告", "各位代表：", "一、回顾", "正文。", "二、任务", *broken, "正文。"]
    parsed = parse_body(lines)
    titles = [s.title for s in parsed.sections] + [
        c.title for s in parsed.sections for c in s.children
    ]
    assert heading in titles
    assert heading in [p.text for p in parsed.paragraphs if p.is_heading]


def test_issuer_and_document_number_under_the_title_are_front() -> None:
    lines = ["太仓市2024年度法治政府建设工作情况报告", "太仓市人民政府", "太政发〔2025〕12号"]
    parsed = parse_body([*lines, *BODY])
    assert parsed.front == ("太仓市人民政府", "太政发〔2025〕12号")
    assert parsed.paragraphs[0].text == BODY[0] and parsed.paragraphs[0].number == 1


def test_wiki_copy_end_to_end(tmp_path: Path) -> None:
    text = "\n".join(
        ["2024年政府工作报告", "——2024年3月5日在第十四届全国人民代表大会第二次会议上",
         "国务院总理 李强", "\u200b", *BODY, "Public domain", "false", "false", ""]
    )  # fmt: skip
    path = tmp_path / "wiki-2024.txt"
    path.write_text(text, encoding="utf-8")
    report = build_report(SourceFile(path, "wiki-2024", {}, "h"))
    assert [p.text for p in report.paragraphs] == BODY
    assert [p.number for p in report.paragraphs] == [1, 2, 3, 4, 5]
    assert report.front == (
        "——2024年3月5日在第十四届全国人民代表大会第二次会议上",
        "国务院总理 李强",
    )
    assert (report.meta.region, report.meta.level) == ("全国", "national")
