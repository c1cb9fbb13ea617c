"""What screening leaves behind in the demo: the screener's notes, the quality rating of
each referral, and the information requests sent to partner agencies, with the answers
health visiting sent back.

Pure Python, like ``plan``. It is planned after the referrals and draws from its own
random numbers, so that adding it changed no referral: the same ``now`` and seed give the
same notes, ratings and requests.

Only ``partner.health`` answers for an agency in the demo (health visiting), so only
requests to health visiting are ever answered; requests to the police, school nursing and
the GP are all on open referrals, waiting. Two of them were sent soon after the referral
was allocated and are now overdue; the rest were sent within the last hour.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from core.clock import decision_due_at
from demo.data.cast import GP, HV, MANAGER, NURSING, PARTNER, POLICE, SCREENER
from demo.data.shapes import NotePlan, RatingPlan, ReferralPlan, RequestPlan, SubmissionPlan
from referrals.census import CallerType
from referrals.census import ConcernCategory as C
from referrals.models import ParentalConsent, Status
from triage.models import QualityRating

# The default due time the screening page offers (triage.services.information): four
# hours, two hours before the decision is due, never less than an hour.
ANSWER_WITHIN = timedelta(hours=4)
ANSWER_BEFORE_DECISION = timedelta(hours=2)
SHORTEST_NOTICE = timedelta(hours=1)

OVERDUE_REQUESTS = 2  # requests to agencies without a demo partner left unanswered


QUESTIONS = {
    HV: (
        "{name} is referred to us for {concern}. What contact have you had with the family, "
        "are {name}'s reviews and immunisations up to date, and do you have any worries "
        "about the home?",
        "Please share what you know about {name} and the household: last contact, "
        "development, and anything {mother} has told you about how she is coping.",
    ),
    NURSING: (
        "What do you know about {name}: health needs, missed appointments, and anything "
        "{name} has said to the school nurse?",
        "Is {name} known to school nursing? Please share any contact in the last year and "
        "any worries about health, hygiene or weight.",
    ),
    POLICE: (
        "Please share any incidents at {street} or involving the adults in the household in "
        "the last 12 months, including domestic abuse call-outs.",
        "MASH police checks, please: the address ({street}) and the adults named in the "
        "household, for the last two years.",
    ),
    GP: (
        "Is {name} registered with you and seen as expected? Is anything known about the "
        "parents' health, mental health or substance use that affects {name}'s care?",
        "Please share {name}'s attendance at appointments this year and any worries the "
        "practice has about the family.",
    ),
}
HV_ABOUT_THE_HOUSEHOLD = (
    "Is the family known to health visiting? Please tell us about any children under five "
    "in {name}'s household, and when you last saw them."
)
HV_ANSWERS = (
    "Known to us. Last contact {weeks} weeks ago at a home visit. {detail} No safeguarding "
    "concerns recorded before this referral.",
    "Known to us: {name} is on our universal caseload. {detail} We will offer a visit this "
    "week and can join any meeting.",
    "Known to us. {detail} {mother} engages when we visit but has cancelled the last two "
    "appointments. Happy to share more by phone.",
)
HV_DETAILS = (
    "Development on track; immunisations up to date.",
    "Missed the last development review; we have written to offer another.",
    "Home was cluttered but warm, with food in the cupboards.",
    "{mother} spoke of low mood at the last contact; we suggested she see her GP.",
    "Weight has dropped from the 50th to the 25th centile since the last review.",
)
HV_NOT_KNOWN = "Not known to us: no children under five are registered with us at this address."
HV_ANSWER_PATTERN = (
    "Known to us: {name} has missed two reviews this year and the home was cold and sparse "
    "at our last visit. Each time things improve for a few weeks and then slip back. We "
    "share the worry about neglect."
)
NOTES_FIRST = (
    "Checked our records for {name} and the household: nothing held under this name, date "
    "of birth or address.",
    "No record of {name} on our system. Address checked: no other children known there.",
)
NOTE_REPEAT = (
    "Checked our records: {count} earlier referral{s} about {name}, the last in {month}. "
    "Linked to {name}'s record; read the chronology before recommending."
)
NOTE_REFERRER = (
    "Rang the referrer at {agency} to go through the referral. They confirmed what was seen "
    "and when, and will send anything new straight to us.",
    "Spoke to the referrer at {agency}: nothing new since the referral was sent.",
)
NOTE_LEAD_PROFESSIONAL = (
    "Spoke to {agency}: nothing new since the referral. They are happy to be the lead "
    "professional if early help is offered."
)
NOTE_CALLER = (
    "Tried to call the caller back on the number given to check the address; no answer, "
    "left a voicemail."
)
NOTE_ANONYMOUS = (
    "Anonymous caller, so no way to check back. Address confirmed from council tax records."
)
NOTE_MOTHER = (
    "Spoke to {mother} by phone. She knows about the referral and agreed to us speaking to "
    "the school and health.",
    "Called {mother}: she was upset about the referral but gave her account and agreed to "
    "the checks.",
)
NOTE_WAITING = "Waiting to hear from {agencies} before recommending."
NOTE_MANAGER = (
    "Read with Alex. {count} earlier referral{s} about {name}: I will decide with the whole "
    "history in view, not this incident alone."
)

# How often each part of the rubric is met, by who referred: the inspection found police
# notifications incident-led and adult services' referrals adult-focused.
RUBRIC = tuple(name for name, _ in QualityRating.RUBRIC)
QUALITY_BY_AGENCY: dict[str | None, tuple[float, ...]] = {
    # specific worry, child's voice, lived experience, history, consent, own analysis
    POLICE: (0.95, 0.55, 0.45, 0.7, 0.6, 0.3),
    HV: (0.9, 0.8, 0.9, 0.85, 0.9, 0.75),
    GP: (0.85, 0.6, 0.6, 0.7, 0.8, 0.5),
    NURSING: (0.9, 0.85, 0.8, 0.8, 0.85, 0.65),
}
QUALITY_SCHOOLS = (0.9, 0.9, 0.85, 0.85, 0.9, 0.7)
QUALITY_ADULT_SERVICES = (0.85, 0.4, 0.5, 0.75, 0.8, 0.5)
QUALITY_CALLERS = (0.8, 0.4, 0.5, 0.4, 0.5, 0.3)
MISSING = {
    "specific_worry": "The worry is general: we could not tell what had happened, or when.",
    "child_voice": "Nothing from {name}: tell us what {name} said, or why it could not be asked.",
    "child_voice_baby": "Nothing about how {name} seemed or responded: for a child too young "
    "to talk, tell us what you saw.",
    "lived_experience": "Incident-led: it says what happened, but little about {name}'s "
    "day-to-day life.",
    "history_considered": "It does not say whether this is new or part of a pattern.",
    "consent_addressed": "It does not say whether the parents know about the referral.",
    "referrer_analysis": "It does not say what the referrer thinks this means for {name}, or "
    "what should happen next.",
}
ALL_MET = (
    "A clear, child-centred referral: a specific worry, {name}'s own words and the history.",
    "Good referral: we could screen it without calling back.",
)

REQUEST_AGENCIES = (HV, NURSING, POLICE, GP)
POLICE_CONCERNS = {
    C.DOMESTIC_ABUSE,
    C.PHYSICAL_ABUSE,
    C.CHILD_CRIMINAL_EXPLOITATION,
    C.CHILD_SEXUAL_EXPLOITATION,
    C.GOING_MISSING,
    C.PARENTAL_DRUG_MISUSE,
}


def default_due_at(requested_at: datetime, decision_due_at: datetime) -> datetime:
    due = min(requested_at + ANSWER_WITHIN, decision_due_at - ANSWER_BEFORE_DECISION)
    return max(due, requested_at + SHORTEST_NOTICE)


@dataclass
class _Case:
    """One referral as screening sees it."""

    submission: SubmissionPlan
    referral: ReferralPlan
    lead: bool  # the first child of the submission: requests go about the household once
    earlier: list[datetime]  # when the child was referred before

    @property
    def received(self) -> datetime:
        return self.submission.received_at

    @property
    def status(self) -> str:
        return self.referral.steps[-1].status if self.referral.steps else Status.RECEIVED

    def step_at(self, status: str) -> datetime | None:
        return next((s.at for s in self.referral.steps if s.status == status), None)


class _Screening:
    def __init__(self, *, now: datetime, rng: random.Random):
        self.now = now
        self.rng = rng
        self.tz = timezone.get_default_timezone()
        self.overdue_left = OVERDUE_REQUESTS
        self.police_asked = False

    def words(self, case: _Case) -> dict[str, str]:
        fields = case.referral.fields
        mother = next(
            (
                m["name"].split(" ")[0]
                for m in case.referral.household
                if m["relationship"] == "Mother"
            ),
            "mum",
        )
        earlier = case.earlier
        return {
            "name": fields["child_first_name"] if fields["child_date_of_birth"] else "the baby",
            "mother": mother,
            "street": fields["child_address"].split(",")[0] or "the address",
            "concern": " and ".join(C(c).label.lower() for c in case.referral.concerns[:2]),
            "agency": case.submission.agency or "the referrer",
            "count": str(len(earlier)),
            "s": "s" if len(earlier) != 1 else "",
            "month": f"{earlier[-1].astimezone(self.tz):%B %Y}" if earlier else "",
            "weeks": str(self.rng.randint(2, 9)),
        }

    def fill(self, template: str, ctx: dict[str, str]) -> str:
        text = template.format_map(ctx)
        return text[:1].upper() + text[1:]

    def age(self, case: _Case) -> int:
        born: date | None = case.referral.fields["child_date_of_birth"]
        if born is None:
            return -1 if case.referral.fields["child_expected_date_of_birth"] else 8
        on = case.received.astimezone(self.tz).date()
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    # Information requests.

    def little_ones(self, case: _Case) -> list[str]:
        """The first names of brothers and sisters under five at home, youngest first."""
        on = case.received.astimezone(self.tz).date()
        young = [
            m
            for m in case.referral.household
            if m["relationship"] in ("Brother", "Sister")
            and m["date_of_birth"]
            and (on - m["date_of_birth"]).days < 5 * 365
        ]
        young.sort(key=lambda m: m["date_of_birth"], reverse=True)
        return [m["name"].split(" ")[0] for m in young]

    def agencies_to_ask(
        self, case: _Case, n: int, *, police: bool = False, health_visiting: bool = False
    ) -> list[str]:
        """Health visiting for a child under five (or with a brother or sister under five
        at home), school nursing for an older one; the police where there is violence,
        exploitation or a known risk; the GP."""
        little_ones = self.little_ones(case)
        age = self.age(case)
        wanted = [HV] if age < 5 else ([HV, NURSING] if little_ones else [NURSING])
        household_risk = any(m.get("known_risk") for m in case.referral.household)
        if police or household_risk or POLICE_CONCERNS & set(case.referral.concerns):
            wanted.insert(0 if police else len(wanted), POLICE)
        wanted.append(GP)
        if health_visiting and HV not in wanted:
            wanted.insert(0, HV)
        return [a for a in wanted if a != case.submission.agency][:n]

    def request(
        self, case: _Case, agency: str, requested_at: datetime, *, answer_by: datetime
    ) -> RequestPlan:
        ctx = self.words(case)
        recommended = case.step_at(Status.AWAITING_DECISION)
        plan = RequestPlan(
            agency=agency,
            question=self.fill(
                HV_ABOUT_THE_HOUSEHOLD
                if agency == HV and self.age(case) >= 5
                else self.rng.choice(QUESTIONS[agency]),
                ctx,
            ),
            # Asked after the recommendation: the manager wanted it before deciding.
            by=MANAGER if recommended and requested_at > recommended else SCREENER,
            requested_at=requested_at,
            due_at=default_due_at(requested_at, decision_due_at(case.received)),
        )
        # Health visiting (partner.health) answers what has been waiting an hour or more.
        if agency == HV and answer_by - requested_at >= SHORTEST_NOTICE:
            last = min(plan.due_at, answer_by)
            plan.answered_at = requested_at + (last - requested_at) * self.rng.uniform(0.3, 0.9)
            plan.answered_by = PARTNER
            neglect_again = C.NEGLECT in case.referral.concerns and len(case.earlier) >= 2
            if self.age(case) >= 5:  # asked about the little ones at home
                little = self.little_ones(case)
                ctx["name"] = little[0] if little else ""
            if not ctx["name"]:
                plan.answer = HV_NOT_KNOWN
            elif neglect_again:
                plan.answer = self.fill(HV_ANSWER_PATTERN, ctx)
            else:
                ctx["detail"] = self.fill(self.rng.choice(HV_DETAILS), ctx)
                plan.answer = self.fill(self.rng.choice(HV_ANSWERS), ctx)
                if self.age(case) >= 5:
                    through = f"Known to us through {ctx['name']}, who is under five"
                    plan.answer = plan.answer.replace("Known to us", through, 1)
        return plan

    def open_requests(
        self, case: _Case, index: int, *, health_visiting: bool = False
    ) -> list[RequestPlan]:
        """An open referral. Health visiting was asked soon after allocation and answered
        where the screener has since recommended an outcome; asked in the last hour, and
        not yet answered, where screening goes on. Anyone else was asked either long ago
        (the overdue two: the oldest open referral waits on police checks) or in the last
        hour. A child referred before is always asked about."""
        if index % 4 == 3 and not case.earlier and not health_visiting:
            return []  # not every new referral needs another agency's view
        assigned = case.step_at(Status.SCREENING)
        latest = self.now - timedelta(minutes=5)
        requests = []
        n = 2 if index % 3 == 0 and case.status == Status.SCREENING else 1
        overdue_here = False
        recently = min(
            max(self.now - timedelta(minutes=self.rng.randint(10, 50)), assigned), latest
        )
        agencies = self.agencies_to_ask(
            case, n, police=not self.police_asked, health_visiting=health_visiting
        )
        self.police_asked |= POLICE in agencies
        for agency in agencies:
            soon_after = min(assigned + timedelta(minutes=self.rng.randint(10, 45)), latest)
            if agency == HV:
                requested = soon_after if case.status == Status.AWAITING_DECISION else recently
            elif (
                self.overdue_left and not overdue_here and latest - soon_after > timedelta(hours=6)
            ):
                self.overdue_left -= 1
                overdue_here = True
                requested = soon_after
            else:
                requested = recently
            requests.append(self.request(case, agency, requested, answer_by=latest))
        return requests

    def decided_requests(self, case: _Case) -> list[RequestPlan]:
        """A decided referral about a baby or toddler: now and then health visiting was
        asked, and answered before the recommendation; always for a child referred
        before."""
        if case.submission.agency == HV or self.age(case) >= 5:
            return []
        if not case.earlier and self.rng.random() >= 0.25:
            return []
        assigned = case.step_at(Status.SCREENING)
        recommended = case.step_at(Status.AWAITING_DECISION)
        requested = assigned + (recommended - assigned) * self.rng.uniform(0.05, 0.3)
        if recommended - requested < SHORTEST_NOTICE:
            return []
        return [self.request(case, HV, requested, answer_by=recommended)]

    # Notes.

    def notes(self, case: _Case, requests: list[RequestPlan]) -> list[NotePlan]:
        rng = self.rng
        ctx = self.words(case)
        assigned = case.step_at(Status.SCREENING)
        recommended = case.step_at(Status.AWAITING_DECISION)
        end = recommended or self.now - timedelta(minutes=2)
        texts = []
        if not case.earlier:
            texts.append(self.fill(rng.choice(NOTES_FIRST), ctx))
        elif case.referral.matched:  # the earlier referrals show once it is linked
            texts.append(self.fill(NOTE_REPEAT, ctx))
        caller = case.submission.caller_type
        if case.submission.agency is None:
            if caller == CallerType.ANONYMOUS:
                texts.append(NOTE_ANONYMOUS)
            elif caller != CallerType.SELF:
                texts.append(NOTE_CALLER)
        elif rng.random() < 0.5:
            schoolish = case.submission.agency in (HV, NURSING) or "School" in ctx["agency"]
            if schoolish and rng.random() < 0.4:
                texts.append(self.fill(NOTE_LEAD_PROFESSIONAL, ctx))
            else:
                texts.append(self.fill(rng.choice(NOTE_REFERRER), ctx))
        consent = case.referral.fields["parental_consent"]
        if consent != ParentalConsent.NOT_SOUGHT and rng.random() < 0.4:
            texts.append(self.fill(rng.choice(NOTE_MOTHER), ctx))
        # Written in the first hours of screening, or sooner when the screening was quick.
        window = min((end - assigned) * 0.6, timedelta(hours=3))
        times = sorted(assigned + window * rng.uniform(0.05, 1) for _ in texts)
        notes = [NotePlan(at, SCREENER, text) for at, text in zip(times, texts, strict=True)]
        waiting = [r.agency for r in requests if r.answered_at is None]
        if waiting and case.status == Status.SCREENING:
            last = max(r.requested_at for r in requests)
            at = min(last + timedelta(minutes=2), self.now - timedelta(minutes=1))
            notes.append(
                NotePlan(at, SCREENER, NOTE_WAITING.format(agencies=" and ".join(waiting)))
            )
        if recommended and len(case.earlier) >= 2:
            decided = case.step_at(Status.DECIDED) or self.now
            at = recommended + (decided - recommended) * rng.uniform(0.1, 0.5)
            notes.append(NotePlan(at, MANAGER, self.fill(NOTE_MANAGER, ctx)))
        return sorted(notes, key=lambda n: n.at)

    # The quality rating.

    def rating(self, case: _Case) -> RatingPlan:
        rng = self.rng
        agency = case.submission.agency
        if agency is None:
            odds = QUALITY_CALLERS
        elif agency in QUALITY_BY_AGENCY:
            odds = QUALITY_BY_AGENCY[agency]
        elif "School" in agency or "Academy" in agency:
            odds = QUALITY_SCHOOLS
        else:
            odds = QUALITY_ADULT_SERVICES
        rubric = {name: rng.random() < p for name, p in zip(RUBRIC, odds, strict=True)}
        fields = case.referral.fields
        if fields["child_voice"].startswith("Not known"):
            rubric["child_voice"] = False
        if not fields["what_should_happen"]:
            rubric["referrer_analysis"] = False
        if case.earlier and fields["history_and_pattern"].startswith("This is not new"):
            rubric["history_considered"] = True
        ctx = self.words(case)
        missing = [name for name in RUBRIC if not rubric[name]]
        if not missing:
            comment = self.fill(rng.choice(ALL_MET), ctx) if rng.random() < 0.3 else ""
        elif len(missing) >= 2 or rng.random() < 0.5:
            baby = self.age(case) < 3  # unborn babies too
            comment = " ".join(
                self.fill(MISSING[f"{name}_baby" if baby and name == "child_voice" else name], ctx)
                for name in missing[:2]
            )
        else:
            comment = ""
        assigned = case.step_at(Status.SCREENING)
        end = case.step_at(Status.AWAITING_DECISION) or self.now - timedelta(minutes=2)
        at = assigned + min((end - assigned) * 0.5, timedelta(hours=2)) * rng.uniform(0.2, 1)
        return RatingPlan(at=at, by=SCREENER, rubric=rubric, comment=comment)


def add_screening(plans: list[SubmissionPlan], *, now: datetime, rng: random.Random) -> None:
    """Give each screened referral in ``plans`` (oldest first) its notes, rating and
    information requests, in place."""
    screening = _Screening(now=now, rng=rng)
    # The newest referral being screened waits on health visiting, so that partner.health
    # always has a request to answer.
    being_screened = [
        s.referrals[0]
        for s in plans
        if s.agency != HV
        and s.referrals[0].steps
        and s.referrals[0].steps[-1].status == Status.SCREENING
    ]
    ask_health_visiting = being_screened[-1] if being_screened else None
    referred: dict[int, list[datetime]] = defaultdict(list)
    open_index = 0
    for submission in plans:
        for i, rp in enumerate(submission.referrals):
            case = _Case(submission, rp, lead=i == 0, earlier=list(referred[rp.child_key]))
            referred[rp.child_key].append(submission.received_at)
            if case.status == Status.RECEIVED:
                continue
            requests = []
            if case.lead and case.status != Status.DECIDED:
                requests = screening.open_requests(
                    case, open_index, health_visiting=rp is ask_health_visiting
                )
                open_index += 1
            elif case.lead:
                requests = screening.decided_requests(case)
            rp.requests = requests
            decided = case.status == Status.DECIDED
            if not decided or case.earlier or rng.random() < 0.35:
                rp.notes = screening.notes(case, requests)
            rated = {Status.SCREENING: 0.6, Status.AWAITING_DECISION: 1.0, Status.DECIDED: 0.85}
            if rng.random() < rated[case.status]:
                rp.rating = screening.rating(case)
