"""The referral as its referrer, or their agency's lead, reads it back: what was sent,
where it stands, the feedback; never the front door's own record."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.census import AgencyType
from agencies.models import Role
from audit.models import AccessLog
from referrals.models import Outcome, Submission
from tests.clients import client_for
from tests.factories import (
    AgencyFactory,
    DecisionFactory,
    HouseholdMemberFactory,
    InformationRequestFactory,
    QualityRatingFactory,
    ReferralFactory,
    ScreeningNoteFactory,
    UserFactory,
)
from triage.models import DecisionAmendment

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return AgencyFactory(name="Page Primary", type=AgencyType.SCHOOL)


@pytest.fixture
def teacher(school):
    return UserFactory(role=Role.REFERRER, agency=school)


@pytest.fixture
def referral(teacher):
    return ReferralFactory(
        referrer=teacher,
        worry="Worry as sent: Pagechild comes in without a coat every day.",
    )


def page(user, referral):
    return client_for(user).get(f"/referrals/{referral.pk}/")


def test_the_referrer_reads_back_what_they_sent_and_where_it_stands(teacher, referral):
    HouseholdMemberFactory(referral=referral, name="Pagemum Testchild", relationship="Mother")

    response = page(teacher, referral)

    html = response.content.decode()
    assert response.status_code == 200
    assert referral.reference in html
    assert "Worry as sent: Pagechild comes in without a coat every day." in html
    assert "Pagemum Testchild" in html
    assert "No decision yet" in html
    assert 'data-clock-state="on_time"' in html


def test_a_colleagues_referral_is_not_found_for_a_referrer(school, teacher):
    colleague = UserFactory(role=Role.REFERRER, agency=school)
    theirs = ReferralFactory(referrer=colleague)

    assert page(teacher, theirs).status_code == 404


def test_the_agency_lead_reads_any_of_the_agencys_referrals(school, referral):
    lead = UserFactory(role=Role.AGENCY_LEAD, agency=school)

    response = page(lead, referral)

    assert response.status_code == 200
    assert "What was sent" in response.content.decode()


def test_another_agencys_referral_is_not_found_for_the_lead(school):
    lead = UserFactory(role=Role.AGENCY_LEAD, agency=school)
    police = AgencyFactory(type=AgencyType.POLICE)
    theirs = ReferralFactory(referrer=UserFactory(role=Role.REFERRER, agency=police))

    assert page(lead, theirs).status_code == 404


@pytest.mark.parametrize("role", [Role.SCREENER, Role.MANAGER, Role.PARTNER, Role.AUDITOR])
def test_the_page_is_for_referrers_and_leads_only(referral, role):
    assert page(UserFactory(role=role), referral).status_code == 403


def test_reading_the_page_is_written_to_the_access_log(teacher, referral):
    page(teacher, referral)

    entry = AccessLog.objects.get(user_id=teacher.pk)
    assert (entry.kind, entry.object_id) == (AccessLog.Kind.REFERRAL, referral.pk)


def test_a_refused_read_is_not_logged_as_a_view(school, teacher):
    theirs = ReferralFactory(referrer=UserFactory(role=Role.REFERRER, agency=school))

    page(teacher, theirs)

    assert not AccessLog.objects.filter(object_id=theirs.pk, kind=AccessLog.Kind.REFERRAL).exists()


def test_the_front_doors_own_record_is_never_shown(teacher, referral):
    screener = UserFactory(role=Role.SCREENER)
    ScreeningNoteFactory(referral=referral, author=screener, text="Internal note zebra")
    QualityRatingFactory(referral=referral, rated_by=screener, comment="Quality comment okapi")
    InformationRequestFactory(
        referral=referral,
        requested_by=screener,
        question="Question ibis",
        answer="Answer from another agency narwhal",
        answered_by=UserFactory(role=Role.PARTNER),
        answered_at=timezone.now(),
    )
    DecisionFactory(
        referral=referral,
        rationale="Rationale marker: police told us in confidence yak",
        lived_experience_impact="Impact marker quokka",
        feedback="Feedback for the school: early help is offered.",
    )

    html = page(teacher, referral).content.decode()

    assert "Feedback for the school: early help is offered." in html
    for secret in ("zebra", "okapi", "ibis", "narwhal", "yak", "quokka"):
        assert secret not in html


def test_an_amended_decision_shows_as_it_now_stands(teacher, referral):
    decision = DecisionFactory(referral=referral, feedback="Original feedback: early help.")
    DecisionAmendment.objects.create(
        decision=decision,
        outcome=Outcome.ASSESSMENT_S17,
        threshold_level_id=3,
        rationale="New information from the police changes the picture for the children.",
        reason="Police shared new information.",
        feedback="Amended feedback: a social worker will assess.",
        amended_by=decision.decided_by,
        amended_at=timezone.now() + timedelta(minutes=5),
    )

    html = page(teacher, referral).content.decode()

    assert "Amended feedback: a social worker will assess." in html
    assert "Original feedback: early help." not in html
    assert 'data-testid="amended"' in html


def test_siblings_referred_together_link_to_each_other(teacher):
    submission = Submission.objects.create(submitted_by=teacher)
    first = ReferralFactory(referrer=teacher, submission=submission)
    second = ReferralFactory(referrer=teacher, submission=submission)

    html = page(teacher, first).content.decode()

    assert f'<a class="govuk-link" href="/referrals/{second.pk}/">{second.reference}</a>' in html
    assert f'href="/referrals/{first.pk}/"' not in html


@pytest.mark.parametrize("address", ["/referrals/{pk}/", "/triage/referrals/{pk}/"])
def test_an_address_not_given_says_so_rather_than_showing_a_blank(teacher, address):
    referral = ReferralFactory(referrer=teacher, child_address="", child_postcode="")
    reader = teacher if address.startswith("/referrals/") else UserFactory(role=Role.SCREENER)

    html = client_for(reader).get(address.format(pk=referral.pk)).content.decode()

    row = html[html.index(">Address</dt>") :]
    row = row[: row.index("</dd>")]
    assert row.endswith("Not given")
