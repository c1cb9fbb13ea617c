"""The error summary of the pages with a security key step (templates/accounts/
_key_error_summary.html): the key's error, linking to the key's part of the page, on
"Confirm it is you", the sign-in's verification step and adding a key; or else the form's
errors, linking to their fields. Its title says "Error:" first, as GOV.UK's pattern asks."""

import re

import pytest
from django.test import Client

from agencies.models import Role, SecurityKey
from tests.agencies.security_keys import (
    ADD,
    FINISH,
    KEY_STEP,
    ORIGIN,
    at_key_step,
    manager_with_app,
    registered_key,
    verified_client,
)
from tests.clients import client_for
from tests.factories import PASSWORD, UserFactory
from tests.soft_authenticator import SoftKey, b64url

pytestmark = pytest.mark.django_db

CONFIRM = "/accounts/confirm/"
CONFIRM_KEY = "/accounts/confirm/key/"
NO_ANSWER = "Your security key did not answer. Use your security key again."


@pytest.fixture(autouse=True)
def webauthn(settings):
    settings.MFA_REQUIRED = True
    settings.WEBAUTHN_RP_ID = "localhost"
    settings.WEBAUTHN_ORIGINS = [ORIGIN]


def summary(response) -> list[tuple[str, str]]:
    """The error summary's links: (the id each goes to, its text); that id is on the page,
    and the page's title starts with "Error:"."""
    html = response.content.decode()
    start = html.index('<div class="govuk-error-summary"')
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', html[start : html.index("</ul>", start)])
    for target, _ in links:
        assert f'id="{target}"' in html, target
    assert re.search(r"<title>\s*Error: ", html)
    return links


def test_confirm_it_is_you_links_the_keys_error_to_the_key_step(settings):
    settings.MFA_REQUIRED = False  # no second step at sign-in: only this page's
    kit = UserFactory(role=Role.ADMIN)
    soft = SoftKey()
    SecurityKey.objects.create(
        user=kit,
        name="Blue key",
        confirmed=True,
        credential_id=b64url(soft.credential_id),
        public_key=soft._cose_public_key(),
        sign_count=0,
    )
    client = client_for(kit)
    assert client.post(CONFIRM, {"password": PASSWORD, "next": "/admin/"}).status_code == 200

    page = client.post(CONFIRM_KEY, {"next": "/admin/"})

    assert summary(page) == [("security-key", NO_ANSWER)]


def test_confirm_it_is_you_links_a_wrong_password_to_its_field(settings):
    settings.MFA_REQUIRED = False
    page = client_for(UserFactory(role=Role.ADMIN)).post(
        CONFIRM, {"password": "not it", "next": "/admin/"}
    )

    assert [target for target, _ in summary(page)] == ["id_password"]


def test_the_verification_step_links_the_keys_error_to_the_key():
    user, _ = manager_with_app()
    registered_key(user)
    client = Client()
    at_key_step(client, user.username)

    page = client.post(KEY_STEP, {})

    assert summary(page) == [("security-key", NO_ANSWER)]


def test_adding_a_key_links_the_keys_error_to_its_name():
    user, device = manager_with_app()
    client = verified_client(user, device)
    client.post(ADD, {"name": "Blue key", "password": PASSWORD})

    page = client.post(FINISH, {})

    assert summary(page) == [("id_name", NO_ANSWER)]
