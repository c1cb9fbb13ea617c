from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from referrals.models import NARRATIVE_MAX, Outcome


class Decision(models.Model):
    """A manager's decision on a referral. Immutable: a correction is an amendment.

    The triage issue builds the screens and the service that records it; the model is
    here so that referrals, the API and demo data can speak of decisions already.
    """

    referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.PROTECT, related_name="decision"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    # By the level's number (1 to 4 by default), which is what a manager chooses and what
    # the API takes; PROTECT and the foreign key keep a level in use from being deleted
    # or renumbered under the decisions that cite it.
    threshold_level = models.ForeignKey(
        "triage.ThresholdLevel",
        on_delete=models.PROTECT,
        to_field="level",
        related_name="decisions",
    )
    rationale = models.TextField(max_length=6000)
    lived_experience_impact = models.TextField(max_length=6000, blank=True)
    onward_referrals = models.TextField(max_length=3000, blank=True)
    late_reason = models.TextField(max_length=3000, blank=True)
    feedback = models.TextField(
        max_length=6000, blank=True, help_text="What the referrer is told, in plain words"
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    decided_at = models.DateTimeField()

    history = HistoricalRecords()

    class Meta:
        indexes = [models.Index(fields=["decided_at"])]
        constraints = [
            models.CheckConstraint(
                name="decision_outcome_is_known", condition=models.Q(outcome__in=Outcome.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} for {self.referral}"

    @property
    def current(self):
        """The decision as it stands: the latest amendment, or the original."""
        amendments = list(self.amendments.all())  # uses a prefetch where there is one
        return max(amendments, key=lambda a: a.amended_at) if amendments else self


class DecisionAmendment(models.Model):
    """A correction to a decision, with the reason: shown beside the original, which is
    never changed."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="amendments")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    threshold_level = models.ForeignKey(
        "triage.ThresholdLevel",
        on_delete=models.PROTECT,
        to_field="level",
        related_name="amendments",
    )
    rationale = models.TextField(max_length=6000)
    reason = models.TextField(max_length=3000)
    feedback = models.TextField(max_length=6000, blank=True)
    amended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    amended_at = models.DateTimeField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["amended_at"]
        constraints = [
            models.CheckConstraint(
                name="decision_amendment_outcome_is_known",
                condition=models.Q(outcome__in=Outcome.values),
            ),
        ]

    def __str__(self) -> str:
        return f"Amendment {self.pk} to {self.decision_id}"


class ThresholdLevel(models.Model):
    """The local threshold document's levels of need, shown beside the decision."""

    level = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=100)
    descriptor = models.TextField(max_length=2000)
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["level"]

    def __str__(self) -> str:
        return f"Level {self.level}: {self.name}"


class SupportService(models.Model):
    """Other sources of support, offered in feedback when the threshold is not met."""

    name = models.CharField(max_length=200)
    description = models.TextField(max_length=1000)
    contact = models.CharField(max_length=300)
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ScreeningNote(models.Model):
    """What a screener or manager learned or did while screening."""

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    text = models.TextField(max_length=NARRATIVE_MAX)
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Note {self.pk} on {self.referral_id}"


class QualityRating(models.Model):
    """The screener's rating of the referral against the quality rubric."""

    RUBRIC = (
        ("specific_worry", "A specific worry is stated"),
        ("child_voice", "The child's voice is heard"),
        ("lived_experience", "The child's lived experience is described"),
        ("history_considered", "History and pattern are considered"),
        ("consent_addressed", "Consent is addressed"),
        ("referrer_analysis", "The referrer gives their own analysis"),
    )

    referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.CASCADE, related_name="quality"
    )
    specific_worry = models.BooleanField()
    child_voice = models.BooleanField()
    lived_experience = models.BooleanField()
    history_considered = models.BooleanField()
    consent_addressed = models.BooleanField()
    referrer_analysis = models.BooleanField()
    comment = models.TextField(max_length=2000, blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    rated_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Quality of {self.referral_id}: {self.score}/6"

    @property
    def score(self) -> int:
        return sum(bool(getattr(self, name)) for name, _ in self.RUBRIC)


class InformationRequest(models.Model):
    """A screener's question to a partner agency about the child and household."""

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, related_name="information_requests"
    )
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.PROTECT, related_name="information_requests"
    )
    question = models.TextField(max_length=3000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    answer = models.TextField(max_length=NARRATIVE_MAX, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_at"]
        indexes = [
            models.Index(fields=["agency", "answered_at", "due_at"]),
            models.Index(fields=["answered_at", "due_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="information_request_answered_with_answer_who_and_when",
                condition=models.Q(answer="", answered_at__isnull=True, answered_by__isnull=True)
                | (
                    models.Q(answered_at__isnull=False, answered_by__isnull=False)
                    & ~models.Q(answer="")
                ),
            ),
            models.CheckConstraint(
                name="information_request_due_after_requested",
                condition=models.Q(due_at__gt=models.F("requested_at")),
            ),
        ]

    def __str__(self) -> str:
        return f"Information request {self.pk}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    def is_overdue(self, now) -> bool:
        return not self.is_answered and now >= self.due_at
