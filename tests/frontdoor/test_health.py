import pytest
from django.db import OperationalError, connection

from notices.delivery import record_heartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def recent_scan():
    """The beat scan runs every minute in a live system."""
    record_heartbeat(name="scan")


def test_health_is_200_when_database_and_broker_answer(client):
    response = client.get("/health/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True


def test_health_is_503_when_the_broker_does_not_answer(client, settings):
    # Nothing listens on port 1: the broker cannot answer.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}

    response = client.get("/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True


def test_health_is_503_when_the_database_does_not_answer(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("database went away")

    monkeypatch.setattr(connection, "cursor", broken_cursor)

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False, "error": "OperationalError"}


def test_health_reports_the_workers_last_heartbeat(client):
    record_heartbeat(name="worker")

    body = client.get("/health/").json()

    assert body["worker"]["last_heartbeat_at"] is not None


def test_health_needs_no_sign_in_and_is_not_cached(client):
    response = client.get("/health/")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_health_is_503_when_the_clocks_have_not_been_scanned_lately(client):
    from datetime import timedelta

    from django.utils import timezone

    record_heartbeat(name="scan", at=timezone.now() - timedelta(minutes=10))

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["notices"]["problems"] == ["the clocks have not been scanned recently"]


def test_health_is_503_when_an_email_notice_has_waited_too_long(client):
    from datetime import timedelta

    from django.utils import timezone

    from notices.models import Notification
    from referrals.services import acknowledge
    from tests.factories import ReferralFactory

    acknowledge(ReferralFactory())  # its email waits for a worker that never comes
    Notification.objects.filter(channel="email").update(
        created_at=timezone.now() - timedelta(minutes=20)
    )

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["notices"]["oldest_pending_seconds"] >= 20 * 60
