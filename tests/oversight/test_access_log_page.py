"""The auditors' access log: search by username, account number, child and date;
break-the-glass alerts; a child's search finds the list pages and searches that showed
them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from agencies.models import Role
from audit.models import AccessLog
from tests.clients import client_for
from tests.factories import ChallengeFactory, ChildFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/audit/access-log/"


@pytest.fixture
def auditor():
    return client_for(UserFactory(role=Role.AUDITOR))


def entry(username="screener.one", at=None, role="screener", **fields) -> AccessLog:
    return AccessLog.objects.create(
        username=username,
        role=role,
        path="/somewhere/",
        at=at or datetime(2026, 3, 10, 12, tzinfo=UTC),
        **fields,
    )


def shown(response) -> list[int]:
    return [row.entry.pk for row in response.context["rows"]]


def test_the_url_is_the_one_the_design_names():
    assert reverse("oversight:access-log") == URL


def test_rows_newest_first_with_who_when_what_and_why(auditor):
    referral = ReferralFactory()
    older = entry(kind=AccessLog.Kind.REFERRAL, object_id=referral.pk)
    newer = entry(
        kind=AccessLog.Kind.REFERRAL,
        object_id=referral.pk,
        at=older.at + timedelta(hours=1),
        break_glass_reason="A new call about the family; reading the last decision.",
    )

    response = auditor.get(URL)

    assert response.status_code == 200
    assert shown(response) == [newer.pk, older.pk]
    text = response.content.decode()
    assert "screener.one" in text
    assert f"Referral {referral.reference}" in text
    assert "A new call about the family; reading the last decision." in text


def test_filter_by_user(auditor):
    mine = entry(username="screener.one", kind=AccessLog.Kind.CHILD, object_id=1)
    entry(username="manager.two", kind=AccessLog.Kind.CHILD, object_id=1)

    assert shown(auditor.get(URL, {"user": "screener.one"})) == [mine.pk]


def test_filter_by_account_number_finds_that_accounts_rows_only(auditor):
    """The rate alerts name an account by its number alone: the log finds its rows, under
    any username it had, and shows the number beside the name."""
    mine = entry(username="screener.one", user_id=12, kind=AccessLog.Kind.CHILD, object_id=1)
    renamed = entry(
        username="screener.renamed",
        user_id=12,
        kind=AccessLog.Kind.CHILD,
        object_id=2,
        at=mine.at + timedelta(hours=1),
    )
    entry(username="screener.one", user_id=120, kind=AccessLog.Kind.CHILD, object_id=1)
    entry(username="manager.two", user_id=2, kind=AccessLog.Kind.CHILD, object_id=1)
    entry(username="signed.out", user_id=None, kind=AccessLog.Kind.CHILD, object_id=1)

    response = auditor.get(URL, {"account": "12"})

    assert response.status_code == 200
    assert shown(response) == [renamed.pk, mine.pk]
    text = response.content.decode()
    assert text.count('data-testid="access-account"') == 2
    assert 'href="?account=12"' in text
    assert ">account 12</a>" in text


@pytest.mark.parametrize("typed", ["account 12", "Account #12", " 12 "])
def test_the_account_number_as_the_alert_writes_it_is_taken(auditor, typed):
    """The alerts say "account 12": pasted as it stands, it finds account 12."""
    mine = entry(user_id=12, kind=AccessLog.Kind.CHILD, object_id=1)
    entry(user_id=120, kind=AccessLog.Kind.CHILD, object_id=1)

    response = auditor.get(URL, {"account": typed})

    assert response.status_code == 200
    assert shown(response) == [mine.pk]


def test_the_word_account_alone_is_refused_naming_the_field(auditor):
    response = auditor.get(URL, {"account": "account"})

    assert response.status_code == 400
    assert "Enter the account number as a whole number, like 12" in response.content.decode()


def test_account_number_and_dates_together(auditor):
    day = datetime(2026, 3, 10, 9, tzinfo=UTC)
    within = entry(user_id=12, kind=AccessLog.Kind.CHILD, object_id=1, at=day)
    entry(user_id=12, kind=AccessLog.Kind.CHILD, object_id=1, at=day + timedelta(days=1))
    entry(user_id=13, kind=AccessLog.Kind.CHILD, object_id=1, at=day)

    got = shown(auditor.get(URL, {"account": 12, "from": "2026-03-10", "to": "2026-03-10"}))

    assert got == [within.pk]


def test_filter_by_dates_takes_whole_days(auditor):
    day = datetime(2026, 3, 10, 0, 30, tzinfo=UTC)
    before = entry(kind=AccessLog.Kind.CHILD, object_id=1, at=day - timedelta(days=2))
    within = entry(kind=AccessLog.Kind.CHILD, object_id=1, at=day + timedelta(hours=20))
    after = entry(kind=AccessLog.Kind.CHILD, object_id=1, at=day + timedelta(days=3))

    got = shown(auditor.get(URL, {"from": "2026-03-10", "to": "2026-03-11"}))

    assert got == [within.pk]
    assert before.pk not in got and after.pk not in got


def test_filter_by_child_finds_the_record_its_referrals_and_the_lists_that_showed_them(auditor):
    child = ChildFactory()
    referral = ReferralFactory(child=child)
    challenge = ChallengeFactory(decision__referral=ReferralFactory(child=child))
    other = ReferralFactory()
    hits = [
        entry(kind=AccessLog.Kind.CHILD, object_id=child.pk),
        entry(kind=AccessLog.Kind.REFERRAL, object_id=referral.pk),
        entry(kind=AccessLog.Kind.CHALLENGE, object_id=challenge.pk),
        entry(kind=AccessLog.Kind.REFERRAL_LIST, detail={"referrals": [other.pk, referral.pk]}),
        entry(kind=AccessLog.Kind.CHILD_SEARCH, detail={"children": [child.pk]}),
    ]
    misses = [
        entry(kind=AccessLog.Kind.REFERRAL, object_id=other.pk),
        entry(kind=AccessLog.Kind.REFERRAL_LIST, detail={"referrals": [other.pk]}),
        # An id that only starts or ends like the referral's is not it.
        entry(
            kind=AccessLog.Kind.REFERRAL_LIST,
            detail={"referrals": [referral.pk * 10 + 1, int(f"9{referral.pk}")]},
        ),
        entry(kind=AccessLog.Kind.CHILD, object_id=child.pk + 1000),
    ]

    got = shown(auditor.get(URL, {"child": child.pk}))

    assert sorted(got) == sorted(e.pk for e in hits)
    assert not set(got) & {e.pk for e in misses}


def test_the_alerts_show_only_break_the_glass(auditor):
    glass = entry(
        kind=AccessLog.Kind.CHILD, object_id=1, break_glass_reason="Court asked for the history."
    )
    entry(kind=AccessLog.Kind.CHILD, object_id=1)

    assert shown(auditor.get(URL, {"break_glass": "on"})) == [glass.pk]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"child": "Ann"}, "child", "Enter the child record number as a whole number"),
        ({"account": "pat.scraper"}, "account", "Enter the account number as a whole number"),
        ({"account": "0"}, "account", "Enter the account number as a whole number"),
        ({"account": "-3"}, "account", "Enter the account number as a whole number"),
        ({"account": "12.5"}, "account", "Enter the account number as a whole number"),
        # Past the column's largest number: refused by the form, not the database.
        ({"account": "9" * 30}, "account", "Enter the account number as a whole number"),
        ({"from": "10/03/2026x"}, "from", "Enter the from date as a real date"),
        ({"from": "2026-03-10", "to": "2026-03-01"}, "to", "must be the same as or after"),
    ],
)
def test_bad_filters_are_named(auditor, params, field, message):
    response = auditor.get(URL, params)

    assert response.status_code == 400
    text = response.content.decode()
    assert message in text
    assert f'href="#{field}"' in text
    assert 'data-testid="access-log"' not in text  # the form again, no rows


def test_pages_of_fifty(auditor):
    for n in range(55):
        entry(kind=AccessLog.Kind.CHILD, object_id=n + 1)

    assert len(shown(auditor.get(URL))) == 50
    assert len(shown(auditor.get(URL, {"page": 2}))) == 5


@pytest.mark.parametrize(
    "role", [Role.REFERRER, Role.AGENCY_LEAD, Role.SCREENER, Role.MANAGER, Role.PARTNER, Role.ADMIN]
)
def test_only_auditors_read_the_log(role):
    assert client_for(UserFactory(role=role)).get(URL).status_code == 403


@pytest.mark.parametrize(
    "role", [Role.REFERRER, Role.AGENCY_LEAD, Role.SCREENER, Role.MANAGER, Role.PARTNER, Role.ADMIN]
)
def test_an_account_search_is_refused_to_all_but_auditors(role):
    person = UserFactory(role=role)
    entry(username=person.username, user_id=person.pk, kind=AccessLog.Kind.CHILD, object_id=1)

    response = client_for(person).get(URL, {"account": person.pk})

    assert response.status_code == 403
    assert person.username not in response.content.decode()


def test_the_auditors_home_and_navigation_link_the_log(auditor):
    text = auditor.get("/").content.decode()

    assert 'href="/audit/access-log/"' in text
    assert 'href="/audit/access-log/?break_glass=on"' in text


@pytest.mark.postgres(reason="PostgreSQL's query plans")
def test_an_account_search_reads_the_account_index_in_the_pages_order():
    """At national scale the log holds about 14 million rows: an account's page and its
    count come from the (user_id, at, id) index (audit 0010), not the whole table."""
    from django.db import connection

    from oversight.access_log import search

    for n in range(30):
        entry(user_id=12 + n % 3, kind=AccessLog.Kind.CHILD, object_id=n + 1)
    rows = search(account=12)
    # A few rows of a test cannot make the planner's costs what they are at scale: take
    # away what is cheap only on a tiny table (reading it whole, a bitmap of a handful of
    # rows, sorting them, or reading the time index and sorting each instant's rows by id,
    # which CI's planner once chose), so the plan says which index serves this page in its
    # order.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_accesslog")
        for method in ("seqscan", "bitmapscan", "sort", "incremental_sort"):
            cursor.execute(f"SET LOCAL enable_{method} = off")
    page_plan = rows[:50].explain()
    count_plan = rows.order_by().explain()

    assert len(rows[:50]) == 10
    assert "accesslog_user_at_idx" in page_plan, page_plan
    assert "Sort" not in page_plan, page_plan
    assert "accesslog_user_at_idx" in count_plan, count_plan


def test_who_and_what_read_as_words_not_codes(auditor):
    # "(agency_lead)" and "1 referrals shown" read as the program talking.
    one = ReferralFactory()
    entry(
        username="lead.one",
        role="agency_lead",
        kind=AccessLog.Kind.REFERRAL_LIST,
        detail={"referrals": [one.pk]},
    )
    entry(role="manager", kind=AccessLog.Kind.CHILD_SEARCH, detail={"children": [7]})
    entry(role="retired_role", kind=AccessLog.Kind.REFERRAL_LIST, detail={"referrals": []})

    text = auditor.get(URL).content.decode()

    assert '<span class="govuk-body-s">(Agency lead)</span>' in text
    assert '<span class="govuk-body-s">(Manager)</span>' in text
    assert "agency_lead" not in text
    assert "List of referrals: 1 referral shown" in text
    assert "Child search: 1 child returned (records 7)" in text
    # A role no longer defined is shown as it was stored, and nought is plural.
    assert '<span class="govuk-body-s">(retired_role)</span>' in text
    assert "List of referrals: 0 referrals shown" in text


def test_a_challenge_or_discussion_viewed_links_to_it_as_a_referral_does(auditor):
    entry(kind=AccessLog.Kind.CHALLENGE, object_id=6)
    entry(kind=AccessLog.Kind.STRATEGY_DISCUSSION, object_id=9)

    text = auditor.get(URL).content.decode()

    assert f'<a class="govuk-link" href="{reverse("challenges:detail", args=[6])}">' in text
    assert f'<a class="govuk-link" href="{reverse("strategy:detail", args=[9])}">' in text


def test_when_names_the_day(auditor):
    # Searching a week of the log, "Tue 10 Mar" is found by the day people remember.
    entry(kind=AccessLog.Kind.CHILD, object_id=3)  # 12:00 UTC, 12:00 in London in March

    text = auditor.get(URL).content.decode()

    assert '<td class="govuk-table__cell">Tue 10 Mar 2026, 12:00:00</td>' in text
