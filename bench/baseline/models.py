from django.conf import settings
from django.db import models


class BaselineRow(models.Model):
    """One row a request: what the DRF baseline inserts (a bench-only table)."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=100, blank=True)  # views.NOTE_MAX

    def __str__(self) -> str:
        return f"baseline row {self.pk}"
