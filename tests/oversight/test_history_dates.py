"""Dates on the history pages read as the rest of the app writes them, with their day
("Wed 21 Sep 2016"), as do the strategy discussion's headings, the dates its minutes give
an action and the dates a challenge names of what it challenges."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from agencies.models import Role
from tests.clients import client_for
from tests.factories import (
    ChallengeFactory,
    ChildFactory,
    DiscussionActionFactory,
    StrategyDiscussionFactory,
    UserFactory,
)
from tests.oversight.pages import versions

pytestmark = pytest.mark.django_db


def test_a_date_and_a_time_changed_are_shown_with_their_day():
    manager = UserFactory(role=Role.MANAGER)
    child = ChildFactory(date_of_birth=date(2016, 9, 21))
    child.date_of_birth = date(2016, 9, 22)
    child._history_user = manager
    child.save()
    discussion = StrategyDiscussionFactory(held_at=datetime(2026, 12, 1, 14, 30, tzinfo=UTC))
    discussion.held_at = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    discussion._history_user = manager
    discussion.save()
    auditor = client_for(UserFactory(role=Role.AUDITOR))

    child_page = auditor.get(reverse("history:child", args=[child.pk]))
    discussion_page = auditor.get(reverse("history:discussion", args=[discussion.pk]))

    assert versions(child_page)[-1].changes["Date of birth"] == (
        "Wed 21 Sep 2016 → Thu 22 Sep 2016"
    )
    changed = [v for v in versions(discussion_page) if "Held at" in v.changes]
    assert changed[-1].changes["Held at"] == "Tue 1 Dec 2026, 14:30 → Mon 30 Nov 2026, 10:00"


def test_a_strategy_discussions_headings_name_the_day_it_was_held():
    discussion = StrategyDiscussionFactory(held_at=datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    manager = client_for(UserFactory(role=Role.MANAGER))

    detail = manager.get(reverse("strategy:detail", args=[discussion.pk])).content.decode()
    printed = manager.get(reverse("strategy:print", args=[discussion.pk])).content.decode()

    assert "Strategy discussion, Mon 30 Nov 2026</h1>" in detail
    assert "Minutes: strategy discussion, Mon 30 Nov 2026</h1>" in printed


def test_the_minutes_name_the_day_an_action_is_due_and_was_done():
    discussion = StrategyDiscussionFactory(held_at=datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    DiscussionActionFactory(
        discussion=discussion,
        due_at=datetime(2026, 12, 2, 17, 0, tzinfo=UTC),
        done_at=datetime(2026, 12, 1, 9, 15, tzinfo=UTC),
    )
    DiscussionActionFactory(discussion=discussion, due_at=datetime(2026, 12, 4, 12, 0, tzinfo=UTC))
    manager = client_for(UserFactory(role=Role.MANAGER))

    printed = manager.get(reverse("strategy:print", args=[discussion.pk])).content.decode()

    assert "Due Wed 2 Dec 2026, 17:00; done Tue 1 Dec 2026, 09:15</td>" in printed
    assert "Due Fri 4 Dec 2026, 12:00; not done yet</td>" in printed


def test_a_challenge_names_the_day_of_the_decision_it_challenges():
    challenge = ChallengeFactory(
        decision__referral__received_at=datetime(2026, 11, 22, 9, 0, tzinfo=UTC),
        decision__decided_at=datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
    )
    referrer = client_for(challenge.raised_by)

    detail = referrer.get(reverse("challenges:detail", args=[challenge.pk])).content.decode()

    assert "Early help, Mon 23 Nov 2026</dd>" in detail
