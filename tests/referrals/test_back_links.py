"""The referral form's back link goes to the step before (GOV.UK's back link pattern),
the drafts list before the first step, and "check your answers" for a change made from
it: not to the drafts list from every step."""

import re

import pytest

from tests.referrals.helpers import fill_referral, start_draft

pytestmark = pytest.mark.django_db


def _back(client, url: str) -> str:
    page = client.get(url).content.decode()
    links = re.findall(r'<a href="([^"]*)" class="govuk-back-link">Back</a>', page)
    assert len(links) == 1, page
    return links[0]


def test_each_step_of_a_referrers_form_goes_back_to_the_one_before(referrer_client):
    draft = fill_referral(referrer_client)
    new = f"/referrals/new/{draft.pk}"

    # The referrer's steps: the children, each section, then the check page.
    assert _back(referrer_client, f"{new}/children/") == "/referrals/new/"
    assert _back(referrer_client, f"{new}/child/0/") == f"{new}/children/"
    assert _back(referrer_client, f"{new}/child/new/") == f"{new}/children/"
    assert _back(referrer_client, f"{new}/concerns/") == f"{new}/children/"
    assert _back(referrer_client, f"{new}/child-world/") == f"{new}/concerns/"
    assert _back(referrer_client, f"{new}/family/") == f"{new}/child-world/"
    assert _back(referrer_client, f"{new}/next-steps/") == f"{new}/family/"
    assert _back(referrer_client, f"{new}/your-details/") == f"{new}/next-steps/"
    assert _back(referrer_client, f"{new}/check/") == f"{new}/your-details/"


def test_the_first_child_of_a_new_draft_goes_back_to_the_drafts_list(referrer_client):
    draft = start_draft(referrer_client)

    assert _back(referrer_client, f"/referrals/new/{draft.pk}/child/new/") == "/referrals/new/"


def test_a_phone_referral_starts_with_how_it_was_received(screener_client):
    draft = start_draft(screener_client)
    new = f"/referrals/new/{draft.pk}"

    assert _back(screener_client, f"{new}/received/") == "/referrals/new/"
    assert _back(screener_client, f"{new}/child/new/") == f"{new}/received/"
    # No "your details" for a screener: the check page follows what needs to happen.
    assert _back(screener_client, f"{new}/check/") == f"{new}/next-steps/"


def test_a_change_from_check_your_answers_goes_back_to_it(referrer_client):
    draft = fill_referral(referrer_client)
    new = f"/referrals/new/{draft.pk}"

    assert _back(referrer_client, f"{new}/family/?return=check") == f"{new}/check/"
    assert _back(referrer_client, f"{new}/child/0/?return=check") == f"{new}/check/"
