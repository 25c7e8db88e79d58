"""PDF to markdown with PDFium (pypdfium2): the text layer read by its layout, and scanned pages read
by text recognition (OCR).

Layout: each page's text runs with their positions and sizes. Running headers, footers and page
numbers (lines in the top or bottom tenth of the page that repeat on other pages, or that are only a
page number) are removed. Ruled tables (drawn lines forming a grid) and aligned tables (rows of runs
with gutters every row shares) become markdown tables. A page set in two columns is read left column
first, then right, with full-width lines between them kept in place. Lines set larger than the body
become headings, bullet characters list items, and a gap between lines starts a paragraph.

Scans: a page whose text layer is missing or unreadable (broken fonts) and that holds a picture is
rendered and read by OCR, within ``Limits.ocr_max_pages`` and ``Limits.ocr_timeout_seconds``; the
report names the pages read by OCR and those that could not be read.

Pictures are never text: each one larger than a small decoration is named in the report (its
caption, a text line of its own, stays in the text).

Out on purpose: annotations and comments, form field values, attachments, document properties.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from library.extraction import ocr
from library.extraction.base import (
    ExtractionError,
    Limits,
    Picture,
    Report,
    UnreadPage,
    join_blocks,
    md_table,
    too_many_pages,
    too_much_text,
)

log = logging.getLogger(__name__)
_BULLETS = ("\x7f", "•", "●", "▪", "◦", "‣", "∙", "\uf0b7", "\uf0a7", "–")
# A page with fewer readable characters than this has no usable text layer.
_MIN_PAGE_CHARS = 20
# Pictures covering less of the page than this share are decoration (rules, logos, bullets).
_MIN_PICTURE_SHARE = 0.01
# A page without usable text whose pictures cover this share of it is a scan.
_SCAN_SHARE = 0.3
# Share of the page height at the top and at the bottom where running headers and footers are.
_MARGIN_SHARE = 0.075
# A picture larger than this is not decoded for OCR: it would need more memory than a page is worth.
_MAX_IMAGE_PIXELS = 60_000_000
_OCR_DPI = 300
# A page with more drawn shapes than this is a drawing: its lines are not read as a table's.
_MAX_PATHS = 3000
_OCR_MAX_PIXELS = 12_000_000
_PAGE_NUMBER_RE = re.compile(r"^(?:page\s*)?[-–(]?\s*#\s*[-–)]?(?:\s*(?:of|/)\s*#)?$", re.IGNORECASE)
_CAPTION_RE = re.compile(r"^(?:figure|fig\.|chart|graph|image|photo|picture|diagram|table)\s*\d*\b", re.I)


@dataclass
class _Seg:
    """A run of text on one line: PDF coordinates, y upwards."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    size: float

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class _Line:
    segs: list[_Seg]
    top: float = 0.0
    bottom: float = 0.0
    size: float = 0.0

    def __post_init__(self) -> None:
        self.segs.sort(key=lambda s: s.x0)
        self.top = max(s.y1 for s in self.segs)
        self.bottom = min(s.y0 for s in self.segs)
        self.size = max(s.size for s in self.segs)

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segs)

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class _Page:
    number: int
    width: float
    height: float
    segs: list[_Seg] = field(default_factory=list)
    h_rules: list[tuple[float, float, float]] = field(default_factory=list)  # x0, x1, y
    v_rules: list[tuple[float, float, float]] = field(default_factory=list)  # x, y0, y1
    pictures: list[tuple[float, float, float, float, int]] = field(default_factory=list)  # box, pixels
    scan: bool = False
    ocr_text: str | None = None


# Reading the text layer --------------------------------------------------------------------------


def _segments(textpage, raw) -> list[_Seg]:
    """The page's text runs. PDFium lists them in text order; each run's characters are found by
    its two ends (reading the text inside its box would take in neighbouring lines' characters)."""
    full = textpage.get_text_range()
    out: list[_Seg] = []
    cursor = 0
    for i in range(textpage.count_rects()):
        x0, y0, x1, y1 = textpage.get_rect(i)
        middle, half = (y0 + y1) / 2, max((y1 - y0) / 2, 0.5)
        first = raw.FPDFText_GetCharIndexAtPos(textpage.raw, x0 + 0.5, middle, 1.0, half)
        if first < 0:
            first = cursor
        last = raw.FPDFText_GetCharIndexAtPos(textpage.raw, x1 - 0.5, middle, 1.0, half)
        if last < first:
            last = _last_inside(textpage, raw, full, first, (x0, y0, x1, y1))
        if last < first:
            continue
        # PDFium gives U+FFFE for a hyphen that ends a line
        text = " ".join(full[first : last + 1].replace("\ufffe", "-").split())
        cursor = last + 1
        if not text:
            continue
        out.append(_Seg(x0, y0, x1, y1, text, round(raw.FPDFText_GetFontSize(textpage.raw, first), 1)))
    return out


def _last_inside(textpage, raw, full: str, first: int, box) -> int:
    """The last character from ``first`` on whose middle is inside ``box`` (when the run's right end
    is a character too small to find by position, such as a full stop)."""
    import ctypes

    left, bottom, right, top = (ctypes.c_double() for _ in range(4))
    x0, y0, x1, y1 = box
    last = first - 1
    for index in range(first, min(len(full), first + 2000)):
        if full[index] in "\r\n":
            break
        if raw.FPDFText_GetCharBox(textpage.raw, index, left, right, bottom, top):
            cx, cy = (left.value + right.value) / 2, (bottom.value + top.value) / 2
            if not (x0 - 1 <= cx <= x1 + 1 and y0 - 1 <= cy <= y1 + 1):
                break
        last = index
    return last


def _path_rules(obj, raw, page: _Page) -> None:
    left, bottom, right, top = obj.get_bounds()
    width, height = right - left, top - bottom
    if width > 3 and height <= 2.5:
        page.h_rules.append((left, right, (top + bottom) / 2))
    elif height > 3 and width <= 2.5:
        page.v_rules.append(((left + right) / 2, bottom, top))
    elif width > 3 and height > 3 and raw.FPDFPath_CountSegments(obj.raw) <= 6:
        # a rectangle (a cell's border or background): its four sides
        page.h_rules += [(left, right, bottom), (left, right, top)]
        page.v_rules += [(left, bottom, top), (right, bottom, top)]


def _read_page(raw, document, index: int) -> _Page:
    page = document[index]
    try:
        width, height = page.get_size()
        out = _Page(index + 1, width, height)
        textpage = page.get_textpage()
        try:
            out.segs = _segments(textpage, raw)
        finally:
            textpage.close()
        area = max(width * height, 1.0)
        paths = 0
        for obj in page.get_objects(filter=(raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_IMAGE)):
            if obj.type == raw.FPDF_PAGEOBJ_PATH:
                paths += 1
                if paths <= _MAX_PATHS:
                    _path_rules(obj, raw, out)
                continue
            left, bottom, right, top = obj.get_bounds()
            left, bottom = max(left, 0.0), max(bottom, 0.0)
            right, top = min(right, width), min(top, height)
            if (right - left) * (top - bottom) < area * _MIN_PICTURE_SHARE:
                continue
            try:
                w, h = obj.get_px_size()
            except Exception:  # an image PDFium cannot describe
                w, h = 0, 0
            out.pictures.append((left, bottom, right, top, w * h))
        if paths > _MAX_PATHS:  # a drawing (a chart, a map), not a table's lines
            out.h_rules, out.v_rules = [], []
        return out
    finally:
        page.close()


def _usable(segs: list[_Seg]) -> bool:
    """Whether a page's text layer holds readable text: enough letters, and words that look like words
    (a font without a proper character map gives symbols, or letters with no vowels)."""
    text = " ".join(s.text for s in segs)
    visible = [c for c in text if not c.isspace()]
    if len(visible) < _MIN_PAGE_CHARS:
        return False
    letters = sum(c.isalpha() for c in visible)
    odd = sum(1 for c in visible if "\ue000" <= c <= "\uf8ff" or c == "\ufffd")
    words = [w for w in re.findall(r"[^\W\d_]{2,}", text)]
    vowelled = sum(1 for w in words if re.search(r"[aeiouyAEIOUY]", w))
    return (
        letters >= 0.5 * len(visible) and odd <= 0.05 * len(visible) and vowelled >= 0.6 * max(len(words), 1)
    )


# Running headers and footers ----------------------------------------------------------------------


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _lines(segs: list[_Seg]) -> list[_Line]:
    """Runs grouped into lines (runs whose middles are within each other's height), top to bottom."""
    lines: list[list[_Seg]] = []
    for seg in sorted(segs, key=lambda s: -s.cy):
        if lines:
            last = lines[-1]
            ref = last[0]
            if abs(seg.cy - ref.cy) <= max(min(seg.y1 - seg.y0, ref.y1 - ref.y0) * 0.5, 1.0):
                last.append(seg)
                continue
        lines.append([seg])
    return [_Line(group) for group in lines]


def _body_size(pages: list[_Page]) -> float:
    sizes: Counter = Counter()
    for page in pages:
        for seg in page.segs:
            sizes[seg.size] += len(seg.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _remove_running(pages: list[_Page]) -> None:
    """Drop running headers, footers and page numbers: lines in the page's top or bottom margin
    (7.5% of its height), not set as headings, that repeat (numbers aside) on at least half the
    pages, or that are only a page number."""
    heading = _body_size(pages) * 1.15
    text_pages = [p for p in pages if p.segs and not p.scan]
    seen: Counter = Counter()
    margins: dict[int, list[_Line]] = {}
    for page in text_pages:
        lines = _lines(page.segs)
        edge = [
            line
            for line in lines
            if (line.bottom >= page.height * (1 - _MARGIN_SHARE) or line.top <= page.height * _MARGIN_SHARE)
            and line.size < heading
        ]
        margins[page.number] = edge
        # a line, and each of its runs (a footer and a page number may share a line)
        seen.update({key for line in edge for key in {_key(line.text), *(_key(s.text) for s in line.segs)}})
    repeated = {k for k, n in seen.items() if n >= 2 and n >= len(text_pages) / 2}

    def running(key: str) -> bool:
        return key in repeated or bool(_PAGE_NUMBER_RE.match(key))

    for page in text_pages:
        drop: set[int] = set()
        for line in margins[page.number]:
            if running(_key(line.text)):
                drop.update(id(s) for s in line.segs)
            else:
                drop.update(id(s) for s in line.segs if running(_key(s.text)))
        if drop:
            page.segs = [s for s in page.segs if id(s) not in drop]


def _pictures(page: _Page) -> list[Picture]:
    """The page's pictures, each described if a caption ("Figure 2: ...", "Chart: ...") sits just above
    or below it."""
    lines = _lines(page.segs)
    out = []
    for left, bottom, right, top, _pixels in page.pictures:
        near = [
            line
            for line in lines
            if min(line.segs[-1].x1, right) > max(line.segs[0].x0, left)
            and (0 <= bottom - line.top <= 36 or 0 <= line.bottom - top <= 36)
        ]
        out.append(Picture(f"page {page.number}", any(_CAPTION_RE.match(line.text) for line in near)))
    return out


# Tables -------------------------------------------------------------------------------------------


def _cluster(values: list[float], tolerance: float = 2.0) -> list[float]:
    out: list[float] = []
    for value in sorted(values):
        if out and value - out[-1] <= tolerance:
            continue
        out.append(value)
    return out


def _ruled_tables(page: _Page) -> list[tuple[float, list[list[str]]]]:
    """Grids of drawn lines with text in their cells, as (top, rows); their runs leave the page."""
    h_rules, v_rules = page.h_rules, page.v_rules
    if len(h_rules) < 2 or len(v_rules) < 2:
        return []
    # Connected groups of crossing lines.
    items = [("h", r) for r in h_rules] + [("v", r) for r in v_rules]
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    hs = [i for i, (k, _) in enumerate(items) if k == "h"]
    vs = [i for i, (k, _) in enumerate(items) if k == "v"]
    for i in hs:
        x0, x1, y = items[i][1]
        for j in vs:
            x, y0, y1 = items[j][1]
            if x0 - 2 <= x <= x1 + 2 and y0 - 2 <= y <= y1 + 2:
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(find(i), []).append(i)
    tables = []
    for members in groups.values():
        ys = _cluster([items[i][1][2] for i in members if items[i][0] == "h"])
        xs = _cluster([items[i][1][0] for i in members if items[i][0] == "v"])
        if len(ys) < 2 or len(xs) < 2 or (len(xs) < 3 and len(ys) < 3):
            continue  # not even two rows and two columns
        left, right, bottom, top = xs[0], xs[-1], ys[0], ys[-1]
        inside = [
            s
            for s in page.segs
            if left - 1 <= (s.x0 + s.x1) / 2 <= right + 1 and bottom - 1 <= s.cy <= top + 1
        ]
        rows_n, cols_n = len(ys) - 1, len(xs) - 1
        cells: list[list[list[_Seg]]] = [[[] for _ in range(cols_n)] for _ in range(rows_n)]
        for seg in inside:
            below = sum(1 for y in ys[1:-1] if y <= seg.cy)  # rows under the run's row
            col = sum(1 for x in xs[1:-1] if x <= seg.x0 + 1)  # a run across a merged cell: its first
            cells[rows_n - 1 - below][col].append(seg)
        filled = sum(1 for row in cells for cell in row if cell)
        if cols_n < 2 or filled < 2 or filled < rows_n * cols_n * 0.3:
            continue  # a box round a paragraph, or a drawing: not a table
        rows = [
            [" ".join(s.text for s in sorted(cell, key=lambda s: (-round(s.cy), s.x0))) for cell in row]
            for row in cells
        ]
        taken = {id(s) for s in inside}
        page.segs = [s for s in page.segs if id(s) not in taken]
        tables.append((top, rows))
    return tables


def _gutters(segs: list[_Seg], min_width: float) -> list[tuple[float, float]]:
    """Vertical bands no run crosses, at least ``min_width`` wide, between the runs' left and right
    ends."""
    spans = sorted((s.x0, s.x1) for s in segs)
    out = []
    reach = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 - reach >= min_width:
            out.append((reach, x0))
        reach = max(reach, x1)
    return out


def _aligned_table(lines: list[_Line], body: float) -> list[list[str]] | None:
    """The rows of ``lines`` if they form a table: at least three lines, each of two or more runs,
    sharing gutters, with short cells (prose columns have long lines)."""
    if len(lines) < 3 or any(len(line.segs) < 2 for line in lines):
        return None
    segs = [s for line in lines for s in line.segs]
    gutters = _gutters(segs, max(body * 1.2, 8.0))
    if not gutters:
        return None
    bounds = [g[1] for g in gutters]
    columns = len(bounds) + 1
    rows = []
    for line in lines:
        row = [""] * columns
        for seg in line.segs:
            col = sum(1 for b in bounds if seg.x0 >= b - 0.5)
            row[col] = f"{row[col]} {seg.text}".strip()
        if sum(1 for c in row if c) < 2:
            return None
        rows.append(row)
    widths = [s.x1 - s.x0 for s in segs]
    extent = max(s.x1 for s in segs) - min(s.x0 for s in segs)
    if columns == 2 and sorted(widths)[len(widths) // 2] > extent * 0.3:
        return None  # two columns of prose, not a table
    return rows


# Columns ------------------------------------------------------------------------------------------


def _column_order(page: _Page) -> list[list[_Seg]]:
    """The page's runs in reading order, as stretches of one column each. Where lines stop crossing
    the page's gutter (a band in the middle that lines with runs on both sides leave empty) and at
    least two of them have prose on both sides, that stretch is read left column first, then right;
    lines that cross the gutter (a title, a full-width paragraph, a table row) stay in their place."""
    lines = _lines(page.segs)
    gutter = _gutter(lines, page.width)
    if gutter is None:
        return [page.segs]
    g0, g1 = gutter

    def side(seg: _Seg) -> str:
        # across only if it spans the whole band: a line of one column may reach into the gutter
        if seg.x0 <= g0 + 0.5 and seg.x1 >= g1 - 0.5:
            return "across"
        return "left" if (seg.x0 + seg.x1) / 2 < (g0 + g1) / 2 else "right"

    stretches: list[list[_Seg]] = []
    run: list[_Line] = []

    def close() -> None:
        both = sum(1 for line in run if {side(s) for s in line.segs} == {"left", "right"})
        after = _after_columns(run, side)
        columns = run[: len(run) - len(after)]
        left = [s for line in columns for s in line.segs if side(s) == "left"]
        right = [s for line in columns for s in line.segs if side(s) == "right"]
        if both >= 2 and _prose(left) and _prose(right):
            stretches.extend([left, right])
            if after:
                stretches.append([s for line in after for s in line.segs])
        elif run:
            stretches.append([s for line in run for s in line.segs])
        run.clear()

    for line in lines:
        if any(side(s) == "across" for s in line.segs):
            close()
            stretches.append(line.segs)
        else:
            run.append(line)
    close()
    return stretches


def _after_columns(run: list[_Line], side) -> list[_Line]:
    """The lines at the end of ``run`` that follow the two columns rather than end the left one:
    below the right column's last line, from a heading (larger type than the columns' lines) that
    is further from the line above it than the usual leading."""
    last_right = max(
        (i for i, line in enumerate(run) if any(side(s) == "right" for s in line.segs)), default=-1
    )
    sizes = sorted(line.size for line in run[: last_right + 1])
    usual = sizes[len(sizes) // 2] if sizes else 0.0
    for i in range(max(last_right + 1, 1), len(run)):
        above = run[i - 1]
        spaced = above.cy - run[i].cy > max(above.size, run[i].size) * 1.75
        if spaced and run[i].size >= usual * 1.15:
            return run[i:]
    return []


def _gutter(lines: list[_Line], width: float) -> tuple[float, float] | None:
    """The band between two columns: the gap, at least 10 pt wide and in the middle of the page,
    between two runs of a line, shared by at least two lines."""
    gaps = [
        (a.x1, b.x0)
        for line in lines
        for a, b in zip(line.segs, line.segs[1:], strict=False)
        if b.x0 - a.x1 >= 10 and width * 0.3 <= (a.x1 + b.x0) / 2 <= width * 0.7
    ]
    if len(gaps) < 2:
        return None
    middle = sorted((g0 + g1) / 2 for g0, g1 in gaps)[len(gaps) // 2]
    shared = [(g0, g1) for g0, g1 in gaps if g0 <= middle <= g1]
    if len(shared) < 2:
        return None
    g0, g1 = max(g[0] for g in shared), min(g[1] for g in shared)
    return (g0, g1) if g1 > g0 else (middle - 1, middle + 1)


def _prose(segs: list[_Seg]) -> bool:
    """Whether runs are lines of prose: most of them fill much of their column (a table's cells
    and figures are short)."""
    if len(segs) < 2:
        return False
    extent = max(s.x1 for s in segs) - min(s.x0 for s in segs)
    widths = sorted(s.x1 - s.x0 for s in segs)
    return widths[len(widths) // 2] >= extent * 0.5


# Blocks -------------------------------------------------------------------------------------------


@dataclass
class _Item:
    """Something in reading order: a line of text or a table."""

    line: _Line | None = None
    table: list[list[str]] | None = None
    ocr: str | None = None


def _page_items(page: _Page, body: float) -> list[_Item]:
    if page.ocr_text is not None:
        return [_Item(ocr=page.ocr_text)]
    tables = _ruled_tables(page)
    items: list[_Item] = []
    placed = sorted(tables, key=lambda t: -t[0])
    for stretch in _column_order(page):
        lines = _lines(stretch)
        i = 0
        while i < len(lines):
            while placed and placed[0][0] >= lines[i].top:
                items.append(_Item(table=placed.pop(0)[1]))
            j = i
            while (
                j < len(lines)
                and len(lines[j].segs) >= 2
                and (j == i or lines[j - 1].bottom - lines[j].top < lines[j].size * 2.5)
            ):
                j += 1
            rows = _aligned_table(lines[i:j], body) if j - i >= 3 else None
            if rows:
                items.append(_Item(table=rows))
                i = j
            else:
                items.append(_Item(line=lines[i]))
                i += 1
    items.extend(_Item(table=t[1]) for t in placed)
    return items


def _continue_table(rows: list[list[str]], more: list[list[str]]) -> list[list[str]]:
    """A table that goes on at the top of the next page, as one: a header row repeated there is
    dropped, and a row broken across the pages (its first part full, its rest with empty cells)
    is joined again."""
    more = [list(row) for row in more]
    if more and more[0] == rows[0]:
        more = more[1:]
    if more and len(rows) > 1 and all(rows[-1]):
        first = more[0]
        if any(first) and not all(first):
            joined = [f"{a} {b}".strip() for a, b in zip(rows[-1], first, strict=True)]
            return [*rows[:-1], joined, *more[1:]]
    return [*rows, *more]


def _joined(before: str, text: str) -> str:
    """``text`` as it continues ``before`` on the next line: after a space, or straight after a
    hyphen that broke a word."""
    return text if before.endswith("-") and text[:1].islower() else " " + text


def _blocks(pages: list[_Page]) -> list[str]:
    sizes: Counter = Counter()
    for page in pages:
        for seg in page.segs:
            sizes[seg.size] += len(seg.text)
    body = _body_size(pages)
    heading_sizes = sorted({s for s in sizes if s >= body * 1.15}, reverse=True)[:5]
    level = {size: i + 1 for i, size in enumerate(heading_sizes)}

    blocks: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append("\n".join(paragraph))
            paragraph.clear()

    last_table: tuple[int, list[list[str]]] | None = None  # (its block's index, its rows)
    for page in pages:
        previous: _Line | None = None
        first_on_page = True
        for item in _page_items(page, body):
            if item.ocr is not None or item.table is not None:
                flush()
                if item.ocr:
                    blocks.extend(b for b in item.ocr.split("\n\n") if b.strip())
                elif item.table:
                    continued = first_on_page and last_table is not None and last_table[0] == len(blocks) - 1
                    if continued and len(last_table[1][0]) == len(item.table[0]):
                        rows = _continue_table(last_table[1], item.table)
                        blocks[-1] = md_table(rows)
                        last_table = (len(blocks) - 1, rows)
                    else:
                        table = md_table(item.table)
                        if table:
                            blocks.append(table)
                            last_table = (len(blocks) - 1, item.table)
                previous = None
                first_on_page = False
                continue
            first_on_page = False
            line = item.line
            text = " ".join(line.text.split())
            # lines further apart than usual leading (middles, as tops and bottoms vary with the letters)
            gap = previous is not None and previous.cy - line.cy > max(previous.size, line.size) * 1.75
            # the top of the next column: a new paragraph if the last one ended a sentence
            gap = gap or (
                previous is not None
                and line.cy > previous.top
                and previous.text.rstrip().endswith((".", "!", "?", ":"))
            )
            if line.size in level:
                flush()
                heading = "#" * level[line.size] + " "
                if (
                    blocks
                    and blocks[-1].startswith(heading)
                    and previous is not None
                    and not gap
                    and (previous.size == line.size)
                ):
                    blocks[-1] += " " + text  # a heading that wraps onto a second line
                else:
                    blocks.append(heading + text)
            elif text.startswith(_BULLETS):
                flush()
                paragraph.append("- " + text[1:].strip())
                flush()
            else:
                if gap or previous is None:
                    flush()
                if (
                    not paragraph
                    and blocks
                    and blocks[-1].startswith("- ")
                    and not gap
                    and previous is not None
                ):
                    blocks[-1] += _joined(blocks[-1], text)  # a bullet that wraps
                elif paragraph and paragraph[-1].endswith("-") and text[:1].islower():
                    paragraph[-1] += text  # a word broken at its hyphen ("multi-" / "agency")
                else:
                    paragraph.append(text)
            previous = line
        flush()
    return blocks


# OCR ----------------------------------------------------------------------------------------------


def _ocr_pages(document, pages: list[_Page], limits: Limits, report: Report, progress) -> None:
    scans = [p for p in pages if p.scan]
    if not scans:
        return
    if not limits.ocr or not ocr.available():
        report.unread_pages += [UnreadPage(p.number, "ocr_unavailable") for p in scans]
        return
    chosen, beyond = scans[: limits.ocr_max_pages], scans[limits.ocr_max_pages :]
    report.unread_pages += [UnreadPage(p.number, "scanned_too_many") for p in beyond]
    if progress is not None:
        progress("ocr", len(chosen))
    started = time.monotonic()
    budget = limits.ocr_timeout_seconds * 0.85  # leave time for detection after it
    for page in chosen:
        remaining = budget - (time.monotonic() - started)
        if remaining < 2:
            report.unread_pages.append(UnreadPage(page.number, "ocr_out_of_time"))
            continue
        largest = max((p[4] for p in page.pictures), default=0)
        if largest > _MAX_IMAGE_PIXELS:
            report.unread_pages.append(UnreadPage(page.number, "image_too_large"))
            continue
        try:
            text = _ocr_page(document, page, remaining)
        except ocr.OcrTimeout:
            report.unread_pages.append(UnreadPage(page.number, "ocr_out_of_time"))
            continue
        except MemoryError:
            raise
        except Exception as exc:  # a page PDFium cannot render, or Tesseract failing on it
            log.info("text recognition failed on a page: %s", type(exc).__name__)
            report.unread_pages.append(UnreadPage(page.number, "ocr_failed"))
            continue
        if sum(c.isalpha() for c in text) < _MIN_PAGE_CHARS:
            report.unread_pages.append(UnreadPage(page.number, "ocr_no_words"))
            continue
        page.ocr_text = text
        report.ocr_pages.append(page.number)


def _ocr_page(document, page: _Page, timeout: float) -> str:
    scale = _OCR_DPI / 72
    pixels = page.width * page.height * scale * scale
    if pixels > _OCR_MAX_PIXELS:
        scale *= (_OCR_MAX_PIXELS / pixels) ** 0.5
    pdf_page = document[page.number - 1]
    try:
        bitmap = pdf_page.render(scale=scale, grayscale=True)
        image = bitmap.to_pil()
    finally:
        pdf_page.close()
    return ocr.recognise(image, timeout)


# The whole file -----------------------------------------------------------------------------------


def _open(pdfium, data: bytes):
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise ExtractionError(
                "The PDF is protected with a password. Save a copy without the password and upload that.",
                code="encrypted_file",
            ) from exc
        log.info("unreadable PDF: %s", exc)
        raise ExtractionError(
            "The PDF seems to be damaged or incomplete. Save it again and upload the new copy.",
            code="damaged_file",
        ) from exc


def extract_pdf(
    data: bytes,
    limits: Limits | None = None,
    report: Report | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> str:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    limits = limits or Limits()
    report = report if report is not None else Report()
    document = _open(pdfium, data)
    try:
        count = len(document)
        if count > limits.max_pages:
            raise too_many_pages(count, limits)
        pages: list[_Page] = []
        chars = 0
        for index in range(count):
            try:
                page = _read_page(raw, document, index)
            except pdfium.PdfiumError as exc:
                log.info("unreadable PDF page: %s", exc)
                report.unread_pages.append(UnreadPage(index + 1, "damaged"))
                continue
            chars += sum(len(s.text) for s in page.segs)
            if chars > limits.max_characters:
                raise too_much_text(limits)
            if not _usable(page.segs):
                covered = sum((p[2] - p[0]) * (p[3] - p[1]) for p in page.pictures)
                garbled = sum(len(s.text) for s in page.segs) >= _MIN_PAGE_CHARS  # broken fonts
                if covered >= page.width * page.height * _SCAN_SHARE or garbled:
                    page.scan, page.segs = True, []
            pages.append(page)
        _remove_running(pages)
        for page in pages:
            if not page.scan:
                report.pictures += _pictures(page)
        _ocr_pages(document, pages, limits, report, progress)
        blocks = _blocks(pages)
    finally:
        document.close()
    if not any(block.strip() for block in blocks):
        if any(u.why == "ocr_unavailable" for u in report.unread_pages) or not any(p.scan for p in pages):
            raise ExtractionError(
                "The PDF has no text we can read: it looks like a scan or a picture of the pages. Upload the "
                "original document, or run it through text recognition (OCR) first.",
                code="no_text_layer",
            )
        if all(u.why == "image_too_large" for u in report.unread_pages):
            raise ExtractionError(
                "The PDF's pages are pictures too large to read (more than "
                f"{_MAX_IMAGE_PIXELS // 1_000_000} million pixels each). Upload the original document, or a "
                "scan at a lower resolution.",
                code="image_too_large",
                status=413,
            )
        if all(u.why == "ocr_out_of_time" for u in report.unread_pages):
            raise ExtractionError(
                "The PDF looks like a scan, and reading it by text recognition (OCR) took longer than the "
                "library allows for one file. Split it into parts and upload each one.",
                code="too_complex",
                status=413,
            )
        raise ExtractionError(
            "The PDF looks like a scan, and text recognition (OCR) could not read any of its pages. "
            "Upload the original document, or a clearer scan.",
            code="ocr_no_text",
        )
    return join_blocks(blocks) + "\n"
