"""Who gets what: every role, in every relation to the owning authority, for a document in every
state, on every page and API route that shows a document.

Read a row as: for this route and this kind of caller, the status for a document that is
  draft | published to its authority | to its region | nationally |
  withdrawn (was national) | withdrawn (was authority)
The owner is Kingsmere (South East). "same region" is Ashcombe (South East); "other region" is
Brackenford (North West). Administrators belong to no authority.
"""

import pytest

from library.challenges import service as challenges
from library.core.models import Document
from library.documents import publication, workspace
from tests.helpers import consent

STATES = [
    "draft",
    "published-authority",
    "published-region",
    "published-national",
    "withdrawn-national",
    "withdrawn-authority",
]

# (role, relation) -> the people fixture's name for that caller
CALLERS = {
    ("reader", "same authority"): "kgm_reader",
    ("contributor", "same authority"): "kgm_contributor",
    ("approver", "same authority"): "kgm_approver",
    ("reader", "same region"): "ash_reader",
    ("contributor", "same region"): "ash_contributor",
    ("approver", "same region"): "ash_approver",
    ("reader", "other region"): "brk_reader",
    ("contributor", "other region"): "brk_contributor",
    ("approver", "other region"): "brk_approver",
    ("admin", "none"): "admin",
}

# Expected statuses, one per state in STATES order.
OWNER = "200 200 200 200 200 200"
NOBODY = "404 404 404 404 404 404"
READ = {  # the reader's page, GET /api/v1/documents/{id}
    ("reader", "same authority"): "404 200 200 200 410 410",
    ("contributor", "same authority"): OWNER,
    ("approver", "same authority"): OWNER,
    ("reader", "same region"): "404 404 200 200 410 404",
    ("contributor", "same region"): "404 404 200 200 410 404",
    ("approver", "same region"): "404 404 200 200 410 404",
    ("reader", "other region"): "404 404 404 200 410 404",
    ("contributor", "other region"): "404 404 404 200 410 404",
    ("approver", "other region"): "404 404 404 200 410 404",
    ("admin", "none"): "404 200 200 200 410 410",
}
DOWNLOAD = {  # the published redacted text as markdown: page and API
    **READ,
    ("contributor", "same authority"): "404 200 200 200 404 404",
    ("approver", "same authority"): "404 200 200 200 404 404",
}
OWNERS_ONLY = {  # unredacted text, redactions, preview, original file, workspace, details form
    caller: (
        OWNER if caller in (("contributor", "same authority"), ("approver", "same authority")) else NOBODY
    )
    for caller in CALLERS
}
CONSENT = {  # the consent page: the owning authority's approver only
    caller: {
        ("approver", "same authority"): "200 200 200 200 200 200",
        ("contributor", "same authority"): "403 403 403 403 403 403",
    }.get(caller, " ".join("403" if s == "200" else "404" for s in READ[caller].split()))
    for caller in CALLERS
}

CHALLENGE = {  # a peer challenge whose one document is in that state: page and API
    caller: OWNER if row == OWNER else row.replace("410", "404") for caller, row in READ.items()
}

USAGE = {  # a document's usage: its owners, and administrators once it was shared
    **OWNERS_ONLY,
    ("admin", "none"): "404 200 200 200 200 200",
}

ROUTES = {
    "page /documents/{id}": ("page", "/documents/{id}", READ),
    "page /documents/{id}/download": ("page", "/documents/{id}/download", DOWNLOAD),
    "page /documents/{id}/original": ("page", "/documents/{id}/original", OWNERS_ONLY),
    "page /documents/{id}/redact": ("page", "/documents/{id}/redact", OWNERS_ONLY),
    "page /documents/{id}/edit": ("page", "/documents/{id}/edit", OWNERS_ONLY),
    "page /documents/{id}/consent": ("page", "/documents/{id}/consent", CONSENT),
    "api /documents/{id}": ("api", "/api/v1/documents/{id}", READ),
    "api /documents/{id}/text": ("api", "/api/v1/documents/{id}/text", OWNERS_ONLY),
    "api /documents/{id}/redactions": ("api", "/api/v1/documents/{id}/redactions", OWNERS_ONLY),
    "api /documents/{id}/preview": ("api", "/api/v1/documents/{id}/preview", OWNERS_ONLY),
    "api /documents/{id}/download": ("api", "/api/v1/documents/{id}/download", DOWNLOAD),
    "page /documents/{id}/download as Word": ("page", "/documents/{id}/download?format=docx", DOWNLOAD),
    "api /documents/{id}/download as Word": ("api", "/api/v1/documents/{id}/download?format=docx", DOWNLOAD),
    "page /challenges/{challenge}": ("page", "/challenges/{challenge}", CHALLENGE),
    "api /challenges/{challenge}": ("api", "/api/v1/challenges/{challenge}", CHALLENGE),
    "page /challenges/{challenge}/edit": ("page", "/challenges/{challenge}/edit", OWNERS_ONLY),
    "api /documents/{id}/usage": ("api", "/api/v1/documents/{id}/usage", USAGE),
    "page /documents/{id}/usage.csv": ("page", "/documents/{id}/usage.csv", USAGE),
}


@pytest.fixture
def documents_in_every_state(app, db, people, make_document):
    made = {}
    for state in STATES:
        doc = make_document(b"# Notes\n\nAmelia Hughes met the team.\n", title=f"Doc {state}")
        with app.app_context():
            challenge = challenges.create(
                db,
                people.kgm_contributor,
                challenges.ChallengeInput(f"Challenge {state}", 2025, ["early-help"]),
            )
            db.get(Document, doc.id).challenge = challenge
            db.commit()
            made[f"{state}:challenge"] = challenge.id
            if state != "draft":
                workspace.accept_all(db, people.kgm_contributor, doc.id)
                consent(db, people.kgm_approver, doc.id, state.split("-")[1], True)
            if state.startswith("withdrawn"):
                publication.withdraw(db, people.kgm_approver, doc.id, "Testing withdrawal.")
        made[state] = doc.id
    return made


def test_access_matrix(client, login, api, documents_in_every_state):
    failures = []
    for (role, relation), who in CALLERS.items():
        login(who)
        token_client = api(who)
        for route, (kind, path, table) in ROUTES.items():
            expected = table[(role, relation)].split()
            for state, status in zip(STATES, expected, strict=True):
                url = path.format(
                    id=documents_in_every_state[state],
                    challenge=documents_in_every_state[f"{state}:challenge"],
                )
                got = (client.get(url) if kind == "page" else token_client.get(url)).status_code
                if got != int(status):
                    failures.append(
                        f"{route} as {role} ({relation}) on {state}: got {got}, expected {status}"
                    )
        client.post("/logout")
    assert not failures, "\n".join(failures)


def test_matrix_covers_every_caller_and_route():
    for table in (READ, DOWNLOAD, OWNERS_ONLY, CONSENT, CHALLENGE, USAGE):
        assert set(table) == set(CALLERS)
        assert all(len(row.split()) == len(STATES) for row in table.values())
