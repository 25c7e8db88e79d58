"""Without a scheduler (cron, a systemd timer), the running app sends the day's digests of what is
new for each follow: the first request after a day has passed starts them in a thread, one
process at a time."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from flask import Flask

from library.core import locks
from library.search import follows
from library.web import catch_up
from library.web.database import get_session

log = logging.getLogger(__name__)

DAY_SECONDS = 86400


def init_app(app: Flask) -> None:
    stamp = Path(app.config["DATA_DIR"]) / "digests.last"

    def sent_today() -> bool:
        return stamp.exists() and time.time() - stamp.stat().st_mtime < DAY_SECONDS

    def run() -> None:
        with locks.held(stamp.with_suffix(".lock"), engine=app.extensions["db_engine"]) as mine:
            if not mine or sent_today():
                return  # another worker is on it, or has done it
            stamp.touch()
            with app.app_context():
                try:
                    follows.send_digests(get_session(), app.extensions["search"])
                except Exception:
                    log.exception("sending the day's digests failed; `notifications digest` can send them")

    def maybe_start() -> None:
        if not sent_today():
            threading.Thread(target=run, name="digests", daemon=True).start()

    catch_up.on_requests(app, "the day's digests", 0, maybe_start)
