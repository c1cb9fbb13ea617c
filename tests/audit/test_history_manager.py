"""A tracked model's ``history`` manager (audit.history): its class is made once, and a
manager reached from a record still reads that record's history only."""

from __future__ import annotations

import pytest

from referrals.models import Referral, ReferralConcern
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def test_the_history_managers_class_is_made_once_per_model():
    # django-simple-history's descriptor asks for the class on every access; made
    # afresh, it cost about 0.4 ms of CPU each time a referral was saved.
    assert type(Referral.history) is type(Referral.history)
    assert type(ReferralConcern.history) is type(ReferralConcern.history)
    # One class serves every model (it holds no model); each manager holds its own.
    assert Referral.history.model is not ReferralConcern.history.model


def test_a_records_history_manager_reads_its_own_history_only():
    first, second = ReferralFactory(), ReferralFactory()
    first.immediate_risk = not first.immediate_risk
    first.save()

    assert [h.history_type for h in first.history.order_by("history_date")] == ["+", "~"]
    assert [h.id for h in second.history.all()] == [second.pk]
    assert Referral.history.filter(id__in=[first.pk, second.pk]).count() == 3
