"""Break the glass on the history pages: each applies the rule of the record's own page
(the referral's for a referral and its decision, the chronology's for a child, the
discussion's, the challenge's). Access is decided first (the capability, then 404), then
a manager on a closed record gets the reason page in place of the history (nothing of the
record but its reference); a reason brings them back to the history they asked for,
logged with the reason, the auditors alerted once per grant window. A grant already held
for the referral or the child covers its histories. Auditors read without a reason."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from agencies.models import Role
from audit.models import AccessLog
from notices.models import NoticeKind, Notification
from referrals import break_glass
from referrals.models import Child
from tests.clients import ago, client_for
from tests.factories import (
    AttendeeFactory,
    ChallengeFactory,
    ChildFactory,
    DecisionFactory,
    ReferralFactory,
    StrategyDiscussionFactory,
    UserFactory,
)
from tests.oversight.pages import versions
from triage.models import ChallengeStatus, Resolution

pytestmark = pytest.mark.django_db

REASON = "The family has moved back into the area; reading what happened before."
WORRY = "Worry marker: the child was seen walking alone to school at night."
CHILD_NAME = "Closedhistoria"
RATIONALE = "Rationale marker: the family worker will visit weekly until summer."
ATTENDEE = "DS Historyclosed"
CHALLENGE = "Challenge marker: the school disagreed with the early help outcome."
SECRETS = (WORRY, CHILD_NAME, RATIONALE, ATTENDEE, CHALLENGE)
HISTORIES = ["referral", "child", "decision", "discussion", "challenge"]


def case(days_ago: int, *, held_days_ago: int, resolved_days_ago: int | None):
    """A referral about a child decided ``days_ago``, a discussion held and a challenge
    (resolved, or open with None) on it."""
    child = ChildFactory(first_name=CHILD_NAME)
    referral = ReferralFactory(
        received_at=ago(days_ago) - timedelta(hours=3),
        awaiting_decision=True,
        child=child,
        child_first_name=CHILD_NAME,
        worry=WORRY,
    )
    decision = DecisionFactory(referral=referral, decided_at=ago(days_ago), rationale=RATIONALE)
    discussion = StrategyDiscussionFactory(referral=referral, held_at=ago(held_days_ago))
    AttendeeFactory(discussion=discussion, name=ATTENDEE)
    challenge = ChallengeFactory(
        decision=decision, raised_at=decision.decided_at + timedelta(days=1), reason=CHALLENGE
    )
    if resolved_days_ago is not None:
        challenge.status = ChallengeStatus.RESOLVED
        challenge.resolution = Resolution.NOT_UPHELD
        challenge.resolution_reasons = "The decision stands: early help was the right support."
        challenge.resolved_by = decision.decided_by
        challenge.resolved_at = ago(resolved_days_ago)
        challenge.save()
    referral.refresh_from_db()
    return {
        "referral": referral,
        "child": child,
        "decision": decision,
        "discussion": discussion,
        "challenge": challenge,
    }


@pytest.fixture
def closed():
    return case(60, held_days_ago=45, resolved_days_ago=40)


@pytest.fixture
def recent():
    return case(3, held_days_ago=2, resolved_days_ago=1)


@pytest.fixture
def auditors():
    return [UserFactory(role=Role.AUDITOR), UserFactory(role=Role.AUDITOR)]


def history_url(name: str, records: dict) -> str:
    return reverse(f"history:{name}", args=[records[name].pk])


# Where each history's reason page posts, and where it asks to return.
def reason_form(name: str, records: dict) -> tuple[str, str]:
    referral = records["referral"].pk
    return {
        "referral": (reverse("triage:break-glass", args=[referral]), "history"),
        "decision": (reverse("triage:break-glass", args=[referral]), "decision-history"),
        "child": (reverse("children:break-glass", args=[records["child"].pk]), "history"),
        "discussion": (
            reverse("strategy:break-glass", args=[records["discussion"].pk]),
            "history",
        ),
        "challenge": (
            reverse("challenges:break-glass", args=[records["challenge"].pk]),
            "history",
        ),
    }[name]


def shows_nothing_of_the_record(text: str) -> None:
    assert "This record is closed" in text
    assert 'data-testid="version"' not in text
    assert 'data-testid="related-histories"' not in text
    for secret in SECRETS:
        assert secret not in text


@pytest.mark.parametrize("name", HISTORIES)
def test_a_closed_records_history_asks_a_manager_why_and_shows_nothing_of_it(
    name, closed, auditors
):
    response = client_for(UserFactory(role=Role.MANAGER)).get(history_url(name, closed))

    assert response.status_code == 200
    text = response.content.decode()
    shows_nothing_of_the_record(text)
    what = re.search(r'data-testid="break-glass-what">(.*?)</p>', text).group(1)
    assert what.startswith("You asked to open the history of ")
    if name == "child":
        assert f"child record {closed['child'].pk}" in what
    else:
        assert closed["referral"].reference in what
    action, then = reason_form(name, closed)
    assert f'action="{action}"' in text
    assert f'name="then" value="{then}"' in text
    assert not AccessLog.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize("name", HISTORIES)
def test_a_reason_brings_the_manager_to_the_history_logged_and_alerted(name, closed, auditors):
    manager_user = UserFactory(role=Role.MANAGER)
    manager = client_for(manager_user)
    url = history_url(name, closed)
    action, then = reason_form(name, closed)

    response = manager.post(action, {"reason": REASON, "then": then})

    assert response.status_code == 302
    assert response.url == url
    entry = AccessLog.objects.get(break_glass_reason=REASON)
    kind, object_id = (
        (AccessLog.Kind.CHILD, closed["child"].pk)
        if name == "child"
        else (AccessLog.Kind.REFERRAL, closed["referral"].pk)
    )
    assert (entry.username, entry.kind, entry.object_id) == (
        manager_user.username,
        kind,
        object_id,
    )
    assert entry.detail["break_glass"] is True
    assert entry.detail["view"] == "history"
    named = {
        "decision": ("decision", closed["decision"].pk),
        "discussion": ("strategy_discussion", closed["discussion"].pk),
        "challenge": ("challenge", closed["challenge"].pk),
    }.get(name)
    if named:
        assert entry.detail[named[0]] == named[1]
    alerts = Notification.objects.filter(kind=NoticeKind.BREAK_GLASS)
    told = sorted(alerts.values_list("recipient_id", "channel"))
    assert {r for r, _ in told} == {a.pk for a in auditors}
    assert len(told) == len(set(told))  # once each, by each channel
    for alert in alerts:
        assert REASON not in alert.subject + alert.body
        for secret in SECRETS:
            assert secret not in alert.subject + alert.body

    page = manager.get(url)

    assert page.status_code == 200
    assert versions(page)
    viewed = AccessLog.objects.filter(break_glass_reason="", path=url).get()
    assert viewed.detail["view"] == "history"
    # A second reason within the grant's window is logged; the auditors were told already.
    manager.post(action, {"reason": REASON, "then": then})
    assert AccessLog.objects.filter(break_glass_reason=REASON).count() == 2
    assert Notification.objects.filter(kind=NoticeKind.BREAK_GLASS).count() == len(told)


@pytest.mark.parametrize("name", HISTORIES)
def test_a_thin_reason_asks_again_for_the_history_showing_nothing(name, closed):
    action, then = reason_form(name, closed)

    response = client_for(UserFactory(role=Role.MANAGER)).post(
        action, {"reason": "checking", "then": then}
    )

    assert response.status_code == 400
    text = response.content.decode()
    assert break_glass.REASON_TOO_THIN in text
    shows_nothing_of_the_record(text)
    assert "the history of" in text
    assert f'name="then" value="{then}"' in text
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("name", HISTORIES)
def test_auditors_read_a_closed_records_history_without_a_reason(name, closed):
    response = client_for(UserFactory(role=Role.AUDITOR)).get(history_url(name, closed))

    assert response.status_code == 200
    assert "This record is closed" not in response.content.decode()
    assert versions(response)
    assert not AccessLog.objects.exclude(break_glass_reason="").exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize("name", HISTORIES)
def test_a_recent_records_history_needs_no_reason(name, recent):
    response = client_for(UserFactory(role=Role.MANAGER)).get(history_url(name, recent))

    assert response.status_code == 200
    assert "This record is closed" not in response.content.decode()
    assert versions(response)


def test_an_open_challenge_or_a_recent_discussion_on_a_closed_referral_needs_no_reason():
    records = case(60, held_days_ago=2, resolved_days_ago=None)
    manager = client_for(UserFactory(role=Role.MANAGER))

    for name in ("discussion", "challenge"):
        response = manager.get(history_url(name, records))
        assert "This record is closed" not in response.content.decode(), name
        assert versions(response), name
    # The referral itself is closed all the same.
    assert "This record is closed" in manager.get(history_url("referral", records)).content.decode()


@pytest.mark.parametrize("name", ["referral", "decision", "discussion", "challenge"])
def test_a_reason_given_on_the_screening_page_covers_the_histories_of_the_referral(name, closed):
    manager = client_for(UserFactory(role=Role.MANAGER))
    manager.post(
        reverse("triage:break-glass", args=[closed["referral"].pk]),
        {"reason": REASON, "then": "referral"},
    )

    response = manager.get(history_url(name, closed))

    assert "This record is closed" not in response.content.decode()
    assert versions(response)
    assert AccessLog.objects.exclude(break_glass_reason="").count() == 1


def test_a_reason_given_on_the_chronology_covers_the_childs_history_only(closed):
    manager = client_for(UserFactory(role=Role.MANAGER))
    manager.post(
        reverse("children:break-glass", args=[closed["child"].pk]),
        {"reason": REASON, "then": "chronology"},
    )

    child = manager.get(history_url("child", closed))
    referral = manager.get(history_url("referral", closed))

    assert versions(child)
    # The child's record and the referral are each opened with their own reason, as the
    # chronology and the screening page are.
    assert "This record is closed" in referral.content.decode()


def test_a_reason_given_for_a_history_opens_the_records_own_page_too(closed):
    manager = client_for(UserFactory(role=Role.MANAGER))
    manager.post(
        reverse("triage:break-glass", args=[closed["referral"].pk]),
        {"reason": REASON, "then": "history"},
    )

    page = manager.get(reverse("triage:referral", args=[closed["referral"].pk]))

    assert WORRY in page.content.decode()


@pytest.mark.parametrize("role", [Role.REFERRER, Role.AGENCY_LEAD, Role.SCREENER, Role.PARTNER])
@pytest.mark.parametrize("name", HISTORIES)
def test_who_may_not_read_histories_is_refused_before_any_reason(role, name, closed):
    response = client_for(UserFactory(role=role)).get(history_url(name, closed))

    assert response.status_code == 403
    assert "This record is closed" not in response.content.decode()


@pytest.mark.parametrize("name", HISTORIES)
def test_a_history_of_nothing_is_not_found_for_a_manager_either(name):
    response = client_for(UserFactory(role=Role.MANAGER)).get(
        reverse(f"history:{name}", args=[987654321])
    )

    assert response.status_code == 404


def test_a_record_removed_since_is_read_by_the_auditors_only():
    """Nothing can be in hand about a removed record, and it has no page of its own to
    give a reason on: a manager is refused its history."""
    child = ChildFactory(first_name=CHILD_NAME)
    child_id = child.pk
    child.delete()
    assert not Child.objects.filter(pk=child_id).exists()
    url = reverse("history:child", args=[child_id])

    manager = client_for(UserFactory(role=Role.MANAGER)).get(url)
    auditor = client_for(UserFactory(role=Role.AUDITOR)).get(url)

    assert manager.status_code == 403
    assert CHILD_NAME not in manager.content.decode()
    assert auditor.status_code == 200
    assert [v.title for v in versions(auditor)] == [
        "Child record: created",
        "Child record: removed",
    ]


def test_the_decision_history_choice_without_a_decision_returns_to_the_referral():
    referral = ReferralFactory()
    screener = client_for(UserFactory(role=Role.MANAGER))

    response = screener.post(
        reverse("triage:break-glass", args=[referral.pk]),
        {"reason": REASON, "then": "decision-history"},
    )

    assert response.url == reverse("triage:referral", args=[referral.pk])
    assert "view" not in AccessLog.objects.get(break_glass_reason=REASON).detail


@pytest.mark.parametrize(
    ("endpoint", "then", "expected"),
    [
        # Each reason page offers its own choices: another's falls back to the record.
        ("triage:break-glass", "chronology", "triage:referral"),
        ("children:break-glass", "decision", "children:chronology"),
        ("children:break-glass", "https://example.com/", "children:chronology"),
    ],
)
def test_a_then_not_offered_by_the_reason_page_returns_to_the_record(
    endpoint, then, expected, closed
):
    record = closed["referral"] if endpoint == "triage:break-glass" else closed["child"]

    response = client_for(UserFactory(role=Role.MANAGER)).post(
        reverse(endpoint, args=[record.pk]), {"reason": REASON, "then": then}
    )

    assert response.url == reverse(expected, args=[record.pk])
