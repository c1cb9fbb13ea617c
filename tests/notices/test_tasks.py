import pytest
import time_machine
from django.utils import timezone

from frontdoor.celery import app as celery_app
from notices.models import Heartbeat
from notices.tasks import heartbeat

pytestmark = pytest.mark.django_db


def test_heartbeat_task_records_when_the_worker_last_ran():
    with time_machine.travel("2026-03-29 00:30:00+00:00", tick=False):
        heartbeat()
    with time_machine.travel("2026-03-29 01:31:00+00:00", tick=False):
        heartbeat()

    beats = Heartbeat.objects.filter(name="worker")
    assert beats.count() == 1
    assert beats.get().last_run_at == timezone.datetime.fromisoformat("2026-03-29 01:31:00+00:00")


def test_beat_sends_the_heartbeat_every_minute():
    schedule = celery_app.conf.beat_schedule

    assert schedule["heartbeat"]["task"] == "notices.heartbeat"
    assert schedule["heartbeat"]["schedule"] == 60.0
    assert "notices.heartbeat" in celery_app.tasks
