# ruff: noqa: S608 - our own SQL over synthetic rows (no input reaches it)
"""What the people of bench/national.py write: pools of sentences drawn from the demo's
invented stories (demo/data), so that referrals, notes, decisions and answers read like
the demo's and are as long. Loaded into ``bench_text`` (key, texts) once; each row picks
one with ``bench_u``, and ``bench_fill`` puts in the child's name and pronouns and the
adults' names. Everything here is invented."""

from __future__ import annotations

import random
import re

# Filled per row in SQL by bench_fill; every other {placeholder} is filled here.
SQL_PLACEHOLDERS = ("name", "their", "them", "they", "mother", "adult")

HISTORY_REPEAT = (
    "Referred before: {name} was referred to the front door earlier this year and the "
    "family were offered support; the worry has come back.",
    "This is the latest of several referrals about {name}. The pattern is the same each "
    "time: things improve for a few weeks and then slip back.",
    "Known to the front door: a referral a few months ago ended in early help, which "
    "{mother} stopped after two sessions.",
    "We referred {name} before. Since then the school has recorded further low-level "
    "concerns, which are attached to our system.",
)
SCREENING_NOTES = (
    "Checked our records for {name} and the household; earlier contact noted on the chronology.",
    "Rang the referrer to go through the referral. They confirmed what was seen and when, "
    "and will send anything new straight to us.",
    "Spoke to {mother} by phone. She knows about the referral and agreed to us speaking to "
    "the school and health.",
    "Police checks done on the address and the adults named: one domestic incident two "
    "years ago, no further action.",
    "Health visitor and GP checks requested; school confirmed attendance and that {name} "
    "was seen today.",
    "Read the chronology: the concerns repeat earlier referrals. Discussed with the team "
    "manager before recommending.",
)
PROCEED = (
    "Deciding now: the information outstanding would not change the outcome and the family "
    "need an answer today.",
    "Decided on the referral and our records: partner checks are requested and will go to "
    "the allocated worker.",
)
THRESHOLD_REASONS = (
    "The level reflects the history; the outcome reflects what the family have agreed to "
    "and the support already around {name}.",
    "Unusual for the level, but {name} already has a lead professional and a plan that is "
    "working; a statutory response would add nothing today.",
)
AMEND_REASONS = (
    "New information from the police, received after the decision, changes the level of "
    "concern for {name}.",
    "The decision recorded the wrong outcome: corrected after the manager's review.",
    "The health visitor's answer arrived after the decision and shows needs the decision "
    "did not weigh.",
)
UPHELD = (
    "The challenge is upheld: the decision did not give enough weight to the earlier "
    "referrals. The outcome stands, but a review is booked with the referrer in four weeks.",
)
ANSWERS = (
    "Known to us. Last contact six weeks ago at a home visit. No safeguarding concerns "
    "recorded before this referral.",
    "Known to us: {name} has missed two appointments this year. {mother} engages when we "
    "visit but has cancelled the last two.",
    "Not known to us: no record of {name} or the adults at this address.",
    "One incident recorded at the address last year: a verbal argument, no further action. "
    "Nothing since.",
    "Attendance 91% this year; {name} is settled in class and has a trusted adult in school.",
)
DISCUSSION_DECISIONS = (
    (
        "Section 47 enquiry to start today, jointly with the police.",
        "Reasonable cause to "
        "suspect significant harm: the injury is unexplained and {name} is under five.",
    ),
    (
        "{name} to stay with the maternal grandmother while the enquiry runs.",
        "{mother} "
        "agrees, and it keeps {name} away from {adult} until the police have spoken to him.",
    ),
    (
        "Health to arrange a child protection medical within 24 hours.",
        "The injury needs a paediatric opinion before the enquiry can decide what happened.",
    ),
)
CONTRIBUTIONS = {
    "police": "Two domestic incidents at the address in the last year; {adult} was arrested "
    "after the second and released on bail with conditions not to attend.",
    "health": "{name}'s immunisations are up to date; two missed development reviews this "
    "year. {mother} told the health visitor she felt low.",
    "school": "Attendance has fallen to 84% this term; {name} has been quiet and tired, and "
    "told a teaching assistant about shouting at home.",
}
ACTIONS = (
    "Visit {name} at home and see {them} alone.",
    "Arrange a child protection medical.",
    "Share the police disclosure with the social worker.",
    "Speak to the school's designated safeguarding lead about {name}'s attendance.",
    "Complete the section 47 enquiry and report back to the team manager.",
)
CHILD_VIEWS = (
    "{name} said {they} felt safe at nan's house and wanted to stay there for now.",
    "{name} did not want to talk about home but drew a picture of {their} family with "
    "{adult} outside the house.",
    "{name} said the shouting scares {them} and {they} hide in the bedroom when it starts.",
)
NO_ENQUIRY_REASONS = (
    "The injury has a consistent explanation confirmed by the GP; early help offered instead.",
    "{mother} has acted protectively and {adult} has left the home; a child and family "
    "assessment will continue under section 17.",
)
MISSING_HEALTH = (
    "Health could not join at short notice; the health visitor's information was shared "
    "beforehand and she will be sent the minutes."
)


def _render(text: str, fixed: dict[str, str]) -> str:
    """Fill every placeholder but the SQL ones; unknown ones become plain words."""

    def one(match: re.Match) -> str:
        key = match.group(1)
        if key in SQL_PLACEHOLDERS:
            return match.group(0)
        return fixed.get(key, key.replace("_", " "))

    return re.sub(r"\{([a-z_]+)\}", one, text)


def pools() -> dict[str, list[str]]:
    """Every pool, by key: ``worry:<scenario>:<agency type>``, ``lived:<scenario>``,
    ``voice:<scenario>``, ``next:<scenario>``, the decision texts by outcome, and the
    shared ones."""
    from demo.data import decision_words as dw
    from demo.data import screening as scr
    from demo.data import words as w
    from demo.data.agencies import AGENCIES
    from demo.data.challenges import CHANGED, NOT_UPHELD, REASONS, RESPONSES

    rng = random.Random(2026)  # noqa: S311 - which invented words fill a template
    agency_type = {name: str(kind) for name, kind in AGENCIES}
    fixed = {
        "age": "about eight",
        "grade": "high",
        "nth": "third",
        "time": "23:10",
        "street": "the family's address",
        "weeks": "six",
        "detail": "Development on track; immunisations up to date.",
        "agency": "the referring agency",
        "agencies": "health and the school",
        "count": "two",
        "s": "s",
        "month": "the spring",
        "level": "3",
        "plan": "child in need plan",
    }
    out: dict[str, list[str]] = {}
    types = [str(t) for t in _agency_types()] + [""]
    for number, (key, scenario) in enumerate(w.SCENARIOS.items(), start=1):
        local = fixed | {"gist": scenario.gist, "signpost": scenario.signpost, "concern": key}
        for kind in types:
            fitting = [
                t for t in scenario.worries if kind and kind in {agency_type.get(b) for b in t.by}
            ]
            general = [t for t in scenario.worries if not t.by]
            chosen = fitting or general or list(scenario.worries)
            out[f"worry:{number}:{kind}"] = [_render(t.text, local) for t in chosen]
        out[f"lived:{number}"] = [_render(t.text, local) for t in scenario.lived]
        out[f"voice:{number}"] = [_render(t.text, local) for t in scenario.voices]
        out[f"next:{number}"] = [_render(t, local) for t in scenario.next_steps]
        for outcome in scenario.outcomes:
            reasons = local | {"nfa_reason": rng.choice(dw.NFA_REASONS)}
            out.setdefault(f"rationale:{outcome}:{number}", []).append(
                _render(dw.RATIONALE[outcome], reasons)
            )
            out.setdefault(f"impact:{outcome}:{number}", []).append(
                _render(dw.LIVED_IMPACT[outcome], reasons)
            )
            out.setdefault(f"feedback:{outcome}:{number}", []).append(
                _render(dw.FEEDBACK[outcome], reasons)
            )
    generic = fixed | {
        "gist": "going without the care and safety they need",
        "signpost": "the local family hub",
        "concern": "the worries described",
    }
    for outcome in dw.RATIONALE:
        reasons = generic | {"nfa_reason": dw.NFA_REASONS[0]}
        out[f"rationale:{outcome}:0"] = [_render(dw.RATIONALE[outcome], reasons)]
        out[f"impact:{outcome}:0"] = [_render(dw.LIVED_IMPACT[outcome], reasons)]
        out[f"feedback:{outcome}:0"] = [_render(dw.FEEDBACK[outcome], reasons)]
    for outcome, text in dw.RECOMMENDATION.items():
        out[f"recommendation:{outcome}"] = [_render(text, fixed)]
    out["baby_voice"] = [_render(t, fixed) for t in w.BABY_VOICES]
    out["voice_not_gathered"] = [_render(t, fixed) for t in w.VOICE_NOT_GATHERED]
    out["history_first"] = [_render(t.text, fixed) for t in w.HISTORY_FIRST]
    out["history_repeat"] = [_render(t, fixed) for t in HISTORY_REPEAT]
    out["working_well"] = [_render(t, fixed) for t in w.WORKING_WELL]
    out["not_sought"] = [_render(t.text, fixed) for t in w.NOT_SOUGHT_REASONS]
    out["known_risk"] = [_render(t, fixed) for t in w.KNOWN_RISKS]
    out["late"] = [_render(t, fixed) for t in dw.LATE_REASONS]
    out["note"] = [_render(t, fixed) for t in SCREENING_NOTES + dw.SCREENING_CHECKS]
    out["proceed"] = [_render(t, fixed) for t in PROCEED]
    out["threshold_reason"] = [_render(t, fixed) for t in THRESHOLD_REASONS]
    out["amend_reason"] = [_render(t, fixed) for t in AMEND_REASONS]
    out["question"] = [_render(t, fixed) for ts in scr.QUESTIONS.values() for t in ts]
    out["answer"] = [_render(t, fixed) for t in ANSWERS]
    out["challenge_reason"] = [_render(t, fixed) for t in REASONS.values()]
    out["challenge_response"] = [_render(t, fixed) for t in RESPONSES]
    out["not_upheld"] = [_render(NOT_UPHELD, fixed)]
    out["changed"] = [_render(CHANGED, fixed)]
    out["upheld"] = [_render(t, fixed) for t in UPHELD]
    out["discussion_decision"] = [_render(d, fixed) for d, _ in DISCUSSION_DECISIONS]
    out["discussion_rationale"] = [_render(r, fixed) for _, r in DISCUSSION_DECISIONS]
    for kind, text in CONTRIBUTIONS.items():
        out[f"contribution:{kind}"] = [_render(text, fixed)]
    out["action"] = [_render(t, fixed) for t in ACTIONS]
    out["child_views"] = [_render(t, fixed) for t in CHILD_VIEWS]
    out["no_enquiry"] = [_render(t, fixed) for t in NO_ENQUIRY_REASONS]
    out["missing_health"] = [MISSING_HEALTH]
    return out


def _agency_types():
    from agencies.census import AgencyType

    return AgencyType.values


def scenarios():
    """(number, scenario) in a fixed order, numbered from 1 as the pools are."""
    from demo.data import words as w

    return list(enumerate(w.SCENARIOS.values(), start=1))


def load(cursor) -> None:
    """The pools into bench_text, and bench_fill(text, name, gender, mother, adult)."""
    pools_cache("note")
    texts = _CACHE
    cursor.execute("DROP TABLE IF EXISTS bench_text")
    cursor.execute("CREATE TABLE bench_text (key text PRIMARY KEY, texts text[], n int)")
    from psycopg2.extras import execute_values

    execute_values(
        cursor,
        "INSERT INTO bench_text (key, texts, n) VALUES %s",
        [(key, values, len(values)) for key, values in texts.items()],
    )
    cursor.execute(
        """
        CREATE OR REPLACE FUNCTION bench_fill(t text, name text, gender text, mother text,
                                              adult text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT replace(replace(replace(replace(replace(replace(t,
              '{name}', name),
              '{their}', CASE gender WHEN '1' THEN 'his' WHEN '2' THEN 'her' ELSE 'their' END),
              '{them}', CASE gender WHEN '1' THEN 'him' WHEN '2' THEN 'her' ELSE 'them' END),
              '{they}', CASE gender WHEN '1' THEN 'he' WHEN '2' THEN 'she' ELSE 'they' END),
              '{mother}', mother),
              '{adult}', adult) $$;
        """
    )


def pick(pool: str, salt: str) -> str:
    """SQL: one text of a pool joined as ``pool`` (a bench_text row), chosen by ``salt``
    (bench_u's two arguments, e.g. "r.i, 40")."""
    return f"{pool}.texts[1 + floor(bench_u({salt}) * {pool}.n)::int]"


def const(cursor, key: str, salt: str) -> str:
    """SQL: one text of the pool ``key``, its texts inlined as an array constant (which
    PostgreSQL builds once a statement), chosen by ``salt``."""
    from bench.national_sql import lit

    values = pools_cache(key)
    return f"({lit(cursor, values)}::text[])[1 + floor(bench_u({salt}) * {len(values)})::int]"


_CACHE: dict[str, list[str]] = {}


def pools_cache(key: str) -> list[str]:
    if not _CACHE:
        _CACHE.update(pools())
    return _CACHE[key]
