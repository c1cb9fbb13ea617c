"""Reads about referrals. ``referrals_visible_to`` is the one place that decides which
referrals a user may see; every list and detail view, HTML or API, starts from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet, TextChoices

from agencies.policy import Capability, can
from referrals import coaching
from referrals.models import (
    CoachingOutcome,
    CoachingPrompt,
    HouseholdMember,
    Referral,
    ReferralConcern,
    Status,
)


def referrals_visible_to(user) -> QuerySet[Referral]:
    if can(user, Capability.VIEW_ALL_REFERRALS):
        return Referral.objects.all()
    if can(user, Capability.VIEW_AGENCY_REFERRALS) and user.agency_id:
        return Referral.objects.filter(agency_id=user.agency_id)
    if can(user, Capability.VIEW_OWN_REFERRALS):
        return Referral.objects.filter(referrer=user)
    return Referral.objects.none()


def referrals_for_api_detail(user) -> QuerySet[Referral]:
    """A referral as the API's detail reads it (its agency, its decision, concerns and
    amendments), in a fixed number of queries. A list reads less, for its page's rows
    only: ``referrals_for_api_list``, ``my_referrals_rows``."""
    return (
        referrals_visible_to(user)
        .select_related("agency", "decision")
        .prefetch_related("concerns", "decision__amendments")
    )


# What the API's referral (referrals.serializers.ReferralSerializer) shows: the referral's
# own columns, its agency's name and its decision's, read in the list's one query. Not
# the narratives (several KB a row), nor anything else a page of fifty would carry for
# nothing; its concerns and any amendment's feedback come from ``concerns_by_referral``
# and ``latest_amendments`` for the page's rows only.
API_COLUMNS = (
    "reference",
    "status",
    "received_at",
    "decision_due_at",
    "immediate_risk",
    "child_first_name",
    "child_last_name",
    "child_date_of_birth",
    "child_expected_date_of_birth",
    "source_of_referral",
    "agency__name",
    "decision__decided_at",
    "decision__outcome",
    "decision__feedback",
)


def referrals_for_api_list(user) -> QuerySet[Referral]:
    """The referrals ``user`` may see, each with the columns the API shows (API_COLUMNS)."""
    return referrals_visible_to(user).select_related("agency", "decision").only(*API_COLUMNS)


def concerns_by_referral(referral_ids) -> dict[int, list[str]]:
    """Each referral's concern categories (in the order they were recorded); one query."""
    found: dict[int, list[str]] = {}
    rows = (
        ReferralConcern.objects.filter(referral_id__in=list(referral_ids))
        .order_by("pk")
        .values_list("referral_id", "category")
    )
    for referral_id, category in rows:
        found.setdefault(referral_id, []).append(category)
    return found


def _related(*path: str):
    """The model at the end of ``path``, relations followed from Referral: triage's
    decisions, amendments, discussions and challenges, which this app reads for its
    lists but does not import (triage is above it)."""
    model = Referral
    for name in path:
        model = model._meta.get_field(name).related_model
    return model


@dataclass(frozen=True)
class Amendment:
    """The latest amendment to a referral's decision: its outcome and feedback."""

    outcome: str
    feedback: str


def latest_amendments(referral_ids) -> dict[int, Amendment]:
    """For each referral among ``referral_ids`` whose decision was amended: the latest
    amendment (what triage.models.Decision.current returns: the first of the latest
    ``amended_at``); one query, none for no ids."""
    ids = list(referral_ids)
    if not ids:
        return {}
    found: dict[int, tuple] = {}
    rows = (
        _related("decision", "amendments")
        ._default_manager.filter(decision__referral_id__in=ids)
        .order_by("amended_at")
        .values_list("decision__referral_id", "amended_at", "outcome", "feedback")
    )
    for pk, amended_at, outcome, feedback in rows:
        if pk not in found or amended_at > found[pk][0]:
            found[pk] = (amended_at, Amendment(outcome=outcome, feedback=feedback))
    return {pk: amendment for pk, (_, amendment) in found.items()}


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


def siblings_by_submission(user, submissions) -> dict[int, list[tuple[int, str]]]:
    """For each of the submission ids ``submissions``: the (id, reference) of every
    referral in it that ``user`` may see, in reference order; one query."""
    submissions = set(submissions)
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


# --- My referrals: a page's rows and what each shows of the decision and after ----------

# A row's own columns and its decision's (LEFT JOIN), read as values: a page shows these
# and the little that ``after_decision`` reads for its rows, never a whole model.
MY_REFERRALS_COLUMNS = (
    "id",
    "reference",
    "submission_id",
    "immediate_risk",
    "child_first_name",
    "child_last_name",
    "referrer_name",
    "received_at",
    "decision_due_at",
    "status",
    "decision__id",
    "decision__decided_at",
    "decision__outcome",
    "decision__feedback",
)


def my_referrals_rows(user) -> QuerySet:
    """The referrals ``user`` may see as My referrals lists them: dicts of
    MY_REFERRALS_COLUMNS."""
    return referrals_visible_to(user).values(*MY_REFERRALS_COLUMNS)


def _labels(relation: str, field: str) -> dict[str, str]:
    """The labels of the choices of ``field`` on the model at ``relation``."""
    choices = _related(relation)._meta.get_field(field).flatchoices
    return {str(value): str(label) for value, label in choices}


@dataclass(frozen=True)
class ChallengeSummary:
    """The newest challenge to a decision or to a discussion's outcome, as a row says it."""

    pk: int
    is_open: bool
    stage_order: int
    stage_due_at: datetime
    resolution: str  # in words


@dataclass(frozen=True)
class DiscussionOutcome:
    """A strategy discussion with a section 47 outcome, in words, and its newest challenge."""

    pk: int
    kind: str
    held_at: datetime
    outcome: str
    challenge: ChallengeSummary | None


@dataclass(frozen=True)
class AfterDecision:
    """What happened after the decisions on a page's referrals, by referral id: the
    latest amendment, the newest challenge to the decision, and the discussions with a
    section 47 outcome (newest first)."""

    amendments: dict[int, Amendment]
    challenges: dict[int, ChallengeSummary]
    discussions: dict[int, list[DiscussionOutcome]]


def after_decision(*, decided_ids, referral_ids) -> AfterDecision:
    """AfterDecision for a page: ``decided_ids`` the rows with a decision, among
    ``referral_ids``. At most three queries (amendments, discussions, challenges), each
    left out when there is nothing it could find; plain values, not prefetched models
    with a queryset a row."""
    decided_ids, referral_ids = list(decided_ids), list(referral_ids)
    discussions: dict[int, list] = {}
    if referral_ids:
        kinds = _labels("strategy_discussions", "kind")
        outcomes = _labels("strategy_discussions", "section47_outcome")
        rows = (
            _related("strategy_discussions")
            ._default_manager.filter(referral_id__in=referral_ids)
            .exclude(section47_outcome="")
            .order_by("-held_at", "-pk")
            .values_list("referral_id", "pk", "kind", "held_at", "section47_outcome")
        )
        for pk, discussion_id, kind, held_at, outcome in rows:
            discussions.setdefault(pk, []).append(
                (discussion_id, kinds.get(kind, kind), held_at, outcomes.get(outcome, outcome))
            )
    challenged = set(decided_ids) | set(discussions)
    by_decision: dict[int, ChallengeSummary] = {}
    by_discussion: dict[int, ChallengeSummary] = {}
    if challenged:
        resolutions = _labels("challenges", "resolution")
        challenge = _related("challenges")
        rows = (
            challenge._default_manager.filter(referral_id__in=challenged)
            .order_by("-raised_at", "-pk")
            .values_list(
                "referral_id",
                "discussion_id",
                "pk",
                "status",
                "stage__order",
                "stage_due_at",
                "resolution",
            )
        )
        for pk, discussion_id, challenge_id, status, order, due_at, resolution in rows:
            found = by_discussion if discussion_id is not None else by_decision
            key = discussion_id if discussion_id is not None else pk
            if key not in found:  # the newest
                found[key] = ChallengeSummary(
                    pk=challenge_id,
                    is_open=status == challenge.Status.OPEN,
                    stage_order=order,
                    stage_due_at=due_at,
                    resolution=resolutions.get(resolution, resolution),
                )
    return AfterDecision(
        amendments=latest_amendments(decided_ids),
        challenges=by_decision,
        discussions={
            pk: [
                DiscussionOutcome(
                    pk=discussion_id,
                    kind=kind,
                    held_at=held_at,
                    outcome=outcome,
                    challenge=by_discussion.get(discussion_id),
                )
                for discussion_id, kind, held_at, outcome in found
            ]
            for pk, found in discussions.items()
        },
    )


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
            Prefetch("decision__challenges", queryset=_challenges()),
            Prefetch("strategy_discussions__challenges", queryset=_challenges()),
        )
        .get(pk=referral_id)
    )


def _challenges() -> QuerySet:
    """Challenges with their stage and who raised them (an agency lead reads whose each
    is), in the one query each. Their model is triage's, above this app: named, not
    imported, as the lookups above name it."""
    return apps.get_model("triage", "Challenge").objects.select_related("stage", "raised_by")


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
