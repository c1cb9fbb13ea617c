from django.db import models


class KeySeen(models.Model):
    """A key the application holds, by its fingerprint, and when Front Door first and last
    saw it in use (oversight.key_ages): the day a key's cryptoperiod counts from. Never
    the key itself."""

    kind = models.CharField(max_length=40)
    fingerprint = models.CharField(max_length=64)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "fingerprint"], name="one_row_per_key_seen"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} first seen {self.first_seen:%Y-%m-%d}"
