"""Demo coaching prompts: what the referrers of the demo's web-form referrals were
prompted while writing, and what became of each, so that "Coaching and referral quality,
by agency" and the referrer's explanations on the screening and decision pages have
something to show. Synthetic; written once (a second run adds nothing).

The prompts still drawn by the text as it was sent come from the rules themselves
(referrals.coaching): for each field the referrer either explained why they could not
say more (about two in five) or went on without (ignored), as the form records it. Some
referrals also had a prompt the referrer acted on (the text sent no longer draws it).
"""

from __future__ import annotations

import random
from datetime import timedelta

from referrals import coaching
from referrals.coaching import EDUCATION, HEALTH, OTHER, POLICE
from referrals.models import Channel, CoachingOutcome, CoachingPrompt, Referral

SEED = 20260412
EXPLAINED_SHARE = 0.4
ACTED_ON_SHARE = 0.35

# Why the referrer could not say more, by field and kind of agency (referrals.coaching's
# groups; OTHER for any without its own): what referrers write.
EXPLANATIONS = {
    coaching.WORRY: {
        POLICE: "Attended once, overnight; no earlier call-outs to this address on record.",
        HEALTH: "This is my first contact with the family; the records hold nothing earlier.",
        EDUCATION: "The child joined us this term and we have no history for them yet.",
        OTHER: "This is the only incident we know of; we have no earlier contact with them.",
    },
    coaching.LIVED_EXPERIENCE: {
        POLICE: "We were at the address for under an hour and did not see a normal day.",
        HEALTH: "I have only seen the family at appointments; I cannot say what home is like.",
        EDUCATION: "We see the child in school hours only; I have asked their teacher for more.",
        OTHER: "I did not go into the home, so I cannot describe the child's day there.",
    },
    coaching.CHILD_VOICE: {
        POLICE: "The children were asleep when we attended and it was not safe to wake them.",
        HEALTH: "I saw the child only with their parent and had no chance to ask them alone.",
        EDUCATION: "Mum collected the child before I could speak with them on their own.",
        OTHER: "Mum stayed in the room throughout, so I could not ask the child alone.",
    },
    coaching.HISTORY: {
        OTHER: "This is our first contact with the family; I have asked colleagues for more.",
    },
}
# Prompts a referrer acted on: shown while writing, cleared by the text they sent.
ACTED_ON = [
    (coaching.WORRY, coaching.INCIDENT_ONLY),
    (coaching.WORRY, coaching.NO_CHILD_EXAMPLE),
    (coaching.LIVED_EXPERIENCE, coaching.ADULTS_ONLY),
    (coaching.CHILD_VOICE, coaching.NO_CHILD_EXAMPLE),
]


def _final_prompts(referral: Referral) -> list[coaching.Prompt]:
    """The prompts the referral as sent still draws (placeholders are refused, never
    sent)."""
    texts = {field: getattr(referral, field) for field in coaching.COACHED_FIELDS}
    prompts = coaching.coach(
        texts,
        agency_type=referral.agency.type if referral.agency else None,
        child_names=(referral.child_first_name,),
        pattern=referral.new_or_pattern,
        voice_houses=(referral.voice_worries, referral.voice_good_things, referral.voice_dreams),
    )
    return [p for p in prompts if not p.refused]


def plan_prompts(referral: Referral, rng: random.Random) -> list[CoachingPrompt]:
    agency_type = referral.agency.type if referral.agency else ""
    rows = []

    def add(field, rule, outcome, explanation=""):
        minutes = rng.randint(5, 40)
        rows.append(
            CoachingPrompt(
                referral=referral,
                field=field,
                rule=rule,
                agency_type=agency_type,
                shown_at=referral.received_at - timedelta(minutes=minutes),
                outcome=outcome,
                explanation=explanation,
            )
        )

    final = _final_prompts(referral)
    group = coaching.agency_group(agency_type)
    explained = {
        field: EXPLANATIONS[field].get(group) or EXPLANATIONS[field][OTHER]
        for field in dict.fromkeys(p.field for p in final)
        if rng.random() < EXPLAINED_SHARE
    }
    for prompt in final:
        if prompt.field in explained:
            add(prompt.field, prompt.rule, CoachingOutcome.EXPLAINED, explained[prompt.field])
        else:
            add(prompt.field, prompt.rule, CoachingOutcome.IGNORED)
    still = {(p.field, p.rule) for p in final}
    cleared = [key for key in ACTED_ON if key not in still]
    if cleared and rng.random() < ACTED_ON_SHARE:
        add(*rng.choice(cleared), CoachingOutcome.ACTED_ON)
    return rows


def seed_demo_coaching(*, referrals) -> int:
    """Coaching prompts for the demo's web-form ``referrals``, unless any of them has
    some already. Returns how many were written."""
    web = referrals.filter(channel=Channel.WEB)
    if CoachingPrompt.objects.filter(referral__in=web).exists():
        return 0
    rows = []
    for referral in web.select_related("agency").order_by("received_at", "pk"):
        rng = random.Random(f"{SEED}:{referral.reference}")  # noqa: S311 - invented data
        rows.extend(plan_prompts(referral, rng))
    CoachingPrompt.objects.bulk_create(rows, batch_size=500)
    return len(rows)
