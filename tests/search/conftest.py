"""The documents the search tests share: one shared with each audience by Kingsmere."""

import io

import pytest

DOCS = [
    # (title, text, scope, service area, type)
    (
        "SEND self-assessment",
        "Timeliness of plans for special educational needs and disabilities.",
        "national",
        "send",
        "self-assessment",
    ),
    (
        "Children in care review",
        "Stability for looked-after children.",
        "region",
        "children-in-care",
        "follow-up-review",
    ),
    (
        "Early help action plan",
        "Family hubs and early help step-down. <b>bold</b> & more.",
        "authority",
        "early-help",
        "action-plan",
    ),
]


@pytest.fixture
def published(app, db, api, people):
    owner = api("kgm_contributor")
    made = {}
    for title, text, scope, area, doc_type in DOCS:
        doc_id = owner.post(
            "/api/v1/documents",
            data={
                "title": title,
                "document_type": doc_type,
                "service_areas": [area],
                "year": "2025",
                "file": (io.BytesIO(f"# {title}\n\n{text}\n".encode()), "d.md"),
            },
            content_type="multipart/form-data",
        ).get_json()["id"]
        owner.post(f"/api/v1/documents/{doc_id}/redactions/accept-all")
        response = consent(api, doc_id, scope)
        assert response.status_code == 200
        made[scope] = doc_id
    return made


def consent(api, doc_id, scope):
    """Consent as the approver who has just read the preview."""
    approver = api("kgm_approver")
    content_hash = approver.get(f"/api/v1/documents/{doc_id}/preview").get_json()["content_hash"]
    return approver.post(
        f"/api/v1/documents/{doc_id}/consent",
        json={"scope": scope, "confirm": True, "content_hash": content_hash},
    )


def _search(api, who, query=""):
    response = api(who).get(f"/api/v1/search{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()
