"""Synthetic agencies and users for the demo. Every name here is invented."""

from __future__ import annotations

from base64 import b32decode

from django.db import transaction

from agencies.census import AgencyType
from agencies.changes import mark_password_change
from agencies.models import Agency, Authenticator, Role, User
from agencies.policy import may_use_second_factor

DEMO_PASSWORD = "demo-pass-2026"
# The demo's managers, auditor and administrator have this authenticator key, published
# like the password, for trying two-step verification (FRONTDOOR_MFA_REQUIRED=true): add
# it to an authenticator app by hand (time-based, 6 digits, 30 seconds).
DEMO_TOTP_KEY = "FRONTDOORDEMOKEYFRONTDOORDEMOKEY"
DEMO_TOTP_DEVICE = "Demo authenticator (published key)"

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
        mark_password_change(user, None)  # the demo's published password: tell nobody
        user.save(update_fields=["password"])
        if may_use_second_factor(user):
            seed_demo_authenticator(user)
        created += was_created
    return {"agencies": len(agencies), "users": len(USERS), "users_created": created}


def seed_demo_authenticator(user: User) -> Authenticator:
    """A confirmed authenticator with the published demo key, fresh on each seeding (kept
    encrypted like any other: Authenticator.save)."""
    Authenticator.objects.filter(user=user).exclude(name=DEMO_TOTP_DEVICE).delete()
    device, _ = Authenticator.objects.update_or_create(
        user=user,
        name=DEMO_TOTP_DEVICE,
        defaults={
            "key": b32decode(DEMO_TOTP_KEY).hex(),
            "confirmed": True,
            "last_t": -1,
            "drift": 0,
            "throttling_failure_count": 0,
            "throttling_failure_timestamp": None,
        },
    )
    return device
