"""The DfE children-in-need census "source of referral" codes, and which agency type
maps to which. This is the one table; everything else asks it.

Source: the DfE CIN census guidance as encoded by the data-to-insight CIN validator;
check against the census guide for the year before relying on it.
"""

from __future__ import annotations

from django.db import models

SOURCE_OF_REFERRAL: dict[str, str] = {
    "1A": "Individual: family member, relative or carer",
    "1B": "Individual: acquaintance (including neighbours and child minders)",
    "1C": "Individual: self",
    "1D": "Individual: other",
    "2A": "Schools",
    "2B": "Education services",
    "3A": "Health services: GP",
    "3B": "Health services: health visitor",
    "3C": "Health services: school nurse",
    "3D": "Health services: other primary health services",
    "3E": "Health services: A&E",
    "3F": "Health services: other",
    "4": "Housing (local authority or housing association)",
    "5A": "Local authority services: social care (for example adults' social care)",
    "5B": "Local authority services: other internal",
    "5C": "Local authority services: external (for example another local authority)",
    "5D": "Early help",
    "6": "Police",
    "7": "Other legal agency (courts, probation, immigration, CAFCASS, prison)",
    "8": "Other (children's centres, voluntary sector, and others)",
    "9": "Anonymous",
    "10": "Unknown",
}


class AgencyType(models.TextChoices):
    POLICE = "police", "Police"
    SCHOOL = "school", "School"
    EARLY_YEARS = "early_years", "Early years"
    GP = "gp", "GP practice"
    HEALTH_VISITING = "health_visiting", "Health visiting"
    SCHOOL_NURSING = "school_nursing", "School nursing"
    HOSPITAL = "hospital", "Hospital"
    CAMHS = "camhs", "CAMHS"
    ADULT_MENTAL_HEALTH = "adult_mental_health", "Adult mental health"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse service"
    PROBATION = "probation", "Probation"
    YOUTH_OFFENDING = "youth_offending", "Youth offending"
    HOUSING = "housing", "Housing"
    DENTIST = "dentist", "Dentist"
    VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector"
    EARLY_HELP = "early_help", "Early help"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    OTHER = "other", "Other"


# Where the census guide leaves a choice, the reason is given beside it.
AGENCY_TYPE_SOURCE: dict[str, str] = {
    AgencyType.POLICE: "6",
    AgencyType.SCHOOL: "2A",
    # Nurseries and other early-years settings are education providers.
    AgencyType.EARLY_YEARS: "2B",
    AgencyType.GP: "3A",
    AgencyType.HEALTH_VISITING: "3B",
    AgencyType.SCHOOL_NURSING: "3C",
    # A&E referrals are 3E; a hospital agency as a whole is "other health".
    AgencyType.HOSPITAL: "3F",
    AgencyType.CAMHS: "3F",
    AgencyType.ADULT_MENTAL_HEALTH: "3F",
    # Substance-misuse services are commissioned as health (public health) services.
    AgencyType.SUBSTANCE_MISUSE: "3F",
    AgencyType.PROBATION: "7",
    AgencyType.YOUTH_OFFENDING: "7",
    AgencyType.HOUSING: "4",
    AgencyType.DENTIST: "3D",
    AgencyType.VOLUNTARY_SECTOR: "8",
    AgencyType.EARLY_HELP: "5D",
    # The authority's own children's social care referring in is "other internal".
    AgencyType.CHILDRENS_SOCIAL_CARE: "5B",
    AgencyType.OTHER: "8",
}


def source_of_referral_code(agency_type: str) -> str:
    return AGENCY_TYPE_SOURCE[AgencyType(agency_type)]
