"""Markdown and plain text: kept as written, in UTF-8 with one newline style."""

from __future__ import annotations

from library.extraction.base import Limits, too_much_text


def extract_text(data: bytes, limits: Limits | None = None) -> str:
    if limits is not None and len(data) > limits.max_characters * 4:
        raise too_much_text(limits)  # even at four bytes a character
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
