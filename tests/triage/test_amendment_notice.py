"""An amended decision is told to the referrer: a new feedback notice for each amendment,
once, written with the amendment."""

import pytest

from agencies.models import Role
from core.exceptions import DomainError
from notices.models import NoticeKind, Notification
from referrals.models import Outcome
from tests.factories import DecisionFactory, ReferralFactory, UserFactory
from triage.services import notices
from triage.services.decisions import amend_decision

pytestmark = pytest.mark.django_db

RATIONALE = "Three referrals for neglect this year; early help did not change the children's day."


def amend(decision, manager, **overrides):
    return amend_decision(
        **{
            "decision_id": decision.pk,
            "by": manager,
            "outcome": Outcome.ASSESSMENT_S17,
            "threshold_level": 3,
            "rationale": RATIONALE,
            "reason": "Police shared new information about the household.",
            "feedback": "A social worker will assess the children's needs.",
        }
        | overrides
    )


def amended_notices(**filters):
    return Notification.objects.filter(kind=NoticeKind.FEEDBACK_AMENDED, **filters)


@pytest.fixture
def decision():
    referrer = UserFactory(role=Role.REFERRER, email="teacher@example.invalid")
    return DecisionFactory(referral=ReferralFactory(referrer=referrer))


def test_the_referrer_is_told_of_an_amendment_in_the_inbox_and_by_email(decision):
    amend(decision, UserFactory(role=Role.MANAGER))

    sent = amended_notices()
    assert {(n.recipient_id, n.channel) for n in sent} == {
        (decision.referral.referrer_id, Notification.Channel.INBOX),
        (decision.referral.referrer_id, Notification.Channel.EMAIL),
    }
    inbox = sent.get(channel=Notification.Channel.INBOX)
    assert inbox.link.endswith(f"/referrals/{decision.referral_id}/")
    assert decision.referral.reference in inbox.subject
    # No case details travel in a notice: the reference and a link only.
    assert "social worker" not in inbox.body


def test_each_amendment_is_told_once(decision):
    manager = UserFactory(role=Role.MANAGER)

    first = amend(decision, manager)
    second = amend(decision, manager, outcome=Outcome.STRATEGY_S47, threshold_level=4)
    notices.feedback_amended(decision.referral, first.pk)  # a retry raises nothing new

    inbox = amended_notices(channel=Notification.Channel.INBOX)
    assert sorted(n.event.key for n in inbox) == sorted(
        [f"feedback_amended:{first.pk}", f"feedback_amended:{second.pk}"]
    )


def test_a_refused_amendment_tells_no_one(decision):
    with pytest.raises(DomainError):
        amend(decision, UserFactory(role=Role.MANAGER), reason="")

    assert not amended_notices().exists()


def test_a_caller_recorded_by_the_front_door_gets_no_notice():
    screener = UserFactory(role=Role.SCREENER)
    referral = ReferralFactory(
        referrer=None, recorded_by=screener, caller_type="family", submission__submitted_by=screener
    )
    decision = DecisionFactory(referral=referral)

    amend(decision, UserFactory(role=Role.MANAGER))

    assert not amended_notices().exists()
