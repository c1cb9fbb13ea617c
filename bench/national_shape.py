"""The shape of bench/national.py's front door, as plain numbers: where referrals come
from (the census mix), the agencies and their people, families, siblings and repeat
referrals, the open queue and the hot children. No database and no Django at import, so
tests/bench/ can check the arithmetic; the loaders turn it into SQL.

Sources of referral: approximately England's published shares for the year ending 31
March 2024 (DfE, "Children in need"), rounded to the half per cent: police 29%,
education 21%, health 15%, local authority services 12%, individuals 8%, other 5%,
unknown 4%, other legal agencies 3%, anonymous 1.5%, housing 1.5%. Where the census
has a code no agency type maps to (3E A&E, 5A adults' social care, 5C another
authority), its share goes to the nearest type that does (hospital 3F; the authority's
own children's social care, 5B). Check against the release before relying on them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

# --- Where referrals come from -------------------------------------------------------------

# (source, per cent of all referrals). A source is an agency type (its referrals come
# from agencies of that type: see AGENCY_COUNTS) or a caller recorded by a screener with
# no agency ("caller:<CallerType>"; "caller:professional" with no agency is census code
# 10, unknown).
SOURCE_SHARES: tuple[tuple[str, float], ...] = (
    ("police", 29.0),
    ("school", 19.5),
    ("early_years", 1.5),
    ("gp", 2.5),
    ("health_visiting", 2.5),
    ("school_nursing", 0.5),
    ("dentist", 0.5),
    ("hospital", 5.0),
    ("camhs", 2.0),
    ("adult_mental_health", 1.5),
    ("substance_misuse", 0.5),
    ("housing", 1.5),
    ("early_help", 5.0),
    ("childrens_social_care", 7.0),
    ("probation", 1.5),
    ("youth_offending", 1.5),
    ("voluntary_sector", 4.0),
    ("other", 1.0),
    ("caller:family", 4.5),
    ("caller:acquaintance", 1.5),
    ("caller:self", 0.5),
    ("caller:other_individual", 1.5),
    ("caller:anonymous", 1.5),
    ("caller:professional", 4.0),
)

# How many agencies of each type (600 in all, as the dashboard benchmark has had).
AGENCY_COUNTS: dict[str, int] = {
    "police": 39,  # England's territorial forces
    "school": 300,
    "early_years": 30,
    "gp": 80,
    "health_visiting": 15,
    "school_nursing": 10,
    "dentist": 5,
    "hospital": 20,
    "camhs": 10,
    "adult_mental_health": 8,
    "substance_misuse": 6,
    "housing": 15,
    "early_help": 12,
    "childrens_social_care": 1,  # the front door's own: its staff are in it
    "probation": 8,
    "youth_offending": 12,
    "voluntary_sector": 25,
    "other": 4,
}

# The biggest police force's share of all referrals: at 5,000,000 it has 500,000, the
# size issue 14 sets the "My referrals" and referral-list targets for.
BIGGEST_FORCE_SHARE = 0.10

# How each source's referrals arrive: (channel, share). A professional's referral by
# phone or email is recorded by a screener for the caller's agency (caller type
# "professional"); police forces mostly send theirs from their own systems (the API).
CHANNELS: dict[str, tuple[tuple[str, float], ...]] = {
    "police": (("api", 0.55), ("web", 0.35), ("email", 0.10)),
    "agency": (("web", 0.88), ("phone", 0.08), ("email", 0.04)),
    "caller": (("phone", 0.85), ("email", 0.15)),
    "caller:anonymous": (("phone", 1.0),),
}

REFERRALS_PER_REFERRER = 400  # over the whole span: about 50 a year each
SCREENERS = 40
MANAGERS = 20


def source_shares() -> dict[str, float]:
    """The sources as fractions adding up to one."""
    total = sum(share for _, share in SOURCE_SHARES)
    return {source: share / total for source, share in SOURCE_SHARES}


@dataclass(frozen=True)
class AgencyPlan:
    number: int  # 1-based, the agency's place in every array the loaders build
    type: str
    name: str
    share: float  # of all referrals


def _zipf(count: int, exponent: float) -> list[float]:
    weights = [1 / (rank + 1) ** exponent for rank in range(count)]
    total = sum(weights)
    return [w / total for w in weights]


def agency_plan(labels: dict[str, str] | None = None) -> list[AgencyPlan]:
    """The 600 agencies, police forces first, each with its share of all referrals: the
    type's census share, split within the type on a gentle Zipf curve (a few big
    schools and GP practices, many small), the biggest police force BIGGEST_FORCE_SHARE
    of everything. ``labels`` names the types (AgencyType's labels); the type's code
    otherwise."""
    shares = source_shares()
    plans: list[AgencyPlan] = []
    for kind, count in AGENCY_COUNTS.items():
        type_share = shares[kind]
        if kind == "police":
            first = min(BIGGEST_FORCE_SHARE, type_share)
            within = [first / type_share] + [
                w * (1 - first / type_share) for w in _zipf(count - 1, 0.8)
            ]
        else:
            within = _zipf(count, 0.6)
        label = (labels or {}).get(kind, kind)
        for n, weight in enumerate(within, start=1):
            plans.append(
                AgencyPlan(
                    number=len(plans) + 1,
                    type=kind,
                    name=f"Bench {label} {n:03d}",
                    share=type_share * weight,
                )
            )
    return plans


def slots(weights: list[float], size: int) -> list[int]:
    """A lookup array of ``size`` entries in which item ``n`` (1-based) fills about
    ``weights[n-1] / sum(weights)`` of the places (largest remainder), each item at
    least once: picking a uniform place picks an item by its weight, in SQL."""
    if size < len(weights):
        raise ValueError("fewer places than items")
    total = sum(weights)
    exact = [w / total * (size - len(weights)) for w in weights]
    counts = [1 + math.floor(e) for e in exact]
    order = sorted(range(len(weights)), key=lambda n: exact[n] - math.floor(exact[n]), reverse=True)
    for n in order[: size - sum(counts)]:
        counts[n] += 1
    return [n + 1 for n, count in enumerate(counts) for _ in range(count)]


def referrers_for(share: float, total: int) -> int:
    """How many referrers an agency has: one per REFERRALS_PER_REFERRER of the referrals
    it sends itself, at least one."""
    return max(1, round(share * total / REFERRALS_PER_REFERRER))


def partners_for(share: float, total: int) -> int:
    """Partner users who answer information requests for an agency: one, and one more
    per 100,000 referrals the agency's area sends."""
    return 1 + int(share * total / 100_000)


# --- Families, siblings and repeat referrals ---------------------------------------------

CHILDREN_PER_REFERRAL = 0.2  # about one child per five referrals (1,000,000 at 5,000,000)
# Children named in one submission: one (80%), two (14%), three (4.5%), four (1.5%): a
# family's submissions name all its children, so about 37% of referrals are siblings'.
FAMILY_SIZES: tuple[tuple[int, float], ...] = ((1, 0.80), (2, 0.14), (3, 0.045), (4, 0.015))
# A family is referred in episodes more than 12 months apart; within an episode, again
# within 90 days (a re-referral). Episodes per family, before the cap of how many fit:
EPISODES: tuple[tuple[int, float], ...] = (
    (1, 0.12),
    (2, 0.12),
    (3, 0.14),
    (4, 0.18),
    (5, 0.20),
    (6, 0.24),
)
EPISODE_DAYS = 90  # an episode's re-referrals fall within this many days of its first
EPISODE_GAP_DAYS = 366  # episodes are further apart than the census's 12 months
# Families with re-referrals within an episode: 45 in 100, with on average 1/p of them
# (geometric, p = REPEAT_P). With the episodes above over 8 years this makes about 22%
# of referrals re-referrals within 12 months, as England's 22% in 2024.
SHARE_WITH_REPEATS = 0.45
REPEAT_P = 0.41
RE_REFERRAL_TARGET = 0.22


def mean_family_size() -> float:
    return sum(size * p for size, p in FAMILY_SIZES)


def families_for(total: int) -> int:
    """Families enough for about CHILDREN_PER_REFERRAL children a referral."""
    return max(1, round(total * CHILDREN_PER_REFERRAL / mean_family_size()))


def max_episodes(span_days: float) -> int:
    """How many episodes fit in the span with EPISODE_GAP_DAYS between the end of one and
    the start of the next (every slot at least the gap plus an episode long)."""
    return max(1, min(len(EPISODES), int(span_days // (EPISODE_GAP_DAYS + EPISODE_DAYS + 4))))


def cumulative(weights: tuple[tuple[int, float], ...]) -> list[tuple[int, float]]:
    """(value, cumulative probability) for a CASE WHEN u < ... ladder."""
    total = sum(p for _, p in weights)
    out, running = [], 0.0
    for value, p in weights:
        running += p / total
        out.append((value, running))
    out[-1] = (out[-1][0], 1.0)
    return out


# --- The open queue and the hot children -------------------------------------------------

OPEN_PER_REFERRAL = 10_000 / 5_000_000  # 10,000 open at 5,000,000
OPEN_WITHIN_DAYS = 60  # open referrals are drawn from those received this recently


def open_for(total: int) -> int:
    return max(1, round(total * OPEN_PER_REFERRAL))


# Five children whose chronologies run to hundreds of events: a referral every few weeks
# for the whole span, each with its decision and information requests (and what a
# section 47 outcome brings), the latest still open. The chronology counts each
# referral, decision, amendment, request and answer, discussion, action done and
# challenge step as an event: about five a referral here.
HOT_REFERRALS: tuple[int, ...] = (55, 65, 80, 95, 105)


# --- Working days ------------------------------------------------------------------------


def working_days(first: date, last: date, is_working) -> list[tuple[date, bool, int]]:
    """(day, working, index) for each day from ``first`` to ``last``: ``index`` counts the
    working days up to and including the day, so the n-th working day after a working
    day d is the working day whose index is index(d) + n (core.clock.add_working_days in
    SQL: bench/national_sql.py)."""
    rows, index, day = [], 0, first
    while day <= last:
        working = bool(is_working(day))
        index += working
        rows.append((day, working, index))
        day += timedelta(days=1)
    return rows


# --- NHS numbers -------------------------------------------------------------------------

NHS_STEM = 999_000_000  # the range kept for testing, as the demo's children have


def nhs_number(person: int) -> str:
    """A valid NHS number in the 999 test range for the ``person``-th child (1-based),
    unique for up to 1,000,000 children; "" when that stem's check digit would be 10
    (no valid number) or the range is used up. The loaders compute the same in SQL."""
    if not 1 <= person <= 1_000_000:
        return ""
    stem = NHS_STEM + (person * 7919) % 1_000_000
    digits = f"{stem:09d}"
    check = 11 - sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
    if check == 10:
        return ""
    return digits + str(0 if check == 11 else check)
