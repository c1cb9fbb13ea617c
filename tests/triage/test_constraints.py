"""What the database itself refuses in triage's tables, whatever code writes to them."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from tests.factories import DecisionFactory, UserFactory
from triage.models import DecisionAmendment, ThresholdLevel

pytestmark = pytest.mark.django_db


def refused(write) -> bool:
    """True when the database refuses ``write``: at once, or (foreign keys are checked at
    commit on both SQLite and PostgreSQL) when its constraints are checked."""
    try:
        with transaction.atomic():
            write()
            connection.check_constraints()
    except IntegrityError:
        return True
    return False


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
