from django.db import models


class Heartbeat(models.Model):
    """The last time a periodic job ran, one row per job, for /health/ and operators."""

    name = models.CharField(max_length=60, unique=True)
    last_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.last_run_at:%Y-%m-%d %H:%M:%S}"
