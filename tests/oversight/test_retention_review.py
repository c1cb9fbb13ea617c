"""The retention schedule (oversight.retention) and ``manage.py retention_review``: what
is due, listed by number, with nothing written."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from audit.models import AccessLog, AuditEvent
from oversight import retention
from referrals.models import Child, Referral
from tests import factories as f
from tests.oversight.retention_cases import LATER, MUCH_LATER, at, decided, siblings

pytestmark = pytest.mark.django_db

SCHEDULE = retention.Schedule(
    until_age=25,
    years_after_last_activity=6,
    access_log_years=6,
    audit_event_years=6,
    notification_days=365,
)


def test_kept_until_the_later_of_the_birthday_and_the_years_after_the_last_activity():
    kept_until = SCHEDULE.kept_until

    assert kept_until(birth=date(2001, 4, 2), last_activity=date(2010, 1, 5)) == date(2026, 4, 2)
    assert kept_until(birth=date(2001, 4, 2), last_activity=date(2024, 1, 5)) == date(2030, 1, 5)
    # No date of birth: born no later than the last activity, so 25 years after it.
    assert kept_until(birth=None, last_activity=date(2010, 1, 5)) == date(2035, 1, 5)
    # Born on 29 February: 1 March in a common year, never a day early.
    assert kept_until(birth=date(2004, 2, 29), last_activity=date(2005, 1, 1)) == date(2029, 3, 1)


def test_the_settings_set_the_schedule(settings):
    settings.RETENTION_CHILD_UNTIL_AGE = 26
    settings.RETENTION_YEARS_AFTER_LAST_ACTIVITY = 10
    settings.RETENTION_ACCESS_LOG_YEARS = 3
    settings.RETENTION_AUDIT_EVENT_YEARS = 7
    settings.RETENTION_NOTIFICATION_DAYS = 90

    assert retention.Schedule.from_settings() == retention.Schedule(26, 10, 3, 7, 90)


def test_nothing_made_today_is_due():
    decided(f.ChildFactory())
    decided()

    plan = retention.due()

    assert plan.children == {} and plan.unlinked == {}


def test_a_child_is_due_with_their_referrals_once_both_periods_have_passed():
    child = f.ChildFactory(date_of_birth=date(2016, 9, 21))
    first, second = decided(child), decided(child)
    unlinked = decided(child_date_of_birth=date(2016, 1, 1))

    with at(datetime(2041, 10, 1, tzinfo=UTC)):  # 25, but six years since 2026 have passed
        assert retention.due().children == {child.pk: sorted([first.pk, second.pk])}
    with at(datetime(2041, 9, 1, tzinfo=UTC)):  # not yet 25
        assert retention.due().children == {}
    with at(LATER):
        assert retention.due().unlinked == {unlinked.pk: unlinked.reference}


def test_an_open_referral_or_an_open_challenge_keeps_the_child_however_old():
    waiting = f.ChildFactory()
    decided(waiting)
    f.ReferralFactory(child=waiting)  # not decided
    challenged = f.ChildFactory()
    f.ChallengeFactory(decision=f.DecisionFactory(referral=f.ReferralFactory(child=challenged)))
    done = f.ChildFactory()
    decided(done)

    with at(MUCH_LATER):
        assert set(retention.due().children) == {done.pk}


def test_a_child_with_no_date_of_birth_is_kept_25_years_after_the_last_activity():
    child = f.ChildFactory(date_of_birth=None)
    decided(child)
    unlinked = decided(child_date_of_birth=None)

    with at(LATER):
        assert retention.due().children == {} and retention.due().unlinked == {}
    with at(MUCH_LATER):
        plan = retention.due()
        assert child.pk in plan.children and unlinked.pk in plan.unlinked


def test_the_youngest_sibling_sets_nothing_for_the_elder():
    elder, younger, first, second = siblings()

    with at(LATER):
        assert retention.due().children == {elder.pk: [first.pk]}


def test_late_activity_on_a_referral_keeps_the_child_longer():
    child = f.ChildFactory(date_of_birth=date(2016, 9, 21))
    referral = decided(child)
    f.DecisionAmendmentFactory(
        decision=referral.decision, amended_at=datetime(2041, 1, 1, tzinfo=UTC)
    )

    with at(LATER):  # 2045: within six years of the amendment
        assert retention.due().children == {}
    with at(datetime(2047, 2, 1, tzinfo=UTC)):
        assert set(retention.due().children) == {child.pk}


def test_the_review_lists_numbers_and_counts_never_names_and_writes_nothing():
    child = f.ChildFactory(first_name="Zebedee", last_name="Quintrell")
    decided(child)
    unlinked = decided(child_first_name="Ottoline", child_date_of_birth=date(2015, 2, 3))
    AccessLog.objects.create(
        at=datetime(2030, 1, 1, tzinfo=UTC), username="x", role="auditor", kind="child", path="/"
    )
    counts = (Child.objects.count(), Referral.objects.count(), AuditEvent.objects.count())
    out = StringIO()

    with at(LATER):
        call_command("retention_review", stdout=out)

    text = out.getvalue()
    assert "Children: 1, with 1 referrals linked to them" in text
    assert f"child record numbers: {child.pk}" in text
    assert "Referrals linked to no child's record: 1" in text and unlinked.reference in text
    assert "Access-log rows from before 2039-06-01: 1" in text
    assert "Nothing was erased" in text and "retention_erase" in text
    for secret in ("Zebedee", "Quintrell", "Ottoline", "2016-09-21", "2015-02-03", "21/09/2016"):
        assert secret not in text
    assert (Child.objects.count(), Referral.objects.count(), AuditEvent.objects.count()) == counts


def test_the_review_says_when_nothing_is_due():
    decided(f.ChildFactory())
    out = StringIO()

    call_command("retention_review", stdout=out)

    assert "Nothing is due for erasure. Nothing was changed." in out.getvalue()
    assert "Kept until the child is 25 and at least 6 years after" in out.getvalue()
