"""Significant events are appended to the audit trail in the same transaction as the
change, by the service that makes it; the database refuses to change them."""

import pytest
from django.db import IntegrityError, connection, transaction

from agencies.models import Role
from audit.models import AuditEvent, EventKind
from audit.services import record_event
from core.exceptions import InvalidState
from referrals.models import Outcome
from referrals.services import acknowledge
from tests.factories import (
    ChildFactory,
    DecisionFactory,
    InformationRequestFactory,
    ReferralFactory,
    UserFactory,
)
from tests.referrals.test_submit import refer
from triage.services import decisions, information, screening

pytestmark = pytest.mark.django_db

RATIONALE = "Three referrals for neglect this year; early help did not change the children's day."


def kinds(referral) -> list[str]:
    return list(AuditEvent.objects.filter(referral_id=referral.pk).values_list("kind", flat=True))


def test_a_submitted_referral_is_in_the_audit_trail(referrer):
    [referral] = refer(referrer)

    event = AuditEvent.objects.get(referral_id=referral.pk)
    assert (event.kind, event.actor_id, event.reference) == (
        EventKind.SUBMITTED,
        referrer.pk,
        referral.reference,
    )


def test_screening_steps_are_in_the_audit_trail_with_who_did_them():
    screener = UserFactory(role=Role.SCREENER)
    referral = ReferralFactory()
    child = ChildFactory()

    screening.claim(referral_id=referral.pk, by=screener)
    screening.add_note(referral_id=referral.pk, by=screener, text="Spoke to the school.")
    screening.rate_quality(referral_id=referral.pk, by=screener, specific_worry=True)
    screening.link_child(referral_id=referral.pk, child_id=child.pk, by=screener)
    screening.recommend(
        referral_id=referral.pk,
        by=screener,
        outcome=Outcome.EARLY_HELP,
        rationale="Needs are emerging and the family will work with early help.",
    )

    assert kinds(referral) == [
        EventKind.ASSIGNED,
        EventKind.NOTE_ADDED,
        EventKind.QUALITY_RATED,
        EventKind.CHILD_LINKED,
        EventKind.RECOMMENDED,
    ]
    assert set(AuditEvent.objects.values_list("actor_username", flat=True)) == {screener.username}


def test_a_decision_and_its_amendment_are_in_the_audit_trail():
    manager = UserFactory(role=Role.MANAGER)
    referral = ReferralFactory()

    decision = decisions.decide(
        referral_id=referral.pk,
        by=manager,
        outcome=Outcome.ASSESSMENT_S17,
        threshold_level=3,
        rationale=RATIONALE,
        feedback="A social worker will meet the family to understand their needs.",
        proceed_reason="Not screened, but the police need an answer tonight.",
    )
    decisions.amend_decision(
        decision_id=decision.pk,
        by=manager,
        outcome=Outcome.STRATEGY_S47,
        threshold_level=4,
        rationale=RATIONALE,
        reason="Police shared new information about the household.",
        feedback="We need to talk with the police and health about the children.",
    )

    decided, amended = AuditEvent.objects.filter(referral_id=referral.pk)
    assert decided.kind == EventKind.DECIDED
    assert decided.detail == {
        "outcome": "s17",
        "threshold_level": 3,
        "late": False,
        # What the decision page warned of, and the manager answered (proceed_reason).
        "warnings": ["unallocated", "not_linked", "no_notes"],
    }
    assert amended.kind == EventKind.AMENDED


def test_an_information_request_and_its_answer_are_in_the_audit_trail():
    request = InformationRequestFactory()
    partner = UserFactory(role=Role.PARTNER, agency=request.agency)

    information.answer_information_request(
        request_id=request.pk, by=partner, answer="Known to us: last seen in May."
    )

    assert kinds(request.referral) == [EventKind.INFORMATION_ANSWERED]


def test_a_refused_change_leaves_no_audit_event():
    screener = UserFactory(role=Role.SCREENER)
    decided = DecisionFactory().referral

    with pytest.raises(InvalidState):
        screening.claim(referral_id=decided.pk, by=screener)

    assert kinds(decided) == []


def test_the_audit_trail_holds_no_names_or_narrative():
    referral = ReferralFactory(child_first_name="Zephyrina")
    screening.add_note(
        referral_id=referral.pk,
        by=UserFactory(role=Role.SCREENER),
        text="Zephyrina told her teacher about the bruises.",
    )

    stored = str(list(AuditEvent.objects.values()))
    assert "Zephyrina" not in stored and "bruises" not in stored


def test_the_database_refuses_to_change_an_audit_event():
    event = record_event(kind=EventKind.NOTE_ADDED, referral=ReferralFactory())

    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(kind=EventKind.DECIDED)
    with pytest.raises(ValueError):
        event.save()


@pytest.mark.postgres(reason="the delete trigger is PostgreSQL's")
def test_postgresql_refuses_to_delete_an_audit_event():
    event = record_event(kind=EventKind.NOTE_ADDED, referral=ReferralFactory())

    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_an_emailed_notice_is_in_the_audit_trail(django_capture_on_commit_callbacks, mailoutbox):
    referral = ReferralFactory()

    with django_capture_on_commit_callbacks(execute=True):
        acknowledge(referral)

    assert len(mailoutbox) == 1
    event = AuditEvent.objects.get(kind=EventKind.NOTICE_SENT)
    assert event.detail["referral"] == referral.pk
    assert event.detail["recipient"] == referral.referrer_id


def test_the_refusal_survives_a_migration_that_rebuilds_the_table():
    """SQLite drops a table's triggers when a migration rebuilds it; every migrate puts
    them back (audit.apps)."""
    from django.apps import apps

    from audit import triggers
    from audit.apps import reinstall_triggers

    triggers.uninstall(connection)  # as a table rebuild would leave it
    reinstall_triggers(apps.get_app_config("audit"), using="default")
    event = record_event(kind=EventKind.NOTE_ADDED, referral=ReferralFactory())

    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(kind=EventKind.DECIDED)
