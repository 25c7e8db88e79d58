from __future__ import annotations

import re
from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * MB
    zip_max_uncompressed: int = 200 * MB
    zip_max_members: int = 5000
    zip_max_ratio: int = 200


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
