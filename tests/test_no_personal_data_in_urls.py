"""No personal data in a URL the application builds (issue 13, part 4): web servers,
proxies and browsers' histories keep URLs, so names, dates of birth, NHS numbers and
free text never go in a query string. The child-matching API takes its details in a
POST body (tests/referrals/test_matching_api.py); these guard the pages."""

import re
from datetime import date
from pathlib import Path

import django_filters
import pytest
from django import forms

from referrals.filters import MyReferralsFilter
from reporting.performance_forms import PeriodForm
from triage.forms import QueueFilter
from triage.list_filters import ChallengeFilter, StrategyFilter

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Query parameters the templates may build: ids, codes, flags, pages and dates of a
# reporting period, never a person's details.
SAFE_PARAMETERS = {
    # A user's id, as the rate alerts name an account (the access log's filter).
    "account",
    "actions_overdue",
    # A child's whole chronology on one page, for printing (?all=on).
    "all",
    "assigned_to",
    "break_glass",
    "collection_year",
    # A list's position (referrals/pagination.py): the order's timestamp and id, encoded.
    "cursor",
    "due_soon",
    "format",
    "minutes_overdue",
    # The page a chronology goes back to: a path of this site, of ids only (the decision
    # page's, the strategy discussion's), checked against the pages that link there.
    "next",
    "overdue",
    "page",
    "referral",
    "return",
    "stage",
    "status",
    "table",
    "unallocated_flagged",
}
PERSONAL = re.compile(r"name|birth|dob|nhs|postcode|address|phone|email|search|^q$")
URL_ATTRIBUTE = re.compile(r'\b(?:href|action|src|hx-get|hx-post)="([^"]*)"')
PARAMETER = re.compile(r"(?:\?|&amp;|&|%\})\s*([a-z_]+)=")


def test_every_query_parameter_a_template_builds_is_a_safe_one():
    found = {}
    for path in TEMPLATES.rglob("*.html"):
        for url in URL_ATTRIBUTE.findall(path.read_text()):
            for name in PARAMETER.findall(url):
                found.setdefault(name, set()).add(path.relative_to(TEMPLATES).as_posix())

    assert found, "the scan found no links at all: the pattern is broken"
    unexpected = {name: paths for name, paths in found.items() if name not in SAFE_PARAMETERS}
    assert unexpected == {}


@pytest.mark.parametrize(
    "filterset", [MyReferralsFilter, QueueFilter, ChallengeFilter, StrategyFilter]
)
def test_the_lists_filtered_by_query_string_take_no_free_text_or_personal_details(filterset):
    for name, item in filterset.base_filters.items():
        assert not isinstance(item, django_filters.CharFilter), name
        assert not PERSONAL.search(name), name


@pytest.mark.django_db
def test_the_performance_period_in_the_query_string_takes_no_free_text():
    form = PeriodForm(today=date(2026, 5, 6))

    for name, field in form.fields.items():
        assert not PERSONAL.search(name), name
        assert type(field) is not forms.CharField, name


@pytest.mark.django_db
def test_the_user_admin_offers_no_search_that_would_put_a_name_in_the_url(sysadmin_client):
    page = sysadmin_client.get("/admin/agencies/user/").content.decode()

    assert 'id="searchbar"' not in page
    assert 'name="q"' not in page
