"""Requests refused for their rate are alerted on (ASVS 8.1.4): a signed-in person's web
pages over FRONTDOOR_PAGE_RATE, a user's API requests over FRONTDOOR_API_RATE, and an
address's requests for a token over FRONTDOOR_TOKEN_RATE each tell every administrator
and every auditor, by inbox and email, once for each account (or address) in
FRONTDOOR_RATE_ALERT_MINUTES: the account by its id, never its name, what was refused
and the address, with a link each can open. The refusal never waits on its alert."""

import logging
import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.models import Role
from audit.models import AccessLog
from notices import receivers
from notices.models import NoticeKind, Notification
from tests.factories import PASSWORD, ApiTokenFactory, UserFactory

pytestmark = pytest.mark.django_db

AT = "2026-07-01 08:00:00+00:00"  # 09:00 in London
ADDRESS = "203.0.113.66"
KINDS = (NoticeKind.RATE_LIMITED, NoticeKind.RATE_LIMITED_AUDIT)


@pytest.fixture
def watchers():
    """Who is told (two administrators, two auditors) and who is not."""
    return {
        "admins": [UserFactory(role=Role.ADMIN), UserFactory(role=Role.ADMIN)],
        "auditors": [UserFactory(role=Role.AUDITOR), UserFactory(role=Role.AUDITOR)],
        "retired_admin": UserFactory(role=Role.ADMIN, is_active=False),
        "manager": UserFactory(role=Role.MANAGER),
    }


@pytest.fixture
def rates(settings, monkeypatch):
    """Low rates: two pages, two API requests and two token requests a minute. DRF's
    throttles read the rates into their classes once, at import."""
    from rest_framework.throttling import SimpleRateThrottle

    from frontdoor.middleware import PageRateThrottle

    low = {"user": "2/minute", "token": "2/minute", "page": "2/minute"}
    settings.REST_FRAMEWORK = dict(settings.REST_FRAMEWORK, DEFAULT_THROTTLE_RATES=low)
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", low)
    monkeypatch.setattr(PageRateThrottle, "THROTTLE_RATES", low)
    settings.RATE_ALERT_MINUTES = 15


@pytest.fixture
def delivered(django_capture_on_commit_callbacks):
    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def scraper(username="pat.scraper", **names) -> tuple[Client, object]:
    person = UserFactory(username=username, role=Role.SCREENER, **names)
    client = Client(REMOTE_ADDR=ADDRESS)
    client.force_login(person)
    return client, person


def opened(person, at: str) -> AccessLog:
    """A row of the access log: ``person`` opened a child's record at ``at`` (UTC)."""
    return AccessLog.objects.create(
        at=datetime.fromisoformat(at).replace(tzinfo=UTC),
        user_id=person.pk,
        username=person.username,
        role=person.role,
        kind=AccessLog.Kind.CHILD,
        object_id=1,
        path="/children/1/",
    )


def read_pages(client, times: int):
    return [client.get("/").status_code for _ in range(times)]


def alerts(kind=None):
    notices = Notification.objects.filter(kind__in=KINDS)
    return notices.filter(kind=kind) if kind else notices


def test_a_page_refusal_alerts_administrators_and_auditors_by_inbox_and_email(
    watchers, rates, delivered, mailoutbox
):
    client, person = scraper()
    with time_machine.travel(AT, tick=False):
        answers = delivered(lambda: read_pages(client, 3))

    assert answers == [200, 200, 429]
    admins, auditors = watchers["admins"], watchers["auditors"]
    told = alerts(NoticeKind.RATE_LIMITED)
    assert {n.recipient_id for n in told} == {a.pk for a in admins}
    assert {n.channel for n in told} == {"inbox", "email"}
    reviewing = alerts(NoticeKind.RATE_LIMITED_AUDIT)
    assert {n.recipient_id for n in reviewing} == {a.pk for a in auditors}
    assert {n.channel for n in reviewing} == {"inbox", "email"}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in admins + auditors)
    to_admin = next(m for m in mailoutbox if m.to[0] == admins[0].email)
    assert to_admin.subject == (
        f"Front Door: Requests refused for their rate: account {person.pk}, web pages, "
        f"from address {ADDRESS}"
    )
    assert "were refused, on Wed 01 Jul 2026 at 09:00" in to_admin.body
    assert f"/admin/agencies/user/{person.pk}/change/" in to_admin.body
    to_auditor = next(m for m in mailoutbox if m.to[0] == auditors[0].email)
    assert f"/audit/access-log/?account={person.pk}&from=2026-07-01&to=2026-07-01" in (
        to_auditor.body
    )


def test_the_links_open_for_those_told(watchers, rates, delivered):
    """The administrator reaches the account, where it can be made inactive; the auditor
    the access log of that account on that day, which the notice names by number only."""
    client, person = scraper()
    someone_else = UserFactory(role=Role.SCREENER)
    with time_machine.travel(AT, tick=False):
        delivered(lambda: read_pages(client, 3))
        that_day = [opened(person, "2026-07-01 07:30"), opened(person, "2026-07-01 22:59")]
    opened(person, "2026-06-30 22:59")  # 23:59 in London, the day before
    opened(person, "2026-07-01 23:00")  # midnight in London, the day after
    opened(someone_else, "2026-07-01 07:45")

    for notice in alerts().filter(channel="inbox"):
        reader = Client()
        reader.force_login(notice.recipient)
        page = reader.get(notice.link.removeprefix("http://testserver"))
        assert page.status_code == 200, (notice.kind, notice.link)
    admin_link = alerts(NoticeKind.RATE_LIMITED).first().link
    assert admin_link.endswith(f"/admin/agencies/user/{person.pk}/change/")
    audit_link = alerts(NoticeKind.RATE_LIMITED_AUDIT).first().link
    auditor = Client()
    auditor.force_login(watchers["auditors"][0])
    page = auditor.get(audit_link.removeprefix("http://testserver"))
    assert [row.entry.pk for row in page.context["rows"]] == [e.pk for e in reversed(that_day)]
    assert f"account {person.pk}" in page.content.decode()


def test_one_alert_a_window_however_many_refusals(watchers, rates, delivered):
    client, _ = scraper()
    with time_machine.travel(AT, tick=False) as clock:
        delivered(lambda: read_pages(client, 10))
        clock.shift(5 * 60)
        delivered(lambda: read_pages(client, 10))  # later in the same 15 minutes
        assert alerts().count() == 8  # 2 admins and 2 auditors, inbox and email each

        clock.shift(15 * 60)
        delivered(lambda: read_pages(client, 3))

    assert alerts().count() == 16


def test_a_process_without_the_shared_cache_alerts_no_more(watchers, rates, delivered):
    """Each web process counts on its own without FRONTDOOR_CACHE_URL: the notices' keys
    in the database still say once."""
    client, _ = scraper()
    with time_machine.travel(AT, tick=False):
        delivered(lambda: read_pages(client, 3))
        cache.clear()
        delivered(lambda: read_pages(client, 3))

    assert alerts().count() == 8


def test_a_second_person_refused_gets_an_alert_of_their_own(watchers, rates, delivered):
    first, one = scraper("pat.scraper")
    second, other = scraper("sam.scraper")
    with time_machine.travel(AT, tick=False):
        delivered(lambda: read_pages(first, 3))
        delivered(lambda: read_pages(second, 3))

    subjects = set(alerts(NoticeKind.RATE_LIMITED).values_list("subject", flat=True))
    assert subjects == {
        f"Requests refused for their rate: account {one.pk}, web pages, from address {ADDRESS}",
        f"Requests refused for their rate: account {other.pk}, web pages, from address {ADDRESS}",
    }
    assert alerts().count() == 16


def test_the_setting_turns_the_alerts_off(watchers, rates, settings, delivered):
    settings.RATE_ALERT_MINUTES = 0
    client, _ = scraper()

    answers = delivered(lambda: read_pages(client, 3))

    assert answers == [200, 200, 429]
    assert not alerts().exists()


def test_an_api_refusal_alerts_naming_the_account_and_the_api(
    watchers, rates, delivered, mailoutbox
):
    token = ApiTokenFactory(user__username="pat.scraper")
    api = APIClient(REMOTE_ADDR=ADDRESS)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.raw}")

    answers = delivered(lambda: [api.get("/api/v1/agencies/").status_code for _ in range(3)])

    assert answers == [200, 200, 429]
    reference = f"account {token.user_id}, the API, from address {ADDRESS}"
    assert {n.subject for n in alerts()} == {f"Requests refused for their rate: {reference}"}
    assert alerts(NoticeKind.RATE_LIMITED).count() == 4
    assert alerts(NoticeKind.RATE_LIMITED_AUDIT).count() == 4
    assert len(mailoutbox) == 4


def test_the_token_endpoint_refusal_alerts_naming_the_address_only(
    watchers, rates, delivered, mailoutbox
):
    UserFactory(username="pat.scraper")
    client = Client(REMOTE_ADDR=ADDRESS)

    def ask():
        return client.post(
            "/api/v1/auth/token/",
            {"username": "pat.scraper", "password": PASSWORD},
            content_type="application/json",
        ).status_code

    answers = delivered(lambda: [ask() for _ in range(4)])

    assert answers == [200, 200, 429, 429]
    assert {n.subject for n in alerts()} == {
        f"Requests refused for their rate: requests for an API token, from address {ADDRESS}"
    }
    assert alerts().count() == 8
    # No account: the administrators are sent to the sign-ins tried, from where.
    assert alerts(NoticeKind.RATE_LIMITED).first().link.endswith("/admin/axes/accessattempt/")
    # The auditors: that day's access log; no account to filter by.
    day = timezone.localdate().isoformat()
    audit_link = alerts(NoticeKind.RATE_LIMITED_AUDIT).first().link
    assert audit_link.endswith(f"/audit/access-log/?from={day}&to={day}")
    emailed = [m for m in mailoutbox if "refused for their rate" in m.subject]
    assert len(emailed) == 4
    for message in emailed:
        assert "pat.scraper" not in message.message().as_string()
        assert not re.search(r"account \d", message.body)


def test_each_address_asking_for_tokens_is_alerted_on_its_own(watchers, rates, delivered):
    def ask(address):
        return Client(REMOTE_ADDR=address).post(
            "/api/v1/auth/token/", {"username": "x", "password": "y"}, "application/json"
        )

    delivered(lambda: [ask("203.0.113.66") for _ in range(5)])
    delivered(lambda: [ask("203.0.113.67") for _ in range(5)])

    subjects = set(alerts(NoticeKind.RATE_LIMITED).values_list("subject", flat=True))
    assert subjects == {
        "Requests refused for their rate: requests for an API token, from address 203.0.113.66",
        "Requests refused for their rate: requests for an API token, from address 203.0.113.67",
    }


def test_no_name_or_username_of_the_account_is_emailed(watchers, rates, delivered, mailoutbox):
    client, _ = scraper("pat.scraper", first_name="Patricia", last_name="Scrapewell")

    delivered(lambda: read_pages(client, 3))

    assert len(mailoutbox) == 4
    for message in mailoutbox:
        text = message.message().as_string()
        for word in ("pat.scraper", "Patricia", "Scrapewell"):
            assert word not in text
    for notice in alerts():
        for word in ("pat.scraper", "Patricia", "Scrapewell"):
            assert word not in f"{notice.subject} {notice.body} {notice.link}"


@pytest.mark.parametrize("via", ["pages", "api"])
def test_an_alert_that_fails_leaves_the_refusal_and_says_so_in_the_security_log(
    watchers, rates, monkeypatch, caplog, via
):
    def broken(**kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(receivers, "raise_notice", broken)
    if via == "pages":
        client, person = scraper()
        ask = lambda: client.get("/")  # noqa: E731
    else:
        token = ApiTokenFactory()
        person = token.user
        api = APIClient(REMOTE_ADDR=ADDRESS)
        api.credentials(HTTP_AUTHORIZATION=f"Token {token.raw}")
        ask = lambda: api.get("/api/v1/agencies/")  # noqa: E731
    ask(), ask()
    with caplog.at_level(logging.ERROR, logger="frontdoor.security"):
        refused = ask()

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert (
        f"rate refusal not alerted: user={person.pk} via={via} error=RuntimeError "
        f"address={ADDRESS}" in caplog.text
    )
    assert not alerts().exists()


def test_a_receiver_that_raises_outside_its_guard_is_logged_too(
    watchers, rates, monkeypatch, caplog
):
    """agencies.rates sends the signal robustly: whatever a receiver raises, the page is
    still refused, and the failure is in the security log."""
    monkeypatch.setattr(receivers, "REFUSED_WORDS", {})
    client, person = scraper()
    read_pages(client, 2)
    with caplog.at_level(logging.ERROR, logger="frontdoor.security"):
        refused = client.get("/")

    assert refused.status_code == 429
    assert f"rate refusal not alerted: user={person.pk} via=pages error=KeyError" in caplog.text


def test_the_window_is_fifteen_minutes_unless_set():
    from django.conf import settings

    assert settings.RATE_ALERT_MINUTES == 15
