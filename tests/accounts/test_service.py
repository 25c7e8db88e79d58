import pytest
from sqlalchemy import select

from library.accounts import service as accounts
from library.core import access
from library.core.errors import NotFound, PermissionDenied, ValidationError
from library.core.models import ApiToken, AuditEvent
from tests.conftest import PASSWORD


def test_authenticate(db, people):
    assert accounts.authenticate(db, "Reader@KGM.example", PASSWORD).id == people.kgm_reader.id
    assert accounts.authenticate(db, "reader@kgm.example", PASSWORD.upper()) is None
    assert accounts.authenticate(db, "nobody@kgm.example", PASSWORD) is None


def test_user_without_password_cannot_sign_in(db, people):
    user = accounts.create_user(
        db,
        None,
        email="np@kgm.example",
        name="No Password",
        role="reader",
        authority_code="KGM",
        password=None,
    )
    assert user.password_hash is None
    assert accounts.authenticate(db, "np@kgm.example", "") is None


def test_only_admins_manage_accounts(db, people):
    with pytest.raises(PermissionDenied):
        accounts.create_authority(db, people.kgm_approver, "NEW", "New", "london")
    with pytest.raises(PermissionDenied):
        accounts.create_user(
            db,
            people.kgm_approver,
            email="a@b.example",
            name="A",
            role="reader",
            authority_code="KGM",
            password="long-enough-pw",
        )


def test_non_admin_roles_need_an_authority(db, people):
    with pytest.raises(ValidationError, match="Choose the user's authority"):
        accounts.create_user(
            db,
            None,
            email="a@b.example",
            name="A",
            role="contributor",
            authority_code=None,
            password="long-enough-pw",
        )
    admin = accounts.create_user(
        db, None, email="a2@b.example", name="A", role="admin", authority_code=None, password="long-enough-pw"
    )
    assert admin.authority is None


def test_tokens_are_hashed_and_revocable(db, people):
    token = accounts.create_token(db, None, people.kgm_reader)
    assert access.user_for_token(db, token).id == people.kgm_reader.id
    row = db.scalars(select(ApiToken)).one()
    assert row.prefix == token[:10] and token not in row.token_hash
    row.revoked_at = row.created_at
    db.commit()
    assert access.user_for_token(db, token) is None
    assert access.user_for_token(db, "") is None
    assert access.user_for_token(db, "pcl_" + "x" * 500) is None


def test_users_may_make_their_own_tokens_but_not_others(db, people):
    assert accounts.create_token(db, people.kgm_reader, people.kgm_reader)
    with pytest.raises(PermissionDenied):
        accounts.create_token(db, people.kgm_reader, people.kgm_approver)


def test_changes_are_audited(db, people):
    accounts.update_user(
        db, people.admin, people.kgm_reader, name="Rita", role="reader", authority_code="ASH", active=True
    )
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "user.updated")).one()
    assert event.details["authority"] == ["KGM", "ASH"]


@pytest.mark.parametrize(
    ("who", "role", "authority"),
    [
        ("kgm_reader", "contributor", "KGM"),
        ("kgm_contributor", "reader", "KGM"),
        ("kgm_contributor", "contributor", "ASH"),
        ("kgm_approver", "admin", None),
    ],
)
def test_administrators_never_give_or_move_owner_roles(db, people, who, role, authority):
    user = people[who]
    with pytest.raises(PermissionDenied, match="invited and managed by their authority's approvers"):
        accounts.update_user(
            db, people.admin, user, name=user.name, role=role, authority_code=authority, active=True
        )


def test_lookups_raise_not_found(db, people):
    with pytest.raises(NotFound):
        accounts.get_user_by_email(db, "ghost@kgm.example")
    with pytest.raises(NotFound):
        accounts.get_authority(db, "ZZZ")
    assert accounts.get_authority(db, "kgm").code == "KGM"


def test_deactivating_on_the_admin_page_revokes_tokens_for_good(db, people):
    token = accounts.create_token(db, None, people.kgm_contributor)
    user = people.kgm_contributor
    accounts.update_user(
        db, people.admin, user, name=user.name, role=user.role, authority_code="KGM", active=False
    )
    assert access.user_for_token(db, token) is None
    accounts.update_user(
        db, people.admin, user, name=user.name, role=user.role, authority_code="KGM", active=True
    )
    assert access.user_for_token(db, token) is None
    assert db.scalars(select(ApiToken)).one().revoked_reason == "deactivated"
