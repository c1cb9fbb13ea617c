"""Information requests: screeners ask partner agencies; partners see and answer only
their own agency's requests; answers show on the referral; overdue requests are marked."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.template.loader import render_to_string
from django.utils import timezone

from agencies.census import AgencyType
from agencies.models import Role
from audit.models import AccessLog
from core.exceptions import DomainError, InvalidState, NotPermitted
from tests.clients import client_for
from tests.factories import (
    AgencyFactory,
    DecisionFactory,
    HouseholdMemberFactory,
    InformationRequestFactory,
    ReferralFactory,
    UserFactory,
)
from triage.models import InformationRequest
from triage.requests_views import information_requests_context
from triage.selectors import open_requests_overdue
from triage.services.information import (
    answer_information_request,
    default_due_at,
    requests_for_partner,
    send_information_request,
)

pytestmark = pytest.mark.django_db

# 10:00 UTC is 11:00 in London (summer time).
NOW = datetime(2026, 6, 3, 10, 0, tzinfo=UTC)


@pytest.fixture
def health():
    return AgencyFactory(name="Test Health Visiting", type=AgencyType.HEALTH_VISITING)


@pytest.fixture
def police():
    return AgencyFactory(name="Test Police", type=AgencyType.POLICE)


@pytest.fixture
def social_care():
    return AgencyFactory(name="Test Social Care", type=AgencyType.CHILDRENS_SOCIAL_CARE)


@pytest.fixture
def screener(social_care):
    return UserFactory(role=Role.SCREENER, agency=social_care, first_name="Alex", last_name="Moss")


@pytest.fixture
def health_partner(health):
    return UserFactory(role=Role.PARTNER, agency=health)


@pytest.fixture
def police_partner(police):
    return UserFactory(role=Role.PARTNER, agency=police)


@pytest.fixture
def referral():
    return ReferralFactory(
        child_first_name="Rowan",
        child_last_name="Testchild",
        child_postcode="NE1 4XX",
        referrer_phone="07700 900123",
        worry="Unexplained bruising seen on the forearm during PE.",
        lived_experience="Cares for a younger sibling most mornings.",
        child_voice="Said home is noisy at night.",
    )


def send(referral, by, agency, **overrides):
    kwargs = {
        "referral_id": referral.pk,
        "by": by,
        "agency_id": agency.pk,
        "question": "Is the family known to you? When did you last see the child?",
        "due_at": timezone.now() + timedelta(hours=3),
    }
    return send_information_request(**{**kwargs, **overrides})


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
