"""The DfE children-in-need (CIN) census items the front door holds, for one collection
year: which referrals, which children, and what each census item is.

A collection year runs from 1 April to 31 March in London dates: ``collection_year=2026``
is 1 April 2025 to 31 March 2026. A referral belongs to the year in which it was received
(its London date), so 23:30 on 31 March and 00:30 on 1 April fall in different years.

What goes in, and why (the census guide for the year is the authority):

- Each decided referral is one CIN episode (``CINdetails``). Referrals not yet decided are
  left out until they are decided (whether further action follows is not known yet), and
  so are referrals decided "already an open case": the child's episode is already open in
  the case-management system, and a contact about an open case is not a new referral.
- No further action, signposting to universal services and early help are referrals with
  no further action (``ReferralNFA`` 1): the census counts as NFA every referral that does
  not go on to a statutory assessment, those passed to early help included. The episode is
  closed on the referral date with reason RC8, as the guide asks for NFA referrals.
- A child and family assessment (s17) or a strategy discussion (s47) is further action
  (``ReferralNFA`` 0): the episode stays open (its closure is recorded by the
  case-management system), with a primary need code where the referral shows it (below).
  Once a child has an open episode in the return, their later referrals that year are
  contacts about an open case, not new episodes: they are left out and counted (the
  census refuses a second open episode, or episodes that overlap). The front door does
  not know when the case-management system closed an episode.
- Factors identified at assessment belong to a completed assessment (the census refuses
  them on any other: rule 8614), which the front door does not hold; the XML carries
  none. The referral's concerns, mapped to the factor codes (referrals.census), are in
  the CSV for the assessment to confirm.
- A child is the matched child record where there is one; a referral not yet matched to a
  record is a child of its own, with the details as the referrer gave them.

What the front door does not hold is left out, never made up: UPNs, assessments' dates,
plans, section 47 enquiries and conferences, child protection plans, dates of death.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db.models import Prefetch
from django.utils import timezone

from referrals.census import ConcernCategory, factor_codes
from referrals.models import Outcome, Referral, ReferralConcern, Status
from triage.models import DecisionAmendment

LONDON = ZoneInfo("Europe/London")

# The first collection year the export offers: the validator's oldest rule set is 2022/23.
FIRST_COLLECTION_YEAR = 2023

NFA_OUTCOMES = frozenset({Outcome.NO_FURTHER_ACTION, Outcome.SIGNPOST, Outcome.EARLY_HELP})
FURTHER_ACTION_OUTCOMES = frozenset({Outcome.ASSESSMENT_S17, Outcome.STRATEGY_S47})
# Census reason for closure of a referral with no further action.
NFA_REASON_FOR_CLOSURE = "RC8"

# Primary need (N1 abuse or neglect; N3 parental disability or illness, which the guide
# says includes a parent's mental illness and addiction), where the referral shows it:
# a section 47 strategy discussion is about suspected significant harm, so N1; an
# assessment with an abuse, neglect or exploitation concern is N1; one whose concerns
# are only about the parents' mental health or substance misuse is N3. Anything else is
# for the assessment to decide, and the code is left out (the validator says so).
ABUSE_OR_NEGLECT = frozenset(
    {
        ConcernCategory.NEGLECT,
        ConcernCategory.PHYSICAL_ABUSE,
        ConcernCategory.SEXUAL_ABUSE,
        ConcernCategory.EMOTIONAL_ABUSE,
        ConcernCategory.DOMESTIC_ABUSE,
        ConcernCategory.CHILD_SEXUAL_EXPLOITATION,
        ConcernCategory.CHILD_CRIMINAL_EXPLOITATION,
        ConcernCategory.FEMALE_GENITAL_MUTILATION,
        ConcernCategory.FAITH_OR_BELIEF,
    }
)
PARENTAL_ILLNESS = frozenset(
    {
        ConcernCategory.PARENTAL_MENTAL_HEALTH,
        ConcernCategory.PARENTAL_ALCOHOL_MISUSE,
        ConcernCategory.PARENTAL_DRUG_MISUSE,
    }
)


class InvalidCollectionYear(ValueError):
    pass


@dataclass(frozen=True)
class Episode:
    """One CINdetails: a decided referral."""

    referral_id: int
    reference: str
    referral_date: date
    source: str
    outcome: str
    nfa: bool
    primary_need: str | None
    factors: tuple[str, ...]
    closure_date: date | None
    reason_for_closure: str | None


@dataclass
class CensusChild:
    la_child_id: str
    birth_date: date | None
    expected_birth_date: date | None
    gender: str  # referrals.census.Gender code, as stored
    ethnicity: str
    disabilities: tuple[str, ...]
    episodes: list[Episode] = field(default_factory=list)

    @property
    def only_nfa(self) -> bool:
        return all(e.nfa for e in self.episodes)


@dataclass
class CensusReturn:
    collection_year: int
    start: date
    end: date
    children: list[CensusChild]
    left_out_undecided: int
    left_out_open_case: int
    left_out_while_open: int

    @property
    def referrals(self) -> int:
        return sum(len(c.episodes) for c in self.children)


def parse_collection_year(value, *, today: date | None = None) -> int:
    """A collection year from user input: a whole number from the first year the
    validator has rules for up to the current one. Raises InvalidCollectionYear with a
    message fit to show beside the field."""
    latest = current_collection_year(today=today)
    text = str(value).strip() if value is not None else ""
    if not text:
        raise InvalidCollectionYear("Enter a collection year, for example 2026")
    if not (text.isascii() and text.isdigit()) or len(text) != 4:
        raise InvalidCollectionYear("Collection year must be a year in 4 digits, like 2026")
    year = int(text)
    if not FIRST_COLLECTION_YEAR <= year <= latest:
        raise InvalidCollectionYear(
            f"Collection year must be between {FIRST_COLLECTION_YEAR} and {latest}"
        )
    return year


def current_collection_year(*, today: date | None = None) -> int:
    """The collection year today (London) falls in: from 1 April it is next year's."""
    today = today or timezone.localtime(timezone.now(), LONDON).date()
    return today.year + 1 if today.month >= 4 else today.year


def collection_period(year: int) -> tuple[date, date]:
    """First and last London day of a collection year."""
    return date(year - 1, 4, 1), date(year, 3, 31)


def _london_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


def referrals_in_year(year: int):
    """Referrals received in the collection year, by London date."""
    start, end = collection_period(year)
    return Referral.objects.filter(
        received_at__gte=_london_midnight(start), received_at__lt=_london_midnight(date(year, 4, 1))
    )


def primary_need(outcome: str, categories: list[str]) -> str | None:
    if outcome not in FURTHER_ACTION_OUTCOMES:
        return None
    if outcome == Outcome.STRATEGY_S47 or ABUSE_OR_NEGLECT.intersection(categories):
        return "N1"
    if categories and PARENTAL_ILLNESS.issuperset(categories):
        return "N3"
    return None


def _episode(referral: Referral, outcome: str) -> Episode:
    day = timezone.localtime(referral.received_at, LONDON).date()
    categories = sorted(c.category for c in referral.concerns.all())
    nfa = outcome in NFA_OUTCOMES
    return Episode(
        referral_id=referral.pk,
        reference=referral.reference,
        referral_date=day,
        source=referral.source_of_referral,
        outcome=outcome,
        nfa=nfa,
        primary_need=primary_need(outcome, categories),
        # The referral's concerns as factor codes, where an assessment follows (the census
        # refuses assessment details on a referral with no further action).
        factors=() if nfa else tuple(factor_codes(categories)),
        closure_date=day if nfa else None,
        reason_for_closure=NFA_REASON_FOR_CLOSURE if nfa else None,
    )


def build_return(*, collection_year: int) -> CensusReturn:
    """The census items for every decided referral received in the collection year."""
    start, end = collection_period(collection_year)
    referrals = (
        referrals_in_year(collection_year)
        .select_related("child", "decision")
        .prefetch_related(
            Prefetch("concerns", queryset=ReferralConcern.objects.order_by("category")),
            Prefetch("decision__amendments", queryset=DecisionAmendment.objects.all()),
        )
        .order_by("received_at", "pk")
    )
    children: dict[str, CensusChild] = {}
    undecided = open_case = while_open = 0
    for referral in referrals:
        decision = (
            getattr(referral, "decision", None) if referral.status == Status.DECIDED else None
        )
        if decision is None:
            undecided += 1
            continue
        outcome = decision.current.outcome
        if outcome == Outcome.OPEN_CASE:
            open_case += 1
            continue
        person = referral.child
        key = f"C{person.pk}" if person else f"R{referral.pk}"
        if key in children and any(not e.nfa for e in children[key].episodes):
            while_open += 1
            continue
        if key not in children:
            details = (
                {
                    name: getattr(person, name)
                    for name in (
                        "date_of_birth",
                        "expected_date_of_birth",
                        "gender",
                        "ethnicity",
                        "disabilities",
                    )
                }
                if person
                else {
                    name: getattr(referral, f"child_{name}")
                    for name in (
                        "date_of_birth",
                        "expected_date_of_birth",
                        "gender",
                        "ethnicity",
                        "disabilities",
                    )
                }
            )
            children[key] = CensusChild(
                la_child_id=key,
                birth_date=details["date_of_birth"],
                expected_birth_date=details["expected_date_of_birth"],
                gender=details["gender"],
                ethnicity=details["ethnicity"],
                disabilities=tuple(details["disabilities"] or ()),
            )
        children[key].episodes.append(_episode(referral, outcome))
    return CensusReturn(
        collection_year=collection_year,
        start=start,
        end=end,
        children=sorted(
            children.values(), key=lambda c: (c.la_child_id[0], int(c.la_child_id[1:]))
        ),
        left_out_undecided=undecided,
        left_out_open_case=open_case,
        left_out_while_open=while_open,
    )
