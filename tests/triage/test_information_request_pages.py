"""Information requests, the partner's pages: partners see and answer only their own
agency's requests, with the minimum needed to find the child and the household the
referrer named, and nothing else of the referral; the access log; overdue in words."""

from datetime import date, timedelta

import pytest
import time_machine

from audit.models import AccessLog
from tests.clients import client_for
from tests.factories import HouseholdMemberFactory, InformationRequestFactory, ReferralFactory
from tests.triage.information_request_helpers import NOW, send
from triage.services.information import answer_information_request

pytestmark = pytest.mark.django_db


# --- Partner pages --------------------------------------------------------------------


def test_a_partner_sees_only_their_agencys_requests_in_the_list(health_partner, police):
    InformationRequestFactory(referral=ReferralFactory(child_first_name="Healthchild"))
    InformationRequestFactory(
        referral=ReferralFactory(child_first_name="Policechild"), agency=police
    )

    response = client_for(health_partner).get("/requests/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Healthchild" in page
    assert "Policechild" not in page


@pytest.mark.parametrize(
    "client_fixture",
    ["referrer_client", "agency_lead_client", "screener_client", "auditor_client"],
)
def test_only_partners_can_open_the_requests_list(client_fixture, request):
    client = request.getfixturevalue(client_fixture)

    assert client.get("/requests/").status_code == 403


def test_signing_in_is_needed_for_the_requests_list(client):
    response = client.get("/requests/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_partner_gets_404_for_another_agencys_request(police_partner):
    information_request = InformationRequestFactory(question="Secret health question")

    response = client_for(police_partner).get(f"/requests/{information_request.pk}/")

    assert response.status_code == 404
    assert "Secret health question" not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_a_partner_cannot_answer_another_agencys_request_through_the_page(police_partner):
    information_request = InformationRequestFactory()

    response = client_for(police_partner).post(
        f"/requests/{information_request.pk}/", {"answer": "Known to us"}
    )

    assert response.status_code == 404
    information_request.refresh_from_db()
    assert not information_request.is_answered


def test_a_partner_cannot_open_referral_lists_the_queue_or_a_referral(partner_client, referral):
    assert partner_client.get("/referrals/mine/").status_code == 403
    assert partner_client.get("/triage/").status_code == 403
    assert partner_client.get(f"/triage/referrals/{referral.pk}/").status_code in {403, 404}


def test_a_partner_sees_no_referrals_through_the_api(partner_client, referral):
    response = partner_client.get("/api/v1/referrals/")

    assert response.status_code in {200, 403}
    if response.status_code == 200:
        assert response.json()["results"] == []
    assert partner_client.get(f"/api/v1/referrals/{referral.pk}/").status_code in {403, 404}


def test_the_request_page_shows_the_minimum_needed_to_find_the_child(health_partner, referral):
    information_request = InformationRequestFactory(
        referral=referral, question="Is the family registered with you?"
    )

    response = client_for(health_partner).get(f"/requests/{information_request.pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert referral.reference in page
    assert "Rowan Testchild" in page
    assert "17 May 2018" in page
    assert "NE1 4XX" in page
    assert "Is the family registered with you?" in page
    for private in (referral.worry, referral.lived_experience, referral.child_voice):
        assert private not in page
    assert "07700 900123" not in page
    assert referral.referrer.display_name not in page


def test_the_request_page_says_who_asked_and_when_it_is_due(health_partner, screener, referral):
    with time_machine.travel(NOW, tick=False):
        information_request = send(
            referral, screener, health_partner.agency, due_at=NOW + timedelta(hours=3)
        )
        page = client_for(health_partner).get(f"/requests/{information_request.pk}/")

    text = page.content.decode()
    assert "Alex Moss" in text
    assert "3 June 2026, 11:00" in text  # asked, in London time
    assert "Wednesday 3 June 2026, 14:00" in text  # due, with its day


def test_viewing_a_request_writes_the_access_log(health_partner, referral):
    information_request = InformationRequestFactory(referral=referral)

    client_for(health_partner).get(f"/requests/{information_request.pk}/")

    entry = AccessLog.objects.get()
    assert entry.kind == AccessLog.Kind.REFERRAL
    assert entry.object_id == referral.pk
    assert entry.user_id == health_partner.pk


def test_an_overdue_request_is_marked_overdue_in_words(health_partner):
    with time_machine.travel(NOW, tick=False):
        InformationRequestFactory(due_at=NOW + timedelta(hours=2))
        before = client_for(health_partner).get("/requests/").content.decode()

    # A new sign-in: the first session has been idle too long by then.
    with time_machine.travel(NOW + timedelta(hours=2, minutes=1), tick=False):
        after = client_for(health_partner).get("/requests/").content.decode()

    assert "Overdue" not in before
    assert "Wed 3 Jun 2026, 13:00" in before  # the day too: is it before the weekend?
    assert ">Overdue<" in after
    assert "1 overdue" in after


def test_a_partner_answers_from_the_request_page(health_partner):
    information_request = InformationRequestFactory()
    client = client_for(health_partner)

    response = client.post(
        f"/requests/{information_request.pk}/",
        {"answer": "Registered with us.\nLast seen 2 May."},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/requests/"
    page = response.content.decode()
    assert "has been sent to the front door" in page
    assert ">Answered<" in page
    information_request.refresh_from_db()
    assert information_request.answer == "Registered with us.\nLast seen 2 May."
    assert information_request.answered_by == health_partner


def test_a_blank_answer_shows_the_error_summary_with_400(health_partner):
    information_request = InformationRequestFactory()

    response = client_for(health_partner).post(
        f"/requests/{information_request.pk}/", {"answer": "  "}
    )

    # As every other triage form answers a mistake (it was 200 here).
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter your answer" in page
    information_request.refresh_from_db()
    assert not information_request.is_answered


def test_an_answered_request_shows_the_answer_and_no_form(health_partner):
    information_request = InformationRequestFactory()
    answer_information_request(
        request_id=information_request.pk, by=health_partner, answer="Not known to us."
    )

    page = client_for(health_partner).get(f"/requests/{information_request.pk}/").content.decode()

    assert "Not known to us." in page
    assert "Send answer" not in page


# --- Who the question is about: the household as the referrer named them ---------------


def test_a_partner_sees_the_household_named_in_the_referral(health, health_partner, referral):
    HouseholdMemberFactory(
        referral=referral, name="Morgan Testadult", relationship="Stepfather",
        date_of_birth=date(1988, 2, 29),
    )  # fmt: skip
    HouseholdMemberFactory(
        referral=referral, name="Sky Testchild", relationship="Sister", date_of_birth=None
    )
    information_request = InformationRequestFactory(referral=referral, agency=health)

    html = client_for(health_partner).get(f"/requests/{information_request.pk}/").content.decode()

    assert "Morgan Testadult" in html and "Stepfather" in html and "29 February 1988" in html
    assert "Sky Testchild" in html and "Sister" in html


def test_a_partner_sees_nothing_else_the_referrer_wrote(health, health_partner, referral):
    HouseholdMemberFactory(
        referral=referral, name="Morgan Testadult", lives_with_child=False,
        known_risk="Known risk: subject to a non-molestation order",
    )  # fmt: skip
    information_request = InformationRequestFactory(referral=referral, agency=health)

    html = client_for(health_partner).get(f"/requests/{information_request.pk}/").content.decode()

    assert "Morgan Testadult" in html
    for detail in (
        "non-molestation order",
        "does not live with the child",
        referral.worry,
        referral.lived_experience,
        referral.child_voice,
        referral.referrer_phone,
    ):
        assert detail not in html


def test_another_referrals_household_is_not_shown(health, health_partner, referral):
    HouseholdMemberFactory(name="Someone Elsewhere")
    information_request = InformationRequestFactory(referral=referral, agency=health)

    html = client_for(health_partner).get(f"/requests/{information_request.pk}/").content.decode()

    assert "Someone Elsewhere" not in html
    assert "names no one else in the child's household" in html
