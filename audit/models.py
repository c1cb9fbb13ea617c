from django.db import models
from django.utils import timezone


class AccessLog(models.Model):
    """Every view of a child's or a referral's record: who, what, when, from where.

    It names the viewer and the record by id and text, with no foreign keys, so that it
    outlives the rows it speaks of and can never be changed through them.
    """

    class Kind(models.TextChoices):
        REFERRAL = "referral", "Referral"
        CHILD = "child", "Child"
        CHILD_SEARCH = "child_search", "Child search"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user_id = models.BigIntegerField(null=True)
    username = models.CharField(max_length=150)
    role = models.CharField(max_length=20)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_id = models.BigIntegerField(null=True)
    path = models.CharField(max_length=300)
    ip_address = models.GenericIPAddressField(null=True)
    break_glass_reason = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["kind", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.username} viewed {self.kind} {self.object_id}"
