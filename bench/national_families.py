# ruff: noqa: S608, E501 - our own SQL over synthetic rows, kept one fragment a line
"""Families, their children and their referrals, for bench/national.py (their
submissions, the table ``bench_sub``, are bench/national_submissions.py's).

The working tables, each made by one ``CREATE TABLE ... AS SELECT`` on the server:

- ``bench_fam``: one row a family: how many children (FAMILY_SIZES), how many episodes
  more than 12 months apart (EPISODES) and how many re-referrals within them; the
  totals are adjusted so that the referrals add up to ``--total`` exactly.
- ``bench_person``: one row a child of a family: names, date of birth, gender and the
  rest (siblings share a surname, address and postcode).
- ``bench_ref``: one row a referral (a child of a submission), numbered in the order
  received (the referral's id): its status and times (received, allocated, linked to
  the child's record, recommended on, decided), who screened and decided it, and the
  child record it is linked to.

Time runs on a circle of the span's length, so that every part of it (today's included)
gets as many referrals as any other, and episodes stay more than 12 months apart.
"""

from __future__ import annotations

import time

from bench import national_shape as shape
from bench.national_sql import int_array, ladder, ladder_steps, lit, text_array


def _print(message: str, started: float) -> None:
    print(f"{message} ({time.perf_counter() - started:.0f} s)", flush=True)


# --- Families ----------------------------------------------------------------------------


def make_families(cursor, *, total: int, span_days: float, hot: tuple[int, ...]) -> int:
    started = time.perf_counter()
    families = shape.families_for(total)
    emax = shape.max_episodes(span_days)
    size = ladder("bench_u(f, 1)", shape.cumulative(shape.FAMILY_SIZES), quote=False)
    episodes = ladder("bench_u(f, 2)", shape.cumulative(shape.EPISODES), quote=False)
    hot_n = int_array(cursor, hot or [0])
    cursor.execute(
        f"""
        CREATE UNLOGGED TABLE bench_fam AS
        SELECT f, f <= {len(hot)} AS hot,
               CASE WHEN f <= {len(hot)} THEN 1 ELSE {size} END AS size,
               CASE WHEN f <= {len(hot)} THEN 1 ELSE LEAST({emax}, {episodes}) END AS e,
               CASE WHEN f <= {len(hot)} THEN {hot_n}[f] - 1
                    WHEN bench_u(f, 3) >= {shape.SHARE_WITH_REPEATS} THEN 0
                    ELSE 1 + floor(ln(1 - bench_u(f, 4)) / ln(1 - {shape.REPEAT_P}))::int
               END AS x
          FROM generate_series(1, {families}) AS f
        """
    )
    cursor.execute("ALTER TABLE bench_fam ADD PRIMARY KEY (f)")
    _make_total_exact(cursor, total)
    cursor.execute(
        "ALTER TABLE bench_fam ADD COLUMN first_p bigint; "
        "UPDATE bench_fam AS b SET first_p = c.first_p FROM "
        "(SELECT f, sum(size) OVER (ORDER BY f) - size + 1 AS first_p FROM bench_fam) AS c "
        "WHERE c.f = b.f"
    )
    cursor.execute("SELECT count(*), sum(size), sum(e), sum(x) FROM bench_fam")
    n, children, episodes_n, extras = cursor.fetchone()
    _print(
        f"families: {n:,} with {children:,} children, {episodes_n:,} episodes and "
        f"{extras:,} re-referrals within them",
        started,
    )
    return children


def _make_total_exact(cursor, total: int) -> None:
    """Add or take re-referrals (single children's families, never the hot ones) until
    the referrals add up to ``total``."""
    for _ in range(50):
        cursor.execute("SELECT sum(size * (e + x)) FROM bench_fam")
        residual = total - cursor.fetchone()[0]
        if residual == 0:
            return
        if residual > 0:
            cursor.execute("SELECT count(*) FROM bench_fam WHERE size = 1 AND NOT hot")
            singles = max(cursor.fetchone()[0], 1)
            each, rest = divmod(residual, singles)
            cursor.execute(
                f"""
                UPDATE bench_fam AS b SET x = b.x + {each} + (o.rn <= {rest})::int
                  FROM (SELECT f, row_number() OVER (ORDER BY bench_u(f, 5)) AS rn
                          FROM bench_fam WHERE size = 1 AND NOT hot) AS o
                 WHERE o.f = b.f
                """
            )
        else:
            # Fewer: a re-referral less, or else an episode less, for as many families.
            cursor.execute(
                f"""
                UPDATE bench_fam AS b
                   SET x = CASE WHEN b.x > 0 THEN b.x - 1 ELSE b.x END,
                       e = CASE WHEN b.x > 0 THEN b.e ELSE b.e - 1 END
                  FROM (SELECT f, row_number() OVER (ORDER BY bench_u(f, 5)) AS rn
                          FROM bench_fam WHERE size = 1 AND NOT hot AND e + x > 1) AS o
                 WHERE o.f = b.f AND o.rn <= {-residual}
                """
            )
    raise SystemExit("could not make the referrals add up to --total")


# --- Children ----------------------------------------------------------------------------


def _postcode_areas() -> list[str]:
    """England's postcode areas, most of them."""
    return (  # noqa: SIM905 - a list of words is easier to read as words
        "B M LS L S BS NG LE CV NE SR BD HD WF HX SO PO BN CT ME N E SE SW W NW CR BR DA RM "
        "IG EN HA UB TW KT SM OX RG GU MK LU AL SG CB IP NR PE LN DN HU YO HG DL TS DH CA "
        "LA PR BB BL OL SK WA WN CH CW ST WV WS DY WR HR GL BA TA EX TQ PL TR DT BH SP SN"
    ).split()


def make_people_of_families(cursor, *, now_sql: str) -> None:
    """bench_person: every child, with what a record of them holds."""
    from bench.bench_matching import FIRST_NAMES, ONSETS, SURNAMES, VOWELS
    from demo.data.cast import DISABILITIES, ETHNICITIES, LANGUAGES, MEN, RELIGIONS, STREETS, WOMEN

    started = time.perf_counter()
    ethnicity = ladder(
        "bench_u(f, 50)",
        ladder_steps([(str(k), v / sum(ETHNICITIES.values())) for k, v in ETHNICITIES.items()]),
    )
    languages = " ".join(
        f"WHEN '{k}' THEN ({lit(cursor, list(v))}::text[])[bench_pick(f, 51, {len(v)})]"
        for k, v in LANGUAGES.items()
    )
    religions = " ".join(
        f"WHEN '{k}' THEN ({lit(cursor, [str(x) for x in v])}::text[])[bench_pick(f, 52, {len(v)})]"
        for k, v in RELIGIONS.items()
    )
    onsets, vowels = text_array(cursor, ONSETS), text_array(cursor, VOWELS)

    def invented(key: str, salt: int) -> str:
        syllables = f"(2 + floor(bench_u({key}, {salt}) * 3)::int)"
        parts = [
            f"CASE WHEN {syllables} > {n} THEN {onsets}[bench_pick({key}, {salt + 1 + 2 * n}, {len(ONSETS)})]"
            f" || {vowels}[bench_pick({key}, {salt + 2 + 2 * n}, {len(VOWELS)})] ELSE '' END"
            for n in range(4)
        ]
        return "initcap(" + " || ".join(parts) + ")"

    surnames, firsts = text_array(cursor, SURNAMES), text_array(cursor, FIRST_NAMES)
    areas = text_array(cursor, _postcode_areas())
    units = "ABDEFGHJLNPQRSTUWXYZ"
    disabilities = lit(cursor, [str(d).replace("'", '"') for d in DISABILITIES])
    cursor.execute(
        """
        CREATE UNLOGGED TABLE bench_famt AS
        SELECT f, min(received) AS first_at, max(received) AS last_at
          FROM bench_sub GROUP BY f
        """
    )
    cursor.execute("ALTER TABLE bench_famt ADD PRIMARY KEY (f)")
    _print("family times", started)
    cursor.execute(
        f"""
        CREATE UNLOGGED TABLE bench_person AS
        SELECT p, f, k, first_name, last_name, other_names, dob, gender, ethnicity,
               CASE WHEN ethnicity IN ({",".join(f"'{k}'" for k in LANGUAGES)})
                    THEN CASE ethnicity {languages} END ELSE 'English' END AS first_language,
               CASE WHEN ethnicity IN ({",".join(f"'{k}'" for k in LANGUAGES)})
                    THEN bench_u(f, 53) < 0.3 END AS interpreter,
               CASE WHEN ethnicity IN ({",".join(f"'{k}'" for k in RELIGIONS)})
                    THEN CASE ethnicity {religions} END
                    ELSE (ARRAY['none', 'none', 'christian', 'not_known'])[bench_pick(f, 54, 4)] END AS religion,
               CASE WHEN bench_u(p, 55) < 0.08
                    THEN (({disabilities}::text[])[bench_pick(p, 56, {len(DISABILITIES)})])::jsonb
                    ELSE '[]'::jsonb END AS disabilities,
               (1 + floor(bench_u(f, 57) * 180))::int || ' ' || ({text_array(cursor, STREETS)})[bench_pick(f, 58, {len(STREETS)})] AS address,
               {areas}[bench_pick(f, 59, {len(_postcode_areas())})] || (1 + floor(bench_u(f, 60) * 28))::int
                 || ' ' || floor(bench_u(f, 61) * 10)::int
                 || substr('{units}', bench_pick(f, 62, {len(units)}), 1)
                 || substr('{units}', bench_pick(f, 63, {len(units)}), 1) AS postcode,
               {nhs_sql("p")} AS nhs,
               ({text_array(cursor, WOMEN)})[bench_pick(f, 64, {len(WOMEN)})] AS mother,
               ({text_array(cursor, MEN)})[bench_pick(f, 65, {len(MEN)})] || ' ' || last_name AS adult
          FROM (
            SELECT b.first_p + k - 1 AS p, b.f, k,
                   CASE WHEN bench_u(b.f * 8 + k, 70) < 0.55
                        THEN {invented("b.f * 8 + k", 71)}
                        ELSE initcap({firsts}[bench_pick(b.f * 8 + k, 80, {len(FIRST_NAMES)})]) END AS first_name,
                   CASE WHEN bench_u(b.f * 8 + k, 81) < 0.15 THEN  -- a half-sibling's own surname
                          CASE WHEN bench_u(b.f * 8 + k, 82) < 0.6 THEN {invented("b.f * 8 + k", 83)}
                               ELSE initcap({surnames}[bench_pick(b.f * 8 + k, 92, {len(SURNAMES)})]) END
                        WHEN bench_u(b.f, 93) < 0.6 THEN {invented("b.f", 94)}
                        ELSE initcap({surnames}[bench_pick(b.f, 103, {len(SURNAMES)})]) END AS last_name,
                   CASE WHEN bench_u(b.f * 8 + k, 104) < 0.05 THEN {invented("b.f * 8 + k", 105)} ELSE '' END AS other_names,
                   -- Under 19 at the family's last referral, born by its first; siblings
                   -- a year or three apart, the first named the eldest.
                   (t.first_at AT TIME ZONE 'Europe/London')::date
                     - floor(bench_u(b.f, 114) * GREATEST(0, {18.3 * 365.25} - spread - (b.size - 1) * gap))::int
                     - ((b.size - k) * gap)::int AS dob,
                   CASE WHEN bench_u(b.f * 8 + k, 115) < 0.01 THEN '0'
                        WHEN bench_u(b.f * 8 + k, 116) < 0.5 THEN '1' ELSE '2' END AS gender,
                   {ethnicity} AS ethnicity
              FROM bench_fam AS b
              JOIN bench_famt AS t USING (f)
              CROSS JOIN LATERAL generate_series(1, b.size) AS k
              CROSS JOIN LATERAL (
                SELECT extract(epoch FROM t.last_at - t.first_at) / 86400 AS spread) AS sp
              CROSS JOIN LATERAL (
                SELECT LEAST(400 + 700 * bench_u(b.f, 117),
                             GREATEST(0, {18.3 * 365.25} - spread) / GREATEST(b.size - 1, 1)) AS gap) AS g
          ) AS x
        """
    )
    cursor.execute("ALTER TABLE bench_person ADD PRIMARY KEY (p)")
    _print("children (people)", started)


def nhs_sql(person: str) -> str:
    """SQL: national_shape.nhs_number of ``person`` (an expression), as one expression
    of integer arithmetic: the stem is 999 and six digits m (a bijection of the person's
    number), weighted 10 down to 2 with the 999 giving 243. (A SQL function doing the
    same is not inlined and costs about 15 microseconds a call.)"""
    m = f"(({person})::bigint * 7919 % 1000000)"
    weighted = " + ".join(f"({m} / {10 ** (5 - n)} % 10) * {7 - n}" for n in range(6))
    check = f"(11 - (243 + {weighted}) % 11)"
    return (
        f"CASE WHEN ({person}) > 1000000 OR {check} = 10 THEN '' "
        f"ELSE '999' || lpad({m}::text, 6, '0') || ({check} % 11) END"
    )


# --- Referrals ---------------------------------------------------------------------------


def make_referrals(cursor, *, people, open_count: int, now_sql: str) -> None:
    """bench_ref: every referral's status, times, people and child record."""
    started = time.perf_counter()
    window = shape.OPEN_WITHIN_DAYS
    cursor.execute(
        f"SELECT coalesce(sum(size), 0) FROM bench_sub WHERE received > {now_sql} - interval '{window} days'"
    )
    if cursor.fetchone()[0] < open_count:
        window = 100_000
    # The open referrals: the most recent are mostly open, older ones less and less
    # (received age a, open while a * u is among the lowest); the hot children's
    # latest first. Siblings stay together, but for the last submission taken.
    cursor.execute(
        f"""
        CREATE UNLOGGED TABLE bench_open AS
        WITH candidates AS (
          SELECT s, size,
                 CASE WHEN hot AND last_of_family THEN -1
                      ELSE extract(epoch FROM {now_sql} - received) / 3600 * bench_u(s, 19) END AS score
            FROM bench_sub
           WHERE received > {now_sql} - interval '{window} days' OR hot AND last_of_family),
        running AS (SELECT s, size, sum(size) OVER (ORDER BY score, s) AS upto FROM candidates)
        SELECT s, LEAST(size, {open_count} - (upto - size))::int AS open_k
          FROM running WHERE upto - size < {open_count}
        """
    )
    cursor.execute("ALTER TABLE bench_open ADD PRIMARY KEY (s)")
    screeners = int_array(cursor, people.screeners)
    managers = int_array(cursor, people.managers)
    late = 1 / 13
    # Status and times. The end of screening is the decision (or now, for the open);
    # allocation, the link to the child's record and the recommendation fall within it.
    cursor.execute(
        f"""
        CREATE UNLOGGED TABLE bench_r0 AS
        SELECT i, s, f, k, p, received, status, decided_at,
               CASE WHEN status <> 'received' THEN received + w * (0.03 + 0.12 * bench_u(i, 24)) END AS assigned_at,
               CASE WHEN status IN ('decided', 'awaiting_decision')
                      OR status = 'screening' AND bench_u(i, 25) < 0.5
                    THEN received + w * (0.16 + 0.1 * bench_u(i, 25)) END AS link_at,
               CASE WHEN status = 'awaiting_decision' THEN received + w * (0.5 + 0.3 * bench_u(i, 26))
                    WHEN status = 'decided' AND bench_u(i, 26) < 0.9 THEN received + w * (0.7 + 0.2 * bench_u(i, 26))
               END AS recommended_at,
               {screeners}[bench_pick(s, 27, {len(people.screeners)})] AS screener,
               {managers}[bench_pick(s, 28, {len(people.managers)})] AS manager,
               bench_u(i, 29) < 0.55 AS gives_nhs
          FROM (
            SELECT *, coalesce(decided_at, {now_sql}) - received AS w FROM (
              SELECT *,
                     CASE WHEN status = 'decided' THEN received + LEAST(
                       CASE WHEN bench_u(i, 22) < {late}
                            THEN interval '1 hour' * (24 + 72 * bench_u(i, 23))
                            ELSE interval '1 minute' * (30 + 1380 * power(bench_u(i, 23), 1.6)) END,
                       ({now_sql} - received) * 0.95) END AS decided_at
                FROM (
                  SELECT r.*,
                         CASE WHEN r.k > coalesce(o.open_k, 0) THEN 'decided'
                              -- The hot children's latest is on its way to a decision,
                              -- linked to their record (a chronology in hand).
                              WHEN r.hot_last THEN 'awaiting_decision'
                              WHEN {now_sql} - r.received < interval '1 hour' OR bench_u(r.i, 21) < 0.15 THEN 'received'
                              WHEN bench_u(r.i, 21) < 0.6 THEN 'screening'
                              ELSE 'awaiting_decision' END AS status
                    FROM (
                      SELECT row_number() OVER (ORDER BY b.received, b.s, k) AS i, b.s, b.f, k,
                             fam.first_p + k - 1 AS p, b.received, b.hot AND b.last_of_family AS hot_last
                        FROM bench_sub AS b JOIN bench_fam AS fam USING (f)
                        CROSS JOIN LATERAL generate_series(1, b.size) AS k
                    ) AS r
                    LEFT JOIN bench_open AS o USING (s)
                ) AS a
            ) AS b
          ) AS c
        """
    )
    cursor.execute("ALTER TABLE bench_r0 ADD PRIMARY KEY (i)")
    _print("referrals (working table)", started)
    started = time.perf_counter()
    # A child's record is made when their first referral is linked, by its screener,
    # from the details that referral gave (the NHS number only if it gave one).
    cursor.execute(
        """
        CREATE UNLOGGED TABLE bench_child AS
        SELECT row_number() OVER (ORDER BY link_at, p) AS child_id, p, link_at AS created_at,
               screener AS created_by, gives_nhs AS has_nhs, i AS from_i
          FROM (SELECT DISTINCT ON (p) p, link_at, screener, gives_nhs, i
                  FROM bench_r0 WHERE link_at IS NOT NULL ORDER BY p, link_at, i) AS first
        """
    )
    cursor.execute("ALTER TABLE bench_child ADD PRIMARY KEY (p)")
    # The one automatic link: a referral giving the NHS number of a record made before it
    # arrived is linked as it is submitted (referrals.services.submit_referrals).
    cursor.execute(
        """
        CREATE UNLOGGED TABLE bench_ref AS
        SELECT r.i, r.s, r.f, r.k, r.p, r.received, r.received + interval '24 hours' AS due,
               r.status, r.decided_at, r.assigned_at, r.recommended_at, r.screener, r.manager,
               r.gives_nhs,
               CASE WHEN r.link_at IS NOT NULL OR auto THEN c.child_id END AS child,
               CASE WHEN auto AND (r.link_at IS NULL OR r.link_at > r.received) THEN r.received
                    ELSE r.link_at END AS link_at,
               coalesce(auto, false) AS auto_linked,
               c.from_i = r.i AS made_record,
               r.decided_at >= r.received + interval '24 hours' AS late,
               extract(year FROM r.received AT TIME ZONE 'Europe/London')::int AS year,
               row_number() OVER (PARTITION BY extract(year FROM r.received AT TIME ZONE 'Europe/London')
                                  ORDER BY r.i) AS ref_no,
               CASE WHEN bench_u(r.i, 47) < 0.8 THEN b.outcome
                    ELSE (ARRAY['nfa', 'signpost', 'early_help', 's17', 's47', 'open_case'])[bench_pick(r.i, 48, 6)]
               END AS recommended,
               b.agency, b.referrer, b.recorder, b.channel, b.caller_type, b.source_code,
               b.sc, b.outcome, b.consent, b.immediate, b.concerns, b.size, b.hot, b.q
          FROM bench_r0 AS r
          JOIN bench_sub AS b USING (s)
          LEFT JOIN bench_child AS c USING (p)
          CROSS JOIN LATERAL (
            SELECT r.gives_nhs AND c.has_nhs AND c.created_at < r.received AS auto) AS a
        """
    )
    cursor.execute("ALTER TABLE bench_ref ADD PRIMARY KEY (i)")
    cursor.execute("CREATE INDEX ON bench_ref (s)")
    cursor.execute("ANALYZE bench_ref")
    cursor.execute("DROP TABLE bench_r0")
    cursor.execute(
        "SELECT count(*), count(*) FILTER (WHERE status <> 'decided'), count(child), "
        "count(*) FILTER (WHERE auto_linked) FROM bench_ref"
    )
    n, open_n, linked, auto = cursor.fetchone()
    _print(
        f"referrals: {n:,} ({open_n:,} open, {linked:,} linked to a child's record, "
        f"{auto:,} of them by NHS number as submitted)",
        started,
    )
