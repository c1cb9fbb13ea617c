"""Who should be at a strategy discussion: the membership checks, as one pure function.

Working Together to Safeguard Children expects police, children's social care and health
at every strategy discussion; the inspection found discussions held without the
best-placed health professional (a community paediatrician alone, where the child's GP,
health visitor or school nurse knows the child) and without the child's school. The
service, the pages and the API all ask ``membership_warnings``; it touches no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class MembershipWarning(StrEnum):
    NO_POLICE = "no_police"
    NO_SOCIAL_CARE = "no_social_care"
    NO_HEALTH = "no_health"
    PAEDIATRICIAN_ONLY_HEALTH = "paediatrician_only_health"
    SCHOOL_ABSENT = "school_absent"


WARNING_TEXT = {
    MembershipWarning.NO_POLICE: "No police officer attended.",
    MembershipWarning.NO_SOCIAL_CARE: "No one from children's social care attended.",
    MembershipWarning.NO_HEALTH: "No health professional attended.",
    MembershipWarning.PAEDIATRICIAN_ONLY_HEALTH: (
        "The only health attendee is a community paediatrician. Invite the health "
        "professional who knows the child best: their GP, health visitor or school nurse."
    ),
    MembershipWarning.SCHOOL_ABSENT: (
        "The child is of school age and no one from their school attended."
    ),
}

# The warnings a manager may go on past only by recording why: the statutory core.
CORE_MEMBERSHIP = frozenset(
    {MembershipWarning.NO_POLICE, MembershipWarning.NO_SOCIAL_CARE, MembershipWarning.NO_HEALTH}
)

# Agency types (agencies.census.AgencyType values) by the part they play.
POLICE_TYPES = frozenset({"police"})
SOCIAL_CARE_TYPES = frozenset({"childrens_social_care"})
HEALTH_TYPES = frozenset({"gp", "health_visiting", "school_nursing", "hospital", "camhs"})
SCHOOL_TYPES = frozenset({"school"})
HEALTH_ROLES = frozenset({"community_paediatrician", "gp", "health_visitor", "school_nurse"})
PAEDIATRICIAN = "community_paediatrician"

# Compulsory school age in England: from the term after the fifth birthday to the last
# Friday in June of the school year of the sixteenth; by whole years, 5 to 16.
SCHOOL_AGE = range(5, 17)


@dataclass(frozen=True)
class AttendeeFact:
    agency_id: int | None
    agency_type: str
    role: str
    attended: bool


@dataclass(frozen=True)
class ChildFact:
    age_years: int | None = None
    # The child's school as an agency, when it is known to be one.
    school_agency_id: int | None = None


def membership_warnings(
    attendees: Iterable[AttendeeFact], child: ChildFact
) -> list[MembershipWarning]:
    """The warning codes for this attendee list, in a fixed order. Only those who
    attended count: an invitation nobody answered is not a presence."""
    present = [a for a in attendees if a.attended]
    warnings: list[MembershipWarning] = []
    if not any(a.agency_type in POLICE_TYPES for a in present):
        warnings.append(MembershipWarning.NO_POLICE)
    if not any(a.agency_type in SOCIAL_CARE_TYPES for a in present):
        warnings.append(MembershipWarning.NO_SOCIAL_CARE)
    health = [a for a in present if a.agency_type in HEALTH_TYPES or a.role in HEALTH_ROLES]
    if not health:
        warnings.append(MembershipWarning.NO_HEALTH)
    elif all(a.role == PAEDIATRICIAN for a in health):
        warnings.append(MembershipWarning.PAEDIATRICIAN_ONLY_HEALTH)
    if child.age_years is not None and child.age_years in SCHOOL_AGE:
        if child.school_agency_id is not None:
            school_there = any(a.agency_id == child.school_agency_id for a in present)
        else:
            school_there = any(a.agency_type in SCHOOL_TYPES for a in present)
        if not school_there:
            warnings.append(MembershipWarning.SCHOOL_ABSENT)
    return warnings
