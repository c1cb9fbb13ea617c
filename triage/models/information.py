"""Information requests to partner agencies, and their answers."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from referrals.models import NARRATIVE_MAX


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
