# ruff: noqa: S608, E501 - our own SQL over synthetic rows, kept one fragment a line
"""The rows the app's tables hold about submissions, children and referrals, written from
bench/national_families.py's working tables: Submission, Child, Referral (with the
details as the referrer gave them, their contact details and what they wrote),
ReferralConcern, HouseholdMember and the reference sequence."""

from __future__ import annotations

import time

from bench.national_sql import insert, insert_from
from bench.national_words import const, pick


def _done(what: str, n: int, started: float) -> None:
    print(f"{what}: {n:,} ({time.perf_counter() - started:.0f} s)", flush=True)


def insert_submissions(cursor) -> None:
    from referrals.models import Submission

    started = time.perf_counter()
    n = insert(
        cursor,
        Submission,
        {
            "id": "s",
            "submitted_by_id": "coalesce(referrer, recorder)",
            "created_at": "received + CASE WHEN recorder IS NULL THEN interval '0' ELSE interval '12 minutes' END",
        },
        "SELECT * FROM bench_sub",
    )
    _done("submissions", n, started)


def insert_children(cursor) -> None:
    """A child's record as create_child_from_referral makes it: the details the first
    linked referral gave (its NHS number only if it gave one)."""
    from referrals.models import Child

    started = time.perf_counter()
    n = insert_from(
        cursor,
        Child,
        {
            "id": "c.child_id",
            "first_name": "p.first_name",
            "last_name": "p.last_name",
            "other_names": "p.other_names",
            "date_of_birth": "p.dob",
            "gender": "p.gender",
            "ethnicity": "p.ethnicity",
            "first_language": "p.first_language",
            "interpreter_needed": "p.interpreter",
            "religion": "p.religion",
            "disabilities": "p.disabilities",
            "address": "p.address",
            "postcode": "p.postcode",
            "school": "''",
            "nhs_number": "CASE WHEN c.has_nhs THEN p.nhs ELSE '' END",
            "created_at": "c.created_at",
            "created_by_id": "c.created_by",
        },
        "bench_child AS c JOIN bench_person AS p USING (p)",
    )
    _done("children's records", n, started)


def insert_referrals(cursor, *, now_sql: str) -> None:
    """Each referral as submit_referrals wrote it and screening left it."""
    from referrals.census import concern_mask_sql
    from referrals.models import Referral

    started = time.perf_counter()
    recorded = "r.recorder IS NOT NULL"
    gender = "p.gender"
    fill = f"p.first_name, {gender}, p.mother, p.adult"
    n = insert_from(
        cursor,
        Referral,
        {
            "id": "r.i",
            "reference": "'FD-' || r.year || '-' || lpad(r.ref_no::text, 6, '0')",
            "submission_id": "r.s",
            "status": "r.status",
            "channel": "r.channel",
            "referrer_id": "r.referrer",
            "agency_id": "r.agency",
            "source_of_referral": "r.source_code",
            "recorded_by_id": "r.recorder",
            "caller_type": "r.caller_type",
            # The referrer's own details (the form fills them in); a caller's as given,
            # none for an anonymous one.
            "referrer_name": "CASE WHEN r.referrer IS NOT NULL THEN u.first_name || ' ' || u.last_name "
            "WHEN r.caller_type = 'anonymous' THEN '' "
            "WHEN r.caller_type = 'professional' THEN 'Duty officer' "
            "ELSE p.mother || ' (caller)' END",
            "referrer_role": "CASE WHEN r.referrer IS NOT NULL THEN u.job_title "
            "WHEN r.caller_type = 'professional' THEN 'Safeguarding lead' "
            "WHEN r.caller_type = 'family' THEN 'Relative' ELSE '' END",
            "referrer_organisation": "CASE WHEN r.caller_type = 'anonymous' THEN '' ELSE coalesce(a.name, '') END",
            "referrer_phone": "CASE WHEN r.caller_type = 'anonymous' THEN '' "
            "WHEN r.referrer IS NOT NULL THEN u.phone "
            "ELSE '07700 ' || lpad((900000 + r.s % 1000)::text, 6, '0') END",
            "referrer_email": "CASE WHEN r.referrer IS NOT NULL THEN u.email ELSE '' END",
            "received_at": "r.received",
            "decision_due_at": "r.due",
            "created_at": f"r.received + CASE WHEN {recorded} THEN interval '12 minutes' ELSE interval '0' END",
            "child_first_name": "p.first_name",
            "child_last_name": "p.last_name",
            "child_other_names": "p.other_names",
            "child_date_of_birth": "p.dob",
            "child_gender": "p.gender",
            "child_ethnicity": "CASE WHEN bench_u(r.i, 31) < 0.2 THEN 'NOBT' ELSE p.ethnicity END",
            "child_first_language": "CASE WHEN bench_u(r.i, 32) < 0.3 THEN '' ELSE p.first_language END",
            "child_interpreter_needed": "CASE WHEN bench_u(r.i, 32) < 0.3 THEN NULL ELSE p.interpreter END",
            "child_religion": "CASE WHEN bench_u(r.i, 33) < 0.4 THEN 'not_known' ELSE p.religion END",
            "child_disabilities": "p.disabilities",
            "child_address": "CASE WHEN r.caller_type = 'anonymous' AND bench_u(r.i, 34) < 0.5 THEN '' ELSE p.address END",
            "child_postcode": "CASE WHEN bench_u(r.i, 35) < 0.1 THEN '' ELSE p.postcode END",
            "child_school": "''",
            "child_nhs_number": "CASE WHEN r.gives_nhs THEN p.nhs ELSE '' END",
            "child_id": "r.child",
            "assigned_to_id": "CASE WHEN r.assigned_at IS NOT NULL THEN r.screener END",
            "assigned_at": "r.assigned_at",
            "recommended_outcome": "CASE WHEN r.recommended_at IS NULL THEN '' ELSE r.recommended END",
            "recommendation": f"CASE WHEN r.recommended_at IS NULL THEN '' ELSE bench_fill(rec.texts[1], {fill}) END",
            "recommended_by_id": "CASE WHEN r.recommended_at IS NOT NULL THEN r.screener END",
            "recommended_at": "r.recommended_at",
            "worry": f"bench_fill({pick('wo', 'r.s, 36')}, {fill})",
            "lived_experience": f"bench_fill({pick('li', 'r.s, 37')}, {fill})",
            "child_voice": f"bench_fill(CASE WHEN r.received::date - p.dob < 730 THEN {const(cursor, 'baby_voice', 'r.i, 38')} "
            f"WHEN bench_u(r.i, 39) < 0.1 THEN {const(cursor, 'voice_not_gathered', 'r.i, 38')} "
            f"ELSE {pick('vo', 'r.i, 38')} END, {fill})",
            "voice_worries": "CASE WHEN bench_u(r.i, 40) < 0.1 THEN 'Shouting at home and not having tea.' ELSE '' END",
            "voice_good_things": "CASE WHEN bench_u(r.i, 40) < 0.1 THEN 'My nan, football and my friend at school.' ELSE '' END",
            "voice_dreams": "CASE WHEN bench_u(r.i, 40) < 0.1 THEN 'Everyone being kind and having my own room.' ELSE '' END",
            "new_or_pattern": "CASE WHEN r.channel = 'api' THEN 'not_asked' "
            "WHEN r.q = 0 THEN (ARRAY['new', 'new', 'dont_know'])[bench_pick(r.s, 41, 3)] "
            "ELSE (ARRAY['pattern', 'pattern', 'dont_know'])[bench_pick(r.s, 41, 3)] END",
            "history_and_pattern": f"bench_fill(CASE WHEN r.q = 0 THEN {const(cursor, 'history_first', 'r.s, 42')} "
            f"ELSE {const(cursor, 'history_repeat', 'r.s, 42')} END, {fill})",
            "working_well": f"bench_fill({const(cursor, 'working_well', 'r.s, 43')}, {fill})",
            "what_should_happen": f"bench_fill({pick('nx', 'r.s, 44')}, {fill})",
            "parental_consent": "r.consent",
            "consent_not_sought_reason": f"CASE WHEN r.consent = 'not_sought' THEN bench_fill({const(cursor, 'not_sought', 'r.s, 45')}, {fill}) ELSE '' END",
            "immediate_risk": "r.immediate",
            # As referrals.services sets it: every referral's, decided or not.
            "concern_mask": "(SELECT coalesce(sum("
            + concern_mask_sql("x.c")
            + "), 0) FROM unnest(r.concerns) AS x(c))",
            "other_professionals": "CASE WHEN bench_u(r.s, 46) < 0.5 THEN 'School, GP and health visitor know the family.' ELSE '' END",
        },
        """
        bench_ref AS r
        JOIN bench_person AS p ON p.p = r.p
        LEFT JOIN agencies_user AS u ON u.id = r.referrer
        LEFT JOIN agencies_agency AS a ON a.id = r.agency
        JOIN bench_text AS wo ON wo.key = 'worry:' || r.sc || ':' || coalesce(a.type, '')
        JOIN bench_text AS li ON li.key = 'lived:' || r.sc
        JOIN bench_text AS vo ON vo.key = 'voice:' || r.sc
        JOIN bench_text AS nx ON nx.key = 'next:' || r.sc
        LEFT JOIN bench_text AS rec ON rec.key = 'recommendation:' || r.recommended
        """,
    )
    _done("referrals", n, started)


def insert_concerns(cursor) -> None:
    from referrals.models import ReferralConcern

    started = time.perf_counter()
    n = insert(
        cursor,
        ReferralConcern,
        {"referral_id": "i", "category": "category"},
        "SELECT i, unnest(concerns) AS category FROM bench_ref",
    )
    _done("concerns", n, started)


def insert_households(cursor) -> None:
    """The household as the referrer named it, the same for siblings: the mother (nine
    times in ten) and, half the time, a man in the child's life."""
    from referrals.models import HouseholdMember

    started = time.perf_counter()
    relationship = "(ARRAY['Father', 'Mother''s partner', 'Stepfather'])[bench_pick(r.f, 120, 3)]"
    n = insert(
        cursor,
        HouseholdMember,
        {
            "referral_id": "i",
            "name": "name",
            "relationship": "relationship",
            "date_of_birth": "dob",
            "lives_with_child": "lives",
            "known_risk": "risk",
        },
        f"""
        SELECT r.i, p.mother || ' ' || p.last_name AS name, 'Mother' AS relationship,
               p.dob - (7300 + floor(bench_u(r.f, 121) * 5500))::int AS dob, true AS lives,
               '' AS risk
          FROM bench_ref AS r JOIN bench_person AS p ON p.p = r.p
         WHERE bench_u(r.s, 122) < 0.9
        UNION ALL
        SELECT r.i, p.adult, {relationship},
               CASE WHEN bench_u(r.s, 123) < 0.7
                    THEN p.dob - (7300 + floor(bench_u(r.f, 124) * 7000))::int END,
               bench_u(r.f, 125) < 0.7,
               CASE WHEN 'domestic_abuse' = ANY(r.concerns) AND bench_u(r.s, 126) < 0.4
                    THEN bench_fill({const(cursor, "known_risk", "r.s, 127")}, p.first_name, p.gender, p.mother, p.adult)
                    ELSE '' END
          FROM bench_ref AS r JOIN bench_person AS p ON p.p = r.p
         WHERE bench_u(r.s, 128) < 0.5
        """,
    )
    _done("household members", n, started)


def set_reference_sequences(cursor) -> None:
    """Each year's numbering continues after the highest reference loaded for it (the
    year's sequence on PostgreSQL, its counter row too), so that the next real referral
    never takes a loaded one's reference."""
    from referrals.references import renumber_from_stored

    renumber_from_stored()
