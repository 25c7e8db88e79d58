"""The layout of PDF pages, from the text runs, drawn lines and pictures PDFium reads
(:mod:`library.extraction.pdf`): lines, running headers and footers, ruled and aligned tables,
columns, and the page's items in reading order. Pure geometry: nothing here reads a file."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from library.extraction.base import Picture

# Share of the page height at the top and at the bottom where running headers and footers are.
_MARGIN_SHARE = 0.075
_PAGE_NUMBER_RE = re.compile(r"^(?:page\s*)?[-–(]?\s*#\s*[-–)]?(?:\s*(?:of|/)\s*#)?$", re.IGNORECASE)
_CAPTION_RE = re.compile(r"^(?:figure|fig\.|chart|graph|image|photo|picture|diagram|table)\s*\d*\b", re.I)


@dataclass
class Seg:
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
class Line:
    segs: list[Seg]
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
class Page:
    number: int
    width: float
    height: float
    segs: list[Seg] = field(default_factory=list)
    h_rules: list[tuple[float, float, float]] = field(default_factory=list)  # x0, x1, y
    v_rules: list[tuple[float, float, float]] = field(default_factory=list)  # x, y0, y1
    pictures: list[tuple[float, float, float, float, int]] = field(default_factory=list)  # box, pixels
    scan: bool = False
    ocr_text: str | None = None


# Running headers and footers ----------------------------------------------------------------------


def running_key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def lines_of(segs: list[Seg]) -> list[Line]:
    """Runs grouped into lines (runs whose middles are within each other's height), top to bottom."""
    lines: list[list[Seg]] = []
    for seg in sorted(segs, key=lambda s: -s.cy):
        if lines:
            last = lines[-1]
            ref = last[0]
            if abs(seg.cy - ref.cy) <= max(min(seg.y1 - seg.y0, ref.y1 - ref.y0) * 0.5, 1.0):
                last.append(seg)
                continue
        lines.append([seg])
    return [Line(group) for group in lines]


def type_sizes(pages: list[Page]) -> Counter:
    """How many characters are set in each size of type."""
    sizes: Counter = Counter()
    for page in pages:
        for seg in page.segs:
            sizes[seg.size] += len(seg.text)
    return sizes


def body_size(sizes: Counter) -> float:
    """The size most of the text is set in."""
    return sizes.most_common(1)[0][0] if sizes else 10.0


def remove_running(pages: list[Page]) -> None:
    """Drop running headers, footers and page numbers: lines in the page's top or bottom margin
    (7.5% of its height), not set as headings, that repeat (numbers aside) on at least half the
    pages, or that are only a page number."""
    heading = body_size(type_sizes(pages)) * 1.15
    text_pages = [p for p in pages if p.segs and not p.scan]
    seen: Counter = Counter()
    margins: dict[int, list[Line]] = {}
    for page in text_pages:
        lines = lines_of(page.segs)
        edge = [
            line
            for line in lines
            if (line.bottom >= page.height * (1 - _MARGIN_SHARE) or line.top <= page.height * _MARGIN_SHARE)
            and line.size < heading
        ]
        margins[page.number] = edge
        # a line, and each of its runs (a footer and a page number may share a line)
        seen.update(
            {
                key
                for line in edge
                for key in {running_key(line.text), *(running_key(s.text) for s in line.segs)}
            }
        )
    repeated = {k for k, n in seen.items() if n >= 2 and n >= len(text_pages) / 2}

    def running(key: str) -> bool:
        return key in repeated or bool(_PAGE_NUMBER_RE.match(key))

    for page in text_pages:
        drop: set[int] = set()
        for line in margins[page.number]:
            if running(running_key(line.text)):
                drop.update(id(s) for s in line.segs)
            else:
                drop.update(id(s) for s in line.segs if running(running_key(s.text)))
        if drop:
            page.segs = [s for s in page.segs if id(s) not in drop]


def pictures_of(page: Page) -> list[Picture]:
    """The page's pictures, each described if a caption ("Figure 2: ...", "Chart: ...") sits just above
    or below it."""
    lines = lines_of(page.segs)
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


def ruled_tables(page: Page) -> list[tuple[float, list[list[str]]]]:
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
        cells: list[list[list[Seg]]] = [[[] for _ in range(cols_n)] for _ in range(rows_n)]
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


def _gutters(segs: list[Seg], min_width: float) -> list[tuple[float, float]]:
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


def aligned_table(lines: list[Line], body: float) -> list[list[str]] | None:
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


def column_order(page: Page) -> list[list[Seg]]:
    """The page's runs in reading order, as stretches of one column each. Where lines stop crossing
    the page's gutter (a band in the middle that lines with runs on both sides leave empty) and at
    least two of them have prose on both sides, that stretch is read left column first, then right;
    lines that cross the gutter (a title, a full-width paragraph, a table row) stay in their place."""
    lines = lines_of(page.segs)
    gutter = _gutter(lines, page.width)
    if gutter is None:
        return [page.segs]
    g0, g1 = gutter

    def side(seg: Seg) -> str:
        # across only if it spans the whole band: a line of one column may reach into the gutter
        if seg.x0 <= g0 + 0.5 and seg.x1 >= g1 - 0.5:
            return "across"
        return "left" if (seg.x0 + seg.x1) / 2 < (g0 + g1) / 2 else "right"

    stretches: list[list[Seg]] = []
    run: list[Line] = []

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


def _after_columns(run: list[Line], side) -> list[Line]:
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


def _gutter(lines: list[Line], width: float) -> tuple[float, float] | None:
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


def _prose(segs: list[Seg]) -> bool:
    """Whether runs are lines of prose: most of them fill much of their column (a table's cells
    and figures are short)."""
    if len(segs) < 2:
        return False
    extent = max(s.x1 for s in segs) - min(s.x0 for s in segs)
    widths = sorted(s.x1 - s.x0 for s in segs)
    return widths[len(widths) // 2] >= extent * 0.5


# Blocks -------------------------------------------------------------------------------------------


@dataclass
class Item:
    """Something in reading order: a line of text or a table."""

    line: Line | None = None
    table: list[list[str]] | None = None
    ocr: str | None = None


def page_items(page: Page, body: float) -> list[Item]:
    if page.ocr_text is not None:
        return [Item(ocr=page.ocr_text)]
    tables = ruled_tables(page)
    items: list[Item] = []
    placed = sorted(tables, key=lambda t: -t[0])
    for stretch in column_order(page):
        lines = lines_of(stretch)
        i = 0
        while i < len(lines):
            while placed and placed[0][0] >= lines[i].top:
                items.append(Item(table=placed.pop(0)[1]))
            j = i
            while (
                j < len(lines)
                and len(lines[j].segs) >= 2
                and (j == i or lines[j - 1].bottom - lines[j].top < lines[j].size * 2.5)
            ):
                j += 1
            rows = aligned_table(lines[i:j], body) if j - i >= 3 else None
            if rows:
                items.append(Item(table=rows))
                i = j
            else:
                items.append(Item(line=lines[i]))
                i += 1
    items.extend(Item(table=t[1]) for t in placed)
    return items


def continue_table(rows: list[list[str]], more: list[list[str]]) -> list[list[str]]:
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
