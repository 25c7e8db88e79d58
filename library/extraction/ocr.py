"""Text recognition (OCR) of a page image with Tesseract (English), through pytesseract.

Tesseract comes from the system's packages (Debian: ``tesseract-ocr``); without it, :func:`available`
is False and scanned pages are named as not read, never a failure.
"""

from __future__ import annotations

import functools
import logging
import os
import re

log = logging.getLogger(__name__)

# Tesseract's own threads: one per recognition, so that several uploads at once share the cores
# instead of each taking them all.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

# Characters Tesseract commonly reads a bullet as, at the start of a line.
_BULLET_RE = re.compile(r"^(?:[•●▪◦‣∙·*»«©®]|[eo](?=\s+[A-Z]))\s+")


@functools.cache
def available() -> bool:
    """Whether Tesseract with its English data is installed."""
    try:
        import pytesseract

        pytesseract.get_tesseract_version()
        return "eng" in pytesseract.get_languages(config="")
    except Exception as exc:  # not installed, or not runnable
        log.warning("text recognition (Tesseract) is not available: %s", type(exc).__name__)
        return False


class OcrTimeout(Exception):
    pass


def recognise(image, timeout_seconds: float) -> str:
    """The text Tesseract reads in ``image`` (a PIL image), as paragraphs separated by a blank line;
    raises :class:`OcrTimeout` if it takes longer than ``timeout_seconds``."""
    import pytesseract

    try:
        text = pytesseract.image_to_string(
            image, lang="eng", config="--psm 3", timeout=max(1, int(timeout_seconds))
        )
    except RuntimeError as exc:  # pytesseract raises RuntimeError("Tesseract process timeout")
        if "timeout" in str(exc).lower():
            raise OcrTimeout() from exc
        raise
    return paragraphs(text)


def paragraphs(text: str) -> str:
    """Tesseract's lines joined into paragraphs: a blank line ends one, a bullet starts one, and a word
    broken by a hyphen at a line's end is joined again."""
    out: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            joined = ""
            for line in current:
                if joined.endswith("-") and line[:1].islower():
                    joined = joined[:-1] + line
                else:
                    joined = f"{joined} {line}" if joined else line
            out.append(joined)
            current.clear()

    for raw in text.replace("\f", "\n").split("\n"):
        line = " ".join(raw.split())
        if not line:
            flush()
            continue
        bullet = _BULLET_RE.match(line)
        if bullet:
            flush()
            line = "- " + line[bullet.end() :]
        current.append(line)
    flush()
    return "\n\n".join(out)
