"""What happens in the demo, before any words are written: which children are referred,
by whom, when, and what is decided when. Each ``Draft`` is one submission."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from core.clock import decision_due_at
from demo.data.cast import (
    AGENCY_AGES,
    BOYS,
    CALLERS,
    CASTLE_HILL,
    DISABILITIES,
    ETHNICITIES,
    GIRLS,
    GP,
    LANGUAGES,
    MEN,
    MILLBROOK,
    NURSING,
    POLICE,
    RELIGIONS,
    STREETS,
    SURNAMES,
    TOWNS,
    UNIT_LETTERS,
    WOMEN,
    nhs_number,
)
from demo.data.stories import PHONE_CALLS, QUEUE, REPEAT_FAMILIES, F, M, PhoneCall
from demo.data.words import (
    KNOWN_RISKS,
    SCENARIOS,
    SIBLING_SCENARIOS,
)
from referrals.census import Gender, Religion
from referrals.models import Outcome as O
from referrals.models import Status

TARGET_REFERRALS = 300
SPAN_DAYS = 548  # 18 months


@dataclass
class DemoChild:
    first_name: str
    last_name: str
    gender: str
    date_of_birth: date | None
    expected_date_of_birth: date | None
    ethnicity: str
    religion: str
    language: str
    disabilities: list[str]
    nhs_number: str
    town: str
    key: int  # who the child really is, whatever the referrals call them

    def age_on(self, day: date) -> int:
        if self.date_of_birth is None:
            return -1
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


@dataclass
class DemoFamily:
    surname: str
    town: str
    address: str
    postcode: str
    mother: str
    adult: str
    adult_relationship: str
    adult_risk: str
    children: list[DemoChild]
    grandparent: str = ""
    adult_births: dict[str, date] = field(default_factory=dict)  # once given, always the same


@dataclass
class Draft:
    received_at: datetime
    family: DemoFamily
    children: list[DemoChild]
    scenario: str
    agency: str | None
    status: str
    outcome: str | None
    decided_at: datetime | None = None
    late: bool = False
    immediate: bool = False
    extra: tuple[str, ...] = ()
    as_given: dict[int, dict] = field(default_factory=dict)
    phone: PhoneCall | None = None
    email: bool = False
    concerns: list[str] | None = None  # settled when the words are written


def weighted(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


class Drafter:
    """Draws the drafts from ``rng``: the repeat families, the open queue, the callers,
    at least one of every kind of concern, then one-off referrals up to the target."""

    def __init__(self, *, now: datetime, rng: random.Random):
        self.now = now
        self.rng = rng
        self.tz = timezone.get_default_timezone()
        self.today = now.astimezone(self.tz).date()
        self.drafts: list[Draft] = []
        self.nhs_used: set[str] = set()

    # People and places.

    def _family(self, *, surname=None, town=None, mother=None, adult=None) -> DemoFamily:
        rng = self.rng
        town = town or rng.choice(list(TOWNS))
        district = rng.choice(TOWNS[town])
        postcode = (
            f"NS{district} {rng.randint(1, 9)}{rng.choice(UNIT_LETTERS)}{rng.choice(UNIT_LETTERS)}"
        )
        surname = surname or rng.choice(SURNAMES)
        if adult is None:
            adult = f"{rng.choice(MEN)} {rng.choice((surname, rng.choice(SURNAMES)))}"
        return DemoFamily(
            surname=surname,
            town=town,
            address=f"{rng.randint(1, 120)} {rng.choice(STREETS)}, {town}, Northshire",
            postcode=postcode,
            mother=f"{mother or rng.choice(WOMEN)} {surname}",
            adult=adult,
            adult_relationship=rng.choice(("Father", "Mother's partner", "Stepfather"))
            if adult
            else "",
            adult_risk="",
            children=[],
            grandparent=f"{rng.choice(CALLERS[:4])} {surname}" if rng.random() < 0.15 else "",
        )

    def _child(
        self,
        family: DemoFamily,
        *,
        first=None,
        gender=None,
        dob=None,
        edd=None,
        ethnicity=None,
        religion=None,
        disabilities=None,
    ) -> DemoChild:
        rng = self.rng
        if gender is None:
            gender = M if rng.random() < 0.5 else F
        if first is None:
            taken = {c.first_name for c in family.children}
            pool = [n for n in (BOYS if gender == M else GIRLS) if n not in taken]
            first = rng.choice(pool)
        if family.children:
            ethnicity = ethnicity or family.children[0].ethnicity
            religion = religion or family.children[0].religion
            language = family.children[0].language
        else:
            ethnicity = ethnicity or weighted(rng, ETHNICITIES)
            language = rng.choice(LANGUAGES.get(ethnicity, ("English",)))
            if religion is None:
                religion = rng.choice(
                    RELIGIONS.get(
                        ethnicity,
                        (Religion.NONE, Religion.CHRISTIAN, Religion.NOT_KNOWN, Religion.NOT_KNOWN),
                    )
                )
        if disabilities is None:
            disabilities = list(rng.choice(DISABILITIES)) if rng.random() < 0.12 else []
        child = DemoChild(
            first_name=first,
            last_name=family.surname,
            gender=gender,
            date_of_birth=dob,
            expected_date_of_birth=edd,
            ethnicity=ethnicity,
            religion=religion,
            language=language,
            disabilities=list(disabilities),
            nhs_number=self._unique_nhs_number(),
            key=len(self.nhs_used),
            town=family.town,
        )
        family.children.append(child)
        return child

    def _unique_nhs_number(self) -> str:
        """Two children never share an NHS number (the child record insists on it)."""
        while (number := nhs_number(self.rng)) in self.nhs_used:
            pass
        self.nhs_used.add(number)
        return number

    def _dob(self, age: int, on: date) -> date:
        if age == 0:
            return on - timedelta(days=self.rng.randint(14, 350))
        return on - timedelta(days=age * 365 + self.rng.randint(10, 355))

    # Times.

    def _moment(self, days_ago: int, agency: str | None) -> datetime:
        rng = self.rng
        day = self.today - timedelta(days=days_ago)
        if agency in (POLICE, None):
            hour = rng.choice((1, 2, 8, 10, 13, 15, 17, 18, 19, 20, 21, 22, 23))
        else:
            if day.weekday() >= 5:  # professionals refer on working days
                day -= timedelta(days=day.weekday() - 4)
            hour = rng.randint(8, 15) if agency in (MILLBROOK, CASTLE_HILL) else rng.randint(9, 16)
        return datetime.combine(day, time(hour, rng.randrange(60)), tzinfo=self.tz)

    def _decision_time(self, received: datetime, *, late: bool, immediate: bool) -> datetime:
        rng = self.rng
        if immediate:
            return received + timedelta(hours=rng.uniform(0.5, 3))
        if late:
            hours = rng.choice((rng.uniform(25, 30), rng.uniform(30, 72), rng.uniform(72, 150)))
            decided = received + timedelta(hours=hours)
            if decided < self.now - timedelta(hours=1):
                return decided
        return received + timedelta(hours=rng.triangular(1.5, 23.7, 18))

    # Drafts.

    def _pick_scenario_and_agency(self, *, agency: str | None = None) -> tuple[str, str]:
        """A kind of concern by how common it is, and who refers it (or ``agency``)."""
        choices = {k: s.weight for k, s in SCENARIOS.items() if agency in (None, *s.agencies)}
        scenario = weighted(self.rng, choices)
        return scenario, agency or weighted(self.rng, SCENARIOS[scenario].agencies)

    def _ages_for(self, scenario: str, agency: str | None) -> tuple[int, int]:
        lo, hi = SCENARIOS[scenario].ages
        if agency is not None:
            alo, ahi = AGENCY_AGES[agency]
            lo, hi = max(lo, alo), min(hi, ahi)
        return lo, hi

    def _one_off(
        self,
        *,
        received: datetime,
        scenario: str,
        agency: str | None,
        n_children: int = 1,
        ages: tuple[int, int] | None = None,
    ) -> tuple:
        rng = self.rng
        spec = SCENARIOS[scenario]
        family = self._family(adult=None if spec.needs_adult or rng.random() < 0.6 else "")
        lo, hi = ages or self._ages_for(scenario, agency)
        on = received.astimezone(self.tz).date()
        children = []
        if lo == -1 and hi == -1:
            edd = on + timedelta(days=rng.randint(56, 112))
            children.append(self._child(family, first="Unborn", gender=Gender.NOT_KNOWN, edd=edd))
        else:
            chosen = rng.sample(range(max(lo, 0), hi + 1), k=min(n_children, hi - max(lo, 0) + 1))
            for age in sorted(chosen, reverse=True):
                gender = F if rng.random() < spec.female else M
                children.append(self._child(family, gender=gender, dob=self._dob(age, on)))
        # Brothers and sisters who are not referred live in the household too.
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            self._child(family, dob=self._dob(rng.randint(0, 16), on))
        if family.adult and rng.random() < (0.45 if scenario == "domestic_abuse" else 0.08):
            family.adult_risk = rng.choice(KNOWN_RISKS)
        return family, children

    def draft(self) -> list[Draft]:
        rng = self.rng
        self._plan_repeat_families()
        self._plan_queue()
        for call in PHONE_CALLS:
            self._add_phone(call, self._moment(rng.randint(10, SPAN_DAYS), None), Status.DECIDED)
        for agency in (GP, NURSING):  # emails from professionals without an account
            scenario, _ = self._pick_scenario_and_agency(agency=agency)
            received = self._moment(rng.randint(10, SPAN_DAYS), agency)
            family, children = self._one_off(received=received, scenario=scenario, agency=agency)
            self._add(
                Draft(
                    received,
                    family,
                    children,
                    scenario,
                    agency,
                    Status.DECIDED,
                    self._outcome(scenario),
                    email=True,
                )
            )
        # At least one of every kind of concern, however the dice fall; then the rest.
        for scenario in SCENARIOS:
            self._add_one_off(scenario, weighted(rng, SCENARIOS[scenario].agencies), room=1)
        while (count := sum(len(d.children) for d in self.drafts)) < TARGET_REFERRALS:
            self._add_one_off(*self._pick_scenario_and_agency(), room=TARGET_REFERRALS - count)
        return sorted(self.drafts, key=lambda d: d.received_at)

    def _add_one_off(self, scenario: str, agency: str, *, room: int) -> None:
        """A decided referral from the last 18 months about a child (or brothers and
        sisters) referred only this once."""
        rng = self.rng
        size = 1
        if scenario in SIBLING_SCENARIOS and rng.random() < 0.2:
            size = min(rng.choice((2, 2, 2, 3)), room)
        received = self._moment(rng.randint(3, SPAN_DAYS), agency)
        family, children = self._one_off(
            received=received, scenario=scenario, agency=agency, n_children=size
        )
        immediate = rng.random() < SCENARIOS[scenario].immediate
        outcome = O.STRATEGY_S47 if immediate else self._outcome(scenario)
        late = not immediate and rng.random() < 0.14
        self._add(
            Draft(
                received,
                family,
                children,
                scenario,
                agency,
                Status.DECIDED,
                outcome,
                immediate=immediate,
                late=late,
            )
        )

    def _outcome(self, scenario: str) -> str:
        return weighted(self.rng, SCENARIOS[scenario].outcomes)

    def _add(self, draft: Draft) -> None:
        if draft.status == Status.DECIDED and draft.decided_at is None:
            draft.decided_at = self._decision_time(
                draft.received_at, late=draft.late, immediate=draft.immediate
            )
        if draft.decided_at is not None:
            draft.late = draft.decided_at > decision_due_at(draft.received_at)
        self.drafts.append(draft)

    def _add_phone(self, call: PhoneCall, received: datetime, status: str) -> None:
        family, children = self._one_off(
            received=received, scenario=call.scenario, agency=None, ages=call.ages
        )
        outcome = self._outcome(call.scenario) if status == Status.DECIDED else None
        self._add(
            Draft(received, family, children, call.scenario, None, status, outcome, phone=call)
        )

    def _plan_repeat_families(self) -> None:
        rng = self.rng
        for spec in REPEAT_FAMILIES:
            family = self._family(
                surname=spec.surname, town=spec.town, mother=spec.mother, adult=spec.adult
            )
            family.adult_relationship = spec.adult_relationship
            family.adult_risk = spec.adult_risk
            swapped = {i for e in spec.episodes for i, v in e.as_given.items() if "swap_dob" in v}
            for i, (first, gender, age, disabilities) in enumerate(spec.children):
                dob = self.today - timedelta(days=round(age * 365.25))
                if i in swapped:  # a day that can be mistaken for a month
                    dob = dob.replace(day=7 if dob.month != 7 else 8)
                self._child(
                    family,
                    first=first,
                    gender=gender,
                    dob=dob,
                    ethnicity=spec.ethnicity,
                    religion=spec.religion,
                    disabilities=disabilities,
                )
            for episode in spec.episodes:
                if episode.hours is not None:
                    received = self.now - timedelta(hours=episode.hours)
                else:
                    days = round(episode.months * 30.44) + rng.randint(-3, 3)
                    received = self._moment(max(days, 4), episode.agency)
                children = [family.children[i] for i in episode.who]
                draft = Draft(
                    received,
                    family,
                    children,
                    episode.scenario,
                    episode.agency,
                    episode.status,
                    episode.outcome,
                    late=episode.late,
                    immediate=episode.immediate,
                    extra=episode.extra,
                    as_given={id(family.children[i]): v for i, v in episode.as_given.items()},
                )
                if episode.late:
                    draft.decided_at = received + timedelta(hours=rng.uniform(30, 60))
                if episode.phone is not None:
                    draft.phone = PHONE_CALLS[episode.phone]
                # A family's story keeps to its own concerns: no random extras.
                base = draft.phone.concerns if draft.phone else SCENARIOS[episode.scenario].concerns
                draft.concerns = list(dict.fromkeys([*base, *episode.extra]))
                self._add(draft)

    def _plan_queue(self) -> None:
        rng = self.rng
        for hours, status, decided_after, kind in QUEUE:
            received = self.now - timedelta(hours=hours)
            decided_at = received + timedelta(hours=decided_after) if decided_after else None
            if kind == "phone":  # an anonymous caller, not yet allocated
                self._add_phone(PHONE_CALLS[2], received, status)
                continue
            if kind == "immediate":
                scenario, agency = rng.choice(
                    (("domestic_abuse", POLICE), ("physical_abuse", MILLBROOK))
                )
            else:
                scenario, agency = self._pick_scenario_and_agency()
            size = 2 if scenario in SIBLING_SCENARIOS and rng.random() < 0.25 else 1
            family, children = self._one_off(
                received=received, scenario=scenario, agency=agency, n_children=size
            )
            outcome = None
            if status == Status.DECIDED:
                outcome = O.STRATEGY_S47 if kind == "immediate" else self._outcome(scenario)
            self._add(
                Draft(
                    received,
                    family,
                    children,
                    scenario,
                    agency,
                    status,
                    outcome,
                    decided_at=decided_at,
                    immediate=kind == "immediate",
                )
            )
