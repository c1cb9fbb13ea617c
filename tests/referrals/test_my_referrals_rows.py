"""My referrals' rows, written in Python (referrals.mine_markup) from a page of values and
what happened after each decision (referrals.selectors.after_decision): the decision as
it stands, its feedback, the challenge to it, the discussions' section 47 outcomes and
their challenges, each escaped; and a fixed number of statements however much a page
holds."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from agencies.census import AgencyType
from agencies.models import Role
from referrals.filters import person_label
from referrals.models import Outcome
from referrals.selectors import after_decision
from tests.clients import client_for
from tests.factories import (
    AgencyFactory,
    ChallengeFactory,
    DecisionAmendmentFactory,
    DecisionFactory,
    ReferralFactory,
    StrategyDiscussionFactory,
    UserFactory,
)
from triage.models import Challenge, EscalationStage
from triage.models.challenges import Resolution
from triage.models.strategy import Section47Outcome

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def page(user, query="") -> str:
    with time_machine.travel(NOW, tick=False):
        return client_for(user).get("/referrals/mine/" + query).content.decode()


def row(html: str, reference: str) -> str:
    """The markup of one row, by its reference."""
    found = re.search(rf'<tr class="[^"]*" data-reference="{reference}".*?</tr>', html, re.S)
    assert found, f"no row for {reference}"
    return found.group(0)


@pytest.fixture
def school():
    return AgencyFactory(name="Rows Primary", type=AgencyType.SCHOOL)


@pytest.fixture
def teacher(school):
    return UserFactory(role=Role.REFERRER, agency=school, first_name="Tess", last_name="Teach")


@pytest.fixture
def lead(school):
    return UserFactory(role=Role.AGENCY_LEAD, agency=school)


def decided(teacher, reference, *, hours_ago=30, **decision):
    referral = ReferralFactory(
        referrer=teacher,
        reference=reference,
        received_at=NOW - timedelta(hours=hours_ago),
        decision_due_at=NOW - timedelta(hours=hours_ago - 24),
    )
    decision.setdefault("decided_at", NOW - timedelta(hours=hours_ago - 2))
    return DecisionFactory(referral=referral, **decision)


def test_an_amended_decision_shows_the_latest_amendment_and_its_feedback(teacher):
    decision = decided(teacher, "FD-2026-610001", feedback="The first feedback.")
    DecisionAmendmentFactory(
        decision=decision,
        outcome=Outcome.ASSESSMENT_S17,
        feedback="Second thoughts.",
        amended_at=NOW - timedelta(hours=20),
    )
    DecisionAmendmentFactory(
        decision=decision,
        outcome=Outcome.NO_FURTHER_ACTION,
        feedback="Third & final <thoughts>.",
        amended_at=NOW - timedelta(hours=10),
    )

    html = row(page(teacher), "FD-2026-610001")

    assert '<strong>No further action</strong> <span class="govuk-body-s">(amended)</span>' in html
    assert "Third &amp; final &lt;thoughts&gt;." in html
    assert "Second thoughts" not in html and "The first feedback" not in html
    assert "Challenge this decision" in html


def test_an_unamended_decision_shows_its_own_outcome_and_feedback(teacher):
    decided(teacher, "FD-2026-610002", outcome=Outcome.EARLY_HELP, feedback="Early help offered.")

    html = row(page(teacher), "FD-2026-610002")

    assert "<strong>Early help</strong>\n" in html
    assert "(amended)" not in html
    assert '<div class="govuk-details__text fd-preserve-lines">Early help offered.</div>' in html
    assert 'data-clock-state="decided"' in html


def test_no_feedback_no_details(teacher):
    decided(teacher, "FD-2026-610003", feedback="")

    assert "govuk-details" not in row(page(teacher), "FD-2026-610003")


def test_an_open_challenge_to_the_decision_is_shown_and_no_second_can_be_raised(teacher):
    decision = decided(teacher, "FD-2026-610004")
    challenge = ChallengeFactory(
        decision=decision,
        raised_at=NOW - timedelta(hours=3),
        stage_due_at=datetime(2026, 3, 12, 17, 5, tzinfo=UTC),
    )

    html = row(page(teacher), "FD-2026-610004")

    assert (
        f'<a class="govuk-link" href="/challenges/{challenge.pk}/">Challenge open: stage 1, '
        "response due by Thu 12 Mar 2026, 17:05"
    ) in html
    assert "Challenge this decision" not in html


def test_the_newest_resolved_challenge_is_shown_with_the_link_to_raise_another(teacher):
    decision = decided(teacher, "FD-2026-610005")
    found = []
    for hours_ago, resolution in ((8, Resolution.UPHELD), (4, Resolution.NOT_UPHELD)):
        challenge = ChallengeFactory(decision=decision, raised_at=NOW - timedelta(hours=hours_ago))
        Challenge.objects.filter(pk=challenge.pk).update(
            status=Challenge.Status.RESOLVED,
            resolution=resolution,
            resolution_reasons="Looked at again.",
            resolved_by=decision.decided_by,
            resolved_at=NOW - timedelta(hours=hours_ago - 1),
        )
        found.append(challenge)
    older, newer = found

    html = row(page(teacher), "FD-2026-610005")

    assert f'href="/challenges/{newer.pk}/">Challenge resolved: Challenge not upheld<' in html
    assert f"/challenges/{older.pk}/" not in html
    referral_id = decision.referral_id
    assert f'href="/challenges/raise/{referral_id}/">Challenge this decision<' in html


def test_discussions_with_a_section_47_outcome_are_listed_newest_first_with_their_challenges(
    teacher,
):
    decision = decided(teacher, "FD-2026-610006", hours_ago=100)
    referral = decision.referral
    first = StrategyDiscussionFactory(
        referral=referral,
        held_at=datetime(2026, 3, 6, 10, 0, tzinfo=UTC),
        section47_outcome=Section47Outcome.SINGLE_AGENCY,
    )
    second = StrategyDiscussionFactory(
        referral=referral,
        held_at=datetime(2026, 3, 8, 10, 0, tzinfo=UTC),
        section47_outcome=Section47Outcome.NO_ENQUIRY,
        no_enquiry_reason="Harm not likely: early help instead.",
    )
    StrategyDiscussionFactory(referral=referral, held_at=datetime(2026, 3, 9, tzinfo=UTC))
    challenge = Challenge.objects.create(
        referral=referral,
        discussion=first,
        raised_by=teacher,
        raised_at=NOW - timedelta(hours=2),
        reason="The police were not asked.",
        stage=EscalationStage.objects.get(order=1),
        stage_started_at=NOW - timedelta(hours=2),
        stage_due_at=datetime(2026, 3, 11, 9, 0, tzinfo=UTC),
        owner=decision.decided_by,
    )

    html = row(page(teacher), "FD-2026-610006")

    outcomes = re.findall(r'data-testid="discussion-outcome">([^<]*)<strong>([^<]*)<', html)
    assert outcomes == [
        ("Strategy discussion, 8 Mar 2026: ", "No section 47 enquiry"),
        (
            "Strategy discussion, 6 Mar 2026: ",
            "Section 47 enquiry: children&#x27;s social care alone",
        ),
    ]
    assert f'href="/challenges/raise/discussion/{second.pk}/">Challenge this outcome<' in html
    assert f"/challenges/raise/discussion/{first.pk}/" not in html
    assert (
        f'href="/challenges/{challenge.pk}/">Challenge open: stage 1, response due by '
        'Wed 11 Mar 2026, 09:00<span class="govuk-visually-hidden"> (the discussion\'s outcome on '
        "FD-2026-610006)</span>"
    ) in html


def test_an_undecided_row_says_so_with_its_clock(teacher):
    ReferralFactory(
        referrer=teacher,
        reference="FD-2026-610007",
        received_at=NOW - timedelta(hours=2),
        decision_due_at=NOW + timedelta(hours=22),
        immediate_risk=True,
    )

    html = row(page(teacher), "FD-2026-610007")

    assert "        Not decided yet\n" in html
    assert 'data-clock-state="on_time"' in html
    assert '<br><strong class="govuk-tag govuk-tag--red">Immediate risk</strong>' in html
    assert '<strong class="govuk-tag govuk-tag--grey">Received</strong>' in html
    assert "Tue 10 Mar 2026, 10:00" in html  # received, in the current time zone


def test_what_people_wrote_is_escaped_and_the_lead_sees_who_referred(teacher, lead):
    ReferralFactory(
        referrer=teacher,
        reference="FD-2026-610008",
        child_first_name="<script>x</script>",
        child_last_name="O'Hara",
        referrer_name='Tess "T" & co',
        received_at=NOW - timedelta(hours=1),
    )
    ReferralFactory(
        referrer=teacher,
        reference="FD-2026-610009",
        referrer_name="",
        received_at=NOW - timedelta(hours=1),
    )

    html = page(lead)

    mine = row(html, "FD-2026-610008")
    assert "&lt;script&gt;x&lt;/script&gt; O&#x27;Hara" in mine
    assert "Tess &quot;T&quot; &amp; co" in mine
    assert "<script>x" not in html
    assert '<td class="govuk-table__cell">—</td>' in row(html, "FD-2026-610009")
    # A referrer's own list has no "Referred by" column.
    assert "Tess &quot;T&quot;" not in page(teacher)


def test_after_decision_reads_only_for_the_rows_given(teacher):
    shown = decided(teacher, "FD-2026-610010")
    other = decided(teacher, "FD-2026-610011")
    ChallengeFactory(decision=other)
    DecisionAmendmentFactory(decision=other)
    StrategyDiscussionFactory(
        referral=other.referral, section47_outcome=Section47Outcome.JOINT_POLICE
    )

    found = after_decision(decided_ids=[shown.referral_id], referral_ids=[shown.referral_id])

    assert (found.amendments, found.challenges, found.discussions) == ({}, {}, {})


def test_after_decision_reads_nothing_for_an_empty_page(django_assert_num_queries):
    with django_assert_num_queries(0):
        found = after_decision(decided_ids=[], referral_ids=[])

    assert (found.amendments, found.challenges, found.discussions) == ({}, {}, {})


def test_the_referred_by_names_are_the_peoples_display_names(school):
    people = [
        UserFactory(agency=school, first_name="Ann", last_name="Lee"),
        UserFactory(agency=school, first_name="", last_name="", username="no-name-given"),
        UserFactory(agency=school, first_name="", last_name="Only"),
    ]

    for person in people:
        assert person_label(person.first_name, person.last_name, person.username) == (
            person.display_name
        )


def full_page(teacher, n: int, start: int):
    """Rows of every kind: undecided, decided, amended, challenged, discussed, siblings."""
    for i in range(n):
        decision = decided(teacher, f"FD-2026-62{start + i:04d}", hours_ago=30 + i)
        DecisionAmendmentFactory(decision=decision)
        ChallengeFactory(decision=decision)
        StrategyDiscussionFactory(
            referral=decision.referral, section47_outcome=Section47Outcome.JOINT_POLICE
        )
        ReferralFactory(
            referrer=teacher,
            submission=decision.referral.submission,
            reference=f"FD-2026-63{start + i:04d}",
            received_at=decision.referral.received_at,
        )


# Signing in (the session, and the user with the lead's agency), the page's rows, after
# each decision (amendments, discussions, challenges), the siblings, the access log's
# row, the inbox's count, their unsent referrals, and for a lead the people of the agency
# for "Referred by".
LEAD_STATEMENTS = 11


def test_a_leads_page_runs_a_fixed_number_of_statements_whatever_it_holds(
    teacher, lead, django_assert_num_queries
):
    full_page(teacher, 2, 0)
    with time_machine.travel(NOW, tick=False):
        client = client_for(lead)
        with django_assert_num_queries(LEAD_STATEMENTS):
            first = client.get("/referrals/mine/")
        full_page(teacher, 10, 100)
        with django_assert_num_queries(LEAD_STATEMENTS):
            second = client.get("/referrals/mine/")

    assert first.content.decode().count('data-testid="discussion-outcome"') == 2
    assert second.content.decode().count('data-testid="discussion-outcome"') == 12


def test_the_decision_due_time_names_its_day(teacher):
    ReferralFactory(
        referrer=teacher,
        reference="FD-2026-610010",
        received_at=NOW - timedelta(hours=2),
        decision_due_at=NOW + timedelta(hours=22),
    )

    html = row(page(teacher), "FD-2026-610010")

    assert '<td class="govuk-table__cell">Wed 11 Mar 2026, 10:00</td>' in html


def test_the_received_and_decided_times_name_their_day_too(teacher):
    # Beside "Wed 11 Mar" a bare "10 Mar" read as a different kind of date; the
    # referral's own page names the day of each.
    decided(teacher, "FD-2026-610011")  # received Mon 9 Mar 06:00, decided 08:00

    html = row(page(teacher), "FD-2026-610011")

    assert '<td class="govuk-table__cell">Mon 9 Mar 2026, 06:00</td>' in html
    assert '<span class="fd-time-left">Mon 9 Mar 2026, 08:00</span>' in html


def test_the_referrals_page_names_the_day_it_was_decided(teacher):
    decision = decided(teacher, "FD-2026-610012")

    with time_machine.travel(NOW, tick=False):
        html = client_for(teacher).get(f"/referrals/{decision.referral_id}/").content.decode()

    assert '<span class="fd-time-left">Mon 9 Mar 2026, 08:00</span>' in html


def test_a_challenge_due_at_midnight_is_due_by_the_end_of_the_day_before(teacher):
    # "Wed 2 Dec, 00:00" was read on the Friday before as "some time on Wednesday".
    decision = decided(teacher, "FD-2026-610013")
    ChallengeFactory(
        decision=decision,
        raised_at=NOW - timedelta(hours=3),
        stage_due_at=datetime(2026, 3, 13, 0, 0, tzinfo=UTC),  # midnight, Europe/London
    )

    html = row(page(teacher), "FD-2026-610013")

    assert "Challenge open: stage 1, response due by the end of Thu 12 Mar 2026<" in html
    assert "00:00" not in html
