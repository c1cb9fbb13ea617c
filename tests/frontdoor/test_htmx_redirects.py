"""A redirect answered to htmx sends the whole window there (``HX-Redirect``), never the
page it leads to into a piece of the page: a session that ran out while the chronology
was open must not put the sign-in form among the child's events."""

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from agencies.models import Role
from tests.factories import PASSWORD, ChildFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def signed_in_screener(client: Client) -> None:
    UserFactory(username="sam", role=Role.SCREENER)
    assert (
        client.post("/accounts/login/", {"username": "sam", "password": PASSWORD}).status_code
        == 302
    )


def test_an_idle_session_sends_the_window_to_sign_in_and_back_to_the_piece(client):
    child = ChildFactory()
    piece = f"{reverse('children:chronology', args=[child.pk])}?cursor=abc"
    with time_machine.travel("2026-11-27 16:00:00+00:00", tick=False) as traveller:
        signed_in_screener(client)
        traveller.shift(31 * 60)

        response = client.get(piece, **HTMX)

        assert response.status_code == 204
        assert response.content == b""
        assert "Location" not in response
        assert response["Clear-Site-Data"] == '"cache", "storage"'
        login = response["HX-Redirect"]
        assert login.startswith("/accounts/login/?next=")
        # The signed-out message travels with it (the messages cookie or the session's).
        page = client.get(login).content.decode()
        assert "inactive for 30 minutes" in page
        assert "Sign in" in page


def test_a_signed_out_visitor_asking_for_a_piece_is_sent_to_sign_in(client):
    child = ChildFactory()

    response = client.get(reverse("children:chronology", args=[child.pk]), **HTMX)

    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/login/?next=")


def test_without_htmx_a_redirect_stays_a_redirect(client):
    child = ChildFactory()

    response = client.get(reverse("children:chronology", args=[child.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert "HX-Redirect" not in response


def test_an_htmx_answer_that_is_not_a_redirect_is_left_alone(client):
    signed_in_screener(client)
    child = ChildFactory()
    ReferralFactory(child=child)  # open: no reason asked for

    response = client.get(reverse("children:chronology", args=[child.pk]), **HTMX)

    assert response.status_code == 200
    assert "HX-Redirect" not in response
    assert "moj-timeline__item" in response.content.decode()
