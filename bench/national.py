# ruff: noqa: S608, E501 - our own SQL over synthetic rows (no input reaches it), kept one fragment a line
"""A national-scale front door on PostgreSQL, for the dashboard benchmarks.

    .venv/bin/python bench/national.py --database postgres://.../frontdoor_bench_dashboard
    .venv/bin/python bench/national.py --total 5000000     # about 8 years of referrals

Replaces every referral (and everything hanging from one) in a database whose name
contains "bench" with synthetic rows made on the server by ``INSERT ... SELECT
generate_series`` (no row crosses the wire, so it is as fast as COPY), with the
secondary indexes dropped during the load and rebuilt after, and the foreign-key and
user triggers off (``session_replication_role = replica``) while it loads: the one rule
those triggers keep that the load could break (a decided referral has its decision, and
no other has one) is checked over the whole table afterwards, as bench_scan.py does.

The shape (every value synthetic; ``i`` is a referral's number, oldest first):

- referrals spread evenly over ``--years`` (8) years: 5,000,000 makes about 1,700 a day,
  about 144,000 in 12 weeks; 600 referring agencies (a third of referrals from 12 police
  forces, the rest from 400 schools, GPs, health and other services), one in 20 a call
  recorded by a screener with no agency;
- the newest: four in five of those received in the last 24 hours open (unallocated,
  screening or awaiting a decision; allocated among 25 screeners and 25 managers), and
  one in 16 of the three days before still open, so overdue (about 1,700 open in all
  at 5,000,000);
- the rest decided, with a realistic mix of outcomes (35% no further action, 10%
  signpost, 20% early help, 23% assessment, 8% section 47, 4% already open), one in 13
  late (24 to 96 hours), the others in 30 minutes to 23.5 hours; one in 200 amended;
- five in eight linked to a child record, a fifth of those a re-referral within a few
  days and another fifth about a child last referred more than a year before;
- one or two concern categories each; a third rated on the screeners' rubric;
- coaching prompts for about half the web-form referrals (bench/national_coaching.py);
- a strategy discussion for each section 47 decision, with police, social care and
  (five times in six) health attending, an action, minutes mostly on time;
- an information request for one referral in 20 (unanswered ones for open referrals);
- a challenge for one decision in 300 (the recent ones still open);
- the feedback notice of every decided referral from a referrer, sent within minutes
  (one in 20 after more than a day, one in 50 never sent).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_scan import set_up  # noqa: E402
from bench.national_coaching import insert_coaching_prompts  # noqa: E402

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/frontdoor_bench_dashboard"
AGENCIES = 600
POLICE_FORCES = 12
STAFF = 25  # screeners, and as many managers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--total", type=int, default=5_000_000, help="referrals (5,000,000)")
    parser.add_argument("--years", type=float, default=8.0, help="years they span (8)")
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE))
    args = parser.parse_args()
    set_up(args.database, broker=None)
    generate(total=args.total, years=args.years)


# --- People and agencies ----------------------------------------------------------------


def make_people() -> dict:
    from agencies.census import AgencyType
    from agencies.models import Agency, Role, User

    kinds = (
        [AgencyType.SCHOOL] * 300
        + [AgencyType.EARLY_YEARS] * 40
        + [AgencyType.GP] * 100
        + [AgencyType.HEALTH_VISITING] * 20
        + [AgencyType.SCHOOL_NURSING] * 10
        + [AgencyType.HOSPITAL] * 15
        + [AgencyType.CAMHS] * 10
        + [AgencyType.ADULT_MENTAL_HEALTH] * 10
        + [AgencyType.SUBSTANCE_MISUSE] * 10
        + [AgencyType.PROBATION] * 10
        + [AgencyType.YOUTH_OFFENDING] * 10
        + [AgencyType.HOUSING] * 20
        + [AgencyType.VOLUNTARY_SECTOR] * 20
        + [AgencyType.EARLY_HELP] * 12
        + [AgencyType.OTHER] * 1
    )
    kinds = [AgencyType.POLICE] * POLICE_FORCES + kinds[: AGENCIES - POLICE_FORCES - 1]
    kinds.append(AgencyType.CHILDRENS_SOCIAL_CARE)
    agencies = []
    for n, kind in enumerate(kinds):
        agency, _ = Agency.objects.get_or_create(
            name=f"Bench {kind} {n:03d}", defaults={"type": kind}
        )
        agencies.append(agency)
    social_care = agencies[-1]

    def user(username: str, role, agency=None) -> User:
        person, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "role": role,
                "agency": agency,
                "email": f"{username}@example.invalid",
                "is_active": True,
                "first_name": "Bench",
                "last_name": username,
            },
        )
        return person

    referrers = [user(f"bench-referrer-{n:03d}", Role.REFERRER, a) for n, a in enumerate(agencies)]
    screeners = [user(f"bench-screener-{n:02d}", Role.SCREENER, social_care) for n in range(STAFF)]
    managers = [user(f"bench-manager-{n:02d}", Role.MANAGER, social_care) for n in range(STAFF)]
    return {
        "health_visiting": 1 + kinds.index(AgencyType.HEALTH_VISITING),  # SQL arrays count from 1
        "agencies": agencies,
        "referrers": referrers,
        "screeners": screeners,
        "managers": managers,
        "social_care": social_care,
    }


# --- Loading ----------------------------------------------------------------------------


def _columns(model, special: dict[str, str]) -> dict[str, str]:
    """SQL for every column of ``model``: ``special`` where given, else NULL for a
    nullable column, else the field's default (a string, a boolean, an empty list)."""
    from django.db import models

    columns = {}
    for field in model._meta.concrete_fields:
        if field.column in special:
            columns[field.column] = special[field.column]
        elif field.primary_key:
            continue
        elif field.null:
            columns[field.column] = "NULL"
        elif isinstance(field, models.JSONField):
            columns[field.column] = "'[]'::jsonb"
        elif isinstance(field, models.BooleanField):
            columns[field.column] = "true" if field.get_default() else "false"
        else:
            default = field.get_default()
            if not isinstance(default, str):
                raise SystemExit(f"no synthetic value for {model._meta.db_table}.{field.column}")
            columns[field.column] = "'" + default.replace("'", "''") + "'"
    return columns


def _insert(cursor, model, special: dict[str, str], source: str) -> int:
    columns = _columns(model, special)
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608 - ours
        f"SELECT {', '.join(columns.values())} FROM ({source}) AS s"
    )
    cursor.execute(sql)
    return cursor.rowcount


def _models():
    from notices.models import NoticeEvent, Notification
    from referrals.models import Child, CoachingPrompt, Referral, ReferralConcern, Submission
    from triage.models import (
        Attendee,
        Challenge,
        Decision,
        DecisionAmendment,
        DiscussionAction,
        InformationRequest,
        QualityRating,
        StrategyDiscussion,
    )

    return [
        Submission,
        Child,
        Referral,
        Decision,
        DecisionAmendment,
        ReferralConcern,
        QualityRating,
        CoachingPrompt,
        StrategyDiscussion,
        Attendee,
        DiscussionAction,
        InformationRequest,
        Challenge,
        NoticeEvent,
        Notification,
    ]


def _secondary_indexes(cursor, table_names: list[str]) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the tables' indexes that no constraint owns."""
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes AS i
         WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conname = i.indexname)
        """,
        [table_names],
    )
    return cursor.fetchall()


def generate(*, total: int, years: float) -> None:  # noqa: PLR0915 - one load, step by step
    from django.db import connection
    from django.utils import timezone

    from referrals.census import ConcernCategory
    from referrals.models import Child, Referral, ReferralConcern, Submission
    from triage.models import (
        Attendee,
        Challenge,
        Decision,
        DecisionAmendment,
        DiscussionAction,
        EscalationStage,
        InformationRequest,
        QualityRating,
        StrategyDiscussion,
        ThresholdLevel,
    )

    started = time.perf_counter()
    people = make_people()
    models = _models()
    names = [m._meta.db_table for m in models]
    history = [m.history.model._meta.db_table for m in models if hasattr(m, "history")]
    now = timezone.now().replace(microsecond=0)
    agencies = [a.pk for a in people["agencies"]]
    referrers = {a.agency_id: a.pk for a in people["referrers"]}
    referrer_of = "(ARRAY[" + ",".join(str(referrers[a]) for a in agencies) + "])"
    agency_ids = "(ARRAY[" + ",".join(map(str, agencies)) + "])"
    screeners = "(ARRAY[" + ",".join(str(u.pk) for u in people["screeners"]) + "])"
    staff = people["screeners"] + people["managers"]
    staff_ids = "(ARRAY[" + ",".join(str(u.pk) for u in staff) + "])"
    manager = people["managers"][0].pk
    thresholds = list(ThresholdLevel.objects.filter(is_active=True).order_by("level"))
    level = {n: thresholds[min(n, len(thresholds)) - 1].pk for n in (1, 2, 3, 4)}
    stage = EscalationStage.objects.filter(is_active=True).order_by("order").first()
    categories = "(ARRAY[" + ",".join(f"'{c}'" for c in ConcernCategory.values) + "])"
    k = len(ConcernCategory.values)
    span = f"interval '{int(years * 365.25 * 86400)} seconds'"
    now_sql = f"'{now.isoformat()}'::timestamptz"

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(names + history)} RESTART IDENTITY CASCADE")
        indexes = _secondary_indexes(cursor, names)
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        try:
            cursor.execute("SET session_replication_role = replica")  # no FK or user triggers
            submission = Submission.objects.create(submitted_by=people["referrers"][0])

            # Each referral's number, received time, status and decision time. Outcomes by
            # (i * 37) % 100; late decisions one in 13; the newest mostly open.
            base = f"""
              SELECT i, received,
                CASE WHEN received > {now_sql} - interval '24 hours' AND i % 5 <> 0
                       OR received <= {now_sql} - interval '24 hours'
                          AND received > {now_sql} - interval '96 hours' AND i % 16 = 0
                     THEN (ARRAY['received', 'screening', 'screening', 'awaiting_decision'])
                          [1 + i % 4]
                     ELSE 'decided' END AS status,
                LEAST(CASE WHEN received > {now_sql} - interval '24 hours'
                     THEN received + ({now_sql} - received) / 2
                     WHEN i % 13 = 0
                     THEN received + interval '1 hour' * (24 + 72 * ((i::bigint * 7919) % 10007) / 10007.0)
                     ELSE received + interval '1 minute'
                          * (30 + 1380 * power(((i::bigint * 7919) % 10007) / 10007.0, 1.6))
                END, received + ({now_sql} - received) * 0.9) AS decided_at
              FROM (SELECT i, {now_sql} - {span} * (({total} - i)::float / {total})
                              - interval '1 second' * ((i::bigint * 104729) % 300) AS received
                      FROM generate_series(1, {total}) AS i) AS g
            """  # noqa: S608 - our own SQL
            t = time.perf_counter()
            cursor.execute(f"CREATE TEMP TABLE bench_r AS {base}")
            cursor.execute("ALTER TABLE bench_r ADD PRIMARY KEY (i)")
            agency_of = (
                f"CASE WHEN i % 20 = 19 THEN NULL WHEN i % 3 = 0 "
                f"THEN {agency_ids}[1 + (i / 3) % {POLICE_FORCES}] "
                f"ELSE {agency_ids}[{POLICE_FORCES + 1} + (i * 7) % {AGENCIES - POLICE_FORCES - 1}] END"
            )
            child_of = (
                "CASE WHEN i % 8 IN (0, 3, 4) THEN i "
                "WHEN i % 8 = 1 AND i > 3001 THEN i - 3001 "
                "WHEN i % 8 = 2 AND i > 700002 THEN i - 700002 END"
            )
            n = _insert(
                cursor,
                Child,
                {
                    "id": "i",
                    "first_name": "'Bench'",
                    "last_name": "'Child' || i",
                    "date_of_birth": "date '2008-01-01' + (i % 6000)",
                    "created_at": "received",
                    "created_by_id": f"{screeners}[1 + i % {STAFF}]",
                },
                "SELECT i, received FROM bench_r WHERE i % 8 IN (0, 3, 4)",
            )
            print(f"children: {n:,}", flush=True)
            screened = "status <> 'received'"
            recommended = "status IN ('awaiting_decision', 'decided')"
            n = _insert(
                cursor,
                Referral,
                {
                    "id": "i",
                    "reference": "'FD-N-' || lpad(i::text, 9, '0')",
                    "submission_id": str(submission.pk),
                    "status": "status",
                    "channel": "CASE WHEN agency IS NULL THEN 'phone' ELSE 'web' END",
                    "referrer_id": f"CASE WHEN agency IS NULL THEN NULL "
                    f"ELSE {referrer_of}[array_position({agency_ids}, agency)] END",
                    "agency_id": "agency",
                    "recorded_by_id": f"CASE WHEN agency IS NULL THEN {screeners}[1 + i % {STAFF}] END",
                    "caller_type": "CASE WHEN agency IS NULL THEN 'family' ELSE '' END",
                    "source_of_referral": "'10'",
                    "received_at": "received",
                    "decision_due_at": "received + interval '24 hours'",
                    "created_at": "received",
                    "child_first_name": "'Bench'",
                    "child_last_name": "'Child' || i",
                    "child_date_of_birth": "date '2008-01-01' + (i % 6000)",
                    "child_id": child_of,
                    "assigned_to_id": f"CASE WHEN {screened} THEN {staff_ids}[1 + i % {2 * STAFF}] END",
                    "assigned_at": f"CASE WHEN {screened} THEN received + interval '20 minutes' END",
                    "recommended_outcome": f"CASE WHEN {recommended} THEN 'early_help' ELSE '' END",
                    "recommendation": f"CASE WHEN {recommended} THEN 'Synthetic.' ELSE '' END",
                    "recommended_by_id": f"CASE WHEN {recommended} THEN {screeners}[1 + i % {STAFF}] END",
                    "recommended_at": f"CASE WHEN {recommended} THEN received + interval '25 minutes' END",
                    "worry": "'Synthetic benchmark referral.'",
                    "lived_experience": "'Synthetic.'",
                    "child_voice": "'Synthetic.'",
                    "parental_consent": "'consented'",
                },
                f"SELECT *, {agency_of} AS agency FROM bench_r",
            )
            print(f"referrals: {n:,} ({time.perf_counter() - t:.0f} s)", flush=True)

            outcome = (
                "CASE WHEN (i * 37) % 100 < 35 THEN 'nfa' WHEN (i * 37) % 100 < 45 THEN 'signpost' "
                "WHEN (i * 37) % 100 < 65 THEN 'early_help' WHEN (i * 37) % 100 < 88 THEN 's17' "
                "WHEN (i * 37) % 100 < 96 THEN 's47' ELSE 'open_case' END"
            )
            levels = (
                f"CASE WHEN (i * 37) % 100 < 45 THEN {level[1]} WHEN (i * 37) % 100 < 65 "
                f"THEN {level[2]} WHEN (i * 37) % 100 < 88 THEN {level[3]} ELSE {level[4]} END"
            )
            decided = "SELECT i, received, decided_at FROM bench_r WHERE status = 'decided'"
            n = _insert(
                cursor,
                Decision,
                {
                    "id": "i",
                    "referral_id": "i",
                    "outcome": outcome,
                    "threshold_level_id": levels,
                    "rationale": "'Synthetic.'",
                    "feedback": "'Synthetic.'",
                    "decided_by_id": f"{staff_ids}[{STAFF + 1} + i % {STAFF}]",
                    "decided_at": "decided_at",
                },
                decided,
            )
            print(f"decisions: {n:,}", flush=True)
            n = _insert(
                cursor,
                DecisionAmendment,
                {
                    "decision_id": "i",
                    "outcome": "'s17'",
                    "threshold_level_id": str(level[3]),
                    "rationale": "'Synthetic.'",
                    "reason": "'Synthetic.'",
                    "amended_by_id": str(manager),
                    "amended_at": "decided_at + interval '2 days'",
                },
                f"{decided} AND i % 200 = 7 AND decided_at < {now_sql} - interval '3 days'",
            )
            print(f"amendments: {n:,}", flush=True)
            n = _insert(
                cursor,
                ReferralConcern,
                {"referral_id": "i", "category": f"{categories}[1 + c % {k}]"},
                "SELECT i, i AS c FROM bench_r UNION ALL "
                "SELECT i, i + 1 + i % 5 FROM bench_r WHERE i % 3 = 0",
            )
            print(f"concerns: {n:,}", flush=True)
            n = _insert(
                cursor,
                QualityRating,
                {
                    "referral_id": "i",
                    "specific_worry": "(i / 3) % 10 < 8",
                    "child_voice": "(i / 7) % 10 < 5",
                    "lived_experience": "(i / 11) % 10 < 6",
                    "history_considered": "(i / 13) % 10 < 7",
                    "consent_addressed": "(i / 17) % 10 < 9",
                    "referrer_analysis": "(i / 19) % 10 < 4",
                    "rated_by_id": f"{screeners}[1 + i % {STAFF}]",
                    "rated_at": "received + interval '30 minutes'",
                },
                "SELECT i, received FROM bench_r WHERE status = 'decided' AND i % 3 = 1",
            )
            print(f"quality ratings: {n:,}", flush=True)
            n = insert_coaching_prompts(cursor, _insert)
            print(f"coaching prompts: {n:,}", flush=True)

            # Strategy discussions: one per section 47 decision, two hours after it.
            s47 = f"{decided} AND (i * 37) % 100 >= 88 AND (i * 37) % 100 < 96"
            t = time.perf_counter()
            n = _insert(
                cursor,
                StrategyDiscussion,
                {
                    "id": "i",
                    "referral_id": "i",
                    "kind": "'strategy_discussion'",
                    "held_at": "held",
                    "format": "'call'",
                    "convened_by_id": str(manager),
                    "created_at": "held",
                    "section47_outcome": f"CASE WHEN held > {now_sql} - interval '1 day' THEN '' "
                    "WHEN i % 3 = 0 THEN 'single_agency' ELSE 'joint_police' END",
                    "minutes_due_at": "held + interval '1 day'",
                    "minutes_circulated_at": f"CASE WHEN held > {now_sql} - interval '5 days' "
                    "AND i % 2 = 0 THEN NULL WHEN i % 7 = 0 THEN held + interval '3 days' "
                    "ELSE held + interval '20 hours' END",
                    # To the family (a strategy discussion's minutes go to both): mostly
                    # with the professionals' copy; one in five a day later; none yet for
                    # the recent ones still waiting.
                    "minutes_to_family_at": f"CASE WHEN held > {now_sql} - interval '5 days' "
                    "AND i % 2 = 0 THEN NULL WHEN i % 7 = 0 THEN held + interval '3 days' "
                    "WHEN i % 5 = 0 THEN held + interval '44 hours' "
                    "ELSE held + interval '20 hours' END",
                },
                f"SELECT i, decided_at + interval '2 hours' AS held FROM ({s47}) AS d "
                f"WHERE decided_at + interval '2 hours' < {now_sql}",
            )
            print(f"strategy discussions: {n:,}", flush=True)
            hv = people["health_visiting"]
            discussions = StrategyDiscussion._meta.db_table
            social_care = str(people["social_care"].pk)
            n = _insert(
                cursor,
                Attendee,
                {
                    "discussion_id": "id",
                    "agency_id": "agency",
                    "role": "role",
                    "name": "'Synthetic attendee'",
                    "attended": "true",
                },
                f"""
                SELECT id, {agency_ids}[1 + id % {POLICE_FORCES}] AS agency, 'police_officer' AS role
                  FROM {discussions}
                UNION ALL SELECT id, {social_care}, 'social_worker' FROM {discussions}
                UNION ALL SELECT id, {agency_ids}[{hv} + id % 20], 'health_visitor'
                  FROM {discussions} WHERE id % 6 <> 0
                """,  # noqa: S608 - our own SQL
            )
            print(f"attendees: {n:,}", flush=True)
            n = _insert(
                cursor,
                DiscussionAction,
                {
                    "discussion_id": "id",
                    "description": "'Synthetic action.'",
                    "owner": "'Synthetic owner'",
                    "agency_id": social_care,
                    "due_at": "held_at + interval '5 days'",
                    "done_at": f"CASE WHEN held_at > {now_sql} - interval '10 days' AND id % 3 = 0 "
                    "THEN NULL ELSE held_at + interval '4 days' END",
                },
                f"SELECT id, held_at FROM {StrategyDiscussion._meta.db_table}",  # noqa: S608
            )
            print(f"actions: {n:,} ({time.perf_counter() - t:.0f} s)", flush=True)

            n = _insert(
                cursor,
                InformationRequest,
                {
                    "referral_id": "i",
                    "agency_id": f"{agency_ids}[{hv} + i % 20]",
                    "question": "'What do you know about the household?'",
                    "requested_by_id": f"{screeners}[1 + i % {STAFF}]",
                    "requested_at": "received + interval '1 hour'",
                    "due_at": "received + interval '9 hours'",
                    "answer": "CASE WHEN status = 'decided' THEN 'Synthetic.' ELSE '' END",
                    "answered_by_id": f"CASE WHEN status = 'decided' THEN {referrer_of}[{hv} + i % 20] END",
                    "answered_at": "CASE WHEN status = 'decided' THEN received + interval '6 hours' END",
                },
                "SELECT * FROM bench_r WHERE i % 20 = 5 OR status <> 'decided' AND i % 4 = 1",
            )
            print(f"information requests: {n:,}", flush=True)
            n = _insert(
                cursor,
                Challenge,
                {
                    "referral_id": "i",
                    "decision_id": "i",
                    "raised_by_id": f"{referrer_of}[array_position({agency_ids}, agency)]",
                    "raised_at": "raised",
                    "reason": "'Synthetic.'",
                    "stage_id": str(stage.pk),
                    "stage_started_at": "raised",
                    "stage_due_at": "raised + interval '2 days'",
                    "owner_id": str(manager),
                    "status": f"CASE WHEN raised > {now_sql} - interval '30 days' THEN 'open' "
                    "ELSE 'resolved' END",
                    "resolution": f"CASE WHEN raised > {now_sql} - interval '30 days' THEN '' "
                    "ELSE 'not_upheld' END",
                    "resolution_reasons": f"CASE WHEN raised > {now_sql} - interval '30 days' "
                    "THEN '' ELSE 'Synthetic.' END",
                    "resolved_by_id": f"CASE WHEN raised > {now_sql} - interval '30 days' THEN NULL "
                    f"ELSE {manager} END",
                    "resolved_at": f"CASE WHEN raised > {now_sql} - interval '30 days' THEN NULL "
                    "ELSE raised + interval '3 days' END",
                },
                f"SELECT i, decided_at + interval '1 day' AS raised, {agency_of} AS agency "
                f"FROM bench_r WHERE status = 'decided' AND i % 300 = 11 "
                f"AND decided_at + interval '1 day' < {now_sql}",
            )
            print(f"challenges: {n:,}", flush=True)

            # Feedback notices: every decided referral from a referrer, its notice sent by the
            # inbox within minutes; one in 20 after 30 hours; one in 50 never sent.
            t = time.perf_counter()
            events = "notices_noticeevent"
            cursor.execute(
                f"""
                INSERT INTO {events} (id, key, kind, referral_id, created_at)
                SELECT i, 'feedback:' || i, 'feedback', i, decided_at + interval '1 minute'
                  FROM bench_r WHERE status = 'decided' AND i % 20 <> 19
                """  # noqa: S608 - our own SQL
            )
            print(f"feedback notice events: {cursor.rowcount:,}", flush=True)
            cursor.execute(
                f"""
                INSERT INTO notices_notification
                    (event_id, kind, recipient_id, channel, status, subject, body, link,
                     attempts, last_error, created_at, sent_at)
                SELECT r.id, 'feedback', r.referrer_id, 'inbox',
                       CASE WHEN r.id % 50 = 3 THEN 'pending' ELSE 'sent' END,
                       'Decision made', 'Synthetic.', '', 1, '', e.created_at,
                       CASE WHEN r.id % 50 = 3 THEN NULL
                            WHEN r.id % 20 = 7 THEN e.created_at + interval '30 hours'
                            ELSE e.created_at + interval '2 minutes' END
                  FROM {events} AS e JOIN {Referral._meta.db_table} AS r ON r.id = e.referral_id
                """  # noqa: S608 - our own SQL
            )
            print(
                f"feedback notifications: {cursor.rowcount:,} ({time.perf_counter() - t:.0f} s)",
                flush=True,
            )

            cursor.execute("SET session_replication_role = origin")
            cursor.execute(
                f"""
                SELECT count(*) FROM {Referral._meta.db_table} AS r
                 WHERE (r.status = 'decided') <> EXISTS (
                       SELECT 1 FROM {Decision._meta.db_table} AS d WHERE d.referral_id = r.id)
                """  # noqa: S608 - our own SQL
            )
            disagreeing = cursor.fetchone()[0]
            if disagreeing:
                raise SystemExit(f"{disagreeing} referrals disagree with their decisions")
            for model in models:
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"coalesce((SELECT max(id) FROM {table}), 1))"  # noqa: S608
                )
        finally:  # a failed load still leaves the indexes the migrations made
            cursor.execute("SET session_replication_role = origin")
            t = time.perf_counter()
            for _name, definition in indexes:
                cursor.execute(definition)
            print(f"indexes rebuilt: {len(indexes)} ({time.perf_counter() - t:.0f} s)", flush=True)
        cursor.execute("DROP TABLE bench_r")
    t = time.perf_counter()
    with connection.cursor() as cursor:
        for table in names:
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"vacuum analyze: {time.perf_counter() - t:.0f} s", flush=True)
    print(f"Generated {total:,} referrals in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
