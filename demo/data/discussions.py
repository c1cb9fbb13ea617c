"""Demo strategy discussions: one for each demo referral decided "strategy discussion
(s47)", written through the models with history, once. Synthetic names only.

The mix shows what the pages and alerts are for: most with police, social care and the
best-placed health professional; some without health (with the reason recorded); one
with only a community paediatrician for health; some with minutes late or still not
circulated, and with actions overdue; and one open challenge to a discussion's outcome.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from agencies.census import AgencyType
from agencies.models import Agency, User
from core.clock import add_working_days
from demo.data.cast import MANAGER, SCREENER
from referrals.models import Outcome
from triage.models import (
    Attendee,
    Challenge,
    Decision,
    DiscussionAction,
    DiscussionDecision,
    EscalationStage,
    Section47Outcome,
    StrategyDiscussion,
)
from triage.services.strategy import minutes_due_at

DEMO_MARK = "Synthetic demo data (seed_demo)"
PAEDIATRICS = "Northshire Community Paediatrics"

# Patterns, taken in turn: which health attendee, and what happened to the minutes and
# the actions.
PATTERNS = (
    {"health": "hv", "minutes": "on_time", "actions": "done"},
    {"health": None, "minutes": "not_sent", "actions": "overdue"},
    {"health": "paediatrician", "minutes": "on_time", "actions": "open"},
    {"health": "gp", "minutes": "late", "actions": "done"},
    {"health": None, "minutes": "late", "actions": "overdue"},
    {"health": "hv", "minutes": "on_time", "actions": "open"},
)


def _stamp(obj, *, at: datetime, by) -> None:
    obj._history_date = at
    obj._history_user = by
    obj._change_reason = DEMO_MARK


@transaction.atomic
def seed_demo_discussions(*, now: datetime | None = None) -> dict[str, int]:
    """Write a discussion for each demo s47 referral that has none. Safe to run twice."""
    now = now or timezone.now()
    agencies = {a.type: a for a in Agency.objects.filter(is_active=True).order_by("-pk")}
    paediatrics, _ = Agency.objects.get_or_create(
        name=PAEDIATRICS, defaults={"type": AgencyType.HOSPITAL}
    )
    manager = User.objects.get(username=MANAGER)
    screener = User.objects.get(username=SCREENER)
    decisions = (
        Decision.objects.filter(outcome=Outcome.STRATEGY_S47, referral__strategy_discussions=None)
        .select_related("referral", "referral__agency")
        .order_by("decided_at")
    )
    created = 0
    for index, decision in enumerate(decisions):
        pattern = PATTERNS[index % len(PATTERNS)]
        referral = decision.referral
        held_at = decision.decided_at + timedelta(hours=2)
        if held_at >= now:
            continue
        people = [
            (agencies.get(AgencyType.POLICE), "police_officer", "DS Corin Vale", True),
            (
                agencies.get(AgencyType.CHILDRENS_SOCIAL_CARE),
                "social_worker",
                "Priya Hallam",
                True,
            ),
        ]
        if pattern["health"] == "hv":
            people.append(
                (agencies.get(AgencyType.HEALTH_VISITING), "health_visitor", "Nell Arden", True)
            )
        elif pattern["health"] == "gp":
            people.append((agencies.get(AgencyType.GP), "gp", "Dr Idris Penhale", True))
            people.append(
                (agencies.get(AgencyType.HEALTH_VISITING), "health_visitor", "Nell Arden", False)
            )
        elif pattern["health"] is None:
            people.append(
                (agencies.get(AgencyType.HEALTH_VISITING), "health_visitor", "Nell Arden", False)
            )
        elif pattern["health"] == "paediatrician":
            people.append((paediatrics, "community_paediatrician", "Dr Lena Osei", True))
        if referral.agency and all(p[0] != referral.agency for p in people):
            people.append((referral.agency, "other", "Referring practitioner", True))
        discussion = StrategyDiscussion(
            referral=referral,
            kind="strategy_discussion",
            held_at=held_at,
            format=("video", "call", "meeting")[index % 3],
            convened_by=manager,
            created_at=held_at,
            missing_members_reason=(
                "The health visitor was on a home visit and could not join; she sent her "
                "records beforehand."
                if pattern["health"] is None
                else ""
            ),
            section47_outcome=(
                Section47Outcome.JOINT_POLICE if index % 2 == 0 else Section47Outcome.SINGLE_AGENCY
            ),
            see_child_by=held_at + timedelta(hours=24),
            minutes_due_at=minutes_due_at(held_at),
        )
        if pattern["minutes"] == "on_time":
            discussion.minutes_circulated_at = held_at + timedelta(hours=5)
            discussion.minutes_to_family_at = held_at + timedelta(hours=6)
        elif pattern["minutes"] == "late":
            late = discussion.minutes_due_at + timedelta(days=3)
            discussion.minutes_circulated_at = min(late, now)
            discussion.minutes_to_family_at = min(late + timedelta(hours=2), now)
        if discussion.see_child_by < now:
            discussion.child_seen_at = held_at + timedelta(hours=5)
            discussion.child_seen_by = "Priya Hallam (social worker)"
            discussion.joint_visit = discussion.section47_outcome == Section47Outcome.JOINT_POLICE
        _stamp(discussion, at=held_at, by=manager)
        discussion.save()
        for agency, role, name, attended in people:
            if agency is None:
                continue
            row = Attendee(
                discussion=discussion, agency=agency, role=role, name=name, attended=attended
            )
            _stamp(row, at=held_at, by=manager)
            row.save()
        row = DiscussionDecision(
            discussion=discussion,
            decision="Section 47 enquiry; the child to be seen within 24 hours.",
            rationale="The concern, if true, is significant harm; agencies' information "
            "adds to it rather than explaining it.",
            recorded_by=manager,
            recorded_at=held_at,
        )
        _stamp(row, at=held_at, by=manager)
        row.save()
        due = held_at + timedelta(days=2)
        action = DiscussionAction(
            discussion=discussion,
            description="Share the agency's records of contact with the family since January.",
            owner="Alex Moss, screener",
            owner_user=screener,
            agency=agencies.get(AgencyType.CHILDRENS_SOCIAL_CARE) or paediatrics,
            due_at=due if pattern["actions"] != "open" else max(due, now + timedelta(days=1)),
        )
        if pattern["actions"] == "done" and due - timedelta(hours=6) < now:
            action.done_at = due - timedelta(hours=6)
        _stamp(action, at=held_at, by=manager)
        action.save()
        created += 1
    _challenge_one_outcome(now=now)
    return {"discussions_created": created, "discussions": StrategyDiscussion.objects.count()}


OUTCOME_CHALLENGE = (
    "We were not at the discussion and the officer there did not know of our two call-outs "
    "last month. We think the enquiry should be joint with the police."
)


def _challenge_one_outcome(*, now: datetime) -> None:
    """One open challenge to a discussion's section 47 outcome, from the referrer, at the
    first stage: so that Your referrals and the managers' list show one. Once."""
    if Challenge.objects.filter(discussion__isnull=False).exists():
        return
    stage = EscalationStage.objects.filter(is_active=True).order_by("order").first()
    discussion = (
        StrategyDiscussion.objects.filter(
            section47_outcome=Section47Outcome.SINGLE_AGENCY,
            referral__referrer__isnull=False,
            held_at__lt=now - timedelta(days=1),
        )
        .select_related("referral", "convened_by")
        .order_by("-held_at")
        .first()
    )
    if stage is None or discussion is None:
        return
    raised_at = discussion.held_at + timedelta(days=1)
    challenge = Challenge(
        referral=discussion.referral,
        discussion=discussion,
        raised_by=discussion.referral.referrer,
        raised_at=raised_at,
        reason=OUTCOME_CHALLENGE,
        stage=stage,
        stage_started_at=raised_at,
        stage_due_at=add_working_days(raised_at, stage.timescale_working_days),
        owner=discussion.convened_by,
    )
    _stamp(challenge, at=raised_at, by=discussion.referral.referrer)
    challenge.save()
