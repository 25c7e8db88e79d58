import logging

from library.web.logs import RequestIdFilter


def test_log_records_carry_the_request_id(app):
    record = logging.LogRecord("library", logging.INFO, __file__, 1, "hello", (), None)
    with app.test_request_context("/"):
        app.preprocess_request()
        RequestIdFilter().filter(record)
        from flask import g

        assert record.request_id == g.request_id and len(record.request_id) == 16
    outside = logging.LogRecord("library", logging.INFO, __file__, 1, "hello", (), None)
    RequestIdFilter().filter(outside)
    assert outside.request_id == "-"


def test_json_lines_when_asked(app):
    import json

    from library.web.logs import JsonFormatter

    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "library.x", logging.ERROR, __file__, 1, "failed %s", ("here",), sys.exc_info()
        )
    record.request_id = "abc123"
    line = JsonFormatter().format(record)
    body = json.loads(line)
    assert body["level"] == "ERROR" and body["logger"] == "library.x" and body["message"] == "failed here"
    assert body["request_id"] == "abc123" and "ValueError: boom" in body["exception"] and "\n" not in line


def test_a_bad_log_format_stops_the_start(monkeypatch):
    import pytest

    from config import ConfigError, load_config

    monkeypatch.setenv("LIBRARY_LOG_FORMAT", "xml")
    with pytest.raises(ConfigError, match="LIBRARY_LOG_FORMAT"):
        load_config("test")


def _csrf(page: str) -> str:
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_no_secret_the_app_makes_reaches_the_log_in_production(
    app, people, second_approver, tmp_path, monkeypatch
):
    """A whole journey in production settings (CSRF on, secure cookies, mail written to files):
    an invitation, a password reset, an unsubscribe token and an API token are made and used, and
    mistyped or forged; none of them is in what the log captured."""
    import io
    import re

    from library import create_app
    from library.core.models import MailMessage
    from tests.conftest import PASSWORD

    monkeypatch.setenv("SECRET_KEY", "a-production-secret-for-this-test-" + "x" * 16)
    prod = create_app(
        {
            "ENV_NAME": "production",
            "DATA_DIR": str(tmp_path / "prod"),
            "DATABASE_URL": app.config["DATABASE_URL"],
            "BASE_URL": "https://library.example",
        }
    )
    handler = next(h for h in logging.getLogger("library").handlers if getattr(h, "_library", False))
    captured = io.StringIO()
    old_stream = handler.setStream(captured)
    secrets: list[str] = []
    try:
        client = prod.test_client()
        base = "https://library.example"

        def get(path, **kw):
            return client.get(base + path, **kw)

        def post(path, data=None, **kw):
            # Over HTTPS a form must come from the site itself (Flask-WTF checks the Referer).
            return client.post(base + path, data=data or {}, headers={"Referer": base + "/"}, **kw)

        page = get("/login").get_data(as_text=True)
        assert (
            post(
                "/login", {"email": "approver@kgm.example", "password": PASSWORD, "csrf_token": _csrf(page)}
            ).status_code
            == 302
        )
        page = get("/people").get_data(as_text=True)
        response = post(
            "/people/invite",
            {"email": "nia@kgm.example", "name": "Nia New", "role": "contributor", "csrf_token": _csrf(page)},
        )
        assert response.status_code == 302
        # An API token, made on the account page and used.
        page = get("/account").get_data(as_text=True)
        page = post("/account", {"action": "create-token", "days": "30", "csrf_token": _csrf(page)}).get_data(
            as_text=True
        )
        token = re.search(r"(pcl_[A-Za-z0-9_-]+)", page).group(1)
        secrets.append(token)
        assert (
            client.get(base + "/api/v1/documents", headers={"Authorization": f"Bearer {token}"}).status_code
            == 200
        )
        assert (
            client.get(base + "/api/v1/documents", headers={"Authorization": f"Bearer {token}x"}).status_code
            == 401
        )
        get(f"/search?q=anything&token={token}")  # pasted into an address by mistake
        page = get("/account").get_data(as_text=True)
        post("/logout", {"csrf_token": _csrf(page)})
        # A password reset.
        page = get("/password/forgot").get_data(as_text=True)
        post("/password/forgot", {"email": "reader@kgm.example", "csrf_token": _csrf(page)})

        session = prod.extensions["db_sessionmaker"]()
        bodies = [m.body_text for m in session.query(MailMessage)]
        session.close()
        links = {
            kind: re.search(rf"https://library\.example(/{kind}/[^\s]+)", "\n".join(bodies)).group(1)
            for kind in ("invitation", "password/reset", "unsubscribe")
        }
        secrets += [path.rsplit("/", 1)[1] for path in links.values()]
        for kind, path in links.items():
            page = get(path).get_data(as_text=True)
            get(path + "/extra")  # no such page: a 404 whose address holds the secret
            get(path[:-3] + "zzz")  # forged
            if kind == "unsubscribe":
                assert client.post(base + path, headers={"Referer": base + "/"}).status_code == 200
            else:
                new = "violet kettle orbit marmalade"
                data = {"new_password": new, "confirm_password": new, "csrf_token": _csrf(page)}
                assert post(path, data).status_code == 302
                get(path)  # used already
    finally:
        handler.setStream(old_stream)
        prod.extensions["db_engine"].dispose()
    logged = captured.getvalue()
    assert "GET /invitation/<secret> 200" in logged and "POST /password/reset/<secret> 302" in logged
    assert "POST /unsubscribe/<secret> 200" in logged and "GET /api/v1/documents 200" in logged
    for secret in secrets:
        assert secret not in logged
        assert secret[:12] not in logged


def test_the_filter_takes_secrets_out_of_any_line():
    from library.web.logs import SecretFilter, scrub

    line = (
        '127.0.0.1 - - "GET /login/microsoft/callback?code=abc123&state=s3cr3t HTTP/1.1" 302 - '
        "Authorization: Bearer pcl_AbCdEf123456 token pcl_ZZZZZZZZZZZZ"
    )
    cleaned = scrub(line)
    for secret in ("abc123", "s3cr3t", "pcl_AbCdEf123456", "pcl_ZZZZZZZZZZZZ"):
        assert secret not in cleaned
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, "%s", (line,), None)
    SecretFilter().filter(record)
    assert "s3cr3t" not in record.getMessage() and "callback?code=<secret>" in record.getMessage()
