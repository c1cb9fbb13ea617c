"""The front door's queue, /triage/: its order and badges, filters, flags, the rows it
shows and what it costs in queries. Opening a referral from it and deciding are in
test_referral_and_decision_pages.py."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from agencies.models import Role
from referrals.models import Child, Status
from tests.factories import DecisionFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def rows(response) -> list[str]:
    import re

    return re.findall(r'data-reference="([^"]+)"', response.content.decode())


def test_the_queue_puts_immediate_risk_first_then_the_earliest_due(screener_client):
    now = timezone.now()
    later = ReferralFactory(reference="FD-2026-000003", received_at=now - timedelta(hours=1))
    sooner = ReferralFactory(reference="FD-2026-000002", received_at=now - timedelta(hours=20))
    urgent = ReferralFactory(reference="FD-2026-000009", received_at=now, immediate_risk=True)
    DecisionFactory(referral=ReferralFactory(reference="FD-2026-000001"))

    response = screener_client.get("/triage/")

    assert rows(response) == [urgent.reference, sooner.reference, later.reference]


@pytest.mark.parametrize(
    ("hours_after_receipt", "state", "label"),
    [
        (1, "on_time", "On time"),
        (19, "on_time", "On time"),
        (20.5, "due_soon", "Due soon"),
        (23.99, "due_soon", "Due soon"),
        (24, "overdue", "Overdue"),
        (30, "overdue", "Overdue"),
    ],
)
def test_badges_either_side_of_the_due_time(client, make_user, hours_after_receipt, state, label):
    received = timezone.now().replace(microsecond=0) - timedelta(days=1)
    ReferralFactory(received_at=received)

    with time_machine.travel(received + timedelta(hours=hours_after_receipt), tick=False):
        client.force_login(make_user(Role.SCREENER))
        page = client.get("/triage/").content.decode()

    assert f'data-clock-state="{state}">{label}<' in page


def test_filters_narrow_the_queue(make_user, screener_client):
    from django.test import Client

    screener = make_user(Role.SCREENER)
    client = Client()
    client.force_login(screener)
    now = timezone.now()
    mine = ReferralFactory(assigned_to=screener, assigned_at=now, status=Status.SCREENING)
    overdue = ReferralFactory(received_at=now - timedelta(hours=25))
    self_harm = ReferralFactory(concerns=["self_harm"])

    assert rows(client.get("/triage/?mine=on")) == [mine.reference]
    assert rows(client.get("/triage/?overdue=on")) == [overdue.reference]
    assert rows(client.get("/triage/?concern=self_harm")) == [self_harm.reference]
    assert mine.reference not in rows(client.get("/triage/?unallocated=on"))
    assert rows(client.get("/triage/?status=screening")) == [mine.reference]
    assert rows(client.get(f"/triage/?agency={self_harm.agency_id}")) == [self_harm.reference]


def test_a_long_unallocated_referral_is_flagged(screener_client, settings):
    settings.UNALLOCATED_FLAG_MINUTES = 60
    ReferralFactory(received_at=timezone.now() - timedelta(hours=2))

    assert "Unallocated over 60 min" in screener_client.get("/triage/").content.decode()


def test_the_queue_takes_the_same_number_of_queries_for_5_or_50_rows(
    screener_client, django_assert_num_queries
):
    child = Child.objects.create(first_name="Ava", last_name="Testfield")
    for _ in range(5):
        ReferralFactory(child=child)
    screener_client.get("/triage/")  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        screener_client.get("/triage/")
    for _ in range(45):
        ReferralFactory(child=child, concerns=["neglect", "domestic_abuse"])
    with CaptureQueriesContext(connection) as many:
        response = screener_client.get("/triage/")

    assert len(rows(response)) == 50
    assert len(many.captured_queries) == len(few.captured_queries)


# Per page, however many rows: the session; the user with their agency (for the header);
# the count; the page's ids and their rows (flags and concerns in the same statement,
# prepared once a connection on PostgreSQL); the access log row; the unread count; the
# agencies and the screeners for the filters. The session is not saved: its last-seen
# time is written at most once a minute. Issue 14: it was 13 (the concerns were a
# prefetch of their own, and every page view saved the session), then 9 (the user's
# agency a statement of its own, the ids inside the rows' statement).
QUEUE_QUERIES = 9
# In production, where every process shares the cache (CACHE_SHARED): the session is read
# from it, and the filters' lists too until an agency or a listed user changes.
QUEUE_QUERIES_SHARED_CACHE = QUEUE_QUERIES - 3


@pytest.mark.parametrize("shared", [False, True], ids=["own-cache", "shared-cache"])
def test_the_queue_takes_a_fixed_number_of_queries(
    screener_client, django_assert_num_queries, settings, shared
):
    settings.CACHE_SHARED = shared
    expected = QUEUE_QUERIES_SHARED_CACHE if shared else QUEUE_QUERIES
    child = Child.objects.create(first_name="Ava", last_name="Testfield")
    for _ in range(60):
        ReferralFactory(child=child, concerns=["neglect", "domestic_abuse"])
    screener_client.get("/triage/")  # warm the session (and the lists)

    for query in ("", "?page=2", "?concern=neglect", "?unallocated=on&page=2"):
        with django_assert_num_queries(expected):
            assert len(rows(screener_client.get(f"/triage/{query}"))) in (50, 10)
    with django_assert_num_queries(expected - 2):  # nothing to show: no ids, no rows
        assert rows(screener_client.get("/triage/?overdue=on")) == []


def test_a_row_lists_its_concerns_in_the_order_they_were_recorded(screener_client):
    referral = ReferralFactory(concerns=["self_harm", "neglect", "domestic_abuse"])

    page = screener_client.get("/triage/").content.decode()

    labels = ", ".join(c.get_category_display() for c in referral.concerns.order_by("pk"))
    assert labels.startswith("Self-harm, Neglect")  # as recorded, not the categories' order
    assert f'<td class="govuk-table__cell">{labels}</td>' in page


def test_a_row_shows_the_child_who_referred_and_who_has_it(screener_client, make_user):
    from datetime import date

    from referrals.census import CallerType
    from tests.factories import AgencyFactory, UserFactory

    named = make_user(Role.SCREENER, first_name="Zoë", last_name="<O'Neil>")
    unnamed = make_user(Role.SCREENER, first_name="", last_name="", username="duty-screener-7")
    agency = AgencyFactory(name='Police & "Partners"')
    by_agency = ReferralFactory(
        referrer=UserFactory(role=Role.REFERRER, agency=agency),
        in_screening=True,
        assigned_to=named,
        child_first_name="<Ava>",
        child_last_name="Test & Field",
    )
    recorder = UserFactory(role=Role.SCREENER)
    by_phone = ReferralFactory(
        referrer=None,
        agency=None,
        submission__submitted_by=recorder,
        recorded_by=recorder,
        caller_type=CallerType.FAMILY,
        in_screening=True,
        assigned_to=unnamed,
        child_date_of_birth=None,
        child_expected_date_of_birth=date(2027, 1, 5),
    )

    page = screener_client.get("/triage/").content.decode()

    def cells(referral) -> str:
        start = page.index(f'data-reference="{referral.reference}"')
        return page[start : page.index("</tr>", start)]

    first = cells(by_agency)
    assert "&lt;Ava&gt; Test &amp; Field" in first
    assert "Police &amp; &quot;Partners&quot;" in first
    assert "Zoë &lt;O&#x27;Neil&gt;" in first
    assert f'href="/triage/referrals/{by_agency.pk}/"' in first
    second = cells(by_phone)
    assert "Unborn, due 5 Jan 2027" in second
    assert "Family member, relative or carer" in second
    assert "duty-screener-7" in second
    assert "Unallocated" not in first + second


def test_the_filters_keep_what_was_chosen_and_escape_names(make_user):
    from django.test import Client

    from tests.factories import AgencyFactory

    screener = make_user(Role.SCREENER, first_name="Zoë", last_name="<O'Neil>")
    client = Client()
    client.force_login(screener)
    agency = AgencyFactory(name='Police & "Partners" <North>')

    page = client.get(f"/triage/?agency={agency.pk}&assigned_to={screener.pk}").content.decode()

    assert (
        f'<option value="{agency.pk}" selected>Police &amp; &quot;Partners&quot; '
        "&lt;North&gt;</option>" in page
    )
    assert (
        f'<option value="{screener.pk}" selected>Zoë &lt;O&#x27;Neil&gt; (screener)</option>'
        in page
    )
    assert '<option value="" selected>Any status</option>' in page


def test_the_agency_filter_lists_an_agency_added_or_renamed_since_the_last_page(
    screener_client,
):
    from tests.factories import AgencyFactory

    AgencyFactory(name="Alder Police")
    screener_client.get("/triage/")
    added = AgencyFactory(name="Birch Academy")

    listed = screener_client.get("/triage/").content.decode()
    added.name = "Birch & Elm Academy"
    added.save()
    renamed = screener_client.get(f"/triage/?agency={added.pk}").content.decode()

    assert f'<option value="{added.pk}">Birch Academy</option>' in listed
    assert f'<option value="{added.pk}" selected>Birch &amp; Elm Academy</option>' in renamed
    assert "Birch Academy" not in renamed


def test_a_ticked_filter_stays_ticked_and_the_next_page_starts_clear(screener_client):
    ticked = screener_client.get("/triage/?overdue=on&concern=neglect").content.decode()
    clear = screener_client.get("/triage/").content.decode()

    box = '<input type="checkbox" name="{}" class="govuk-checkboxes__input" id="id_{}"{}>'
    assert box.format("overdue", "overdue", " checked") in ticked
    assert box.format("mine", "mine", "") in ticked
    assert '<option value="neglect" selected>' in ticked
    for name in ("mine", "unallocated", "overdue", "due_soon", "unallocated_flagged"):
        assert box.format(name, name, "") in clear
    assert "checked" not in clear
    assert '<option value="neglect">' in clear


def test_repeat_and_chronic_neglect_flags_show_on_the_queue(screener_client):
    child = Child.objects.create(first_name="Ava", last_name="Testfield")
    now = timezone.now()
    for months in (10, 5):
        DecisionFactory(
            referral=ReferralFactory(child=child, received_at=now - timedelta(days=30 * months))
        )
    ReferralFactory(child=child, received_at=now - timedelta(hours=1))

    page = screener_client.get("/triage/").content.decode()

    assert "Repeat: 2 earlier in 12 months, concern recurs" in page
    assert "Possible chronic neglect" in page


def test_a_referral_more_than_12_months_ago_does_not_count_as_a_repeat(screener_client):
    child = Child.objects.create(first_name="Ava", last_name="Testfield")
    DecisionFactory(
        referral=ReferralFactory(child=child, received_at=timezone.now() - timedelta(days=400))
    )
    ReferralFactory(child=child)

    assert "Repeat:" not in screener_client.get("/triage/").content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "agency=abc",
        "status=zzz",
        "page=abc",
        "page=999",
        "concern=nope",
        "mine=maybe",
        "overdue=1&agency=99999",
    ],
)
def test_a_mangled_queue_address_never_gives_a_server_error(screener_client, query):
    assert screener_client.get(f"/triage/?{query}").status_code == 200


@pytest.mark.postgres(reason="PostgreSQL's query plans")
@pytest.mark.parametrize("query", [{"mine": "on"}, {"assigned_to": "me"}])
def test_the_allocation_filters_read_the_open_allocation_index(make_user, rf, query):
    """Issue 14: "Allocated to me" and "Allocated to" read the partial index of open
    referrals by allocation, in the queue's order, not every referral the screener was
    ever allocated (the (assigned_to, status) index). ("Unallocated" may read either that
    or the queue's own index: unallocated referrals are a large part of the queue.)"""
    from django.db import connection

    from triage import forms, selectors

    screener = make_user(Role.SCREENER)
    now = timezone.now()
    for _ in range(3):
        ReferralFactory(assigned_to=screener, assigned_at=now, status=Status.SCREENING)
        ReferralFactory()
    if query.get("assigned_to") == "me":
        query = {"assigned_to": str(screener.pk)}
    request = rf.get("/triage/", query)
    request.user = screener
    filters = forms.QueueFilter(
        query, queryset=selectors.queue_for(screener), request=request, now=now
    )
    page = filters.qs[:50]
    assert len(page) == 3
    # A few rows of a test cannot make the planner's costs what they are at scale: take
    # away what is cheap only on a tiny table (reading it whole, a bitmap of a handful of
    # rows and sorting them), so the plan says which index serves this page in its order.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE referrals_referral")
        for method in ("seqscan", "bitmapscan", "sort"):
            cursor.execute(f"SET LOCAL enable_{method} = off")
    plan = page.explain()
    assert "referral_open_assigned_idx" in plan, plan
