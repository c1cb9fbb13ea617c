"""Writing the demo referrals: through the models, with history for every row, once."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from agencies.models import Agency, Role, User
from core.clock import decision_due_at
from demo.data.agencies import DEMO_PASSWORD
from demo.data.cast import (
    AGENCY_TYPES,
    EXTRA_REFERRERS,
    MANAGER,
    PARTNER,
    REFERRERS,
    SCREENER,
)
from demo.data.challenges import seed_demo_challenges
from demo.data.coaching import seed_demo_coaching
from demo.data.plan import plan_demo_referrals
from demo.data.shapes import ReferralPlan, Step, SubmissionPlan
from referrals.census import concern_mask
from referrals.models import (
    Channel,
    Child,
    CoachingPrompt,
    HouseholdMember,
    Referral,
    ReferralConcern,
    Status,
    Submission,
)
from referrals.services import _next_reference
from triage.models import (
    Challenge,
    ChallengeStatus,
    Decision,
    InformationRequest,
    QualityRating,
    ScreeningNote,
)

# Every history row the seed writes carries this reason: it is how the auditor tells demo
# data apart, and how a second run knows the demo referrals are already there.
DEMO_MARK = "Synthetic demo data (seed_demo)"


def demo_referrals_exist() -> bool:
    """True when referrals written by this seed are still there (whatever else exists)."""
    seeded = Referral.history.filter(history_type="+", history_change_reason=DEMO_MARK)
    return Referral.objects.filter(pk__in=seeded.values("id")).exists()


def ensure_extra_referrers() -> int:
    """One synthetic referrer for each demo agency that has no demo referrer. Returns how
    many were created."""
    agencies = {a.name: a for a in Agency.objects.filter(name__in=REFERRERS)}
    # One hash for all of them: the password is published, and hashing is the slow part.
    password = make_password(DEMO_PASSWORD)
    created = 0
    for username, first, last, agency_name, title, phone in EXTRA_REFERRERS:
        user, was_created = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.invalid",
                "agency": agencies[agency_name],
                "role": Role.REFERRER,
                "job_title": title,
                "phone": phone,
                "is_active": True,
                "password": password,
            },
        )
        created += was_created
    return created


def _stamp(obj, *, at: datetime, by) -> None:
    """Date and sign the history row the next save writes, as if done then, by them."""
    obj._history_date = at
    obj._history_user = by
    obj._change_reason = DEMO_MARK


@transaction.atomic
def seed_demo_referrals(*, now: datetime | None = None) -> dict[str, int]:
    """Write the demo referrals once. Needs the demo agencies and users."""
    now = now or timezone.now()
    referrers_created = ensure_extra_referrers()
    counts = {"referrers_created": referrers_created, "referrals_created": 0}
    if demo_referrals_exist():
        counts["challenges_created"] = _challenges(now)
        counts["coaching_prompts_created"] = _coaching()
        return counts | _summary(now)

    plans = plan_demo_referrals(now=now)
    usernames = {p.submitted_by for p in plans} | {SCREENER, MANAGER, PARTNER}
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    agencies = {a.name: a for a in Agency.objects.filter(name__in=AGENCY_TYPES)}
    missing = usernames - set(users)
    if missing:
        raise LookupError(f"Demo users missing; run seed_agencies_and_users first: {missing}")

    children: dict[int, Child] = {}
    screening = _Screening(users=users, agencies=agencies)
    for plan in plans:
        created = _write_submission(
            plan, users=users, agencies=agencies, children=children, screening=screening
        )
        counts["referrals_created"] += created
    screening.flush()
    counts["challenges_created"] = _challenges(now)
    counts["coaching_prompts_created"] = _coaching()
    return counts | _summary(now)


def _challenges(now: datetime) -> int:
    seeded = Referral.history.filter(history_type="+", history_change_reason=DEMO_MARK)
    return seed_demo_challenges(
        referrals=Referral.objects.filter(pk__in=seeded.values("id")), now=now, mark=DEMO_MARK
    )


def _coaching() -> int:
    seeded = Referral.history.filter(history_type="+", history_change_reason=DEMO_MARK)
    return seed_demo_coaching(referrals=Referral.objects.filter(pk__in=seeded.values("id")))


def _write_submission(plan: SubmissionPlan, *, users, agencies, children, screening) -> int:
    submitter = users[plan.submitted_by]
    referrer = users[plan.referrer] if plan.referrer else None
    agency = agencies[plan.agency] if plan.agency else None
    contact = dict(plan.contact)
    if referrer is not None:
        contact = {
            "referrer_name": referrer.display_name,
            "referrer_role": referrer.job_title,
            "referrer_organisation": agency.name,
            "referrer_phone": referrer.phone or "01632 960100",
            "referrer_email": referrer.email,
        }
    submission = Submission.objects.create(submitted_by=submitter, created_at=plan.created_at)
    for rp in plan.referrals:
        referral = Referral(
            reference=_next_reference(timezone.localtime(plan.received_at).year),
            submission=submission,
            status=Status.RECEIVED,
            channel=plan.channel,
            referrer=referrer,
            agency=agency,
            source_of_referral=plan.source_of_referral,
            recorded_by=None if referrer else submitter,
            caller_type=plan.caller_type,
            received_at=plan.received_at,
            decision_due_at=decision_due_at(plan.received_at),
            created_at=plan.created_at,
            concern_mask=concern_mask(rp.concerns),
            **contact,
            **rp.fields,
        )
        # Field validation as the form and API apply it; the database checks the
        # constraints itself on insert.
        referral.full_clean(exclude=["reference", "submission"], validate_constraints=False)
        _stamp(referral, at=plan.created_at, by=submitter)
        referral.save()
        bulk_create_with_history(
            [ReferralConcern(referral=referral, category=c) for c in rp.concerns],
            ReferralConcern,
            default_user=submitter,
            default_change_reason=DEMO_MARK,
            default_date=plan.created_at,
        )
        if rp.household:
            bulk_create_with_history(
                [HouseholdMember(referral=referral, **m) for m in rp.household],
                HouseholdMember,
                default_user=submitter,
                default_change_reason=DEMO_MARK,
                default_date=plan.created_at,
            )
        for step in rp.steps:
            _move(referral, step, rp, users=users, children=children)
        screening.add(referral, rp)
    return len(plan.referrals)


def _move(referral: Referral, step: Step, rp: ReferralPlan, *, users, children) -> None:
    """One step along the statuses, as the screening and decision services take it."""
    by = users[step.by]
    if step.status == Status.SCREENING:
        referral.assigned_to, referral.assigned_at = by, step.at
        if rp.matched:
            referral.child = _child_record(
                referral, rp.child_key, at=step.at, by=by, children=children
            )
    elif step.status == Status.AWAITING_DECISION:
        referral.recommended_outcome = step.recommended_outcome
        referral.recommendation = step.recommendation
        referral.recommended_by, referral.recommended_at = by, step.at
    elif step.status == Status.DECIDED:
        decision = Decision(referral=referral, decided_by=by, **rp.decision)
        decision.full_clean(validate_constraints=False)
        _stamp(decision, at=step.at, by=by)
        decision.save()
    referral.status = step.status
    _stamp(referral, at=step.at, by=by)
    referral.save()


class _Screening:
    """What screening left behind: notes and ratings, gathered and written in one go
    (with history, dated and signed each as its own); information requests one by one,
    as sent and, where health visiting answered, as answered."""

    def __init__(self, *, users, agencies):
        self.users = users
        self.agencies = agencies
        self.notes: list[ScreeningNote] = []
        self.ratings: list[QualityRating] = []

    def add(self, referral: Referral, rp: ReferralPlan) -> None:
        for note in rp.notes:
            author = self.users[note.by]
            row = ScreeningNote(
                referral=referral, author=author, text=note.text, created_at=note.at
            )
            _stamp(row, at=note.at, by=author)
            self.notes.append(row)
        if rp.rating is not None:
            rater = self.users[rp.rating.by]
            row = QualityRating(
                referral=referral,
                comment=rp.rating.comment,
                rated_by=rater,
                rated_at=rp.rating.at,
                **rp.rating.rubric,
            )
            _stamp(row, at=rp.rating.at, by=rater)
            self.ratings.append(row)
        for plan in rp.requests:
            asker = self.users[plan.by]
            request = InformationRequest(
                referral=referral,
                agency=self.agencies[plan.agency],
                question=plan.question,
                requested_by=asker,
                requested_at=plan.requested_at,
                due_at=plan.due_at,
            )
            request.full_clean(validate_constraints=False)
            _stamp(request, at=plan.requested_at, by=asker)
            request.save()
            if plan.answered_at is not None:
                partner = self.users[plan.answered_by]
                request.answer = plan.answer
                request.answered_by, request.answered_at = partner, plan.answered_at
                _stamp(request, at=plan.answered_at, by=partner)
                request.save(update_fields=["answer", "answered_by", "answered_at"])

    def flush(self) -> None:
        for model, rows in ((ScreeningNote, self.notes), (QualityRating, self.ratings)):
            rows.sort(key=lambda row: row._history_date)
            bulk_create_with_history(rows, model, default_change_reason=DEMO_MARK)
            rows.clear()


def _child_record(referral: Referral, key: int, *, at: datetime, by, children) -> Child:
    """The child's record: made from the first referral screened, then linked to each
    later one however the child's name was given."""
    if key not in children:
        child = Child(
            **referral.child_details(),
            created_at=at,
            created_by=by,
        )
        _stamp(child, at=at, by=by)
        child.save()
        children[key] = child
    return children[key]


def _summary(now: datetime) -> dict[str, int]:
    seeded = Referral.history.filter(history_type="+", history_change_reason=DEMO_MARK)
    referrals = Referral.objects.filter(pk__in=seeded.values("id"))
    open_ = referrals.exclude(status=Status.DECIDED)
    waiting = InformationRequest.objects.filter(referral__in=referrals, answered_at=None)
    return {
        "referrals": referrals.count(),
        "decided": referrals.filter(status=Status.DECIDED).count(),
        "open": open_.count(),
        "overdue": open_.filter(decision_due_at__lte=now).count(),
        "phone": referrals.filter(channel=Channel.PHONE).count(),
        "requests_waiting": waiting.count(),
        "requests_overdue": waiting.filter(due_at__lte=now).count(),
        "challenges_open": Challenge.objects.filter(
            referral__in=referrals, status=ChallengeStatus.OPEN
        ).count(),
        "coaching_prompts": CoachingPrompt.objects.filter(referral__in=referrals).count(),
    }
