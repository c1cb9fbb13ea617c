"""Intake's records, one module each: the choices and text limits, the child, the
referral with its concerns and household, and what intake keeps beside it (drafts,
coaching prompts, idempotency keys). Imported here so that Django finds them and the
rest of the code can say ``from referrals.models import Referral``."""

from referrals.models.children import Child
from referrals.models.choices import (
    HOUSE_MAX,
    NARRATIVE_MAX,
    SHORT_TEXT_MAX,
    Channel,
    Outcome,
    ParentalConsent,
    PatternAnswer,
    Status,
)
from referrals.models.intake import (
    CoachingOutcome,
    CoachingPrompt,
    IdempotencyRecord,
    ReferralDraft,
)
from referrals.models.referral import (
    HISTORY_NOT_INDEXED,
    HouseholdMember,
    ReferenceSequence,
    Referral,
    ReferralConcern,
    Submission,
)

__all__ = [
    "HOUSE_MAX",
    "NARRATIVE_MAX",
    "SHORT_TEXT_MAX",
    "Channel",
    "Outcome",
    "ParentalConsent",
    "PatternAnswer",
    "Status",
    "Child",
    "HISTORY_NOT_INDEXED",
    "HouseholdMember",
    "ReferenceSequence",
    "Referral",
    "ReferralConcern",
    "Submission",
    "CoachingOutcome",
    "CoachingPrompt",
    "IdempotencyRecord",
    "ReferralDraft",
]
