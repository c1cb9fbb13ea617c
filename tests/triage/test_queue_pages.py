"""The queue's pages and its concern filter give the rows they always gave (issue 14): the
concern filter now reads each referral's concern bits (Referral.concern_mask) from the open
referrals' index, and a page in the back half of the queue is read from its end; the rows,
their order and the counts are those of the plain reading, the concerns table probed for
each referral and every page counted from the start."""

import random
import re
from datetime import timedelta

import pytest
from django.db.models import Exists, OuterRef
from django.utils import timezone

from agencies.models import Role
from referrals.models import Referral, ReferralConcern, Status
from tests.factories import DecisionFactory, ReferralFactory, SubmissionFactory, UserFactory
from triage.screening_views import QUEUE_PAGE_SIZE
from triage.selectors import QUEUE_ORDER

pytestmark = pytest.mark.django_db

CATEGORIES = ["neglect", "domestic_abuse", "self_harm", "emotional_abuse", "going_missing"]


def rows(response) -> list[str]:
    return re.findall(r'data-reference="([^"]+)"', response.content.decode())


@pytest.fixture
def referrals():
    """130 referrals: 118 open, in every order the queue sorts by (immediate risk, due
    times shared by several, ids breaking the ties), with one to three concerns each;
    fifteen open ones whose concern mask is not known (null, as before the mask)."""
    draw = random.Random(14)  # noqa: S311 - test data
    referrer = UserFactory(role=Role.REFERRER)
    submission = SubmissionFactory(submitted_by=referrer)
    now = timezone.now().replace(microsecond=0)
    made = []
    for n in range(130):
        received = now - timedelta(hours=draw.choice([1, 2, 2, 5, 9, 9, 9, 17, 30]))
        concerns = draw.sample(CATEGORIES[1:], draw.randint(0, 2))
        if draw.random() < 0.6:
            concerns.insert(draw.randint(0, len(concerns)), "neglect")
        made.append(
            ReferralFactory(
                referrer=referrer,
                submission=submission,
                received_at=received,
                immediate_risk=draw.random() < 0.1,
                concerns=concerns or ["other"],
                reference=f"FD-2026-{700000 + n:06d}",
            )
        )
    for referral in made[:12]:
        DecisionFactory(referral=referral)
    unknown = [r.pk for r in made[12:27]]
    Referral.objects.filter(pk__in=unknown).update(concern_mask=None)
    return made


def plain(category: str | None = None) -> list[str]:
    """The queue as it was read before: the concerns table probed for each referral."""
    queryset = Referral.objects.exclude(status=Status.DECIDED)
    if category:
        queryset = queryset.filter(
            Exists(ReferralConcern.objects.filter(referral_id=OuterRef("pk"), category=category))
        )
    return list(queryset.order_by(*QUEUE_ORDER).values_list("reference", flat=True))


@pytest.mark.parametrize("category", [None, *CATEGORIES])
def test_every_page_of_the_queue_and_of_each_concern_shows_the_rows_it_always_did(
    screener_client, referrals, category
):
    expected = plain(category)
    assert expected, "the fixture has referrals of every category"
    query = f"concern={category}&" if category else ""
    pages = -(-len(expected) // QUEUE_PAGE_SIZE)

    shown = []
    for number in range(1, pages + 1):
        response = screener_client.get(f"/triage/?{query}page={number}")
        page = rows(response)
        assert page == expected[(number - 1) * QUEUE_PAGE_SIZE : number * QUEUE_PAGE_SIZE]
        text = response.content.decode()
        assert f"Page {number} of {pages}" in text or pages == 1
        assert f"{len(expected)} referral" in text
        shown += page

    assert shown == expected
    if category is None:
        assert len(expected) == 118 and pages == 3


def test_a_referral_without_a_known_mask_is_still_found_by_its_concern(screener_client, referrals):
    referral = ReferralFactory(concerns=["radicalisation"])
    Referral.objects.filter(pk=referral.pk).update(concern_mask=None)
    known = ReferralFactory(concerns=["radicalisation", "neglect"])

    assert set(rows(screener_client.get("/triage/?concern=radicalisation"))) == {
        referral.reference,
        known.reference,
    }


def test_the_concern_filter_reads_the_mask_not_the_concerns(screener_client):
    """The bits decide for a referral whose mask is known (they are made with its
    concerns and never change): a mask and concerns that disagree show which is read."""
    referral = ReferralFactory(concerns=["neglect"])
    from referrals.census import CONCERN_BITS

    Referral.objects.filter(pk=referral.pk).update(concern_mask=CONCERN_BITS["self_harm"])

    assert rows(screener_client.get("/triage/?concern=self_harm")) == [referral.reference]
    assert rows(screener_client.get("/triage/?concern=neglect")) == []


@pytest.mark.postgres(reason="PostgreSQL's query plans")
@pytest.mark.parametrize("query", [{"concern": "neglect"}, {"page": "3"}])
def test_the_concern_filter_and_a_deep_page_read_the_open_referrals_index_alone(
    referrals, make_user, rf, query
):
    """Issue 14: the concern filter counts and pages from referral_queue_idx with
    no probe of the concerns table for each open referral; a page in the back half reads
    the queue's index from its end, not past every referral before it."""
    from django.core.paginator import Paginator
    from django.db import connection

    from triage import forms, selectors

    screener = make_user(Role.SCREENER)
    request = rf.get("/triage/", query)
    request.user = screener
    filters = forms.QueueFilter(
        query, queryset=selectors.queue_for(screener), request=request, now=timezone.now()
    )
    paginator = Paginator(filters.qs, QUEUE_PAGE_SIZE)
    page = paginator.get_page(query.get("page"))
    sliced = selectors.page_referrals(page)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE referrals_referral")
        cursor.execute("ANALYZE referrals_referralconcern")
        for method in ("seqscan", "bitmapscan", "sort"):
            cursor.execute(f"SET LOCAL enable_{method} = off")
    count_plan = filters.qs.order_by().values("pk").explain()
    page_plan = sliced.values("pk").explain()
    for plan in (count_plan, page_plan):
        assert "Join" not in plan, plan
    if "concern" in query:
        # The count may read any open referrals' index at this size (none is all-visible
        # in a test's transaction); the page reads the one with the order and the bits.
        assert "Index Only Scan using referral_queue_idx" in page_plan, page_plan
    else:
        assert "Index Only Scan Backward" in page_plan, page_plan
        assert (sliced.query.low_mark, sliced.query.high_mark) == (0, 18)


@pytest.mark.postgres(reason="PostgreSQL's query plans")
def test_the_allocated_to_list_reads_the_active_users_by_role(make_user):
    """Issue 14: the queue's "Allocated to" list, on every page, reads the active users
    by role (user_active_role_idx), not every account (nearly all referrers)."""
    from django.db import connection

    from agencies.policy import allocatable_users

    for role in (Role.SCREENER, Role.MANAGER, Role.REFERRER, Role.REFERRER):
        make_user(role)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE agencies_user")
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = allocatable_users().order_by("first_name", "last_name").explain()
    assert "user_active_role_idx" in plan, plan


def test_the_filter_lists_are_compiled_once_and_read_afresh(screener_client, monkeypatch):
    """The agency and "Allocated to" lists' statements are compiled once a process (each
    page ran the ORM's compiler for both); each page still reads the rows, so an agency
    renamed since shows at once."""
    from django.db.models.sql.compiler import SQLCompiler

    from tests.factories import AgencyFactory
    from triage import forms

    agency = AgencyFactory(name="Northshire Police")
    screener_client.get("/triage/")  # compiled here, if no test before compiled them
    assert {cls for cls, _ in forms._CHOICE_STATEMENTS} == {forms.NameChoices, forms.StaffChoices}
    compiled = []
    original = SQLCompiler.as_sql

    def as_sql(self, *args, **kwargs):
        compiled.append(original(self, *args, **kwargs))
        return compiled[-1]

    monkeypatch.setattr(SQLCompiler, "as_sql", as_sql)
    agency.name = "Northshire Constabulary"
    agency.save()

    page = screener_client.get("/triage/").content.decode()

    assert f'<option value="{agency.pk}">Northshire Constabulary</option>' in page
    lists = {sql for sql, _ in forms._CHOICE_STATEMENTS.values()}
    assert compiled and not [sql for sql, _ in compiled if sql in lists]


def test_each_filter_set_has_filters_of_its_own_bound_to_it(rf, make_user):
    """ClockFilterSet copies the class's filters one by one instead of deep-copying them
    all (the queue page's CPU): each request's filters are its own, their methods find
    its filter set (its user, its clock), and the class's filters are left as they were."""
    from django_filters.filters import FilterMethod

    from triage.forms import QueueFilter
    from triage.selectors import queue_for

    first, second = make_user("screener"), make_user("screener")
    sets = []
    for user in (first, second):
        request = rf.get("/triage/", {"mine": "on"})
        request.user = user
        sets.append(QueueFilter(request.GET, queryset=queue_for(user), request=request))

    one, two = sets
    for name, base in QueueFilter.base_filters.items():
        assert one.filters[name] is not base and one.filters[name] is not two.filters[name]
        assert one.filters[name].extra is not base.extra
        assert one.filters[name].parent is one and two.filters[name].parent is two
        assert not hasattr(base, "parent")
        # A field the class's filter made is not handed on: each copy makes its own.
        assert one.filters[name].field is not base.field
        if base.method is not None:
            assert isinstance(one.filters[name].filter, FilterMethod)
            assert one.filters[name].filter.f is one.filters[name]
    # "Allocated to me" reads each request's own user through its own filter set.
    assert f'"assigned_to_id" = {first.pk}' in str(one.qs.query)
    assert f'"assigned_to_id" = {second.pk}' in str(two.qs.query)


def test_the_agency_list_is_written_from_its_rows_as_from_its_choices(screener_client):
    """QuickSelect takes the agency list's rows as one tuple (CompiledChoices.listed):
    the same options, in the same order, as going through the choices one by one."""
    from html import escape

    from tests.factories import AgencyFactory
    from triage.forms import QueueFilter

    made = [AgencyFactory(name=name) for name in ("Zeta & Co", 'Alpha "A"', "<Mid>")]
    form = QueueFilter(None, queryset=Referral.objects.none()).form
    field = form.fields["agency"]
    one_by_one = tuple((value, str(text)) for value, text in iter(field.widget.choices))

    assert field.widget.choices.listed() == one_by_one
    page = screener_client.get(f"/triage/?agency={made[1].pk}").content.decode()
    options = "".join(
        f'<option value="{value}"{" selected" if value == made[1].pk else ""}>'
        f"{escape(text)}</option>"
        for value, text in one_by_one
    )
    assert f'<select name="agency" class="govuk-select" id="id_agency">{options}</select>' in page


def test_a_fixed_choice_field_is_copied_as_a_deep_copy_copies_it():
    """FixedChoiceField's cheaper copy (the queue's status and concern lists) gives what
    Django's deep copy of each form's fields gave: the same choices, in a list and an
    iterator of the copy's own, bound to the copy."""
    import copy

    from triage.forms import QueueFilter

    base = QueueFilter.base_filters["concern"].field
    deep = copy.deepcopy(base, {})
    copied = base.__deepcopy__({})

    assert list(copied.choices) == list(deep.choices) == list(base.choices)
    assert copied._choices is not base._choices and copied._choices.field is copied
    assert copied._choices.choices is not base._choices.choices
    assert copied.widget is not base.widget and copied.widget.attrs is not base.widget.attrs
    assert copied.clean("neglect") == "neglect"
    with pytest.raises(Exception, match="Select a valid choice"):
        copied.clean("not-a-concern")


def test_the_compiled_lists_share_a_queryset_no_page_ever_reads(screener_client):
    """CompiledChoiceField's copies share the class's queryset rather than each copying
    it: safe only because nothing reads that queryset itself (CompiledChoices reads by its
    own statement, a submitted value is checked through get()), which this holds to."""
    from tests.factories import AgencyFactory
    from triage.forms import QueueFilter

    agency = AgencyFactory(name="Westshire Health")
    form = QueueFilter({"agency": str(agency.pk)}, queryset=Referral.objects.none()).form
    fields = [type(form).base_fields[n] for n in ("agency", "assigned_to")]

    assert form.is_valid() and form.cleaned_data["agency"] == agency
    for field in fields:
        name = "agency" if field is fields[0] else "assigned_to"
        assert form.fields[name] is not field and form.fields[name].queryset is field.queryset
    assert not QueueFilter({"agency": "0"}, queryset=Referral.objects.none()).form.is_valid()
    page = screener_client.get(f"/triage/?agency={agency.pk}").content.decode()
    assert f'<option value="{agency.pk}" selected>Westshire Health</option>' in page
    assert all(field.queryset._result_cache is None for field in fields)
