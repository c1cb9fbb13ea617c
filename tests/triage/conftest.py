"""The world of the information requests' tests (test_information_requests.py,
test_information_request_pages.py, test_information_request_screening.py): a health
visiting service, a police force and children's social care, a screener and a partner
user of each agency asked, and a referral; and the agencies the date bounds' tests ask
(test_date_bounds.py, test_date_bounds_requests.py). A module of tests/triage/ that
defines a fixture of the same name uses its own."""

import pytest

from agencies.census import AgencyType
from agencies.models import Role
from tests.factories import AgencyFactory, ReferralFactory, UserFactory


@pytest.fixture
def health():
    return AgencyFactory(name="Test Health Visiting", type=AgencyType.HEALTH_VISITING)


@pytest.fixture
def police():
    return AgencyFactory(name="Test Police", type=AgencyType.POLICE)


@pytest.fixture
def social_care():
    return AgencyFactory(name="Test Social Care", type=AgencyType.CHILDRENS_SOCIAL_CARE)


@pytest.fixture
def screener(social_care):
    return UserFactory(role=Role.SCREENER, agency=social_care, first_name="Alex", last_name="Moss")


@pytest.fixture
def health_partner(health):
    return UserFactory(role=Role.PARTNER, agency=health)


@pytest.fixture
def police_partner(police):
    return UserFactory(role=Role.PARTNER, agency=police)


@pytest.fixture
def referral():
    return ReferralFactory(
        child_first_name="Rowan",
        child_last_name="Testchild",
        child_postcode="NE1 4XX",
        referrer_phone="07700 900123",
        worry="Unexplained bruising seen on the forearm during PE.",
        lived_experience="Cares for a younger sibling most mornings.",
        child_voice="Said home is noisy at night.",
    )


@pytest.fixture
def agencies():
    return {
        "police": AgencyFactory(type=AgencyType.POLICE),
        "csc": AgencyFactory(type=AgencyType.CHILDRENS_SOCIAL_CARE),
        "hv": AgencyFactory(type=AgencyType.HEALTH_VISITING),
    }
