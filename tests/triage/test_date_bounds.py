"""The dates and times staff type on the triage side are ones a worker could mean
(triage.moments): what happened is not in the future nor before what it follows; what is
due is in the future when set, and not absurdly far ahead. The web forms and the API ask
the same services, and refuse with the field named in plain words. When an information
request's answer is due is in test_date_bounds_requests.py."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from agencies.models import Role
from core.exceptions import DomainError
from tests.clients import api_as, client_for
from tests.factories import (
    DiscussionActionFactory,
    ReferralFactory,
    StrategyDiscussionFactory,
    UserFactory,
)
from tests.triage.date_bounds_helpers import HELD, NOW, RECEIVED, YEAR_9999, YEAR_ONE, day, now
from triage.models import DiscussionAction, StrategyDiscussion
from triage.services import strategy

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return UserFactory(role=Role.MANAGER)


@pytest.fixture
def referral():
    return ReferralFactory(received_at=RECEIVED, decision_due_at=RECEIVED + timedelta(hours=24))


@pytest.fixture
def discussion(referral):
    return StrategyDiscussionFactory(referral=referral, held_at=HELD)


# --- Convening: when the discussion was held ----------------------------------------------


def convene_form(agencies, held: datetime) -> dict:
    data = {
        "kind": "strategy_discussion",
        **day("held_date", held),
        "held_time": f"{held:%H:%M}",
        "format": "video",
        "action": "save",
        "att-TOTAL_FORMS": "3",
        "att-INITIAL_FORMS": "0",
    }
    for i, (key, role) in enumerate(
        (("police", "police_officer"), ("csc", "social_worker"), ("hv", "health_visitor"))
    ):
        data |= {
            f"att-{i}-agency": agencies[key].pk,
            f"att-{i}-role": role,
            f"att-{i}-name": f"{key} person",
            f"att-{i}-attended": "yes",
        }
    return data


@pytest.mark.parametrize(
    "held, message",
    [
        (
            YEAR_ONE,
            "The date the discussion was held must be on or after the referral was received "
            "(Mon 2 Nov 2026, 09:30)",
        ),
        (RECEIVED - timedelta(minutes=1), "must be on or after the referral was received"),
        (NOW + timedelta(days=1), "The date the discussion was held cannot be in the future"),
        (YEAR_9999, "The date the discussion was held cannot be in the future"),
    ],
)
def test_the_page_refuses_a_discussion_held_when_it_cannot_have_been(
    manager, agencies, referral, held, message
):
    with now:
        response = client_for(manager).post(
            reverse("strategy:convene", args=[referral.pk]), convene_form(agencies, held)
        )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not StrategyDiscussion.objects.exists()


@pytest.mark.parametrize("held", [RECEIVED, NOW + timedelta(minutes=4), HELD])
def test_the_page_records_a_discussion_held_between_the_referral_and_now(
    manager, agencies, referral, held
):
    """From the minute the referral was received, to a few minutes ahead for a clock."""
    with now:
        response = client_for(manager).post(
            reverse("strategy:convene", args=[referral.pk]), convene_form(agencies, held)
        )
    assert response.status_code == 302
    assert StrategyDiscussion.objects.get().held_at == held


def discussion_body(referral, agencies, held_at: str) -> dict:
    return {
        "referral": referral.pk,
        "kind": "strategy_discussion",
        "held_at": held_at,
        "attendees": [
            {"agency": agencies[key].pk, "role": role, "name": key, "attended": True}
            for key, role in (
                ("police", "police_officer"),
                ("csc", "social_worker"),
                ("hv", "health_visitor"),
            )
        ],
    }


@pytest.mark.parametrize(
    "held_at, message",
    [
        (
            "0001-01-01T10:00:00Z",
            "The date the discussion was held must be on or after the referral was received "
            "(Mon 2 Nov 2026, 09:30)",
        ),
        ("2026-11-25T10:00:00Z", "The date the discussion was held cannot be in the future"),
        ("9999-12-31T10:00:00Z", "The date the discussion was held cannot be in the future"),
    ],
)
def test_the_api_refuses_a_discussion_held_when_it_cannot_have_been(
    manager, agencies, referral, held_at, message
):
    with now:
        response = api_as(manager).post(
            "/api/v1/strategy-discussions/",
            discussion_body(referral, agencies, held_at),
            format="json",
        )
    assert response.status_code == 400
    assert response.json() == {"held_at": [message]}
    assert not StrategyDiscussion.objects.exists()


def test_the_api_records_a_discussion_held_after_the_referral(manager, agencies, referral):
    with now:
        response = api_as(manager).post(
            "/api/v1/strategy-discussions/",
            discussion_body(referral, agencies, "2026-11-23T14:00:00Z"),
            format="json",
        )
    assert response.status_code == 201
    assert StrategyDiscussion.objects.get().held_at == HELD


def test_the_schema_states_the_bounds_of_the_times_sent(manager):
    schema = api_as(manager).get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    held = components["DiscussionCreate"]["properties"]["held_at"]
    assert held["format"] == "discussion-held-at"
    assert "Rule: A date and time, not in the future" in held["description"]
    assert "not before the referral was received" in held["description"]
    update = components["PatchedDiscussionUpdate"]["properties"]
    for name in ("minutes_circulated_at", "minutes_to_family_at"):
        assert update[name]["format"] == "date-time-before-5min-ahead"
        assert "Rule: A date and time, not in the future" in update[name]["description"]
        assert "not before the discussion was held" in update[name]["description"]


# --- Minutes circulated -------------------------------------------------------------------


def minutes_form(sent: datetime) -> dict:
    return {"to": "family", **day("sent_date", sent), "sent_time": f"{sent:%H:%M}"}


@pytest.mark.parametrize(
    "sent, message",
    [
        (
            YEAR_ONE,
            "The date the minutes were circulated must be on or after the discussion was held "
            "(Mon 23 Nov 2026, 14:00)",
        ),
        (YEAR_9999, "The date the minutes were circulated cannot be in the future"),
    ],
)
def test_the_page_refuses_minutes_circulated_when_they_cannot_have_been(
    manager, discussion, sent, message
):
    with now:
        response = client_for(manager).post(
            reverse("strategy:minutes", args=[discussion.pk]), minutes_form(sent)
        )
    assert response.status_code == 400
    assert message in response.content.decode()
    discussion.refresh_from_db()
    assert discussion.minutes_to_family_at is None


def test_the_page_records_minutes_circulated_after_the_discussion(manager, discussion):
    with now:
        response = client_for(manager).post(
            reverse("strategy:minutes", args=[discussion.pk]), minutes_form(NOW)
        )
    assert response.status_code == 302
    discussion.refresh_from_db()
    assert discussion.minutes_to_family_at == NOW


@pytest.mark.parametrize(
    "sent, message",
    [
        (
            "0001-01-01T10:00:00Z",
            "The date the minutes were circulated must be on or after the discussion was held "
            "(Mon 23 Nov 2026, 14:00)",
        ),
        ("9999-12-31T10:00:00Z", "The date the minutes were circulated cannot be in the future"),
    ],
)
def test_the_api_refuses_minutes_circulated_when_they_cannot_have_been(
    manager, discussion, sent, message
):
    with now:
        response = api_as(manager).patch(
            f"/api/v1/strategy-discussions/{discussion.pk}/",
            {"minutes_circulated_at": sent},
            format="json",
        )
    assert response.status_code == 400
    assert response.json() == {"minutes_circulated_at": [message]}


def test_the_api_records_minutes_circulated_after_the_discussion(manager, discussion):
    with now:
        response = api_as(manager).patch(
            f"/api/v1/strategy-discussions/{discussion.pk}/",
            {"minutes_circulated_at": "2026-11-24T09:00:00Z"},
            format="json",
        )
    assert response.status_code == 200
    discussion.refresh_from_db()
    assert discussion.minutes_circulated_at == NOW - timedelta(hours=1)


# --- The child seen, and to be seen by ----------------------------------------------------


def seen_form(seen: datetime) -> dict:
    return {
        **day("seen_date", seen),
        "seen_time": f"{seen:%H:%M}",
        "seen_by": "Duty social worker",
        "joint_visit": "no",
    }


@pytest.mark.parametrize(
    "seen, message",
    [
        (
            YEAR_ONE,
            "The date the child was seen must be on or after the referral was received "
            "(Mon 2 Nov 2026, 09:30)",
        ),
        (NOW + timedelta(hours=1), "The date the child was seen cannot be in the future"),
    ],
)
def test_the_page_refuses_a_child_seen_when_they_cannot_have_been(
    manager, discussion, seen, message
):
    with now:
        response = client_for(manager).post(
            reverse("strategy:child-seen", args=[discussion.pk]), seen_form(seen)
        )
    assert response.status_code == 400
    assert message in response.content.decode()
    discussion.refresh_from_db()
    assert discussion.child_seen_at is None


def test_the_page_records_a_child_seen_after_the_referral(manager, discussion):
    seen = NOW - timedelta(hours=2)
    with now:
        response = client_for(manager).post(
            reverse("strategy:child-seen", args=[discussion.pk]), seen_form(seen)
        )
    assert response.status_code == 302
    discussion.refresh_from_db()
    assert discussion.child_seen_at == seen


def outcome_form(see_by: datetime) -> dict:
    return {
        "section47_outcome": "single_agency",
        **day("see_by_date", see_by),
        "see_by_time": f"{see_by:%H:%M}",
    }


@pytest.mark.parametrize(
    "see_by, message",
    [
        (YEAR_9999, "The date the child must be seen by must be within 30 days from now"),
        (NOW + timedelta(days=31), "(Thu 24 Dec 2026, 10:00 at the latest)"),
        (NOW - timedelta(hours=1), "The date the child must be seen by must be in the future"),
        (
            YEAR_ONE,
            "The date the child must be seen by must be after the discussion was held "
            "(Mon 23 Nov 2026, 14:00)",
        ),
    ],
)
def test_the_page_refuses_a_time_to_see_the_child_by_no_one_could_mean(
    manager, discussion, see_by, message
):
    with now:
        response = client_for(manager).post(
            reverse("strategy:outcome", args=[discussion.pk]), outcome_form(see_by)
        )
    assert response.status_code == 400
    assert message in response.content.decode()
    discussion.refresh_from_db()
    assert discussion.see_child_by is None


def test_the_page_records_a_time_to_see_the_child_by_and_keeps_it_once_passed(manager, discussion):
    see_by = NOW + timedelta(hours=6)
    with now:
        response = client_for(manager).post(
            reverse("strategy:outcome", args=[discussion.pk]), outcome_form(see_by)
        )
    assert response.status_code == 302
    discussion.refresh_from_db()
    assert discussion.see_child_by == see_by
    # Once it has passed, the outcome may still be changed with the same time kept.
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        strategy.record_outcome(
            discussion_id=discussion.pk,
            by=manager,
            section47_outcome="joint_police",
            see_child_by=see_by,
        )
    discussion.refresh_from_db()
    assert discussion.section47_outcome == "joint_police"


# --- Actions: due, and done -----------------------------------------------------------------


def action_form(agencies, due: datetime) -> dict:
    return {
        "description": "Share health records",
        "owner": "Hana Visitor, health visitor",
        "agency": agencies["hv"].pk,
        **day("due_date", due),
        "due_time": f"{due:%H:%M}",
    }


@pytest.mark.parametrize(
    "due, message",
    [
        (YEAR_ONE, "The date the action is due must be in the future"),
        (NOW - timedelta(minutes=1), "The date the action is due must be in the future"),
        (
            YEAR_9999,
            "The date the action is due must be within 365 days from now "
            "(Wed 24 Nov 2027, 10:00 at the latest)",
        ),
    ],
)
def test_the_page_refuses_an_action_due_when_no_one_could_mean(
    manager, agencies, discussion, due, message
):
    with now:
        response = client_for(manager).post(
            reverse("strategy:action", args=[discussion.pk]), action_form(agencies, due)
        )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DiscussionAction.objects.exists()


@pytest.mark.parametrize("due", [NOW + timedelta(days=1), NOW + timedelta(days=365)])
def test_the_page_records_an_action_due_within_a_year(manager, agencies, discussion, due):
    with now:
        response = client_for(manager).post(
            reverse("strategy:action", args=[discussion.pk]), action_form(agencies, due)
        )
    assert response.status_code == 302
    assert DiscussionAction.objects.get().due_at == due


@pytest.mark.parametrize(
    "done, message",
    [
        (NOW + timedelta(hours=1), "The date the action was done cannot be in the future"),
        (
            YEAR_ONE,
            "The date the action was done must be on or after the discussion was held "
            "(Mon 23 Nov 2026, 14:00)",
        ),
    ],
)
def test_an_action_is_not_done_in_the_future_nor_before_the_discussion(
    manager, discussion, done, message
):
    action = DiscussionActionFactory(discussion=discussion, due_at=NOW + timedelta(days=1))
    with now, pytest.raises(DomainError) as error:
        strategy.complete_action(action_id=action.pk, by=manager, done_at=done)
    assert error.value.errors == {"done_at": [message]}
    with now:
        strategy.complete_action(action_id=action.pk, by=manager)
    action.refresh_from_db()
    assert action.done_at == NOW


@override_settings(ACTION_DUE_WITHIN=timedelta(days=7))
def test_how_far_ahead_an_action_may_be_due_is_a_setting(manager, agencies, discussion):
    with now:
        response = client_for(manager).post(
            reverse("strategy:action", args=[discussion.pk]),
            action_form(agencies, NOW + timedelta(days=8)),
        )
    assert response.status_code == 400
    assert "must be within 7 days from now" in response.content.decode()
