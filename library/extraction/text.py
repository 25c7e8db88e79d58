"""Markdown and plain text: kept as written, in UTF-8 with one newline style."""

from __future__ import annotations


def extract_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
