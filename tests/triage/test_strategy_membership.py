"""The membership checks of a strategy discussion: a pure function, many cases."""

import pytest

from triage.strategy_membership import (
    AttendeeFact,
    ChildFact,
    MembershipWarning,
    membership_warnings,
)

POLICE = AttendeeFact(1, "police", "police_officer", True)
CSC = AttendeeFact(2, "childrens_social_care", "social_worker", True)
HV = AttendeeFact(3, "health_visiting", "health_visitor", True)
GP = AttendeeFact(4, "gp", "gp", True)
PAED = AttendeeFact(5, "hospital", "community_paediatrician", True)
SCHOOL = AttendeeFact(6, "school", "designated_safeguarding_lead", True)
OTHER_SCHOOL = AttendeeFact(7, "school", "designated_safeguarding_lead", True)
INFANT = ChildFact(age_years=1)


def absent(fact: AttendeeFact) -> AttendeeFact:
    return AttendeeFact(fact.agency_id, fact.agency_type, fact.role, False)


@pytest.mark.parametrize(
    ("attendees", "child", "expected"),
    [
        ([POLICE, CSC, HV], INFANT, []),
        (
            [],
            ChildFact(),
            [
                MembershipWarning.NO_POLICE,
                MembershipWarning.NO_SOCIAL_CARE,
                MembershipWarning.NO_HEALTH,
            ],
        ),
        ([CSC, HV], INFANT, [MembershipWarning.NO_POLICE]),
        ([POLICE, HV], INFANT, [MembershipWarning.NO_SOCIAL_CARE]),
        ([POLICE, CSC], INFANT, [MembershipWarning.NO_HEALTH]),
        ([POLICE, CSC, PAED], INFANT, [MembershipWarning.PAEDIATRICIAN_ONLY_HEALTH]),
        ([POLICE, CSC, PAED, GP], INFANT, []),
        ([POLICE, CSC, PAED, absent(GP)], INFANT, [MembershipWarning.PAEDIATRICIAN_ONLY_HEALTH]),
        # Invited and did not come: the same as not there.
        ([absent(POLICE), CSC, HV], INFANT, [MembershipWarning.NO_POLICE]),
        ([POLICE, CSC, absent(HV)], INFANT, [MembershipWarning.NO_HEALTH]),
        # A paediatrician recorded under another agency type still counts as health.
        (
            [POLICE, CSC, AttendeeFact(8, "other", "community_paediatrician", True)],
            INFANT,
            [MembershipWarning.PAEDIATRICIAN_ONLY_HEALTH],
        ),
        ([POLICE, CSC, GP], ChildFact(age_years=9), [MembershipWarning.SCHOOL_ABSENT]),
        ([POLICE, CSC, GP, SCHOOL], ChildFact(age_years=9), []),
        (
            [POLICE, CSC, GP, absent(SCHOOL)],
            ChildFact(age_years=9),
            [MembershipWarning.SCHOOL_ABSENT],
        ),
        ([POLICE, CSC, GP], ChildFact(age_years=4), []),
        ([POLICE, CSC, GP], ChildFact(age_years=5), [MembershipWarning.SCHOOL_ABSENT]),
        ([POLICE, CSC, GP], ChildFact(age_years=16), [MembershipWarning.SCHOOL_ABSENT]),
        ([POLICE, CSC, GP], ChildFact(age_years=17), []),
        ([POLICE, CSC, GP], ChildFact(age_years=None), []),
        # When the child's school is known, another school does not stand in for it.
        (
            [POLICE, CSC, GP, OTHER_SCHOOL],
            ChildFact(age_years=9, school_agency_id=SCHOOL.agency_id),
            [MembershipWarning.SCHOOL_ABSENT],
        ),
        ([POLICE, CSC, GP, SCHOOL], ChildFact(age_years=9, school_agency_id=6), []),
        (
            [],
            ChildFact(age_years=12),
            [
                MembershipWarning.NO_POLICE,
                MembershipWarning.NO_SOCIAL_CARE,
                MembershipWarning.NO_HEALTH,
                MembershipWarning.SCHOOL_ABSENT,
            ],
        ),
    ],
)
def test_membership_warnings(attendees, child, expected):
    assert membership_warnings(attendees, child) == expected


def test_order_of_attendees_does_not_matter():
    people = [POLICE, CSC, PAED, SCHOOL]
    child = ChildFact(age_years=10)
    assert membership_warnings(people, child) == membership_warnings(people[::-1], child)


def test_warning_codes_are_the_api_codes():
    assert {w.value for w in MembershipWarning} == {
        "no_police",
        "no_social_care",
        "no_health",
        "paediatrician_only_health",
        "school_absent",
    }
