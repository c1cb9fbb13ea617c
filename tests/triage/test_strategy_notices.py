"""Timeliness of strategy discussions through the outbox: minutes, actions and seeing the
child, each raised once however often the scan runs."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from agencies.models import Role
from notices.models import NoticeEvent, NoticeKind, Notification
from tests.factories import DiscussionActionFactory, StrategyDiscussionFactory, UserFactory
from triage.services import strategy
from triage.services.notices import scan_clocks

pytestmark = pytest.mark.django_db

# Friday 27 November 2026, 16:00 in London (GMT).
FRIDAY_4PM = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)


def inbox(kind):
    return Notification.objects.filter(kind=kind, channel=Notification.Channel.INBOX)


@pytest.fixture
def manager():
    return UserFactory(role=Role.MANAGER)


def friday_discussion(manager):
    return StrategyDiscussionFactory(
        held_at=FRIDAY_4PM,
        convened_by=manager,
        minutes_due_at=strategy.minutes_due_at(FRIDAY_4PM),
    )


def test_minutes_are_due_the_next_working_day(manager):
    assert strategy.minutes_due_at(FRIDAY_4PM) == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)


def test_minutes_overdue_alerts_the_manager_exactly_once(manager):
    UserFactory(role=Role.MANAGER)  # another manager, not the convener
    discussion = friday_discussion(manager)
    with time_machine.travel(datetime(2026, 11, 30, 15, 59, tzinfo=UTC), tick=False):
        scan_clocks()
        assert not inbox(NoticeKind.MINUTES_OVERDUE).exists()
    with time_machine.travel(datetime(2026, 11, 30, 16, 1, tzinfo=UTC), tick=False):
        scan_clocks()
        scan_clocks()
    [notice] = inbox(NoticeKind.MINUTES_OVERDUE)
    assert notice.recipient == manager
    assert discussion.referral.reference in notice.subject
    assert discussion.referral.child_first_name not in notice.body
    assert notice.link.endswith(f"/strategy/{discussion.pk}/")
    assert NoticeEvent.objects.get(kind=NoticeKind.MINUTES_OVERDUE).key == (
        f"minutes_overdue:{discussion.pk}"
    )


def test_minutes_circulated_in_time_raise_nothing(manager):
    discussion = friday_discussion(manager)
    discussion.minutes_circulated_at = FRIDAY_4PM + timedelta(hours=1)
    discussion.minutes_to_family_at = FRIDAY_4PM + timedelta(hours=2)
    discussion.save()
    with time_machine.travel(datetime(2026, 12, 2, tzinfo=UTC), tick=False):
        scan_clocks()
    assert not NoticeEvent.objects.filter(kind=NoticeKind.MINUTES_OVERDUE).exists()


def test_minutes_not_sent_to_the_family_alert_the_manager_once(manager):
    discussion = friday_discussion(manager)
    discussion.minutes_circulated_at = FRIDAY_4PM + timedelta(hours=1)
    discussion.save()
    with time_machine.travel(datetime(2026, 11, 30, 16, 1, tzinfo=UTC), tick=False):
        scan_clocks()
        scan_clocks()
    [notice] = inbox(NoticeKind.MINUTES_OVERDUE)
    assert notice.recipient == manager
    assert "to the family" in notice.body


def test_a_mash_meetings_minutes_are_for_the_agencies_not_the_family(manager):
    discussion = friday_discussion(manager)
    discussion.kind = "mash_meeting"
    discussion.minutes_circulated_at = FRIDAY_4PM + timedelta(hours=1)
    discussion.save()
    with time_machine.travel(datetime(2026, 12, 2, tzinfo=UTC), tick=False):
        scan_clocks()
    assert not NoticeEvent.objects.filter(kind=NoticeKind.MINUTES_OVERDUE).exists()


def test_overdue_action_alerts_its_owner_and_the_managers_once(manager):
    owner = UserFactory(role=Role.SCREENER)
    action = DiscussionActionFactory(
        discussion=friday_discussion(manager),
        owner_user=owner,
        due_at=FRIDAY_4PM + timedelta(hours=2),
    )
    done = DiscussionActionFactory(
        discussion=action.discussion,
        due_at=FRIDAY_4PM + timedelta(hours=2),
        done_at=FRIDAY_4PM + timedelta(hours=1),
    )
    with time_machine.travel(FRIDAY_4PM + timedelta(hours=3), tick=False):
        scan_clocks()
        scan_clocks()
    assert {n.recipient for n in inbox(NoticeKind.ACTION_OVERDUE)} == {owner, manager}
    assert inbox(NoticeKind.ACTION_OVERDUE).count() == 2
    assert not NoticeEvent.objects.filter(discussion_action_id=done.pk).exists()


def test_child_seen_due_soon_then_missed(manager):
    discussion = friday_discussion(manager)
    discussion.see_child_by = FRIDAY_4PM + timedelta(hours=6)
    discussion.save()
    with time_machine.travel(FRIDAY_4PM + timedelta(hours=3), tick=False):
        counts = scan_clocks()
    assert counts["child_seen_due_soon"] == 1 and counts["child_seen_missed"] == 0
    with time_machine.travel(FRIDAY_4PM + timedelta(hours=7), tick=False):
        counts = scan_clocks()
        again = scan_clocks()
    assert counts["child_seen_missed"] == 1 and again["child_seen_missed"] == 0
    assert inbox(NoticeKind.CHILD_SEEN_MISSED).get().recipient == manager


def test_a_child_seen_in_time_raises_nothing(manager):
    discussion = friday_discussion(manager)
    discussion.see_child_by = FRIDAY_4PM + timedelta(hours=6)
    discussion.child_seen_at = FRIDAY_4PM + timedelta(hours=1)
    discussion.child_seen_by = "Duty social worker"
    discussion.save()
    with time_machine.travel(FRIDAY_4PM + timedelta(hours=7), tick=False):
        scan_clocks()
    assert not NoticeEvent.objects.filter(discussion_id=discussion.pk).exists()
