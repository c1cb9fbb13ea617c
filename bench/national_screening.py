# ruff: noqa: S608, E501 - our own SQL over synthetic rows, kept one fragment a line
"""Screening and deciding, for bench/national.py: screening notes, quality ratings,
coaching prompts, information requests to partner agencies and their answers, the
repeat-referral flags as they stood, decisions (with the supervisory footprint the
decide service keeps) and amendments.

A referral's screening happens between its receipt and its decision (or now, while it
is open): allocated in the first sixth, linked to the child's record, notes, requests
sent, answers, a recommendation, the decision. ``bench_req`` and ``bench_flags`` are
working tables the notices and the kept records read after."""

from __future__ import annotations

import time

from bench.national_coaching import insert_coaching_prompts
from bench.national_sql import insert, insert_from, int_array
from bench.national_words import const, pick

LEVEL_OF = (
    "CASE {o} WHEN 'nfa' THEN 1 WHEN 'signpost' THEN 1 WHEN 'early_help' THEN 2 "
    "WHEN 's17' THEN 3 WHEN 's47' THEN 4 ELSE 3 END"
)
# Outcomes triage.footprint counts unusual for a level, as (level, outcome) pairs.
UNUSUAL = "({l}, {o}) IN ((1, 's17'), (1, 's47'), (2, 's47'), (3, 'nfa'), (3, 'signpost'), (4, 'nfa'), (4, 'signpost'), (4, 'early_help'))"
REQUEST_TYPES = ("health_visiting", "gp", "school", "police", "school_nursing", "camhs")


def _done(what: str, n: int, started: float) -> None:
    print(f"{what}: {n:,} ({time.perf_counter() - started:.0f} s)", flush=True)


def load(cursor, *, people, now_sql: str) -> None:
    notes(cursor, now_sql=now_sql)
    ratings(cursor)
    coaching(cursor)
    requests(cursor, people=people, now_sql=now_sql)
    flags(cursor)
    decisions(cursor)
    amendments(cursor, people=people, now_sql=now_sql)


def coaching(cursor) -> None:
    started = time.perf_counter()
    n = insert_coaching_prompts(cursor, insert)
    _done("coaching prompts", n, started)


def _fill(alias: str = "p") -> str:
    return f"{alias}.first_name, {alias}.gender, {alias}.mother, {alias}.adult"


def notes(cursor, *, now_sql: str) -> None:
    """None for one decided referral in ten (the decision then says why it went on
    without), else one to three, by the screener (a third by a manager), between the
    link to the child's record and the recommendation."""
    from triage.models import ScreeningNote

    started = time.perf_counter()
    cursor.execute(
        f"""
        CREATE UNLOGGED TABLE bench_note AS
        SELECT r.i, j, r.received + (coalesce(r.decided_at, now_at) - r.received) * (0.27 + 0.1 * j + 0.02 * bench_u(r.i, 130 + j)) AS at,
               CASE WHEN j = 3 THEN r.manager ELSE r.screener END AS author
          FROM (SELECT *, CASE WHEN status = 'received' THEN 0
                               WHEN bench_u(i, 129) < 0.10 THEN 0
                               WHEN bench_u(i, 129) < 0.65 THEN 1
                               WHEN bench_u(i, 129) < 0.9 THEN 2 ELSE 3 END AS n
                  FROM bench_ref) AS r
          CROSS JOIN LATERAL (SELECT {now_sql} AS now_at) AS t
          CROSS JOIN LATERAL generate_series(1, r.n) AS j
        """
    )
    n = insert_from(
        cursor,
        ScreeningNote,
        {
            "referral_id": "n.i",
            "author_id": "n.author",
            "text": f"bench_fill({const(cursor, 'note', 'n.i * 4 + n.j, 134')}, {_fill()})",
            "created_at": "n.at",
        },
        "bench_note AS n JOIN bench_ref AS r USING (i) JOIN bench_person AS p ON p.p = r.p",
    )
    _done("screening notes", n, started)


def ratings(cursor) -> None:
    """A third of the decided referrals rated by their screener against the rubric,
    when they recommended (or, with no recommendation, at the link)."""
    from triage.models import QualityRating

    started = time.perf_counter()
    n = insert(
        cursor,
        QualityRating,
        {
            "referral_id": "i",
            "specific_worry": "bench_u(i, 140) < 0.85",
            "child_voice": "bench_u(i, 141) < 0.55",
            "lived_experience": "bench_u(i, 142) < 0.6",
            "history_considered": "bench_u(i, 143) < 0.65",
            "consent_addressed": "bench_u(i, 144) < 0.8",
            "referrer_analysis": "bench_u(i, 145) < 0.45",
            "rated_by_id": "screener",
            "rated_at": "coalesce(recommended_at, link_at) + interval '1 minute'",
        },
        "SELECT * FROM bench_ref WHERE status = 'decided' AND bench_u(i, 146) < 0.33",
    )
    _done("quality ratings", n, started)


def requests(cursor, *, people, now_sql: str) -> None:
    """One referral in five being screened or decided (every one of the hot children's)
    asks one to three of the family's local agencies (health visiting, GP, school,
    police, school nursing, CAMHS); due by the service's default (four hours, two before
    the decision is due, never under an hour); answered by one of the agency's partners
    within minutes to hours, a few after their due time, one in a hundred never."""
    from bench.national_shape import AGENCY_COUNTS
    from bench.national_submissions import sources
    from triage.models import InformationRequest

    started = time.perf_counter()
    src = sources(cursor, people)
    types = list(AGENCY_COUNTS)
    type_numbers = int_array(cursor, [types.index(t) + 1 for t in REQUEST_TYPES])
    partner_first = int_array(cursor, people.partner_first)
    partner_count = int_array(cursor, people.partner_count)
    cursor.execute(
        f"""
        CREATE UNLOGGED TABLE bench_req AS
        SELECT row_number() OVER (ORDER BY requested_at, i, j) AS id, *
          FROM (
            SELECT x.*, CASE WHEN x.answer_at < {now_sql} AND NOT x.never THEN x.answer_at END AS answered_at,
                   {partner_first}[x.agency] + floor(bench_u(x.i * 4 + x.j, 156) * {partner_count}[x.agency])::bigint AS partner
              FROM (
                SELECT r.i, j, r.s, r.due, r.status, r.decided_at, requested_at,
                       GREATEST(LEAST(requested_at + interval '4 hours', r.due - interval '2 hours'),
                                requested_at + interval '1 hour') AS due_at,
                       requested_at + interval '1 minute' * (15 + 300 * power(bench_u(r.i * 4 + j, 151), 3)) AS answer_at,
                       r.status = 'decided' AND bench_u(r.i * 4 + j, 152) < 0.01 AS never,
                       {src["type_slots"]}[{src["type_offset"]}[t] + bench_pick(r.f, 100 + t::int, {src["type_length"]}[t]::int)] AS agency
                  FROM (SELECT *, CASE WHEN hot THEN 1 + (bench_u(i, 150) < 0.5)::int
                                       WHEN bench_u(i, 150) < 0.13 THEN 1
                                       WHEN bench_u(i, 150) < 0.18 THEN 2
                                       WHEN bench_u(i, 150) < 0.20 THEN 3 ELSE 0 END AS n
                          FROM bench_ref WHERE status <> 'received') AS r
                  CROSS JOIN LATERAL generate_series(1, r.n) AS j
                  CROSS JOIN LATERAL (
                    SELECT r.received + (coalesce(r.decided_at, {now_sql}) - r.received) * (0.12 + 0.03 * j) AS requested_at,
                           {type_numbers}[1 + (bench_pick(r.i, 153, 6) + j) % 6] AS t) AS g
              ) AS x
          ) AS y
        """
    )
    cursor.execute("ALTER TABLE bench_req ADD PRIMARY KEY (id)")
    n = insert_from(
        cursor,
        InformationRequest,
        {
            "id": "q.id",
            "referral_id": "q.i",
            "agency_id": "q.agency",
            "question": f"bench_fill({const(cursor, 'question', 'q.id, 157')}, {_fill()})",
            "requested_by_id": "r.screener",
            "requested_at": "q.requested_at",
            "due_at": "q.due_at",
            "answer": f"CASE WHEN q.answered_at IS NULL THEN '' ELSE bench_fill({const(cursor, 'answer', 'q.id, 158')}, {_fill()}) END",
            "answered_by_id": "CASE WHEN q.answered_at IS NOT NULL THEN q.partner END",
            "answered_at": "q.answered_at",
        },
        "bench_req AS q JOIN bench_ref AS r USING (i) JOIN bench_person AS p ON p.p = r.p",
    )
    _done("information requests", n, started)


def flags(cursor) -> None:
    """The repeat-referral flags each decided referral had when it was decided
    (triage.repeat_flags.with_repeat_flags): the child's referrals in the 12 months
    before, neglect in them, a concern recurring."""
    started = time.perf_counter()
    cursor.execute(
        """
        CREATE UNLOGGED TABLE bench_flags AS
        SELECT w.i, w.earlier, w.earlier_neglect > 0 AS earlier_neglect, w.has_neglect,
               coalesce(c.recurs, false) AS concern_recurs
          FROM (
            SELECT i, 'neglect' = ANY(concerns) AS has_neglect,
                   count(*) OVER win - 1 AS earlier,
                   sum(('neglect' = ANY(concerns))::int) OVER win - ('neglect' = ANY(concerns))::int AS earlier_neglect
              FROM bench_ref WHERE child IS NOT NULL
            WINDOW win AS (PARTITION BY child ORDER BY received
                           RANGE BETWEEN interval '365 days' PRECEDING AND CURRENT ROW)
          ) AS w
          LEFT JOIN (
            SELECT i, bool_or(n > 1) AS recurs FROM (
              SELECT i, count(*) OVER (PARTITION BY child, category ORDER BY received
                                       RANGE BETWEEN interval '365 days' PRECEDING AND CURRENT ROW) AS n
                FROM bench_ref CROSS JOIN LATERAL unnest(concerns) AS category
               WHERE child IS NOT NULL) AS x
            GROUP BY i
          ) AS c USING (i)
        """
    )
    cursor.execute("ALTER TABLE bench_flags ADD PRIMARY KEY (i)")
    cursor.execute(
        "SELECT round(100.0 * avg((earlier > 0)::int), 1), round(100.0 * avg((earlier >= 2)::int), 1) FROM bench_flags"
    )
    repeat, pattern = cursor.fetchone()
    print(
        f"repeat flags: {repeat}% of linked referrals had one in the 12 months before, "
        f"{pattern}% two or more ({time.perf_counter() - started:.0f} s)",
        flush=True,
    )


def _feedback_templates(cursor) -> str:
    """SQL: compose_feedback's text for each outcome, the reasons to be put in."""
    from referrals.models import Outcome
    from triage.services.decisions import compose_feedback

    cases = " ".join(
        f"WHEN '{o}' THEN {cursor.mogrify('%s', [compose_feedback(outcome=o, reasons='@REASONS@')]).decode()}"
        for o in Outcome.values
    )
    return f"CASE {{o}} {cases} END"


def decisions(cursor) -> None:
    """Each decided referral's decision, as the decide service writes it."""
    from triage.models import Decision

    started = time.perf_counter()
    level = f"CASE WHEN bench_u(r.i, 160) < 0.03 THEN GREATEST(1, LEAST(4, {LEVEL_OF.format(o='r.outcome')} + (ARRAY[-1, 1])[bench_pick(r.i, 161, 2)])) ELSE {LEVEL_OF.format(o='r.outcome')} END"
    feedback = _feedback_templates(cursor).format(o="r.outcome")
    cursor.execute(
        f"""
        CREATE UNLOGGED TABLE bench_dec AS
        SELECT r.i, lv AS level, {UNUSUAL.format(l="lv", o="r.outcome")} AS unusual,
               coalesce(nt.n, 0) AS notes, coalesce(rq.answered, 0) AS answered,
               coalesce(rq.outstanding, 0) AS outstanding,
               array_remove(ARRAY[CASE WHEN coalesce(nt.n, 0) = 0 THEN 'no_notes' END,
                                  CASE WHEN coalesce(rq.outstanding, 0) > 0 THEN 'requests_outstanding' END],
                            NULL) AS warnings
          FROM bench_ref AS r
          CROSS JOIN LATERAL (SELECT {level} AS lv) AS l
          LEFT JOIN (SELECT i, count(*) AS n FROM bench_note GROUP BY i) AS nt USING (i)
          LEFT JOIN (SELECT q.i, count(*) FILTER (WHERE q.answered_at <= q.decided_at) AS answered,
                            count(*) FILTER (WHERE q.answered_at IS NULL OR q.answered_at > q.decided_at) AS outstanding
                       FROM bench_req AS q WHERE q.status = 'decided' GROUP BY q.i) AS rq USING (i)
         WHERE r.status = 'decided'
        """
    )
    cursor.execute("ALTER TABLE bench_dec ADD PRIMARY KEY (i)")
    n = insert_from(
        cursor,
        Decision,
        {
            "id": "r.i",
            "referral_id": "r.i",
            "outcome": "r.outcome",
            "threshold_level_id": "d.level",
            "rationale": f"bench_fill(coalesce({pick('ra', 'r.i, 162')}, {pick('ra0', 'r.i, 162')}), {_fill()})",
            "lived_experience_impact": f"CASE WHEN bench_u(r.i, 163) < 0.6 THEN bench_fill(coalesce({pick('im', 'r.i, 164')}, {pick('im0', 'r.i, 164')}), {_fill()}) ELSE '' END",
            "onward_referrals": "CASE WHEN bench_u(r.i, 165) < 0.2 THEN 'Referred on to the locality early help team and the family hub.' ELSE '' END",
            "late_reason": f"CASE WHEN r.late THEN {const(cursor, 'late', 'r.i, 166')} ELSE '' END",
            "feedback": f"replace({feedback}, '@REASONS@', bench_fill(coalesce({pick('fb', 'r.i, 167')}, {pick('fb0', 'r.i, 167')}), {_fill()}))",
            "decided_by_id": "r.manager",
            "decided_at": "r.decided_at",
            "screened_by_id": "r.screener",
            "proceed_reason": f"CASE WHEN cardinality(d.warnings) > 0 THEN {const(cursor, 'proceed', 'r.i, 168')} ELSE '' END",
            "threshold_reason": f"CASE WHEN d.unusual THEN bench_fill({const(cursor, 'threshold_reason', 'r.i, 169')}, {_fill()}) ELSE '' END",
            "known_at_decision": """jsonb_build_object(
                'warnings', to_jsonb(d.warnings), 'notes', d.notes,
                'requests_answered', d.answered, 'requests_outstanding', d.outstanding,
                'linked', true, 'allocated', true,
                'earlier_referrals', coalesce(fl.earlier, 0),
                'concern_recurs', coalesce(fl.concern_recurs, false),
                'chronic_neglect', coalesce(fl.has_neglect AND fl.earlier_neglect
                                            OR fl.earlier + 1 >= 3 AND (fl.has_neglect OR fl.earlier_neglect), false),
                'repeat_pattern', coalesce(fl.earlier + 1 >= 3 AND NOT (fl.has_neglect OR fl.earlier_neglect), false))""",
        },
        """
        bench_dec AS d JOIN bench_ref AS r USING (i)
        JOIN bench_person AS p ON p.p = r.p
        LEFT JOIN bench_flags AS fl USING (i)
        LEFT JOIN bench_text AS ra ON ra.key = 'rationale:' || r.outcome || ':' || r.sc
        JOIN bench_text AS ra0 ON ra0.key = 'rationale:' || r.outcome || ':0'
        LEFT JOIN bench_text AS im ON im.key = 'impact:' || r.outcome || ':' || r.sc
        JOIN bench_text AS im0 ON im0.key = 'impact:' || r.outcome || ':0'
        LEFT JOIN bench_text AS fb ON fb.key = 'feedback:' || r.outcome || ':' || r.sc
        JOIN bench_text AS fb0 ON fb0.key = 'feedback:' || r.outcome || ':0'
        """,
    )
    _done("decisions", n, started)


def amendments(cursor, *, people, now_sql: str) -> None:
    """One decision in 200 amended by a manager a day to ten after it (another outcome,
    with the reason); the challenges add theirs (national_strategy)."""
    started = time.perf_counter()
    managers = int_array(cursor, people.managers)
    outcome = "(ARRAY['nfa', 'signpost', 'early_help', 's17', 's47', 'open_case'])[1 + (array_position(ARRAY['nfa', 'signpost', 'early_help', 's17', 's47', 'open_case'], r.outcome) + bench_pick(r.i, 171, 5) - 1) % 6]"
    cursor.execute(
        f"""
        CREATE UNLOGGED TABLE bench_amend AS
        SELECT row_number() OVER (ORDER BY at, i) AS id, i, outcome, at, by_id, level
          FROM (SELECT r.i, {outcome} AS outcome,
                       LEAST(r.decided_at + interval '1 day' * (1 + 9 * bench_u(r.i, 172)), {now_sql} - interval '1 hour') AS at,
                       {managers}[bench_pick(r.i, 173, {len(people.managers)})] AS by_id
                  FROM bench_ref AS r
                 WHERE r.status = 'decided' AND bench_u(r.i, 170) < 0.005
                   AND r.decided_at < {now_sql} - interval '2 days') AS a
          CROSS JOIN LATERAL (SELECT {LEVEL_OF.format(o="a.outcome")} AS level) AS l
        """
    )
    insert_amendments(cursor, "bench_amend")
    cursor.execute("SELECT count(*) FROM bench_amend")
    _done("amendments", cursor.fetchone()[0], started)


def insert_amendments(cursor, table: str) -> int:
    """Amendments from a working table of (id, i, outcome, at, by_id, level)."""
    from triage.models import DecisionAmendment

    feedback = _feedback_templates(cursor).format(o="x.outcome")
    return insert_from(
        cursor,
        DecisionAmendment,
        {
            "id": "x.id",
            "decision_id": "x.i",
            "outcome": "x.outcome",
            "threshold_level_id": "x.level",
            "rationale": f"bench_fill({pick('ra0', 'x.i, 174')}, {_fill()})",
            "reason": f"bench_fill({const(cursor, 'amend_reason', 'x.i, 175')}, {_fill()})",
            "feedback": f"replace({feedback}, '@REASONS@', bench_fill({pick('fb0', 'x.i, 176')}, {_fill()}))",
            "amended_by_id": "x.by_id",
            "amended_at": "x.at",
        },
        f"""
        {table} AS x JOIN bench_ref AS r USING (i)
        JOIN bench_person AS p ON p.p = r.p
        JOIN bench_text AS ra0 ON ra0.key = 'rationale:' || x.outcome || ':0'
        JOIN bench_text AS fb0 ON fb0.key = 'feedback:' || x.outcome || ':0'
        """,
    )
