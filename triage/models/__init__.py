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
from triage.models.screening import QualityRating, ScreeningNote

__all__ = [
    "Challenge",
    "ChallengeResponse",
    "ChallengeStatus",
    "EscalationStage",
    "Resolution",
    "StageOwner",
    "Decision",
    "DecisionAmendment",
    "InformationRequest",
    "QualityRating",
    "ScreeningNote",
    "SupportService",
    "ThresholdLevel",
]
