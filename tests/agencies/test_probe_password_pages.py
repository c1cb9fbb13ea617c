"""The change-password and "Confirm it is you" pages probed as a clumsy user and an
attacker would: nothing typed, a NUL, 100,000 characters. Never a server error, never a
password changed, and each message names the field it is about (Django's own said
"This field is required." three times over)."""

import pytest

from agencies import reauth
from agencies.models import Role
from tests.clients import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD_URL = "/accounts/password/"
CONFIRM_URL = "/accounts/confirm/"


@pytest.fixture
def user():
    return UserFactory(role=Role.SCREENER)


def test_nothing_typed_names_each_of_the_three_passwords(user):
    response = client_for(user).post(PASSWORD_URL, {})

    page = response.content.decode()
    assert response.status_code == 200
    for message in (
        "Enter the current password",
        "Enter the new password",
        "Enter the new password again",
    ):
        assert message in page
    assert "This field is required." not in page


def test_a_nul_in_a_password_is_named_and_nothing_changes(user):
    old_hash = user.password

    response = client_for(user).post(
        PASSWORD_URL,
        {
            "old_password": "x\x00",
            "new_password1": "quiet\x00harbour lantern maple",
            "new_password2": "quiet\x00harbour lantern maple",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Current password: a null character cannot be used here" in page
    assert "New password: a null character cannot be used here" in page
    user.refresh_from_db()
    assert user.password == old_hash


def test_a_very_long_password_is_refused_naming_why_and_nothing_changes(user):
    old_hash = user.password
    huge = "correct horse " * 7_000  # about 100,000 characters

    response = client_for(user).post(
        PASSWORD_URL, {"old_password": huge, "new_password1": huge, "new_password2": huge}
    )

    assert response.status_code == 200
    assert "This password is too long: use at most 128 characters" in response.content.decode()
    user.refresh_from_db()
    assert user.password == old_hash


def test_confirm_it_is_you_names_the_password_for_a_nul_and_confirms_nothing(user):
    client = client_for(user)

    response = client.post(CONFIRM_URL, {"password": "a\x00b"})

    assert response.status_code == 200
    assert "Your password: a null character cannot be used here" in response.content.decode()
    assert reauth.SESSION_KEY not in client.session


@pytest.mark.parametrize("value", ["\u00b2", "-1", "9" * 5000, "\x00", "x" * 100_000])
def test_marking_a_notice_read_with_a_mangled_id_marks_nothing(user, value):
    from tests.factories import NotificationFactory

    notice = NotificationFactory(recipient=user, read_at=None)

    response = client_for(user).post("/inbox/read/", {"notification": value})

    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.read_at is None
