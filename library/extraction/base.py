from __future__ import annotations

import re
from dataclasses import dataclass

MB = 1024 * 1024


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
class Extracted:
    kind: str
    media_type: str
    text: str


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
