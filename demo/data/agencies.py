"""Synthetic agencies and users for the demo. Every name here is invented."""

from __future__ import annotations

from django.db import transaction

from agencies.census import AgencyType
from agencies.models import Agency, Role, User

DEMO_PASSWORD = "demo-pass-2026"

AGENCIES: list[tuple[str, str]] = [
    ("Northshire Police", AgencyType.POLICE),
    ("Millbrook Primary School", AgencyType.SCHOOL),
    ("Castle Hill Academy", AgencyType.SCHOOL),
    ("Riverside Medical Practice", AgencyType.GP),
    ("Northshire Health Visiting Service", AgencyType.HEALTH_VISITING),
    ("Northshire School Nursing Service", AgencyType.SCHOOL_NURSING),
    ("Northshire Probation Delivery Unit", AgencyType.PROBATION),
    ("Northshire Youth Justice Service", AgencyType.YOUTH_OFFENDING),
    ("Pathways Drug and Alcohol Service", AgencyType.SUBSTANCE_MISUSE),
    ("Northshire Children's Social Care", AgencyType.CHILDRENS_SOCIAL_CARE),
]

# username, first name, last name, agency, role, job title
USERS: list[tuple[str, str, str, str | None, str, str]] = [
    ("referrer.police", "Dana", "Pike", "Northshire Police", Role.REFERRER, "Police constable"),
    (
        "referrer.school",
        "Sam",
        "Okafor",
        "Millbrook Primary School",
        Role.REFERRER,
        "Class teacher",
    ),
    (
        "referrer.health",
        "Priya",
        "Lamb",
        "Northshire Health Visiting Service",
        Role.REFERRER,
        "Health visitor",
    ),
    (
        "lead.school",
        "Jo",
        "Harrow",
        "Millbrook Primary School",
        Role.AGENCY_LEAD,
        "Designated safeguarding lead",
    ),
    (
        "screener",
        "Alex",
        "Moss",
        "Northshire Children's Social Care",
        Role.SCREENER,
        "Front door screener",
    ),
    (
        "manager",
        "Ruth",
        "Castle",
        "Northshire Children's Social Care",
        Role.MANAGER,
        "Practice manager",
    ),
    (
        "partner.health",
        "Ifan",
        "Reed",
        "Northshire Health Visiting Service",
        Role.PARTNER,
        "MASH health practitioner",
    ),
    ("auditor", "Morgan", "Vale", None, Role.AUDITOR, "Quality assurance officer"),
    ("admin", "Kit", "Fenn", None, Role.ADMIN, "System administrator"),
]


@transaction.atomic
def seed_agencies_and_users() -> dict[str, int]:
    agencies = {}
    for name, agency_type in AGENCIES:
        agencies[name], _ = Agency.objects.update_or_create(
            name=name, defaults={"type": agency_type, "is_active": True}
        )
    created = 0
    for username, first, last, agency_name, role, title in USERS:
        user, was_created = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.invalid",
                "agency": agencies[agency_name] if agency_name else None,
                "role": role,
                "job_title": title,
                "is_active": True,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        created += was_created
    return {"agencies": len(agencies), "users": len(USERS), "users_created": created}
