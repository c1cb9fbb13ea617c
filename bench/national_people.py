# ruff: noqa: S608 - our own SQL over synthetic rows (no input reaches it)
"""The agencies and the people of bench/national.py's front door, written in two
statements each (with the history row an administrator's "add" would have left).

Users, by id: the screeners, the managers, an auditor and an administrator; then for
each agency its lead, its partners (who answer information requests) and its referrers,
in agency order, so the loaders find an agency's people by offset and count. Every
account shares one password, BENCH_PASSWORD (hashed once), so a load generator can sign
in as anyone; the database is synthetic and refuses to be anything but a bench one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

from bench.national_shape import MANAGERS, SCREENERS, agency_plan, partners_for, referrers_for

BENCH_PASSWORD = "bench-national-not-a-secret"  # noqa: S105 - a synthetic bench database

JOB_TITLES = {
    "police": "Police constable",
    "school": "Designated safeguarding lead",
    "early_years": "Nursery manager",
    "gp": "GP",
    "health_visiting": "Health visitor",
    "school_nursing": "School nurse",
    "dentist": "Dentist",
    "hospital": "Safeguarding nurse",
    "camhs": "Mental health practitioner",
    "adult_mental_health": "Community psychiatric nurse",
    "substance_misuse": "Recovery worker",
    "housing": "Housing officer",
    "early_help": "Family support worker",
    "childrens_social_care": "Social worker",
    "probation": "Probation officer",
    "youth_offending": "Youth justice worker",
    "voluntary_sector": "Project worker",
    "other": "Safeguarding lead",
}


@dataclass
class People:
    agencies: list  # national_shape.AgencyPlan, number = agency id
    screeners: list[int]
    managers: list[int]
    auditor: int
    admin: int
    leads: list[int]  # by agency number - 1
    # By agency number - 1: the first id and how many, of its partners and referrers.
    partner_first: list[int] = field(default_factory=list)
    partner_count: list[int] = field(default_factory=list)
    referrer_first: list[int] = field(default_factory=list)
    referrer_count: list[int] = field(default_factory=list)
    social_care: int = 0  # the front door's own agency's id
    users: int = 0

    def agency_numbers(self, kind: str) -> list[int]:
        return [a.number for a in self.agencies if a.type == kind]


def make_people(cursor, *, total: int, joined: datetime, seed: int = 2026) -> People:
    """Insert the agencies and users (tables already emptied); return who is who."""
    from django.contrib.auth.hashers import make_password

    from agencies.census import AgencyType
    from agencies.models import Agency, User
    from bench.bench_matching import FIRST_NAMES, SURNAMES
    from bench.national_sql import insert_history

    rng = random.Random(seed)  # noqa: S311 - synthetic names, not secrets
    labels = {kind.value: str(kind.label) for kind in AgencyType}
    plans = agency_plan(labels)
    cursor.execute(
        "INSERT INTO agencies_agency (id, name, type, is_active) "
        "SELECT * , true FROM unnest(%s::bigint[], %s::text[], %s::text[])",
        [[a.number for a in plans], [a.name for a in plans], [a.type for a in plans]],
    )
    rows: list[tuple] = []  # username, first, last, role, agency id, job title

    def add(username: str, role: str, agency: int | None, title: str) -> int:
        rows.append(
            (
                username,
                rng.choice(FIRST_NAMES).title(),
                rng.choice(SURNAMES).title(),
                role,
                agency,
                title,
            )
        )
        return len(rows)

    social_care = next(a.number for a in plans if a.type == "childrens_social_care")
    screeners = [
        add(f"bench-screener-{n:02d}", "screener", social_care, "Social worker")
        for n in range(SCREENERS)
    ]
    managers = [
        add(f"bench-manager-{n:02d}", "manager", social_care, "Team manager")
        for n in range(MANAGERS)
    ]
    auditor = add("bench-auditor", "auditor", None, "Auditor")
    admin = add("bench-admin", "admin", None, "Systems administrator")
    people = People(plans, screeners, managers, auditor, admin, leads=[], social_care=social_care)
    for plan in plans:
        title = JOB_TITLES.get(plan.type, "Safeguarding lead")
        people.leads.append(
            add(f"bench-lead-{plan.number:03d}", "agency_lead", plan.number, "Safeguarding lead")
        )
        partners = partners_for(plan.share, total)
        people.partner_first.append(len(rows) + 1)
        people.partner_count.append(partners)
        for n in range(partners):
            add(f"bench-partner-{plan.number:03d}-{n:02d}", "partner", plan.number, title)
        referrers = referrers_for(plan.share, total)
        people.referrer_first.append(len(rows) + 1)
        people.referrer_count.append(referrers)
        for n in range(referrers):
            add(f"bench-referrer-{plan.number:03d}-{n:04d}", "referrer", plan.number, title)
    people.users = len(rows)
    password = make_password(BENCH_PASSWORD)
    cursor.execute(
        """
        INSERT INTO agencies_user
            (id, password, last_login, is_superuser, username, first_name, last_name, email,
             is_staff, is_active, date_joined, agency_id, role, job_title, phone,
             must_change_password)
        SELECT n, %(password)s, NULL, false, username, first_name, last_name,
               username || '@example.invalid', false, true, %(joined)s, agency, role, title,
               '01632 ' || lpad((960000 + n %% 1000)::text, 6, '0'), false
          FROM unnest(%(usernames)s::text[], %(firsts)s::text[], %(lasts)s::text[],
                      %(roles)s::text[], %(agencies)s::bigint[], %(titles)s::text[])
               WITH ORDINALITY AS u(username, first_name, last_name, role, agency, title, n)
        """,
        {
            "password": password,
            "joined": joined,
            "usernames": [r[0] for r in rows],
            "firsts": [r[1] for r in rows],
            "lasts": [r[2] for r in rows],
            "roles": [r[3] for r in rows],
            "agencies": [r[4] for r in rows],
            "titles": [r[5] for r in rows],
        },
    )
    at = cursor.mogrify("%s::timestamptz", [joined]).decode()
    insert_history(cursor, Agency, source="agencies_agency AS t", at=at, kind="+", user=str(admin))
    insert_history(
        cursor,
        User,
        source="agencies_user AS t",
        at=at,
        kind="+",
        user=f"CASE WHEN t.id = {admin} THEN NULL ELSE {admin} END",
    )
    for table in ("agencies_agency", "agencies_user"):
        from bench.national_sql import reset_sequence

        reset_sequence(cursor, table)
    return people
