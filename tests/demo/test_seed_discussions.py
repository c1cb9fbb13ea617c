"""seed_demo's strategy discussions: one for each demo s47 decision, the mix the pages
and alerts are for, written once."""

import pytest
from django.core.management import call_command

from notices.models import NoticeKind, Notification
from triage.models import StrategyDiscussion
from triage.services.notices import scan_clocks
from triage.services.strategy import discussion_warnings

pytestmark = pytest.mark.django_db


def test_demo_discussions_show_missing_health_a_lone_paediatrician_and_late_work():
    call_command("seed_demo")
    discussions = list(StrategyDiscussion.objects.all())
    assert len(discussions) >= 4
    warnings = [set(discussion_warnings(d)) for d in discussions]
    assert any("no_health" in w for w in warnings)
    assert any("paediatrician_only_health" in w for w in warnings)
    without_health = [d for d, w in zip(discussions, warnings, strict=True) if "no_health" in w]
    assert all(d.missing_members_reason for d in without_health)
    assert any(d.minutes_circulated_at is None for d in discussions)

    scan_clocks()
    assert Notification.objects.filter(kind=NoticeKind.MINUTES_OVERDUE).exists()
    assert Notification.objects.filter(kind=NoticeKind.ACTION_OVERDUE).exists()

    call_command("seed_demo")
    assert StrategyDiscussion.objects.count() == len(discussions)
