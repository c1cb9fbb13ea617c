from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from triage.models import Heartbeat


def record_heartbeat(*, name: str, at: datetime | None = None) -> Heartbeat:
    heartbeat, _ = Heartbeat.objects.update_or_create(
        name=name, defaults={"last_run_at": at or timezone.now()}
    )
    return heartbeat
