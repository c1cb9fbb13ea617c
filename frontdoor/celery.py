import os

from celery import Celery
from celery.signals import beat_init

from frontdoor import broker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontdoor.settings")

# kombu's Redis transport with one client object a channel, not one a message.
broker.install()

app = Celery("frontdoor")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def scan_when_beat_starts(sender=None, **kwargs):
    """Scan at once rather than a minute after beat starts: a restarted beat should not
    leave a minute in which overdue referrals go unnoticed."""
    app.send_task("triage.scan_clocks")
