import logging

from library.logs import RequestIdFilter


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

    from library.logs import JsonFormatter

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
