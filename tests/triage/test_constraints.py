"""What the database itself refuses in triage's tables, whatever code writes to them."""

import pytest
from django.db import connection
from django.db.models import ProtectedError
from django.utils import timezone

from agencies.models import Role
from tests.database import refused
from tests.factories import DecisionFactory, InformationRequestFactory, UserFactory
from triage.models import DecisionAmendment, InformationRequest, ThresholdLevel

pytestmark = pytest.mark.django_db


def test_a_decision_must_cite_a_configured_threshold_level():
    assert refused(lambda: DecisionFactory(threshold_level_id=9))
    assert not refused(lambda: DecisionFactory(threshold_level_id=4))


def test_an_amendment_must_cite_a_configured_threshold_level():
    decision = DecisionFactory()

    def amend(level):
        return lambda: DecisionAmendment.objects.create(
            decision=decision,
            outcome=decision.outcome,
            threshold_level_id=level,
            rationale="A correction.",
            reason="A reason.",
            amended_by=UserFactory(),
            amended_at=decision.decided_at,
        )

    assert refused(amend(7))
    assert not refused(amend(3))


def test_a_level_that_decisions_cite_cannot_be_renumbered_or_deleted():
    DecisionFactory(threshold_level_id=2)

    assert refused(lambda: ThresholdLevel.objects.filter(level=2).update(level=12))
    assert refused(lambda: ThresholdLevel.objects.filter(level=2)._raw_delete(connection.alias))
    assert not refused(lambda: ThresholdLevel.objects.filter(level=1).update(level=11))
    with pytest.raises(ProtectedError):
        ThresholdLevel.objects.get(level=2).delete()


def test_a_decision_and_an_amendment_hold_only_known_outcomes():
    decision = DecisionFactory()
    amendment = DecisionAmendment.objects.create(
        decision=decision,
        outcome="s47",
        threshold_level_id=4,
        rationale="A correction.",
        reason="A reason.",
        amended_by=UserFactory(),
        amended_at=decision.decided_at,
    )

    for row in (decision, amendment):
        assert refused(lambda row=row: type(row).objects.filter(pk=row.pk).update(outcome="cp"))
        assert not refused(
            lambda row=row: type(row).objects.filter(pk=row.pk).update(outcome="signpost")
        )


def test_an_answer_has_its_text_who_and_when_or_nothing():
    request = InformationRequestFactory()
    partner = UserFactory(role=Role.PARTNER, agency=request.agency)
    now = timezone.now()

    def answer(**fields):
        return lambda: InformationRequest.objects.filter(pk=request.pk).update(**fields)

    assert refused(answer(answer="Known to us: the family missed two appointments."))
    assert refused(answer(answered_by=partner, answered_at=now))
    assert refused(answer(answer="Known to us.", answered_by=partner))
    assert refused(answer(answer="Known to us.", answered_at=now))
    assert not refused(answer(answer="Known to us.", answered_by=partner, answered_at=now))


def test_an_information_request_is_due_after_it_was_sent():
    request = InformationRequestFactory()

    assert refused(
        lambda: InformationRequest.objects.filter(pk=request.pk).update(due_at=request.requested_at)
    )
