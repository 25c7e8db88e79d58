"""Signing in and out, sessions, CSRF and deactivation."""

import re

import pytest
from sqlalchemy import select

from library import create_app
from library.core.models import AuditEvent
from tests.conftest import PASSWORD


def test_sign_in_and_out(client, people):
    page = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in page and 'name="password"' in page and 'name="csrf_token"' in page
    response = client.post("/login", data={"email": "READER@kgm.example ", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Rita Reader" in client.get("/").get_data(as_text=True)
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/our-documents").status_code == 302


def test_get_logout_only_asks(client, login):
    login("kgm_reader")
    page = client.get("/logout")
    assert page.status_code == 200 and 'method="post"' in page.get_data(as_text=True)
    assert client.get("/our-documents").status_code == 200  # still signed in
    client.post("/logout")
    assert client.get("/our-documents").status_code == 302


@pytest.mark.parametrize(
    "email,password",
    [
        ("reader@kgm.example", "wrong-password"),
        ("nobody@kgm.example", PASSWORD),
        ("", ""),
    ],
)
def test_bad_credentials_get_one_message(client, people, email, password):
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    if email and password:
        assert "Enter a correct email address and password" in html


def test_sign_in_is_audited(client, login, db):
    login("kgm_reader")
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "user.signed_in")).one()


def test_deactivated_user_is_signed_out_at_the_next_request(client, login, db, people):
    login("kgm_contributor")
    assert client.get("/our-documents").status_code == 200
    user = db.merge(people.kgm_contributor)
    user.active = False
    db.commit()
    response = client.get("/our-documents")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    # and cannot sign in again
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400


def test_next_only_goes_to_our_own_paths(client, people):
    for target, expected in (
        ("/upload", "/upload"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("/%0D%0Ax", "/"),  # a header split: once a 500
        ("/%0D%0ASet-Cookie:%20x=y", "/"),
        ("/no-such-page", "/"),
        ("/search?q=step%20down", "/search?q=step%20down"),
        ("/%E2%80%AEevil", "/"),
    ):
        client.post("/logout")
        response = client.post(
            f"/login?next={target}", data={"email": "contributor@kgm.example", "password": PASSWORD}
        )
        assert response.status_code == 302 and response.headers["Location"] == expected, target


def test_follows_go_back_only_to_our_own_pages(client, login):
    login("kgm_reader")
    for target, expected in (("/%0D%0Ax", "/follows"), ("/search?q=x", "/search?q=x")):
        response = client.post(
            "/follows", data={"service_area": "send", "next": target.replace("%0D%0A", "\r\n")}
        )
        assert response.status_code == 302 and response.headers["Location"] == expected, target


def test_session_cookie_flags(client, people):
    response = client.post("/login", data={"email": "reader@kgm.example", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    app = create_app({"ENV_NAME": "production", "DATA_DIR": str(tmp_path), "SEARCH_BACKEND": "tantivy"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_forms_need_a_csrf_token(app, client, people):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/login", data={"email": "reader@kgm.example", "password": PASSWORD})
    assert response.status_code == 400
    assert "Your form expired" in response.get_data(as_text=True)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"email": "reader@kgm.example", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_pages_need_sign_in(client, people):
    for path in ("/our-documents", "/upload", "/admin", "/documents/1"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path


def test_responses_carry_a_request_id(client):
    response = client.get("/login")
    assert re.fullmatch(r"[0-9a-f]{16}", response.headers["X-Request-Id"])
    assert client.get("/login", headers={"X-Request-Id": "abc-123"}).headers["X-Request-Id"] == "abc-123"
    assert (
        client.get("/login", headers={"X-Request-Id": "bad id <x>"}).headers["X-Request-Id"] != "bad id <x>"
    )


def _cookie(client) -> str:
    return client.get_cookie("session").value


def test_a_copied_session_cookie_stops_working_after_sign_out(app, client, login):
    login("kgm_reader")
    copied = _cookie(client)
    client.post("/logout")
    other = app.test_client()
    other.set_cookie("session", copied)
    response = other.get("/our-documents")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_copied_session_cookie_stops_working_after_a_password_change(app, client, login):
    login("kgm_reader")
    elsewhere = app.test_client()
    elsewhere.set_cookie("session", _cookie(client))
    assert elsewhere.get("/our-documents").status_code == 200
    response = client.post(
        "/account",
        data={
            "action": "password",
            "current_password": PASSWORD,
            "new_password": "a-new-and-long-phrase",
            "confirm_password": "a-new-and-long-phrase",
        },
    )
    assert response.status_code == 302
    assert client.get("/our-documents").status_code == 200  # this browser stays signed in
    assert elsewhere.get("/our-documents").status_code == 302
    client.post("/logout")
    assert (
        client.post("/login", data={"email": "reader@kgm.example", "password": PASSWORD}).status_code == 400
    )
    ok = client.post("/login", data={"email": "reader@kgm.example", "password": "a-new-and-long-phrase"})
    assert ok.status_code == 302


@pytest.mark.parametrize(
    "current,new,confirm,message",
    [
        (
            "wrong-password-here",
            "a-new-and-long-phrase",
            "a-new-and-long-phrase",
            "current password is not right",
        ),
        (PASSWORD, "Password2025!", "Password2025!", "harder to guess"),
        (PASSWORD, "rita-reader-2025", "rita-reader-2025", "harder to guess"),
        (PASSWORD, "short", "short", "at least 10 characters"),
        (PASSWORD, "a-new-and-long-phrase", "a-different-phrase", "are not the same"),
    ],
)
def test_changing_a_password_refuses_bad_input_plainly(client, login, current, new, confirm, message):
    login("kgm_reader")
    response = client.post(
        "/account",
        data={
            "action": "password",
            "current_password": current,
            "new_password": new,
            "confirm_password": confirm,
        },
    )
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert client.get("/our-documents").status_code == 200


def test_sessions_end_after_the_idle_limit_and_the_absolute_limit(app, client, login):
    import time

    login("kgm_reader")
    with client.session_transaction() as sess:
        sess["seen_at"] = int(time.time()) - app.config["SESSION_IDLE_MINUTES"] * 60 - 5
    response = client.get("/our-documents")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")

    login("kgm_reader")
    with client.session_transaction() as sess:
        sess["signed_in_at"] = int(time.time()) - 12 * 3600 - 5
    assert client.get("/our-documents").status_code == 302


def test_sign_in_is_throttled_after_ten_failures_whatever_the_password(client, people, db):
    statuses = [
        client.post("/login", data={"email": "reader@kgm.example", "password": f"wrong-{n}"}).status_code
        for n in range(25)
    ]
    assert statuses[:10] == [400] * 10 and set(statuses[10:]) == {429}
    response = client.post("/login", data={"email": "reader@kgm.example", "password": PASSWORD})
    assert response.status_code == 429 and "Too many failed attempts" in response.get_data(as_text=True)
    # Another person's sign-in is not affected.
    assert (
        client.post("/login", data={"email": "reader@ash.example", "password": PASSWORD}).status_code == 302
    )
    failed = db.scalars(select(AuditEvent).where(AuditEvent.action == "user.sign_in_failed")).all()
    refused = db.scalars(select(AuditEvent).where(AuditEvent.action == "user.sign_in_refused")).all()
    assert len(failed) == 10 and len(refused) == 16
    # The account is the event's subject: what was typed is not kept.
    assert failed[0].details == {"reason": "wrong password"}
    assert failed[0].subject_id == people.kgm_reader.id


def test_failed_sign_in_with_an_unknown_address_is_audited_without_what_was_typed(client, people, db):
    client.post("/login", data={"email": "my-password-typed-here", "password": "x"})
    client.post("/login", data={"email": "my-password-typed-HERE ", "password": "y"})
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "user.sign_in_failed")).all()
    # Only a keyed hash: attempts on one address can be counted, what was typed is not kept.
    assert [sorted(e.details) for e in events] == [["email_hash", "reason"]] * 2
    assert events[0].details["email_hash"] == events[1].details["email_hash"]
    assert "password" not in str(events[0].details) and events[0].details["reason"] == "unknown email"


def test_email_choices_on_the_account_page(client, db, login, people):
    login("kgm_approver")
    html = client.get("/account").get_data(as_text=True)
    assert 'id="emails"' in html and 'name="notices" type="checkbox" value="ready" checked' in html
    response = client.post("/account", data={"action": "notices", "notices": ["shared", "withdrawn"]})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account#emails")
    db.refresh(people.kgm_approver)
    assert people.kgm_approver.notices_off == ["account", "digest", "ready", "sent_back"]
    response = client.post("/account", data={"action": "notices", "notices": ["nonsense"]})
    assert response.status_code == 400 and "Unknown kind of email" in response.get_data(as_text=True)


def test_one_click_unsubscribe_needs_no_sign_in_and_get_only_asks(app, client, db, people):
    from library.mail import messages

    with app.test_request_context():
        token = messages.unsubscribe_token(db, people.kgm_contributor, "shared")
    html = client.get(f"/unsubscribe/{token}").get_data(as_text=True)
    assert "Stop the emails we send you when: a document I worked on was shared?" in html
    db.refresh(people.kgm_contributor)
    assert people.kgm_contributor.notices_off == []  # a link scanner's GET changes nothing
    response = client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "Emails stopped" in response.get_data(as_text=True)
    db.refresh(people.kgm_contributor)
    assert people.kgm_contributor.notices_off == ["shared"]
    assert client.get("/unsubscribe/not-a-token").status_code == 404
    assert client.post("/unsubscribe/not-a-token").status_code == 404


def _mailed_link(mailbox, address, path):
    import re

    message = [m for m in mailbox.to(address) if path in mailbox.text(m)][-1]
    return re.search(rf"http://127\.0\.0\.1:5000(/{path}/\S+)", mailbox.text(message)).group(1)


def test_forgotten_password_same_answer_then_reset_ends_every_session(
    app, client, db, login, people, mailbox
):
    known = client.post("/password/forgot", data={"email": "contributor@kgm.example"}).get_data(as_text=True)
    unknown = client.post("/password/forgot", data={"email": "nobody@kgm.example"}).get_data(as_text=True)
    assert "Check your email" in known
    assert known.replace("contributor@kgm.example", "X") == unknown.replace("nobody@kgm.example", "X")
    assert [m["To"] for m in mailbox.messages] == ["contributor@kgm.example"]
    path = _mailed_link(mailbox, "contributor@kgm.example", "password/reset")
    other = app.test_client()  # a browser signed in before the reset
    other.post("/login", data={"email": "contributor@kgm.example", "password": PASSWORD})
    assert other.get("/account").status_code == 200
    page = client.get(path)
    assert page.status_code == 200 and "Choose a new password" in page.get_data(as_text=True)
    bad = client.post(path, data={"new_password": "violet kettle", "confirm_password": "violet kettle orbit"})
    assert bad.status_code == 400
    response = client.post(
        path, data={"new_password": "violet kettle orbit", "confirm_password": "violet kettle orbit"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert other.get("/account").status_code == 302  # that session ended
    used = client.get(path)
    assert used.status_code == 410 and "This link cannot be used" in used.get_data(as_text=True)
    assert "already been used" in used.get_data(as_text=True)
    assert client.get("/password/reset/forged").status_code == 410


def test_reset_requests_are_throttled(app, client, people, mailbox):
    app.extensions["reset_throttle"].__init__(per_email=2, per_address=4)
    for _ in range(3):
        client.post("/password/forgot", data={"email": "approver@kgm.example"})
    assert len(mailbox.to("approver@kgm.example")) == 2  # the third asked too often: nothing sent
    client.post("/password/forgot", data={"email": "x@kgm.example"})
    response = client.post("/password/forgot", data={"email": "y@kgm.example"})
    assert response.status_code == 429


def test_an_invitation_link_sets_the_password_and_signs_in(app, client, db, people, mailbox, runner):
    result = runner.invoke(
        args=[
            "users",
            "invite",
            "New.Person@kgm.example",
            "--name",
            "Nia New",
            "--authority",
            "KGM",
            "--role",
            "reader",
        ]
    )
    assert result.exit_code == 0 and "Invited reader new.person@kgm.example" in result.output
    path = _mailed_link(mailbox, "new.person@kgm.example", "invitation")
    page = client.get(path).get_data(as_text=True)
    assert "Nia New, you are invited as a reader at Kingsmere Borough Council." in page
    response = client.post(
        path, data={"new_password": "violet kettle orbit", "confirm_password": "violet kettle orbit"}
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200  # signed in
    assert client.get(path).status_code == 410
    again = runner.invoke(
        args=["users", "invite", "new.person@kgm.example", "--name", "N", "--role", "admin"]
    )
    assert again.exit_code == 1 and "already exists" in again.output
