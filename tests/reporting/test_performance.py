"""Each performance figure against values counted by hand on a small fixture, with the
London week boundaries (Sunday 23:30 in BST, the week the clocks change) and empty weeks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from agencies.census import AgencyType
from agencies.models import Role
from core.clock import LONDON
from notices.models import NoticeKind
from referrals.census import CallerType, ConcernCategory
from referrals.models import Outcome
from reporting import performance as p
from reporting import performance_discussions as pd
from reporting import performance_quality as pq
from reporting import summary
from tests import factories as f
from triage.models import (
    AttendeeRole,
    ChallengeStatus,
    DiscussionKind,
    Resolution,
    Section47Outcome,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 4, 17, 12, 0, tzinfo=LONDON)  # a Friday, in BST
# Weeks beginning 16, 23 (the clocks go forward on Sunday 29 March) and 30 March, 6 and
# 13 April 2026.
PERIOD = p.Period(first=date(2026, 3, 16), last=date(2026, 4, 19))
W16, W23, W30, W6, W13 = PERIOD.weeks


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def week(result, monday):
    return next(w.values for w in result if w.monday == monday)


# Every figure is checked three times: counted live from the records; read through the
# summary tables (reporting.summary) after a refresh of the complete weeks, which holds
# the first four weeks, with the current week (13 April) counted live; and read through
# the summary holding every week, the current one too, as the beat keeps it.
PATH = {"summary": ""}


@pytest.fixture(autouse=True, params=["live", "summary", "summary-current"])
def figures_path(request):
    PATH["summary"] = "" if request.param == "live" else request.param


def figure(function, scope=None):
    scope = scope or p.Scope()
    if PATH["summary"]:
        weeks = summary.complete_weeks(first=PERIOD.first, now=NOW)
        if PATH["summary"] == "summary-current":
            weeks.append(W13)
        summary.refresh(weeks=weeks, now=NOW)
        source = summary.Source(period=PERIOD, scope=scope, now=NOW)
        assert list(source.summarised) == weeks
        return getattr(source, function.__name__)()
    return function(period=PERIOD, scope=scope, now=NOW)


def referral(received_at, agency=None, **kwargs):
    if agency is not None:
        kwargs["referrer"] = f.UserFactory(role=Role.REFERRER, agency=agency)
    return f.ReferralFactory(received_at=received_at, **kwargs)


def decide(ref, after: timedelta, outcome=Outcome.EARLY_HELP):
    return f.DecisionFactory(referral=ref, decided_at=ref.received_at + after, outcome=outcome)


# --- Weeks --------------------------------------------------------------------------------


def test_the_clock_change_week_runs_from_monday_midnight_gmt_to_monday_midnight_bst():
    change_week = p.Period(first=W23, last=W23 + timedelta(days=6))
    assert change_week.start == datetime(2026, 3, 23, 0, 0, tzinfo=UTC)
    assert change_week.end == datetime(2026, 3, 29, 23, 0, tzinfo=UTC)  # 00:00 BST


def test_default_period_is_the_last_twelve_london_weeks_with_the_current_one():
    period = p.default_period(date(2026, 4, 17))
    assert len(period.weeks) == 12
    assert period.weeks[-1] == date(2026, 4, 13)
    assert period.last == date(2026, 4, 19)


def test_a_referral_at_sunday_2330_in_bst_counts_in_that_week_not_the_next():
    referral(london(2026, 4, 5, 23, 30))  # Sunday 22:30 UTC
    referral(london(2026, 4, 6, 0, 30))  # Monday 00:30 BST, still Sunday 23:30 UTC
    result = figure(p.referrals_by_agency_type)
    assert week(result, W30)["total"] == 1
    assert week(result, W6)["total"] == 1


def test_the_clock_change_week_holds_its_sunday_night_and_not_the_next_monday():
    referral(london(2026, 3, 23, 0, 10))  # Monday 00:10 GMT
    referral(london(2026, 3, 29, 23, 30))  # Sunday 23:30 BST = 22:30 UTC
    referral(london(2026, 3, 30, 0, 15))  # Monday 00:15 BST = Sunday 23:15 UTC
    referral(london(2026, 3, 22, 23, 59))  # the Sunday before, GMT
    result = figure(p.referrals_by_agency_type)
    assert week(result, W16)["total"] == 1
    assert week(result, W23)["total"] == 2
    assert week(result, W30)["total"] == 1


# --- Decided in time and time to decision ------------------------------------------------


def test_share_decided_in_time_counts_a_decision_at_exactly_24_hours_as_late():
    start = london(2026, 3, 31, 9, 0)
    decide(referral(start), timedelta(hours=23, minutes=59))  # in time
    decide(referral(start), timedelta(hours=24))  # at the due time: overdue, as the clock
    decide(referral(start), timedelta(hours=30))  # late
    referral(start)  # undecided and overdue: late
    values = week(figure(p.decided_in_time), W30)
    assert values == {"counted": 4, "in_time": 1, "share": 25.0}


def test_share_decided_in_time_leaves_out_an_undecided_referral_not_yet_due():
    referral(NOW - timedelta(hours=2))  # due tomorrow
    decide(referral(NOW - timedelta(hours=20)), timedelta(hours=1))
    assert week(figure(p.decided_in_time), W13) == {"counted": 1, "in_time": 1, "share": 100.0}


def test_an_empty_week_has_no_share_rather_than_zero():
    values = week(figure(p.decided_in_time), W16)
    assert values == {"counted": 0, "in_time": 0, "share": None}


def test_time_to_decision_median_and_95th_percentile_in_hours():
    start = london(2026, 4, 7, 10, 0)
    for hours in (2, 4, 10, 30):
        decide(referral(start), timedelta(hours=hours))
    referral(start)  # undecided: not in it
    values = week(figure(p.time_to_decision), W6)
    assert values["decided"] == 4
    assert values["median"] == pytest.approx(7.0)
    # rank (4 - 1) x 0.95 = 2.85: 10 + 0.85 x (30 - 10)
    assert values["p95"] == pytest.approx(27.0)
    assert week(figure(p.time_to_decision), W16) == {"decided": 0, "median": None, "p95": None}


def test_time_to_decision_across_the_clock_change_is_real_hours():
    # Saturday 28 March 12:00 GMT to Sunday 29 March 12:00 BST: 23 real hours.
    ref = referral(london(2026, 3, 28, 12, 0))
    f.DecisionFactory(referral=ref, decided_at=london(2026, 3, 29, 12, 0))
    assert week(figure(p.time_to_decision), W23)["median"] == pytest.approx(23.0)


# --- Sources, concerns, outcomes ---------------------------------------------------------


def test_referrals_by_agency_type_and_by_agency():
    school = f.AgencyFactory(name="Perf School", type=AgencyType.SCHOOL)
    police = f.AgencyFactory(name="Perf Police", type=AgencyType.POLICE)
    day = london(2026, 4, 8, 10, 0)
    referral(day, school)
    referral(day, school)
    referral(day, police)
    assert week(figure(p.referrals_by_agency_type), W6) == {"total": 3, "school": 2, "police": 1}
    assert figure(p.referrals_by_agency) == [
        {"agency": "Perf School", "type": "school", "referrals": 2},
        {"agency": "Perf Police", "type": "police", "referrals": 1},
    ]


def test_referrals_by_concern_count_a_referral_under_each_category_it_names():
    day = london(2026, 4, 8, 10, 0)
    referral(day, concerns=[ConcernCategory.NEGLECT, ConcernCategory.DOMESTIC_ABUSE])
    referral(day, concerns=[ConcernCategory.NEGLECT])
    assert week(figure(p.referrals_by_concern), W6) == {"neglect": 2, "domestic_abuse": 1}


def test_outcomes_count_an_amended_decision_under_its_latest_outcome():
    day = london(2026, 4, 8, 10, 0)
    decide(referral(day), timedelta(hours=3), Outcome.NO_FURTHER_ACTION)
    amended = decide(referral(day), timedelta(hours=3), Outcome.EARLY_HELP)
    f.DecisionAmendmentFactory(decision=amended, outcome=Outcome.SIGNPOST, amended_at=NOW)
    f.DecisionAmendmentFactory(
        decision=amended, outcome=Outcome.ASSESSMENT_S17, amended_at=NOW + timedelta(minutes=1)
    )
    referral(day)  # undecided
    assert week(figure(p.outcomes), W6) == {"decided": 2, "nfa": 1, "s17": 1}


# --- Re-referrals and conversions --------------------------------------------------------


def test_re_referral_rate_counts_linked_referrals_with_an_earlier_one_in_12_months():
    day = london(2026, 4, 8, 10, 0)
    repeat_child, old_child, new_child = f.ChildFactory(), f.ChildFactory(), f.ChildFactory()
    referral(day - timedelta(days=200), child=repeat_child)
    referral(day, child=repeat_child)  # a repeat
    referral(day - timedelta(days=400), child=old_child)
    referral(day, child=old_child)  # earlier one too long ago
    referral(day, child=new_child)  # first
    referral(day)  # not linked to a child record: not counted
    values = week(figure(p.re_referrals), W6)
    assert values["linked"] == 3
    assert values["repeats"] == 1
    assert values["share"] == pytest.approx(100 / 3)


def test_conversion_to_assessment_and_to_section_47():
    day = london(2026, 4, 8, 10, 0)
    decide(referral(day), timedelta(hours=2), Outcome.ASSESSMENT_S17)
    decide(referral(day), timedelta(hours=2), Outcome.STRATEGY_S47)
    via_discussion = referral(day)
    decide(via_discussion, timedelta(hours=2), Outcome.OPEN_CASE)
    f.StrategyDiscussionFactory(
        referral=via_discussion, held_at=day, section47_outcome=Section47Outcome.JOINT_POLICE
    )
    no_enquiry = referral(day)
    decide(no_enquiry, timedelta(hours=2), Outcome.NO_FURTHER_ACTION)
    f.StrategyDiscussionFactory(
        referral=no_enquiry,
        held_at=day,
        section47_outcome=Section47Outcome.NO_ENQUIRY,
        no_enquiry_reason="Explained accident.",
    )
    values = week(figure(p.conversions), W6)
    assert values == {"decided": 4, "s17": 1, "s17_share": 25.0, "s47": 2, "s47_share": 50.0}


# --- Feedback ------------------------------------------------------------------------------


def feedback_sent(ref, at):
    event = f.NoticeEventFactory(kind=NoticeKind.FEEDBACK, referral_id=ref.pk, key=f"fb:{ref.pk}")
    f.NotificationFactory(event=event, recipient=ref.referrer, sent_at=at)


def test_feedback_within_one_working_day_of_the_decision():
    # Decided Thursday 2 April 2026 16:00: the next working day is Tuesday 7 April (Good
    # Friday and Easter Monday are bank holidays).
    easter = referral(london(2026, 4, 1, 10, 0))
    f.DecisionFactory(referral=easter, decided_at=london(2026, 4, 2, 16, 0))
    feedback_sent(easter, london(2026, 4, 7, 15, 0))  # in time
    late = referral(london(2026, 4, 1, 10, 0))
    f.DecisionFactory(referral=late, decided_at=london(2026, 4, 1, 12, 0))
    feedback_sent(late, london(2026, 4, 2, 12, 1))  # a working day and a minute
    prompt = referral(london(2026, 4, 1, 10, 0))
    decide(prompt, timedelta(hours=1))
    feedback_sent(prompt, prompt.received_at + timedelta(hours=1))
    never = referral(london(2026, 4, 1, 10, 0))
    decide(never, timedelta(hours=1))
    screener = f.UserFactory(role=Role.SCREENER)
    caller = f.ReferralFactory(
        received_at=london(2026, 4, 1, 10, 0),
        referrer=None,
        agency=None,
        submission__submitted_by=screener,
        recorded_by=screener,
        caller_type=CallerType.values[0],
    )
    decide(caller, timedelta(hours=1))  # no referrer to tell: not counted
    values = week(figure(p.feedback_in_time), W30)
    assert values == {"decided": 4, "in_time": 2, "share": 50.0}


# --- Quality -------------------------------------------------------------------------------


def test_quality_average_score_and_share_meeting_each_criterion_by_week_and_agency():
    school = f.AgencyFactory(name="Quality School", type=AgencyType.SCHOOL)
    police = f.AgencyFactory(name="Quality Police", type=AgencyType.POLICE)
    day = london(2026, 4, 8, 10, 0)
    all_met = dict.fromkeys([name for name, _ in p.RUBRIC], True)
    f.QualityRatingFactory(referral=referral(day, school), **all_met)  # 6
    f.QualityRatingFactory(referral=referral(day, police))  # 3: worry, lived, consent
    referral(day, school)  # not rated
    values = week(figure(pq.quality), W6)
    assert values["rated"] == 2
    assert values["average"] == pytest.approx(4.5)
    assert values["specific_worry"] == 100.0
    assert values["child_voice"] == 50.0
    by_agency = {row["agency"]: row for row in figure(pq.quality_by_agency)}
    assert by_agency["Quality School"]["average"] == 6
    assert by_agency["Quality Police"]["average"] == 3
    assert by_agency["Quality Police"]["child_voice"] == 0.0
    assert week(figure(pq.quality), W16)["average"] is None


# --- Strategy discussions and challenges ---------------------------------------------------


def attend(discussion, agency_type, role, attended=True):
    agency = f.AgencyFactory(name=f"Agency {agency_type}", type=agency_type)
    f.AttendeeFactory(discussion=discussion, agency=agency, role=role, attended=attended)


def test_discussions_with_police_social_care_and_health_present():
    day = london(2026, 4, 8, 10, 0)
    full = f.StrategyDiscussionFactory(held_at=day)
    attend(full, AgencyType.POLICE, AttendeeRole.POLICE_OFFICER)
    attend(full, AgencyType.CHILDRENS_SOCIAL_CARE, AttendeeRole.SOCIAL_WORKER)
    attend(full, AgencyType.OTHER, AttendeeRole.GP)  # health by role
    police_absent = f.StrategyDiscussionFactory(held_at=day)
    attend(police_absent, AgencyType.POLICE, AttendeeRole.POLICE_OFFICER, attended=False)
    attend(police_absent, AgencyType.CHILDRENS_SOCIAL_CARE, AttendeeRole.SOCIAL_WORKER)
    attend(police_absent, AgencyType.HEALTH_VISITING, AttendeeRole.HEALTH_VISITOR)
    mash = f.StrategyDiscussionFactory(held_at=day, kind=DiscussionKind.MASH_MEETING)
    attend(mash, AgencyType.POLICE, AttendeeRole.POLICE_OFFICER)
    assert week(figure(pd.discussion_membership), W6) == {
        "held": 2,
        "all_present": 1,
        "share": 50.0,
    }


def test_minutes_circulated_on_time():
    day = london(2026, 4, 8, 10, 0)
    due = day + timedelta(days=1)
    f.StrategyDiscussionFactory(held_at=day, minutes_due_at=due, minutes_circulated_at=due)
    f.StrategyDiscussionFactory(
        held_at=day, minutes_due_at=due, minutes_circulated_at=due + timedelta(minutes=1)
    )
    f.StrategyDiscussionFactory(held_at=day, minutes_due_at=due)  # overdue, not circulated
    f.StrategyDiscussionFactory(held_at=NOW - timedelta(hours=1))  # not yet due: left out
    assert week(figure(pd.minutes_on_time), W6) == {"counted": 3, "on_time": 1, "share": 100 / 3}
    assert week(figure(pd.minutes_on_time), W13) == {"counted": 0, "on_time": 0, "share": None}


def test_challenges_raised_and_resolved_each_in_their_own_week():
    f.ChallengeFactory(raised_at=london(2026, 4, 1, 10, 0))
    resolved = f.ChallengeFactory(raised_at=london(2026, 4, 2, 10, 0))
    resolved.status = ChallengeStatus.RESOLVED
    resolved.resolution = Resolution.NOT_UPHELD
    resolved.resolution_reasons = "The decision stands: the threshold is not met."
    resolved.resolved_by = f.UserFactory(role=Role.MANAGER)
    resolved.resolved_at = london(2026, 4, 9, 10, 0)
    resolved.save()
    result = figure(pd.challenges)
    assert week(result, W30) == {"raised": 2, "resolved": 0}
    assert week(result, W6) == {"raised": 0, "resolved": 1}


# --- Filters -------------------------------------------------------------------------------


def test_filters_by_agency_type_and_by_agency():
    school_a = f.AgencyFactory(name="Filter School A", type=AgencyType.SCHOOL)
    school_b = f.AgencyFactory(name="Filter School B", type=AgencyType.SCHOOL)
    police = f.AgencyFactory(name="Filter Police", type=AgencyType.POLICE)
    day = london(2026, 4, 8, 10, 0)
    decide(referral(day, school_a), timedelta(hours=2))
    decide(referral(day, school_b), timedelta(hours=30))
    decide(referral(day, police), timedelta(hours=30))
    by_type = p.Scope(agency_type=AgencyType.SCHOOL)
    assert week(figure(p.decided_in_time, by_type), W6) == {
        "counted": 2,
        "in_time": 1,
        "share": 50.0,
    }
    one = p.Scope(agency_id=school_a.pk)
    assert week(figure(p.decided_in_time, one), W6) == {"counted": 1, "in_time": 1, "share": 100.0}
    assert week(figure(p.outcomes, p.Scope(agency_id=police.pk)), W6) == {
        "decided": 1,
        "early_help": 1,
    }
