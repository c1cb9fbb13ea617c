"""What the tests of the notices people get when their sign-in details change share
(test_sign_in_change_notices.py, test_sign_in_change_notices_server.py,
test_email_change_notices.py): the moment of the change and how the email words it, and
who was emailed; changing one's own password and asking for an API token. The `told`
fixture is in conftest.py."""

from django.test import Client

from notices.models import Notification
from tests.factories import PASSWORD

# 08:00 UTC is 09:00 in London in July (British Summer Time): the email says local time.
AT = "2026-07-01 08:00:00+00:00"
WHEN = "Wed 01 Jul 2026 at 09:00"
NEW_PASSWORD = "quiet-lantern-orbit-47"
ADMINISTRATOR = "tell your Front Door administrator straight away"


def only_email_to(mailoutbox, user):
    assert [m.to for m in mailoutbox] == [[user.email]]
    return mailoutbox[0]


def nothing_sent(mailoutbox) -> bool:
    return mailoutbox == [] and not Notification.objects.exists()


def change_own_password(client, *, old=PASSWORD, new=NEW_PASSWORD):
    return client.post(
        "/accounts/password/",
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def ask_for_token(password=PASSWORD):
    return Client().post(
        "/api/v1/auth/token/",
        {"username": "pat", "password": password},
        content_type="application/json",
    )
