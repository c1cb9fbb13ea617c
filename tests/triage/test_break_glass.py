"""Break the glass: a screener or a manager opening a closed record (a referral decided
long ago whose child has nothing open, or such a child's chronology) states why first;
the reason is logged and every auditor alerted; the record is not shown before. Auditors
read closed records without a reason."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Role
from audit.models import AccessLog
from notices.models import NoticeKind, Notification
from tests.clients import client_for
from tests.factories import ChildFactory, DecisionFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db

REASON = "A new referral by phone names this child; checking what was decided before."


def decided(days_ago: int, **referral) -> object:
    at = timezone.now() - timedelta(days=days_ago)
    referral = ReferralFactory(
        received_at=at - timedelta(hours=3), awaiting_decision=True, **referral
    )
    return DecisionFactory(referral=referral, decided_at=at).referral


@pytest.fixture
def auditors():
    return [UserFactory(role=Role.AUDITOR), UserFactory(role=Role.AUDITOR, email="")]


def test_a_closed_referral_asks_why_and_shows_nothing_of_it(auditors):
    referral = decided(40)

    response = client_for(UserFactory(role=Role.SCREENER)).get(
        reverse("triage:referral", args=[referral.pk])
    )

    assert response.status_code == 200
    text = response.content.decode()
    assert "This record is closed" in text
    assert referral.reference in text
    assert referral.child_first_name not in text
    assert referral.worry not in text
    assert not AccessLog.objects.exists()
    assert not Notification.objects.exists()


def test_an_empty_reason_is_refused_naming_the_field():
    referral = decided(40)
    screener = client_for(UserFactory(role=Role.SCREENER))

    response = screener.post(reverse("triage:break-glass", args=[referral.pk]), {"reason": " "})

    assert response.status_code == 400
    text = response.content.decode()
    assert "Say why you need to open this closed record" in text
    assert 'href="#id_reason"' in text
    assert referral.worry not in text
    assert not AccessLog.objects.exists()


def test_a_thin_reason_is_refused():
    referral = decided(40)

    response = client_for(UserFactory(role=Role.SCREENER)).post(
        reverse("triage:break-glass", args=[referral.pk]), {"reason": "checking"}
    )

    assert response.status_code == 400
    assert "reason of substance" in response.content.decode()


def test_a_reason_opens_the_record_logs_it_and_alerts_every_auditor(auditors):
    referral = decided(40)
    screener_user = UserFactory(role=Role.SCREENER)
    screener = client_for(screener_user)

    response = screener.post(
        reverse("triage:break-glass", args=[referral.pk]), {"reason": REASON, "then": "referral"}
    )

    assert response.status_code == 302
    assert response.url == reverse("triage:referral", args=[referral.pk])
    entry = AccessLog.objects.get(break_glass_reason=REASON)
    assert (entry.username, entry.kind, entry.object_id) == (
        screener_user.username,
        AccessLog.Kind.REFERRAL,
        referral.pk,
    )
    alerts = Notification.objects.filter(kind=NoticeKind.BREAK_GLASS)
    assert {n.recipient_id for n in alerts} == {a.pk for a in auditors}
    for alert in alerts:
        assert referral.reference in alert.subject
        assert referral.child_first_name not in alert.subject + alert.body
        assert screener_user.username not in alert.subject + alert.body
        assert REASON not in alert.body
        assert "/audit/access-log/" in alert.link
    # Now the record opens, for the rest of the grant, without asking again.
    page = screener.get(reverse("triage:referral", args=[referral.pk]))
    assert referral.worry in page.content.decode()
    assert screener.get(reverse("triage:referral", args=[referral.pk])).status_code == 200
    assert AccessLog.objects.exclude(break_glass_reason="").count() == 1


def test_breaking_the_glass_is_in_the_security_log_by_ids_without_the_reason(caplog):
    referral = decided(40)
    screener_user = UserFactory(role=Role.SCREENER)

    with caplog.at_level(logging.INFO, logger="frontdoor.security"):
        client_for(screener_user).post(
            reverse("triage:break-glass", args=[referral.pk]), {"reason": REASON}
        )

    [record] = [
        r
        for r in caplog.records
        if r.name == "frontdoor.security" and r.getMessage().startswith("break the glass")
    ]
    assert record.getMessage() == (
        f"break the glass: user={screener_user.pk} record=referral id={referral.pk} "
        "address=127.0.0.1"
    )
    assert record.levelno == logging.WARNING
    assert REASON not in caplog.text


def test_the_grant_is_for_that_record_and_that_session_only():
    first, second = decided(40), decided(50)
    screener_user = UserFactory(role=Role.SCREENER)
    screener = client_for(screener_user)
    screener.post(reverse("triage:break-glass", args=[first.pk]), {"reason": REASON})

    other_record = screener.get(reverse("triage:referral", args=[second.pk]))
    new_session = client_for(screener_user).get(reverse("triage:referral", args=[first.pk]))

    assert "This record is closed" in other_record.content.decode()
    assert "This record is closed" in new_session.content.decode()


def test_the_grant_runs_out(settings):
    settings.BREAK_GLASS_MINUTES = 5
    referral = decided(40)
    screener = client_for(UserFactory(role=Role.SCREENER))
    screener.post(reverse("triage:break-glass", args=[referral.pk]), {"reason": REASON})

    import time_machine

    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        page = screener.get(reverse("triage:referral", args=[referral.pk]))

    assert "This record is closed" in page.content.decode()


def test_recent_and_open_cases_are_not_closed(settings):
    settings.BREAK_GLASS_CLOSED_AFTER_DAYS = 30
    recent = decided(5)
    child = ChildFactory()
    old_but_child_open = decided(90, child=child)
    ReferralFactory(child=child)
    screener = client_for(UserFactory(role=Role.SCREENER))

    for referral in (recent, old_but_child_open):
        page = screener.get(reverse("triage:referral", args=[referral.pk]))
        assert referral.worry in page.content.decode()


def test_the_setting_moves_the_line(settings):
    settings.BREAK_GLASS_CLOSED_AFTER_DAYS = 3
    referral = decided(5)

    page = client_for(UserFactory(role=Role.MANAGER)).get(
        reverse("triage:referral", args=[referral.pk])
    )

    assert "This record is closed" in page.content.decode()


def test_the_decided_page_of_a_closed_referral_asks_the_manager_too():
    referral = decided(40)
    manager = client_for(UserFactory(role=Role.MANAGER))

    page = manager.get(reverse("triage:decide", args=[referral.pk]))
    assert "This record is closed" in page.content.decode()
    assert "Emerging needs" not in page.content.decode()

    response = manager.post(
        reverse("triage:break-glass", args=[referral.pk]), {"reason": REASON, "then": "decision"}
    )
    assert response.url == reverse("triage:decide", args=[referral.pk])
    assert "Emerging needs" in manager.get(response.url).content.decode()


def test_a_closed_childs_chronology_asks_why():
    child = ChildFactory()
    decided(60, child=child)
    screener = client_for(UserFactory(role=Role.SCREENER))

    page = screener.get(reverse("children:chronology", args=[child.pk]))
    assert "This record is closed" in page.content.decode()
    assert child.first_name not in page.content.decode()

    response = screener.post(reverse("children:break-glass", args=[child.pk]), {"reason": REASON})
    assert response.url == reverse("children:chronology", args=[child.pk])
    entry = AccessLog.objects.get(break_glass_reason=REASON)
    assert (entry.kind, entry.object_id) == (AccessLog.Kind.CHILD, child.pk)
    assert child.first_name in screener.get(response.url).content.decode()


def test_a_child_with_a_recent_decision_is_not_closed():
    child = ChildFactory()
    decided(2, child=child)

    page = client_for(UserFactory(role=Role.SCREENER)).get(
        reverse("children:chronology", args=[child.pk])
    )

    assert child.first_name in page.content.decode()


def test_auditors_read_closed_records_without_a_reason():
    referral = decided(40)
    auditor = client_for(UserFactory(role=Role.AUDITOR))

    page = auditor.get(reverse("triage:referral", args=[referral.pk]))

    assert referral.worry in page.content.decode()
    assert (
        auditor.post(
            reverse("triage:break-glass", args=[referral.pk]), {"reason": REASON}
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("action", "data", "linked"),
    [
        ("triage:unlink-child", {"reason": "Linked to the wrong child by mistake."}, True),
        ("triage:create-child", {}, False),
    ],
)
def test_a_closed_referral_is_changed_only_once_its_reason_is_given(action, data, linked):
    # Its page could not have been shown without the reason: a POST made without one
    # (by hand) gets the reason page and changes nothing.
    referral = decided(40, child=ChildFactory() if linked else None)
    child_id = referral.child_id
    screener = client_for(UserFactory(role=Role.SCREENER))
    url = reverse(action, args=[referral.pk])

    refused = screener.post(url, data)

    assert refused.status_code == 403
    assert "This record is closed" in refused.content.decode()
    assert referral.worry not in refused.content.decode()
    referral.refresh_from_db()
    assert referral.child_id == child_id
    assert not AccessLog.objects.exists()

    screener.post(reverse("triage:break-glass", args=[referral.pk]), {"reason": REASON})
    screener.post(url, data)

    referral.refresh_from_db()
    assert referral.child_id != child_id
