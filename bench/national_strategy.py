# ruff: noqa: S608, E501 - our own SQL over synthetic rows, kept one fragment a line
"""Strategy discussions and challenges, for bench/national.py.

- A strategy discussion for every section 47 decision, and a MASH information-sharing
  meeting for one assessment decision in 20, an hour to six after the decision: the
  family's police force, children's social care and (five times in six; otherwise the
  reason why not) its health visiting service attend, and a third of the time its
  school; police and health share what they know; one or two decisions; one to three
  actions, done mostly on time; the minutes due one working day after
  (settings.MINUTES_DUE_WORKING_DAYS), mostly circulated in time, to the professionals
  and the family; the section 47 outcome (a fifth of the last day's not yet); the child
  to be seen within a day, and seen, mostly in time.
- A challenge to one decision in 300 of those a referrer made (one in ten to a strategy
  discussion's outcome instead), by the referrer or their agency lead a day to a week
  after: answered at the first stage (the manager who decided), escalated to the
  managers a quarter of the time and on to the head of service for some, each stage's
  response due in its working days; resolved (not upheld, upheld, or the decision
  changed, with the amendment it made), or still open at its stage when recent.

Working tables for the notices: ``bench_disc``, ``bench_action``, ``bench_chal``,
``bench_chresp``.
"""

from __future__ import annotations

import time

from bench.national_screening import LEVEL_OF, insert_amendments
from bench.national_sql import insert_from, int_array, ladder
from bench.national_words import const


def _done(what: str, n: int, started: float) -> None:
    print(f"{what}: {n:,} ({time.perf_counter() - started:.0f} s)", flush=True)


def _fill(alias: str = "p") -> str:
    return f"{alias}.first_name, {alias}.gender, {alias}.mother, {alias}.adult"


def load(cursor, *, people, now_sql: str) -> None:
    discussions(cursor, people=people, now_sql=now_sql)
    challenges(cursor, people=people, now_sql=now_sql)


def discussions(cursor, *, people, now_sql: str) -> None:  # noqa: PLR0915 - one table after another
    from django.conf import settings

    from bench.bench_matching import FIRST_NAMES, SURNAMES
    from bench.national_shape import AGENCY_COUNTS
    from bench.national_sql import text_array
    from bench.national_submissions import sources
    from triage.models import (
        AgencyContribution,
        Attendee,
        DiscussionAction,
        DiscussionDecision,
        StrategyDiscussion,
    )

    started = time.perf_counter()
    src = sources(cursor, people)
    types = list(AGENCY_COUNTS)

    def local(kind: str, family: str = "r.f") -> str:
        t = types.index(kind) + 1
        return f"{src['type_slots']}[{src['type_offset']}[{t}] + bench_pick({family}, {100 + t}, {src['type_length']}[{t}]::int)]"

    fmt = ladder("bench_u(r.i, 181)", [("call", 0.5), ("video", 0.85), ("meeting", 1.0)])
    outcome = ladder(
        "bench_u(r.i, 182)", [("single_agency", 0.35), ("joint_police", 0.85), ("no_enquiry", 1.0)]
    )
    wd = settings.MINUTES_DUE_WORKING_DAYS
    cursor.execute(
        f"""
        CREATE UNLOGGED TABLE bench_disc AS
        SELECT row_number() OVER (ORDER BY held, i) AS id, x.*,
               CASE WHEN outcome IN ('single_agency', 'joint_police') THEN held + interval '24 hours' END AS see_by
          FROM (
            SELECT r.i, r.f, r.p, r.manager, held, kind, {fmt} AS format,
                   bench_u(r.i, 183) < 1 / 6.0 AS no_health,
                   bench_u(r.i, 184) < 1 / 3.0 AS with_school,
                   CASE WHEN kind = 'mash_meeting' THEN ''
                        WHEN held > {now_sql} - interval '1 day' AND bench_u(r.i, 185) < 0.2 THEN ''
                        ELSE {outcome} END AS outcome,
                   bench_add_wd(held, {wd}) AS minutes_due,
                   {local("police")} AS police, {local("health_visiting")} AS health, {local("school")} AS school
              FROM (SELECT *, CASE WHEN outcome = 's47' THEN 'strategy_discussion' ELSE 'mash_meeting' END AS kind,
                           decided_at + interval '1 minute' * (60 + 300 * bench_u(i, 180)) AS held
                      FROM bench_ref
                     WHERE status = 'decided' AND (outcome = 's47' OR outcome = 's17' AND bench_u(i, 179) < 0.05)) AS r
             WHERE held < {now_sql} - interval '30 minutes'
          ) AS x
        """
    )
    cursor.execute("ALTER TABLE bench_disc ADD PRIMARY KEY (id)")
    # When the minutes went out, the child was seen; each by its own odds.
    cursor.execute(
        f"""
        CREATE UNLOGGED TABLE bench_disc2 AS
        SELECT d.*,
               CASE WHEN d.minutes_due <= {now_sql}
                    THEN CASE WHEN bench_u(d.id, 190) < 0.88 THEN d.held + (d.minutes_due - d.held) * (0.3 + 0.6 * bench_u(d.id, 191))
                              WHEN d.minutes_due + interval '1 hour' * (1 + 47 * bench_u(d.id, 191)) < {now_sql}
                              THEN d.minutes_due + interval '1 hour' * (1 + 47 * bench_u(d.id, 191)) END
                    WHEN bench_u(d.id, 190) < 0.5 THEN d.held + ({now_sql} - d.held) * bench_u(d.id, 191)
               END AS circulated,
               CASE WHEN d.see_by IS NULL THEN NULL
                    WHEN d.see_by <= {now_sql}
                    THEN CASE WHEN bench_u(d.id, 192) < 0.92 THEN d.held + (d.see_by - d.held) * (0.1 + 0.85 * bench_u(d.id, 193))
                              WHEN d.see_by + interval '1 hour' * (1 + 29 * bench_u(d.id, 193)) < {now_sql}
                              THEN d.see_by + interval '1 hour' * (1 + 29 * bench_u(d.id, 193)) END
                    WHEN bench_u(d.id, 192) < 0.5 THEN d.held + ({now_sql} - d.held) * bench_u(d.id, 193)
               END AS seen
          FROM bench_disc AS d
        """
    )
    cursor.execute("DROP TABLE bench_disc; ALTER TABLE bench_disc2 RENAME TO bench_disc")
    cursor.execute(
        f"""
        ALTER TABLE bench_disc ADD PRIMARY KEY (id);
        ALTER TABLE bench_disc ADD COLUMN to_family timestamptz;
        UPDATE bench_disc SET to_family = CASE
            WHEN kind <> 'strategy_discussion' OR circulated IS NULL THEN NULL
            WHEN bench_u(id, 194) < 0.9 THEN circulated
            WHEN circulated + interval '1 day' < {now_sql} THEN circulated + interval '1 day' END
        """
    )
    names = f"{text_array(cursor, [n.title() for n in FIRST_NAMES])}[bench_pick(d.id * 8 + {{n}}, 195, {len(FIRST_NAMES)})] || ' ' || {text_array(cursor, [n.title() for n in SURNAMES])}[bench_pick(d.id * 8 + {{n}}, 196, {len(SURNAMES)})]"
    n = insert_from(
        cursor,
        StrategyDiscussion,
        {
            "id": "d.id",
            "referral_id": "d.i",
            "kind": "d.kind",
            "held_at": "d.held",
            "format": "d.format",
            "convened_by_id": "d.manager",
            "created_at": f"LEAST(d.held + interval '1 hour', {now_sql})",
            "missing_members_reason": f"CASE WHEN d.no_health THEN {const(cursor, 'missing_health', 'd.id, 197')} ELSE '' END",
            "section47_outcome": "d.outcome",
            "no_enquiry_reason": f"CASE WHEN d.outcome = 'no_enquiry' THEN bench_fill({const(cursor, 'no_enquiry', 'd.id, 198')}, {_fill()}) ELSE '' END",
            "see_child_by": "d.see_by",
            "child_seen_at": "d.seen",
            "child_seen_by": f"CASE WHEN d.seen IS NOT NULL THEN {names.format(n=1)} ELSE '' END",
            "joint_visit": "CASE WHEN d.seen IS NOT NULL THEN d.outcome = 'joint_police' AND bench_u(d.id, 199) < 0.6 END",
            "child_views": f"CASE WHEN d.seen IS NOT NULL AND d.held::date - p.dob > 1460 THEN bench_fill({const(cursor, 'child_views', 'd.id, 200')}, {_fill()}) ELSE '' END",
            "advocate_offered": "CASE WHEN d.seen IS NULL THEN '' WHEN d.held::date - p.dob < 3650 THEN 'not_applicable' "
            "WHEN bench_u(d.id, 201) < 0.7 THEN 'yes' ELSE 'no' END",
            "minutes_due_at": "d.minutes_due",
            "minutes_circulated_at": "d.circulated",
            "minutes_to_family_at": "d.to_family",
        },
        "bench_disc AS d JOIN bench_person AS p ON p.p = d.p",
    )
    _done("strategy discussions", n, started)
    started = time.perf_counter()
    social_care = people.social_care
    n = insert_from(
        cursor,
        Attendee,
        {
            "discussion_id": "a.id",
            "agency_id": "a.agency",
            "role": "a.role",
            "name": "a.name",
            "attended": "true",
        },
        f"""
        (SELECT d.id, d.police AS agency, 'police_officer' AS role, 'DC ' || {names.format(n=2)} AS name, 1 AS o FROM bench_disc AS d
         UNION ALL SELECT d.id, {social_care}, 'social_worker', {names.format(n=3)}, 2 FROM bench_disc AS d
         UNION ALL SELECT d.id, {social_care}, 'team_manager', {names.format(n=4)}, 3 FROM bench_disc AS d WHERE d.kind = 'strategy_discussion'
         UNION ALL SELECT d.id, d.health, 'health_visitor', {names.format(n=5)}, 4 FROM bench_disc AS d WHERE NOT d.no_health
         UNION ALL SELECT d.id, d.school, 'designated_safeguarding_lead', {names.format(n=6)}, 5 FROM bench_disc AS d WHERE d.with_school
         ORDER BY 1, 5) AS a
        """,
    )
    _done("attendees", n, started)
    started = time.perf_counter()
    n = insert_from(
        cursor,
        AgencyContribution,
        {
            "discussion_id": "c.id",
            "agency_id": "c.agency",
            "information": "bench_fill(c.info, p.first_name, p.gender, p.mother, p.adult)",
        },
        f"""
        (SELECT d.id, d.p, d.police AS agency, {const(cursor, "contribution:police", "d.id, 202")} AS info, 1 AS o FROM bench_disc AS d
         UNION ALL SELECT d.id, d.p, d.health, {const(cursor, "contribution:health", "d.id, 203")}, 2 FROM bench_disc AS d WHERE NOT d.no_health
         UNION ALL SELECT d.id, d.p, d.school, {const(cursor, "contribution:school", "d.id, 204")}, 3 FROM bench_disc AS d WHERE d.with_school
         ORDER BY 1, 5) AS c JOIN bench_person AS p ON p.p = c.p
        """,
    )
    _done("agency contributions", n, started)
    started = time.perf_counter()
    decisions = const(cursor, "discussion_decision", "d.id * 4 + j, 205")
    rationale = const(cursor, "discussion_rationale", "d.id * 4 + j, 205")
    n = insert_from(
        cursor,
        DiscussionDecision,
        {
            "discussion_id": "d.id",
            "decision": f"bench_fill({decisions}, {_fill()})",
            "rationale": f"bench_fill({rationale}, {_fill()})",
            "recorded_by_id": "d.manager",
            "recorded_at": f"LEAST(d.held + interval '20 minutes' * j, {now_sql})",
        },
        "bench_disc AS d JOIN bench_person AS p ON p.p = d.p CROSS JOIN LATERAL generate_series(1, 1 + (bench_u(d.id, 206) < 0.4)::int) AS j",
    )
    _done("discussion decisions", n, started)
    started = time.perf_counter()
    cursor.execute(
        f"""
        CREATE UNLOGGED TABLE bench_action AS
        SELECT row_number() OVER (ORDER BY d.id, j) AS id, d.id AS discussion, d.i, d.p, j,
               due, CASE WHEN j = 2 THEN d.police ELSE {social_care} END AS agency,
               CASE WHEN due <= {now_sql}
                    THEN CASE WHEN bench_u(d.id * 4 + j, 211) < 0.85 THEN d.held + (due - d.held) * (0.2 + 0.75 * bench_u(d.id * 4 + j, 212))
                              WHEN bench_u(d.id * 4 + j, 211) < 0.95 AND due + interval '1 day' * (1 + 4 * bench_u(d.id * 4 + j, 212)) < {now_sql}
                              THEN due + interval '1 day' * (1 + 4 * bench_u(d.id * 4 + j, 212)) END
                    WHEN bench_u(d.id * 4 + j, 211) < 0.4 THEN d.held + ({now_sql} - d.held) * bench_u(d.id * 4 + j, 212)
               END AS done
          FROM bench_disc AS d
          CROSS JOIN LATERAL generate_series(1, 1 + floor(bench_u(d.id, 210) * 3)::int) AS j
          CROSS JOIN LATERAL (SELECT d.held + interval '1 day' * (1 + 9 * bench_u(d.id * 4 + j, 213)) AS due) AS g
        """
    )
    cursor.execute("ALTER TABLE bench_action ADD PRIMARY KEY (id)")
    n = insert_from(
        cursor,
        DiscussionAction,
        {
            "id": "a.id",
            "discussion_id": "a.discussion",
            "description": f"bench_fill({const(cursor, 'action', 'a.id, 214')}, {_fill()})",
            "owner": f"CASE WHEN a.j = 2 THEN 'DC ' ELSE '' END || {names.format(n=7).replace('d.id', 'a.id')}",
            "agency_id": "a.agency",
            "due_at": "a.due",
            "done_at": "a.done",
        },
        "bench_action AS a JOIN bench_person AS p ON p.p = a.p",
    )
    _done("discussion actions", n, started)


def challenges(cursor, *, people, now_sql: str) -> None:  # noqa: PLR0915 - one table after another
    from triage.models import Challenge, ChallengeResponse, EscalationStage

    started = time.perf_counter()
    stages = list(EscalationStage.objects.filter(is_active=True).order_by("order"))
    if len(stages) < 3:
        raise SystemExit("bench/national.py expects the three default escalation stages")
    s1, s2, s3 = stages[:3]
    leads = int_array(cursor, people.leads)
    managers = int_array(cursor, people.managers)
    # Who raised it, when, about what; the stages it went through (1, 2 or 3) and how
    # each ended: (k)_start, (k)_due (working days), (k)_end (escalated or resolved).
    cursor.execute(
        f"""
        CREATE UNLOGGED TABLE bench_chal AS
        SELECT row_number() OVER (ORDER BY raised, i) AS id, c.*,
               CASE WHEN last_stage = 1 THEN end1 WHEN last_stage = 2 THEN end2 ELSE end3 END AS resolve_at
          FROM (
            SELECT b.*, start3 + (due3 - start3) * (0.3 + 1.0 * bench_u(b.i, 228)) AS end3
              FROM (
                SELECT a.*, bench_add_wd(start3, {s3.timescale_working_days}) AS due3
                  FROM (
                    SELECT z.*, start2 + (due2 - start2) * (0.3 + 1.0 * bench_u(z.i, 226)) AS end2,
                           start2 + (due2 - start2) * (0.3 + 1.0 * bench_u(z.i, 226)) AS start3
                      FROM (
                        SELECT y.*, bench_add_wd(start2, {s2.timescale_working_days}) AS due2
                          FROM (
                            SELECT x.*, start1 + (due1 - start1) * (0.3 + 1.0 * bench_u(x.i, 224)) AS end1,
                                   start1 + (due1 - start1) * (0.3 + 1.0 * bench_u(x.i, 224)) AS start2
                              FROM (
                                SELECT r.i, r.f, r.p, r.manager AS decider, r.agency,
                                       CASE WHEN bench_u(r.i, 221) < 0.7 THEN r.referrer ELSE {leads}[r.agency] END AS raised_by,
                                       raised, raised AS start1, bench_add_wd(raised, {s1.timescale_working_days}) AS due1,
                                       CASE WHEN bench_u(r.i, 222) < 0.70 THEN 1 WHEN bench_u(r.i, 222) < 0.95 THEN 2 ELSE 3 END AS last_stage,
                                       dd.id AS discussion, dd.manager AS convener,
                                       {managers}[bench_pick(r.i, 223, {len(people.managers)})] AS manager
                                  FROM bench_ref AS r
                                  LEFT JOIN LATERAL (
                                    SELECT d.id, d.manager FROM bench_disc AS d
                                     WHERE d.i = r.i AND d.outcome <> '' AND bench_u(r.i, 225) < 0.1) AS dd ON true
                                  CROSS JOIN LATERAL (
                                    SELECT r.decided_at + interval '1 day' * (1 + 6 * bench_u(r.i, 220)) AS raised) AS g
                                 WHERE r.status = 'decided' AND r.referrer IS NOT NULL AND bench_u(r.i, 219) < 1 / 300.0
                                   AND raised < {now_sql} - interval '1 hour'
                              ) AS x
                          ) AS y
                      ) AS z
                  ) AS a
              ) AS b
          ) AS c
        """
    )
    cursor.execute("ALTER TABLE bench_chal ADD PRIMARY KEY (id)")
    # Where each stands now: the stage it reached by now, resolved or not.
    cursor.execute(
        f"""
        ALTER TABLE bench_chal ADD COLUMN stage int, ADD COLUMN stage_start timestamptz,
            ADD COLUMN stage_due timestamptz, ADD COLUMN resolved timestamptz,
            ADD COLUMN resolution text, ADD COLUMN amendment bigint;
        UPDATE bench_chal SET
            stage = CASE WHEN last_stage >= 3 AND start3 <= {now_sql} THEN 3
                         WHEN last_stage >= 2 AND start2 <= {now_sql} THEN 2 ELSE 1 END,
            resolved = CASE WHEN resolve_at <= {now_sql} THEN resolve_at END;
        UPDATE bench_chal SET
            stage_start = CASE stage WHEN 1 THEN start1 WHEN 2 THEN start2 ELSE start3 END,
            stage_due = CASE stage WHEN 1 THEN due1 WHEN 2 THEN due2 ELSE due3 END,
            resolution = CASE WHEN resolved IS NULL THEN ''
                              WHEN bench_u(i, 229) < 0.6 OR discussion IS NOT NULL AND bench_u(i, 229) < 0.8 THEN 'not_upheld'
                              WHEN bench_u(i, 229) < 0.85 OR discussion IS NOT NULL THEN 'upheld'
                              ELSE 'decision_changed' END;
        """
    )
    # A changed decision is an amendment, made when the challenge was resolved.
    cursor.execute("SELECT coalesce(max(id), 0) FROM triage_decisionamendment")
    first = cursor.fetchone()[0]
    outcome = "(CASE r.outcome WHEN 'nfa' THEN 'early_help' WHEN 'signpost' THEN 'early_help' WHEN 'early_help' THEN 's17' ELSE 's47' END)"
    cursor.execute(
        f"""
        CREATE UNLOGGED TABLE bench_chamend AS
        SELECT {first} + row_number() OVER (ORDER BY c.resolved, c.id) AS id, c.id AS challenge, c.i,
               {outcome} AS outcome, c.resolved AS at, c.manager AS by_id,
               {LEVEL_OF.format(o=outcome)} AS level
          FROM bench_chal AS c JOIN bench_ref AS r USING (i)
         WHERE c.resolution = 'decision_changed'
        """
    )
    amended = insert_amendments(cursor, "bench_chamend")
    cursor.execute(
        "UPDATE bench_chal AS c SET amendment = a.id FROM bench_chamend AS a WHERE a.challenge = c.id"
    )
    stage_ids = f"(ARRAY[{s1.pk}, {s2.pk}, {s3.pk}])"
    reasons = {
        "not_upheld": const(cursor, "not_upheld", "c.id, 230"),
        "upheld": const(cursor, "upheld", "c.id, 230"),
        "decision_changed": const(cursor, "changed", "c.id, 230"),
    }
    n = insert_from(
        cursor,
        Challenge,
        {
            "id": "c.id",
            "referral_id": "c.i",
            "decision_id": "CASE WHEN c.discussion IS NULL THEN c.i END",
            "discussion_id": "c.discussion",
            "raised_by_id": "c.raised_by",
            "raised_at": "c.raised",
            "reason": f"bench_fill({const(cursor, 'challenge_reason', 'c.id, 231')}, {_fill()})",
            "stage_id": f"{stage_ids}[c.stage]",
            "stage_started_at": "c.stage_start",
            "stage_due_at": "c.stage_due",
            # The manager who decided (or convened) answers at the first stage; the
            # managers as a group, and the head of service (none configured), after.
            "owner_id": "CASE WHEN c.stage = 1 THEN coalesce(c.convener, c.decider) END",
            "status": "CASE WHEN c.resolved IS NULL THEN 'open' ELSE 'resolved' END",
            "resolution": "c.resolution",
            "resolution_reasons": "CASE c.resolution "
            + " ".join(f"WHEN '{k}' THEN {v}" for k, v in reasons.items())
            + " ELSE '' END",
            "amendment_id": "c.amendment",
            "resolved_by_id": "CASE WHEN c.resolved IS NOT NULL THEN CASE WHEN c.stage = 1 THEN coalesce(c.convener, c.decider) ELSE c.manager END END",
            "resolved_at": "c.resolved",
        },
        "bench_chal AS c JOIN bench_person AS p ON p.p = c.p",
    )
    _done(f"challenges (and {amended:,} amendments they made)", n, started)
    started = time.perf_counter()
    # A response at each stage reached, by the stage's owner, before it moved on; the
    # person who raised it adding to it, one time in five.
    cursor.execute(
        f"""
        CREATE UNLOGGED TABLE bench_chresp AS
        SELECT row_number() OVER (ORDER BY at, id, k) AS rid, * FROM (
          SELECT c.id, k, {stage_ids}[k] AS stage,
                 CASE WHEN k = 1 THEN coalesce(c.convener, c.decider) ELSE c.manager END AS by_id,
                 st + (en - st) * (0.2 + 0.6 * bench_u(c.id * 4 + k, 232)) AS at, false AS reply
            FROM bench_chal AS c
            CROSS JOIN LATERAL (VALUES (1, c.start1, LEAST(c.end1, c.due1)), (2, c.start2, LEAST(c.end2, c.due2)),
                                       (3, c.start3, LEAST(c.end3, c.due3))) AS s(k, st, en)
           WHERE k <= c.stage
          UNION ALL
          SELECT c.id, 1, {stage_ids}[1], c.raised_by, c.start1 + (c.end1 - c.start1) * 0.1, true
            FROM bench_chal AS c WHERE bench_u(c.id, 233) < 0.2
        ) AS x WHERE at < {now_sql}
        """
    )
    n = insert_from(
        cursor,
        ChallengeResponse,
        {
            "id": "x.rid",
            "challenge_id": "x.id",
            "stage_id": "x.stage",
            "by_id": "x.by_id",
            "at": "x.at",
            "text": f"CASE WHEN x.reply THEN 'Since we raised this there has been a further incident at the home; please weigh it.' ELSE {const(cursor, 'challenge_response', 'x.rid, 234')} END",
        },
        "bench_chresp AS x",
    )
    _done("challenge responses", n, started)
