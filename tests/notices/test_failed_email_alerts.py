"""An email notice that fails for good is told to the administrators (issue 13, ASVS
V8.3.8 and operations): in their inbox alone (the mail relay may be what failed), by the
email's number and ids, never a name or an address, at most once in
FRONTDOOR_FAILED_EMAIL_ALERT_MINUTES, linked to the admin's list of failed emails; and
never about a notice of its own kind, so it cannot raise itself without end."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from agencies.models import Role
from notices import services
from notices.delivery import DeliveryFailed, deliver
from notices.models import INBOX_ONLY_KINDS, NoticeEvent, NoticeKind, Notification
from referrals.services import acknowledge
from tests.factories import NoticeEventFactory, NotificationFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db

EMAIL = Notification.Channel.EMAIL
INBOX = Notification.Channel.INBOX
FAILED = Notification.Status.FAILED
T0 = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def admins():
    return [
        UserFactory(role=Role.ADMIN, email="admin.one@frontdoor.example"),
        UserFactory(role=Role.ADMIN, email="admin.two@frontdoor.example"),
        UserFactory(role=Role.ADMIN, is_active=False),
    ]


@pytest.fixture
def failing(settings):
    settings.EMAIL_BACKEND = "tests.notices.outbox_harness.FailingBackend"
    settings.NOTICE_MAX_ATTEMPTS = 2


def _acknowledgement_email() -> Notification:
    """The referrer's acknowledgement, its email not yet sent."""
    referral = ReferralFactory(child_first_name="Zebedee", child_last_name="Quartermaine")
    acknowledge(referral)
    return Notification.objects.get(channel=EMAIL, event__referral_id=referral.pk)


def _spend_attempts(notice: Notification) -> None:
    with pytest.raises(DeliveryFailed):
        deliver(notice.pk)
    assert deliver(notice.pk) is False  # the last attempt: failed for good


def _alerts():
    return Notification.objects.filter(kind=NoticeKind.EMAIL_FAILED)


def test_an_email_that_fails_for_good_tells_every_administrator_in_the_inbox_alone(
    admins, failing, mailoutbox
):
    notice = _acknowledgement_email()

    with time_machine.travel(T0, tick=False):
        with pytest.raises(DeliveryFailed):
            deliver(notice.pk)
        assert not _alerts().exists()  # a retry is still to come: nobody told yet
        deliver(notice.pk)

    notice.refresh_from_db()
    assert notice.status == FAILED
    alerts = list(_alerts())
    assert {a.recipient for a in alerts} == set(admins[:2])  # active administrators only
    assert {a.channel for a in alerts} == {INBOX}  # never emailed, though they have addresses
    assert mailoutbox == []
    (event,) = NoticeEvent.objects.filter(kind=NoticeKind.EMAIL_FAILED)
    assert event.referral_id is None  # about the outbox, not a case
    assert alerts[0].subject == (
        f"Email could not be sent: email {notice.pk} (referral received, referral "
        f"{notice.event.referral_id}) to account {notice.recipient_id}"
    )
    assert "manage.py notices --retry" in alerts[0].body
    assert alerts[0].link.endswith("/admin/notices/notification/?status__exact=failed")


def test_the_alert_names_ids_only_never_a_name_an_address_or_a_reference(
    admins, failing, mailoutbox
):
    notice = _acknowledgement_email()
    referral = notice.event.referral_id
    from referrals.models import Referral

    reference = Referral.objects.get(pk=referral).reference
    person = notice.recipient

    _spend_attempts(notice)

    alert = _alerts().first()
    text = f"{alert.subject} {alert.body} {alert.link}"
    for secret in (
        "Zebedee",
        "Quartermaine",
        person.username,
        person.email,
        person.first_name,
        person.last_name,
        reference,
        "SMTPServerDisconnected",
    ):
        assert secret not in text


def test_a_recipient_deactivated_before_sending_fails_at_once_and_is_told(admins, mailoutbox):
    notice = _acknowledgement_email()
    notice.recipient.is_active = False
    notice.recipient.save()

    assert deliver(notice.pk) is False

    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (FAILED, 1)
    assert _alerts().count() == 2


def test_one_alert_a_window_however_many_emails_fail(admins, failing, settings, mailoutbox):
    settings.FAILED_EMAIL_ALERT_MINUTES = 60
    first, second, third = (_acknowledgement_email() for _ in range(3))

    with time_machine.travel(T0, tick=False):
        _spend_attempts(first)
    with time_machine.travel(T0 + timedelta(minutes=59), tick=False):
        _spend_attempts(second)
    assert NoticeEvent.objects.filter(kind=NoticeKind.EMAIL_FAILED).count() == 1
    assert str(first.pk) in _alerts().first().subject

    with time_machine.travel(T0 + timedelta(minutes=61), tick=False):
        _spend_attempts(third)
    assert NoticeEvent.objects.filter(kind=NoticeKind.EMAIL_FAILED).count() == 2
    assert Notification.objects.filter(status=FAILED, channel=EMAIL).count() == 3


def test_an_email_failed_notice_is_never_emailed_so_cannot_fail_in_turn(admins):
    assert NoticeKind.EMAIL_FAILED in INBOX_ONLY_KINDS
    event, rows = services.notice_rows(
        key="email-failed:test",
        kind=NoticeKind.EMAIL_FAILED,
        recipients=admins,
        reference="email 1",
        due=T0,
        link="/",
    )

    assert {row.channel for row in rows} == {INBOX}


def test_a_failed_email_of_the_alerts_own_kind_raises_no_other(admins, mailoutbox):
    """Were such an email ever written (none is: test above), its failure is not told:
    telling it would be a notice of the same kind that could fail and be told again."""
    admin = admins[0]
    admin.is_active = False  # fails at once
    admin.save()
    event = NoticeEventFactory(
        kind=NoticeKind.EMAIL_FAILED, key="email-failed:old", referral_id=None
    )
    row = NotificationFactory(
        event=event,
        recipient=admin,
        channel=EMAIL,
        status=Notification.Status.PENDING,
        sent_at=None,
    )

    assert deliver(row.pk) is False

    row.refresh_from_db()
    assert row.status == FAILED
    assert NoticeEvent.objects.filter(kind=NoticeKind.EMAIL_FAILED).count() == 1
    assert _alerts().count() == 1  # the forged row alone


def test_the_failure_is_recorded_even_when_telling_it_fails(
    admins, failing, monkeypatch, caplog, mailoutbox
):
    notice = _acknowledgement_email()

    def broken(**kwargs):
        raise RuntimeError("the inbox is broken")

    monkeypatch.setattr(services, "tell_administrators_email_failed", broken)
    with caplog.at_level(logging.WARNING, logger="frontdoor.notices"):
        _spend_attempts(notice)

    notice.refresh_from_db()
    assert notice.status == FAILED
    assert not _alerts().exists()
    assert f"notice {notice.pk}: administrators not told of its failure (RuntimeError)" in (
        caplog.text
    )


def test_the_alerts_link_lists_the_failed_emails_for_the_administrator_alone(
    admins, failing, mailoutbox
):
    failed = _acknowledgement_email()
    _spend_attempts(failed)
    waiting = _acknowledgement_email()
    alert = _alerts().first()
    path = services.inbox_link(alert)

    client = Client()
    client.force_login(admins[0])
    response = client.get(path)

    assert response.status_code == 200
    shown = [row.pk for row in response.context["cl"].result_list]
    assert shown == [failed.pk]
    assert waiting.pk not in shown
    page = response.content.decode()
    assert "Zebedee" not in page and failed.recipient.email not in page
    # Read only: nothing can be changed, added or deleted there.
    assert client.get(f"/admin/notices/notification/{failed.pk}/change/").status_code == 200
    assert client.post(f"/admin/notices/notification/{failed.pk}/delete/").status_code == 403
    assert client.get("/admin/notices/notification/add/").status_code == 403
    manager = Client()
    manager.force_login(UserFactory(role=Role.MANAGER))
    assert manager.get(path).status_code == 403
