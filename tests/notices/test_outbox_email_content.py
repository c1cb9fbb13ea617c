"""What an email may say: a reference and a link, never a child's name, date of birth
or the worry, whether sent by SMTP or written to a file; and the file backend."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from agencies.models import Role
from notices.mail import NoticeFileBackend
from notices.models import ACCOUNT_KINDS, ADMINISTRATOR_KINDS, NoticeKind, Notification
from referrals.services import acknowledge
from tests.factories import (
    DiscussionActionFactory,
    InformationRequestFactory,
    StrategyDiscussionFactory,
    UserFactory,
)
from tests.notices.outbox_support import (
    CHILD_BORN,
    CHILD_FIRST,
    CHILD_LAST,
    DUE,
    EMAIL,
    WORRY,
    assert_no_case_details,
    referral_due,
    scan,
)
from triage.services import challenges
from triage.services.decisions import amend_decision, decide
from triage.services.notices import information_requested

pytestmark = pytest.mark.django_db


# --- What an email may say ------------------------------------------------------------


def _private_referral(referrer):
    return referral_due(
        referrer=referrer,
        child_first_name=CHILD_FIRST,
        child_last_name=CHILD_LAST,
        child_date_of_birth=CHILD_BORN,
        worry=WORRY,
    )


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
        assert_no_case_details(message.message().as_string())
    for notice in Notification.objects.all():  # the inbox says no more than the email
        assert_no_case_details(f"{notice.subject} {notice.body} {notice.link}")


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
        assert_no_case_details(text)


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
