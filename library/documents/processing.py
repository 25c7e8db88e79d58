"""Reading an upload (extraction, then detection) in a child process with a deadline and a
memory ceiling, so that one crafted file cannot hold a web worker.

Pure: nothing here knows about Flask or the database. The child is forked from a small server
process (multiprocessing's forkserver) that has the extraction and detection code and the word
lists loaded already, so a child starts in milliseconds.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import resource
import time
from dataclasses import dataclass, field

from library.core.rendering import element_count
from library.extraction import Extracted, ExtractionError, Limits, extract
from library.extraction.base import too_many_elements
from library.redaction import Suggestion, detect

log = logging.getLogger(__name__)
FIELDS = ("title", "summary", "text")


@dataclass
class Terms:
    """An authority's term lists and the place names that are never people."""

    always: list[tuple[str, str]] = field(default_factory=list)
    never: list[str] = field(default_factory=list)
    allow: list[str] = field(default_factory=list)


@dataclass
class Analysis:
    extracted: Extracted
    suggestions: dict[str, list[Suggestion]]


def analyse_here(
    data: bytes, filename: str, limits: Limits, title: str, summary: str, terms: Terms, progress=None
) -> Analysis:
    """Extract the text, check that every page can show it, and find what to redact in it, its
    title and its summary. ``progress`` hears of long steps (text recognition) before they start."""
    extracted = extract(data, filename, limits, progress)
    elements = element_count(extracted.text)
    if elements > limits.max_elements:
        raise too_many_elements(elements, limits)
    texts = {"title": title, "summary": summary, "text": extracted.text}
    found = {
        name: detect(texts[name], always=terms.always, never=terms.never, allow=terms.allow)
        for name in FIELDS
    }
    total = sum(len(items) for items in found.values())
    if total > limits.max_suggestions:
        raise ExtractionError(
            f"We found {total:,} possible personal details in this file, more than the "
            f"{limits.max_suggestions:,} one review can take. Split the file into parts, or remove "
            "lists of contacts, and upload each part.",
            code="too_many_suggestions",
            status=413,
        )
    return Analysis(extracted, found)


def _ran_out_of_memory(exc: BaseException) -> bool:
    seen = 0
    cause: BaseException | None = exc
    while cause is not None and seen < 10:
        if isinstance(cause, MemoryError) or "memory allocation failed" in str(cause).lower():
            return True
        cause, seen = cause.__cause__ or cause.__context__, seen + 1
    return False


def _child(conn, memory_bytes: int, args: tuple) -> None:
    try:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    except (ValueError, OSError):
        pass

    def progress(step: str, count: int) -> None:
        conn.send(("progress", (step, count)))

    try:
        conn.send(("ok", analyse_here(*args, progress=progress)))
    except ExtractionError as exc:
        if _ran_out_of_memory(exc):  # a parser reported the failed allocation as a damaged file
            conn.send(("memory", None))
        else:
            conn.send(("refused", (exc.message, exc.code, exc.status)))
    except MemoryError:
        conn.send(("memory", None))
    except Exception as exc:  # a library failing on a damaged file: the file is refused
        conn.send(("failed", type(exc).__name__))
    finally:
        conn.close()


@functools.cache
def _context():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["library.documents.processing_warm"])
    return context


def too_complex(limits: Limits, why: str) -> ExtractionError:
    return ExtractionError(
        f"This file is too large or complex to read ({why}). Save it again as a simpler file, or "
        "split it into parts, and upload each one.",
        code="too_complex",
        status=413,
    )


def analyse(
    data: bytes, filename: str, limits: Limits, title: str = "", summary: str = "", terms: Terms | None = None
) -> Analysis:
    """:func:`analyse_here` in a child process: refused with a plain message if it takes longer
    than ``limits.timeout_seconds`` (``limits.ocr_timeout_seconds`` once it says it is reading
    scanned pages) or needs more than ``limits.memory_bytes``."""
    args = (data, filename, limits, title, summary, terms or Terms())
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, limits.memory_bytes, args), daemon=True)
    started = time.monotonic()
    try:
        process.start()
    except OSError as exc:
        log.error("the upload worker could not start: %s", exc)
        raise ExtractionError(
            "We could not read the file just now. Try again in a minute.", code="worker_unavailable"
        ) from exc
    finally:
        sender.close()
    deadline = limits.timeout_seconds
    try:
        while True:
            if not receiver.poll(max(deadline - (time.monotonic() - started), 0)):
                log.warning("reading a file of %d bytes took more than %.0f s: stopped", len(data), deadline)
                raise too_complex(limits, f"it took more than {deadline:.0f} seconds")
            try:
                kind, value = receiver.recv()
            except EOFError:
                kind, value = "memory", None  # the child died without a word: killed for its memory
            if kind != "progress":
                break
            step, count = value
            if step == "ocr":
                log.info("reading %d scanned pages by text recognition", count)
                deadline = max(deadline, limits.ocr_timeout_seconds)
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join(5)
    log.debug("read a file of %d bytes in %.2f s", len(data), time.monotonic() - started)
    if kind == "ok":
        return value
    if kind == "refused":
        message, code, status = value
        raise ExtractionError(message, code=code, status=status)
    if kind == "memory":
        raise too_complex(limits, f"it needed more than {limits.memory_bytes // (1024 * 1024)} MB of memory")
    log.info("reading a file of %d bytes failed in the worker: %s", len(data), value)
    raise ExtractionError(
        "The file seems to be damaged or incomplete. Save it again and upload the new copy.",
        code="damaged_file",
    )
