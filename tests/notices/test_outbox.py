"""The notification outbox's rules: who is told what and when, by the events that
raise notices and by the clock scans. Celery tasks run in this process here
(tests/conftest.py); the tests with real workers and a real broker are in
test_outbox_reliability.py. Delivery is in test_outbox_delivery.py, the sweeper and
the notices command in test_outbox_recovery.py, what an email may say in
test_outbox_email_content.py, and the inbox in test_inbox.py."""

from datetime import timedelta

import pytest

from agencies.models import Role
from notices.models import NoticeEvent, NoticeKind, Notification
from notices.services import raise_notice
from referrals.models import Channel
from referrals.services import acknowledge, submit_referrals
from tests.factories import (
    AgencyFactory,
    DecisionFactory,
    InformationRequestFactory,
    ReferralFactory,
    UserFactory,
)
from tests.notices.outbox_support import (
    CHILD_BORN,
    CHILD_FIRST,
    CHILD_LAST,
    DUE,
    EMAIL,
    INBOX,
    NO_DISCUSSION_NOTICES,
    WORRY,
    assert_no_case_details,
    recipients,
    referral_due,
    scan,
    usernames,
)
from triage.services.decisions import decide

pytestmark = pytest.mark.django_db


# --- Notices raised by events ---------------------------------------------------------


def test_submitting_a_referral_acknowledges_it_to_the_referrer(
    django_capture_on_commit_callbacks, mailoutbox
):
    referrer = UserFactory(role=Role.REFERRER)

    with django_capture_on_commit_callbacks(execute=True):
        (referral,) = submit_referrals(
            by=referrer,
            children=[
                {
                    "child_first_name": CHILD_FIRST,
                    "child_last_name": CHILD_LAST,
                    "child_date_of_birth": CHILD_BORN,
                }
            ],
            details={
                "worry": WORRY,
                "lived_experience": "Gets himself to school.",
                "child_voice": "'It was the kettle.'",
                "parental_consent": "consented",
            },
            concerns=["neglect"],
            channel=Channel.WEB,
        )

    event = NoticeEvent.objects.get(key=f"acknowledgement:{referral.pk}")
    assert event.kind == NoticeKind.ACKNOWLEDGEMENT
    assert recipients(NoticeKind.ACKNOWLEDGEMENT) == {referrer.username}
    assert Notification.objects.get(channel=INBOX).status == Notification.Status.SENT
    email = Notification.objects.get(channel=EMAIL)
    assert (email.status, email.attempts) == (Notification.Status.SENT, 1)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [referrer.email]
    assert referral.reference in mailoutbox[0].subject
    assert_no_case_details(mailoutbox[0].message().as_string())


def test_a_referral_is_not_acknowledged_until_its_transaction_commits(mailoutbox):
    referrer = UserFactory(role=Role.REFERRER)

    acknowledge(ReferralFactory(referrer=referrer))

    # Written, but not handed to a worker: on_commit has not run (the test's transaction
    # never commits), so a rolled-back referral would never be announced.
    assert Notification.objects.get(channel=EMAIL).status == Notification.Status.PENDING
    assert mailoutbox == []


def test_a_decision_sends_feedback_to_the_referrer(django_capture_on_commit_callbacks, mailoutbox):
    referral = ReferralFactory()
    manager = UserFactory(role=Role.MANAGER)

    with django_capture_on_commit_callbacks(execute=True):
        decide(
            referral_id=referral.pk,
            by=manager,
            outcome="early_help",
            threshold_level=2,
            rationale="Emerging needs only; the school's family worker will offer support.",
            feedback="The school's family worker will offer the family support.",
            proceed_reason="Not screened, but the police need an answer tonight.",
            lived_experience_impact="Mornings are hard but he is fed at school.",
        )

    assert recipients(NoticeKind.FEEDBACK) == {referral.referrer.username}
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [referral.referrer.email]
    assert "decision made" in mailoutbox[0].subject


# --- The clock scans ------------------------------------------------------------------


def test_due_soon_is_raised_four_hours_before_the_decision_is_due(managers):
    referral = referral_due()

    assert scan(DUE - timedelta(hours=4, minutes=1))["due_soon"] == 0
    assert Notification.objects.count() == 0

    assert scan(DUE - timedelta(hours=3, minutes=59))["due_soon"] == 1
    assert recipients(NoticeKind.DUE_SOON, referral=referral) == usernames(*managers)
    assert recipients(NoticeKind.DUE_SOON, EMAIL) == usernames(*managers)
    assert recipients(NoticeKind.OVERDUE) == set()


def test_overdue_is_raised_at_the_due_time_not_a_second_before(managers):
    referral = referral_due()

    assert scan(DUE - timedelta(seconds=1))["overdue"] == 0
    assert recipients(NoticeKind.OVERDUE) == set()

    assert scan(DUE)["overdue"] == 1
    assert recipients(NoticeKind.OVERDUE, referral=referral) == usernames(*managers)
    assert recipients(NoticeKind.OVERDUE, EMAIL) == usernames(*managers)


def test_escalation_goes_to_the_head_of_service_after_the_further_period(managers, settings):
    head = UserFactory(role=Role.AUDITOR, username="head-of-service")
    settings.HEAD_OF_SERVICE_USERNAMES = [head.username]
    referral_due()
    later = DUE + settings.ESCALATE_AFTER

    assert scan(later - timedelta(seconds=1))["escalation"] == 0
    assert recipients(NoticeKind.OVERDUE) == usernames(*managers)  # the head is not told yet

    assert scan(later)["escalation"] == 1
    assert recipients(NoticeKind.ESCALATION) == usernames(head)
    assert recipients(NoticeKind.ESCALATION, EMAIL) == usernames(head)


def test_without_a_head_of_service_the_escalation_goes_to_the_managers(managers, settings):
    settings.HEAD_OF_SERVICE_USERNAMES = []
    referral_due()

    assert scan(DUE + settings.ESCALATE_AFTER)["escalation"] == 1
    assert recipients(NoticeKind.ESCALATION) == usernames(*managers)


def test_an_overdue_information_request_goes_to_that_partner_agencys_users_only(managers):
    asked = AgencyFactory(name="Test Health Visiting")
    partners = [UserFactory(role=Role.PARTNER, agency=asked) for _ in range(2)]
    UserFactory(role=Role.PARTNER, agency=AgencyFactory(name="Another Agency"))
    UserFactory(role=Role.REFERRER, agency=asked)  # same agency, but not a partner user
    request = InformationRequestFactory(
        agency=asked, requested_at=DUE - timedelta(hours=4), due_at=DUE
    )

    assert scan(DUE - timedelta(seconds=1))["information_request_overdue"] == 0
    assert scan(DUE)["information_request_overdue"] == 1

    event = NoticeEvent.objects.get(kind=NoticeKind.INFORMATION_REQUEST_OVERDUE)
    assert event.key == f"information_request_overdue:{request.pk}"
    assert recipients(NoticeKind.INFORMATION_REQUEST_OVERDUE) == usernames(*partners)
    assert recipients(NoticeKind.INFORMATION_REQUEST_OVERDUE, EMAIL) == usernames(*partners)


def test_an_answered_information_request_is_not_chased():
    asked = AgencyFactory(name="Test Health Visiting")
    UserFactory(role=Role.PARTNER, agency=asked)
    InformationRequestFactory(
        agency=asked,
        requested_at=DUE - timedelta(hours=4),
        due_at=DUE,
        answer="Known to us; no concerns.",
        answered_at=DUE - timedelta(hours=1),
        answered_by=UserFactory(role=Role.PARTNER, agency=asked),
    )

    assert scan(DUE + timedelta(hours=1))["information_request_overdue"] == 0


def test_a_scan_run_twice_raises_nothing_new(managers, settings):
    settings.HEAD_OF_SERVICE_USERNAMES = [UserFactory(role=Role.AUDITOR).username]
    now = DUE + timedelta(hours=5)
    referral_due(now - timedelta(hours=5))  # overdue and escalated
    referral_due(now - timedelta(minutes=10))  # overdue
    referral_due(now + timedelta(hours=1))  # due soon
    InformationRequestFactory(
        requested_at=now - timedelta(hours=5), due_at=now - timedelta(hours=1)
    )

    first = scan(now)
    events, rows = NoticeEvent.objects.count(), Notification.objects.count()
    second = scan(now)

    assert first == {
        "due_soon": 1,
        "overdue": 2,
        "escalation": 1,
        "information_request_overdue": 1,
        "challenge_stage_overdue": 0,
        **NO_DISCUSSION_NOTICES,
    }
    assert second == {
        "due_soon": 0,
        "overdue": 0,
        "escalation": 0,
        "information_request_overdue": 0,
        "challenge_stage_overdue": 0,
        **NO_DISCUSSION_NOTICES,
    }
    assert (NoticeEvent.objects.count(), Notification.objects.count()) == (events, rows)


def test_a_notice_raised_again_with_the_same_key_is_not_written_again(managers):
    referral = referral_due()
    arguments = {
        "key": f"overdue:{referral.pk}",
        "kind": NoticeKind.OVERDUE,
        "recipients": managers,
        "reference": referral.reference,
        "referral_id": referral.pk,
        "due": DUE,
        "link": "http://testserver/",
    }

    assert raise_notice(**arguments) is not None
    assert raise_notice(**arguments) is None
    assert Notification.objects.count() == 2 * len(managers)


def test_the_scan_asks_whether_each_open_referral_was_told_a_row_at_a_time():
    """Never NOT EXISTS: PostgreSQL turns that into an anti-join, and hashed every notice
    of the kind in the history (the steady-state scan grew with it). A scalar subquery
    with LIMIT 1 it runs once a row the due-time index finds, by the (kind, referral)
    index."""
    from triage.services.notices import _not_yet, _open_referrals

    sql = str(_open_referrals().filter(_not_yet(NoticeKind.OVERDUE)).query).upper()

    assert "EXISTS" not in sql
    assert "LIMIT 1) IS NULL" in sql


def test_a_decided_referral_gets_no_overdue_notice(managers):
    DecisionFactory(referral=referral_due())

    counts = scan(DUE + timedelta(hours=10))

    assert counts == {
        "due_soon": 0,
        "overdue": 0,
        "escalation": 0,
        "information_request_overdue": 0,
        "challenge_stage_overdue": 0,
        **NO_DISCUSSION_NOTICES,
    }
    assert Notification.objects.count() == 0


def test_deactivated_managers_are_not_told(managers):
    gone = UserFactory(role=Role.MANAGER, is_active=False)
    referral_due()

    scan(DUE)

    assert gone.username not in recipients(NoticeKind.OVERDUE)
    assert recipients(NoticeKind.OVERDUE) == usernames(*managers)


def test_a_manager_added_later_is_told_of_later_notices_only(managers):
    first = referral_due(DUE)
    second = referral_due(DUE + timedelta(hours=2))
    scan(DUE)
    newcomer = UserFactory(role=Role.MANAGER)

    scan(DUE + timedelta(hours=2))

    assert recipients(NoticeKind.OVERDUE, referral=first) == usernames(*managers)
    assert recipients(NoticeKind.OVERDUE, referral=second) == usernames(*managers, newcomer)


def test_a_person_without_an_email_address_is_told_in_the_inbox_only(managers):
    no_email = UserFactory(role=Role.MANAGER, email="")
    referral_due()

    scan(DUE)

    assert no_email.username in recipients(NoticeKind.OVERDUE, INBOX)
    assert no_email.username not in recipients(NoticeKind.OVERDUE, EMAIL)


def test_the_scan_records_its_heartbeat_for_health():
    from notices.models import Heartbeat

    scan(DUE)

    assert Heartbeat.objects.get(name="scan").last_run_at == DUE
