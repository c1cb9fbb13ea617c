"""Coaching and referral quality (reporting.performance_coaching): the counts against
values worked out by hand on a small fixture, counted live and read through the summary
table after a refresh; the table on the performance page and the agency lead's page
(their agency only) and its CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
import time_machine

from agencies.census import AgencyType
from agencies.models import Role
from core.clock import LONDON
from referrals.models import Channel, CoachingOutcome
from reporting import performance as p
from reporting import performance_coaching as pc
from reporting import summary
from tests import factories as f
from tests.clients import client_for

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 4, 17, 12, 0, tzinfo=LONDON)  # Friday of the week of 13 April
PERIOD = p.Period(first=date(2026, 3, 30), last=date(2026, 4, 19))
W30, W6, W13 = PERIOD.weeks
DAY = datetime(2026, 4, 8, 10, 0, tzinfo=LONDON)  # in the week of 6 April (summarised)
PAGE, CSV = "/dashboard/performance/", "/dashboard/performance/csv/"
AGENCY, AGENCY_CSV = "/dashboard/agency/", "/dashboard/agency/csv/"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def referral(agency, received_at=DAY, **kwargs):
    referrer = f.UserFactory(role=Role.REFERRER, agency=agency)
    return f.ReferralFactory(referrer=referrer, received_at=received_at, **kwargs)


def prompt(ref, field, rule, outcome=CoachingOutcome.ACTED_ON):
    explanation = "Could not speak with the child alone." if outcome == "explained" else ""
    f.CoachingPromptFactory(
        referral=ref, field=field, rule=rule, outcome=outcome, explanation=explanation
    )


def rate(ref, score: int):
    """A rating meeting the first ``score`` criteria of the rubric."""
    met = {name: i < score for i, (name, _label) in enumerate(p.RUBRIC)}
    f.QualityRatingFactory(referral=ref, **met)


@pytest.fixture
def coached():
    """A school and a police force. By hand, for the school over the period:

    - week of 6 April: r1 two prompts acted on, rated 6; r2 one explained and one acted
      on, rated 3; r3 one ignored and one explained, rated 2; r4 no prompt, rated 5; r5
      no prompt, not rated; r6 only a refused placeholder (not a prompt: no prompt), not
      rated; r7 a call the front door wrote up (phone), with a prompt: not counted;
    - week of 13 April (counted live): r8 one prompt acted on, rated 4;
    - week of 30 March: r0, written before the first prompt was ever shown: not counted.

    So 7 web-form referrals, 4 coached (57%); 7 prompts: 4 acted on, 2 explained, 1
    ignored; average score every prompt acted on (6 + 4) / 2 = 5.0, some explained 3.0,
    some ignored 2.0, no prompt 5.0 (one rated). The police: one referral, one prompt
    ignored, rated 1."""
    school = f.AgencyFactory(name="Coaching School", type=AgencyType.SCHOOL)
    police = f.AgencyFactory(name="Coaching Police", type=AgencyType.POLICE)
    referral(school, received_at=datetime(2026, 4, 1, 10, 0, tzinfo=LONDON))  # r0
    r1 = referral(school)
    prompt(r1, "worry", "incident_only")
    prompt(r1, "child_voice", "no_child_example")
    rate(r1, 6)
    r2 = referral(school)
    prompt(r2, "worry", "no_child_example", CoachingOutcome.EXPLAINED)
    prompt(r2, "lived_experience", "adults_only")
    rate(r2, 3)
    r3 = referral(school)
    prompt(r3, "worry", "incident_only", CoachingOutcome.IGNORED)
    prompt(r3, "child_voice", "no_child_example", CoachingOutcome.EXPLAINED)
    rate(r3, 2)
    rate(referral(school), 5)  # r4
    referral(school)  # r5
    prompt(referral(school), "worry", "placeholder")  # r6
    r7 = referral(school, channel=Channel.PHONE)
    prompt(r7, "worry", "incident_only", CoachingOutcome.IGNORED)
    rate(r7, 0)
    r8 = referral(school, received_at=NOW - timedelta(days=1))
    prompt(r8, "worry", "no_child_example")
    rate(r8, 4)
    p1 = referral(police)
    prompt(p1, "worry", "adults_only", CoachingOutcome.IGNORED)
    rate(p1, 1)
    return school, police


SCHOOL = {
    "referrals": 7,
    "coached": 4,
    "coached_share": 400 / 7,
    "prompts": 7,
    "prompts_acted_on": 4,
    "acted_on_share": 400 / 7,
    "prompts_explained": 2,
    "explained_share": 200 / 7,
    "prompts_ignored": 1,
    "ignored_share": 100 / 7,
    "rated_all_acted_on": 2,
    "average_all_acted_on": 5.0,
    "rated_some_explained": 1,
    "average_some_explained": 3.0,
    "rated_some_ignored": 1,
    "average_some_ignored": 2.0,
    "rated_no_prompt": 1,
    "average_no_prompt": 5.0,
}
POLICE = {
    "referrals": 1,
    "coached": 1,
    "coached_share": 100.0,
    "prompts": 1,
    "prompts_acted_on": 0,
    "acted_on_share": 0.0,
    "prompts_explained": 0,
    "explained_share": 0.0,
    "prompts_ignored": 1,
    "ignored_share": 100.0,
    "rated_all_acted_on": 0,
    "average_all_acted_on": None,
    "rated_some_explained": 0,
    "average_some_explained": None,
    "rated_some_ignored": 1,
    "average_some_ignored": 1.0,
    "rated_no_prompt": 0,
    "average_no_prompt": None,
}


@pytest.fixture(params=["live", "summary"])
def by_agency(request):
    """The figure by agency, counted live or read through the summary (which holds the
    complete weeks; the current week is counted live either way)."""

    def read(scope=None):
        scope = scope or p.Scope()
        if request.param == "live":
            rows = pc.coaching_by_agency(period=PERIOD, scope=scope, now=NOW)
        else:
            summary.refresh(weeks=summary.complete_weeks(first=PERIOD.first, now=NOW), now=NOW)
            source = summary.Source(period=PERIOD, scope=scope, now=NOW)
            assert list(source.summarised) == [W30, W6]
            rows = source.coaching_by_agency()
        return {row.pop("agency"): row for row in rows}

    return read


def test_coaching_by_agency_matches_the_hand_count(coached, by_agency):
    assert by_agency() == {"Coaching School": SCHOOL, "Coaching Police": POLICE}


def test_one_agencys_scope_counts_only_that_agency(coached, by_agency):
    school, _police = coached
    assert by_agency(p.Scope(agency_id=school.pk)) == {"Coaching School": SCHOOL}
    assert by_agency(p.Scope(agency_type=AgencyType.POLICE)) == {"Coaching Police": POLICE}


def test_the_weekly_counts_are_plain_integers_that_add_up(coached):
    counted = pc.count_coaching(period=PERIOD, scope=p.Scope(), now=NOW)
    assert counted[W6] == {
        "referrals": 7,  # six of the school's and the police's one
        "coached": 4,
        "coached_all_acted_on": 1,
        "coached_some_explained": 1,
        "coached_some_ignored": 2,
        "prompts": 7,
        "prompts_acted_on": 3,
        "prompts_explained": 2,
        "prompts_ignored": 2,
        "rated_all_acted_on": 1,
        "points_all_acted_on": 6,
        "rated_some_explained": 1,
        "points_some_explained": 3,
        "rated_some_ignored": 2,
        "points_some_ignored": 3,
        "rated_no_prompt": 1,
        "points_no_prompt": 5,
    }
    assert counted[W13]["rated_all_acted_on"] == 1
    assert W30 not in counted  # before coaching began
    assert all(isinstance(v, int) for row in counted.values() for v in row.values())


def test_the_summary_keeps_the_counts_per_week_and_agency(coached):
    school, _police = coached
    summary.refresh(weeks=[W6], now=NOW)
    row = summary.WeeklyFigures.objects.get(week=W6, agency=school)
    assert row.counts["coaching"]["prompts"] == 6
    assert row.counts["coaching"]["points_no_prompt"] == 5


def test_with_no_prompt_ever_shown_there_is_nothing_to_compare(by_agency):
    rate(referral(f.AgencyFactory(name="Uncoached School")), 4)
    assert pc.count_coaching(period=PERIOD, scope=p.Scope(), now=NOW) == {}
    assert by_agency() == {}


# --- The pages and the CSV -----------------------------------------------------------------


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_performance_page_shows_the_table_and_says_what_it_cannot_prove(
    coached, manager_client
):
    page = manager_client.get(PAGE).content.decode()
    assert 'data-testid="figure-coaching_by_agency"' in page
    assert "Coaching and referral quality, by agency" in page
    assert "This is a comparison, not proof that coaching works" in page
    section = page.split('data-testid="figure-coaching_by_agency"')[1].split("</section>")[0]
    assert "Coaching School" in section and "Coaching Police" in section
    assert "57%" in section  # shown a prompt, and acted on
    assert "table=coaching_by_agency" in section


def test_the_csv_holds_the_hand_counted_figures(coached, manager_client):
    rows = rows_of(manager_client.get(CSV, {"table": "coaching_by_agency"}))
    assert rows[0][:4] == ["agency", "Web-form referrals", "Shown a prompt", "Share shown a prompt"]
    assert rows[0][-1] == "Average score (of 6), no prompt"
    assert rows[1:] == [
        ["Coaching Police", "1", "1", "100.0", "1", "0.0", "0.0", "100.0",
         "0", "", "0", "", "1", "1.0", "0", ""],
        ["Coaching School", "7", "4", "57.1", "7", "57.1", "28.6", "14.3",
         "2", "5.0", "1", "3.0", "1", "2.0", "1", "5.0"],
    ]  # fmt: skip


def test_the_csv_is_formula_safe(manager_client):
    ref = referral(f.AgencyFactory(name="=cmd|' /C calc'!A0"))
    prompt(ref, "worry", "incident_only")
    rows = rows_of(manager_client.get(CSV, {"table": "coaching_by_agency"}))
    assert rows[1][0] == "'=cmd|' /C calc'!A0"


def test_the_agency_lead_sees_their_own_agencys_coaching_only(coached):
    school, police = coached
    lead = client_for(f.UserFactory(role=Role.AGENCY_LEAD, agency=school))
    page = lead.get(AGENCY).content.decode()
    assert 'data-testid="figure-coaching_by_agency"' in page
    assert "Coaching School" in page
    assert "Coaching Police" not in page
    rows = rows_of(lead.get(AGENCY_CSV, {"table": "coaching_by_agency"}))
    assert [row[0] for row in rows[1:]] == ["Coaching School"]
    assert rows[1][1:4] == ["7", "4", "57.1"]
    assert (
        lead.get(AGENCY_CSV, {"table": "coaching_by_agency", "agency": police.pk}).status_code
        == 404
    )


def test_a_manager_reads_one_agencys_coaching_on_the_agency_page(coached, manager_client):
    _school, police = coached
    response = manager_client.get(AGENCY_CSV, {"table": "coaching_by_agency", "agency": police.pk})
    assert [row[0] for row in rows_of(response)[1:]] == ["Coaching Police"]


@pytest.mark.parametrize("role", [Role.REFERRER, Role.SCREENER, Role.PARTNER])
def test_others_cannot_read_the_coaching_table(coached, role):
    client = client_for(f.UserFactory(role=role))
    assert client.get(CSV, {"table": "coaching_by_agency"}).status_code == 403
    assert client.get(AGENCY_CSV, {"table": "coaching_by_agency"}).status_code == 403
