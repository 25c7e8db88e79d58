"""The API's OpenAPI description is true: every operation fuzzed with schemathesis, with the tokens
of several roles: no 500, every answer as described."""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks


def test_the_description_is_served_without_a_token_and_names_every_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    body = response.get_json()
    assert body["openapi"] == "3.1.0"
    described = {
        (path, method.upper())
        for path, item in body["paths"].items()
        for method in item
        if method != "parameters"
    }
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi_json":
            path = rule.rule.removeprefix("/api/v1").replace("<int:", "{").replace(">", "}")
            routes |= {(path, m) for m in rule.methods if m not in ("HEAD", "OPTIONS")}
    assert routes == described


ROLES = ["kgm_contributor", "kgm_approver", "ash_reader", "admin"]
# What the description promises: no 500, and every answer's status, content type, headers and
# body as described. (Not that every well-formed request succeeds: rules and states refuse some.)
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


def _library(app, people, make_document) -> None:
    """Something to find and change: a draft, a published document, a withdrawn one."""
    from library.documents import publication, workspace
    from tests.helpers import consent

    session = app.extensions["db_sessionmaker"]()
    for n, fate in enumerate(("draft", "national", "withdrawn")):
        doc = make_document(f"# Notes {n}\n\nAmelia Hughes met the team.\n".encode(), title=f"Notes {n}")
        if fate != "draft":
            with app.app_context():
                workspace.accept_all(session, session.merge(people.kgm_contributor), doc.id)
                consent(session, session.merge(people.kgm_approver), doc.id, "national")
                if fate == "withdrawn":
                    publication.withdraw(session, session.merge(people.kgm_approver), doc.id, "Testing.")
    session.close()


def _fuzz(operation, headers: dict, calls: dict) -> None:
    @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=operation.as_strategy())
    def call(case):
        calls["count"] += 1
        case.call_and_validate(headers=headers, checks=CHECKS)

    call()


def test_every_operation_as_described_for_several_roles(app, api, people, make_document):
    """Schemathesis builds requests for every operation from the description (valid and not);
    each answer must be no 500 and must match the description, status and body."""
    _library(app, people, make_document)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    calls = {"count": 0}
    for role in ROLES:
        headers = {"Authorization": api(role).headers["Authorization"]}
        for operation in operations:
            _fuzz(operation, headers, calls)
    assert calls["count"] >= len(operations) * len(ROLES)
    print(f"schemathesis: {len(operations)} operations, {calls['count']} cases, {len(ROLES)} roles")


def test_every_check_of_schemathesis_as_a_contributor(app, api, people, make_document):
    """The command-line run with every check (`st run .../openapi.json --checks all`), as an
    outside reviewer runs it: no server error, no schema-valid request refused and no invalid one
    accepted (but for the two rules no schema can state, in tests/web/schemathesis.toml), every
    answer as described, 405 with Allow."""
    import logging
    import os
    import subprocess
    import sys
    import threading
    from pathlib import Path

    from werkzeug.serving import make_server

    _library(app, people, make_document)
    token = api("kgm_contributor").headers["Authorization"]
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    config = Path(__file__).with_name("schemathesis.toml")
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(config),
        "run",
        f"http://127.0.0.1:{server.server_port}/api/v1/openapi.json",
        "--checks",
        "all",
        "-H",
        f"Authorization: {token}",
        "--max-examples",
        os.environ.get("SCHEMATHESIS_EXAMPLES", "5"),
        "--seed",
        os.environ.get("SCHEMATHESIS_SEED", "20261202"),
        "--no-color",
    ]
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)  # noqa: S603 - our own argv
    finally:
        server.shutdown()
        thread.join(5)
    report = run.stdout + run.stderr
    assert run.returncode == 0, report[-6000:]
    assert "passed" in report and "failures" not in report.split("SUMMARY")[-1].lower(), report[-3000:]
