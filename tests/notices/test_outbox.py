"""The notification outbox: who is told what and when, delivery exactly once, and what
an email may carry. Celery tasks run in this process here (tests/conftest.py); the
tests with real workers and a real broker are in test_outbox_reliability.py."""

from datetime import date, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import Role
from notices import delivery
from notices.delivery import DeliveryFailed, claim, deliver
from notices.mail import NoticeFileBackend
from notices.models import (
    ACCOUNT_KINDS,
    ADMINISTRATOR_KINDS,
    NoticeEvent,
    NoticeKind,
    Notification,
)
from notices.services import raise_notice
from notices.tasks import dispatch, sweep
from referrals.models import Channel
from referrals.services import acknowledge, submit_referrals
from tests.clients import client_for
from tests.factories import (
    AgencyFactory,
    DecisionFactory,
    DiscussionActionFactory,
    InformationRequestFactory,
    ReferralFactory,
    StrategyDiscussionFactory,
    UserFactory,
)
from triage.services import challenges
from triage.services.decisions import amend_decision, decide
from triage.services.notices import information_requested, scan_clocks

pytestmark = pytest.mark.django_db

DUE = datetime.fromisoformat("2026-03-10T12:00:00+00:00")
# What a scan reports about strategy discussions when there are none.
NO_DISCUSSION_NOTICES = dict.fromkeys(
    ("minutes_overdue", "child_seen_due_soon", "child_seen_missed", "action_overdue"), 0
)
EMAIL = Notification.Channel.EMAIL
INBOX = Notification.Channel.INBOX

# Distinctive, synthetic details that must never reach an email.
CHILD_FIRST = "Zephyrine"
CHILD_LAST = "Quillfeather"
CHILD_BORN = date(2017, 11, 23)
WORRY = "Unexplained burns on both hands noticed during swimming."
BORN_SPELLINGS = ["2017-11-23", "23/11/2017", "23 Nov", "23 November", "23.11.2017", "11/23/2017"]


def referral_due(at: datetime = DUE, **kwargs):
    return ReferralFactory(received_at=at - timedelta(hours=24), decision_due_at=at, **kwargs)


def scan(at: datetime, capture=None) -> dict:
    with time_machine.travel(at, tick=False):
        if capture is None:
            return scan_clocks()
        with capture(execute=True):
            return scan_clocks()


def recipients(kind: NoticeKind, channel=INBOX, referral=None) -> set:
    rows = Notification.objects.filter(kind=kind, channel=channel)
    if referral is not None:
        rows = rows.filter(event__referral_id=referral.pk)
    return set(rows.values_list("recipient__username", flat=True))


def usernames(*users) -> set:
    return {u.username for u in users}


@pytest.fixture
def managers():
    return [UserFactory(role=Role.MANAGER), UserFactory(role=Role.MANAGER)]


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
    _assert_no_case_details(mailoutbox[0].message().as_string())


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


# --- What an email may say ------------------------------------------------------------


def _private_referral(referrer):
    return referral_due(
        referrer=referrer,
        child_first_name=CHILD_FIRST,
        child_last_name=CHILD_LAST,
        child_date_of_birth=CHILD_BORN,
        worry=WORRY,
    )


def _assert_no_case_details(text: str) -> None:
    for secret in [CHILD_FIRST, CHILD_LAST, WORRY, *BORN_SPELLINGS]:
        assert secret.lower() not in text.lower(), f"an email carries {secret!r}"


def _every_kind_of_notice(django_capture_on_commit_callbacks, settings):
    """Raise one notice of every kind about one referral; return it."""
    referrer = UserFactory(role=Role.REFERRER)
    manager = UserFactory(role=Role.MANAGER)
    head = UserFactory(role=Role.AUDITOR)
    settings.HEAD_OF_SERVICE_USERNAMES = [head.username]
    partner = UserFactory(role=Role.PARTNER)
    referral = _private_referral(referrer)
    request = InformationRequestFactory(
        referral=referral, agency=partner.agency, requested_at=DUE - timedelta(hours=5), due_at=DUE
    )
    # A strategy discussion whose minutes and action are late and whose child is due to
    # be seen half an hour after the first scan, and not seen by the second.
    discussion = StrategyDiscussionFactory(
        referral=referral,
        convened_by=manager,
        held_at=DUE - timedelta(days=3),
        minutes_due_at=DUE - timedelta(days=2),
        see_child_by=DUE - timedelta(minutes=30),
    )
    DiscussionActionFactory(
        discussion=discussion, owner_user=manager, due_at=DUE - timedelta(hours=2)
    )
    with django_capture_on_commit_callbacks(execute=True):
        acknowledge(referral)
        information_requested(request)
    scan(DUE - timedelta(hours=1), django_capture_on_commit_callbacks)
    scan(DUE + settings.ESCALATE_AFTER, django_capture_on_commit_callbacks)
    with (
        time_machine.travel(DUE + settings.ESCALATE_AFTER, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        decide(
            referral_id=referral.pk,
            by=manager,
            outcome="early_help",
            threshold_level=2,
            rationale="Emerging needs only; the school's family worker will offer support.",
            feedback="The school's family worker will offer the family support.",
            proceed_reason="Not screened, but the police need an answer tonight.",
            lived_experience_impact=WORRY,
            late_reason="The team was at a strategy meeting all afternoon.",
        )
        amend_decision(
            decision_id=referral.decision.pk,
            by=manager,
            outcome="s17",
            threshold_level=3,
            rationale=f"New information from the police changes the picture: {WORRY}",
            reason=f"Police shared: {WORRY}",
            feedback="A social worker will assess the family's needs.",
        )
        challenge = challenges.raise_challenge(
            referral_id=referral.pk, by=referrer, reason=f"We still think so: {WORRY}"
        )
        challenges.reply(challenge_id=challenge.pk, by=referrer, text=f"Also: {WORRY}")
        challenges.escalate(challenge_id=challenge.pk, by=manager, reason=f"Not agreed: {WORRY}")
    scan(DUE + timedelta(days=30), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        challenges.resolve(
            challenge_id=challenge.pk, by=manager, resolution="upheld", reasons=f"Yes: {WORRY}"
        )
    with (
        time_machine.travel(DUE + timedelta(days=45), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        # Closed by now: a screener opens it with a reason, and the auditors are alerted.
        screener = Client()
        screener.force_login(UserFactory(role=Role.SCREENER))
        screener.post(
            f"/triage/referrals/{referral.pk}/break-glass/",
            {"reason": f"A new call about the family: {WORRY}"},
        )
    # Every kind about a referral (those about a person's own account are in
    # tests/notices/test_sign_in_change_notices.py, the administrators' in
    # tests/notices/test_lockout_alerts.py).
    assert set(Notification.objects.values_list("kind", flat=True)) == (
        set(NoticeKind.values) - ACCOUNT_KINDS - ADMINISTRATOR_KINDS
    )
    assert not Notification.objects.exclude(status=Notification.Status.SENT).exists()
    return referral


def test_emails_carry_the_reference_and_a_link_but_no_case_details(
    django_capture_on_commit_callbacks, mailoutbox, settings
):
    referral = _every_kind_of_notice(django_capture_on_commit_callbacks, settings)

    assert len(mailoutbox) == Notification.objects.filter(channel=EMAIL).count() == 18
    for message in mailoutbox:
        assert referral.reference in message.subject
        assert referral.reference in message.body
        assert settings.BASE_URL + "/" in message.body
        _assert_no_case_details(message.message().as_string())
    for notice in Notification.objects.all():  # the inbox says no more than the email
        _assert_no_case_details(f"{notice.subject} {notice.body} {notice.link}")


def test_email_files_carry_the_reference_and_a_link_but_no_case_details(
    django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.EMAIL_BACKEND = "notices.mail.NoticeFileBackend"
    settings.EMAIL_FILE_PATH = tmp_path

    referral = _every_kind_of_notice(django_capture_on_commit_callbacks, settings)

    files = sorted(tmp_path.iterdir())
    assert len(files) == Notification.objects.filter(channel=EMAIL).count() == 18
    for path in files:
        text = path.read_text()
        assert referral.reference in text
        assert settings.BASE_URL + "/" in text
        _assert_no_case_details(text)


# --- Delivery -------------------------------------------------------------------------


def _pending_email() -> Notification:
    """An overdue notice to a new manager, raised just now, its email not yet handed to a
    worker (the test's transaction never commits)."""
    manager = UserFactory(role=Role.MANAGER)
    referral = referral_due(timezone.now() - timedelta(minutes=1))
    scan_clocks()
    return Notification.objects.get(
        channel=EMAIL, recipient=manager, event__referral_id=referral.pk
    )


def test_delivering_the_same_notice_twice_sends_it_once(mailoutbox):
    notice = _pending_email()

    assert deliver(notice.pk) is True
    assert deliver(notice.pk) is False

    assert len(mailoutbox) == 1
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Notification.Status.SENT, 1)
    assert notice.sent_at is not None


def test_a_duplicate_task_for_a_sent_notice_sends_nothing(mailoutbox):
    notice = _pending_email()

    dispatch([notice.pk, notice.pk, notice.pk])

    assert len(mailoutbox) == 1


def test_only_one_claim_on_a_notice_succeeds():
    notice = _pending_email()
    now = timezone.now()

    assert claim(notice.pk, now=now) is True
    assert claim(notice.pk, now=now) is False


def test_a_claim_held_past_its_lease_can_be_taken_over(settings):
    notice = _pending_email()
    now = timezone.now()
    claim(notice.pk, now=now)

    assert claim(notice.pk, now=now + settings.NOTICE_CLAIM_LEASE - timedelta(seconds=1)) is False
    assert claim(notice.pk, now=now + settings.NOTICE_CLAIM_LEASE + timedelta(seconds=1)) is True
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Notification.Status.SENDING, 2)


def test_a_sent_notice_cannot_be_claimed_even_long_after(settings, mailoutbox):
    notice = _pending_email()
    deliver(notice.pk)

    assert claim(notice.pk, now=timezone.now() + settings.NOTICE_CLAIM_LEASE * 10) is False


def test_a_failing_mail_server_leaves_the_notice_pending_with_its_error(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.notices.outbox_harness.FailingBackend"
    notice = _pending_email()

    with pytest.raises(DeliveryFailed):
        deliver(notice.pk)

    notice.refresh_from_db()
    assert notice.status == Notification.Status.PENDING
    assert notice.attempts == 1
    assert "SMTPServerDisconnected" in notice.last_error
    assert mailoutbox == []


def test_a_notice_fails_after_the_maximum_attempts(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.notices.outbox_harness.FailingBackend"
    settings.NOTICE_MAX_ATTEMPTS = 3
    notice = _pending_email()

    for _ in range(2):
        with pytest.raises(DeliveryFailed):
            deliver(notice.pk)
    assert deliver(notice.pk) is False  # the last attempt: marked failed, no more retries

    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Notification.Status.FAILED, 3)
    assert "SMTPServerDisconnected" in notice.last_error
    assert deliver(notice.pk) is False  # a failed notice is left for an operator
    notice.refresh_from_db()
    assert notice.attempts == 3


def test_the_delivery_task_retries_until_the_notice_fails(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.notices.outbox_harness.FailingBackend"
    settings.NOTICE_MAX_ATTEMPTS = 3
    notice = _pending_email()

    dispatch([notice.pk])  # eager here: the task's retries run one after another

    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Notification.Status.FAILED, 3)


def test_a_recovered_mail_server_sends_a_notice_that_failed_once(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.notices.outbox_harness.FailingBackend"
    notice = _pending_email()
    with pytest.raises(DeliveryFailed):
        deliver(notice.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    assert deliver(notice.pk) is True

    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.last_error) == ("sent", 2, "")
    assert len(mailoutbox) == 1


def test_a_notice_to_someone_deactivated_since_is_not_sent(mailoutbox):
    notice = _pending_email()
    notice.recipient.is_active = False
    notice.recipient.save()

    assert deliver(notice.pk) is False

    notice.refresh_from_db()
    assert notice.status == Notification.Status.FAILED
    assert mailoutbox == []


def test_the_sweeper_dispatches_pending_emails_older_than_a_minute(mailoutbox):
    notice = _pending_email()

    assert sweep(now=notice.created_at + timedelta(seconds=59)) == 0
    assert mailoutbox == []

    assert sweep(now=notice.created_at + timedelta(seconds=61)) == 1
    assert len(mailoutbox) == 1
    assert sweep(now=notice.created_at + timedelta(seconds=120)) == 0  # sent: left alone


def test_the_sweeper_takes_over_a_claim_whose_worker_died(settings, mailoutbox):
    notice = _pending_email()
    claim(notice.pk, now=timezone.now() - settings.NOTICE_CLAIM_LEASE - timedelta(seconds=1))

    assert sweep() == 1

    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Notification.Status.SENT, 2)
    assert len(mailoutbox) == 1


def test_the_sweeper_leaves_a_notice_waiting_for_its_retry_alone(settings, mailoutbox):
    # A failed attempt is retried by its task with back-off: were the sweeper to send it
    # again every minute, a mail server down for a few minutes would use up every attempt
    # and leave overdue alerts failed for good.
    settings.EMAIL_BACKEND = "tests.notices.outbox_harness.FailingBackend"
    notice = _pending_email()
    with pytest.raises(DeliveryFailed):
        deliver(notice.pk)
    notice.refresh_from_db()

    assert sweep(now=notice.claimed_at + timedelta(minutes=5)) == 0
    notice.refresh_from_db()
    assert notice.attempts == 1


def test_the_sweeper_dispatches_a_failed_attempt_whose_retry_never_came(mailoutbox):
    notice = _pending_email()
    Notification.objects.filter(pk=notice.pk).update(
        attempts=1, claimed_at=timezone.now(), last_error="SMTPServerDisconnected"
    )
    retry_overdue = timezone.now() + delivery.RETRY_BACKOFF_MAX + timedelta(seconds=61)

    assert sweep(now=retry_overdue) == 1

    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Notification.Status.SENT, 2)
    assert len(mailoutbox) == 1


def test_the_sweeper_leaves_a_live_claim_alone(mailoutbox):
    notice = _pending_email()
    claim(notice.pk, now=timezone.now() - timedelta(seconds=5))

    assert sweep() == 0
    assert mailoutbox == []


# --- The notices command ----------------------------------------------------------------


def test_the_notices_command_lists_stuck_and_failed_notices_without_names(settings):
    settings.EMAIL_BACKEND = "tests.notices.outbox_harness.FailingBackend"
    settings.NOTICE_MAX_ATTEMPTS = 1
    failed = _pending_email()
    deliver(failed.pk)
    stuck = _pending_email()
    Notification.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - timedelta(minutes=20)
    )
    fresh = _pending_email()
    out = StringIO()

    call_command("notices", stdout=out)

    lines = out.getvalue().splitlines()
    assert [line.split("\t")[:2] for line in lines] == [
        [str(stuck.pk), "pending"],  # oldest first
        [str(failed.pk), "failed"],
    ]
    assert str(fresh.pk) not in [line.split("\t")[0] for line in lines]
    for user in (failed.recipient, stuck.recipient):
        for private in (user.username, user.email, user.first_name, user.last_name):
            assert private not in out.getvalue()
    _assert_no_case_details(out.getvalue())


def test_the_notices_command_retries_stuck_and_failed_notices(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.notices.outbox_harness.FailingBackend"
    settings.NOTICE_MAX_ATTEMPTS = 1
    failed = _pending_email()
    deliver(failed.pk)
    stuck = _pending_email()
    Notification.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - timedelta(minutes=20)
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    out = StringIO()

    call_command("notices", "--retry", stdout=out)

    assert "2 notice(s) dispatched again." in out.getvalue()
    for notice in (failed, stuck):
        notice.refresh_from_db()
        assert (notice.status, notice.attempts) == (Notification.Status.SENT, 1)
    assert len(mailoutbox) == 2


def test_the_notices_command_says_when_nothing_is_stuck():
    out = StringIO()

    call_command("notices", stdout=out)

    assert out.getvalue().strip() == "No stuck or failed notices."


# --- The inbox and the notifications API ----------------------------------------------


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


# --- The file backend -------------------------------------------------------------------


def _message(notice_id: str):
    from django.core.mail import EmailMessage

    from notices.mail import NOTICE_HEADER

    return EmailMessage(
        subject="Front Door: test",
        body="Referral FD-2026-000001.",
        to=["someone@example.invalid"],
        headers={NOTICE_HEADER: notice_id},
    )


def test_the_file_backend_writes_one_file_per_notice(tmp_path):
    backend = NoticeFileBackend(file_path=str(tmp_path))

    assert backend.send_messages([_message("overdue:1-7"), _message("overdue:2-7")]) == 2

    assert sorted(p.name for p in tmp_path.iterdir()) == ["overdue_1-7.eml", "overdue_2-7.eml"]


def test_the_file_backend_rewrites_a_notice_sent_again_as_one_file(tmp_path):
    backend = NoticeFileBackend(file_path=str(tmp_path))

    backend.send_messages([_message("overdue:1-7")])
    backend.send_messages([_message("overdue:1-7")])

    assert [p.name for p in tmp_path.iterdir()] == ["overdue_1-7.eml"]
    assert "Referral FD-2026-000001." in (tmp_path / "overdue_1-7.eml").read_text()


def test_the_notices_command_leaves_alone_a_notice_a_live_worker_is_sending(managers):
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    from notices.models import Notification

    referral_due()
    scan(DUE)
    email = Notification.objects.filter(channel="email").first()
    Notification.objects.filter(pk=email.pk).update(
        status="sending", claimed_at=timezone.now(), created_at=timezone.now() - timedelta(hours=1)
    )
    out = StringIO()

    call_command("notices", "--retry", stdout=out)

    email.refresh_from_db()
    assert email.status == "sending"
    assert f"{email.pk}\t" not in out.getvalue()
