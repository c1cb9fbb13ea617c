"""Break the glass through the referral API: a screener or a manager reading a closed
referral (decided long ago, its child with nothing open) sends a reason in the
Break-Glass-Reason header with the request; without one, 403 and nothing of the record.
The reason is logged with the access and the auditors are alerted, once per person,
record and BREAK_GLASS_MINUTES. The list leaves closed referrals out for them."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from agencies.models import Role
from audit.models import AccessLog
from notices.models import NoticeEvent, NoticeKind, Notification
from referrals import break_glass
from referrals.models import Referral
from tests.clients import api_as
from tests.factories import ChildFactory, DecisionFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/referrals/"
HEADER = "Break-Glass-Reason"
REASON = "A new referral by phone names this child; checking what was decided before."


def detail_url(referral_id) -> str:
    return f"{URL}{referral_id}/"


def with_reason(reason: str = REASON) -> dict:
    return {"HTTP_BREAK_GLASS_REASON": reason}


def decided(days_ago: int, **referral) -> Referral:
    at = timezone.now() - timedelta(days=days_ago)
    referral = ReferralFactory(
        received_at=at - timedelta(hours=3), awaiting_decision=True, **referral
    )
    return DecisionFactory(referral=referral, decided_at=at).referral


def alerts_raised() -> int:
    """Break-the-glass alerts, each to every auditor (by email and in the inbox)."""
    return NoticeEvent.objects.filter(kind=NoticeKind.BREAK_GLASS).count()


@pytest.fixture
def auditors():
    return [UserFactory(role=Role.AUDITOR), UserFactory(role=Role.AUDITOR)]


@pytest.mark.parametrize("role", [Role.SCREENER, Role.MANAGER])
def test_a_closed_referral_without_a_reason_is_403_naming_the_header(role, auditors):
    referral = decided(40)

    response = api_as(UserFactory(role=role)).get(detail_url(referral.pk))

    assert response.status_code == 403
    body = response.json()
    assert set(body) == {"detail"}
    assert HEADER in body["detail"]
    assert "reason" in body["detail"]
    text = response.content.decode()
    for secret in (referral.reference, referral.child_first_name, referral.child_last_name):
        assert secret not in text
    assert not AccessLog.objects.exists()
    assert not Notification.objects.exists()


def test_a_reason_opens_it_logs_the_reason_and_alerts_every_auditor(auditors):
    referral = decided(40)
    screener = UserFactory(role=Role.SCREENER)

    response = api_as(screener).get(detail_url(referral.pk), **with_reason())

    assert response.status_code == 200
    assert response.json()["child_first_name"] == referral.child_first_name
    entry = AccessLog.objects.get()
    assert (entry.username, entry.kind, entry.object_id, entry.break_glass_reason) == (
        screener.username,
        AccessLog.Kind.REFERRAL,
        referral.pk,
        REASON,
    )
    alerts = Notification.objects.filter(kind=NoticeKind.BREAK_GLASS)
    assert {n.recipient_id for n in alerts} == {a.pk for a in auditors}
    for alert in alerts:
        assert referral.reference in alert.subject
        assert referral.child_first_name not in alert.subject + alert.body
        assert REASON not in alert.body
        assert "/audit/access-log/" in alert.link


def test_each_request_needs_its_reason_and_the_auditors_are_alerted_once_a_window(
    auditors, settings
):
    settings.BREAK_GLASS_MINUTES = 60
    referral = decided(40)
    client = api_as(UserFactory(role=Role.MANAGER))
    start = timezone.now().replace(minute=5, second=0, microsecond=0)

    with time_machine.travel(start, tick=False):
        assert client.get(detail_url(referral.pk), **with_reason()).status_code == 200
    with time_machine.travel(start + timedelta(minutes=20), tick=False):
        # No session holds a grant for an API client: the next request asks again.
        assert client.get(detail_url(referral.pk)).status_code == 403
        again = client.get(detail_url(referral.pk), **with_reason("Second look at the plan."))
        assert again.status_code == 200
    assert AccessLog.objects.exclude(break_glass_reason="").count() == 2
    assert alerts_raised() == 1

    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        assert client.get(detail_url(referral.pk), **with_reason()).status_code == 200
    assert alerts_raised() == 2
    assert AccessLog.objects.exclude(break_glass_reason="").count() == 3


def test_another_person_or_record_is_alerted_on_its_own(auditors):
    first, second = decided(40), decided(50)
    screener, manager = UserFactory(role=Role.SCREENER), UserFactory(role=Role.MANAGER)

    api_as(screener).get(detail_url(first.pk), **with_reason())
    api_as(screener).get(detail_url(second.pk), **with_reason())
    api_as(manager).get(detail_url(first.pk), **with_reason())

    assert alerts_raised() == 3


@pytest.mark.parametrize(
    "reason, message",
    [
        ("", break_glass.REASON_REQUIRED),
        ("   ", break_glass.REASON_REQUIRED),
        ("checking", break_glass.REASON_TOO_THIN),
        ("word " * 500, break_glass.REASON_TOO_LONG),
    ],
)
def test_a_reason_that_breaks_the_forms_rules_is_400_naming_the_header(reason, message):
    referral = decided(40)

    response = api_as(UserFactory(role=Role.SCREENER)).get(
        detail_url(referral.pk), **with_reason(reason)
    )

    assert response.status_code == 400
    assert response.json() == {HEADER: [message]}
    assert referral.child_first_name not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_control_characters_are_stripped_from_the_reason_and_utf8_is_understood():
    referral = decided(40)
    said = "Court asked about the child\u2019s \u202eplan, \u00a3 costs too."
    # A client sends UTF-8; the server reads header bytes as ISO-8859-1.
    as_received = said.encode("utf-8").decode("latin-1")

    response = api_as(UserFactory(role=Role.SCREENER)).get(
        detail_url(referral.pk), **with_reason(as_received)
    )

    assert response.status_code == 200
    assert (
        AccessLog.objects.get().break_glass_reason
        == "Court asked about the child\u2019s plan, \u00a3 costs too."
    )


def test_an_open_or_recent_referral_needs_no_reason(settings):
    settings.BREAK_GLASS_CLOSED_AFTER_DAYS = 30
    recent = decided(5)
    child = ChildFactory()
    old_but_child_open = decided(90, child=child)
    ReferralFactory(child=child)
    undecided = ReferralFactory()
    client = api_as(UserFactory(role=Role.SCREENER))

    for referral in (recent, old_but_child_open, undecided):
        assert client.get(detail_url(referral.pk)).status_code == 200
    assert not AccessLog.objects.exclude(break_glass_reason="").exists()
    assert not Notification.objects.exists()


def test_a_reason_sent_for_an_open_referral_is_not_a_break_glass():
    referral = ReferralFactory()

    response = api_as(UserFactory(role=Role.SCREENER)).get(
        detail_url(referral.pk), **with_reason("x")
    )

    assert response.status_code == 200
    assert AccessLog.objects.get().break_glass_reason == ""
    assert not Notification.objects.exists()


def test_auditors_read_closed_referrals_without_a_reason():
    referral = decided(40)

    response = api_as(UserFactory(role=Role.AUDITOR)).get(detail_url(referral.pk))

    assert response.status_code == 200
    assert AccessLog.objects.get().break_glass_reason == ""
    assert not Notification.objects.exists()


def test_referrers_read_their_own_closed_referral_without_a_reason():
    referrer = UserFactory(role=Role.REFERRER)
    referral = decided(400, referrer=referrer)

    response = api_as(referrer).get(detail_url(referral.pk))

    assert response.status_code == 200
    assert response.json()["reference"] == referral.reference
    assert not Notification.objects.exists()


def test_access_is_decided_before_break_the_glass():
    """Another agency's closed referral is 404 for a referrer, reason or none: the 403
    would tell them it exists."""
    referral = decided(40)

    response = api_as(UserFactory(role=Role.REFERRER)).get(detail_url(referral.pk), **with_reason())

    assert response.status_code == 404
    assert not AccessLog.objects.exists()


def test_the_list_leaves_closed_referrals_out_for_screeners_and_managers(settings):
    settings.BREAK_GLASS_CLOSED_AFTER_DAYS = 30
    closed = decided(40)
    recent = decided(5)
    child = ChildFactory()
    old_but_child_open = decided(90, child=child)
    open_about_child = ReferralFactory(child=child)
    closed_with_child = decided(60, child=ChildFactory())
    shown_to_all = {recent.pk, old_but_child_open.pk, open_about_child.pk}
    everything = shown_to_all | {closed.pk, closed_with_child.pk}

    def listed(role) -> set[int]:
        return {r["id"] for r in api_as(UserFactory(role=role)).get(URL).json()["results"]}

    assert listed(Role.SCREENER) == shown_to_all
    assert listed(Role.MANAGER) == shown_to_all
    assert listed(Role.AUDITOR) == everything


def test_the_lists_closed_filter_agrees_with_the_rule(settings):
    settings.BREAK_GLASS_CLOSED_AFTER_DAYS = 30
    child, other_child = ChildFactory(), ChildFactory()
    cases = [
        decided(40),
        decided(5),
        decided(90, child=child),
        ReferralFactory(child=child),
        decided(60, child=other_child),
        decided(31, child=other_child),
        ReferralFactory(),
    ]
    now = timezone.now()

    by_filter = set(
        Referral.objects.filter(break_glass.closed_referrals(now=now)).values_list("pk", flat=True)
    )

    assert by_filter == {r.pk for r in cases if break_glass.referral_is_closed(r, now=now)}
    assert by_filter == {cases[0].pk, cases[4].pk, cases[5].pk}
