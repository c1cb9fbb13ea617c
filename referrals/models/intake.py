"""What intake keeps beside the referral: the draft being written, the coaching prompts
the referrer was shown, and the API's idempotency keys."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from referrals.models.referral import Referral, Submission


class ReferralDraft(models.Model):
    """A referral being written: saved on the server as the user goes, so that nothing
    typed is lost on a validation error or when the session times out. Emptied when it
    is sent, deleted when left unsent too long (referrals.drafts); not history-tracked,
    so that what was typed is not kept in a history table that cannot be deleted from."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="referral_drafts"
    )
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submission = models.OneToOneField(
        Submission, on_delete=models.SET_NULL, null=True, blank=True, related_name="draft"
    )

    class Meta:
        indexes = [models.Index(fields=["owner", "updated_at"])]

    def __str__(self) -> str:
        return f"Draft {self.pk}"

    @property
    def deleted_after(self):
        """From when an unsent draft may be deleted (settings.DRAFT_RETENTION_DAYS after
        it was last saved; the nightly purge does it)."""
        return self.updated_at + timedelta(days=settings.DRAFT_RETENTION_DAYS)


class CoachingOutcome(models.TextChoices):
    ACTED_ON = "acted_on", "Acted on"
    EXPLAINED = "explained", "Explained"
    IGNORED = "ignored", "Ignored"


class CoachingPrompt(models.Model):
    """A coaching prompt the referrer was shown while writing a referral (the rules are
    in referrals.coaching), and what became of it by the time it was sent: acted on
    (the text sent no longer draws the prompt), explained (it still does, and the
    referrer said why they could not say more) or ignored. Written when a referral is
    submitted from the web form, one row per field and rule, for each child's referral;
    so the agency quality figures can compare prompts shown with prompts acted on."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="coaching")
    field = models.CharField(max_length=40, help_text="The form field coached, e.g. worry")
    rule = models.CharField(max_length=40, help_text="The rule code, e.g. incident_only")
    agency_type = models.CharField(
        max_length=40, blank=True, help_text="The agency type the wording was tuned to"
    )
    shown_at = models.DateTimeField(help_text="When the prompt was first shown")
    outcome = models.CharField(max_length=12, choices=CoachingOutcome.choices)
    explanation = models.TextField(max_length=2000, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "field", "rule"], name="one_coaching_prompt_per_rule"
            ),
            models.CheckConstraint(
                name="coaching_outcome_is_known",
                condition=models.Q(outcome__in=CoachingOutcome.values),
            ),
            models.CheckConstraint(
                name="coaching_explained_has_explanation",
                condition=~models.Q(outcome="explained") | ~models.Q(explanation=""),
            ),
        ]
        indexes = [models.Index(fields=["rule", "outcome"])]

    def __str__(self) -> str:
        return f"{self.field}:{self.rule}"


class IdempotencyRecord(models.Model):
    """A POST made with an Idempotency-Key: a retry with the same key and body gets the
    same referral back; the same key with a different body is refused."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_referral_per_idempotency_key")
        ]

    def __str__(self) -> str:
        return f"Idempotency key for {self.referral_id}"
