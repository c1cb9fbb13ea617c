"""A page shown again with an error summary starts its title with "Error: " (GOV.UK's
pattern: the title is what a screen reader says first), whichever view and form it is."""

import re

import pytest
from django.http import HttpResponse
from django.urls import reverse

from agencies.models import Role
from frontdoor.middleware import ErrorTitleMiddleware
from tests.clients import client_for
from tests.factories import ChallengeFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)


def test_a_form_shown_again_with_its_errors_has_error_first_in_its_title(make_user):
    # The screener's referral page: its template's title knows nothing of the forms on it.
    referral = ReferralFactory()
    client = client_for(make_user(Role.SCREENER))

    page = client.get(reverse("triage:referral", args=[referral.pk]))
    refused = client.post(reverse("triage:note", args=[referral.pk]), {"text": ""})

    assert page.status_code == 200
    assert not _title(page).startswith("Error:")
    assert refused.status_code == 400
    assert 'class="govuk-error-summary"' in refused.content.decode()
    assert _title(refused) == "Error: " + _title(page)


def test_a_page_whose_template_says_error_itself_says_it_once():
    challenge = ChallengeFactory()
    client = client_for(challenge.decision.referral.referrer)

    refused = client.post(reverse("challenges:reply", args=[challenge.pk]), {"text": ""})

    assert refused.status_code == 400
    assert _title(refused).startswith("Error: ")
    assert not _title(refused).startswith("Error: Error:")


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        # An htmx piece: no title to change.
        (b'<div class="govuk-error-summary">There is a problem</div>', "text/html"),
        # Not a page at all.
        (b'{"html": "<title>x</title><div class=\\"govuk-error-summary\\">"}', "application/json"),
    ],
)
def test_what_is_not_a_whole_page_is_left_as_it_is(rf, content, content_type):
    middleware = ErrorTitleMiddleware(lambda request: HttpResponse(content, content_type))

    assert middleware(rf.get("/")).content == content


def test_the_decision_page_says_error_in_its_title_once_and_only_with_errors(make_user):
    # Its template leaves the prefix to the middleware, as every page's should.
    referral = ReferralFactory()
    client = client_for(make_user(Role.MANAGER))
    url = reverse("triage:decide", args=[referral.pk])

    page = client.get(url)
    refused = client.post(url, {})

    assert page.status_code == 200
    assert _title(page).startswith(f"Decide {referral.reference}")
    assert refused.status_code == 400
    assert 'class="govuk-error-summary"' in refused.content.decode()
    assert _title(refused) == "Error: " + _title(page)


def test_the_information_request_form_says_error_in_its_title_once(make_user):
    referral = ReferralFactory()
    client = client_for(make_user(Role.SCREENER))

    refused = client.post(reverse("requests:send", args=[referral.pk]), {})

    assert 'class="govuk-error-summary"' in refused.content.decode()
    assert _title(refused).startswith("Error: Send an information request")
    assert not _title(refused).startswith("Error: Error:")


def test_no_template_writes_error_into_its_title_by_hand():
    # The middleware says it for every page with an error summary: a template that says
    # it too would depend on the middleware's check to say it once, and one whose
    # condition differs from its summary's says it where there is no error to read.
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "templates"
    by_hand = []
    for template in sorted(templates.rglob("*.html")):
        text = template.read_text()
        titles = re.findall(r"{% block title %}(.*?){% endblock", text, re.S)
        titles += re.findall(r"<title>(.*?)</title>", text, re.S)
        if any("Error" in title for title in titles):
            by_hand.append(str(template.relative_to(templates)))
    assert by_hand == []


@pytest.mark.parametrize(
    ("url_name", "data", "title"),
    [
        ("login", {"username": "", "password": ""}, "Error: Sign in"),
        ("password-change", {}, "Error: Change your password"),
    ],
)
def test_pages_whose_templates_said_error_still_say_it_once(
    make_user, client, url_name, data, title
):
    if url_name != "login":
        client.force_login(make_user(Role.REFERRER))
    url = reverse(url_name)

    page = client.get(url)
    refused = client.post(url, data)

    assert not _title(page).startswith("Error")
    assert _title(refused).startswith(title)
    assert "Error: Error:" not in _title(refused)
