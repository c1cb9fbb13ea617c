"""``manage.py retention_erase`` (oversight.erasure): a child due goes with everything
about them, history included; a sibling not yet due keeps what they need; old access-log
rows and audit events go on their own clock; each batch leaves an audit event of counts;
run again, nothing more goes. On PostgreSQL this goes through the triggers that refuse
everyone else (tests/audit/test_erasure_triggers.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from audit.db_roles import history_models
from audit.models import AccessLog, AuditEvent, EventKind
from notices.models import NoticeEvent, Notification
from oversight import erasure
from referrals.models import Child, HouseholdMember, Referral, Submission
from tests import factories as f
from tests.oversight.retention_cases import (
    LATER,
    MUCH_LATER,
    at,
    decided,
    everything_about,
    siblings,
)
from triage.models import (
    Challenge,
    ChildLinkRemoval,
    Decision,
    DiscussionAction,
    InformationRequest,
    StrategyDiscussion,
)

pytestmark = pytest.mark.django_db


def _erase() -> str:
    out = StringIO()
    call_command("retention_erase", yes=True, stdout=out)
    return out.getvalue()


def _history_naming(model, ids) -> int:
    """History rows that are versions of ``model``'s rows ``ids``."""
    history = next(h for h in history_models() if h.instance_type is model)
    return history.objects.filter(**{f"{model._meta.pk.attname}__in": ids}).count()


def test_without_yes_nothing_is_erased_and_it_says_what_to_do():
    child = f.ChildFactory()
    referral = decided(child)

    refused = pytest.raises(CommandError, match="Nothing was erased: erasure cannot be undone")
    with at(MUCH_LATER), refused:  # long due
        call_command("retention_erase", stdout=StringIO())

    assert Referral.objects.filter(pk=referral.pk).exists()
    assert Child.objects.filter(pk=child.pk).exists()
    assert not AuditEvent.objects.filter(kind=EventKind.RECORDS_ERASED).exists()


def test_a_child_due_goes_with_everything_about_them_history_included():
    elder, younger, first, second = siblings()
    everything_about(first, sibling_child=None)
    everything_about(second)
    # A link to the elder removed from the younger's referral: it names the elder.
    ChildLinkRemoval.objects.create(
        referral=second, child=elder, reason="Wrong sibling.", removed_by=f.UserFactory()
    )
    ids = {
        Referral: [first.pk],
        Child: [elder.pk],
        Decision: [first.decision.pk],
        Challenge: list(first.challenges.values_list("pk", flat=True)),
        StrategyDiscussion: list(first.strategy_discussions.values_list("pk", flat=True)),
        InformationRequest: list(first.information_requests.values_list("pk", flat=True)),
        HouseholdMember: list(first.household.values_list("pk", flat=True)),
    }
    assert all(_history_naming(model, pks) for model, pks in ids.items())
    kept_history = {model: _history_naming(model, [second.pk]) for model in (Referral,)}

    with at(LATER):
        text = _erase()

    assert "children: 1" in text and "referrals: 1" in text
    for model, pks in ids.items():
        assert not model.objects.filter(pk__in=pks).exists(), model
        assert _history_naming(model, pks) == 0, model
    assert not DiscussionAction.objects.filter(discussion__referral=first).exists()
    assert not NoticeEvent.objects.filter(referral_id=first.pk).exists()
    assert not Notification.objects.filter(event__referral_id=first.pk).exists()
    assert not ChildLinkRemoval.objects.filter(child=elder.pk).exists()
    # The younger sibling keeps their referral, its records and the shared submission.
    second.refresh_from_db()
    assert second.child == younger and Submission.objects.filter(pk=second.submission_id).exists()
    assert second.decision and second.challenges.exists() and second.household.exists()
    assert {model: _history_naming(model, [second.pk]) for model in (Referral,)} == kept_history
    assert NoticeEvent.objects.filter(referral_id=second.pk).exists()


def test_the_shared_submission_goes_with_the_last_sibling():
    elder, younger, first, second = siblings()

    with at(LATER):
        _erase()
    with at(MUCH_LATER):
        _erase()

    assert not Child.objects.filter(pk__in=[elder.pk, younger.pk]).exists()
    assert not Submission.objects.filter(pk=first.submission_id).exists()


def test_each_batch_leaves_an_audit_event_of_counts_and_a_second_run_erases_nothing():
    child = f.ChildFactory(first_name="Zebedee")
    referral = decided(child)
    unlinked = decided()

    with at(LATER):
        _erase()
        events = list(AuditEvent.objects.filter(kind=EventKind.RECORDS_ERASED))
        again = _erase()

    assert len(events) == 1
    event = events[0]
    assert event.detail["erased"]["children"] == 1
    assert event.detail["erased"]["referrals"] == 2
    assert event.detail["schedule"]["until_age"] == 25
    assert event.referral_id is None and event.actor_id is None
    assert "Zebedee" not in str(event.detail) and referral.reference not in str(event.detail)
    assert unlinked.reference not in str(event.detail)
    assert "Nothing was due for erasure; nothing erased." in again
    assert AuditEvent.objects.filter(kind=EventKind.RECORDS_ERASED).count() == 1


def test_what_is_not_due_is_kept():
    waiting = f.ChildFactory()
    decided(waiting)
    open_referral = f.ReferralFactory(child=waiting)
    young = f.ChildFactory(date_of_birth=datetime(2030, 1, 1).date())
    decided(young)

    with at(LATER):
        assert "Nothing was due" in _erase()

    assert Child.objects.filter(pk__in=[waiting.pk, young.pk]).count() == 2
    assert Referral.objects.filter(pk=open_referral.pk).exists()


def test_old_access_log_rows_and_audit_events_go_on_their_own_clock(settings):
    settings.RETENTION_ACCESS_LOG_YEARS = 6
    settings.RETENTION_AUDIT_EVENT_YEARS = 10
    rows = {
        year: AccessLog.objects.create(
            at=datetime(year, 1, 1, tzinfo=UTC),
            username="u",
            role="auditor",
            kind="child",
            path="/",
        ).pk
        for year in (2030, 2040)
    }
    events = {
        year: AuditEvent.objects.create(at=datetime(year, 1, 1, tzinfo=UTC), kind="decided").pk
        for year in (2030, 2040)
    }

    with at(LATER):  # the lines: 2039 for the access log, 2035 for audit events
        text = _erase()

    assert set(AccessLog.objects.filter(pk__in=rows.values()).values_list("pk", flat=True)) == {
        rows[2040]
    }
    assert set(AuditEvent.objects.filter(pk__in=events.values()).values_list("pk", flat=True)) == {
        events[2040]
    }
    assert "access-log rows: 1" in text and "audit events: 1" in text
    recorded = AuditEvent.objects.filter(kind=EventKind.RECORDS_ERASED)
    assert sorted(e.detail["erased"].popitem()[1] for e in recorded) == [1, 1]


def test_batches_are_each_their_own_transaction_with_their_own_event():
    for _ in range(3):
        decided(f.ChildFactory())

    with at(LATER):
        erased = erasure.erase_due(batch=2)

    assert erased.counts["children"] == 3
    assert AuditEvent.objects.filter(kind=EventKind.RECORDS_ERASED).count() == 2
