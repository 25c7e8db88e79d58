"""The sign-in throttle shared by Redis (127.0.0.1:6379) between app processes, and what happens
when Redis does not answer."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
import uuid

import pytest
import redis

from library import create_app
from library.accounts.throttle import SignInThrottle
from tests.conftest import PASSWORD, ROOT

REDIS = "redis://127.0.0.1:6379"


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(not _redis_answers(), reason="Redis is not running on 127.0.0.1:6379")


def _forget_sign_ins() -> None:
    """Remove the sign-in counts from Redis (and nothing else the server holds)."""
    server = redis.Redis.from_url(REDIS)
    for key in server.scan_iter("*signin*"):
        server.delete(key)


# Another app process: its own interpreter, the same database and the same Redis; fails to sign
# in ``count`` times as ``email`` and prints the statuses.
OTHER_PROCESS = textwrap.dedent(
    """
    import json, sys
    from library import create_app
    url, data_dir, email, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    app = create_app({"ENV_NAME": "test", "DATABASE_URL": url, "DATA_DIR": data_dir,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"})
    client = app.test_client()
    print(json.dumps([client.post("/login", data={"email": email, "password": f"wrong-{n}"}).status_code
                      for n in range(count)]))
    """
)


def _app(app, storage_uri: str):
    return create_app(
        {
            "ENV_NAME": "test",
            "DATABASE_URL": app.config["DATABASE_URL"],
            "DATA_DIR": app.config["DATA_DIR"],
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_STORAGE_URI": storage_uri,
        }
    )


@needs_redis
def test_failures_in_two_processes_add_up(app, people):
    email = people.kgm_reader.email
    _forget_sign_ins()
    other = subprocess.run(  # noqa: S603 - this interpreter on the script above
        [sys.executable, "-c", OTHER_PROCESS, app.config["DATABASE_URL"], app.config["DATA_DIR"], email, "6"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert other.returncode == 0, other.stderr
    assert json.loads(other.stdout.strip().splitlines()[-1]) == [400] * 6
    here = _app(app, REDIS).test_client()
    statuses = [
        here.post("/login", data={"email": email, "password": f"again-{n}"}).status_code for n in range(5)
    ]
    assert statuses == [400, 400, 400, 400, 429]  # the 11th attempt in all is refused
    # even with the right password, and in a third app
    third = _app(app, REDIS).test_client()
    assert third.post("/login", data={"email": email, "password": PASSWORD}).status_code == 429
    # nothing of the address is kept in Redis: only a digest
    keys = [k.decode() for k in redis.Redis.from_url(REDIS).scan_iter("*signin*")]
    assert keys and not any(email.split("@")[0] in k for k in keys)
    _forget_sign_ins()


def test_without_redis_sign_in_still_works_and_refuses_after_the_limit(app, people, caplog):
    caplog.set_level(logging.INFO, logger="library.accounts.throttle")
    unreachable = _app(app, "redis://127.0.0.1:1")  # nothing listens on port 1
    client = unreachable.test_client()
    email = people.kgm_reader.email
    assert (
        client.post("/login", data={"email": people.ash_reader.email, "password": PASSWORD}).status_code
        == 302
    )
    statuses = [
        client.post("/login", data={"email": email, "password": f"wrong-{n}"}).status_code for n in range(11)
    ]
    assert statuses == [400] * 10 + [429]
    said = [r for r in caplog.records if "does not answer" in r.getMessage()]
    assert len(said) == 1
    assert "redis://127.0.0.1:1" in said[0].getMessage()


def test_the_log_never_holds_the_stores_password(caplog):
    caplog.set_level(logging.INFO, logger="library.accounts.throttle")
    throttle = SignInThrottle(f"redis://:s3cret-{uuid.uuid4().hex[:6]}@127.0.0.1:1")
    assert not throttle.blocked("someone@example.org")
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "does not answer" in messages and "s3cret" not in messages
