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
