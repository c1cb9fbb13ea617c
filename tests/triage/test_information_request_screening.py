"""Information requests on the screening page: the answers and overdue requests shown on
the referral, the send form offered to whom and about what, and sending from it."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.template.loader import render_to_string
from django.utils import timezone

from agencies.census import AgencyType
from agencies.models import Role
from tests.clients import client_for
from tests.factories import AgencyFactory, DecisionFactory, UserFactory
from tests.triage.information_request_helpers import NOW, send
from triage.models import InformationRequest
from triage.requests_views import information_requests_context
from triage.services.information import answer_information_request

pytestmark = pytest.mark.django_db


# --- The screening page's partial -----------------------------------------------------


def test_the_answer_shows_on_the_referral(screener, health_partner, referral):
    information_request = send(referral, screener, health_partner.agency)
    answer_information_request(
        request_id=information_request.pk, by=health_partner, answer="Known: missed two visits."
    )

    html = render_to_string(
        "_components/information_requests.html",
        information_requests_context(user=screener, referral=referral, now=timezone.now()),
    )

    assert "Known: missed two visits." in html
    assert ">Answered<" in html
    assert "fd-preserve-lines" in html
    assert health_partner.agency.name in html


def test_an_overdue_request_is_marked_on_the_referral(screener, health_partner, referral):
    with time_machine.travel(NOW, tick=False):
        send(referral, screener, health_partner.agency, due_at=NOW + timedelta(hours=1))

    context = information_requests_context(
        user=screener, referral=referral, now=NOW + timedelta(hours=2)
    )
    html = render_to_string("_components/information_requests.html", context)

    assert ">Overdue<" in html
    assert "Not answered yet" in html


def test_the_referral_offers_no_send_form_once_decided(screener, referral):
    DecisionFactory(referral=referral)

    context = information_requests_context(user=screener, referral=referral, now=timezone.now())
    html = render_to_string("_components/information_requests.html", context)

    assert context["information_request_form"] is None
    assert "no more requests can be sent" in html


def test_an_auditor_sees_requests_but_no_send_form(referral):
    auditor = UserFactory(role=Role.AUDITOR)

    context = information_requests_context(user=auditor, referral=referral, now=timezone.now())

    assert context["information_request_form"] is None


def test_the_send_form_offers_only_active_partner_agencies(screener, referral, health, police):
    AgencyFactory(name="Closed Agency", type=AgencyType.SCHOOL, is_active=False)

    html = render_to_string(
        "_components/information_requests.html",
        information_requests_context(user=screener, referral=referral, now=timezone.now()),
    )

    assert "Test Health Visiting" in html
    assert "Test Police" in html
    assert "Closed Agency" not in html
    assert "Test Social Care" not in html
    assert "Ask what they know about the child and household" in html


# --- Sending from the screening page --------------------------------------------------


def send_form(agency, **overrides):
    data = {
        "ir-agency": agency.pk if agency else "",
        "ir-question": "Is the family known to you?",
        "ir-due_date_day": "3",
        "ir-due_date_month": "6",
        "ir-due_date_year": "2026",
        "ir-due_time": "15:00",
    }
    return {**data, **overrides}


def test_a_screener_sends_a_request_and_goes_back_to_the_referral(screener, referral, health):
    with time_machine.travel(NOW, tick=False):
        response = client_for(screener).post(
            f"/requests/send/{referral.pk}/",
            send_form(health, next=f"/triage/referrals/{referral.pk}/"),
        )

    assert response.status_code == 302
    assert response["Location"] == f"/triage/referrals/{referral.pk}/"
    information_request = InformationRequest.objects.get()
    assert information_request.agency == health
    assert information_request.requested_by == screener
    # 15:00 typed in London summer time is 14:00 UTC.
    assert information_request.due_at == datetime(2026, 6, 3, 14, 0, tzinfo=UTC)


def test_sending_without_next_returns_to_the_screening_page(screener, referral, health):
    with time_machine.travel(NOW, tick=False):
        response = client_for(screener).post(f"/requests/send/{referral.pk}/", send_form(health))

    assert response.status_code == 302
    assert response["Location"] == f"/triage/referrals/{referral.pk}/"


def test_sending_ignores_a_next_address_on_another_site(screener, referral, health):
    with time_machine.travel(NOW, tick=False):
        response = client_for(screener).post(
            f"/requests/send/{referral.pk}/", send_form(health, next="https://evil.example/")
        )

    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


@pytest.mark.parametrize("next_", ["zzz", "home", "-1"])
def test_a_next_that_is_not_a_path_returns_to_the_screening_page_not_a_server_error(
    screener, referral, health, next_
):
    with time_machine.travel(NOW, tick=False):
        response = client_for(screener).post(
            f"/requests/send/{referral.pk}/", send_form(health, next=next_)
        )

    assert response.status_code == 302
    assert response["Location"] == f"/triage/referrals/{referral.pk}/"
    assert InformationRequest.objects.count() == 1


def test_a_send_with_errors_keeps_what_was_typed(screener, referral):
    with time_machine.travel(NOW, tick=False):
        response = client_for(screener).post(
            f"/requests/send/{referral.pk}/",
            send_form(None, **{"ir-question": "Has Rowan attended clinic this year?"}),
        )

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Select the agency to send the request to" in page
    assert "Has Rowan attended clinic this year?" in page
    assert not InformationRequest.objects.exists()


def test_a_send_due_in_the_past_is_refused_on_the_page(screener, referral, health):
    with time_machine.travel(NOW, tick=False):
        response = client_for(screener).post(
            f"/requests/send/{referral.pk}/", send_form(health, **{"ir-due_time": "10:30"})
        )

    assert response.status_code == 400
    assert "must be in the future" in response.content.decode()
    assert not InformationRequest.objects.exists()


def test_a_send_about_a_decided_referral_is_refused_on_the_page(screener, referral, health):
    DecisionFactory(referral=referral)
    with time_machine.travel(NOW, tick=False):
        response = client_for(screener).post(f"/requests/send/{referral.pk}/", send_form(health))

    assert response.status_code == 400
    assert "information requests can no longer be sent" in response.content.decode()
    assert not InformationRequest.objects.exists()


@pytest.mark.parametrize("client_fixture", ["partner_client", "referrer_client", "auditor_client"])
def test_only_screeners_and_managers_can_send(client_fixture, request, referral, health):
    client = request.getfixturevalue(client_fixture)

    response = client.post(f"/requests/send/{referral.pk}/", send_form(health))

    assert response.status_code == 403
    assert not InformationRequest.objects.exists()


def test_sending_about_an_unknown_referral_is_404(screener, health):
    response = client_for(screener).post("/requests/send/999999/", send_form(health))

    assert response.status_code == 404


def test_sending_is_post_only(screener, referral):
    assert client_for(screener).get(f"/requests/send/{referral.pk}/").status_code == 405


def test_the_screening_page_and_the_send_page_name_the_day_of_each_deadline(
    screener, referral, health
):
    """On a Friday afternoon "due 3 Jun, 14:00" does not say whether it is Monday."""
    with time_machine.travel(NOW, tick=False):
        referral.received_at = NOW - timedelta(hours=4)
        referral.decision_due_at = NOW + timedelta(hours=20)
        referral.save(update_fields=["received_at", "decision_due_at"])
        send(referral, screener, health, due_at=NOW + timedelta(hours=4))
        client = client_for(screener)
        screening = client.get(f"/triage/referrals/{referral.pk}/").content.decode()
        refused = client.post(
            f"/requests/send/{referral.pk}/", send_form(None, **{"ir-question": ""})
        ).content.decode()

    assert "Wed 3 Jun 2026, 15:00" in screening  # the answer's due time, London summer time
    assert "is due by Thursday 4 June 2026, 07:00." in refused  # the decision's
