"""Every inbox item links to the thing it is about, on a page its recipient may open: a
referrer's acknowledgement and feedback to their referral, a partner's request to the
request, a manager's clock alert to the screening page, a challenge to the challenge, a
discussion to the discussion. Each notice is raised by the service that raises it."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import resolve

from agencies.census import AgencyType
from agencies.changes import SignInChange, tell_owner
from agencies.models import Role
from notices import receivers
from notices import services as notices
from notices.models import EMAIL_ONLY_KINDS, NoticeKind, Notification
from notices.services import inbox_link
from referrals.models import Outcome
from referrals.services import acknowledge
from tests.factories import (
    AgencyFactory,
    DiscussionActionFactory,
    ReferralFactory,
    StrategyDiscussionFactory,
    UserFactory,
)
from triage.services import challenges
from triage.services.decisions import amend_decision, decide
from triage.services.information import send_information_request
from triage.services.notices import scan_clocks

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)

# The page each kind opens, and which of the notice's ids that page is about.
EXPECTED = {
    NoticeKind.ACKNOWLEDGEMENT: ("referrals:detail", "referral_id"),
    NoticeKind.FEEDBACK: ("referrals:detail", "referral_id"),
    NoticeKind.FEEDBACK_AMENDED: ("referrals:detail", "referral_id"),
    NoticeKind.DUE_SOON: ("triage:referral", "referral_id"),
    NoticeKind.OVERDUE: ("triage:referral", "referral_id"),
    NoticeKind.ESCALATION: ("triage:referral", "referral_id"),
    NoticeKind.INFORMATION_REQUEST: ("requests:detail", "information_request_id"),
    NoticeKind.INFORMATION_REQUEST_OVERDUE: ("requests:detail", "information_request_id"),
    NoticeKind.CHALLENGE_RAISED: ("challenges:detail", "challenge_id"),
    NoticeKind.CHALLENGE_ESCALATED: ("challenges:detail", "challenge_id"),
    NoticeKind.CHALLENGE_REPLY: ("challenges:detail", "challenge_id"),
    NoticeKind.CHALLENGE_STAGE_OVERDUE: ("challenges:detail", "challenge_id"),
    NoticeKind.CHALLENGE_RESOLVED: ("challenges:detail", "challenge_id"),
    NoticeKind.MINUTES_OVERDUE: ("strategy:detail", "discussion_id"),
    NoticeKind.ACTION_OVERDUE: ("strategy:detail", "discussion_id"),
    NoticeKind.CHILD_SEEN_DUE_SOON: ("strategy:detail", "discussion_id"),
    NoticeKind.CHILD_SEEN_MISSED: ("strategy:detail", "discussion_id"),
    # A closed record opened with a reason: the auditors' alerts, about no one object.
    NoticeKind.BREAK_GLASS: ("oversight:access-log", None),
    # A change to the recipient's own sign-in details: their account page.
    NoticeKind.PASSWORD_CHANGED: ("account", None),
    NoticeKind.PASSWORD_CHANGED_BY_ADMIN: ("account", None),
    NoticeKind.TWO_STEP_SET_UP: ("account", None),
    NoticeKind.TWO_STEP_RESET: ("account", None),
    NoticeKind.TWO_STEP_CODE_REUSED: ("account", None),
    NoticeKind.SECURITY_KEY_ADDED: ("account", None),
    NoticeKind.SECURITY_KEY_REMOVED: ("account", None),
    NoticeKind.API_TOKEN_ISSUED: ("account", None),
    NoticeKind.NEW_BROWSER_SIGN_IN: ("account", None),
    NoticeKind.EMAIL_CHANGED: ("account", None),
    # To the administrators: a sign-in locked; the admin's access attempts.
    NoticeKind.SIGN_IN_LOCKED: ("admin:axes_accessattempt_changelist", None),
    # Requests refused for their rate: the account in the admin; the account's access log
    # that day.
    NoticeKind.RATE_LIMITED: ("admin:agencies_user_change", None),
    NoticeKind.RATE_LIMITED_AUDIT: ("oversight:access-log", None),
    # Many accesses refused to one account: the same two pages.
    NoticeKind.REFUSED_OFTEN: ("admin:agencies_user_change", None),
    NoticeKind.REFUSED_OFTEN_AUDIT: ("oversight:access-log", None),
    # An email failed for good: the administrators' list of failed emails.
    NoticeKind.EMAIL_FAILED: ("admin:notices_notification_changelist", None),
}
URL_PARAM = {
    "account": None,
    "referrals:detail": "referral_id",
    "triage:referral": "referral_id",
    "requests:detail": "request_id",
    "challenges:detail": "challenge_id",
    "strategy:detail": "discussion_id",
    "oversight:access-log": None,
    "admin:axes_accessattempt_changelist": None,
    "admin:agencies_user_change": None,
    "admin:notices_notification_changelist": None,
}
RATIONALE = "Three referrals for neglect this year; early help did not change the children's day."


@pytest.fixture
def every_kind_of_notice():
    """One life of a referral that raises a notice of every kind."""
    health = AgencyFactory(name="Links Health Visiting", type=AgencyType.HEALTH_VISITING)
    school = AgencyFactory(name="Links Primary", type=AgencyType.SCHOOL)
    teacher = UserFactory(role=Role.REFERRER, agency=school)
    UserFactory(role=Role.PARTNER, agency=health)  # the health visitors asked
    screener = UserFactory(role=Role.SCREENER)
    manager = UserFactory(role=Role.MANAGER)
    with time_machine.travel(T0, tick=False):
        referral = ReferralFactory(referrer=teacher)
        acknowledge(referral)
        send_information_request(
            referral_id=referral.pk, by=screener, agency_id=health.pk, question="What do you know?",
            due_at=T0 + timedelta(hours=4),
        )  # fmt: skip
        late = StrategyDiscussionFactory(
            referral=referral, convened_by=manager, minutes_due_at=T0 + timedelta(hours=1),
            see_child_by=T0 + timedelta(hours=2),
        )  # fmt: skip
        StrategyDiscussionFactory(
            referral=referral, convened_by=manager, see_child_by=T0 + timedelta(hours=23)
        )
        DiscussionActionFactory(
            discussion=late, owner_user=screener, due_at=T0 + timedelta(hours=1)
        )
    with time_machine.travel(T0 + timedelta(hours=21), tick=False):
        scan_clocks()  # due soon; request, minutes, action overdue; one child not seen
    with time_machine.travel(T0 + timedelta(hours=29), tick=False):
        scan_clocks()  # overdue, escalated; the other child soon to be seen
        decide(
            referral_id=referral.pk, by=manager, outcome=Outcome.EARLY_HELP, threshold_level=2,
            rationale=RATIONALE, feedback="The family will be offered early help.",
            late_reason="The police check came back late.",
            proceed_reason="The police need an answer before the end of the day.",
        )  # fmt: skip
        amend_decision(
            decision_id=referral.decision.pk, by=manager, outcome=Outcome.ASSESSMENT_S17,
            threshold_level=3, rationale=RATIONALE, reason="New information from the police.",
            feedback="A social worker will assess the children's needs.",
        )  # fmt: skip
        challenge = challenges.raise_challenge(
            referral_id=referral.pk, by=teacher, reason="The child is still hungry every day."
        )
        challenges.reply(challenge_id=challenge.pk, by=teacher, text="More from the school today.")
        challenges.escalate(challenge_id=challenge.pk, by=manager, reason="Needs a second view.")
    with time_machine.travel(T0 + timedelta(days=30), tick=False):
        scan_clocks()  # the challenge's stage overdue
        challenges.resolve(
            challenge_id=challenge.pk, by=manager, resolution="not_upheld",
            reasons="The assessment already covers what the school describes.",
        )  # fmt: skip
    UserFactory(role=Role.AUDITOR)
    with time_machine.travel(T0 + timedelta(days=40), tick=False):
        # Closed now: a screener opens it with a reason, and the auditors are alerted.
        client = Client()
        client.force_login(screener)
        client.post(
            f"/triage/referrals/{referral.pk}/break-glass/",
            {"reason": "A new call about the family this morning."},
        )
        # And the people's own sign-in details change (each raised by its own service
        # in tests/notices/test_sign_in_change_notices.py).
        for change in SignInChange:
            tell_owner(user=manager, change=change, key=f"links:{change}")
        # And a sign-in locked, told to the administrators (raised by django-axes's
        # signal in tests/notices/test_lockout_alerts.py).
        UserFactory(role=Role.ADMIN)
        receivers.alert_administrators(
            sender=None, request=None, username=manager.username, ip_address="203.0.113.66"
        )
        # And a person's pages refused for their rate, told to the administrators and the
        # auditors (raised by the throttles in tests/notices/test_rate_alerts.py).
        receivers.alert_rate_refused(
            sender=None,
            user_id=screener.pk,
            via="pages",
            address="203.0.113.66",
            at=T0 + timedelta(days=40),
            window=1,
        )
        # And many accesses refused to that screener, told to the administrators and the
        # auditors (raised by the refusals counted in tests/notices/test_refusal_alerts.py).
        receivers.alert_refused_often(
            sender=None, user_id=screener.pk, count=20, minutes=10, at=T0 + timedelta(days=40),
            moment=1,
        )  # fmt: skip
        # And an email failed for good, told to the administrators (raised by delivery in
        # tests/notices/test_failed_email_alerts.py).
        notices.tell_administrators_email_failed(
            notification=Notification.objects.filter(channel=Notification.Channel.EMAIL)
            .select_related("event")
            .first(),
            at=T0 + timedelta(days=40),
        )
    return Notification.objects.filter(channel=Notification.Channel.INBOX).select_related(
        "event", "recipient"
    )


def test_the_life_of_a_referral_raises_every_kind_of_notice(every_kind_of_notice):
    # Every kind but those sent by email alone (no inbox notice, so no inbox link).
    assert {n.kind for n in every_kind_of_notice} == set(NoticeKind.values) - EMAIL_ONLY_KINDS
    assert set(EXPECTED) == set(NoticeKind.values) - EMAIL_ONLY_KINDS
    assert Notification.objects.filter(kind__in=EMAIL_ONLY_KINDS, channel="email").exists()


def test_each_notice_links_to_the_page_about_its_object_for_its_recipient(every_kind_of_notice):
    clients: dict[int, Client] = {}
    wrong = []
    for notice in every_kind_of_notice:
        client = clients.get(notice.recipient_id)
        if client is None:
            client = clients[notice.recipient_id] = Client()
            client.force_login(notice.recipient)
        page, about = EXPECTED[NoticeKind(notice.kind)]
        path = inbox_link(notice)
        match = resolve(path.split("?")[0])
        status = client.get(path).status_code
        param = URL_PARAM[match.view_name]
        got = (match.view_name, match.kwargs.get(param) if param else None, status)
        want = (page, getattr(notice.event, about) if about else None, 200)
        if got != want:
            wrong.append((notice.kind, notice.recipient.role, got, want))

    assert wrong == []


def test_the_inbox_links_each_notice_by_its_path_with_words_saying_what_it_opens(
    every_kind_of_notice,
):
    teacher = every_kind_of_notice.get(kind=NoticeKind.ACKNOWLEDGEMENT).recipient
    referral_id = every_kind_of_notice.get(kind=NoticeKind.ACKNOWLEDGEMENT).event.referral_id
    client = Client()
    client.force_login(teacher)

    html = client.get("/inbox/").content.decode()

    assert f'href="/referrals/{referral_id}/" data-testid="notice-link">View your referral' in html
    assert f'href="/referrals/{referral_id}/" data-testid="notice-link">Read the decision' in html
    assert "Read the amended decision" in html
    assert "Read the outcome of the challenge" in html


def test_the_unread_count_counts_only_this_persons_unread_inbox_notices(make_user):
    """notices.services.unread_count (its statement compiled once) counts what the ORM's
    count of inbox_for(user) unread counts: not read ones, not emails, not anyone else's;
    and the header shows it."""
    from django.utils import timezone

    from notices.services import inbox_for, unread_count
    from tests.factories import NotificationFactory

    screener, other = make_user("screener"), make_user("screener")
    assert unread_count(screener) == 0
    NotificationFactory.create_batch(3, recipient=screener)
    NotificationFactory(recipient=screener, read_at=timezone.now())
    NotificationFactory(recipient=screener, channel=Notification.Channel.EMAIL)
    NotificationFactory.create_batch(2, recipient=other)

    assert unread_count(screener) == 3 == inbox_for(screener).filter(read_at__isnull=True).count()
    assert unread_count(other) == 2
    client = Client()
    client.force_login(screener)
    page = client.get("/").content.decode()
    assert '<strong class="govuk-tag govuk-tag--blue" data-testid="unread-count">3 unread' in page
