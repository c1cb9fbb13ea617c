"""The screening page says where a referral came from in words, as the census counts it
("Schools"), with the census code beside it in brackets for the census return; never
the bare code ("Census source 2A"), which a screener does not say."""

import pytest

from agencies.census import AgencyType
from agencies.models import Role
from referrals.census import CallerType
from tests.factories import AgencyFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("agency_type", "words"),
    [
        (AgencyType.SCHOOL, "Schools (census code 2A)"),
        (AgencyType.HEALTH_VISITING, "Health services: health visitor (census code 3B)"),
        (AgencyType.POLICE, "Police (census code 6)"),
    ],
)
def test_the_screening_page_says_the_source_in_words_with_the_code(
    screener_client, agency_type, words
):
    referral = ReferralFactory(agency=AgencyFactory(type=agency_type))

    page = screener_client.get(f"/triage/referrals/{referral.pk}/").content.decode()

    assert f"Source of referral: {words}" in page
    assert "Census source" not in page


def test_an_anonymous_callers_source_is_in_words_too(screener_client):
    recorder = UserFactory(role=Role.SCREENER)
    referral = ReferralFactory(
        referrer=None,
        agency=None,
        submission__submitted_by=recorder,
        recorded_by=recorder,
        caller_type=CallerType.ANONYMOUS,
        source_of_referral="9",
    )

    page = screener_client.get(f"/triage/referrals/{referral.pk}/").content.decode()

    assert "Source of referral: Anonymous (census code 9)" in page
