"""Report-level data of the tantivy engine, in plain Python (no tantivy here).

Every report has one small record document beside its paragraphs, holding:

* ``record`` (a fast text field): ``serial, stamp, facts, summary`` joined by ``SEP`` —
  the facts being what the facets and filters of its paragraphs share (id, region as
  written, canonical level, kind, year), what index runs compare (content hash, when first
  added) and the names of its sections (the facet counts their hashes), the summary what listings need (metadata, paragraph count, source file),
  decoded only when asked for, once per record. Every record of a
  committed state is read with one terms aggregation, which returns the strings (a stored
  field would cost one document-store block per report); JSON escapes ``SEP``, so the
  split is unambiguous. The stamp is random per version of a report, so a record string
  names one version: a new view reuses the rows it has already decoded;
* ``headings`` (stored): the report's section headings as written with their paragraph
  counts, read only to list every heading.

:class:`ReportTable` holds the records of one committed state by serial. Report-level facets
(report, region, year, level, kind) are derived from per-report paragraph counts — one
aggregation on the serial, then this table — so their cost follows the number of reports
with hits, not the number of hits.
"""

from __future__ import annotations

import json
import os
import random
import threading
from collections import Counter, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from itertools import compress, repeat
from operator import itemgetter, lshift, neg, or_, sub
from pathlib import Path

from indexer.engines.base import ReportEntry, ReportSummary
from indexer.engines.documents import ReportFields
from indexer.engines.tantivy_fields import section_key
from indexer.model import Paragraph, Report, ReportMeta

REPORT_FACETS = ("report", "region", "year", "level", "kind")
SEP = "\x1f"
NO_ENTRY = ReportEntry("")  # a record put without one (the engine alone, in tests)
Facet = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class ReportRow:
    """One report's record: serial, facet values, entry and undecoded summary (JSON)."""

    serial: int
    report_id: str
    region: str = ""
    level: str = ""
    kind: str = ""
    year: int | None = None
    entry: ReportEntry = NO_ENTRY
    summary: str = "{}"
    sections: tuple[str, ...] = ()  # normalized top-level headings
    title: str = ""


def encode_record(
    serial: int,
    report_id: str,
    fields: ReportFields,
    entry: ReportEntry = NO_ENTRY,
    summary: str = "{}",
    sections: Sequence[str] = (),
    title: str = "",
) -> str:
    """The record string of a report version (see the module docstring)."""
    facts = [report_id, fields.region, fields.level, fields.kind, fields.year,
             entry.content_hash, entry.added, list(sections), entry.source_file, title]  # fmt: skip
    stamp = random.getrandbits(62)
    return SEP.join([str(serial), str(stamp), json.dumps(facts, ensure_ascii=False), summary])


def decode_record(record: str) -> ReportRow:
    """Inverse of :func:`encode_record`."""
    serial, _stamp, facts, summary = record.split(SEP, 3)
    report_id, region, level, kind, year, content_hash, added, sections, source, title = json.loads(
        facts
    )
    entry = ReportEntry(content_hash, added, source)
    return ReportRow(
        int(serial), report_id, region, level, kind, year, entry, summary, tuple(sections), title
    )


def decode_entry(record: str) -> tuple[str, ReportEntry]:
    """The report id and entry of a record: what an index run needs of it."""
    facts = json.loads(record.split(SEP, 3)[2])
    return facts[0], ReportEntry(facts[5], facts[6], facts[8])


def record_stamp(record: str) -> tuple[int, str]:
    """The serial and stamp of a record: which version of which report it is."""
    serial, stamp, _rest = record.split(SEP, 2)
    return int(serial), stamp


# What an index run read of the records, by serial: (stamp, report id, entry).
CachedEntries = dict[int, tuple[str, str, ReportEntry]]
_ENTRIES_HEADER = "govsearch-entries-1"


def read_entries(path: Path) -> CachedEntries:
    """The entries :func:`write_entries` kept in ``path``; {} if absent or unreadable.

    Fields are NUL-separated, six per report: no file name, id, hash or time holds a NUL.
    """
    try:
        header, *fields = path.read_text(encoding="utf-8").split("\0")
    except (OSError, UnicodeDecodeError):
        return {}
    if header != _ENTRIES_HEADER or len(fields) % 6:
        return {}
    each = iter(fields)
    out: CachedEntries = {}
    for serial, stamp, report_id, content_hash, added, source in zip(*[each] * 6, strict=True):
        out[int(serial)] = (stamp, report_id, ReportEntry(content_hash, added, source))
    return out


def write_entries(path: Path, entries: CachedEntries) -> None:
    """Keep ``entries`` in ``path`` (replaced at once); only a cache: errors are ignored."""
    fields = [_ENTRIES_HEADER]
    for serial, (stamp, report_id, entry) in entries.items():
        fields += (str(serial), stamp, report_id, entry.content_hash, entry.added,
                   entry.source_file)  # fmt: skip
    text = "\0".join(fields)
    if text.count("\0") != 6 * len(entries):
        return  # a NUL inside a field: not kept
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


def encode_passage(para: Paragraph) -> bytes:
    """A paragraph as written, stored in its paragraph document: what a hit shows."""
    row = [para.id, para.number, list(para.section_path), para.text, para.is_heading]
    return json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode_passage(blob: bytes) -> Paragraph:
    """Inverse of :func:`encode_passage`."""
    paragraph_id, number, path, text, is_heading = json.loads(blob)
    return Paragraph(paragraph_id, number, tuple(path), text, is_heading)


def encode_summary(report: Report) -> str:
    """What :class:`ReportSummary` needs besides the record's facts, without the text."""
    summary = {"meta": asdict(report.meta), "paragraphs": len(report.paragraphs),
               "source_file": report.source_file}  # fmt: skip
    return json.dumps(summary, ensure_ascii=False)


def decode_summary(row: ReportRow) -> ReportSummary:
    """The summary of a record (inverse of :func:`encode_summary`)."""
    data = json.loads(row.summary)
    meta = data["meta"]
    meta = ReportMeta(**{**meta, "region_path": tuple(meta.get("region_path", ()))})
    return ReportSummary(row.report_id, meta, data["paragraphs"], row.entry.added)


def encode_headings(report: Report) -> bytes:
    """Each heading as written with the number of paragraphs whose section path holds it."""
    counts = Counter(h for para in report.paragraphs for h in para.section_path)
    return json.dumps(list(counts.items()), ensure_ascii=False).encode("utf-8")


def tally_headings(total: dict[str, int], blobs: Iterable[bytes], sign: int = 1) -> dict:
    """Add (``sign`` 1) or take away (-1) the headings of reports; a count of 0 leaves."""
    get = total.get
    for blob in blobs:
        if blob:
            for heading, count in json.loads(blob):
                n = get(heading, 0) + sign * count
                if n:
                    total[heading] = n
                else:
                    del total[heading]
    return total


def sorted_headings(total: Mapping[str, int]) -> list[tuple[str, int]]:
    """Most paragraphs first, ties in the order met.

    (Ordering ties by heading would cost more than the rest: long, alike Chinese strings.)
    """
    return sorted(total.items(), key=itemgetter(1), reverse=True)


def ranked(counts: Mapping[str, int], limit: int | None = None) -> Facet:
    """Values by count, most first, ties by value; the first ``limit`` (all if None)."""
    if limit is not None and len(counts) > limit:
        cut = count_at(counts.values(), limit)  # only values reaching it compete
        pairs = [(-n, value) for value, n in counts.items() if n >= cut]
    else:
        pairs = [(-n, value) for value, n in counts.items()]
    pairs.sort()
    return tuple((value, -n) for n, value in pairs[:limit])


def count_at(counts: Iterable[int], rank: int) -> int:
    """The ``rank``-th largest of ``counts`` (1-based), counting repeats; 0 if fewer.

    Counts repeat a lot (many reports share a count), so this walks the distinct counts.
    """
    seen = 0
    how_many = Counter(counts)
    for n in sorted(how_many, reverse=True):
        seen += how_many[n]
        if seen >= rank:
            return n
    return 0


def _tally(codes: Sequence[int], counts: Sequence[int]) -> Counter:
    """Sum ``counts`` by code; a Python step only per count above 1 (most are 1 or 2)."""
    out = Counter(codes)
    extra = list(map(sub, counts, repeat(1)))
    for code, n in zip(compress(codes, extra), filter(None, extra), strict=True):
        out[code] += n
    return out


def top_coded(
    codes: Sequence[int], counts: Sequence[int], labels: Sequence[str], limit: int | None
) -> Facet:
    """Like :func:`ranked` for distinct ``codes`` whose order is their labels' order.

    Values above the cut (the ``limit``-th count) are few: each (count, code) is packed into
    one int, higher count first, then lower code. Values at the cut are often thousands of
    reports with one paragraph each: their codes are sorted as they are. Only kept values
    are named. Nothing compares the labels, long and alike Chinese strings.
    """
    if limit is not None and len(counts) > limit:
        cut = count_at(counts, limit)
    else:
        cut = min(counts, default=0)
    above = list(map(cut.__lt__, counts))
    packed = map(or_, map(lshift, map(neg, compress(counts, above)), repeat(_CODE_BITS)),
                 compress(codes, above))  # fmt: skip
    out = [(labels[key & _CODE_MASK], -(key >> _CODE_BITS)) for key in sorted(packed)]
    room = None if limit is None else limit - len(out)
    if room is None or room > 0:
        out += [
            (labels[code], cut) for code in sorted(compress(codes, map(cut.__eq__, counts)))[:room]
        ]
    return tuple(out[:limit])


_CODE_BITS = 32
_CODE_MASK = (1 << _CODE_BITS) - 1


class ReportTable:
    """The report records of one committed state, by serial.

    Facets are sums of paragraph counts per serial grouped by a report-level value. Values
    are kept in lists indexed by serial, so mapping serials costs a ``map``, not a Python
    loop; year, level and kind are folded into one code per distinct combination. When most
    reports have hits, the sums are taken per group over a dense list of counts (C loops
    over the groups' serials) instead of one Python step per report.
    """

    def __init__(
        self,
        records: Mapping[str, ReportRow] | Iterable[tuple[str, ReportRow]],
        previous: ReportTable | None = None,
    ):
        self.records: dict[str, ReportRow] = dict(records)  # by record string
        self.rows: dict[int, ReportRow] = {row.serial: row for row in self.records.values()}
        self._lock = threading.Lock()
        self._summaries: tuple[ReportSummary, ...] | None = None
        self._decoded: dict[str, ReportSummary] = {}  # by record string
        self._sections: tuple[dict[int, str], bool] | None = None
        # The previous table's section names and the records they were taken from.
        self._section_seed: tuple[tuple[dict[int, str], bool], dict[str, ReportRow]] | None = None
        if previous is not None:
            with previous._lock:
                kept = previous._decoded.items()
                self._decoded = {r: s for r, s in kept if r in self.records}
                if previous._sections is not None:
                    self._section_seed = (previous._sections, previous.records)
        self.top_serial = max(self.rows, default=-1)
        self._index_values()

    def _index_values(self) -> None:
        """Facet values by serial as codes that sort as their values, and the serials of
        each value where several reports share one."""
        size = self.top_serial + 1
        self._names: list[str] = [""] * size
        self.serials: dict[str, int] = {}  # by report id
        for serial, row in self.rows.items():
            self._names[serial] = row.report_id
            self.serials[row.report_id] = serial
        self._report_labels = sorted(self.serials)
        self._report_code = [0] * size
        for code, report_id in enumerate(self._report_labels):
            self._report_code[self.serials[report_id]] = code
        self._region_labels = sorted({row.region for row in self.rows.values()})
        region_code = {region: code for code, region in enumerate(self._region_labels)}
        self._no_region = region_code.get("")
        self._region_code = [0] * size
        self._combo_of: list[int] = [0] * size
        combos: dict[tuple, int] = {}
        regions: dict[int, list[int]] = {}
        for serial, row in self.rows.items():
            code = self._region_code[serial] = region_code[row.region]
            regions.setdefault(code, []).append(serial)
            self._combo_of[serial] = combos.setdefault((row.year, row.level, row.kind), len(combos))
        self._combos = list(combos)
        self._combo_groups: dict[int, list[int]] = {code: [] for code in range(len(combos))}
        for serial in self.rows:
            self._combo_groups[self._combo_of[serial]].append(serial)
        # One report per region: the regions are distinct values (as report ids are).
        unique = len(regions) == len(self.rows) and self._no_region is None
        self._region_groups = None if unique else regions

    @property
    def section_names(self) -> dict[int, str]:
        """Section names by section_key (hashed on first use: index runs never need them)."""
        return self._index_sections()[0]

    @property
    def section_clash(self) -> bool:
        """True if two section names share a key: sections are then counted by name."""
        return self._index_sections()[1]

    def _index_sections(self) -> tuple[dict[int, str], bool]:
        """Hash the section names of every record, or only of the records the previous
        table did not have (its names are kept: a key no report has any more is never
        asked for, and a clash it caused only makes sections counted by name)."""
        with self._lock:
            if self._sections is None:
                names: dict[int, str] = {}
                clash = False
                rows: Iterable[ReportRow] = self.rows.values()
                if self._section_seed is not None:
                    (known_names, clash), known = self._section_seed
                    names = dict(known_names)
                    rows = [row for record, row in self.records.items() if record not in known]
                for row in rows:
                    for section in row.sections:
                        known_name = names.setdefault(section_key(section), section)
                        clash = clash or known_name != section
                self._sections = (names, clash)
                self._section_seed = None
            return self._sections

    def name(self, serial: int) -> str:
        """The id of the report with this serial."""
        return self._names[serial]

    def report_ids(self) -> list[str]:
        """Every report id, sorted."""
        return list(self._report_labels)

    def entries(self) -> dict[str, ReportEntry]:
        """What an index run compares, by report id."""
        return {row.report_id: row.entry for row in self.rows.values()}

    def summaries(self) -> tuple[ReportSummary, ...]:
        """Every report's summary, by id; each record is decoded once, in any table."""
        with self._lock:
            if self._summaries is None:
                for record, row in self.records.items():
                    if record not in self._decoded:
                        self._decoded[record] = decode_summary(row)
                ordered = sorted(self._decoded.values(), key=lambda s: s.id)
                self._summaries = tuple(ordered)
            return self._summaries

    def years(self, serials: Sequence[int], counts: Sequence[int]) -> dict[int | None, int]:
        """Paragraph counts per year (None: unknown), given paragraph counts per serial."""
        out: dict[int | None, int] = {}
        for code, n in self._sums(serials, self._combo_of, counts, self._combo_groups).items():
            year = self._combos[code][0]
            out[year] = out.get(year, 0) + n
        return out

    def facets(
        self,
        serials: Sequence[int],
        counts: Sequence[int],
        limit: int | None = None,
        names: Sequence[str] = REPORT_FACETS,
    ) -> dict[str, Facet]:
        """Report-level facets ``names``, given paragraph counts per serial; "" left out.

        Python work follows the reports with hits (C loops where it is per report) and the
        values that reach the ``limit``-th count; nothing is done per report of the table.
        """
        out: dict[str, Facet] = {}
        if "report" in names:
            codes = list(map(self._report_code.__getitem__, serials))
            out["report"] = top_coded(codes, counts, self._report_labels, limit)
        if "region" in names:
            if self._region_groups is None:
                codes = list(map(self._region_code.__getitem__, serials))
                out["region"] = top_coded(codes, counts, self._region_labels, limit)
            else:
                sums = self._sums(serials, self._region_code, counts, self._region_groups)
                sums.pop(self._no_region, None)
                out["region"] = top_coded(
                    list(sums), list(sums.values()), self._region_labels, limit
                )
        combos = {"year", "level", "kind"}.intersection(names)
        if combos:
            tallies: dict[str, dict] = {name: {} for name in ("year", "level", "kind")}
            for code, n in self._sums(serials, self._combo_of, counts, self._combo_groups).items():
                year, level, kind = self._combos[code]
                for name, value in (("year", "" if year is None else str(year)),
                                    ("level", level), ("kind", kind)):  # fmt: skip
                    tallies[name][value] = tallies[name].get(value, 0) + n
            for name in combos:
                tallies[name].pop("", None)
                out[name] = ranked(tallies[name], limit)
        return {name: out[name] for name in names}

    def _sums(self, serials, code_of: list[int], counts, groups: dict) -> dict[int, int]:
        """Sum ``counts`` by ``code_of[serial]``; ``groups`` holds each code's serials."""
        if len(serials) * 4 < len(self.rows):  # few reports with hits: visit only them
            return _tally(list(map(code_of.__getitem__, serials)), counts)
        dense = [0] * (self.top_serial + 1)
        deque(map(dense.__setitem__, serials, counts), maxlen=0)
        found = {code: sum(map(dense.__getitem__, members)) for code, members in groups.items()}
        return {code: n for code, n in found.items() if n}
