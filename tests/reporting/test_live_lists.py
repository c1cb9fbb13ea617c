"""The filters the dashboard's counts open, on the lists that lacked them, and the list
of every strategy discussion."""

import re
from datetime import timedelta

import pytest
import time_machine

from tests import factories as f
from tests.reporting.live_fixture import NOW, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    with time_machine.travel(NOW, tick=False):
        yield build()


def _references(client, url: str) -> list[str]:
    import re

    return re.findall(r'data-reference="([^"]+)"', client.get(url).content.decode())


def test_the_strategy_list_shows_every_discussion_newest_first(world, screener_client):
    listed = _references(screener_client, "/strategy/")

    assert listed[0] == world.minutes_not_yet.referral.reference  # held 3 hours ago
    assert listed[-1] == world.minutes_circulated.referral.reference  # held 3 days ago
    assert len(listed) == 9


def test_the_strategy_list_filters_minutes_overdue(world, manager_client):
    listed = _references(manager_client, "/strategy/?minutes_overdue=on")

    assert sorted(listed) == sorted(
        [
            world.minutes_day_late.referral.reference,
            world.minutes_due_now.referral.reference,
            world.minutes_family_late.referral.reference,
        ]
    )


def test_the_strategy_list_filters_children_not_seen_in_time(world, manager_client):
    listed = _references(manager_client, "/strategy/?child_not_seen=on")

    assert listed == [world.child_not_seen.referral.reference]


def test_the_strategy_list_shows_no_childs_name(world, manager_client):
    page = manager_client.get("/strategy/").content.decode()

    assert world.child_not_seen.referral.child_first_name not in page


def test_the_strategy_list_names_a_bad_filter(world, manager_client):
    page = manager_client.get("/strategy/?kind=nonsense").content.decode()

    assert "These filters were not applied" in page
    assert "Kind: Select a valid choice" in page


def test_the_strategy_list_is_paginated(manager_client):
    with time_machine.travel(NOW, tick=False):
        for n in range(51):
            f.StrategyDiscussionFactory(held_at=NOW - timedelta(hours=n + 1))
        page = manager_client.get("/strategy/").content.decode()
        first = re.findall(r'data-reference="([^"]+)"', page)
        older = re.search(r'href="\?([^"]+)" rel="next"', page).group(1).replace("&amp;", "&")
        second = _references(manager_client, f"/strategy/?{older}")

    assert (len(first), len(second)) == (50, 1)


def test_the_queue_filters_by_whom_a_referral_is_allocated_to(world, manager_client):
    listed = _references(manager_client, f"/triage/?assigned_to={world.manager.pk}")

    assert listed == [world.just_outside_soon.reference]


def test_the_queue_names_a_bad_filter_rather_than_ignoring_it(manager_client):
    page = manager_client.get("/triage/?assigned_to=abc").content.decode()

    assert "Allocated to: Select a valid choice" in page


def test_the_challenges_list_names_a_bad_stage(manager_client):
    response = manager_client.get("/challenges/?stage=99999")

    assert response.status_code == 200
    assert "Stage: Select a valid choice" in response.content.decode()


def test_the_strategy_list_tags_late_minutes_as_the_filter_counts_them(world, manager_client):
    import re

    page = manager_client.get("/strategy/").content.decode()
    rows = re.findall(r'data-reference="([^"]+)"(.*?)</tr>', page, re.S)
    tagged = sorted(ref for ref, row in rows if "Overdue</strong>" in row.split("Due ")[-1])
    late = sorted(_references(manager_client, "/strategy/?minutes_overdue=on"))

    # The family's minutes count for a strategy discussion, not for a MASH meeting.
    assert world.minutes_family_late.referral.reference in tagged
    assert world.mash_minutes_sent.referral.reference not in tagged
    assert late == tagged
