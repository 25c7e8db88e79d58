"""Work left behind by a process that died after its commit (an outbox not drained, the day's
digests not sent) is picked up by the next request of any process, at most every few seconds."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from flask import Flask, request

log = logging.getLogger(__name__)


def on_requests(app: Flask, what: str, every_seconds: float, work: Callable[[], object]) -> None:
    """Run ``work`` before a request (never for a static file) when ``every_seconds`` have passed
    since this process last ran it. A failure is logged, never shown: the work stays for later."""
    last_run = [float("-inf")]

    @app.before_request
    def _catch_up() -> None:
        now = time.monotonic()
        if request.path.startswith("/static/") or now - last_run[0] < every_seconds:
            return
        last_run[0] = now
        try:
            work()
        except Exception:
            log.exception("catching up with %s failed", what)
