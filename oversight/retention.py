"""The retention schedule for case records: what is due for erasure, and when.

A child's records (the Child row and every referral linked to it, with all that hangs
from them) are kept until the later of:

- the child's birthday at ``RETENTION_CHILD_UNTIL_AGE`` (25 by default; an unborn child's
  from the expected date of birth; a birthday on 29 February falls on 1 March), and
- ``RETENTION_YEARS_AFTER_LAST_ACTIVITY`` (6) years after the last activity on any of
  them: a referral received, allocated, recommended, noted, rated, decided or amended,
  information requested or answered, a challenge raised, answered or resolved, a
  strategy discussion held, its minutes, decisions and actions, a link to a child made
  or removed.

A child with no date of birth is kept for the longer of the two periods after the last
activity: a child born no later than that turns 25 no later than 25 years after it. A
referral not linked to a child's record is its own unit, with the birth date it gives.
Nothing is due while any referral of the unit is undecided or any challenge to it is
open, however old.

The versions of a departed member of staff's anonymised account (agencies.departure)
from before it was anonymised are due at once.

Rows of the access log and audit events are due when older than
``RETENTION_ACCESS_LOG_YEARS`` and ``RETENTION_AUDIT_EVENT_YEARS`` (6 each), on their
own clock: they name records by id only.

Notifications are due when delivered longer ago than ``RETENTION_NOTIFICATION_DAYS``
(365): an inbox notice (delivered when written, read or not) and an email sent; and an
email that failed for good, written longer ago than that (its administrators were told
when it failed, and ``manage.py notices --retry`` would send a year-old notice about
nothing current). Never an email still to send (notices.delivery.give_up_expired marks
one failed once it has waited FRONTDOOR_EMAIL_GIVE_UP_HOURS, and it then goes as a failed
email does), and never a referrer's feedback notice:
it is the case's record that the referrer was told of the decision
(reporting.performance's feedback figure counts it), and goes with the case.

A notice event (a kind, a key of ids and a time) is what keeps a notice from being raised
twice. Those about a case (a referral, request, challenge, discussion or action id) go
with their case (oversight.erasure) and never before: ``overdue:<referral id>`` erased
while its referral exists could let a scan tell it again. The others are due once older
than the same period with no notification left to keep (``notice_events_due``), and only
of the kinds in ``EVENTS_THAT_CANNOT_RECUR``, whose keys cannot be made again.

The defaults are the council's to change (frontdoor/settings_parts/application.py);
``manage.py retention_review`` shows what the schedule makes due; ``retention_erase``
(oversight.erasure) erases it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.utils import timezone

from agencies.departure import anonymised_users, anonymous_username
from agencies.models import User
from audit.models import AccessLog, AuditEvent
from notices.models import (
    NoticeEvent,
    NoticeKind,
    Notification,
    NotificationChannel,
    NotificationStatus,
)
from referrals.models import Child, Referral, Status
from triage.models import (
    Challenge,
    ChallengeResponse,
    ChallengeStatus,
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


@dataclass(frozen=True)
class Schedule:
    until_age: int
    years_after_last_activity: int
    access_log_years: int
    audit_event_years: int
    notification_days: int

    @classmethod
    def from_settings(cls) -> Schedule:
        return cls(
            until_age=settings.RETENTION_CHILD_UNTIL_AGE,
            years_after_last_activity=settings.RETENTION_YEARS_AFTER_LAST_ACTIVITY,
            access_log_years=settings.RETENTION_ACCESS_LOG_YEARS,
            audit_event_years=settings.RETENTION_AUDIT_EVENT_YEARS,
            notification_days=settings.RETENTION_NOTIFICATION_DAYS,
        )

    def as_detail(self) -> dict[str, int]:
        return {
            "until_age": self.until_age,
            "years_after_last_activity": self.years_after_last_activity,
            "access_log_years": self.access_log_years,
            "audit_event_years": self.audit_event_years,
            "notification_days": self.notification_days,
        }

    def kept_until(self, *, birth: date | None, last_activity: date) -> date:
        """The first day a unit of case records may be erased."""
        after = add_years(last_activity, self.years_after_last_activity)
        if birth is None:
            return add_years(last_activity, max(self.until_age, self.years_after_last_activity))
        return max(add_years(birth, self.until_age), after)


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 1 March in a common year (the
    later of the two, so nothing is erased a day early)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def years_before(moment: datetime, years: int) -> datetime:
    """``moment`` less ``years`` (29 February: the 28th, the earlier, so that a row is
    never due a day early)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


# --- The last activity on a referral ---------------------------------------------------

# (model, the path from it to its referral, its moments): every moment something was
# done about a referral. A referral's own moments come first.
REFERRAL_MOMENTS = ("received_at", "created_at", "assigned_at", "recommended_at")
RELATED_MOMENTS = [
    (Decision, "referral", ("decided_at",)),
    (DecisionAmendment, "decision__referral", ("amended_at",)),
    (InformationRequest, "referral", ("requested_at", "answered_at")),
    (ScreeningNote, "referral", ("created_at",)),
    (QualityRating, "referral", ("rated_at",)),
    (ChildLinkRemoval, "referral", ("removed_at",)),
    (Challenge, "referral", ("raised_at", "stage_started_at", "resolved_at")),
    (ChallengeResponse, "challenge__referral", ("at",)),
    (
        StrategyDiscussion,
        "referral",
        ("held_at", "created_at", "child_seen_at", "minutes_circulated_at", "minutes_to_family_at"),
    ),
    (DiscussionDecision, "discussion__referral", ("recorded_at",)),
    (DiscussionAction, "discussion__referral", ("done_at",)),
]


def _latest(model, path: str, moment: str) -> Subquery:
    rows = model.objects.filter(**{path: OuterRef("pk")}).order_by().values(path)
    return Subquery(rows.annotate(latest=Max(moment)).values("latest")[:1])


def _with_moments(referrals):
    names = {}
    for model, path, moments in RELATED_MOMENTS:
        for moment in moments:
            names[f"m_{model._meta.model_name}_{moment}"] = _latest(model, path, moment)
    return referrals.annotate(**names), [*REFERRAL_MOMENTS, *names]


def _day(moment: datetime) -> date:
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


CHUNK = 2000


def departed_versions():
    """The versions of anonymised accounts (agencies.departure) that still hold the
    person's details: every version from before the anonymising save."""
    history = User.history.model
    condition = Q(pk__in=[])
    for user in anonymised_users():
        condition |= Q(id=user.pk) & ~Q(username=anonymous_username(user.pk))
    return history.objects.filter(condition)


# Feedback to the referrer (and its amendment) is kept with the case, not by its own clock.
KEPT_WITH_THE_CASE = (NoticeKind.FEEDBACK, NoticeKind.FEEDBACK_AMENDED)


def _notification_due(before: datetime) -> Q:
    return (
        Q(status=NotificationStatus.SENT, sent_at__lt=before)
        | Q(
            status=NotificationStatus.FAILED,
            channel=NotificationChannel.EMAIL,
            created_at__lt=before,
        )
    ) & ~Q(kind__in=KEPT_WITH_THE_CASE)


def notifications_due(before: datetime):
    """Notifications delivered before ``before``: sent (an inbox notice is sent when
    written; an email once the mail server took it), whether read or not; and emails
    failed for good that were written before it. Pending and sending emails are never
    due; nor is feedback to the referrer."""
    return Notification.objects.filter(_notification_due(before))


# The kinds of notice event that may be erased on their own clock, because their key can
# never be made again: erasing one cannot let its notice be raised twice. Each key holds a
# time, or the id of a row made once at the moment it tells of, by code that runs once
# for it (ids are never reused: PostgreSQL's sequences, SQLite's AUTOINCREMENT):
#
# - a time: ``password:<user>:<time>`` (PASSWORD_CHANGED, PASSWORD_CHANGED_BY_ADMIN),
#   ``email:<user>:<time>[:new]`` (EMAIL_CHANGED, EMAIL_NOW_USED),
#   ``two-step-reused:<device>:<time step>`` (TWO_STEP_CODE_REUSED), and the windows of
#   the alerts: ``sign-in-locked:window:<n>`` (SIGN_IN_LOCKED),
#   ``rate-limited[-audit]:<who>:window:<n>`` (RATE_LIMITED, RATE_LIMITED_AUDIT),
#   ``refused-often[-audit]:user:<id>:at:<minutes>:<n>`` (REFUSED_OFTEN,
#   REFUSED_OFTEN_AUDIT), ``email-failed:window:<minutes>:<n>`` (EMAIL_FAILED),
#   ``break-glass:<what>:<id>:user:<id>:window:<n>`` (BREAK_GLASS; one about a referral
#   names it and goes with its case, so only one about a child's record is due here).
#   A window a year past never comes round again.
# - a row made once: ``two-step:<device>`` (TWO_STEP_SET_UP, when the device is confirmed,
#   which it is once), ``two-step-reset:<device>`` (TWO_STEP_RESET, when the device is
#   deleted), ``api-token:<token>`` (API_TOKEN_ISSUED, when the token is made),
#   ``security-key:<key>`` and ``security-key-removed:<key>`` (SECURITY_KEY_ADDED, when
#   the key is made; SECURITY_KEY_REMOVED, when it is deleted), ``new-browser:<known
#   browser>`` (NEW_BROWSER_SIGN_IN, when the browser is first remembered).
#
# Not here, and kept until their case goes: every kind about a case, whose key is the
# case's id (``overdue:<referral>``, ``feedback:<referral>``,
# ``challenge_stage_overdue:<challenge>:<stage>``...): the scan and the services ask
# whether that key, or that kind for that case, exists before raising it, so erasing one
# while its case lives could tell it twice. A new kind is kept until it is added here
# with its reason (tests/oversight/test_retention_notice_events.py checks the list
# against NoticeKind).
EVENTS_THAT_CANNOT_RECUR = frozenset(
    {
        NoticeKind.PASSWORD_CHANGED,
        NoticeKind.PASSWORD_CHANGED_BY_ADMIN,
        NoticeKind.EMAIL_CHANGED,
        NoticeKind.EMAIL_NOW_USED,
        NoticeKind.TWO_STEP_CODE_REUSED,
        NoticeKind.SIGN_IN_LOCKED,
        NoticeKind.RATE_LIMITED,
        NoticeKind.RATE_LIMITED_AUDIT,
        NoticeKind.REFUSED_OFTEN,
        NoticeKind.REFUSED_OFTEN_AUDIT,
        NoticeKind.EMAIL_FAILED,
        NoticeKind.BREAK_GLASS,
        NoticeKind.TWO_STEP_SET_UP,
        NoticeKind.TWO_STEP_RESET,
        NoticeKind.API_TOKEN_ISSUED,
        NoticeKind.SECURITY_KEY_ADDED,
        NoticeKind.SECURITY_KEY_REMOVED,
        NoticeKind.NEW_BROWSER_SIGN_IN,
    }
)

# The ids that make an event about a case: it goes with the case (oversight.erasure).
CASE_IDS = (
    "referral_id",
    "information_request_id",
    "challenge_id",
    "discussion_id",
    "discussion_action_id",
)


def notice_events_due(before: datetime):
    """Notice events written before ``before`` that may go on their own: of a kind in
    EVENTS_THAT_CANNOT_RECUR, about no case, with no notification that is not itself due
    (so the review counts what the erasure, which erases the notifications first, will
    erase)."""
    kept = Notification.objects.filter(event=OuterRef("pk")).exclude(_notification_due(before))
    return NoticeEvent.objects.filter(
        kind__in=EVENTS_THAT_CANNOT_RECUR,
        created_at__lt=before,
        **{f"{name}__isnull": True for name in CASE_IDS},
    ).exclude(Exists(kept))


# --- What is due -------------------------------------------------------------------------


@dataclass
class Due:
    """What the schedule makes due: children by id (with their referrals' ids), and
    referrals linked to no child, by id with their references."""

    children: dict[int, list[int]] = field(default_factory=dict)
    unlinked: dict[int, str] = field(default_factory=dict)
    access_log_before: datetime | None = None
    audit_events_before: datetime | None = None
    notifications_before: datetime | None = None
    access_log_rows: int = 0
    audit_events: int = 0
    notifications: int = 0
    notice_events: int = 0
    departed_versions: int = 0

    @property
    def referrals_of_children(self) -> int:
        return sum(len(ids) for ids in self.children.values())

    @property
    def case_records(self) -> bool:
        return bool(self.children or self.unlinked)


def due(
    *,
    now: datetime | None = None,
    schedule: Schedule | None = None,
    child_ids=None,
    referral_ids=None,
    logs: bool = True,
) -> Due:
    """What is due at ``now``. ``child_ids`` and ``referral_ids`` narrow it to those
    (erasure asks again about each batch, inside its transaction); ``logs`` False leaves
    out the access log, audit events and notifications."""
    now = now or timezone.now()
    schedule = schedule or Schedule.from_settings()
    today = timezone.localdate(now)
    # Nothing of a unit can be due unless its newest referral was received before this.
    settled_before = years_before(now, schedule.years_after_last_activity)
    result = Due()

    candidates = Referral.objects.filter(received_at__lt=settled_before)
    if child_ids is not None or referral_ids is not None:
        candidates = candidates.filter(pk__in=list(referral_ids or [])) | candidates.filter(
            child_id__in=list(child_ids or [])
        )
    open_challenges = Challenge.objects.exclude(status=ChallengeStatus.RESOLVED)
    annotated, moments = _with_moments(
        candidates.filter(status=Status.DECIDED).exclude(pk__in=open_challenges.values("referral"))
    )
    fields = [
        "pk",
        "reference",
        "child_id",
        "child_date_of_birth",
        "child_expected_date_of_birth",
        *moments,
    ]
    settled: dict[int | None, list[dict]] = {}
    for row in annotated.order_by("pk").values(*fields).iterator(chunk_size=CHUNK):
        settled.setdefault(row["child_id"], []).append(row)

    def last_activity(rows, *extra) -> date:
        values = [row[m] for row in rows for m in moments if row[m] is not None]
        return _day(max([*values, *(e for e in extra if e is not None)]))

    for row in settled.pop(None, []):
        birth = row["child_date_of_birth"] or row["child_expected_date_of_birth"]
        if schedule.kept_until(birth=birth, last_activity=last_activity([row])) <= today:
            result.unlinked[row["pk"]] = row["reference"]

    # A child is due only when every referral linked to it is settled and old enough.
    children = Child.objects.filter(created_at__lt=settled_before)
    if child_ids is not None or referral_ids is not None:
        children = children.filter(pk__in=list(child_ids or []))
    removals = ChildLinkRemoval.objects.filter(child=OuterRef("pk")).order_by().values("child")
    children = children.annotate(
        last_removal=Subquery(removals.annotate(latest=Max("removed_at")).values("latest")[:1])
    )
    rows_of_children = list(
        children.order_by("pk").values(
            "pk", "date_of_birth", "expected_date_of_birth", "created_at", "last_removal"
        )
    )
    for start in range(0, len(rows_of_children), CHUNK):
        chunk = rows_of_children[start : start + CHUNK]
        linked: dict[int, set[int]] = {child["pk"]: set() for child in chunk}
        for child_id, pk in Referral.objects.filter(child_id__in=list(linked)).values_list(
            "child_id", "pk"
        ):
            linked[child_id].add(pk)
        for child in chunk:
            rows = settled.get(child["pk"], [])
            if linked[child["pk"]] != {row["pk"] for row in rows}:
                continue  # a referral still open, challenged or too recent
            latest = last_activity(rows, child["created_at"], child["last_removal"])
            birth = child["date_of_birth"] or child["expected_date_of_birth"]
            if schedule.kept_until(birth=birth, last_activity=latest) <= today:
                result.children[child["pk"]] = sorted(linked[child["pk"]])

    if logs:
        result.departed_versions = departed_versions().count()
        result.access_log_before = years_before(now, schedule.access_log_years)
        result.audit_events_before = years_before(now, schedule.audit_event_years)
        result.access_log_rows = AccessLog.objects.filter(at__lt=result.access_log_before).count()
        result.audit_events = AuditEvent.objects.filter(at__lt=result.audit_events_before).count()
        result.notifications_before = now - timedelta(days=schedule.notification_days)
        result.notifications = notifications_due(result.notifications_before).count()
        result.notice_events = notice_events_due(result.notifications_before).count()
    return result
