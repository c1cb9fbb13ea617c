"""Managers' decisions and their amendments; the threshold levels and the other support
they cite."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from referrals.models import Outcome


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
    # Composed by the service (services/decisions.py compose_feedback): the manager's
    # reasons, bounded at input (6,000 characters), with the outcome in plain words and
    # the support services around them, so the whole has no bound of its own here.
    feedback = models.TextField(blank=True, help_text="What the referrer is told, in plain words")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    decided_at = models.DateTimeField()
    # The supervisory footprint (triage/footprint.py): who screened it, why the manager
    # went on despite the warnings or chose an outcome unusual for the level, and what
    # was known at the time (codes and numbers, fixed when the decision is recorded).
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The screener who recommended the outcome, or had it allocated",
    )
    proceed_reason = models.TextField(
        max_length=3000, blank=True, help_text="Why decide now, despite the warnings"
    )
    threshold_reason = models.TextField(
        max_length=3000, blank=True, help_text="Why an outcome unusual for the level"
    )
    known_at_decision = models.JSONField(default=dict, blank=True)

    history = HistoricalRecords()

    class Meta:
        indexes = [
            models.Index(fields=["decided_at"]),
            # The referrals decided since the closed line, from the index alone (the
            # discussion lists' open_discussions).
            models.Index(fields=["decided_at", "referral"], name="decision_decided_referral_idx"),
        ]
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
    feedback = models.TextField(blank=True)  # composed, as Decision.feedback
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
