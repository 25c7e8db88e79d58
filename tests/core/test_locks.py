"""Locks that coordinate processes: a file on one host, an advisory lock in PostgreSQL for all."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from library.app import one_host_parts
from library.core import locks
from tests.conftest import ROOT

HOLDER = """
import sys, time
from pathlib import Path
from sqlalchemy import create_engine
from library.core import locks
engine = create_engine(sys.argv[1]) if sys.argv[1] != "-" else None
with locks.held(Path(sys.argv[2]), engine=engine) as mine:
    print("held" if mine else "refused", flush=True)
    time.sleep(60)
"""


def _holder(url: str, path: Path) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603 - this interpreter on the script above
        [sys.executable, "-c", HOLDER, url, str(path)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "held"
    return process


@pytest.mark.parametrize("kind", ["file", "database"])
def test_a_lock_holds_across_processes_and_a_killed_holder_lets_go(app, tmp_path, kind):
    url = app.config["DATABASE_URL"]
    if kind == "database" and not url.startswith("postgresql"):
        pytest.skip("advisory locks need PostgreSQL (TEST_DATABASE_URL)")
    engine = create_engine(url) if kind == "database" else None
    path = tmp_path / "digests.lock"
    holder = _holder(url if engine is not None else "-", path)
    try:
        with locks.held(path, timeout=0.3, engine=engine) as mine:
            assert mine is False
    finally:
        os.kill(holder.pid, signal.SIGKILL)  # a host that dies holding it
        holder.wait()
    started = time.monotonic()
    with locks.held(path, timeout=5, engine=engine) as mine:
        assert mine is True
    assert time.monotonic() - started < 5
    if engine is not None:
        engine.dispose()


def test_advisory_keys_are_stable_and_distinct():
    assert locks.advisory_key("fill.lock") == locks.advisory_key("fill.lock")
    assert locks.advisory_key("fill.lock") != locks.advisory_key("digests.lock")
    assert -(2**63) <= locks.advisory_key("x") < 2**63


def test_start_up_says_what_only_works_on_one_host(app, caplog, s3_storage):
    from library.app import note_one_host

    app.extensions["file_storage"] = type("Local", (), {"shared": False})()
    parts = one_host_parts(app)
    assert any("originals are in the data folder" in p for p in parts)
    assert any("sign-in throttle counts in each process" in p for p in parts)
    if not app.config["DATABASE_URL"].startswith("postgresql"):
        assert any("SQLite" in p for p in parts)
    with caplog.at_level(logging.INFO, logger="library.app"):
        note_one_host(app)
    assert "for one host only:" in caplog.text and "STORAGE_URL=s3://" in caplog.text
    # everything shared: nothing is said to be one host's
    app.extensions["file_storage"] = s3_storage
    app.config["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:6379"
    shared = [p for p in one_host_parts(app) if "SQLite" not in p and "search index" not in p]
    assert shared == []
