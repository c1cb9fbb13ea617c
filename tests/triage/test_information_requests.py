"""Information requests, the services: the default due time; screeners and managers send
them, never to children's social care, an inactive agency or in the past; partners
answer only their own agency's; the selectors. The partner pages are in
test_information_request_pages.py, the screening page's part in
test_information_request_screening.py."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from agencies.models import Role
from core.exceptions import DomainError, InvalidState, NotPermitted
from tests.clients import client_for
from tests.factories import DecisionFactory, InformationRequestFactory, UserFactory
from tests.triage.information_request_helpers import NOW, send
from triage.models import InformationRequest
from triage.selectors import open_requests_overdue
from triage.services.information import (
    answer_information_request,
    default_due_at,
    requests_for_partner,
)

pytestmark = pytest.mark.django_db


# --- The default due time -------------------------------------------------------------


def test_default_due_time_is_four_hours_when_the_decision_is_far_off(referral):
    referral.decision_due_at = NOW + timedelta(hours=20)

    assert default_due_at(referral, NOW) == NOW + timedelta(hours=4)


def test_default_due_time_leaves_two_hours_before_the_decision_is_due(referral):
    referral.decision_due_at = NOW + timedelta(hours=5)

    assert default_due_at(referral, NOW) == NOW + timedelta(hours=3)


def test_default_due_time_is_never_less_than_an_hour_away(referral):
    referral.decision_due_at = NOW + timedelta(minutes=90)

    assert default_due_at(referral, NOW) == NOW + timedelta(hours=1)


# Saturday 6 June 2026, 10:00 UTC: 11:00 in London.
SATURDAY = datetime(2026, 6, 6, 10, 0, tzinfo=UTC)


def test_default_due_time_on_a_weekend_or_a_bank_holiday_stays_within_the_decisions_clock(
    referral,
):
    """The clock does not wait for enquiries: a request offered for after the weekend or
    Christmas would be answered after the decision was due."""
    referral.decision_due_at = SATURDAY + timedelta(hours=20)
    assert default_due_at(referral, SATURDAY) == SATURDAY + timedelta(hours=4)

    christmas = datetime(2026, 12, 25, 10, 0, tzinfo=UTC)
    referral.decision_due_at = christmas + timedelta(hours=24)
    assert default_due_at(referral, christmas) == christmas + timedelta(hours=4)


def test_the_screening_page_names_the_weekday_of_the_time_offered(screener, referral, health):
    referral.received_at = SATURDAY - timedelta(hours=2)
    referral.decision_due_at = referral.received_at + timedelta(hours=24)
    referral.save()

    with time_machine.travel(SATURDAY, tick=False):
        page = client_for(screener).get(f"/triage/referrals/{referral.pk}/").content.decode()

    assert "Offered: Saturday 6 June 2026." in page
    assert 'name="ir-due_date_day" type="text" inputmode="numeric" value="6"' in page
    assert 'name="ir-due_time" value="15:00"' in page


# --- Sending --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SCREENER, Role.MANAGER])
def test_screeners_and_managers_can_send_a_request(referral, health, role):
    information_request = send(referral, UserFactory(role=role), health)

    assert information_request.agency == health
    assert information_request.referral == referral
    assert not information_request.is_answered
    assert information_request.history.count() == 1


@pytest.mark.parametrize("role", [Role.REFERRER, Role.AGENCY_LEAD, Role.PARTNER, Role.AUDITOR])
def test_other_roles_cannot_send_a_request(referral, health, role):
    with pytest.raises(NotPermitted):
        send(referral, UserFactory(role=role), health)

    assert not InformationRequest.objects.exists()


def test_a_request_cannot_be_sent_about_a_decided_referral(referral, screener, health):
    DecisionFactory(referral=referral)

    with pytest.raises(InvalidState, match="decided"):
        send(referral, screener, health)


def test_a_request_cannot_go_to_childrens_social_care(referral, screener, social_care):
    with pytest.raises(DomainError) as error:
        send(referral, screener, social_care)

    assert "agency" in error.value.errors


def test_a_request_cannot_go_to_an_inactive_agency(referral, screener, health):
    health.is_active = False
    health.save()

    with pytest.raises(DomainError) as error:
        send(referral, screener, health)

    assert "agency" in error.value.errors


def test_a_request_needs_a_question(referral, screener, health):
    with pytest.raises(DomainError) as error:
        send(referral, screener, health, question="   ")

    assert "question" in error.value.errors


def test_a_request_cannot_be_due_in_the_past(referral, screener, health):
    with pytest.raises(DomainError) as error:
        send(referral, screener, health, due_at=timezone.now() - timedelta(minutes=1))

    assert "due_at" in error.value.errors


# --- Answering ------------------------------------------------------------------------


def test_a_partner_answers_a_request_to_their_agency(health_partner):
    information_request = InformationRequestFactory()

    answered = answer_information_request(
        request_id=information_request.pk, by=health_partner, answer="Seen at 8 weeks; no concerns."
    )

    assert answered.answer == "Seen at 8 weeks; no concerns."
    assert answered.answered_by == health_partner
    assert answered.answered_at is not None
    assert answered.history.count() == 2
    assert answered.history.first().history_user == health_partner


def test_a_partner_cannot_answer_another_agencys_request(police_partner):
    information_request = InformationRequestFactory()

    with pytest.raises(NotPermitted):
        answer_information_request(
            request_id=information_request.pk, by=police_partner, answer="Known to us."
        )


def test_a_screener_cannot_answer_a_request(screener):
    information_request = InformationRequestFactory()

    with pytest.raises(NotPermitted):
        answer_information_request(request_id=information_request.pk, by=screener, answer="x")


def test_an_answer_cannot_be_blank(health_partner):
    information_request = InformationRequestFactory()

    with pytest.raises(DomainError) as error:
        answer_information_request(request_id=information_request.pk, by=health_partner, answer="")

    assert "answer" in error.value.errors


def test_a_request_cannot_be_answered_twice(health_partner):
    information_request = InformationRequestFactory()
    answer_information_request(request_id=information_request.pk, by=health_partner, answer="One")

    with pytest.raises(InvalidState, match="already been answered"):
        answer_information_request(
            request_id=information_request.pk, by=health_partner, answer="Two"
        )

    information_request.refresh_from_db()
    assert information_request.answer == "One"


# --- Selectors ------------------------------------------------------------------------


def test_a_partner_gets_only_their_agencys_requests_unanswered_first(
    health_partner, police, health
):
    later = InformationRequestFactory(due_at=timezone.now() + timedelta(hours=5))
    sooner = InformationRequestFactory(due_at=timezone.now() + timedelta(hours=2))
    answered = InformationRequestFactory()
    answer_information_request(request_id=answered.pk, by=health_partner, answer="Known.")
    InformationRequestFactory(agency=police)

    assert list(requests_for_partner(health_partner)) == [sooner, later, answered]


def test_a_partner_without_an_agency_gets_no_requests(health_partner):
    InformationRequestFactory()
    health_partner.agency_id = None  # the database refuses to save this; a stale object

    assert not requests_for_partner(health_partner).exists()


def test_overdue_requests_are_the_unanswered_ones_past_their_due_time(health_partner):
    with time_machine.travel(NOW, tick=False):
        overdue = InformationRequestFactory(due_at=NOW + timedelta(hours=1))
        InformationRequestFactory(due_at=NOW + timedelta(hours=3))
        answered = InformationRequestFactory(due_at=NOW + timedelta(hours=1))
        answer_information_request(request_id=answered.pk, by=health_partner, answer="Known.")

    assert list(open_requests_overdue(NOW + timedelta(hours=2))) == [overdue]
