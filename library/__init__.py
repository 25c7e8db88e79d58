"""Peer Challenge Library: a Flask application. ``create_app`` builds it (``library/app.py``);
``docs/architecture.md`` shows the packages and what each may import."""

import os

# Search by meaning multiplies small matrices per request: one thread each is faster there than
# OpenBLAS's pool (4.4 ms against 1.3 ms a query at 10,000 documents), and a serving process's
# workers already use every core. Set before numpy is first imported; a setting given wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from library.app import create_app, start_up  # noqa: E402 - after the setting above

__all__ = ["create_app", "start_up"]
