"""The inbox page and the notifications API: a person's own inbox notices, read and
unread."""

from datetime import timedelta

import pytest
from django.urls import reverse

from agencies.models import Role
from notices.models import Notification
from tests.clients import client_for
from tests.factories import UserFactory
from tests.notices.outbox_support import DUE, EMAIL, INBOX, referral_due, scan

pytestmark = pytest.mark.django_db


def _inbox_notices(user, count: int) -> list[Notification]:
    """``count`` overdue notices to ``user``, an hour apart, oldest first."""
    notices = []
    for hour in range(count):
        referral = referral_due(DUE + timedelta(hours=hour))
        scan(DUE + timedelta(hours=hour))
        notices.append(
            Notification.objects.get(channel=INBOX, recipient=user, event__referral_id=referral.pk)
        )
    return notices


def test_the_inbox_shows_a_managers_notices_and_the_unread_count():
    manager = UserFactory(role=Role.MANAGER)
    notices = _inbox_notices(manager, 2)

    response = client_for(manager).get(reverse("inbox"))

    assert response.status_code == 200
    page = response.content.decode()
    assert '<strong class="govuk-tag govuk-tag--blue" data-testid="unread-count">2 unread' in page
    for notice in notices:
        assert notice.subject in page


def test_a_notice_marked_as_read_leaves_the_unread_count():
    manager = UserFactory(role=Role.MANAGER)
    first, second = _inbox_notices(manager, 2)
    client = client_for(manager)

    response = client.post(reverse("inbox-read"), {"notification": first.pk})

    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None
    assert "1 unread" in client.get(reverse("inbox")).content.decode()


def test_marking_as_read_needs_a_post():
    manager = UserFactory(role=Role.MANAGER)
    (notice,) = _inbox_notices(manager, 1)

    response = client_for(manager).get(reverse("inbox-read"), {"notification": notice.pk})

    assert response.status_code == 405
    notice.refresh_from_db()
    assert notice.read_at is None


def test_nobody_can_mark_another_persons_notice_as_read():
    manager, other = UserFactory(role=Role.MANAGER), UserFactory(role=Role.MANAGER)
    (theirs,) = _inbox_notices(other, 1)

    client_for(manager).post(reverse("inbox-read"), {"notification": theirs.pk})

    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_inbox_needs_sign_in(client):
    response = client.get(reverse("inbox"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_api_lists_only_the_callers_inbox_notices_newest_first():
    manager, other = UserFactory(role=Role.MANAGER), UserFactory(role=Role.MANAGER)
    notices = _inbox_notices(manager, 3)
    Notification.objects.filter(pk=notices[0].pk).update(read_at=DUE)

    response = client_for(manager).get("/api/v1/notifications/")

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [n.pk for n in reversed(notices)]
    assert {"id", "kind", "referral", "created_at", "read_at"} <= set(results[0])
    assert results[0]["kind"] == "overdue"
    assert results[0]["referral"] == notices[-1].event.referral_id
    assert results[-1]["read_at"] is not None and results[0]["read_at"] is None
    # The other manager's notices and every email row are someone else's or not the inbox.
    assert Notification.objects.filter(recipient=other).exists()
    assert Notification.objects.filter(recipient=manager, channel=EMAIL).exists()


def test_the_api_needs_authentication(client):
    assert client.get("/api/v1/notifications/").status_code in (401, 403)
