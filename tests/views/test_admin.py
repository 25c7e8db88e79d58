"""Administration pages: authorities and users."""

import pytest
from sqlalchemy import select

from library.models import AuditEvent, Authority, User
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


def test_add_a_user_who_can_then_sign_in(client, login, db):
    login("admin")
    response = client.post(
        "/admin/users/new",
        data={
            "email": "New.Person@KGM.example",
            "name": "New Person",
            "authority": "KGM",
            "role": "contributor",
            "password": "a-long-password",
        },
    )
    assert response.status_code == 302
    user = db.scalars(select(User).where(User.email == "new.person@kgm.example")).one()
    assert user.role == "contributor" and user.password_hash != "a-long-password"
    assert user.password_hash.startswith("scrypt:")
    client.post("/logout")
    assert (
        client.post(
            "/login", data={"email": "new.person@kgm.example", "password": "a-long-password"}
        ).status_code
        == 302
    )


@pytest.mark.parametrize(
    "form,message",
    [
        (
            {
                "email": "READER@kgm.example",
                "name": "Dup",
                "authority": "KGM",
                "role": "reader",
                "password": "long-enough-pw",
            },
            "already exists",
        ),
        (
            {
                "email": "not-an-email",
                "name": "X",
                "authority": "KGM",
                "role": "reader",
                "password": "long-enough-pw",
            },
            "Enter an email address in the right format",
        ),
        (
            {
                "email": "x@kgm.example",
                "name": "X",
                "authority": "",
                "role": "reader",
                "password": "long-enough-pw",
            },
            "Choose the user",
        ),
        (
            {
                "email": "x@kgm.example",
                "name": "X",
                "authority": "KGM",
                "role": "superuser",
                "password": "long-enough-pw",
            },
            "Unknown role",
        ),
        (
            {
                "email": "x@kgm.example",
                "name": "X",
                "authority": "KGM",
                "role": "reader",
                "password": "short",
            },
            "at least 10 characters",
        ),
    ],
)
def test_bad_user_input(client, login, db, form, message):
    login("admin")
    response = client.post("/admin/users/new", data=form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    assert db.scalar(select(User).where(User.email == "x@kgm.example")) is None


def test_deactivate_and_change_role(client, login, db, people):
    login("admin")
    target = people.kgm_reader
    response = client.post(
        f"/admin/users/{target.id}",
        data={"name": "Rita R", "authority": "KGM", "role": "contributor", "password": ""},
    )
    assert response.status_code == 302
    db.expire_all()
    user = db.get(User, target.id)
    assert user.role == "contributor" and user.active is False and user.name == "Rita R"
    client.post("/logout")
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 400


def test_admin_cannot_lock_themselves_out(client, login, db, people):
    login("admin")
    response = client.post(
        f"/admin/users/{people.admin.id}",
        data={"name": "Alex", "authority": "", "role": "reader", "active": "y"},
    )
    assert response.status_code == 400
    db.expire_all()
    assert db.get(User, people.admin.id).role == "admin"
