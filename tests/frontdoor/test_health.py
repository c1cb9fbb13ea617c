import pytest
from django.db import OperationalError, connection

from notices.delivery import record_heartbeat

pytestmark = pytest.mark.django_db


HEALTH_TOKEN = "health-token-for-the-monitor-0123456789"


@pytest.fixture(autouse=True)
def recent_scan():
    """The beat scan runs every minute in a live system."""
    record_heartbeat(name="scan")


@pytest.fixture
def monitor(client, settings):
    """A monitor sending the configured health token: it is told the details."""
    settings.HEALTH_TOKEN = HEALTH_TOKEN
    client.defaults["HTTP_X_HEALTH_TOKEN"] = HEALTH_TOKEN
    return client


# --- What anyone is told ------------------------------------------------------------------


def test_anonymous_health_says_only_ok(client):
    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_anonymous_health_says_only_unavailable_when_the_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


def test_signed_in_users_other_than_the_administrator_are_told_only_ok(manager_client):
    assert manager_client.get("/health/").json() == {"status": "ok"}


def test_a_wrong_health_token_is_told_only_ok(client, settings):
    settings.HEALTH_TOKEN = HEALTH_TOKEN

    response = client.get("/health/", HTTP_X_HEALTH_TOKEN="guess")

    assert response.json() == {"status": "ok"}


def test_no_token_opens_the_details_while_none_is_configured(client, settings):
    settings.HEALTH_TOKEN = ""

    assert client.get("/health/", HTTP_X_HEALTH_TOKEN="").json() == {"status": "ok"}


def test_the_administrator_is_told_the_details(sysadmin_client):
    body = sysadmin_client.get("/health/").json()

    assert body["status"] == "ok"
    assert body["database"]["vendor"] and body["broker"]["transport"]


def test_an_administrator_not_past_two_step_verification_is_told_only_ok(settings):
    from django.test import Client

    from agencies.models import Role
    from tests.factories import PASSWORD, TOTPDeviceFactory, UserFactory

    settings.MFA_REQUIRED = True
    admin = UserFactory(username="kit", role=Role.ADMIN)
    TOTPDeviceFactory(user=admin)
    client = Client()
    client.post("/accounts/login/", {"username": "kit", "password": PASSWORD})

    assert client.get("/health/").json() == {"status": "ok"}


# --- What an administrator or a monitor is told -------------------------------------------


def test_health_is_200_when_database_and_broker_answer(monitor):
    response = monitor.get("/health/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True


def test_health_is_503_when_the_broker_does_not_answer(monitor, settings):
    # Nothing listens on port 1: the broker cannot answer.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}

    response = monitor.get("/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True


def test_health_is_503_when_the_database_does_not_answer(monitor, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("database went away")

    monkeypatch.setattr(connection, "cursor", broken_cursor)

    response = monitor.get("/health/")

    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False, "error": "OperationalError"}


def test_health_reports_the_workers_last_heartbeat(monitor):
    record_heartbeat(name="worker")

    body = monitor.get("/health/").json()

    assert body["worker"]["last_heartbeat_at"] is not None


def test_health_needs_no_sign_in_and_is_not_cached(client):
    response = client.get("/health/")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_health_is_503_when_the_clocks_have_not_been_scanned_lately(monitor):
    from datetime import timedelta

    from django.utils import timezone

    record_heartbeat(name="scan", at=timezone.now() - timedelta(minutes=10))

    response = monitor.get("/health/")

    assert response.status_code == 503
    assert response.json()["notices"]["problems"] == ["the clocks have not been scanned recently"]


def test_health_is_503_when_an_email_notice_has_waited_too_long(monitor):
    from datetime import timedelta

    from django.utils import timezone

    from notices.models import Notification
    from referrals.services import acknowledge
    from tests.factories import ReferralFactory

    acknowledge(ReferralFactory())  # its email waits for a worker that never comes
    Notification.objects.filter(channel="email").update(
        created_at=timezone.now() - timedelta(minutes=20)
    )

    response = monitor.get("/health/")

    assert response.status_code == 503
    assert response.json()["notices"]["oldest_pending_seconds"] >= 20 * 60


# --- Emails that failed for good (issue 13) ------------------------------------------------


def _failed_email(*, last_attempt_hours_ago: float):
    from datetime import timedelta

    from django.utils import timezone

    from notices.models import Notification
    from referrals.services import acknowledge
    from tests.factories import ReferralFactory

    referral = ReferralFactory()
    acknowledge(referral)
    Notification.objects.filter(channel="email", event__referral_id=referral.pk).update(
        status=Notification.Status.FAILED,
        attempts=8,
        claimed_at=timezone.now() - timedelta(hours=last_attempt_hours_ago),
        last_error="SMTPServerDisconnected: relay down",
    )


def test_the_details_count_the_emails_failed_in_the_window_and_say_not_ok(
    sysadmin_client, settings
):
    from datetime import timedelta

    settings.HEALTH_FAILED_EMAIL_WINDOW = timedelta(hours=24)
    _failed_email(last_attempt_hours_ago=1)
    _failed_email(last_attempt_hours_ago=23)
    _failed_email(last_attempt_hours_ago=25)  # before the window: not counted

    response = sysadmin_client.get("/health/")

    body = response.json()
    assert body["failed_emails"] == {"ok": False, "count": 2, "hours": 24}
    # Reported, not a reason for a 503: the database, broker and outbox are fine.
    assert (response.status_code, body["status"], body["notices"]["ok"]) == (200, "ok", True)


def test_the_details_say_ok_with_no_failed_email_in_the_window(monitor, settings):
    from datetime import timedelta

    settings.HEALTH_FAILED_EMAIL_WINDOW = timedelta(hours=2)
    _failed_email(last_attempt_hours_ago=3)

    assert monitor.get("/health/").json()["failed_emails"] == {"ok": True, "count": 0, "hours": 2}


def test_a_failed_email_leaves_the_anonymous_answer_ok(client):
    """A failure for good is something that happened, not a state of the web process: a
    balancer or the public must not see 'unavailable' for a day because one address
    bounced (frontdoor/health.py, check_failed_emails)."""
    _failed_email(last_attempt_hours_ago=1)

    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_a_retried_email_no_longer_counts_until_it_fails_again(sysadmin_client):
    from io import StringIO

    from django.core.management import call_command

    _failed_email(last_attempt_hours_ago=1)
    assert sysadmin_client.get("/health/").json()["failed_emails"]["count"] == 1

    call_command("notices", retry=True, stdout=StringIO())

    assert sysadmin_client.get("/health/").json()["failed_emails"]["count"] == 0
