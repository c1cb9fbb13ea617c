"""Screening: claiming and allocating referrals, notes, the quality rubric, matching the
child, and the screener's recommendation."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from agencies.policy import Capability, can
from audit.models import EventKind
from audit.services import record_event
from core.exceptions import DomainError, InvalidState, NotPermitted
from referrals.models import Child, Outcome, Referral, Status
from triage.models import ChildLinkRemoval, QualityRating, ScreeningNote

RUBRIC_FIELDS = tuple(name for name, _ in QualityRating.RUBRIC)


def _require(user, capability: Capability, message: str) -> None:
    if not can(user, capability):
        raise NotPermitted(message)


# How soon the same note from the same person is taken for the form sent again.
NOTE_RESENT_WITHIN = timedelta(minutes=10)


def _open_referral(referral_id: int) -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral_id)
    if referral.status == Status.DECIDED:
        raise InvalidState(f"{referral.reference} has been decided")
    return referral


@transaction.atomic
def claim(*, referral_id: int, by) -> Referral:
    """A screener takes an unallocated referral (or one already theirs)."""
    _require(by, Capability.SCREEN, "Only screeners and managers claim referrals")
    referral = _open_referral(referral_id)
    if referral.assigned_to_id and referral.assigned_to_id != by.pk:
        raise InvalidState(
            f"{referral.reference} is already allocated to {referral.assigned_to.display_name}"
        )
    return _assign(referral, to=by, by=by)


@transaction.atomic
def allocate(*, referral_id: int, to, by) -> Referral:
    """A manager allocates or re-allocates a referral to a screener or manager."""
    _require(by, Capability.ALLOCATE, "Only managers allocate referrals")
    if not (to.is_active and can(to, Capability.SCREEN)):
        raise DomainError({"assigned_to": ["Choose a screener or manager"]})
    referral = _open_referral(referral_id)
    return _assign(referral, to=to, by=by)


def _assign(referral: Referral, *, to, by) -> Referral:
    changed = referral.assigned_to_id != to.pk
    if changed:
        referral.assigned_to = to
        referral.assigned_at = timezone.now()
    starts = referral.status == Status.RECEIVED
    if starts:
        referral.status = Status.SCREENING
    if not (changed or starts):
        # Claimed again by its own screener (a double click): nothing to keep, and no
        # history row that changes nothing.
        return referral
    referral.save(update_fields=["assigned_to", "assigned_at", "status"])
    if changed:
        record_event(
            kind=EventKind.ASSIGNED, by=by, referral=referral, detail={"assigned_to": to.pk}
        )
    return referral


@transaction.atomic
def add_note(*, referral_id: int, by, text: str) -> ScreeningNote:
    _require(by, Capability.SCREEN, "Only screeners and managers add screening notes")
    # Screening ends with the decision: the page offers no note after it, nor does this.
    referral = _open_referral(referral_id)
    text = (text or "").strip()
    if not text:
        raise DomainError({"text": ["Write the note"]})
    # The same note from the same person, right after itself and within minutes, is the
    # form sent again (a double click, the back button): recorded once. The same words
    # later ("No answer from the health visitor" at ten and again at two) are a new note.
    latest = referral.notes.order_by("-created_at", "-pk").first()
    if (
        latest
        and latest.author_id == by.pk
        and latest.text == text
        and timezone.now() - latest.created_at < NOTE_RESENT_WITHIN
    ):
        return latest
    note = ScreeningNote.objects.create(referral=referral, author=by, text=text)
    record_event(
        kind=EventKind.NOTE_ADDED,
        by=by,
        referral=referral,
        object_type="screening_note",
        object_id=note.pk,
    )
    return note


@transaction.atomic
def rate_quality(*, referral_id: int, by, comment: str = "", **rubric: bool) -> QualityRating:
    _require(by, Capability.SCREEN, "Only screeners and managers rate referrals")
    unknown = set(rubric) - set(RUBRIC_FIELDS)
    if unknown:
        raise DomainError({name: ["Not part of the rubric"] for name in unknown})
    # Rated while screening, as the page offers it: once decided, the referrer's agency
    # may have read the rating, and its quality figures counted it.
    referral = _open_referral(referral_id)
    rating, _ = QualityRating.objects.update_or_create(
        referral=referral,
        defaults={
            **{name: bool(rubric.get(name, False)) for name in RUBRIC_FIELDS},
            "comment": comment.strip(),
            "rated_by": by,
            "rated_at": timezone.now(),
        },
    )
    record_event(
        kind=EventKind.QUALITY_RATED, by=by, referral=referral, detail={"score": rating.score}
    )
    return rating


@transaction.atomic
def link_child(*, referral_id: int, child_id: int, by) -> Referral:
    """Link the referral to an existing child record: a screener's judgement."""
    _require(by, Capability.SCREEN, "Only screeners and managers match children")
    referral = Referral.objects.select_for_update().get(pk=referral_id)
    referral.child = Child.objects.get(pk=child_id)
    referral.save(update_fields=["child"])
    record_event(
        kind=EventKind.CHILD_LINKED,
        by=by,
        referral=referral,
        object_type="child",
        object_id=child_id,
    )
    return referral


MIN_UNLINK_REASON_WORDS = 4


@transaction.atomic
def unlink_child(*, referral_id: int, by, reason: str) -> ChildLinkRemoval:
    """Undo a wrong link between a referral and a child record, with the reason. The
    referral leaves the child's chronology (and its repeat flags); the removal stays on
    the child's chronology, and the referral's history keeps the change with its reason.
    A decided referral may be unlinked too: a wrong link merges two children's histories
    whenever it is found."""
    _require(by, Capability.SCREEN, "Only screeners and managers change a child link")
    referral = Referral.objects.select_for_update().get(pk=referral_id)
    if referral.child_id is None:
        raise InvalidState(f"{referral.reference} is not linked to a child record")
    reason = (reason or "").strip()
    if len(reason.split()) < MIN_UNLINK_REASON_WORDS:
        raise DomainError(
            {
                "reason": [
                    "Say why the link is wrong, for example which details do not match "
                    f"(at least {MIN_UNLINK_REASON_WORDS} words)"
                ]
            }
        )
    removal = ChildLinkRemoval(referral=referral, child_id=referral.child_id, removed_by=by)
    removal.reason = reason
    removal._history_user = by
    removal.save()
    referral.child = None
    referral._history_user = by
    referral._change_reason = "Link to a child record removed"
    referral.save(update_fields=["child"])
    record_event(
        kind=EventKind.CHILD_UNLINKED,
        by=by,
        referral=referral,
        object_type="child",
        object_id=removal.child_id,
    )
    return removal


@transaction.atomic
def create_child_from_referral(*, referral_id: int, by) -> Child:
    """No existing record fits: make a new child record from the details as given."""
    _require(by, Capability.SCREEN, "Only screeners and managers create child records")
    referral = Referral.objects.select_for_update().get(pk=referral_id)
    if referral.child_id:
        raise InvalidState(f"{referral.reference} is already linked to a child record")
    if (
        referral.child_nhs_number
        and Child.objects.filter(nhs_number=referral.child_nhs_number).exists()
    ):
        raise InvalidState("A child with this NHS number already exists: link to that record")
    child = Child.objects.create(
        **referral.child_details(),
        created_by=by,
    )
    referral.child = child
    referral.save(update_fields=["child"])
    record_event(
        kind=EventKind.CHILD_CREATED,
        by=by,
        referral=referral,
        object_type="child",
        object_id=child.pk,
    )
    return child


@transaction.atomic
def recommend(*, referral_id: int, by, outcome: str, rationale: str) -> Referral:
    """The screener's recommended outcome, for a manager to decide on."""
    _require(by, Capability.RECOMMEND, "Only screeners and managers recommend outcomes")
    referral = _open_referral(referral_id)
    errors = {}
    if outcome not in Outcome.values:
        errors["outcome"] = ["Choose a recommended outcome"]
    if len((rationale or "").strip()) < 20:
        errors["rationale"] = ["Say why you recommend this outcome"]
    if errors:
        raise DomainError(errors)
    referral.recommended_outcome = outcome
    referral.recommendation = rationale.strip()
    referral.recommended_by = by
    referral.recommended_at = timezone.now()
    if referral.assigned_to_id is None:
        referral.assigned_to, referral.assigned_at = by, referral.recommended_at
    referral.status = Status.AWAITING_DECISION
    referral.save(
        update_fields=[
            "recommended_outcome",
            "recommendation",
            "recommended_by",
            "recommended_at",
            "assigned_to",
            "assigned_at",
            "status",
        ]
    )
    record_event(kind=EventKind.RECOMMENDED, by=by, referral=referral, detail={"outcome": outcome})
    return referral
