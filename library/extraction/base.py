from __future__ import annotations

import re
from dataclasses import dataclass, field

MB = 1024 * 1024
# The media type of each kind of file the library takes (what sniffing names it).
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
    "md": "text/markdown",
    "txt": "text/plain",
}


@dataclass(frozen=True)
class Limits:
    """How much work one upload may cause. The defaults are the configuration's defaults."""

    max_bytes: int = 20 * MB
    zip_max_uncompressed: int = 60 * MB
    zip_max_members: int = 5000
    zip_max_ratio: int = 200
    max_pages: int = 300
    max_characters: int = 750_000
    max_suggestions: int = 5_000
    # Elements (headings, paragraphs, list items, table cells...) the text may render to: every
    # page that shows the text renders it, so this bounds what a page costs.
    max_elements: int = 40_000
    timeout_seconds: float = 10.0
    memory_bytes: int = 1024 * MB
    # Text recognition (OCR) of scanned pages: on or off, how many pages of one file at most, and
    # the deadline of a file that needs it (instead of ``timeout_seconds``).
    ocr: bool = True
    ocr_max_pages: int = 20
    ocr_timeout_seconds: float = 120.0
    # Read the file in a child process with the deadline and memory ceiling above.
    isolate: bool = False

    @classmethod
    def from_config(cls, cfg) -> Limits:
        """The limits set in the application's configuration (see config.py)."""
        return cls(
            max_bytes=cfg["UPLOAD_MAX_BYTES"],
            zip_max_uncompressed=cfg["ZIP_MAX_UNCOMPRESSED_BYTES"],
            zip_max_members=cfg["ZIP_MAX_MEMBERS"],
            zip_max_ratio=cfg["ZIP_MAX_RATIO"],
            max_pages=cfg["UPLOAD_MAX_PAGES"],
            max_characters=cfg["UPLOAD_MAX_CHARACTERS"],
            max_suggestions=cfg["UPLOAD_MAX_SUGGESTIONS"],
            max_elements=cfg["UPLOAD_MAX_ELEMENTS"],
            timeout_seconds=cfg["PROCESSING_TIMEOUT_SECONDS"],
            memory_bytes=cfg["PROCESSING_MEMORY_MB"] * MB,
            ocr=cfg["OCR_ENABLED"],
            ocr_max_pages=cfg["OCR_MAX_PAGES"],
            ocr_timeout_seconds=cfg["OCR_TIMEOUT_SECONDS"],
            isolate=cfg["PROCESSING_IN_WORKER"],
        )


def too_many_pages(count: int, limits: Limits, unit: str = "pages") -> ExtractionError:
    return ExtractionError(
        f"The file has {count:,} {unit}; the library takes at most {limits.max_pages:,}. "
        "Split it into parts and upload each one.",
        code="too_many_pages",
        status=413,
    )


def too_much_text(limits: Limits) -> ExtractionError:
    return ExtractionError(
        f"The file holds more than {limits.max_characters:,} characters of text, the most the library "
        "takes in one document (about 200 pages). Split it into parts and upload each one.",
        code="too_much_text",
        status=413,
    )


def too_many_elements(count: int, limits: Limits) -> ExtractionError:
    return ExtractionError(
        f"The text is made of {count:,} parts (headings, paragraphs, list items, table cells), more "
        f"than the {limits.max_elements:,} one page can show. Split the file into parts and upload "
        "each one.",
        code="too_complex",
        status=413,
    )


@dataclass(frozen=True)
class Picture:
    """A picture the text leaves out: where it was, and whether its description (alt text or a
    caption) was kept as text in its place."""

    where: str
    described: bool


@dataclass(frozen=True)
class UnreadPage:
    """A page whose text could not be read, and why (``scanned_too_many``, ``ocr_unavailable``,
    ``ocr_no_words``, ``ocr_out_of_time``, ``image_too_large``, ``ocr_failed``)."""

    page: int
    why: str


@dataclass
class Report:
    """What the contributor needs to know about how the file was read: pages read by text
    recognition (OCR), pages that could not be read, and the pictures left out. Holds page
    numbers and places only, never the file's text."""

    ocr_pages: list[int] = field(default_factory=list)
    unread_pages: list[UnreadPage] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "ocr_pages": list(self.ocr_pages),
            "unread_pages": [{"page": p.page, "why": p.why} for p in self.unread_pages],
            "pictures": [{"where": p.where, "described": p.described} for p in self.pictures],
        }

    @classmethod
    def from_dict(cls, data: dict | None) -> Report:
        data = data or {}
        return cls(
            ocr_pages=[int(p) for p in data.get("ocr_pages", [])],
            unread_pages=[UnreadPage(int(p["page"]), str(p["why"])) for p in data.get("unread_pages", [])],
            pictures=[Picture(str(p["where"]), bool(p["described"])) for p in data.get("pictures", [])],
        )

    def __bool__(self) -> bool:
        return bool(self.ocr_pages or self.unread_pages or self.pictures)


@dataclass(frozen=True)
class Extracted:
    kind: str
    media_type: str
    text: str
    report: Report = field(default_factory=Report)


class ExtractionError(Exception):
    """The file cannot be accepted. ``status`` is the HTTP status the API answers with."""

    def __init__(self, message: str, *, code: str = "unreadable_file", status: int = 400):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


# Characters that show nothing: format characters (zero-width spaces and joiners, direction
# marks, soft hyphens, tags) and control characters other than tab and newline. A text that
# hid words in them would show the approver less than it gives readers.
INVISIBLE_RE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]"
)


def strip_invisible(text: str) -> str:
    """``text`` without the characters a reader cannot see."""
    return INVISIBLE_RE.sub("", text)


# An alt text that is only a file name ("image.png", "IMG_0042.JPG"): what some tools write by
# default, not a description.
_FILE_NAME_RE = re.compile(
    r"^[\w\s.()\[\]-]*\.(?:png|jpe?g|gif|bmp|tiff?|emf|wmf|svg|webp|heic|jfif|ico)$", re.IGNORECASE
)


def alt_text(*parts: str | None) -> str:
    """A picture's description from its title and alt text, or "" if it has none or only a file name."""
    kept = [" ".join(p.split()) for p in parts if p and p.strip() and not _FILE_NAME_RE.match(p.strip())]
    return " ".join(dict.fromkeys(kept))


def chart_blocks(title: str, series: list[tuple[str, dict[int, str], dict[int, str]]]) -> list[str]:
    """A chart as text: "Chart: title", then its data as a table (a row per category, a column per
    series) where the file holds the data."""
    blocks = [f"Chart: {title}"] if title else []
    series = [s for s in series if s[2]]
    if series:
        indexes = sorted({i for _, cats, vals in series for i in (*cats, *vals)})
        categories = series[0][1]
        header = ["", *[name or f"Series {n}" for n, (name, _, _) in enumerate(series, start=1)]]
        rows = [[categories.get(i, str(i + 1)), *[vals.get(i, "") for _, _, vals in series]] for i in indexes]
        table = md_table([header, *rows])
        if table:
            blocks.append(table)
    return blocks


def md_cell(text: str) -> str:
    """Text made safe for one cell of a markdown table."""
    return " ".join(text.split()).replace("|", "\\|") or " "


def md_table(rows: list[list[str]]) -> str:
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        return ""
    width = max(len(row) for row in rows)
    rows = [[md_cell(c) for c in row] + [" "] * (width - len(row)) for row in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines)


_LIST_RE = re.compile(r"^\s*(?:- |1\. )")
_PREFIX_RE = re.compile(r"^(?:#+ |\s*(?:- |1\. ))")


def join_blocks(blocks: list[str]) -> str:
    """Blocks separated by a blank line, except list items, which stay together in one list."""
    out: list[str] = []
    for block in blocks:
        if out:
            out.append(
                "\n" if _LIST_RE.match(block) and _LIST_RE.match(out[-1].rsplit("\n", 1)[-1]) else "\n\n"
            )
        out.append(block)
    return "".join(out)


def strip_block_prefix(block: str) -> str:
    """A block's text without its heading or list marker (for a table cell)."""
    return _PREFIX_RE.sub("", block, count=1)
