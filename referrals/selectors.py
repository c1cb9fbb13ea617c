"""Reads about referrals. ``referrals_visible_to`` is the one place that decides which
referrals a user may see; every list and detail view, HTML or API, starts from it."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import Q, QuerySet, TextChoices

from agencies.policy import Capability, can
from referrals import coaching
from referrals.models import CoachingOutcome, CoachingPrompt, HouseholdMember, Referral, Status


def referrals_visible_to(user) -> QuerySet[Referral]:
    if can(user, Capability.VIEW_ALL_REFERRALS):
        return Referral.objects.all()
    if can(user, Capability.VIEW_AGENCY_REFERRALS) and user.agency_id:
        return Referral.objects.filter(agency_id=user.agency_id)
    if can(user, Capability.VIEW_OWN_REFERRALS):
        return Referral.objects.filter(referrer=user)
    return Referral.objects.none()


def referrals_for_listing(user) -> QuerySet[Referral]:
    """What a list shows, with what each row needs fetched in a fixed number of queries."""
    return (
        referrals_visible_to(user)
        .select_related("agency", "referrer", "decision", "submission")
        .prefetch_related(
            "concerns",
            "decision__amendments",
            "decision__challenges__stage",
            "strategy_discussions__challenges__stage",
        )
    )


# --- The decision clock as a referrer's list shows it ----------------------------------
#
# The same edges as the clock's badge (core.clock.read_clock), so a row's tag and the
# filter that finds it always agree: overdue from the due time itself; due soon while
# under FRONTDOOR_DUE_SOON_HOURS is left; on time before that. A decided referral has
# no running clock: it is "decided".


class ClockFilter(TextChoices):
    OVERDUE = "overdue", "Overdue"
    DUE_SOON = "due_soon", "Due soon"
    ON_TIME = "on_time", "On time"
    DECIDED = "decided", "Decided"


def clock_filter(state: str, *, now: datetime) -> Q:
    """Referrals whose decision clock reads ``state`` (a ClockFilter value) at ``now``."""
    undecided = ~Q(status=Status.DECIDED)
    soon = now + settings.DUE_SOON
    return {
        ClockFilter.OVERDUE: undecided & Q(decision_due_at__lte=now),
        ClockFilter.DUE_SOON: undecided & Q(decision_due_at__gt=now, decision_due_at__lt=soon),
        ClockFilter.ON_TIME: undecided & Q(decision_due_at__gte=soon),
        ClockFilter.DECIDED: Q(status=Status.DECIDED),
    }[ClockFilter(state)]


def siblings_by_submission(user, referrals) -> dict[int, list[tuple[int, str]]]:
    """For each submission among ``referrals``: the (id, reference) of every referral in
    it that ``user`` may see, in reference order; one query."""
    submissions = {r.submission_id for r in referrals}
    found: dict[int, list[tuple[int, str]]] = {}
    rows = (
        referrals_visible_to(user)
        .filter(submission_id__in=submissions)
        .order_by("reference")
        .values_list("submission_id", "pk", "reference")
    )
    for submission_id, pk, reference in rows:
        found.setdefault(submission_id, []).append((pk, reference))
    return found


def referral_for_referrer(user, referral_id: int) -> Referral:
    """One referral as its referrer (or their agency's lead) reads it back: what they
    sent, where it stands and the feedback. Raises Referral.DoesNotExist outside the
    user's scope, so another agency's referral is not found, whatever its id."""
    return (
        referrals_visible_to(user)
        .select_related("agency", "referrer", "decision", "submission")
        .prefetch_related(
            "concerns",
            "household",
            "decision__amendments",
            "decision__challenges__stage",
            "strategy_discussions__challenges__stage",
        )
        .get(pk=referral_id)
    )


def household_as_given(referral_id: int) -> list[dict]:
    """The household members named in a referral, as the referrer gave them: name,
    relationship and date of birth, and nothing else (a partner answering a question
    about the household sees who it is about, not what the referrer said of them)."""
    return list(
        HouseholdMember.objects.filter(referral_id=referral_id)
        .order_by("pk")
        .values("name", "relationship", "date_of_birth")
    )


def coaching_explanations(user, referral_id: int) -> dict[str, dict]:
    """What the referrer explained when a coaching prompt still applied to what they
    sent, by field (``worry``, ``lived_experience``, ``child_voice``,
    ``history_and_pattern``): ``{"prompts": [the wording they read, ...],
    "explanation": their words}``. For the front door's staff only (those who read every
    referral); anyone else gets nothing, whatever the referral. The explanation is the
    referrer's, given once per field, so prompts on one field share it."""
    if not can(user, Capability.VIEW_ALL_REFERRALS):
        return {}
    found: dict[str, dict] = {}
    rows = (
        CoachingPrompt.objects.filter(referral_id=referral_id, outcome=CoachingOutcome.EXPLAINED)
        .order_by("shown_at", "pk")
        .values_list("field", "rule", "agency_type", "explanation")
    )
    for field, rule, agency_type, explanation in rows:
        entry = found.setdefault(field, {"prompts": [], "explanation": explanation})
        entry["prompts"].append(coaching.prompt_wording(field, rule, agency_type))
    return found
