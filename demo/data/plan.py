"""The demo referrals as plain data: each draft written up in a referrer's words, with the
household, the screening steps and the manager's decision. Pure Python: the same ``now``
and seed give the same plan. The child's particulars and household are drawn in
``demo.data.household``."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta

from django.utils import timezone

from agencies.census import source_of_referral_code
from demo.data.cast import (
    AGENCY_TYPES,
    CALLERS,
    CASTLE_HILL,
    GP,
    MANAGER,
    MILLBROOK,
    POLICE,
    REFERRERS,
    SCREENER,
    SURNAMES,
)
from demo.data.decision_words import (
    FEEDBACK,
    LATE_REASONS,
    LIVED_IMPACT,
    NFA_REASONS,
    ONWARD,
    RATIONALE,
    RECOMMENDATION,
    SCREENING_CHECKS,
    THRESHOLD,
)
from demo.data.drafts import DemoChild, Draft, Drafter, weighted
from demo.data.household import household_of, other_professionals, particulars_of
from demo.data.screening import add_screening
from demo.data.shapes import ReferralPlan, Step, SubmissionPlan
from demo.data.words import (
    BABY_VOICES,
    EXTRA_DETAIL,
    HISTORY_FIRST,
    NOT_SOUGHT_REASONS,
    SCENARIOS,
    VOICE_NOT_GATHERED,
    WORKING_WELL,
    Text,
)
from referrals.census import CALLER_SOURCE, CallerType, Gender
from referrals.census import ConcernCategory as C
from referrals.models import Channel, Outcome, ParentalConsent, PatternAnswer, Status
from referrals.models import Outcome as O

DEMO_SEED = 20260114
YEAR = timedelta(days=365)


def _pronouns(gender: str) -> tuple[str, str, str]:
    """Possessive, object and subject. Only unborn babies are of unknown gender, and no
    template gives them a verb after "they"."""
    return {Gender.MALE: ("his", "him", "he"), Gender.FEMALE: ("her", "her", "she")}.get(
        gender, ("their", "them", "they")
    )


def _ordinal(n: int) -> str:
    words = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh")
    return words[n - 1] if n <= len(words) else f"{n}th"


class _Writer:
    """Writes each draft up, oldest first, remembering each child's earlier referrals."""

    def __init__(self, *, now: datetime, rng: random.Random):
        self.now = now
        self.rng = rng
        self.tz = timezone.get_default_timezone()
        self.history: dict[int, list[tuple[datetime, list[str], str | None]]] = defaultdict(list)

    def _context(self, draft: Draft, child: DemoChild) -> dict[str, str]:
        their, them, they = _pronouns(child.gender)
        on = draft.received_at.astimezone(self.tz).date()
        adult_first = draft.family.adult.split(" ")[0] if draft.family.adult else "her partner"
        return {
            "name": child.first_name if child.date_of_birth else "the baby",
            "their": their,
            "them": them,
            "they": they,
            "mother": draft.family.mother.split(" ")[0],
            "adult": adult_first,
            "age": str(max(child.age_on(on), 0)),
            "time": f"{self.rng.choice((0, 1, 2, 22, 23)):02d}:{self.rng.randrange(60):02d}",
            "grade": self.rng.choice(("medium risk", "high risk")),
            "nth": _ordinal(self.rng.randint(3, 6)),
            "signpost": SCENARIOS[draft.scenario].signpost,
            "gist": SCENARIOS[draft.scenario].gist,
            "nfa_reason": self.rng.choice(NFA_REASONS),
        }

    def _fill(self, template: str, ctx: dict[str, str]) -> str:
        text = template.format_map(ctx)
        # "the baby" may open a sentence.
        text = text.replace(". the baby", ". The baby")
        return text[:1].upper() + text[1:]

    def _pick(self, texts, age: int, k: int = 1, *, agency=None, avoid=()) -> list[Text]:
        fitting = [
            t
            for t in texts
            if t.lo <= age <= t.hi and (not t.by or agency in t.by) and t not in avoid
        ]
        fitting = fitting or [t for t in texts if t.lo <= age <= t.hi] or list(texts)
        return self.rng.sample(fitting, k=min(k, len(fitting)))

    def _voice(self, draft: Draft, child: DemoChild, age: int, ctx, *, avoid: list) -> str:
        """What the child said, or why it could not be gathered; ``avoid`` is what their
        brothers and sisters in the same referral have already said."""
        rng = self.rng
        if draft.phone is not None:
            if child is not draft.children[0]:
                return self._fill("Not known: the caller spoke about {name}'s older sibling.", ctx)
            return self._fill(draft.phone.voice, ctx)
        if 0 <= age < 3:
            options = [t for t in BABY_VOICES if t not in avoid] or list(BABY_VOICES)
            avoid.append(template := rng.choice(options))
            return self._fill(template, ctx)
        if age >= 3 and rng.random() < 0.08:
            return self._fill(rng.choice(VOICE_NOT_GATHERED), ctx)
        picked = self._pick(SCENARIOS[draft.scenario].voices, age, avoid=avoid)[0]
        avoid.append(picked)
        return self._fill(picked.text, ctx)

    def _new_or_pattern(self, draft: Draft, lead: DemoChild) -> str:
        # Derived, not drawn from the generator, so the rest of the demo stays as it was.
        if self.history[id(lead)]:
            return PatternAnswer.PATTERN
        return PatternAnswer.DONT_KNOW if len(lead.first_name) % 4 == 0 else PatternAnswer.NEW

    def _houses(self, draft: Draft, child: DemoChild, on: date) -> dict:
        """A few school referrals about children of 5 to 12 give the three houses."""
        age = child.age_on(on)
        if draft.agency not in (MILLBROOK, CASTLE_HILL) or not 5 <= age <= 12:
            return {}
        if len(child.last_name) % 2:
            return {}
        return {
            "voice_worries": "When mum and Dan shout. When there is no food for tea.",
            "voice_good_things": "My nan. Football at lunch. My teacher Miss Shah.",
            "voice_dreams": "A room of my own and a dog. Mum being happy.",
        }

    def _history_text(self, draft: Draft, lead: DemoChild, ctx) -> str:
        earlier = self.history[id(lead)]
        if not earlier:
            age = lead.age_on(draft.received_at.astimezone(self.tz).date())
            return self._fill(self._pick(HISTORY_FIRST, age, agency=draft.agency)[0].text, ctx)
        parts = []
        for when, concerns, outcome in earlier:
            labels = " and ".join(C(c).label.lower() for c in concerns[:2])
            result = f", {Outcome(outcome).label.lower()}" if outcome else ""
            parts.append(f"{when.astimezone(self.tz):%B %Y} ({labels}{result})")
        text = (
            f"This is not new. We know of {len(earlier)} earlier referral"
            f"{'s' if len(earlier) > 1 else ''} about {ctx['name']}: {'; '.join(parts)}."
        )
        if any(C.NEGLECT in concerns for _, concerns, _ in earlier) and (
            C.NEGLECT in self._concerns_of(draft)
        ):
            text += (
                " The same worries about neglect keep coming back: things improve for a few "
                "weeks after each piece of support and then slip back."
            )
        return text

    def _concerns_of(self, draft: Draft) -> list[str]:
        if draft.concerns is None:
            spec = SCENARIOS[draft.scenario]
            concerns = list(draft.phone.concerns if draft.phone else spec.concerns)
            concerns += [c for c in draft.extra if c not in concerns]
            if not draft.phone and not draft.extra:
                for category, chance in spec.extra.items():
                    if self.rng.random() < chance:
                        concerns.append(category)
            draft.concerns = concerns
        return draft.concerns

    def compose(self, draft: Draft) -> SubmissionPlan:
        rng = self.rng
        spec = SCENARIOS[draft.scenario]
        lead = draft.children[0]
        on = draft.received_at.astimezone(self.tz).date()
        lead_age = lead.age_on(on)
        ctx = self._context(draft, lead)
        concerns = self._concerns_of(draft)

        # The details are one form, shared by every child in the submission.
        if draft.phone is not None:
            worry_text = self._fill(draft.phone.worry, ctx)
        else:
            worry = self._pick(spec.worries, lead_age, agency=draft.agency)[0]
            concerns += [c for c in worry.concerns if c not in concerns]
            worry_text = self._fill(worry.text, ctx)
            detail = self._fill(
                self._pick(EXTRA_DETAIL, lead_age, agency=draft.agency)[0].text, ctx
            )
            worry_text = f"{worry_text} {detail}".strip()
        if len(draft.children) > 1:
            names = ", ".join(f"{c.first_name} ({c.age_on(on)})" for c in draft.children[:-1])
            last = draft.children[-1]
            worry_text = (
                f"This referral is about {names} and {last.first_name} ({last.age_on(on)}), who "
                f"live together. {worry_text}"
            )
        lived, voices, used, heard = [], [], [], []
        for child in draft.children:
            child_ctx = self._context(draft, child)
            age = child.age_on(on)
            k = 2 if child is lead else 1
            picked = self._pick(spec.lived, age, k, agency=draft.agency, avoid=used)
            used += picked
            lived += [self._fill(t.text, child_ctx) for t in picked]
            voices.append(self._voice(draft, child, age, child_ctx, avoid=heard))
        consent = draft.phone.consent if draft.phone else weighted(rng, spec.consent)
        reason = ""
        if consent == ParentalConsent.NOT_SOUGHT:
            if draft.phone is not None and draft.phone.reason:
                reason = draft.phone.reason
            else:
                reason = self._pick(NOT_SOUGHT_REASONS, lead_age, agency=draft.agency)[0].text
            reason = self._fill(reason, ctx)
        details = {
            "worry": worry_text,
            "lived_experience": " ".join(dict.fromkeys(lived)),
            "child_voice": " ".join(voices),
            "new_or_pattern": self._new_or_pattern(draft, lead),
            "history_and_pattern": self._history_text(draft, lead, ctx),
            "working_well": self._fill(rng.choice(WORKING_WELL), ctx),
            "what_should_happen": self._fill(rng.choice(spec.next_steps), ctx),
            "parental_consent": consent,
            "consent_not_sought_reason": reason,
            "immediate_risk": draft.immediate,
            "other_professionals": other_professionals(draft, lead_age, rng=self.rng),
        }

        referrals = []
        for child in draft.children:
            child_fields = particulars_of(draft, child, on, rng=self.rng)
            decision = self._decision(draft, child, concerns) if draft.outcome else None
            referrals.append(
                ReferralPlan(
                    fields={**child_fields, **details, **self._houses(draft, child, on)},
                    concerns=list(concerns),
                    household=household_of(draft, child, rng=self.rng),
                    steps=self._steps(draft, child, concerns),
                    child_key=child.key,
                    matched=draft.status in (Status.AWAITING_DECISION, Status.DECIDED)
                    or (draft.status == Status.SCREENING and self.rng.random() < 0.5),
                    decision=decision,
                )
            )
            self.history[id(child)].append((draft.received_at, list(concerns), draft.outcome))
        return self._submission(draft, referrals)

    def _steps(self, draft: Draft, child: DemoChild, concerns: list[str]) -> list[Step]:
        """Claimed by the screener, recommended on, decided by the manager: as far as the
        draft's status goes, at times between receipt and the decision (or now)."""
        rng = self.rng
        received = draft.received_at
        span = (draft.decided_at or self.now) - received
        steps = []
        if draft.status in (Status.SCREENING, Status.AWAITING_DECISION, Status.DECIDED):
            steps.append(
                Step(Status.SCREENING, received + span * rng.uniform(0.05, 0.35), SCREENER)
            )
        if draft.status in (Status.AWAITING_DECISION, Status.DECIDED):
            outcome = self._recommended_outcome(draft)
            steps.append(
                Step(
                    Status.AWAITING_DECISION,
                    received + span * rng.uniform(0.5, 0.9),
                    SCREENER,
                    recommended_outcome=outcome,
                    recommendation=self._recommendation(draft, child, concerns, outcome),
                )
            )
        if draft.status == Status.DECIDED:
            steps.append(Step(Status.DECIDED, draft.decided_at, MANAGER))
        return steps

    def _recommended_outcome(self, draft: Draft) -> str:
        """Mostly what the manager then decides; sometimes a level either side, which the
        manager's decision corrects (the supervisory footprint)."""
        rng = self.rng
        if draft.outcome is None:
            return weighted(rng, SCENARIOS[draft.scenario].outcomes)
        ladder = [O.NO_FURTHER_ACTION, O.SIGNPOST, O.EARLY_HELP, O.ASSESSMENT_S17, O.STRATEGY_S47]
        if draft.outcome not in ladder or rng.random() < 0.85:
            return draft.outcome
        i = ladder.index(draft.outcome) + rng.choice((-1, 1))
        return ladder[min(max(i, 0), len(ladder) - 1)]

    def _recommendation(self, draft: Draft, child: DemoChild, concerns, outcome: str) -> str:
        ctx = self._context(draft, child)
        text = f"{RECOMMENDATION[outcome]} {self.rng.choice(SCREENING_CHECKS)}"
        earlier = [e for e in self.history[id(child)] if e[0] >= draft.received_at - YEAR]
        if earlier:
            text += (
                f" Note: {len(earlier)} earlier referral{'s' if len(earlier) > 1 else ''} "
                "in the last 12 months" + (", neglect again." if C.NEGLECT in concerns else ".")
            )
        return self._fill(text, ctx)

    def _decision(self, draft: Draft, child: DemoChild, concerns: list[str]) -> dict:
        rng = self.rng
        outcome = draft.outcome
        severe = draft.scenario in ("physical_abuse", "sexual_abuse", "cse", "cce", "fgm")
        level = THRESHOLD.get(outcome, 4 if severe or draft.immediate else 3)
        ctx = self._context(draft, child)
        ctx["level"] = str(level)
        ctx["plan"] = "child protection plan" if level == 4 else "child in need plan"
        ctx["signpost"] = ctx["signpost"].format_map(ctx)
        ctx["gist"] = ctx["gist"].format_map(ctx)
        spec = SCENARIOS[draft.scenario]
        if draft.phone is None:
            source = draft.agency
        elif draft.phone.caller_type == CallerType.ANONYMOUS:
            source = "an anonymous caller"
        else:
            source = f"a caller ({draft.phone.caller_role.lower()})"
        opening = f"The referral from {source} describes {spec.summary.format_map(ctx)}."
        earlier = self.history[id(child)]
        pattern = ""
        if earlier:
            year_ago = draft.received_at - timedelta(days=365)
            recent = [e for e in earlier if e[0] >= year_ago]
            pattern = (
                f" This is the {_ordinal(len(earlier) + 1)} referral about {ctx['name']}; "
                f"{len(recent)} earlier in the last 12 months."
            )
            neglect_recurs = C.NEGLECT in concerns and any(C.NEGLECT in e[1] for e in recent)
            if neglect_recurs and len(recent) >= 2:
                pattern += (
                    " Taken together they show a pattern of chronic neglect: each has been "
                    "treated as a single incident and the support offered has not brought "
                    f"lasting change for {ctx['name']}. The cumulative impact must be assessed."
                )
        lived = (
            f" {ctx['name']}'s voice is recorded in the referral and has been considered."
            if child.age_on(draft.received_at.astimezone(self.tz).date()) >= 3
            else ""
        )
        onward = []
        if outcome not in (O.NO_FURTHER_ACTION, O.SIGNPOST):
            onward = list(dict.fromkeys(ONWARD[c] for c in concerns if c in ONWARD))
        return {
            "outcome": outcome,
            "threshold_level_id": level,  # the level's number (ThresholdLevel.level)
            "rationale": self._fill(f"{opening}{pattern}{lived} {RATIONALE[outcome]}".strip(), ctx),
            "lived_experience_impact": self._fill(LIVED_IMPACT[outcome], ctx),
            "onward_referrals": "\n".join(self._fill(o, ctx) for o in onward),
            "late_reason": rng.choice(LATE_REASONS) if draft.late else "",
            "feedback": self._fill(FEEDBACK[outcome], ctx),
            "decided_at": draft.decided_at,
        }

    def _submission(self, draft: Draft, referrals: list[ReferralPlan]) -> SubmissionPlan:
        rng = self.rng
        received = draft.received_at
        if draft.phone is not None or draft.email:
            created = min(received + timedelta(minutes=rng.randint(5, 40)), self.now)
            if draft.phone is not None:
                call = draft.phone
                contact = {}
                if call.caller_type == CallerType.SELF:
                    lead = draft.children[0]
                    contact = {
                        "referrer_name": f"{lead.first_name} {lead.last_name}",
                        "referrer_role": call.caller_role,
                    }
                elif call.caller_type != CallerType.ANONYMOUS:
                    surname = (
                        draft.family.surname
                        if call.caller_type == CallerType.FAMILY
                        else rng.choice(SURNAMES)
                    )
                    contact = {
                        "referrer_name": f"{rng.choice(CALLERS)} {surname}",
                        "referrer_role": call.caller_role,
                        "referrer_phone": f"07700 900{rng.randrange(1000):03d}",
                    }
                return SubmissionPlan(
                    submitted_by=SCREENER,
                    referrer=None,
                    agency=None,
                    channel=Channel.PHONE,
                    caller_type=call.caller_type,
                    source_of_referral=CALLER_SOURCE[CallerType(call.caller_type)],
                    received_at=received,
                    created_at=created,
                    contact=contact,
                    referrals=referrals,
                )
            agency = draft.agency
            return SubmissionPlan(
                submitted_by=SCREENER,
                referrer=None,
                agency=agency,
                channel=Channel.EMAIL,
                caller_type=CallerType.PROFESSIONAL,
                source_of_referral=source_of_referral_code(AGENCY_TYPES[agency]),
                received_at=received,
                created_at=created,
                contact={
                    "referrer_name": "Dr Ayo Penrose" if agency == GP else "Fiona Tilling",
                    "referrer_role": "Salaried GP" if agency == GP else "Staff nurse",
                    "referrer_organisation": agency,
                    "referrer_phone": f"01632 960{rng.randrange(200, 1000):03d}",
                    "referrer_email": "duty@example.invalid",
                },
                referrals=referrals,
            )
        referrer = rng.choice(REFERRERS[draft.agency])
        channel = Channel.WEB
        if rng.random() < {POLICE: 0.6, GP: 0.3}.get(draft.agency, 0):
            channel = Channel.API  # their case systems send referrals through the API
        return SubmissionPlan(
            submitted_by=referrer,
            referrer=referrer,
            agency=draft.agency,
            channel=channel,
            caller_type="",
            source_of_referral=source_of_referral_code(AGENCY_TYPES[draft.agency]),
            received_at=received,
            created_at=received,
            contact={},
            referrals=referrals,
        )


def plan_demo_referrals(*, now: datetime, seed: int = DEMO_SEED) -> list[SubmissionPlan]:
    """The demo referrals, oldest first, as plain data: the same ``now`` and seed give the
    same plan."""
    rng = random.Random(seed)  # noqa: S311 - invented data, not security
    drafts = Drafter(now=now, rng=rng).draft()
    writer = _Writer(now=now, rng=rng)
    plans = [writer.compose(draft) for draft in drafts]
    # Screening draws from its own numbers, so that the referrals are the same with it.
    add_screening(plans, now=now, rng=random.Random(seed + 1))  # noqa: S311
    return plans
