"""What the security key tests share (tests/agencies/test_security_keys.py, adding and
removing keys, and test_security_key_sign_in.py, signing in with one): the pages, the
relying party's settings (the ``webauthn`` fixture: import it into the test module, where
it is autouse) and the steps that add a key or reach the key step."""

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from agencies.models import Role, SecurityKey
from tests.factories import PASSWORD, TOTPDeviceFactory
from tests.soft_authenticator import SoftKey

LOGIN = "/accounts/login/"
VERIFY = "/accounts/two-step/verify/"
KEY_STEP = "/accounts/two-step/key/"
SETUP = "/accounts/two-step/"
ADD = "/accounts/security-keys/add/"
FINISH = "/accounts/security-keys/add/finish/"
ORIGIN = "http://localhost:8000"


@pytest.fixture(autouse=True)
def webauthn(settings):
    settings.MFA_REQUIRED = True
    settings.WEBAUTHN_RP_ID = "localhost"
    settings.WEBAUTHN_ORIGINS = [ORIGIN]


def verified_client(user, device) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def manager_with_app(username="ruth"):
    device = TOTPDeviceFactory(user__username=username, user__role=Role.MANAGER)
    return device.user, device


def add_key(client, soft: SoftKey, *, name="Blue key", origin=None):
    """The account page's two steps: name and password, then the key's answer."""
    page = client.post(ADD, {"name": name, "password": PASSWORD})
    assert page.status_code == 200, page.content
    options = page.context["options"]
    return client.post(FINISH, {"credential": soft.register(options, origin=origin)})


def registered_key(user, soft: SoftKey | None = None, *, name="Blue key"):
    """A key registered for ``user`` through the pages, and its software authenticator."""
    soft = soft or SoftKey()
    device = TOTPDeviceFactory(user=user) if not user.totpdevice_set.exists() else None
    client = verified_client(user, device or user.totpdevice_set.first())
    response = add_key(client, soft, name=name)
    assert response.status_code == 302, response.content
    return SecurityKey.objects.get(user=user, name=name), soft


def at_key_step(client, username):
    """Signed in with the password: the verification page, its key options."""
    response = client.post(LOGIN, {"username": username, "password": PASSWORD})
    assert response["Location"].startswith(VERIFY)
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page
