"""A strategy discussion's outcome sent twice (a double click, the browser sending the
POST again) or saved with nothing changed writes nothing: no second history row and no
second ``discussion_outcome_recorded`` event, and the manager is told it is as recorded.
A change is recorded as ever."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Role
from audit.models import AuditEvent, EventKind
from tests.clients import client_for
from tests.factories import StrategyDiscussionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _outcome() -> dict:
    see_by = timezone.localtime() + timedelta(hours=6)
    return {
        "section47_outcome": "joint_police",
        "see_by_date_day": see_by.day,
        "see_by_date_month": see_by.month,
        "see_by_date_year": see_by.year,
        "see_by_time": see_by.strftime("%H:%M"),
        "child_views": "Said she felt safe at her nan's.",
        "advocate_offered": "yes",
    }


@pytest.fixture
def discussion():
    return StrategyDiscussionFactory(held_at=timezone.now() - timedelta(hours=2))


def _events():
    return AuditEvent.objects.filter(kind=EventKind.DISCUSSION_OUTCOME_RECORDED)


def test_the_outcome_sent_twice_writes_once_and_the_manager_is_told(discussion):
    client = client_for(UserFactory(role=Role.MANAGER))
    url = reverse("strategy:outcome", args=[discussion.pk])
    before = discussion.history.count()
    sent = _outcome()

    first = client.post(url, sent)
    again = client.post(url, sent)  # a double click

    assert first.status_code == again.status_code == 302
    assert discussion.history.count() == before + 1
    assert _events().count() == 1
    shown = client.get(again["Location"]).content.decode()
    assert "This outcome was already recorded as sent: nothing has changed" in shown
    discussion.refresh_from_db()
    assert discussion.section47_outcome == "joint_police"
    assert discussion.child_views == "Said she felt safe at her nan's."


def test_a_change_to_the_outcome_is_recorded(discussion):
    client = client_for(UserFactory(role=Role.MANAGER))
    url = reverse("strategy:outcome", args=[discussion.pk])
    sent = _outcome()
    client.post(url, sent)
    before = discussion.history.count()

    changed = client.post(url, {**sent, "child_views": "Said she felt safe at home."})

    assert changed.status_code == 302
    assert discussion.history.count() == before + 1
    assert _events().count() == 2
    discussion.refresh_from_db()
    assert discussion.child_views == "Said she felt safe at home."


def _history_and_events(discussion, kind):
    return discussion.history.count(), AuditEvent.objects.filter(kind=kind).count()


def test_the_child_seen_sent_again_unchanged_writes_nothing_and_a_change_is_recorded(
    discussion,
):
    from triage.services import strategy

    manager = UserFactory(role=Role.MANAGER)
    seen_at = timezone.now() - timedelta(hours=1)
    seen = {"child_seen_at": seen_at, "child_seen_by": "Social worker", "joint_visit": True}

    strategy.record_child_seen(discussion_id=discussion.pk, by=manager, **seen)
    once = _history_and_events(discussion, EventKind.CHILD_SEEN)
    strategy.record_child_seen(discussion_id=discussion.pk, by=manager, **seen)  # again

    assert _history_and_events(discussion, EventKind.CHILD_SEEN) == once
    strategy.record_child_seen(
        discussion_id=discussion.pk, by=manager, **seen | {"joint_visit": False}
    )
    assert _history_and_events(discussion, EventKind.CHILD_SEEN) == (once[0] + 1, once[1] + 1)


def test_the_minutes_sent_again_unchanged_write_nothing_and_a_change_is_recorded(discussion):
    from triage.services import strategy

    manager = UserFactory(role=Role.MANAGER)
    sent_at = timezone.now() - timedelta(hours=1)

    strategy.record_minutes_circulated(
        discussion_id=discussion.pk, by=manager, to_professionals_at=sent_at
    )
    once = _history_and_events(discussion, EventKind.MINUTES_CIRCULATED)
    strategy.record_minutes_circulated(
        discussion_id=discussion.pk, by=manager, to_professionals_at=sent_at
    )
    strategy.record_minutes_circulated(discussion_id=discussion.pk, by=manager)  # nothing given

    assert _history_and_events(discussion, EventKind.MINUTES_CIRCULATED) == once
    strategy.record_minutes_circulated(
        discussion_id=discussion.pk, by=manager, to_family_at=sent_at + timedelta(minutes=30)
    )
    assert _history_and_events(discussion, EventKind.MINUTES_CIRCULATED) == (
        once[0] + 1,
        once[1] + 1,
    )
    discussion.refresh_from_db()
    assert discussion.minutes_circulated_at == sent_at
