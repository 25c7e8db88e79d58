"""Every web form fuzzed (Hypothesis): each POST route of the pages, as each kind of person, with
every field the pages read (and ``next``, in the form and the address) holding text of every
shape, control characters and addresses included. No answer is a server error.

The field names are read from the views' own code and forms, so a new field is fuzzed the day it
is added."""

from __future__ import annotations

import inspect
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from library.web import forms
from tests.helpers import publish

LIBRARY = Path(__file__).resolve().parents[2] / "library"
_FIELD_RE = re.compile(
    r"request\.(?:form|args)\.(?:get|getlist)\(\"([a-z_]+)\"|request\.form\[\"([a-z_]+)\"\]"
)


def _fields() -> list[str]:
    names: set[str] = {"next", "csrf_token"}
    for path in LIBRARY.rglob("*.py"):  # the fields each view reads by hand
        for found in _FIELD_RE.finditer(path.read_text()):
            names.add(found.group(1) or found.group(2))
    for _name, form in inspect.getmembers(forms, inspect.isclass):
        for attribute in dir(form):
            field = getattr(form, attribute, None)
            if hasattr(field, "field_class"):  # an unbound WTForms field
                names.add(attribute)
    return sorted(names)


FIELDS = _fields()
# What a person, a script or an attacker may type: any text (control characters, direction marks,
# very long), addresses and header splits, numbers out of range.
VALUES = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=300),
    st.sampled_from(
        [
            "",
            " ",
            "/%0D%0Ax",
            "/\r\nSet-Cookie: x=y",
            "//evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "/\\evil.example",
            "-1",
            "0",
            "99999999999999999999",
            "2147483648",
            "nan",
            "true",
            '=HYPERLINK("http://evil.example")',
            "a" * 5000,
            "\u202e\u200bevil",
            "<script>alert(1)</script>",
        ]
    ),
)


def _post_routes(app) -> list:
    return sorted(
        (r for r in app.url_map.iter_rules() if "POST" in r.methods and not r.rule.startswith("/api/")),
        key=lambda r: r.rule,
    )


def _path(rule, ids: dict[str, int], draw) -> str:
    def fill(match: re.Match) -> str:
        kind, name = match.group(1) or "string", match.group(2)
        if kind == "int":
            return str(draw(st.sampled_from([ids.get(name, 1), 1, 2, 0, 2**31 - 1])))
        return draw(st.sampled_from(["x", "areas-by-region", "a" * 60, "%0D%0A"]))

    return re.sub(r"<(?:(\w+):)?(\w+)>", fill, rule.rule)


@pytest.fixture
def library(app, db, people, make_document):
    draft = make_document("# Notes\n\nAmelia Hughes met the team on 3 March.\n", title="Draft notes")
    shared = publish(
        app, db, people, make_document, "# Plan\n\nText of the plan.\n", "national", title="Plan"
    )
    return {"document_id": shared, "redaction_id": 1, "draft_id": draft.id, "user_id": people.kgm_reader.id}


@pytest.mark.parametrize("who", [None, "kgm_contributor", "kgm_approver", "admin", "kgm_reader"])
def test_no_web_form_answers_with_a_server_error(app, client, login, library, who):
    if who:
        login(who)
    routes = _post_routes(app)
    assert len(routes) >= 30
    seen: list[tuple[str, int]] = []

    @settings(
        max_examples=len(routes) * int(os.environ.get("FORM_FUZZ_PER_ROUTE", "4")),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def post_anything(data):
        rule = data.draw(st.sampled_from(routes))
        path = _path(rule, library, data.draw)
        chosen = data.draw(st.lists(st.sampled_from(FIELDS), max_size=8, unique=True))
        form = {name: data.draw(st.lists(VALUES, min_size=1, max_size=2)) for name in chosen}
        query = {"next": data.draw(VALUES)} if data.draw(st.booleans()) else {}
        response = client.post(path, data=form, query_string=query)
        seen.append((rule.rule, response.status_code))
        assert response.status_code < 500, (rule.rule, form, query, response.get_data(as_text=True)[:500])
        if who:  # a sign-out or a deactivation ends the session: sign in again
            if client.get("/account").status_code != 200:
                client.post("/logout")
                login(who)

    post_anything()
    assert len({rule for rule, _status in seen}) >= len(routes) // 2
