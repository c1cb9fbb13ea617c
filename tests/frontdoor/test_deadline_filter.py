"""The deadline filter: a deadline names its day, and one at midnight is "the end of" the
day before, as people say it (strategy discussions' minutes are due at midnight)."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template

from tests.factories import StrategyDiscussionFactory

# 1 December 2026, midnight in London (GMT); 2 June 2026, 14:05 in London (BST).
MIDNIGHT = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
AFTERNOON = datetime(2026, 6, 2, 13, 5, tzinfo=UTC)


def render(moment, argument="") -> str:
    source = "{% load frontdoor %}{{ moment|deadline" + argument + " }}"
    return Template(source).render(Context({"moment": moment}))


def test_a_midnight_deadline_is_the_end_of_the_day_before():
    assert render(MIDNIGHT) == "the end of Mon 30 Nov 2026"
    assert render(MIDNIGHT, ':"D j M"') == "the end of Mon 30 Nov"


def test_any_other_deadline_gives_its_day_and_the_time_in_uk_time():
    assert render(AFTERNOON) == "Tue 2 Jun 2026, 14:05"
    assert render(AFTERNOON, ':"D j M"') == "Tue 2 Jun, 14:05"


def test_no_deadline_is_blank():
    assert render(None) == ""


@pytest.mark.django_db
def test_the_discussion_page_says_the_minutes_are_due_by_the_end_of_the_day(auditor_client):
    discussion = StrategyDiscussionFactory(minutes_due_at=MIDNIGHT)

    html = auditor_client.get(f"/strategy/{discussion.pk}/").content.decode()

    assert "Due out by the end of Mon 30 Nov 2026." in html
    assert "00:00" not in html


@pytest.mark.django_db
def test_the_discussions_list_gives_each_deadline_its_day(auditor_client):
    StrategyDiscussionFactory(minutes_due_at=MIDNIGHT, see_child_by=AFTERNOON, child_seen_at=None)

    html = auditor_client.get("/strategy/").content.decode()

    assert "Due by the end of Mon 30 Nov<" in html
    assert "By Tue 2 Jun, 14:05" in html
