"""Case records for the retention tests: made today, looked at from years ahead."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from django.utils import timezone

from agencies.models import Role
from referrals.models import Child, Referral, Status
from tests import factories as f
from triage.models import ChallengeStatus, ChildLinkRemoval, Resolution

# The factories' child is born in 2016 (25 in 2041); the records are made in 2026 (six
# years on: 2032). From mid-2045 such a child is due; one born in 2024 is not (2049).
LATER = datetime(2045, 6, 1, 9, tzinfo=UTC)
MUCH_LATER = datetime(2053, 6, 1, 9, tzinfo=UTC)


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def decided(child: Child | None = None, **fields) -> Referral:
    """A decided referral, linked to ``child`` when given."""
    referral = f.ReferralFactory(child=child, **fields)
    f.DecisionFactory(referral=referral)
    referral.refresh_from_db()
    assert referral.status == Status.DECIDED
    return referral


def everything_about(referral: Referral, *, sibling_child: Child | None = None) -> None:
    """One of every record that hangs from a referral, with history where it has any."""
    decision = referral.decision
    manager = decision.decided_by
    f.HouseholdMemberFactory(referral=referral)
    f.ScreeningNoteFactory(referral=referral)
    f.QualityRatingFactory(referral=referral)
    f.CoachingPromptFactory(referral=referral)
    f.InformationRequestFactory(referral=referral)
    f.DecisionAmendmentFactory(decision=decision)
    challenge = f.ChallengeFactory(decision=decision)
    f.ChallengeResponseFactory(challenge=challenge)
    challenge.status = ChallengeStatus.RESOLVED
    challenge.resolution = Resolution.NOT_UPHELD
    challenge.resolution_reasons = "The decision stands on what was known."
    challenge.resolved_by = manager
    challenge.resolved_at = timezone.now()
    challenge.save()
    discussion = f.StrategyDiscussionFactory(referral=referral)
    f.AttendeeFactory(discussion=discussion)
    f.AgencyContributionFactory(discussion=discussion)
    f.DiscussionDecisionFactory(discussion=discussion)
    f.DiscussionActionFactory(discussion=discussion, done_at=timezone.now())
    event = f.NoticeEventFactory(referral_id=referral.pk, challenge_id=challenge.pk)
    f.NotificationFactory(event=event)
    if sibling_child is not None:
        ChildLinkRemoval.objects.create(
            referral=referral,
            child=sibling_child,
            reason="Linked to the wrong sibling.",
            removed_by=f.UserFactory(role=Role.SCREENER),
        )


def siblings() -> tuple[Child, Child, Referral, Referral]:
    """Two children referred together (one submission): the elder due in 2045, the
    younger (born 2024) not until 2049."""
    elder = f.ChildFactory(date_of_birth=date(2016, 9, 21))
    younger = f.ChildFactory(date_of_birth=date(2024, 1, 10))
    first = decided(elder, child_date_of_birth=date(2016, 9, 21))
    second = decided(
        younger,
        submission=first.submission,
        referrer=first.referrer,
        child_date_of_birth=date(2024, 1, 10),
    )
    return elder, younger, first, second
