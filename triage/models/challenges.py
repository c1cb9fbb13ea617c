"""Challenges (professional escalation): a professional who disagrees with a decision, or
with a strategy discussion's section 47 outcome, raises a challenge; it moves through the
escalation stages, each with an owner and a timescale in working days, until it is
resolved with a recorded outcome."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from triage.models.strategy import Section47Outcome


class StageOwner(models.TextChoices):
    # Practitioner to practitioner: the manager who made the decision answers first.
    DECISION_MAKER = "decision_maker", "The manager who made the decision"
    MANAGERS = "managers", "Front door managers"
    HEAD_OF_SERVICE = "head_of_service", "Head of service"


class EscalationStage(models.Model):
    """One stage of the local escalation procedure, in order; edited by the administrator
    like the threshold levels. A stage in use is never deleted (challenges cite it):
    make it inactive instead."""

    order = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=100)
    owner = models.CharField(max_length=20, choices=StageOwner.choices)
    timescale_working_days = models.PositiveSmallIntegerField(
        help_text="Working days the stage's owner has to respond (weekends and bank "
        "holidays are skipped)"
    )
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order"]
        constraints = [
            models.CheckConstraint(
                name="escalation_stage_owner_is_known",
                condition=models.Q(owner__in=StageOwner.values),
            ),
            models.CheckConstraint(
                name="escalation_stage_timescale_positive",
                condition=models.Q(timescale_working_days__gte=1),
            ),
        ]

    def __str__(self) -> str:
        return f"Stage {self.order}: {self.name}"


class ChallengeStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class Resolution(models.TextChoices):
    UPHELD = "upheld", "Challenge upheld"
    DECISION_CHANGED = "decision_changed", "Decision changed"
    NOT_UPHELD = "not_upheld", "Challenge not upheld"


class Challenge(models.Model):
    """A disagreement with a decision or with a strategy discussion's section 47 outcome
    (its subject: exactly one of ``decision`` and ``discussion``), from the referrer or
    their agency lead."""

    Status = ChallengeStatus

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="challenges"
    )
    decision = models.ForeignKey(
        "triage.Decision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="challenges",
    )
    discussion = models.ForeignKey(
        "triage.StrategyDiscussion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="challenges",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="challenges_raised"
    )
    raised_at = models.DateTimeField()
    reason = models.TextField(max_length=6000)
    stage = models.ForeignKey(EscalationStage, on_delete=models.PROTECT, related_name="+")
    stage_started_at = models.DateTimeField()
    stage_due_at = models.DateTimeField()
    # The named owner where the stage has one (the decision maker); otherwise the stage's
    # owner role answers (managers, the head of service).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="challenges_owned",
    )
    status = models.CharField(
        max_length=10, choices=ChallengeStatus.choices, default=ChallengeStatus.OPEN
    )
    resolution = models.CharField(max_length=20, choices=Resolution.choices, blank=True)
    resolution_reasons = models.TextField(max_length=6000, blank=True)
    amendment = models.OneToOneField(
        "triage.DecisionAmendment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="challenge",
    )
    # A discussion's outcome changed on challenge: from what, to what (its history keeps
    # the rest).
    outcome_changed_from = models.CharField(max_length=20, blank=True)
    outcome_changed_to = models.CharField(max_length=20, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="challenges_resolved",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        indexes = [models.Index(fields=["status", "stage_due_at"])]
        constraints = [
            models.CheckConstraint(
                name="challenge_status_is_known",
                condition=models.Q(status__in=ChallengeStatus.values),
            ),
            models.CheckConstraint(
                name="challenge_resolution_is_known",
                condition=models.Q(resolution="") | models.Q(resolution__in=Resolution.values),
            ),
            # Resolved when, and only when, it has its resolution, reasons, who and when.
            models.CheckConstraint(
                name="challenge_resolved_is_complete",
                condition=(
                    models.Q(
                        status=ChallengeStatus.RESOLVED,
                        resolved_by__isnull=False,
                        resolved_at__isnull=False,
                    )
                    & ~models.Q(resolution="")
                    & ~models.Q(resolution_reasons="")
                )
                | models.Q(
                    status=ChallengeStatus.OPEN,
                    resolution="",
                    resolution_reasons="",
                    resolved_by__isnull=True,
                    resolved_at__isnull=True,
                ),
            ),
            models.CheckConstraint(
                name="challenge_has_one_subject",
                condition=models.Q(decision__isnull=False, discussion__isnull=True)
                | models.Q(decision__isnull=True, discussion__isnull=False),
            ),
            # A changed decision is an amendment of the original, and only then; a changed
            # discussion outcome says from what to what, and only then.
            models.CheckConstraint(
                name="challenge_decision_changed_has_amendment",
                condition=models.Q(
                    resolution=Resolution.DECISION_CHANGED,
                    decision__isnull=False,
                    amendment__isnull=False,
                    outcome_changed_to="",
                )
                | (
                    models.Q(
                        resolution=Resolution.DECISION_CHANGED,
                        discussion__isnull=False,
                        amendment=None,
                    )
                    & ~models.Q(outcome_changed_to="")
                )
                | (
                    ~models.Q(resolution=Resolution.DECISION_CHANGED)
                    & models.Q(amendment=None, outcome_changed_from="", outcome_changed_to="")
                ),
            ),
            models.CheckConstraint(
                name="challenge_stage_due_after_start",
                condition=models.Q(stage_due_at__gt=models.F("stage_started_at")),
            ),
            # One open challenge a decision, and one a discussion: a second disagreement
            # is a response to it.
            models.UniqueConstraint(
                fields=["decision"],
                condition=models.Q(status=ChallengeStatus.OPEN),
                name="one_open_challenge_per_decision",
            ),
            models.UniqueConstraint(
                fields=["discussion"],
                condition=models.Q(status=ChallengeStatus.OPEN),
                name="one_open_challenge_per_discussion",
            ),
        ]

    def __str__(self) -> str:
        return f"Challenge {self.pk} on {self.referral_id}"

    @property
    def is_open(self) -> bool:
        return self.status == ChallengeStatus.OPEN

    @property
    def outcome_changed_from_display(self) -> str:
        return _section47_label(self.outcome_changed_from)

    @property
    def outcome_changed_to_display(self) -> str:
        return _section47_label(self.outcome_changed_to)

    @property
    def subject(self) -> str:
        """``decision`` or ``discussion``: what is being challenged."""
        return "discussion" if self.discussion_id else "decision"


def _section47_label(value: str) -> str:
    return dict(Section47Outcome.choices).get(value, value)


class ChallengeResponse(models.Model):
    """A response recorded at a stage: who, when, what."""

    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="responses")
    stage = models.ForeignKey(EscalationStage, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    at = models.DateTimeField()
    text = models.TextField(max_length=6000)

    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"Response {self.pk} to challenge {self.challenge_id}"
