"""Search by meaning's own budgets: embedding a 20-page self-assessment (as consent does, every
section; target under 2 s), and a process's memory with the model loaded (target under 400 MB,
measured in a fresh process; a serving worker adds its share of the library's vectors, which the
search benchmark's worker memory includes)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

EMBED_TARGET_S = 2.0
MEMORY_TARGET_MB = 400.0
# The process's own peak (VmHWM): getrusage's maxrss would carry over the size of the process
# that started it, which fork and exec do not reset.
_MEMORY = (
    "from search_index import embedding; embedding.warm(); embedding.embed(['x']); "
    "embedding.embed_quickly(['x']); "
    "print(next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')) / 1024)"
)


def run() -> dict:
    from library.demo.compose import compose
    from search_index import embedding

    title, text = compose(
        area="early-help",
        document_type="self-assessment",
        authority="Kingsmere Borough Council",
        domain="kingsmere.example",
        pages=20,
        seed=7,
    )
    embedding.warm()
    items = embedding.passages(title, text)
    times = []
    for _ in range(5):
        started = time.perf_counter()
        embedding.embed([passage for passage, _start in items])
        times.append(time.perf_counter() - started)
    seconds = statistics.median(times)
    out = subprocess.run([sys.executable, "-c", _MEMORY], capture_output=True, text=True, check=True)  # noqa: S603 (our own code)
    memory = float(out.stdout)
    return {
        "words": len(text.split()),
        "passages": len(items),
        "seconds": seconds,
        "memory_mb": memory,
        "ok": seconds < EMBED_TARGET_S and memory < MEMORY_TARGET_MB,
    }
