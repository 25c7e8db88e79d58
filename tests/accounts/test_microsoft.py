"""Sign-in with Microsoft against a real OpenID Connect provider on 127.0.0.1: the journey, the
roles it gives, and every refusal, each audited."""

import time

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select

from library.accounts import oidc
from library.core.models import AuditEvent, User
from tests.conftest import IdentityProvider


def _refusals(db) -> list[str]:
    return [
        e.details["reason"]
        for e in db.scalars(select(AuditEvent).where(AuditEvent.action == "user.sign_in_refused"))
        if e.details.get("method") == "microsoft"
    ]


def test_a_council_account_signs_in_as_a_reader_of_its_authority(app, client, db, identity_provider):
    assert "Sign in with your council's Microsoft account" in client.get("/login").get_data(as_text=True)
    response = identity_provider.sign_in(client, "kim-sub")
    assert response.status_code == 302, response.get_data(as_text=True)
    kim = db.scalars(select(User).where(User.email == "kim@kingsmere.gov.uk")).one()
    assert kim.role == "reader" and kim.authority.code == "KGM" and kim.password_hash is None
    assert kim.external_id == f"{IdentityProvider.TENANT}:kim-sub"
    assert client.get("/account").status_code == 200
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "user.signed_in")).all()
    assert events[-1].details == {"method": "microsoft"}
    # Signing out ends the local session; signing in again finds the same person.
    client.post("/logout")
    assert client.get("/account").status_code == 302
    assert identity_provider.sign_in(client, "kim-sub").status_code == 302
    assert db.scalar(select(User.id).where(User.email == "kim@kingsmere.gov.uk")) == kim.id


def test_an_account_is_never_joined_by_email(app, client, db, people, identity_provider):
    """A Microsoft account whose email is that of an existing account (here a contributor's) is
    refused: only the person, signed in, or accepting their invitation, joins the two."""
    response = identity_provider.sign_in(client, "colin-sub")
    assert response.status_code == 403 and "already exists" in response.get_data(as_text=True)
    db.refresh(people.kgm_contributor)
    assert people.kgm_contributor.external_id is None
    assert client.get("/account").status_code == 302  # not signed in


def test_an_owner_joins_their_own_account_on_the_account_page(
    app, client, db, login, people, identity_provider
):
    login("kgm_contributor")
    start = client.post("/account/microsoft", data={"action": "link"})
    response = identity_provider.sign_in(client, "colin-sub", start=start)
    assert response.status_code == 302 and response.headers["Location"].endswith("/account#microsoft")
    db.refresh(people.kgm_contributor)
    assert people.kgm_contributor.external_id == f"{IdentityProvider.TENANT}:colin-sub"
    client.post("/logout")
    assert identity_provider.sign_in(client, "colin-sub").status_code == 302
    db.refresh(people.kgm_contributor)
    assert people.kgm_contributor.role == "contributor"  # keeps the role its approvers gave it
    assert client.get("/upload").status_code == 200
    actions = [e.action for e in db.scalars(select(AuditEvent))]
    assert "user.microsoft_linked" in actions
    # Parting them again (a password is set, so they can still sign in).
    assert client.post("/account/microsoft", data={"action": "unlink"}).status_code == 302
    db.refresh(people.kgm_contributor)
    assert people.kgm_contributor.external_id is None


def test_an_account_of_another_authority_cannot_join_a_tenant(
    app, client, db, login, people, identity_provider
):
    login("ash_contributor")  # Ashcombe has no tenant: Kingsmere's accounts are not Ashcombe's
    start = client.post("/account/microsoft", data={"action": "link"})
    response = identity_provider.sign_in(client, "kim-sub", start=start)
    assert response.status_code == 403
    db.refresh(people.ash_contributor)
    assert people.ash_contributor.external_id is None


def test_an_invitation_is_accepted_with_microsoft(app, client, db, people, identity_provider, mailbox):
    import re

    from library.accounts import links

    with app.app_context():
        links.invite(
            db,
            people.kgm_approver,
            email="kim@kingsmere.gov.uk",
            name="Kim Lee",
            role="contributor",
            authority_code="KGM",
        )
    (message,) = mailbox.to("kim@kingsmere.gov.uk")
    path = re.search(r"http://127\.0\.0\.1:5000(/invitation/\S+)", mailbox.text(message)).group(1)
    assert "Accept with Microsoft" in client.get(path).get_data(as_text=True)
    start = client.post(path + "/microsoft")
    assert identity_provider.sign_in(client, "kim-sub", start=start).status_code == 302
    kim = db.scalars(select(User).where(User.email == "kim@kingsmere.gov.uk")).one()
    assert kim.role == "contributor" and kim.external_id == f"{IdentityProvider.TENANT}:kim-sub"
    assert kim.password_hash is None and client.get("/upload").status_code == 200
    assert client.get(path).status_code == 410  # used


def test_the_object_id_names_the_account(app, client, db, identity_provider):
    assert identity_provider.sign_in(client, "oid-sub").status_code == 302
    ola = db.scalars(select(User).where(User.email == "ola@kingsmere.gov.uk")).one()
    assert ola.external_id == f"{IdentityProvider.TENANT}:ola-object"


def test_an_administrator_cannot_take_over_an_approver(
    app, client, db, login, people, identity_provider, make_document
):
    """The outside review's attack: an administrator maps a tenant they control to an authority
    (with its email domain), then signs in from it with an approver's address. The connection
    waits for the authority's approvers; and even once confirmed, the sign-in is refused and the
    approver's account is untouched: no draft is reached."""
    make_document(title="A draft of Kingsmere")
    authority = people.kgm_reader.authority
    authority.tenant_id, authority.tenant_confirmed_at = None, None
    db.commit()
    login("admin")
    response = client.post(
        f"/admin/authorities/{authority.id}/tenant",
        data={"tenant_id": IdentityProvider.TENANT, "email_domains": "kgm.example"},
    )
    assert response.status_code == 302
    client.post("/logout")
    db.refresh(authority)
    assert authority.tenant_id == IdentityProvider.TENANT and authority.tenant_confirmed_at is None
    attacker = app.test_client()
    refused = identity_provider.sign_in(attacker, "mallory-sub")
    assert refused.status_code == 403 and "not connected" in refused.get_data(as_text=True)
    # Suppose an approver confirms it all the same.
    login("kgm_approver")
    page = client.get("/people").get_data(as_text=True)
    assert "Confirm this tenant" in page and IdentityProvider.TENANT in page
    assert (
        client.post(
            "/people/microsoft", data={"action": "confirm", "tenant_id": IdentityProvider.TENANT}
        ).status_code
        == 302
    )
    refused = identity_provider.sign_in(attacker, "mallory-sub")
    assert refused.status_code == 403 and "already exists" in refused.get_data(as_text=True)
    db.refresh(people.kgm_approver)
    assert people.kgm_approver.external_id is None
    assert attacker.get("/our-documents").status_code == 302  # not signed in
    assert "A draft of Kingsmere" not in attacker.get("/documents/1").get_data(as_text=True)


def test_a_tenant_for_an_authority_with_owners_waits_for_an_approver(app, client, db, login, people, mailbox):
    login("admin")
    authority = people.ash_reader.authority
    client.post(f"/admin/authorities/{authority.id}/tenant", data={"tenant_id": IdentityProvider.TENANT})
    db.refresh(authority)
    assert authority.tenant_confirmed_at is None
    (told,) = mailbox.to("approver@ash.example")
    assert told["Subject"] == "Confirm sign-in with Microsoft for your authority"
    client.post("/logout")
    login("ash_approver")
    assert (
        client.post("/people/microsoft", data={"action": "confirm", "tenant_id": "another"}).status_code
        == 409
    )
    assert client.post("/people/microsoft", data={"action": "refuse"}).status_code == 302
    db.refresh(authority)
    assert authority.tenant_id is None
    actions = [e.action for e in db.scalars(select(AuditEvent))]
    assert "authority.tenant_refused" in actions
    # A contributor has no say.
    client.post("/logout")
    login("ash_contributor")
    assert client.post("/people/microsoft", data={"action": "refuse"}).status_code == 403


@pytest.mark.parametrize(
    ("sub", "arrange", "reason"),
    [
        ("stranger-sub", None, "tenant is not connected"),
        ("gmail-sub", "domains", "email domain is not accepted"),
        ("colin-sub", "deactivate", "deactivated"),
        ("colin-sub", "other-authority", "belongs to another authority"),
        ("kim-sub", "issuer", "another issuer"),
    ],
)
def test_refusals_get_a_plain_page_and_are_audited(
    app, client, db, people, identity_provider, sub, arrange, reason
):
    if arrange == "domains":
        people.kgm_reader.authority.email_domains = ["kingsmere.gov.uk"]
    elif arrange == "deactivate":
        people.kgm_contributor.active = False
        people.kgm_contributor.external_id = f"{IdentityProvider.TENANT}:colin-sub"
    elif arrange == "other-authority":
        people.kgm_contributor.authority = people.ash_reader.authority
        people.kgm_contributor.external_id = f"{IdentityProvider.TENANT}:colin-sub"
    elif arrange == "issuer":
        app.extensions["oidc"].issuer = "https://login.microsoftonline.com/someone-else/v2.0"
    db.commit()
    response = identity_provider.sign_in(client, sub)
    html = response.get_data(as_text=True)
    assert response.status_code == 403 and "Sign-in with Microsoft did not work" in html
    assert "Sign in with your email address and password instead" in html
    assert any(reason in r for r in _refusals(db)), _refusals(db)
    assert client.get("/account").status_code == 302  # not signed in


def test_a_replayed_or_foreign_callback_and_a_wrong_nonce_are_refused(app, client, db, identity_provider):
    # A callback this browser never started (or a second use of one).
    response = client.get("/login/microsoft/callback?code=abc&state=xyz")
    assert response.status_code == 403 and "state" in _refusals(db)[-1]
    # The provider answers with an error.
    with client.session_transaction() as s:
        s["oidc"] = {"state": "st", "nonce": "n", "next": "/"}
    assert client.get("/login/microsoft/callback?error=access_denied&state=st").status_code == 403
    assert "access_denied" in _refusals(db)[-1]

    # The nonce in the token is not the one this browser sent.
    def swap_nonce():
        with client.session_transaction() as s:
            s["oidc"] = {**s["oidc"], "nonce": "another-nonce"}

    response = identity_provider.sign_in(client, "kim-sub", before_callback=swap_nonce)
    assert response.status_code == 403 and "nonce" in _refusals(db)[-1]


def _token(identity_provider, key: dict, **claims) -> str:
    now = int(time.time())
    body = {
        "iss": identity_provider.url,
        "aud": "library-test",
        "sub": "kim-sub",
        "tid": IdentityProvider.TENANT,
        "nonce": "n1",
        "iat": now,
        "exp": now + 300,
        **claims,
    }
    body = {k: v for k, v in body.items() if v is not None}
    signing = RSAKey.import_key(key)
    return jwt.encode({"alg": "RS256", "kid": key.get("kid")}, body, signing)


@pytest.mark.parametrize(
    ("claims", "nonce", "own_key", "reason"),
    [
        ({}, "n1", False, None),
        ({"aud": "another-app"}, "n1", False, "audience"),
        ({"iss": "https://login.microsoftonline.com/x/v2.0"}, "n1", False, "another issuer"),
        ({}, "n2", False, "nonce"),
        ({"exp": int(time.time()) - 3600}, "n1", False, "expired"),
        ({}, "n1", True, "signature"),
    ],
)
def test_id_tokens_are_checked_against_the_providers_keys(
    identity_provider, app, claims, nonce, own_key, reason
):
    """Tokens the provider's own key signs, with one claim wrong each; and one signed by another key."""
    provider: oidc.Provider = app.extensions["oidc"]
    key = (
        RSAKey.generate_key(2048, private=True).as_dict(private=True)
        if own_key
        else identity_provider.signing_key()
    )
    if own_key:
        key["kid"] = identity_provider.signing_key().get("kid")  # the provider's key id, the wrong key
    token = _token(identity_provider, key, **claims)
    if reason is None:
        assert provider.validate(token, nonce)["sub"] == "kim-sub"
    else:
        with pytest.raises(oidc.Refused, match=reason):
            provider.validate(token, nonce)


def test_microsoft_issuers_name_the_tenant(identity_provider, app):
    provider: oidc.Provider = app.extensions["oidc"]
    provider.issuer = "https://login.microsoftonline.com/{tenantid}/v2.0"
    key = identity_provider.signing_key()
    good = _token(
        identity_provider, key, iss=f"https://login.microsoftonline.com/{IdentityProvider.TENANT}/v2.0"
    )
    assert provider.validate(good, "n1")["tid"] == IdentityProvider.TENANT
    other = _token(identity_provider, key, iss="https://login.microsoftonline.com/another-tenant/v2.0")
    with pytest.raises(oidc.Refused, match="another issuer"):
        provider.validate(other, "n1")


def test_off_unless_configured(client):
    assert client.get("/login/microsoft").status_code == 404
    assert "Microsoft" not in client.get("/login").get_data(as_text=True)


def test_an_administrator_connects_a_tenant(client, db, login, people):
    login("admin")
    authority = people.ash_reader.authority
    url = f"/admin/authorities/{authority.id}/tenant"
    bad = client.post(url, data={"tenant_id": "not a tenant!", "email_domains": ""})
    assert bad.status_code == 400 and "tenant ID" in bad.get_data(as_text=True)
    response = client.post(
        url, data={"tenant_id": IdentityProvider.TENANT, "email_domains": "ashcombe.gov.uk, @Ash.gov.uk"}
    )
    assert response.status_code == 302
    db.refresh(authority)
    assert authority.tenant_id == IdentityProvider.TENANT and authority.email_domains == [
        "ash.gov.uk",
        "ashcombe.gov.uk",
    ]
    taken = client.post(
        f"/admin/authorities/{people.kgm_reader.authority.id}/tenant",
        data={"tenant_id": IdentityProvider.TENANT},
    )
    assert taken.status_code == 400 and "already connected to Ashcombe" in taken.get_data(as_text=True)
    client.post("/logout")
    login("kgm_approver")
    assert client.post(url, data={"tenant_id": ""}).status_code == 403
