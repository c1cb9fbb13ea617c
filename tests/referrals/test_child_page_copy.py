"""What a referrer reads on the "About the child" step: nothing meant for developers."""

import pytest

from tests.referrals.helpers import start_draft

pytestmark = pytest.mark.django_db


def test_the_child_step_shows_no_template_comment_to_the_referrer(referrer_client):
    draft = start_draft(referrer_client)

    page = referrer_client.get(f"/referrals/new/{draft.pk}/child/new/").content.decode()

    assert "first language?" in page
    # Django's {# #} is one line only: a comment over three lines was printed on the page.
    assert "{#" not in page
    assert "No conditional reveal" not in page


def test_the_date_of_birth_hint_says_it_may_be_left_blank_when_not_known(referrer_client):
    """A referral may name a child whose date of birth the referrer does not know (the
    police at an incident); the hint said blank meant an unborn baby."""
    draft = start_draft(referrer_client)

    page = referrer_client.get(f"/referrals/new/{draft.pk}/child/new/").content.decode()

    assert "Leave blank if you do not know it" in page
    assert "for an unborn baby: give the expected" in page
