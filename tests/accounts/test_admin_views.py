"""Administration pages: authorities and users."""

import pytest
from sqlalchemy import select

from library.core.models import AuditEvent, Authority, User
from tests.conftest import PASSWORD

ADMIN_PAGES = ["/admin", "/admin/authorities", "/admin/authorities/new", "/admin/users", "/admin/users/new"]


@pytest.mark.parametrize("who", ["kgm_reader", "kgm_contributor", "kgm_approver"])
def test_only_admins_reach_admin_pages(client, login, who):
    login(who)
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 403, path


def test_admin_pages_render(client, login):
    login("admin")
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 200, path
    assert "Kingsmere Borough Council" in client.get("/admin/authorities").get_data(as_text=True)
    assert "reader@kgm.example" in client.get("/admin/users").get_data(as_text=True)


def test_add_and_change_an_authority(client, login, db):
    login("admin")
    response = client.post(
        "/admin/authorities/new", data={"code": "FRN", "name": "Fernleigh Council", "region": "london"}
    )
    assert response.status_code == 302
    authority = db.scalars(select(Authority).where(Authority.code == "FRN")).one()
    assert authority.region.slug == "london"
    response = client.post(
        f"/admin/authorities/{authority.id}", data={"name": "Fernleigh City Council", "region": "south-west"}
    )
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Authority, authority.id).name == "Fernleigh City Council"
    actions = [e.action for e in db.scalars(select(AuditEvent).where(AuditEvent.subject_type == "authority"))]
    assert actions == ["authority.created", "authority.updated"]


@pytest.mark.parametrize(
    "form,message",
    [
        ({"code": "KGM", "name": "Again", "region": "south-east"}, "already exists"),
        ({"code": "bad code!", "name": "X", "region": "south-east"}, "Enter a code of letters"),
        ({"code": "NEW", "name": "X", "region": "atlantis"}, "Unknown region"),
        ({"code": "NEW", "name": "", "region": "south-east"}, "Enter the authority"),
    ],
)
def test_bad_authority_input(client, login, db, form, message):
    login("admin")
    response = client.post("/admin/authorities/new", data=form)
    assert response.status_code == 400
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert "There is a problem" in html and message in html
    assert db.scalar(select(Authority).where(Authority.name == "X")) is None


def test_invite_a_reader_who_chooses_their_own_password(client, login, db, mailbox):
    login("admin")
    response = client.post(
        "/admin/users/new",
        data={"email": "New.Person@KGM.example", "name": "New Person", "authority": "KGM", "role": "reader"},
    )
    assert response.status_code == 302
    user = db.scalars(select(User).where(User.email == "new.person@kgm.example")).one()
    assert user.role == "reader" and user.password_hash is None  # nobody but them will know it
    (invitation,) = mailbox.to("new.person@kgm.example")
    assert "Alex Admin invited you to the Peer Challenge Library as a reader" in mailbox.text(invitation)


@pytest.mark.parametrize(
    "form,message",
    [
        (
            {"email": "READER@kgm.example", "name": "Dup", "authority": "KGM", "role": "reader"},
            "already exists",
        ),
        (
            {"email": "not-an-email", "name": "X", "authority": "KGM", "role": "reader"},
            "Enter an email address in the right format",
        ),
        ({"email": "x@kgm.example", "name": "X", "authority": "", "role": "reader"}, "Choose the user"),
        ({"email": "x@kgm.example", "name": "X", "authority": "KGM", "role": "superuser"}, "Unknown role"),
    ],
)
def test_bad_user_input(client, login, db, form, message):
    login("admin")
    response = client.post("/admin/users/new", data=form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    assert db.scalar(select(User).where(User.email == "x@kgm.example")) is None


def test_deactivate_and_rename(client, login, db, people):
    login("admin")
    target = people.kgm_reader
    response = client.post(
        f"/admin/users/{target.id}", data={"name": "Rita R", "authority": "KGM", "role": "reader"}
    )
    assert response.status_code == 302
    db.expire_all()
    user = db.get(User, target.id)
    assert user.role == "reader" and user.active is False and user.name == "Rita R"
    client.post("/logout")
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 400


def test_an_administrator_cannot_reach_a_draft_by_any_admin_action(
    client, login, db, people, make_document, api
):
    """Every way an administrator might give themselves (or an account they control) access to an
    authority's drafts is refused; the draft stays out of their reach throughout."""
    draft = make_document(b"# Notes\n\nAmelia Hughes met the team.\n", title="Draft notes")
    login("admin")
    attempts = [
        # Invite an owner of an authority that has owners (to an address they control).
        (
            "/admin/users/new",
            {"email": "me2@x.example", "name": "Me", "authority": "KGM", "role": "contributor"},
        ),
        (
            "/admin/users/new",
            {"email": "me3@x.example", "name": "Me", "authority": "KGM", "role": "approver"},
        ),
        # Give an existing account an owner role, or move an owner to another authority.
        (
            f"/admin/users/{people.kgm_reader.id}",
            {"name": "R", "authority": "KGM", "role": "contributor", "active": "y"},
        ),
        (
            f"/admin/users/{people.ash_contributor.id}",
            {"name": "C", "authority": "KGM", "role": "contributor", "active": "y"},
        ),
        (
            f"/admin/users/{people.admin.id}",
            {"name": "A", "authority": "KGM", "role": "approver", "active": "y"},
        ),
    ]
    for url, form in attempts:
        response = client.post(url, data=form)
        assert response.status_code in (400, 403), (url, form, response.status_code)
    # Set an owner's password (the field is gone; a posted one is ignored).
    before = people.kgm_contributor.password_hash
    client.post(
        f"/admin/users/{people.kgm_contributor.id}",
        data={
            "name": "Colin Contributor",
            "authority": "KGM",
            "role": "contributor",
            "active": "y",
            "password": "x" * 12,
        },
    )
    db.expire_all()
    assert db.get(User, people.kgm_contributor.id).password_hash == before
    assert db.get(User, people.kgm_reader.id).role == "reader"
    assert db.scalar(select(User).where(User.email.in_(["me2@x.example", "me3@x.example"]))) is None
    # An administrator is not an approver: no people page, no invitations from it.
    assert client.get("/people").status_code == 403
    assert (
        client.post(
            "/people/invite", data={"email": "me4@x.example", "name": "M", "role": "approver"}
        ).status_code
        == 403
    )
    # And the draft itself, by page and by API, is out of reach.
    for path in ("", "/redact", "/edit", "/original", "/consent", "/download"):
        assert client.get(f"/documents/{draft.id}{path}").status_code in (403, 404), path
    for path in ("", "/text", "/redactions", "/preview"):
        assert api("admin").get(f"/api/v1/documents/{draft.id}{path}").status_code == 404, path


def test_admin_cannot_lock_themselves_out(client, login, db, people):
    login("admin")
    response = client.post(
        f"/admin/users/{people.admin.id}",
        data={"name": "Alex", "authority": "", "role": "reader", "active": "y"},
    )
    assert response.status_code == 400
    db.expire_all()
    assert db.get(User, people.admin.id).role == "admin"
