"""The child's particulars and household in a demo referral, as its referrer gives them:
name, birth, school, the other professionals involved and who lives at home. Drawn from
the plan's one random generator, in the order ``demo.data.plan`` calls them, so that the
same seed gives the same referrals."""

from __future__ import annotations

import random
from datetime import date, timedelta

from demo.data.cast import CASTLE_HILL, GP, HV, MILLBROOK, NURSING, PATHWAYS, PROBATION, YJS
from demo.data.drafts import DemoChild, DemoFamily, Draft
from demo.data.stories import M
from referrals.census import CallerType, Ethnicity, Religion


def particulars_of(draft: Draft, child: DemoChild, on: date, *, rng: random.Random) -> dict:
    """The child's particulars as the referrer gives them (a caller knows less)."""
    age = child.age_on(on)
    health = draft.agency in (GP, HV, NURSING)
    given = {
        "child_first_name": child.first_name,
        "child_last_name": child.last_name,
        "child_date_of_birth": child.date_of_birth,
        "child_expected_date_of_birth": child.expected_date_of_birth,
        "child_gender": child.gender,
        "child_ethnicity": child.ethnicity,
        "child_first_language": child.language,
        "child_interpreter_needed": child.language != "English" and rng.random() < 0.3,
        "child_religion": child.religion,
        "child_disabilities": list(child.disabilities),
        "child_address": draft.family.address,
        "child_postcode": draft.family.postcode,
        "child_school": school(draft, child, age),
        "child_nhs_number": child.nhs_number
        if rng.random() < (0.9 if health else 0.2) and child.date_of_birth
        else "",
    }
    if draft.phone is not None:
        # Callers seldom know an NHS number; only family know the date of birth.
        given["child_nhs_number"] = ""
        if draft.phone.caller_type != CallerType.FAMILY and rng.random() < 0.6:
            given["child_date_of_birth"] = None
        given["child_ethnicity"] = Ethnicity.NOBT
        given["child_religion"] = Religion.NOT_KNOWN
    overrides = dict(draft.as_given.get(id(child), {}))
    if overrides.pop("swap_dob", False) and child.date_of_birth:
        dob = child.date_of_birth
        given["child_date_of_birth"] = dob.replace(month=dob.day, day=dob.month)
    given.update(overrides)
    return given


def school(draft: Draft, child: DemoChild, age: int) -> str:
    if draft.agency in (MILLBROOK, CASTLE_HILL):
        return draft.agency
    if age < 2:
        return ""
    if age < 4:
        return "Little Acorns Nursery" if len(child.first_name) % 2 else ""
    if age <= 10:
        return MILLBROOK if child.town == "Millbrook" else "Fernlea Primary School"
    if age <= 15:
        return (
            CASTLE_HILL
            if child.town in ("Castle Hill", "Millbrook")
            else ("Northshire High School")
        )
    return "Northshire College"


def other_professionals(draft: Draft, age: int, *, rng: random.Random) -> str:
    options = [f"GP: {GP}"]
    if 0 <= age < 5 or age == -1:
        options.append(f"Health visitor: {HV}")
    if age >= 4:
        options.append("Designated safeguarding lead at school")
    if age >= 5:
        options.append(f"School nurse: {NURSING}")
    if draft.family.adult and draft.scenario in ("parental_drugs", "parental_alcohol"):
        options.append(f"Recovery worker for {draft.family.adult}: {PATHWAYS}")
    if draft.family.adult_risk and "licence" in draft.family.adult_risk:
        options.append(f"Probation officer for {draft.family.adult}: {PROBATION}")
    if draft.scenario in ("cce", "missing") and age >= 10:
        options.append(f"Youth justice worker: {YJS}")
    options = [o for o in options if not (draft.agency and draft.agency in o)]
    return "\n".join(rng.sample(options, k=min(len(options), rng.randint(1, 3))))


def household_of(draft: Draft, child: DemoChild, *, rng: random.Random) -> list[dict]:
    """Who lives with the child, as far as the referrer knows."""
    family = draft.family
    if draft.phone is None and rng.random() < 0.15:
        return []  # not every referrer knows who lives there
    members = [
        {
            "name": family.mother,
            "relationship": "Mother",
            "lives_with_child": True,
            "date_of_birth": None,
            "known_risk": "",
        }
    ]
    if family.adult:
        barred = "non-molestation" in family.adult_risk or "Bail" in family.adult_risk
        members.append(
            {
                "name": family.adult,
                "relationship": family.adult_relationship,
                "lives_with_child": not barred,
                "date_of_birth": None,
                "known_risk": family.adult_risk.replace("{mother}", family.mother.split(" ")[0]),
            }
        )
    for other in family.children:
        if other is child or other.date_of_birth is None:
            continue
        members.append(
            {
                "name": f"{other.first_name} {other.last_name}",
                "relationship": "Brother" if other.gender == M else "Sister",
                "lives_with_child": True,
                "date_of_birth": other.date_of_birth,
                "known_risk": "",
            }
        )
    if family.grandparent:
        members.append(
            {
                "name": family.grandparent,
                "relationship": "Grandmother",
                "lives_with_child": False,
                "date_of_birth": None,
                "known_risk": "",
            }
        )
    # Referrers know the parents' dates of birth about half the time.
    parents = [(members[0], "mother")] + ([(members[1], "adult")] if family.adult else [])
    for member, who in parents:
        if rng.random() < 0.5:
            member["date_of_birth"] = adult_birth(family, who, rng=rng)
    return members


def adult_birth(family: DemoFamily, who: str, *, rng: random.Random) -> date:
    """The same date every time it is given, and old enough for the eldest child."""
    if who not in family.adult_births:
        eldest = min(c.date_of_birth or c.expected_date_of_birth for c in family.children)
        years = rng.randint(19, 32) if who == "mother" else rng.randint(20, 38)
        family.adult_births[who] = eldest - timedelta(days=years * 365 + rng.randint(0, 364))
    return family.adult_births[who]
