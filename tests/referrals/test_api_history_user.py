"""A referral made through the API with a token is kept in its history as made by the
token's holder, not by "the system": the history pages name who did what."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from agencies.models import Role
from referrals.models import Referral
from tests.factories import PASSWORD, UserFactory
from tests.referrals.test_api import URL, referral_body

pytestmark = pytest.mark.django_db


def test_a_referral_posted_with_a_token_is_kept_as_made_by_the_tokens_holder():
    holder = UserFactory(username="pat.police", role=Role.REFERRER)
    client = APIClient()
    token = client.post(
        "/api/v1/auth/token/", {"username": "pat.police", "password": PASSWORD}, format="json"
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    created = client.post(URL, referral_body(), format="json")

    assert created.status_code == 201
    first = Referral.history.filter(id=created.json()["id"]).earliest("history_date")
    assert first.history_user_id == holder.pk
