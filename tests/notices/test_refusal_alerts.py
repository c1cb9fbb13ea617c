"""Many accesses refused to one signed-in account are alerted on (ASVS 11.1.7): more
than FRONTDOOR_REFUSAL_ALERT_COUNT refusals (403, or 404 for a record outside its scope)
in a window of FRONTDOOR_REFUSAL_ALERT_MINUTES tell every administrator and every
auditor, by inbox and email, once for that account in that window: the account by its
id, never its name, with a link to the account (administrators) or to its access log
that day (auditors). Web pages and API requests count alike; rejections (400, 405) and
requests from no one signed in are not counted. The refusal never waits on its alert."""

import logging

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from agencies.models import Role
from notices import receivers
from notices.models import NoticeKind, Notification
from tests.factories import ApiTokenFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db

AT = "2026-07-01 08:00:00+00:00"  # 09:00 in London
KINDS = (NoticeKind.REFUSED_OFTEN, NoticeKind.REFUSED_OFTEN_AUDIT)
LIMIT = 3


@pytest.fixture
def watchers():
    """Who is told (two administrators, two auditors) and who is not."""
    return {
        "admins": [UserFactory(role=Role.ADMIN), UserFactory(role=Role.ADMIN)],
        "auditors": [UserFactory(role=Role.AUDITOR), UserFactory(role=Role.AUDITOR)],
        "retired_auditor": UserFactory(role=Role.AUDITOR, is_active=False),
        "manager": UserFactory(role=Role.MANAGER),
    }


@pytest.fixture(autouse=True)
def limits(settings):
    settings.REFUSAL_ALERT_COUNT = LIMIT
    settings.REFUSAL_ALERT_MINUTES = 10


@pytest.fixture
def delivered(django_capture_on_commit_callbacks):
    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


@pytest.fixture
def prober():
    """A referrer, signed in, and a referral that is not theirs (404 to them)."""
    person = UserFactory(
        username="pat.prober", first_name="Patricia", last_name="Probewell", role=Role.REFERRER
    )
    client = Client()
    client.force_login(person)
    return person, client, ReferralFactory()


def try_records(client, referral, times: int) -> list[int]:
    return [client.get(f"/referrals/{referral.pk}/").status_code for _ in range(times)]


def alerts(kind=None):
    notices = Notification.objects.filter(kind__in=KINDS)
    return notices.filter(kind=kind) if kind else notices


def test_as_many_refusals_as_the_number_alert_no_one(watchers, prober, delivered):
    _, client, theirs = prober

    with time_machine.travel(AT, tick=False):
        answers = delivered(lambda: try_records(client, theirs, LIMIT))

    assert answers == [404] * LIMIT
    assert not alerts().exists()


def test_going_over_the_number_alerts_every_administrator_and_auditor_once(
    watchers, prober, delivered, mailoutbox
):
    person, client, theirs = prober

    with time_machine.travel(AT, tick=False):
        answers = delivered(lambda: try_records(client, theirs, LIMIT + 1))

    assert answers == [404] * (LIMIT + 1)
    admins, auditors = watchers["admins"], watchers["auditors"]
    told = alerts(NoticeKind.REFUSED_OFTEN)
    assert sorted((n.recipient_id, n.channel) for n in told) == sorted(
        (a.pk, channel) for a in admins for channel in ("inbox", "email")
    )
    reviewing = alerts(NoticeKind.REFUSED_OFTEN_AUDIT)
    assert sorted((n.recipient_id, n.channel) for n in reviewing) == sorted(
        (a.pk, channel) for a in auditors for channel in ("inbox", "email")
    )
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in admins + auditors)
    to_auditor = next(m for m in mailoutbox if m.to[0] == auditors[0].email)
    assert to_auditor.subject == (
        f"Front Door: Many accesses refused: account {person.pk}, more than {LIMIT} in 10 minutes"
    )
    assert "going over on Wed 01 Jul 2026 at 09:00" in to_auditor.body
    assert f"/audit/access-log/?account={person.pk}&from=2026-07-01&to=2026-07-01" in (
        to_auditor.body
    )
    to_admin = next(m for m in mailoutbox if m.to[0] == admins[0].email)
    assert f"/admin/agencies/user/{person.pk}/change/" in to_admin.body


def test_the_alert_names_the_account_by_its_id_only(watchers, prober, delivered, mailoutbox):
    _, client, theirs = prober

    with time_machine.travel(AT, tick=False):
        delivered(lambda: try_records(client, theirs, LIMIT + 1))

    assert len(mailoutbox) == 4
    said = [m.message().as_string() for m in mailoutbox] + [
        f"{n.subject} {n.body} {n.link}" for n in alerts()
    ]
    for text in said:
        for word in ("pat.prober", "Patricia", "Probewell", f"/referrals/{theirs.pk}/"):
            assert word not in text


def test_the_links_open_for_those_told(watchers, prober, delivered):
    _, client, theirs = prober
    with time_machine.travel(AT, tick=False):
        delivered(lambda: try_records(client, theirs, LIMIT + 1))

    for notice in alerts().filter(channel="inbox"):
        reader = Client()
        reader.force_login(notice.recipient)
        page = reader.get(notice.link.removeprefix("http://testserver"))
        assert page.status_code == 200, (notice.kind, notice.link)


def test_more_refusals_in_the_same_window_alert_no_more(watchers, prober, delivered):
    _, client, theirs = prober

    with time_machine.travel(AT, tick=False) as clock:
        delivered(lambda: try_records(client, theirs, LIMIT + 1))
        clock.shift(5 * 60)
        delivered(lambda: try_records(client, theirs, 2 * LIMIT + 2))  # a second burst

    assert alerts().count() == 8  # 2 administrators and 2 auditors, inbox and email each


def test_a_burst_in_the_next_window_alerts_again(watchers, prober, delivered):
    _, client, theirs = prober

    with time_machine.travel(AT, tick=False) as clock:
        delivered(lambda: try_records(client, theirs, LIMIT + 1))
        clock.shift(10 * 60)
        delivered(lambda: try_records(client, theirs, LIMIT))
        assert alerts().count() == 8
        delivered(lambda: try_records(client, theirs, 1))

    assert alerts().count() == 16


def test_a_burst_across_a_clock_boundary_is_counted_whole(watchers, prober, delivered):
    """The window slides: two refusals just before 09:10 and two just after are four in
    two minutes, however the clock divides the hour."""
    _, client, theirs = prober

    with time_machine.travel("2026-07-01 08:09:00+00:00", tick=False) as clock:
        delivered(lambda: try_records(client, theirs, 2))
        clock.shift(2 * 60)
        delivered(lambda: try_records(client, theirs, 2))

    assert alerts().count() == 8


def test_refusals_further_apart_than_the_window_are_not_added_up(watchers, prober, delivered):
    _, client, theirs = prober

    with time_machine.travel(AT, tick=False) as clock:
        delivered(lambda: try_records(client, theirs, LIMIT))
        clock.shift(11 * 60)
        delivered(lambda: try_records(client, theirs, LIMIT))

    assert not alerts().exists()


def test_each_account_is_counted_on_its_own(watchers, prober, delivered):
    _, client, theirs = prober
    other = Client()
    other.force_login(UserFactory(role=Role.REFERRER))

    with time_machine.travel(AT, tick=False):
        delivered(lambda: try_records(client, theirs, LIMIT))
        delivered(lambda: try_records(other, theirs, LIMIT))

    assert not alerts().exists()


def test_pages_the_role_may_not_open_count_too(watchers, prober, delivered):
    person, client, _ = prober

    with time_machine.travel(AT, tick=False):
        answers = delivered(lambda: [client.get("/triage/").status_code for _ in range(4)])

    assert answers == [403] * 4
    assert {n.subject for n in alerts()} == {
        f"Many accesses refused: account {person.pk}, more than {LIMIT} in 10 minutes"
    }


def test_api_refusals_count_for_the_tokens_user_with_their_web_pages(watchers, delivered):
    token = ApiTokenFactory(user__role=Role.REFERRER)
    theirs = ReferralFactory()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.raw}")
    web = Client()
    web.force_login(token.user)

    with time_machine.travel(AT, tick=False):
        answers = delivered(
            lambda: (
                [api.get(f"/api/v1/referrals/{theirs.pk}/").status_code for _ in range(2)]
                + [web.get(f"/referrals/{theirs.pk}/").status_code]
            )
        )
        assert not alerts().exists()
        last = delivered(lambda: api.get(f"/api/v1/referrals/{theirs.pk}/").status_code)

    assert answers + [last] == [404, 404, 404, 404]
    assert {n.subject for n in alerts()} == {
        f"Many accesses refused: account {token.user_id}, more than {LIMIT} in 10 minutes"
    }
    assert alerts().count() == 8


def test_rejected_requests_are_not_counted(watchers, prober, delivered):
    """A form that failed validation (400) or a method a page does not take (405) is an
    ordinary mistake, not someone trying records that are not theirs."""
    _, client, _ = prober

    with time_machine.travel(AT, tick=False):
        answers = delivered(lambda: [client.delete("/").status_code for _ in range(10)])

    assert answers == [405] * 10
    assert not alerts().exists()


def test_refusals_with_no_one_signed_in_are_not_counted(watchers, delivered):
    """No account to count them against (the address is not one: many people may share
    a council's proxy); each is still in the security log."""
    with time_machine.travel(AT, tick=False):
        answers = delivered(lambda: [Client().get("/no-such-page/").status_code for _ in range(10)])

    assert answers == [404] * 10
    assert not alerts().exists()


def refused_by_the_csrf_check(person, times: int, send, says) -> list[int]:
    """Requests the CSRF check refuses, each checked to be refused by it (``says``)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(person)
    answers = []
    for _ in range(times):
        refused = send(client)
        assert says(refused)
        answers.append(refused.status_code)
    return answers


def stale_forms(person, times: int) -> list[int]:
    """A form sent with no valid CSRF token, as one sent again with the back button after
    the session was renewed is: Django's CSRF check refuses it."""
    return refused_by_the_csrf_check(
        person,
        times,
        lambda client: client.post("/inbox/read/", {"csrfmiddlewaretoken": "stale"}),
        lambda refused: b"CSRF verification failed" in refused.content,
    )


def test_stale_forms_refused_by_the_csrf_check_are_not_counted(watchers, prober, delivered):
    person, _, _ = prober

    with time_machine.travel(AT, tick=False):
        answers = delivered(lambda: stale_forms(person, 3 * LIMIT))

    assert answers == [403] * 3 * LIMIT
    assert not alerts().exists()


def stale_api_posts(person, times: int) -> list[int]:
    """The API with the browser's session and no valid CSRF token (a page left open after
    the session was renewed): DRF's session authentication refuses it itself, not through
    CSRF_FAILURE_VIEW, and leaves the request with no one signed in (DRF sets the
    anonymous user on a failed authentication), so there is no account to count it
    against."""
    return refused_by_the_csrf_check(
        person,
        times,
        lambda client: client.post("/api/v1/referrals/", {}, content_type="application/json"),
        lambda refused: "CSRF" in refused.json()["detail"],
    )


def test_stale_api_posts_refused_by_the_csrf_check_are_not_counted(watchers, prober, delivered):
    person, _, _ = prober

    with time_machine.travel(AT, tick=False):
        answers = delivered(lambda: stale_api_posts(person, 3 * LIMIT))

    assert answers == [403] * 3 * LIMIT
    assert not alerts().exists()


def test_mistyped_addresses_are_not_counted(watchers, prober, delivered):
    """No route matches them: nothing is there to be refused."""
    _, client, _ = prober

    with time_machine.travel(AT, tick=False):
        answers = delivered(
            lambda: [client.get(f"/refferals/{n}/").status_code for n in range(3 * LIMIT)]
        )

    assert answers == [404] * 3 * LIMIT
    assert not alerts().exists()


def test_records_and_pages_refused_still_count_among_uncounted_refusals(
    watchers, prober, delivered
):
    """A record outside the account's scope (404 from a routed page) and a page its role
    may not open (403) count as before, whatever stale forms and mistyped addresses come
    between them."""
    person, client, theirs = prober

    with time_machine.travel(AT, tick=False):
        delivered(lambda: try_records(client, theirs, 2))
        delivered(lambda: stale_forms(person, LIMIT))
        delivered(lambda: stale_api_posts(person, LIMIT))
        delivered(lambda: client.get("/no-such-page/"))
        assert client.get("/triage/").status_code == 403
        assert not alerts().exists()
        delivered(lambda: client.get("/triage/"))

    assert alerts().count() == 8


@pytest.mark.parametrize("setting", ["REFUSAL_ALERT_COUNT", "REFUSAL_ALERT_MINUTES"])
def test_the_settings_turn_the_alerts_off(watchers, prober, delivered, settings, setting):
    setattr(settings, setting, 0)
    _, client, theirs = prober

    with time_machine.travel(AT, tick=False):
        answers = delivered(lambda: try_records(client, theirs, 3 * LIMIT))

    assert answers == [404] * 3 * LIMIT
    assert not alerts().exists()


def test_an_alert_that_fails_leaves_the_refusal_and_says_so_in_the_security_log(
    watchers, prober, monkeypatch, caplog
):
    def broken(**kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(receivers, "raise_notice", broken)
    person, client, theirs = prober
    try_records(client, theirs, LIMIT)
    with caplog.at_level(logging.ERROR, logger="frontdoor.security"):
        refused = client.get(f"/referrals/{theirs.pk}/")

    assert refused.status_code == 404
    assert (
        f"refusals not alerted: user={person.pk} error=RuntimeError address=127.0.0.1"
        in caplog.text
    )
    assert not alerts().exists()


def test_a_cache_that_fails_leaves_the_refusal_and_says_so_in_the_security_log(
    watchers, prober, monkeypatch, caplog
):
    def broken(*args, **kwargs):
        raise ConnectionError("cache unavailable")

    monkeypatch.setattr(cache, "incr", broken)
    person, client, _ = prober
    with caplog.at_level(logging.ERROR, logger="frontdoor.security"):
        refused = client.get("/triage/")

    assert refused.status_code == 403
    assert f"refusals not alerted: user={person.pk} error=ConnectionError" in caplog.text


def test_a_receiver_that_raises_outside_its_guard_is_logged_too(
    watchers, prober, monkeypatch, caplog
):
    """The signal is sent robustly: whatever a receiver raises, the refusal stands and
    the failure is in the security log."""

    def broken(*args, **kwargs):
        raise KeyError("no such kind")

    monkeypatch.setattr(receivers, "urlencode", broken)
    person, client, theirs = prober
    try_records(client, theirs, LIMIT)
    with caplog.at_level(logging.ERROR, logger="frontdoor.security"):
        refused = client.get(f"/referrals/{theirs.pk}/")

    assert refused.status_code == 404
    assert f"refusals not alerted: user={person.pk} error=KeyError" in caplog.text


def test_the_defaults_are_twenty_in_ten_minutes():
    from frontdoor import settings as read_from_the_environment

    assert read_from_the_environment.REFUSAL_ALERT_COUNT == 20
    assert read_from_the_environment.REFUSAL_ALERT_MINUTES == 10
