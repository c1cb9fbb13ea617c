"""The supervisory footprint on decisions (issue 12 part 3): warnings that need a reason
to go on, outcomes unusual for the threshold level, the lived-experience reasoning's
substance, and what was known at the time, on the pages, the API and the chronology."""

import re

import pytest
from django.utils import timezone

from agencies.models import Role
from core.exceptions import DomainError
from referrals.models import Outcome, Status
from tests.factories import (
    ChildFactory,
    DecisionFactory,
    InformationRequestFactory,
    ReferralFactory,
    ScreeningNoteFactory,
    UserFactory,
)
from triage.footprint import UNUSUAL_OUTCOMES, outcome_is_unusual
from triage.services.decisions import amend_decision, decide

pytestmark = pytest.mark.django_db

GOOD = {
    "outcome": Outcome.ASSESSMENT_S17,
    "threshold_level": 3,
    "rationale": "Three referrals for neglect this year; early help did not change the day.",
    "lived_experience_impact": "Ava looks after Leo each morning; neither eats breakfast.",
    "feedback": "A social worker will meet the family to understand the children's needs.",
}
REASON = "Police are at the house now and the children need a plan tonight."


def screened_referral(**kwargs):
    """A referral with nothing to warn about: allocated, linked, noted, nothing open."""
    screener = UserFactory(role=Role.SCREENER)
    referral = ReferralFactory(
        assigned_to=screener,
        assigned_at=timezone.now(),
        status=Status.SCREENING,
        child=ChildFactory(),
        **kwargs,
    )
    ScreeningNoteFactory(referral=referral, author=screener)
    return referral


def manager():
    return UserFactory(role=Role.MANAGER)


# --- Warnings ------------------------------------------------------------------------


def test_a_screened_referral_is_decided_without_a_reason_to_go_on():
    decision = decide(referral_id=screened_referral().pk, by=manager(), **GOOD)

    assert decision.proceed_reason == ""
    assert decision.known_at_decision["warnings"] == []


@pytest.mark.parametrize(
    "setup, code",
    [
        (
            lambda r: r.__class__.objects.filter(pk=r.pk).update(
                assigned_to=None, assigned_at=None, status=Status.RECEIVED
            ),
            "unallocated",
        ),
        (lambda r: r.__class__.objects.filter(pk=r.pk).update(child=None), "not_linked"),
        (lambda r: r.notes.all().delete(), "no_notes"),
        (lambda r: InformationRequestFactory(referral=r), "requests_outstanding"),
    ],
)
def test_each_warning_needs_a_reason_to_go_on(setup, code):
    referral = screened_referral()
    setup(referral)

    with pytest.raises(DomainError) as caught:
        decide(referral_id=referral.pk, by=manager(), **GOOD)
    assert set(caught.value.errors) == {"proceed_reason"}

    decision = decide(referral_id=referral.pk, by=manager(), proceed_reason=REASON, **GOOD)
    assert decision.proceed_reason == REASON
    assert decision.known_at_decision["warnings"] == [code]


def test_an_unscreened_referral_names_every_warning_and_a_word_is_not_a_reason():
    referral = ReferralFactory()

    with pytest.raises(DomainError) as caught:
        decide(referral_id=referral.pk, by=manager(), proceed_reason="ok", **GOOD)

    message = caught.value.errors["proceed_reason"][0]
    assert "allocated" in message and "child record" in message and "notes" in message


def test_an_answered_information_request_is_no_warning():
    referral = screened_referral()
    InformationRequestFactory(
        referral=referral,
        answered_at=timezone.now(),
        answer="Known.",
        answered_by=UserFactory(role=Role.PARTNER),
    )

    decision = decide(referral_id=referral.pk, by=manager(), **GOOD)

    assert decision.known_at_decision["requests_answered"] == 1
    assert decision.known_at_decision["requests_outstanding"] == 0


# --- Outcome against the threshold level -----------------------------------------------


@pytest.mark.parametrize(
    "outcome, level",
    [
        (Outcome.NO_FURTHER_ACTION, 4),
        (Outcome.SIGNPOST, 4),
        (Outcome.EARLY_HELP, 4),
        (Outcome.NO_FURTHER_ACTION, 3),
        (Outcome.STRATEGY_S47, 1),
        (Outcome.ASSESSMENT_S17, 1),
        (Outcome.STRATEGY_S47, 2),
    ],
)
def test_an_outcome_unusual_for_the_level_needs_a_stated_reason(outcome, level):
    referral = screened_referral()
    body = {**GOOD, "outcome": outcome, "threshold_level": level}

    with pytest.raises(DomainError) as caught:
        decide(referral_id=referral.pk, by=manager(), **body)
    assert set(caught.value.errors) == {"threshold_reason"}
    assert f"level {level}" in caught.value.errors["threshold_reason"][0]

    decision = decide(referral_id=referral.pk, by=manager(), threshold_reason=REASON, **body)
    assert decision.threshold_reason == REASON


@pytest.mark.parametrize(
    "outcome, level",
    [
        (Outcome.STRATEGY_S47, 4),
        (Outcome.ASSESSMENT_S17, 3),
        (Outcome.EARLY_HELP, 2),
        (Outcome.SIGNPOST, 1),
        (Outcome.NO_FURTHER_ACTION, 1),
        (Outcome.OPEN_CASE, 4),
        (Outcome.OPEN_CASE, 1),
    ],
)
def test_an_outcome_that_fits_the_level_needs_no_reason(outcome, level):
    decision = decide(
        referral_id=screened_referral().pk,
        by=manager(),
        **{**GOOD, "outcome": outcome, "threshold_level": level},
        threshold_reason="Not needed, and so not kept.",
    )

    assert decision.threshold_reason == ""


def test_the_table_covers_the_default_levels_only_by_number():
    assert set(UNUSUAL_OUTCOMES) == {1, 2, 3, 4}
    assert not outcome_is_unusual(outcome=Outcome.NO_FURTHER_ACTION, level=5)


def test_an_amendment_to_an_unusual_outcome_needs_its_reason_to_say_why():
    decision = DecisionFactory()

    with pytest.raises(DomainError) as caught:
        amend_decision(
            decision_id=decision.pk,
            by=manager(),
            outcome=Outcome.NO_FURTHER_ACTION,
            threshold_level=4,
            rationale=GOOD["rationale"],
            feedback=GOOD["feedback"],
            reason="Challenged.",
        )
    assert "level 4" in caught.value.errors["reason"][0]


# --- The lived-experience reasoning ----------------------------------------------------


@pytest.mark.parametrize("impact", ["ok", "Child is fine.", "see rationale above please"])
def test_the_lived_experience_reasoning_needs_substance(impact):
    with pytest.raises(DomainError) as caught:
        decide(
            referral_id=screened_referral().pk,
            by=manager(),
            **{**GOOD, "lived_experience_impact": impact},
        )

    assert set(caught.value.errors) == {"lived_experience_impact"}


# --- What was known at the time --------------------------------------------------------


def test_the_decision_keeps_who_screened_and_what_was_known():
    screener = UserFactory(role=Role.SCREENER)
    child = ChildFactory()
    for _ in range(2):
        ReferralFactory(child=child, received_at=timezone.now() - timezone.timedelta(days=30))
    referral = ReferralFactory(
        child=child,
        assigned_to=screener,
        assigned_at=timezone.now(),
        recommended_by=screener,
        recommended_at=timezone.now(),
        recommended_outcome=Outcome.ASSESSMENT_S17,
        recommendation="Neglect over months: a child and family assessment.",
        status=Status.AWAITING_DECISION,
    )
    ScreeningNoteFactory(referral=referral, author=screener)
    ScreeningNoteFactory(referral=referral, author=screener)
    InformationRequestFactory(
        referral=referral,
        answered_at=timezone.now(),
        answer="Known.",
        answered_by=UserFactory(role=Role.PARTNER),
    )
    InformationRequestFactory(referral=referral)

    decision = decide(referral_id=referral.pk, by=manager(), proceed_reason=REASON, **GOOD)

    assert decision.screened_by == screener
    assert decision.known_at_decision == {
        "warnings": ["requests_outstanding"],
        "notes": 2,
        "requests_answered": 1,
        "requests_outstanding": 1,
        "linked": True,
        "allocated": True,
        "earlier_referrals": 2,
        "concern_recurs": True,
        "chronic_neglect": True,  # the factory's referrals are all about neglect
        "repeat_pattern": False,
    }


# --- The decision page -----------------------------------------------------------------


def test_the_decision_page_warns_and_asks_why_decide_now(manager_client):
    referral = ReferralFactory()

    page = manager_client.get(f"/triage/referrals/{referral.pk}/decide/").content.decode()

    for code in ("unallocated", "not_linked", "no_notes"):
        assert f'data-warning="{code}"' in page
    assert 'data-warning="requests_outstanding"' not in page
    assert "Why decide now?" in page


def test_a_screened_referral_shows_no_warnings_and_no_reason_field(manager_client):
    referral = screened_referral()

    page = manager_client.get(f"/triage/referrals/{referral.pk}/decide/").content.decode()

    assert "data-warning" not in page
    assert "Why decide now?" not in page
    assert referral.assigned_to.display_name in page


def test_deciding_a_warned_referral_without_a_reason_is_refused_naming_the_field(manager_client):
    referral = ReferralFactory()

    response = manager_client.post(f"/triage/referrals/{referral.pk}/decide/", GOOD)

    assert response.status_code == 400
    assert 'href="#id_proceed_reason"' in response.content.decode()
    response = manager_client.post(
        f"/triage/referrals/{referral.pk}/decide/", {**GOOD, "proceed_reason": REASON}
    )
    assert response.status_code == 302


def test_the_error_summary_lists_errors_in_the_order_of_the_fields_on_the_page(manager_client):
    referral = ReferralFactory()

    page = manager_client.post(
        f"/triage/referrals/{referral.pk}/decide/",
        {
            "proceed_reason": "ok",
            "outcome": Outcome.NO_FURTHER_ACTION,
            "threshold_level": 4,
            "rationale": "no",
            "lived_experience_impact": "ok",
            "feedback": "ok",
        },
    ).content.decode()

    start = page.index("govuk-error-summary__list")
    summary = page[start : page.index("</ul>", start)]
    listed = re.findall(r'href="#(id_[a-z_]+)"', summary)
    form = page[page.index("<form") :]
    on_page = sorted(listed, key=lambda field_id: form.index(f'id="{field_id}'))
    assert listed == on_page
    assert listed == [
        "id_proceed_reason",
        "id_threshold_reason",
        "id_rationale",
        "id_lived_experience_impact",
        "id_feedback",
    ]


def test_after_deciding_the_decision_page_shows_the_footprint(manager_client):
    referral = ReferralFactory()
    manager_client.post(
        f"/triage/referrals/{referral.pk}/decide/", {**GOOD, "proceed_reason": REASON}
    )

    response = manager_client.get(f"/triage/referrals/{referral.pk}/decide/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Screened by" in page and "Nobody: not allocated or recommended" in page
    assert REASON in page
    assert "0 screening notes" in page
    assert "Not linked to a child record" in page


def test_the_referral_page_shows_who_screened_and_what_was_known(manager_client):
    referral = screened_referral()
    decide(referral_id=referral.pk, by=manager(), **GOOD)

    page = manager_client.get(f"/triage/referrals/{referral.pk}/").content.decode()

    known = page[page.index('data-testid="known-at-decision"') :]
    assert "1 screening note" in known
    assert "Linked to a child record" in known
    assert referral.assigned_to.display_name in page


def test_the_chronology_shows_the_footprint(manager_client):
    referral = screened_referral()
    decide(
        referral_id=referral.pk,
        by=manager(),
        **{**GOOD, "outcome": Outcome.NO_FURTHER_ACTION, "threshold_level": 4},
        threshold_reason=REASON,
    )

    page = manager_client.get(f"/children/{referral.child_id}/").content.decode()

    assert f"Screened by {referral.assigned_to.display_name}" in page
    assert "Known at the time: 1 screening note" in page
    assert f"Why this outcome at this level: {REASON}" in page


def test_the_chronology_says_when_no_screener_was_allocated_or_recommended(manager_client):
    referral = ReferralFactory(child=ChildFactory())  # straight from the queue
    decide(referral_id=referral.pk, by=manager(), **GOOD, proceed_reason=REASON)

    page = manager_client.get(f"/children/{referral.child_id}/").content.decode()

    assert "No screener: not allocated or recommended" in page
    assert "Screened by nobody" not in page


# --- The API ---------------------------------------------------------------------------


def _api(make_user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(make_user(Role.MANAGER))
    return api


@pytest.mark.parametrize(
    "body, field",
    [
        (GOOD, "proceed_reason"),
        (
            {**GOOD, "proceed_reason": REASON, "outcome": "nfa", "threshold_level": 4},
            "threshold_reason",
        ),
        (
            {**GOOD, "proceed_reason": REASON, "lived_experience_impact": "ok"},
            "lived_experience_impact",
        ),
    ],
)
def test_the_api_applies_the_same_rules_with_400_naming_the_field(make_user, body, field):
    referral = ReferralFactory()

    response = _api(make_user).post(
        f"/api/v1/referrals/{referral.pk}/decision/", body, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_the_api_records_the_reasons_and_reads_back_the_footprint(make_user):
    referral = ReferralFactory()

    response = _api(make_user).post(
        f"/api/v1/referrals/{referral.pk}/decision/",
        {**GOOD, "proceed_reason": REASON},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["proceed_reason"] == REASON
    assert body["warnings"] == ["unallocated", "not_linked", "no_notes"]
    assert body["screened_by"] is None
    assert body["known_at_decision"]["notes"] == 0
