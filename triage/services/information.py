"""Information requests: a screener asks a partner agency what it knows about a child and
household, with a time the answer is due; the partner answers.

Services (``send_information_request``, ``answer_information_request``) and the reads
that go with them live together here while they are this small.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from agencies.census import AgencyType
from agencies.models import Agency
from agencies.policy import Capability, can, may_answer_information_request
from audit.models import EventKind
from audit.services import record_event
from core.exceptions import DomainError, InvalidState, NotPermitted
from referrals.models import Referral, Status
from triage import moments
from triage.models import InformationRequest
from triage.services import notices

# A partner is asked to answer within four hours, and early enough to inform a decision
# that is due within 24; but never given less than an hour, which no one can meet.
DEFAULT_ANSWER_WITHIN = timedelta(hours=4)
ANSWER_BEFORE_DECISION = timedelta(hours=2)
SHORTEST_NOTICE = timedelta(hours=1)
# An unanswered information request is "due soon" in its last hour (a decision is "due
# soon" in its last FRONTDOOR_DUE_SOON_HOURS: settings.DUE_SOON).
REQUEST_DUE_SOON = timedelta(hours=1)

QUESTION_MAX = InformationRequest._meta.get_field("question").max_length
ANSWER_MAX = InformationRequest._meta.get_field("answer").max_length


def default_due_at(referral: Referral, now: datetime) -> datetime:
    """The due time offered by default: the earlier of four hours from now and two hours
    before the referral's decision is due, but never less than an hour from now. Within
    the decision's clock whatever the day: the clock does not wait for enquiries (DESIGN),
    and a request offered for after a weekend or a bank holiday would be answered after
    the decision was due. The form names the offered day of the week
    (``InformationRequestForm``), so a screener asking a school on a Saturday sees it is
    a Saturday and can ask another agency or by telephone."""
    due = min(now + DEFAULT_ANSWER_WITHIN, referral.decision_due_at - ANSWER_BEFORE_DECISION)
    return max(due, now + SHORTEST_NOTICE)


def partner_agencies() -> QuerySet[Agency]:
    """Agencies a request may go to: active, and not the front door's own social care."""
    return Agency.objects.filter(is_active=True).exclude(type=AgencyType.CHILDRENS_SOCIAL_CARE)


def may_send_information_request(user, referral: Referral) -> bool:
    """Screeners and managers ask partner agencies while a referral is undecided."""
    return can(user, Capability.SCREEN) and referral.status != Status.DECIDED


@transaction.atomic
def send_information_request(
    *, referral_id: int, by, agency_id: int | None, question: str, due_at: datetime | None
) -> InformationRequest:
    if not can(by, Capability.SCREEN):
        raise NotPermitted("Only screeners and managers can send information requests")
    # Locked so that a decision recorded at the same moment cannot slip past the check.
    referral = Referral.objects.select_for_update().get(pk=referral_id)
    if not may_send_information_request(by, referral):
        raise InvalidState(
            "This referral has been decided: information requests can no longer be sent"
        )

    now = timezone.now()
    question = (question or "").strip()
    errors: dict[str, list[str]] = {}
    agency = partner_agencies().filter(pk=agency_id).first() if agency_id else None
    if agency is None:
        errors["agency"] = ["Select an active partner agency to send the request to"]
    if not question:
        errors["question"] = ["Enter the question for the partner agency"]
    elif len(question) > QUESTION_MAX:
        errors["question"] = [f"The question must be {QUESTION_MAX} characters or fewer"]
    if due_at is None:
        errors["due_at"] = ["Enter when the answer is due"]
    elif problem := moments.due_error(
        due_at,
        what=moments.ANSWER_DUE,
        now=now,
        within=settings.INFORMATION_REQUEST_DUE_WITHIN,
    ):
        errors["due_at"] = [problem]
    if errors:
        raise DomainError(errors)

    information_request = InformationRequest(
        referral=referral,
        agency=agency,
        question=question,
        requested_by=by,
        requested_at=now,
        due_at=due_at,
    )
    information_request._history_user = by  # also right outside a web request
    information_request.save()
    record_event(
        kind=EventKind.INFORMATION_REQUESTED,
        by=by,
        referral=referral,
        object_type="information_request",
        object_id=information_request.pk,
        detail={"agency": agency.pk},
    )
    notices.information_requested(information_request)
    return information_request


@transaction.atomic
def answer_information_request(*, request_id: int, by, answer: str) -> InformationRequest:
    if not can(by, Capability.ANSWER_INFORMATION_REQUESTS):
        raise NotPermitted("Only partner agency users can answer information requests")
    information_request = InformationRequest.objects.select_for_update().get(pk=request_id)
    if not may_answer_information_request(by, agency_id=information_request.agency_id):
        raise NotPermitted("This request was sent to another agency")
    if information_request.is_answered:
        raise InvalidState("This request has already been answered")

    answer = (answer or "").strip()
    if not answer:
        raise DomainError({"answer": ["Enter your answer"]})
    if len(answer) > ANSWER_MAX:
        raise DomainError({"answer": [f"Your answer must be {ANSWER_MAX} characters or fewer"]})

    information_request.answer = answer
    information_request.answered_by = by
    information_request.answered_at = timezone.now()
    information_request._history_user = by
    information_request.save(update_fields=["answer", "answered_by", "answered_at"])
    record_event(
        kind=EventKind.INFORMATION_ANSWERED,
        by=by,
        referral=information_request.referral,
        object_type="information_request",
        object_id=information_request.pk,
    )
    return information_request


# --- Selectors ---------------------------------------------------------------------------


def requests_for_partner(user) -> QuerySet[InformationRequest]:
    """The requests addressed to a partner's own agency, and nothing else: unanswered
    first by due time, then answered, most recently answered first."""
    if not can(user, Capability.ANSWER_INFORMATION_REQUESTS) or not user.agency_id:
        return InformationRequest.objects.none()
    return (
        InformationRequest.objects.filter(agency_id=user.agency_id)
        .select_related("referral", "requested_by", "requested_by__agency", "answered_by")
        .order_by(F("answered_at").desc(nulls_first=True), "due_at", "pk")
    )


def requests_for_referral(referral_id: int) -> QuerySet[InformationRequest]:
    """One referral's requests, oldest first, with what the screening page shows."""
    return (
        InformationRequest.objects.filter(referral_id=referral_id)
        .select_related("agency", "requested_by", "answered_by")
        .order_by("requested_at", "pk")
    )
