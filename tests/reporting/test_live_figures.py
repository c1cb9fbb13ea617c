"""The live figures against a world counted by hand (tests/reporting/live_fixture.py),
with the edges: due exactly now, the due-soon boundary, the unallocated flag, minutes
due in the past and just now, challenges past their stage's timescale, and the clocks
changing."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from agencies.models import Role
from reporting.live import live_figures
from tests import factories as f
from tests.reporting.live_fixture import EXPECTED, EXPECTED_STAGES, NOW, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    with time_machine.travel(NOW, tick=False):
        yield build()


def test_each_count_matches_the_hand_count(world):
    figures = live_figures(now=NOW)

    counted = {name: getattr(figures, name) for name in EXPECTED}
    assert counted == EXPECTED
    assert figures.as_of == NOW


def test_challenges_are_counted_by_stage_with_those_past_the_timescale(world):
    figures = live_figures(now=NOW)

    assert {s.order: (s.open, s.past_timescale) for s in figures.challenges} == EXPECTED_STAGES
    assert figures.challenges_past_timescale == 2


def test_open_work_is_counted_per_screener_and_manager_with_their_overdue(world):
    figures = live_figures(now=NOW)

    assert [(c.user_id, c.role, c.open, c.overdue) for c in figures.caseloads] == [
        (world.screener.pk, Role.SCREENER, 2, 1),
        (world.manager.pk, Role.MANAGER, 1, 0),
    ]
    assert figures.caseloads[0].name == "Sam Screener"


def test_a_second_later_the_edges_move(world):
    figures = live_figures(now=NOW + timedelta(seconds=1))

    # Due in a second is now overdue; the flag passes for the one received an hour ago;
    # the discussion whose minutes were due in a second is now late.
    assert figures.overdue == EXPECTED["overdue"] + 1
    assert figures.unallocated == EXPECTED["unallocated"] + 1
    assert figures.minutes_overdue == EXPECTED["minutes_overdue"] + 1
    assert figures.information_requests_overdue == EXPECTED["information_requests_overdue"] + 1
    # Four hours and a second away is now within the window; the one due in a second left it.
    assert figures.due_soon == EXPECTED["due_soon"]


def test_every_count_is_read_in_a_fixed_number_of_queries(world, django_assert_num_queries):
    with django_assert_num_queries(7):
        live_figures(now=NOW)
    more = f.UserFactory(role=Role.SCREENER)
    for _ in range(3):
        f.ReferralFactory(in_screening=True, assigned_to=more, assigned_at=NOW)
        f.ChallengeFactory(raised_at=NOW - timedelta(days=1), stage_due_at=NOW)
    with django_assert_num_queries(7):
        live_figures(now=NOW)


@pytest.mark.parametrize(
    ("now", "flagged"),
    [
        # Received 00:30 GMT on 29 March 2026; the clocks go forward at 01:00 GMT. At 02:29
        # BST the wall clock says 1h59m have passed, but 59 real minutes have.
        (datetime(2026, 3, 29, 1, 29, tzinfo=UTC), 0),
        (datetime(2026, 3, 29, 1, 31, tzinfo=UTC), 1),
    ],
)
def test_the_unallocated_flag_counts_real_minutes_across_the_clock_change(now, flagged):
    f.ReferralFactory(received_at=datetime(2026, 3, 29, 0, 30, tzinfo=UTC))

    assert live_figures(now=now).unallocated == flagged


def test_overdue_counts_24_real_hours_across_the_autumn_change():
    # Received 00:30 BST on 25 October 2026 (23:30 UTC the day before); the clocks go back
    # at 02:00 BST: due 23:30 UTC on the 25th, which is 23:30 GMT, not 00:30.
    received = datetime(2026, 10, 24, 23, 30, tzinfo=UTC)
    f.ReferralFactory(received_at=received, decision_due_at=received + timedelta(hours=24))

    assert live_figures(now=datetime(2026, 10, 25, 23, 29, 59, tzinfo=UTC)).overdue == 0
    assert live_figures(now=datetime(2026, 10, 25, 23, 30, tzinfo=UTC)).overdue == 1
