"""The front door's workflow records, one module each; imported here so that Django finds
them and the rest of the code can say ``from triage.models import Decision``."""

from triage.models.challenges import (
    Challenge,
    ChallengeResponse,
    ChallengeStatus,
    EscalationStage,
    Resolution,
    StageOwner,
)
from triage.models.decisions import Decision, DecisionAmendment, SupportService, ThresholdLevel
from triage.models.information import InformationRequest
from triage.models.screening import ChildLinkRemoval, QualityRating, ScreeningNote
from triage.models.strategy import (
    AdvocateOffered,
    AgencyContribution,
    Attendee,
    AttendeeRole,
    DiscussionAction,
    DiscussionDecision,
    DiscussionFormat,
    DiscussionKind,
    Section47Outcome,
    StrategyDiscussion,
)

__all__ = [
    "Challenge",
    "ChallengeResponse",
    "ChildLinkRemoval",
    "ChallengeStatus",
    "EscalationStage",
    "Resolution",
    "StageOwner",
    "AdvocateOffered",
    "AgencyContribution",
    "Attendee",
    "AttendeeRole",
    "DiscussionAction",
    "DiscussionDecision",
    "DiscussionFormat",
    "DiscussionKind",
    "Section47Outcome",
    "StrategyDiscussion",
    "Decision",
    "DecisionAmendment",
    "InformationRequest",
    "QualityRating",
    "ScreeningNote",
    "SupportService",
    "ThresholdLevel",
]
