"""The performance pages and their CSV: the period form's messages, the charts and
tables, the CSV of each table, and who sees which agency's figures."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
import time_machine

from agencies.census import AgencyType
from agencies.models import Role
from core.clock import LONDON
from referrals.models import Outcome
from reporting import performance_tables
from reporting.performance_views import safe_cell
from tests import factories as f
from tests.clients import client_for

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 4, 17, 12, 0, tzinfo=LONDON)
PAGE, CSV = "/dashboard/performance/", "/dashboard/performance/csv/"
AGENCY, AGENCY_CSV = "/dashboard/agency/", "/dashboard/agency/csv/"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def decided(agency, *, hours, outcome=Outcome.EARLY_HELP, received=NOW - timedelta(days=3)):
    referrer = f.UserFactory(role=Role.REFERRER, agency=agency)
    ref = f.ReferralFactory(referrer=referrer, received_at=received)
    f.DecisionFactory(referral=ref, decided_at=received + timedelta(hours=hours), outcome=outcome)
    return ref


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def dates(prefix, day, month, year) -> dict:
    return {f"{prefix}_day": day, f"{prefix}_month": month, f"{prefix}_year": year}


# --- The managers' page ----------------------------------------------------------------


def test_manager_sees_every_figure_with_its_chart_table_and_how_it_is_counted(manager_client):
    decided(f.AgencyFactory(name="Page School"), hours=2)
    page = manager_client.get(PAGE).content.decode()
    for key in performance_tables.TABLE_KEYS:
        assert f'data-testid="figure-{key}"' in page
        assert f"table={key}" in page
    assert page.count('role="img"') == page.count("<svg")
    assert "How this is counted:" in page
    assert "w/c 13 Apr 2026" in page and "w/c 26 Jan 2026" in page  # 12 weeks
    assert "w/c 19 Jan 2026" not in page


def test_auditor_reads_the_page_too(auditor_client):
    assert auditor_client.get(PAGE).status_code == 200


def test_an_empty_week_says_no_referrals_not_zero_percent(manager_client):
    page = manager_client.get(PAGE).content.decode()
    assert "No referrals" in page
    assert 'numeric">0%</td>' not in page  # no table cell says 0% (the axis may)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (dates("from", "31", "2", "2026"), "The from date must be a real date"),
        (dates("to", "x", "4", "2026"), "The to date must be a real date"),
        (dates("from", "1", "", "2026"), "The from date must include a month"),
        (
            {**dates("from", "10", "4", "2026"), **dates("to", "1", "4", "2026")},
            "The to date must be the same as or after the from date",
        ),
        (
            {**dates("from", "1", "1", "2023"), **dates("to", "1", "4", "2026")},
            "The period must be 2 years or shorter",
        ),
        (dates("to", "1", "1", "2030"), "The to date must be no later than next week"),
        ({"agency": "abc"}, "Choose an agency from the list"),
        ({"agency": "987654"}, "Choose an agency from the list"),
        ({"agency_type": "wizards"}, "Choose an agency type from the list"),
    ],
)
def test_bad_input_gets_400_with_a_message_beside_its_field(manager_client, query, message):
    response = manager_client.get(PAGE, query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()


def test_a_chosen_period_shows_its_whole_weeks(manager_client):
    query = {**dates("from", "1", "4", "2026"), **dates("to", "8", "4", "2026")}
    page = manager_client.get(PAGE, query).content.decode()
    assert "w/c 30 Mar 2026" in page and "w/c 6 Apr 2026" in page
    assert "w/c 23 Mar 2026" not in page and "w/c 13 Apr 2026" not in page


def test_filter_by_agency_shows_only_that_agencys_referrals(manager_client):
    school = f.AgencyFactory(name="Filter Page School", type=AgencyType.SCHOOL)
    police = f.AgencyFactory(name="Filter Page Police", type=AgencyType.POLICE)
    decided(school, hours=2)
    decided(police, hours=2)
    response = manager_client.get(CSV, {"table": "by_agency", "agency": police.pk})
    assert rows_of(response)[1:] == [["Filter Page Police", "Police", "1"]]
    response = manager_client.get(CSV, {"table": "by_agency", "agency_type": "school"})
    assert rows_of(response)[1:] == [["Filter Page School", "School", "1"]]


# --- CSV ---------------------------------------------------------------------------------


@pytest.mark.parametrize("key", performance_tables.TABLE_KEYS)
def test_every_table_downloads_as_csv_with_its_columns(manager_client, key):
    decided(f.AgencyFactory(name="Csv School"), hours=2)
    response = manager_client.get(CSV, {"table": key})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = rows_of(response)
    (table,) = performance_tables.figures(
        period=performance_tables.Period.covering(NOW.date() - timedelta(weeks=11), NOW.date()),
        scope=performance_tables.Scope(),
        now=NOW,
        keys=(key,),
    )
    assert rows[0][1:] == [c.label for c in table.columns]
    assert len(rows) == 1 + len(table.rows)


def test_csv_of_decided_in_time_holds_the_hand_counted_figures(manager_client):
    school = f.AgencyFactory(name="Csv Count School")
    decided(school, hours=2)
    decided(school, hours=24)  # at the due time: late
    rows = rows_of(manager_client.get(CSV, {"table": "in_time"}))
    assert rows[0] == [
        "week_beginning", "Referrals decided or due", "Decided in time", "Share decided in time",
    ]  # fmt: skip
    assert rows[-2] == ["2026-04-06", "0", "0", ""]  # empty week: no share, not 0
    assert rows[-1] == ["2026-04-13", "2", "1", "50.0"]


def test_csv_holds_no_childrens_personal_data(manager_client):
    ref = decided(f.AgencyFactory(name="Private School"), hours=2)
    for key in performance_tables.TABLE_KEYS:
        body = manager_client.get(CSV, {"table": key}).content.decode()
        assert ref.child_first_name not in body
        assert ref.reference not in body


def test_csv_cells_that_a_spreadsheet_would_run_start_with_an_apostrophe(manager_client):
    decided(f.AgencyFactory(name='=HYPERLINK("http://x.invalid")'), hours=2)
    rows = rows_of(manager_client.get(CSV, {"table": "by_agency"}))
    assert rows[1][0] == '\'=HYPERLINK("http://x.invalid")'
    assert [safe_cell(v) for v in ("+1", "-1", "@a", "ok", 3, 2.25, None)] == [
        "'+1", "'-1", "'@a", "ok", "3", "2.2", "",
    ]  # fmt: skip


def test_csv_without_a_known_table_is_400_naming_the_parameter(manager_client):
    response = manager_client.get(CSV, {"table": "secrets"})
    assert response.status_code == 400
    assert response.content.decode().startswith("table:")


def test_csv_with_a_bad_date_is_400_naming_the_field(manager_client):
    response = manager_client.get(CSV, {"table": "in_time", **dates("from", "99", "1", "2026")})
    assert response.status_code == 400
    assert "from: The from date must be a real date" in response.content.decode()


# --- One agency's figures ------------------------------------------------------------------


@pytest.fixture
def two_agencies():
    """The lead's school with one referral decided in 2 hours, and a police force with a
    distinctive figure: seven referrals, all to section 47, all decided in 50 hours."""
    school = f.AgencyFactory(name="Lead Own School", type=AgencyType.SCHOOL)
    police = f.AgencyFactory(name="Zzyzx Constabulary", type=AgencyType.POLICE)
    decided(school, hours=2)
    for _ in range(7):
        decided(police, hours=50, outcome=Outcome.STRATEGY_S47)
    lead = f.UserFactory(role=Role.AGENCY_LEAD, agency=school)
    return school, police, lead


def test_lead_sees_only_their_own_agencys_figures(two_agencies):
    school, _police, lead = two_agencies
    page = client_for(lead).get(AGENCY).content.decode()
    assert "Lead Own School: performance" in page
    assert "Zzyzx" not in page
    assert "50.0" not in page  # the police's time to decision
    assert "Strategy discussion (section 47)" not in page  # no outcome column of theirs
    rows = rows_of(client_for(lead).get(AGENCY_CSV, {"table": "time_to_decision"}))
    assert rows[-1] == ["2026-04-13", "1", "2.0", "2.0"]


def test_lead_naming_another_agency_gets_404_not_its_figures(two_agencies):
    _school, police, lead = two_agencies
    client = client_for(lead)
    assert client.get(AGENCY, {"agency": police.pk}).status_code == 404
    response = client.get(AGENCY_CSV, {"table": "outcomes", "agency": police.pk})
    assert response.status_code == 404
    assert "s47" not in response.content.decode()


def test_lead_cannot_use_the_all_agency_page_or_its_csv(two_agencies):
    client = client_for(two_agencies[2])
    assert client.get(PAGE).status_code == 403
    assert client.get(CSV, {"table": "by_agency"}).status_code == 403


def test_lead_agency_csv_offers_only_the_agency_tables(two_agencies):
    response = client_for(two_agencies[2]).get(AGENCY_CSV, {"table": "by_agency"})
    assert response.status_code == 400


def test_manager_chooses_an_agency_on_the_agency_page(manager_client, two_agencies):
    _school, police, _lead = two_agencies
    assert 'data-testid="choose-agency"' in manager_client.get(AGENCY).content.decode()
    page = manager_client.get(AGENCY, {"agency": police.pk}).content.decode()
    assert "Zzyzx Constabulary: performance" in page
    rows = rows_of(manager_client.get(AGENCY_CSV, {"table": "outcomes", "agency": police.pk}))
    assert rows[-1] == ["2026-04-13", "7", "7"]


@pytest.mark.parametrize("role", [Role.REFERRER, Role.SCREENER, Role.PARTNER, Role.ADMIN])
def test_others_are_refused_every_performance_address(role):
    client = client_for(f.UserFactory(role=role))
    for url in (PAGE, CSV, AGENCY, AGENCY_CSV):
        assert client.get(url, {"table": "in_time"}).status_code == 403
