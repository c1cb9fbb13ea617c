"""The shapes of the demo plan: what each submission, referral and screening step will
write. Plain data, shared by the planners (plan, screening) and the writer (seed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class NotePlan:
    at: datetime
    by: str
    text: str


@dataclass
class RatingPlan:
    at: datetime
    by: str
    rubric: dict[str, bool]
    comment: str


@dataclass
class RequestPlan:
    agency: str
    question: str
    by: str
    requested_at: datetime
    due_at: datetime
    answer: str = ""
    answered_by: str | None = None
    answered_at: datetime | None = None


# --- What the screener writes -------------------------------------------------------


@dataclass
class Step:
    """A move along the statuses after the referral is received, by a username."""

    status: str
    at: datetime
    by: str
    recommended_outcome: str = ""
    recommendation: str = ""


@dataclass
class ReferralPlan:
    fields: dict
    concerns: list[str]
    household: list[dict]
    steps: list[Step]
    decision: dict | None
    child_key: int  # the same for every referral about the same child
    matched: bool  # whether screening has linked it to the child's record yet
    # What screening left behind (demo.data.screening).
    notes: list[NotePlan] = field(default_factory=list)
    rating: RatingPlan | None = None
    requests: list[RequestPlan] = field(default_factory=list)


@dataclass
class SubmissionPlan:
    submitted_by: str
    referrer: str | None
    agency: str | None
    channel: str
    caller_type: str
    source_of_referral: str
    received_at: datetime
    created_at: datetime
    contact: dict[str, str]
    referrals: list[ReferralPlan]
