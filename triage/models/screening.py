"""What screening leaves on a referral: notes and the quality rating."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from referrals.models import NARRATIVE_MAX


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


class ChildLinkRemoval(models.Model):
    """A wrong link between a referral and a child record, undone with a reason. The
    referral leaves the child's chronology; this row stays on it, so the child's record
    shows that a referral was once linked and why it was taken off."""

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="child_link_removals"
    )
    child = models.ForeignKey(
        "referrals.Child", on_delete=models.PROTECT, related_name="link_removals"
    )
    reason = models.TextField(max_length=3000)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    removed_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["removed_at"]

    def __str__(self) -> str:
        return f"Link of {self.referral_id} to child {self.child_id} removed"
