"""The referral form's pages sent with answers missing or changed by hand (a missing
radio, a choice no page offers): each message names its field, never Django's own
"This field is required." or "Select a valid choice. zz is not one of the available
choices.", which said nothing of which answer was wrong."""

import pytest

from tests.referrals.helpers import CHILD, CHILD_WORLD, CONCERNS, FAMILY, start_draft

pytestmark = pytest.mark.django_db

DJANGO_OWN = ("This field is required.", "Select a valid choice.")


def _page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_a_child_sent_with_nothing_names_every_answer_missing(referrer_client):
    draft = start_draft(referrer_client)

    page = _page(referrer_client.post(f"/referrals/new/{draft.pk}/child/new/", {}))

    assert "Choose the child&#x27;s gender, or &#x27;Not known&#x27;" in page
    assert not any(message in page for message in DJANGO_OWN)


@pytest.mark.parametrize(
    ("slug", "data", "message"),
    [
        (
            "concerns",
            {**CONCERNS, "immediate_risk": "zz"},
            "Is the child at risk of immediate harm?: choose one of the options given",
        ),
        (
            "concerns",
            {**CONCERNS, "concerns": ["zz"]},
            "What kinds of concern are there?: choose one of the options given",
        ),
        (
            "child-world",
            {**CHILD_WORLD, "new_or_pattern": "zz"},
            "Is this new, or part of a pattern?: choose one of the options given",
        ),
        (
            "family",
            {**FAMILY, "parental_consent": "zz"},
            "Do the parents or carers know about this referral?: choose one of the options",
        ),
        ("child/new", {**CHILD, "child_gender": "zz"}, "Gender: choose one of the options given"),
    ],
    ids=["immediate-risk", "concerns", "new-or-pattern", "consent", "gender"],
)
def test_a_choice_no_page_offers_is_refused_naming_its_question(
    referrer_client, slug, data, message
):
    draft = start_draft(referrer_client)

    page = _page(referrer_client.post(f"/referrals/new/{draft.pk}/{slug}/", data))

    assert message in page
    assert not any(own in page for own in DJANGO_OWN)
