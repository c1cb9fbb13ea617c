"""Break the glass for changes: a closed record (a referral decided long ago whose child
has nothing open, a strategy discussion held long ago about one) is changed only once the
reason its page asks for is given. Its page could not have been shown without one, so a
change posted by hand without it is refused (the reason page, 403, on the website; 403
naming the header through the API), shows nothing of the record and writes nothing; once
the reason is given it is recorded as usual. (The screening page's own actions are in
test_break_glass.py.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.census import AgencyType
from agencies.models import Role
from audit.models import AccessLog
from referrals.models import Outcome
from tests.clients import api_as, client_for
from tests.factories import AgencyFactory, DiscussionActionFactory, UserFactory
from tests.triage.test_break_glass_discussions import (
    ATTENDEE,
    REASON,
    closed_discussion,
    decided,
    shows_nothing_of,
)
from triage.models import InformationRequest, StrategyDiscussion

pytestmark = pytest.mark.django_db


def _moment(prefix: str, at) -> dict:
    at = timezone.localtime(at)
    return {
        f"{prefix}_date_day": str(at.day),
        f"{prefix}_date_month": str(at.month),
        f"{prefix}_date_year": str(at.year),
        f"{prefix}_time": at.strftime("%H:%M"),
    }


def _attendees(police) -> dict:
    return {
        "att-TOTAL_FORMS": "1",
        "att-INITIAL_FORMS": "0",
        "att-0-agency": str(police.pk),
        "att-0-role": "police_officer",
        "att-0-name": "DS Newcombe",
        "att-0-attended": "yes",
        "missing_members_reason": "Health and social care were not free that week.",
        "action": "save",
    }


def _action_done(discussion, police) -> dict:
    return {"action": str(DiscussionActionFactory(discussion=discussion).pk)}


# Each change to a discussion: its URL name, the form it posts (given the discussion and
# a police agency), and what it writes, read back from the discussion.
DISCUSSION_WRITES = {
    "strategy:decision": (
        lambda d, police: {"decision": "Visit jointly", "rationale": "New bruising seen."},
        lambda d: d.decisions.count(),
    ),
    "strategy:information": (
        lambda d, police: {"info-agency": police.pk, "info-information": "A call-out in May."},
        lambda d: d.contributions.count(),
    ),
    "strategy:action": (
        lambda d, police: {
            "description": "Share the call-out log",
            "owner": "DS Newcombe",
            "agency": police.pk,
            **_moment("due", timezone.now() + timedelta(days=2)),
        },
        lambda d: d.actions.count(),
    ),
    "strategy:action-done": (
        _action_done,
        lambda d: d.actions.filter(done_at__isnull=False).count(),
    ),
    "strategy:minutes": (
        lambda d, police: {"to": "family", **_moment("sent", timezone.now())},
        lambda d: d.minutes_to_family_at,
    ),
    "strategy:outcome": (
        lambda d, police: {"section47_outcome": "joint_police"},
        lambda d: d.section47_outcome,
    ),
    "strategy:child-seen": (
        lambda d, police: {
            "seen_by": "Duty social worker",
            "joint_visit": "no",
            **_moment("seen", timezone.now() - timedelta(minutes=5)),
        },
        lambda d: d.child_seen_by,
    ),
    "strategy:attendees": (
        lambda d, police: _attendees(police),
        lambda d: sorted(d.attendees.values_list("name", flat=True)),
    ),
}


@pytest.mark.parametrize("url_name", sorted(DISCUSSION_WRITES))
def test_a_closed_discussion_is_changed_only_once_its_reason_is_given(url_name):
    form, written = DISCUSSION_WRITES[url_name]
    discussion = closed_discussion()
    police = AgencyFactory(type=AgencyType.POLICE, name="Closed-record Police")
    data = form(discussion, police)
    before = written(StrategyDiscussion.objects.get(pk=discussion.pk))
    manager = client_for(UserFactory(role=Role.MANAGER))
    url = reverse(url_name, args=[discussion.pk])

    refused = manager.post(url, data)

    assert refused.status_code == 403
    shows_nothing_of(refused.content.decode(), discussion.referral)
    assert reverse("strategy:break-glass", args=[discussion.pk]) in refused.content.decode()
    assert written(StrategyDiscussion.objects.get(pk=discussion.pk)) == before
    assert not AccessLog.objects.exists()

    manager.post(reverse("strategy:break-glass", args=[discussion.pk]), {"reason": REASON})
    done = manager.post(url, data)

    assert done.status_code == 302
    assert written(StrategyDiscussion.objects.get(pk=discussion.pk)) != before


def test_a_closed_discussions_attendees_page_asks_why_and_returns_to_it():
    discussion = closed_discussion()
    manager = client_for(UserFactory(role=Role.MANAGER))
    url = reverse("strategy:attendees", args=[discussion.pk])

    page = manager.get(url)

    assert page.status_code == 200
    shows_nothing_of(page.content.decode(), discussion.referral)
    granted = manager.post(
        reverse("strategy:break-glass", args=[discussion.pk]),
        {"reason": REASON, "then": "attendees"},
    )
    assert granted.url == url
    assert ATTENDEE in manager.get(url).content.decode()


# --- Changes to a closed referral itself --------------------------------------------------


def _amend(referral) -> dict:
    return {
        "outcome": Outcome.STRATEGY_S47,
        "threshold_level": "4",
        "rationale": "Police shared new information about the household last night.",
        "feedback": "We need to talk with the police and health about the children.",
        "reason": "New information from the police changes what was decided.",
    }


def _convene(referral) -> dict:
    police = AgencyFactory(type=AgencyType.POLICE, name="Convening Police")
    return {
        "kind": "strategy_discussion",
        "format": "video",
        **_moment("held", timezone.now() - timedelta(minutes=5)),
        **_attendees(police),
    }


# Each change to a referral: its URL name, the form, and what it writes.
REFERRAL_WRITES = {
    "triage:amend": (_amend, lambda r: r.decision.amendments.count()),
    "strategy:convene": (
        _convene,
        lambda r: StrategyDiscussion.objects.filter(referral=r).count(),
    ),
}


@pytest.mark.parametrize("url_name", sorted(REFERRAL_WRITES))
def test_a_closed_referral_takes_a_change_only_once_its_reason_is_given(url_name):
    form, written = REFERRAL_WRITES[url_name]
    referral = decided(60).referral
    data = form(referral)
    manager = client_for(UserFactory(role=Role.MANAGER))
    url = reverse(url_name, args=[referral.pk])

    refused = manager.post(url, data)

    assert refused.status_code == 403
    shows_nothing_of(refused.content.decode(), referral)
    assert reverse("triage:break-glass", args=[referral.pk]) in refused.content.decode()
    assert written(referral) == 0
    assert not AccessLog.objects.exists()

    manager.post(reverse("triage:break-glass", args=[referral.pk]), {"reason": REASON})
    done = manager.post(url, data)

    assert done.status_code == 302
    assert written(referral) == 1


def test_convening_about_a_closed_referral_asks_why_first_and_returns_to_it():
    referral = decided(60).referral
    manager = client_for(UserFactory(role=Role.MANAGER))
    url = reverse("strategy:convene", args=[referral.pk])

    page = manager.get(url)
    fragment = manager.post(reverse("strategy:warnings", args=[referral.pk]), {})

    assert page.status_code == 200
    shows_nothing_of(page.content.decode(), referral)
    assert fragment.status_code == 403
    shows_nothing_of(fragment.content.decode(), referral)
    assert not AccessLog.objects.exists()
    granted = manager.post(
        reverse("triage:break-glass", args=[referral.pk]), {"reason": REASON, "then": "convene"}
    )
    assert granted.url == url
    assert referral.child_first_name in manager.get(url).content.decode()


def test_an_information_request_from_a_closed_referral_asks_why_and_names_no_child():
    # Nothing is sent from a decided referral, reason or none; without the reason the
    # refusal named the child (the send page's heading).
    referral = decided(60).referral
    partner = AgencyFactory(type=AgencyType.HEALTH_VISITING, name="Closed-record Health")
    screener = client_for(UserFactory(role=Role.SCREENER))
    url = reverse("requests:send", args=[referral.pk])
    data = {
        "ir-agency": partner.pk,
        "ir-question": "Have you seen the family lately?",
        **{f"ir-{k}": v for k, v in _moment("due", timezone.now() + timedelta(days=1)).items()},
    }

    refused = screener.post(url, data)

    assert refused.status_code == 403
    shows_nothing_of(refused.content.decode(), referral)
    assert not AccessLog.objects.exists()
    screener.post(reverse("triage:break-glass", args=[referral.pk]), {"reason": REASON})
    answered = screener.post(url, data)
    assert "information requests can no longer be sent" in answered.content.decode()
    assert not InformationRequest.objects.exists()


# --- The API -----------------------------------------------------------------------------


def test_the_api_records_a_discussion_about_a_closed_referral_only_with_a_reason():
    referral = decided(60).referral
    police = AgencyFactory(type=AgencyType.POLICE, name="API Police")
    body = {
        "referral": referral.pk,
        "kind": "strategy_discussion",
        "format": "video",
        "held_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
        "attendees": [
            {"agency": police.pk, "role": "police_officer", "name": "DS Api", "attended": True}
        ],
        "missing_members_reason": "Health and social care were not free that week.",
    }
    client = api_as(UserFactory(role=Role.MANAGER))

    refused = client.post("/api/v1/strategy-discussions/", body, format="json")

    assert refused.status_code == 403
    assert "Break-Glass-Reason" in refused.json()["detail"]
    for secret in (referral.reference, referral.child_first_name):
        assert secret not in refused.content.decode()
    assert not StrategyDiscussion.objects.exists()
    assert not AccessLog.objects.exists()

    done = client.post(
        "/api/v1/strategy-discussions/",
        body,
        format="json",
        HTTP_BREAK_GLASS_REASON=REASON,
    )

    assert done.status_code == 201
    assert StrategyDiscussion.objects.filter(referral=referral).count() == 1
    assert AccessLog.objects.filter(break_glass_reason=REASON, object_id=referral.pk).exists()
