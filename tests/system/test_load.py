"""Load held, the short version of `make bench-load`: gunicorn with several workers, readers and
contributors at once for 10 s, then the index, the outboxes, the database and the audit trail
checked. Speed targets live in the benchmark; here only correctness under load."""

from benchmarks import load


def test_load_is_held_without_errors_or_lost_updates(_database):
    base = _database["url"] if _database["kind"] != "sqlite" else "sqlite://"
    report = load.run(base, seconds=10, readers=6, contributors=2, workers=4)
    assert report.errors == [], report.lines()
    assert report.unexpected == [], report.lines()
    assert report.problems == [], report.lines()
    assert report.per_kind["upload"][0] >= 2 and report.per_kind["search"][0] >= 10, report.lines()
