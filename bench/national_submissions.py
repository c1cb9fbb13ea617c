# ruff: noqa: S608, E501 - our own SQL over synthetic rows, kept one fragment a line
"""Submissions, for bench/national.py: made after bench/national_families.py's families
and before their children and referrals.

- ``bench_sub``: one row a submission (a family referred: every child of it named in
  one), numbered in the order received (the submission's id): when, from whom (the
  census mix: a source, the family's local agency of that kind, one of its referrers or
  the screener who took the call), by which channel, the story (one of the demo's
  scenarios: concerns, words, outcome), consent and immediate risk.

The sources' lookups (``sources``) serve the information requests and strategy
discussions too (national_screening.py, national_strategy.py).
"""

from __future__ import annotations

import time

from bench import national_shape as shape
from bench.national_sql import int_array, ladder, ladder_steps, text_array


def _print(message: str, started: float) -> None:
    print(f"{message} ({time.perf_counter() - started:.0f} s)", flush=True)


def sources(cursor, people) -> dict[str, str]:
    """SQL arrays describing the sources (by their number, 1-based) and each agency
    type's agencies, and the lookup of sources by weight."""
    from agencies.census import AGENCY_TYPE_SOURCE
    from referrals.census import CALLER_SOURCE

    shares = shape.source_shares()
    sources = list(shares)
    types = list(shape.AGENCY_COUNTS)
    type_no, caller, census, kind = [], [], [], []
    for source in sources:
        if source.startswith("caller:"):
            caller_type = source.split(":", 1)[1]
            type_no.append(0)
            caller.append(caller_type)
            census.append(CALLER_SOURCE.get(caller_type, "10"))
            kind.append("anonymous" if caller_type == "anonymous" else "caller")
        else:
            type_no.append(types.index(source) + 1)
            caller.append("")
            census.append(AGENCY_TYPE_SOURCE[source])
            kind.append("police" if source == "police" else "agency")
    flat, offsets, lengths = [], [], []
    for kind_name in types:
        members = [a for a in people.agencies if a.type == kind_name]
        size = max(1000, 10 * len(members))
        lookup = shape.slots([a.share for a in members], size)
        offsets.append(len(flat))
        lengths.append(size)
        flat.extend(members[n - 1].number for n in lookup)
    return {
        "source_slots": int_array(cursor, shape.slots([shares[s] for s in sources], 10_000)),
        "src_type": int_array(cursor, type_no),
        "src_caller": text_array(cursor, caller),
        "src_census": text_array(cursor, census),
        "src_kind": text_array(cursor, kind),
        "type_slots": int_array(cursor, flat),
        "type_offset": int_array(cursor, offsets),
        "type_length": int_array(cursor, lengths),
        "agency_census": text_array(cursor, [AGENCY_TYPE_SOURCE[a.type] for a in people.agencies]),
        "referrer_first": int_array(cursor, people.referrer_first),
        "referrer_count": int_array(cursor, people.referrer_count),
        "staff": int_array(cursor, people.screeners + people.managers),
    }


def load_scenarios(cursor) -> None:
    """bench_scenario: each demo scenario's concerns, extra concerns with their odds, and
    lookups of outcome and consent by weight. The outcomes are the scenario's, blended
    half and half with the front door's usual mix (the demo's stories lean to the
    serious end)."""
    from bench.national_words import scenarios

    base = {"nfa": 35, "signpost": 10, "early_help": 20, "s17": 23, "s47": 8, "open_case": 4}
    rows = []
    for number, scenario in scenarios():
        concerns = [str(c) for c in scenario.concerns]
        if not concerns:  # the pre-birth scenario: unborn children are not generated
            continue
        extra = [(str(c), p) for c, p in scenario.extra.items() if str(c) not in concerns][:3]
        extra += [("", 0.0)] * (3 - len(extra))
        total = sum(scenario.outcomes.values())
        weights = {o: 0.5 * scenario.outcomes.get(o, 0) / total + 0.5 * base[o] / 100 for o in base}
        outcomes = [list(weights)[n - 1] for n in shape.slots(list(weights.values()), 200)]
        consent = [
            list(scenario.consent)[n - 1] for n in shape.slots(list(scenario.consent.values()), 100)
        ]
        rows.append(
            (
                number,
                scenario.weight,
                bool(scenario.siblings),
                concerns,
                [c for c, _ in extra],
                [p for _, p in extra],
                outcomes,
                consent,
                float(scenario.immediate),
            )
        )
    cursor.execute("DROP TABLE IF EXISTS bench_scenario")
    cursor.execute(
        "CREATE TABLE bench_scenario (sc int PRIMARY KEY, weight int, siblings boolean, "
        "concerns text[], extra_cats text[], extra_p float8[], outcomes text[], "
        "consents text[], immediate float8)"
    )
    from psycopg2.extras import execute_values

    execute_values(cursor, "INSERT INTO bench_scenario VALUES %s", rows)


def _scenario_lookups(cursor) -> tuple[str, str]:
    cursor.execute("SELECT sc, weight, siblings FROM bench_scenario ORDER BY sc")
    rows = cursor.fetchall()
    everyone = [rows[n - 1][0] for n in shape.slots([r[1] for r in rows], 1000)]
    siblings = [r for r in rows if r[2]]
    with_siblings = [siblings[n - 1][0] for n in shape.slots([r[1] for r in siblings], 1000)]
    return int_array(cursor, everyone), int_array(cursor, with_siblings)


def make_submissions(cursor, *, people, span_seconds: float, now_sql: str) -> None:
    started = time.perf_counter()
    load_scenarios(cursor)
    src = sources(cursor, people)
    everyone, with_siblings = _scenario_lookups(cursor)
    gap = (shape.EPISODE_GAP_DAYS + shape.EPISODE_DAYS) * 86400
    episode = shape.EPISODE_DAYS * 86400
    span = span_seconds
    police = ladder("bench_u(s, 11)", ladder_steps(shape.CHANNELS["police"]))
    agency = ladder("bench_u(s, 11)", ladder_steps(shape.CHANNELS["agency"]))
    caller = ladder("bench_u(s, 11)", ladder_steps(shape.CHANNELS["caller"]))
    # Each family's submissions in time: episode ep of e in its slot of the circle, its
    # re-referrals spread over the episode's first 90 days; the hot families' evenly
    # over the span, the last a few hours ago.
    times = f"""
        SELECT f, q, size, hot, n, received FROM (
          SELECT b.f, q, b.size, b.hot, b.e + b.x AS n,
                 {now_sql} - interval '1 second' * ({span} - CASE
                   WHEN b.hot THEN {span} - (b.e + b.x - 1 - q) * ({span} - 86400.0) / GREATEST(b.e + b.x - 1, 1)
                        - 3600 * (3 + 6 * bench_u(b.f, 9))
                   ELSE mod((bench_u(b.f, 6) * {span} + ep * slot
                             + bench_u(b.f * 8 + ep, 7) * GREATEST(0, slot - {gap})
                             + CASE WHEN last_q = first_q THEN 0
                                    ELSE (q - first_q) * {float(episode)} / (last_q - first_q)
                                         * (0.55 + 0.45 * bench_u(b.f * 64 + q, 8)) END)::numeric,
                            {span}::numeric)::float8
                 END) AS received
            FROM bench_fam AS b
            CROSS JOIN LATERAL generate_series(0, b.e + b.x - 1) AS q
            CROSS JOIN LATERAL (SELECT (q * b.e) / (b.e + b.x) AS ep,
                                       {float(span)} / b.e AS slot) AS g
            CROSS JOIN LATERAL (SELECT (ep * (b.e + b.x) + b.e - 1) / b.e AS first_q,
                                       ((ep + 1) * (b.e + b.x) + b.e - 1) / b.e - 1 AS last_q) AS h
        ) AS t
    """
    numbered = f"""
        SELECT row_number() OVER (ORDER BY received, f) AS s, f, q, size, hot, n, received,
               {src["source_slots"]}[bench_pick(row_number() OVER (ORDER BY received, f), 10, 10000)] AS src
          FROM ({times}) AS t
    """
    # The family's local agency of the source's type, one of its referrers on the web
    # or API, or the screener or manager who took the call.
    cursor.execute(
        f"""
        CREATE UNLOGGED TABLE bench_sub AS
        SELECT s, f, q, size, hot, q = n - 1 AS last_of_family, received, src, agency,
               channel, source_code, caller_type,
               CASE WHEN channel IN ('web', 'api') THEN
                    {src["referrer_first"]}[agency] + floor(bench_u(s, 12) * {src["referrer_count"]}[agency])::bigint
               END AS referrer,
               CASE WHEN channel IN ('phone', 'email') THEN
                    {src["staff"]}[bench_pick(s, 13, cardinality({src["staff"]}))]
               END AS recorder,
               sc, outcome, consent, immediate, concerns
          FROM (
            SELECT x.*, CASE WHEN x.agency IS NULL THEN {src["src_census"]}[x.src]
                             ELSE {src["agency_census"]}[x.agency] END AS source_code,
                   CASE WHEN x.channel IN ('web', 'api') THEN ''
                        WHEN x.agency IS NOT NULL THEN 'professional'
                        ELSE {src["src_caller"]}[x.src] END AS caller_type,
                   sc.sc, sc.outcomes[bench_pick(x.s, 30, cardinality(sc.outcomes))] AS outcome,
                   sc.consents[bench_pick(x.s, 17, cardinality(sc.consents))] AS consent,
                   bench_u(x.s, 18) < sc.immediate AS immediate,
                   sc.concerns || array_remove(ARRAY[
                     CASE WHEN bench_u(x.s, 201) < sc.extra_p[1] THEN sc.extra_cats[1] END,
                     CASE WHEN bench_u(x.s, 202) < sc.extra_p[2] THEN sc.extra_cats[2] END,
                     CASE WHEN bench_u(x.s, 203) < sc.extra_p[3] THEN sc.extra_cats[3] END],
                     NULL) AS concerns
              FROM (
                SELECT t.*,
                       CASE WHEN {src["src_type"]}[t.src] > 0 THEN
                         {src["type_slots"]}[{src["type_offset"]}[{src["src_type"]}[t.src]]
                           + bench_pick(t.f, 100 + {src["src_type"]}[t.src]::int,
                                        {src["type_length"]}[{src["src_type"]}[t.src]]::int)]
                       END AS agency,
                       CASE {src["src_kind"]}[t.src]
                         WHEN 'police' THEN {police}
                         WHEN 'agency' THEN {agency}
                         WHEN 'caller' THEN {caller}
                         ELSE 'phone' END AS channel,
                       CASE WHEN t.size > 1 THEN {with_siblings}[bench_pick(t.f, 15, 1000)]
                            WHEN bench_u(t.s, 14) < 0.7 THEN {everyone}[bench_pick(t.f, 15, 1000)]
                            ELSE {everyone}[bench_pick(t.s, 16, 1000)] END AS scenario
                FROM ({numbered}) AS t
              ) AS x
              JOIN bench_scenario AS sc ON sc.sc = x.scenario
          ) AS y
        """
    )
    cursor.execute("ALTER TABLE bench_sub ADD PRIMARY KEY (s)")
    cursor.execute("CREATE INDEX ON bench_sub (f, received)")
    cursor.execute("ANALYZE bench_sub")
    cursor.execute("SELECT count(*) FROM bench_sub")
    _print(f"submissions: {cursor.fetchone()[0]:,}", started)
