"""Your referrals (and an agency lead's list of the agency's): where each decision clock
stands, filters on it, references that open the referral, siblings side by side."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from agencies.census import AgencyType
from agencies.models import Role
from referrals.models import Submission
from tests.clients import client_for
from tests.factories import AgencyFactory, DecisionFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def school():
    return AgencyFactory(name="Clock Primary", type=AgencyType.SCHOOL)


@pytest.fixture
def teacher(school):
    return UserFactory(role=Role.REFERRER, agency=school)


def due_in(teacher, left: timedelta, reference: str, **kwargs):
    due = NOW + left
    return ReferralFactory(
        referrer=teacher,
        reference=reference,
        received_at=due - timedelta(hours=24),
        decision_due_at=due,
        **kwargs,
    )


def clock_states(html: str) -> dict[str, str]:
    """Each row's reference and the data-clock-state of its tag."""
    import re

    rows = re.findall(r'data-reference="([^"]+)".*?data-clock-state="([^"]+)"', html, re.S)
    return dict(rows)


def get(client, query=""):
    with time_machine.travel(NOW, tick=False):
        return client.get("/referrals/mine/" + query)


@pytest.fixture
def at_the_edges(teacher):
    """One referral at each edge of the clock at NOW (due soon is under 4 hours left)."""
    return {
        "FD-2026-100001": due_in(teacher, timedelta(0), "FD-2026-100001"),  # due now
        "FD-2026-100002": due_in(teacher, timedelta(seconds=1), "FD-2026-100002"),
        "FD-2026-100003": due_in(teacher, timedelta(hours=4, seconds=-1), "FD-2026-100003"),
        "FD-2026-100004": due_in(teacher, timedelta(hours=4), "FD-2026-100004"),
        "FD-2026-100005": due_in(teacher, -timedelta(days=2), "FD-2026-100005"),
    }


def test_each_row_shows_overdue_due_soon_or_on_time_at_the_edges(teacher, at_the_edges):
    html = get(client_for(teacher)).content.decode()

    assert clock_states(html) == {
        "FD-2026-100001": "overdue",
        "FD-2026-100002": "due_soon",
        "FD-2026-100003": "due_soon",
        "FD-2026-100004": "on_time",
        "FD-2026-100005": "overdue",
    }


@pytest.mark.parametrize(
    ("state", "references"),
    [
        ("overdue", {"FD-2026-100001", "FD-2026-100005"}),
        ("due_soon", {"FD-2026-100002", "FD-2026-100003"}),
        ("on_time", {"FD-2026-100004"}),
        ("decided", set()),
    ],
)
def test_the_decision_filter_finds_exactly_the_rows_its_tag_names(
    teacher, at_the_edges, state, references
):
    html = get(client_for(teacher), f"?clock={state}").content.decode()

    shown = set(clock_states(html))
    assert shown == references
    assert all(tag == state for tag in clock_states(html).values())


def test_a_decided_referral_says_whether_it_was_decided_in_time(teacher):
    in_time = due_in(teacher, -timedelta(hours=30), "FD-2026-100011")
    late = due_in(teacher, -timedelta(hours=30), "FD-2026-100012")
    DecisionFactory(referral=in_time, decided_at=in_time.decision_due_at - timedelta(minutes=1))
    DecisionFactory(referral=late, decided_at=late.decision_due_at)

    html = get(client_for(teacher), "?clock=decided").content.decode()

    assert clock_states(html) == {"FD-2026-100011": "decided", "FD-2026-100012": "decided_late"}
    assert "Decided on time" in html and "Decided late" in html


def test_an_overdue_referral_is_marked_overdue_for_the_school(teacher):
    due_in(teacher, -timedelta(hours=5, minutes=6), "FD-2026-100021")

    html = get(client_for(teacher)).content.decode()

    assert (
        '<strong class="govuk-tag govuk-tag--red" data-clock-state="overdue">Overdue</strong>'
        in (html)
    )


def test_a_filter_value_that_is_not_a_choice_is_named_not_a_500(teacher, at_the_edges):
    response = get(client_for(teacher), "?clock=late-ish")

    assert response.status_code == 200
    html = response.content.decode()
    assert "These filters were not applied" in html
    assert "Decision: Select a valid choice" in html
    assert len(clock_states(html)) == len(at_the_edges)  # nothing narrowed in silence


def test_each_reference_links_to_the_referral(teacher):
    referral = ReferralFactory(referrer=teacher)

    html = client_for(teacher).get("/referrals/mine/").content.decode()

    assert f'href="/referrals/{referral.pk}/">{referral.reference}</a>' in html


def test_siblings_referred_together_are_listed_together_and_name_each_other(teacher):
    submission = Submission.objects.create(submitted_by=teacher)
    received = NOW - timedelta(hours=3)
    first = ReferralFactory(
        referrer=teacher,
        submission=submission,
        reference="FD-2026-200001",
        received_at=received,
    )
    second = ReferralFactory(
        referrer=teacher,
        submission=submission,
        reference="FD-2026-200003",
        received_at=received,
    )
    # Made after the siblings' submission but received in between: must not split them.
    ReferralFactory(referrer=teacher, reference="FD-2026-200002", received_at=received)
    alone = ReferralFactory(
        referrer=teacher, reference="FD-2026-200004", received_at=NOW - timedelta(hours=1)
    )

    html = get(client_for(teacher)).content.decode()

    order = ("FD-2026-200001", "FD-2026-200002", "FD-2026-200003", "FD-2026-200004")
    positions = {r: html.index(f'data-reference="{r}"') for r in order}
    by_position = sorted(positions, key=positions.get)
    assert abs(by_position.index(first.reference) - by_position.index(second.reference)) == 1
    assert by_position[0] == alone.reference  # newest first
    assert f'Referred together with <a class="govuk-link" href="/referrals/{second.pk}/">' in html
    assert f'Referred together with <a class="govuk-link" href="/referrals/{first.pk}/">' in html
    assert html.count('data-testid="siblings"') == 2


def test_the_lead_filters_the_agency_list_by_who_referred(school, teacher):
    colleague = UserFactory(role=Role.REFERRER, agency=school, first_name="Colleen")
    lead = UserFactory(role=Role.AGENCY_LEAD, agency=school)
    mine = ReferralFactory(referrer=teacher)
    theirs = ReferralFactory(referrer=colleague)

    html = client_for(lead).get(f"/referrals/mine/?referred_by={colleague.pk}").content.decode()

    assert theirs.reference in html
    assert mine.reference not in html


def test_the_lead_cannot_filter_by_someone_in_another_agency(school):
    lead = UserFactory(role=Role.AGENCY_LEAD, agency=school)
    officer = UserFactory(role=Role.REFERRER, agency=AgencyFactory(type=AgencyType.POLICE))
    theirs = ReferralFactory(referrer=officer)

    response = client_for(lead).get(f"/referrals/mine/?referred_by={officer.pk}")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Referred by: Select a valid choice" in html
    assert theirs.reference not in html
    assert officer.display_name not in html


def test_a_referrer_has_no_referred_by_filter(teacher):
    html = client_for(teacher).get("/referrals/mine/").content.decode()

    assert 'name="referred_by"' not in html
    assert 'name="clock"' in html


def test_the_agency_list_with_a_filter_still_shows_only_the_agencys_rows(school, teacher):
    lead = UserFactory(role=Role.AGENCY_LEAD, agency=school)
    officer = UserFactory(role=Role.REFERRER, agency=AgencyFactory(type=AgencyType.POLICE))
    ours = due_in(teacher, -timedelta(hours=1), "FD-2026-300001")
    due_in(officer, -timedelta(hours=1), "FD-2026-300002")

    html = get(client_for(lead), "?clock=overdue").content.decode()

    assert set(clock_states(html)) == {ours.reference}


def test_the_filters_are_kept_when_paging_by_newer_and_older_links(teacher):
    # All received at once: the order's ties (submission, then reference) decide where
    # a page ends, and no row is shown twice or skipped.
    references = [f"FD-2026-4{n:05d}" for n in range(27)]
    for reference in references:
        due_in(teacher, -timedelta(hours=1), reference)
    due_in(teacher, timedelta(hours=10), "FD-2026-499999")  # on time: filtered out
    client = client_for(teacher)

    first = get(client, "?clock=overdue").content.decode()
    older = re.search(r'href="\?(clock=overdue&amp;cursor=[^"]+)" rel="next"', first)
    assert older, "an Older link keeping the filter"
    assert 'rel="prev"' not in first
    second = get(client, "?" + older.group(1).replace("&amp;", "&")).content.decode()
    newer = re.search(r'href="\?(clock=overdue&amp;cursor=[^"]+)" rel="prev"', second)
    back = get(client, "?" + newer.group(1).replace("&amp;", "&")).content.decode()

    assert len(clock_states(first)) == 25
    assert set(clock_states(first)) | set(clock_states(second)) == set(references)
    assert len(clock_states(second)) == 2
    assert 'rel="next"' not in second
    assert list(clock_states(back)) == list(clock_states(first))
    assert 'rel="prev"' not in back
    assert "referrals match" not in first  # no count of the whole history


def test_a_cursor_that_is_not_a_link_shows_the_first_page(teacher):
    due_in(teacher, -timedelta(hours=1), "FD-2026-500001")
    # The reference after the time and submission holds a NUL: a 500 once, not a page.
    nul = "WzAsIjIwMjYtMDEtMDFUMDA6MDA6MDArMDA6MDAiLDEsIkZEXHUwMDAwIl0"

    for cursor in ("nonsense", "W10", "WzAsIngiLDEsIngiXQ", "9" * 500, nul):
        response = get(client_for(teacher), f"?cursor={cursor}")
        assert response.status_code == 200
        assert "FD-2026-500001" in response.content.decode()


def test_the_referred_by_choices_are_the_agencys_people_escaped_with_the_chosen_one_selected(
    school, teacher
):
    lead = UserFactory(role=Role.AGENCY_LEAD, agency=school)
    odd = UserFactory(role=Role.REFERRER, agency=school, first_name="<b>Ann", last_name="O'Neil")
    UserFactory(role=Role.REFERRER, agency=AgencyFactory(), first_name="Outsider")

    html = client_for(lead).get(f"/referrals/mine/?referred_by={odd.pk}").content.decode()
    select = re.search(r'<select[^>]*name="referred_by"[^>]*>(.*?)</select>', html, re.S)

    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select.group(1))
    assert options[0] == ("", "", "Anyone")
    assert {value for value, _, _ in options[1:]} == {str(teacher.pk), str(lead.pk), str(odd.pk)}
    assert [value for value, chosen, _ in options if chosen] == [str(odd.pk)]
    assert "&lt;b&gt;Ann O&#x27;Neil" in select.group(1)
    assert "Outsider" not in html
