"""Domain objects shared by the pipeline, the engine and the query layer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a report, stored exactly as written."""

    id: str  # stable HTML anchor, e.g. "p-1a2b3c4d"
    number: int  # 1-based position in the report's reading order
    section_path: tuple[str, ...]  # enclosing headings as written, outermost first
    text: str
    is_heading: bool = False  # a heading line (its text is also the last element of section_path)


@dataclass(frozen=True)
class Section:
    """A node of a report's section tree."""

    title: str  # heading as written, e.g. "一、強化政治引領，法治政府建設向縱深推進"
    level: int  # 1 = top level
    paragraph_id: str  # paragraph that opens the section
    children: tuple[Section, ...] = ()


@dataclass(frozen=True)
class ReportMeta:
    """What is known about a report besides its text."""

    title: str
    region: str = ""
    year: int | None = None
    kind: str = ""
    published: str = ""  # ISO date, when known
    source_url: str = ""
    level: str = ""  # national, province, prefecture or county; "" when unknown
    region_path: tuple[str, ...] = ()  # from the top, e.g. ("江苏省", "苏州市", "太仓市")


@dataclass(frozen=True)
class Report:
    """A structured report, ready to be indexed."""

    id: str
    meta: ReportMeta
    paragraphs: tuple[Paragraph, ...]
    sections: tuple[Section, ...]
    source_file: str = ""
    content_hash: str = ""
    encoding: str = ""
    closing: tuple[str, ...] = field(default=())  # 特此报告, signer, date line: kept, not indexed
    front: tuple[str, ...] = ()  # date, venue and speaker lines under the title: likewise
    aliases: dict[str, str] = field(default_factory=dict, hash=False)  # old id -> current id

    def to_dict(self) -> dict:
        """Return a JSON-serialisable dict (tuples become lists)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Report:
        """Rebuild a report from :meth:`to_dict` output."""
        return cls(
            id=data["id"],
            meta=_meta(data["meta"]),
            paragraphs=_paragraphs(data["paragraphs"]),
            sections=tuple(_section_from_dict(s) for s in data["sections"]),
            source_file=data.get("source_file", ""),
            content_hash=data.get("content_hash", ""),
            encoding=data.get("encoding", ""),
            closing=tuple(data.get("closing", ())),
            front=tuple(data.get("front", ())),
            aliases=dict(data.get("aliases", {})),
        )


def _meta(data: dict) -> ReportMeta:
    return ReportMeta(**{**data, "region_path": tuple(data.get("region_path", ()))})


def _paragraphs(rows: list[dict]) -> tuple[Paragraph, ...]:
    # Consecutive paragraphs usually share their section path: keep one tuple per path.
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}
    out = []
    for row in rows:
        path = tuple(row["section_path"])
        out.append(Paragraph(**{**row, "section_path": shared.setdefault(path, path)}))
    return tuple(out)


def _section_from_dict(data: dict) -> Section:
    return Section(
        title=data["title"],
        level=data["level"],
        paragraph_id=data["paragraph_id"],
        children=tuple(_section_from_dict(c) for c in data.get("children", ())),
    )
