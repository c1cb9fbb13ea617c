"""What each history page shows: the record, the records that belong to it (a referral's
screening notes, allocation, decision and amendments; a discussion's attendees,
decisions and actions; a challenge's responses), the histories it leads to, and how a
view of it is written to the access log.

A record is found first (``find``: the live row, or its latest kept version when it has
been removed since, so that it still has its history shown), then its history is built
from what was found: the page decides access, and break the glass, in between."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.urls import reverse

from audit.models import AccessLog
from oversight.versions import Source
from referrals.models import Child, HouseholdMember, Referral, ReferralConcern
from triage.models import (
    AgencyContribution,
    Attendee,
    Challenge,
    ChallengeResponse,
    ChildLinkRemoval,
    Decision,
    DecisionAmendment,
    DiscussionAction,
    DiscussionDecision,
    InformationRequest,
    QualityRating,
    ScreeningNote,
    StrategyDiscussion,
)


class NoSuchRecord(LookupError):
    pass


@dataclass
class Link:
    text: str
    url: str


@dataclass
class HistoryOf:
    title: str
    what: str  # "this referral and what belongs to it", for the page's opening line
    sources: list[Source]
    log_kind: AccessLog.Kind
    log_object_id: int
    log_detail: dict = field(default_factory=dict)
    back: Link | None = None
    related: list[Link] = field(default_factory=list)


@dataclass(frozen=True)
class Found:
    pk: int
    record: models.Model  # the live row, or the latest kept version of a removed one
    live: bool


def find(model: type[models.Model], pk: int) -> Found:
    """The live row, or the latest kept version of a removed one; NoSuchRecord when
    neither exists."""
    live = model.objects.filter(pk=pk).first()
    if live is not None:
        return Found(pk, live, True)
    kept = model.history.filter(id=pk).order_by("-history_date", "-history_id").first()
    if kept is None:
        raise NoSuchRecord(f"{model._meta.label} {pk}")
    return Found(pk, kept, False)


def _back(live: bool, text: str, url_name: str, pk: int) -> Link | None:
    """The link back to the record's own page, while it has one."""
    return Link(text, reverse(url_name, args=[pk])) if live else None


def _reference(referral_id: int) -> str:
    row = Referral.objects.filter(pk=referral_id).values_list("reference", flat=True).first()
    if row is None:
        row = Referral.history.filter(id=referral_id).values_list("reference", flat=True).first()
    return row or f"referral {referral_id}"


def _referral_link(referral_id: int) -> Link:
    return Link(
        f"History of the referral {_reference(referral_id)}",
        reverse("history:referral", args=[referral_id]),
    )


def referral(found: Found) -> HistoryOf:
    record, live, pk = found.record, found.live, found.pk
    decisions = Decision.history.filter(referral_id=pk).values("id")
    related = [
        Link(f"History of the decision {d.pk}", reverse("history:decision", args=[d.pk]))
        for d in Decision.objects.filter(referral_id=pk)
    ]
    if live and record.child_id:
        related.append(
            Link(
                f"History of child record {record.child_id}",
                reverse("history:child", args=[record.child_id]),
            )
        )
    related += [
        Link(
            f"History of {d.get_kind_display().lower()} {d.pk}",
            reverse("history:discussion", args=[d.pk]),
        )
        for d in StrategyDiscussion.objects.filter(referral_id=pk).order_by("pk")
    ]
    related += [
        Link(f"History of challenge {c.pk}", reverse("history:challenge", args=[c.pk]))
        for c in Challenge.objects.filter(referral_id=pk).order_by("pk")
    ]
    by_referral = ("referral",)
    return HistoryOf(
        title=f"Referral {record.reference}",
        what="this referral, its concerns and household, screening (allocation, notes, "
        "rating, information requests, recommendation), its decision and amendments",
        sources=[
            # The concern bits repeat the concerns (shown as their own records) as a
            # number for the queue's index: nothing for a reader.
            Source(
                Referral,
                "Referral",
                lambda h: h.filter(id=pk),
                hide=("concern_mask",),
                numbered=False,
            ),
            Source(ReferralConcern, "Concern", lambda h: h.filter(referral_id=pk), by_referral),
            Source(
                HouseholdMember,
                "Household member",
                lambda h: h.filter(referral_id=pk),
                by_referral,
            ),
            Source(
                ScreeningNote, "Screening note", lambda h: h.filter(referral_id=pk), by_referral
            ),
            Source(
                QualityRating, "Quality rating", lambda h: h.filter(referral_id=pk), by_referral
            ),
            Source(
                InformationRequest,
                "Information request",
                lambda h: h.filter(referral_id=pk),
                by_referral,
            ),
            Source(
                ChildLinkRemoval,
                "Removed link to a child record",
                lambda h: h.filter(referral_id=pk),
                by_referral,
            ),
            Source(Decision, "Decision", lambda h: h.filter(referral_id=pk), by_referral),
            Source(
                DecisionAmendment,
                "Decision amendment",
                lambda h: h.filter(decision_id__in=decisions),
                ("decision",),
            ),
        ],
        log_kind=AccessLog.Kind.REFERRAL,
        log_object_id=pk,
        back=_back(live, "Back to the referral", "triage:referral", pk),
        related=related,
    )


def child(found: Found) -> HistoryOf:
    live, pk = found.live, found.pk
    return HistoryOf(
        title=f"Child record {pk}",
        what="this child's record and the links to referrals removed from it",
        sources=[
            Source(Child, "Child record", lambda h: h.filter(id=pk), numbered=False),
            Source(
                ChildLinkRemoval,
                "Removed link to a referral",
                lambda h: h.filter(child_id=pk),
                ("child",),
            ),
        ],
        log_kind=AccessLog.Kind.CHILD,
        log_object_id=pk,
        back=_back(live, "Back to the chronology", "children:chronology", pk),
        related=[_referral_link(r.pk) for r in Referral.objects.filter(child_id=pk).order_by("pk")],
    )


def decision(found: Found) -> HistoryOf:
    record, live, pk = found.record, found.live, found.pk
    referral_id = record.referral_id
    related = [_referral_link(referral_id)]
    related += [
        Link(f"History of challenge {c.pk}", reverse("history:challenge", args=[c.pk]))
        for c in Challenge.objects.filter(decision_id=pk).order_by("pk")
    ]
    return HistoryOf(
        title=f"Decision {pk} on {_reference(referral_id)}",
        what="this decision and its amendments",
        sources=[
            Source(Decision, "Decision", lambda h: h.filter(id=pk), numbered=False),
            Source(
                DecisionAmendment,
                "Amendment",
                lambda h: h.filter(decision_id=pk),
                ("decision",),
            ),
        ],
        # A decision is part of its referral's record: its history is a view of that.
        log_kind=AccessLog.Kind.REFERRAL,
        log_object_id=referral_id,
        log_detail={"decision": pk},
        back=_back(live, "Back to the referral", "triage:referral", referral_id),
        related=related,
    )


def discussion(found: Found) -> HistoryOf:
    record, live, pk = found.record, found.live, found.pk
    by_discussion = ("discussion",)
    kind = record.get_kind_display()
    related = [_referral_link(record.referral_id)]
    related += [
        Link(f"History of challenge {c.pk}", reverse("history:challenge", args=[c.pk]))
        for c in Challenge.objects.filter(discussion_id=pk).order_by("pk")
    ]
    return HistoryOf(
        title=f"{kind} {pk} on {_reference(record.referral_id)}",
        what="this discussion, its attendees, what was shared, its decisions and actions",
        sources=[
            Source(StrategyDiscussion, kind, lambda h: h.filter(id=pk), numbered=False),
            Source(Attendee, "Attendee", lambda h: h.filter(discussion_id=pk), by_discussion),
            Source(
                AgencyContribution,
                "Information shared",
                lambda h: h.filter(discussion_id=pk),
                by_discussion,
            ),
            Source(
                DiscussionDecision,
                "Discussion decision",
                lambda h: h.filter(discussion_id=pk),
                by_discussion,
            ),
            Source(DiscussionAction, "Action", lambda h: h.filter(discussion_id=pk), by_discussion),
        ],
        log_kind=AccessLog.Kind.STRATEGY_DISCUSSION,
        log_object_id=pk,
        back=_back(live, "Back to the discussion", "strategy:detail", pk),
        related=related,
    )


def challenge(found: Found) -> HistoryOf:
    record, live, pk = found.record, found.live, found.pk
    related = [_referral_link(record.referral_id)]
    if record.decision_id:
        related.append(
            Link(
                f"History of the decision {record.decision_id}",
                reverse("history:decision", args=[record.decision_id]),
            )
        )
    if record.discussion_id:
        related.append(
            Link(
                f"History of the discussion {record.discussion_id}",
                reverse("history:discussion", args=[record.discussion_id]),
            )
        )
    return HistoryOf(
        title=f"Challenge {pk} on {_reference(record.referral_id)}",
        what="this challenge, its stages, responses and resolution",
        sources=[
            Source(Challenge, "Challenge", lambda h: h.filter(id=pk), numbered=False),
            Source(
                ChallengeResponse,
                "Response",
                lambda h: h.filter(challenge_id=pk),
                ("challenge",),
            ),
        ],
        log_kind=AccessLog.Kind.CHALLENGE,
        log_object_id=pk,
        back=_back(live, "Back to the challenge", "challenges:detail", pk),
        related=related,
    )
