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
