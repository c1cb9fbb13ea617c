"""Clock scan benchmark: scan_clocks() over a few open referrals among many decided ones.

    .venv/bin/python bench/bench_scan.py                      # 200,000 referrals
    .venv/bin/python bench/bench_scan.py --total 5000000      # five million

It uses PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/
frontdoor_bench_notices; it refuses a database whose name does not contain "bench"),
creates and migrates that database, and replaces every referral and notice in it with
synthetic ones made by INSERT ... SELECT generate_series: --open open referrals (default
10,000) whose due times are spread over the last few hours and the next 24, and the rest
decided, spread over the last five years, each with its decision, its acknowledgement
and feedback notice events (and a late one's overdue event) as a real history has.

It then times (a) the first scan, which raises the due-soon, overdue and escalation
notices for the open referrals and hands their emails to the broker (Redis database 14 by
default, flushed before and after; no worker runs), and (b) the steady-state scan, when
everything due has been told already: what every minute's scan costs. Last, EXPLAIN
ANALYZE of the steady-state queries shows whether they are index-backed.

Not part of the test suite. Every value is synthetic.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/frontdoor_bench_notices"
DEFAULT_BROKER = "redis://127.0.0.1:6379/14"
MANAGERS = 10


def main() -> None:
    args = _arguments()
    set_up(args.database, broker=None if args.no_broker else args.broker)
    print(f"PostgreSQL database {_database_name()}; {os.cpu_count()} CPUs")
    flush_broker(args)
    try:
        people = make_people()
        load(total=args.total, open_count=args.open, overdue_share=args.overdue_share, **people)
        run_scans(args, people)
    finally:
        flush_broker(args)


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--total", type=int, default=200_000, help="referrals (200,000)")
    parser.add_argument("--open", type=int, default=10_000, help="open referrals (10,000)")
    parser.add_argument(
        "--overdue-share",
        type=float,
        default=0.02,
        help="share of the open referrals already past their due time (0.02)",
    )
    parser.add_argument("--steady-runs", type=int, default=5, help="steady-state scans (5)")
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument("--broker", default=DEFAULT_BROKER, help=f"default {DEFAULT_BROKER}")
    parser.add_argument(
        "--no-broker", action="store_true", help="time the scan without handing out emails"
    )
    args = parser.parse_args()
    if args.open > args.total:
        parser.error("--open cannot be more than --total")
    return args


# --- Setting up: shared with bench_overdue_latency.py ------------------------------------


def set_up(database_url: str, *, broker: str | None) -> None:
    """Create (if need be) and migrate a bench database, and set Django up on it."""
    import dj_database_url

    database = dj_database_url.parse(database_url)
    name = database.get("NAME") or ""
    if database.get("ENGINE") != "django.db.backends.postgresql" or "bench" not in name:
        sys.exit(
            "Use a PostgreSQL database whose name contains 'bench' (DATABASE_URL or "
            f"--database), e.g. {DEFAULT_DATABASE}. Every referral in it is replaced."
        )
    _create_database_if_missing(database)
    os.environ["DATABASE_URL"] = database_url
    if broker:
        os.environ["CELERY_BROKER_URL"] = broker
    os.environ.setdefault("DJANGO_DEBUG", "true")  # a bench database is not production
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontdoor.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False  # no query log: time the code, not the debug machinery
    call_command("migrate", verbosity=0)


def _create_database_if_missing(database: dict) -> None:
    import psycopg2
    from psycopg2 import sql

    connection = psycopg2.connect(
        dbname="postgres",
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database["NAME"])))
            print(f"Created database {database['NAME']}")
    connection.close()


def _database_name() -> str:
    from django.db import connection

    return connection.settings_dict["NAME"]


def flush_broker(args) -> None:
    if args.no_broker:
        from notices import services as notifications

        notifications.dispatch = lambda ids: None
        return
    import redis

    redis.Redis.from_url(args.broker).flushdb()


def make_people() -> dict:
    """One referrer in one agency, the managers who are told, a head of service, and a
    partner agency's user."""
    from django.conf import settings

    from agencies.models import Agency, Role, User

    school, _ = Agency.objects.get_or_create(name="Bench School", defaults={"type": "school"})
    health, _ = Agency.objects.get_or_create(
        name="Bench Health Visiting", defaults={"type": "health_visiting"}
    )

    def user(username: str, role: Role, agency=None) -> User:
        person, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "role": role,
                "agency": agency,
                "email": f"{username}@example.invalid",
                "is_active": True,
            },
        )
        return person

    managers = [user(f"bench-manager-{n}", Role.MANAGER, school) for n in range(MANAGERS)]
    head = user("bench-head", Role.AUDITOR)
    settings.HEAD_OF_SERVICE_USERNAMES = [head.username]
    return {
        "referrer": user("bench-referrer", Role.REFERRER, school),
        "screener": user("bench-screener", Role.SCREENER, school),
        "partner": user("bench-partner", Role.PARTNER, health),
        "managers": managers,
        "head": head,
    }


def tables() -> dict[str, str]:
    """The tables the loader writes, by the models' own names for them."""
    from notices.models import NoticeEvent, Notification
    from referrals.models import Referral, Submission
    from triage.models import Decision, InformationRequest

    models = {
        "referral": Referral,
        "historical_referral": Referral.history.model,
        "decision": Decision,
        "historical_decision": Decision.history.model,
        "submission": Submission,
        "notice_event": NoticeEvent,
        "notification": Notification,
        "information_request": InformationRequest,
        "historical_information_request": InformationRequest.history.model,
    }
    return {name: model._meta.db_table for name, model in models.items()}


def clear_referrals() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables().values())} RESTART IDENTITY CASCADE")


def referral_columns(
    *, submission_id: int, referrer_id: int, agency_id: int, screener_id: int
) -> dict:
    """SQL for each column of a synthetic referral, given ``i`` (its number), ``due`` and
    ``status``. Past "received", a referral has been allocated to the screener; awaiting a
    decision or decided, the screener has recommended on it (the database holds the
    status to what screening has done)."""
    from django.db import models

    from referrals.models import Referral

    screened = "status <> 'received'"
    recommended = "status IN ('awaiting_decision', 'decided')"
    special = {
        "assigned_to_id": f"CASE WHEN {screened} THEN {screener_id} END",
        "assigned_at": f"CASE WHEN {screened} THEN due - interval '23 hours' END",
        "recommended_outcome": f"CASE WHEN {recommended} THEN 'early_help' ELSE '' END",
        "recommendation": f"CASE WHEN {recommended} THEN 'Synthetic.' ELSE '' END",
        "recommended_by_id": f"CASE WHEN {recommended} THEN {screener_id} END",
        "recommended_at": f"CASE WHEN {recommended} THEN due - interval '22 hours' END",
        "reference": "'FD-B-' || lpad(i::text, 9, '0')",
        "submission_id": str(submission_id),
        "status": "status",
        "channel": "'web'",
        "referrer_id": str(referrer_id),
        "agency_id": str(agency_id),
        "source_of_referral": "'10'",
        "received_at": "due - interval '24 hours'",
        "decision_due_at": "due",
        "created_at": "due - interval '24 hours'",
        "child_first_name": "'Bench'",
        "child_last_name": "'Child' || i",
        "child_date_of_birth": "date '2012-01-01' + (i % 4000)",
        "worry": "'Synthetic benchmark referral.'",
        "lived_experience": "'Synthetic.'",
        "child_voice": "'Synthetic.'",
        "parental_consent": "'consented'",
    }
    columns = {}
    for field in Referral._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.column in special:
            columns[field.column] = special[field.column]
        elif field.null:
            columns[field.column] = "NULL"
        elif isinstance(field, models.JSONField):
            columns[field.column] = "'[]'::jsonb"
        elif isinstance(field, models.BooleanField):
            columns[field.column] = "true" if field.get_default() else "false"
        else:
            default = field.get_default()
            if not isinstance(default, str):
                raise SystemExit(f"no synthetic value for referrals_referral.{field.column}")
            columns[field.column] = "'" + default.replace("'", "''") + "'"
    return columns


def load(*, total, open_count, overdue_share, referrer, screener, partner, managers, head):
    from django.db import connection
    from django.utils import timezone

    from referrals.models import Submission

    started = time.perf_counter()
    clear_referrals()
    submission = Submission.objects.create(submitted_by=referrer)
    columns = referral_columns(
        submission_id=submission.pk,
        referrer_id=referrer.pk,
        agency_id=referrer.agency_id,
        screener_id=screener.pk,
    )
    table = tables()
    overdue = int(open_count * overdue_share)
    due_soon = open_count * 4 // 24  # due times spread evenly over the next day
    now = timezone.now()
    history = max(total - open_count, 1)
    now_sql = f"'{now.isoformat()}'::timestamptz"
    # Open referrals 1..open_count: the overdue ones up to 8 hours late (so about half
    # are past the escalation point), then the due-soon ones, then the rest of the day.
    # Decided ones after them, due at evenly spaced moments over the last five years.
    rows = f"""
        SELECT i,
          CASE WHEN i <= {open_count}
               THEN (ARRAY['received', 'screening', 'awaiting_decision'])[1 + i % 3]
               ELSE 'decided' END AS status,
          CASE WHEN i <= {overdue}
                 THEN {now_sql} - interval '1 minute' * (1 + (i * 7919) % 480)
               WHEN i <= {overdue + due_soon}
                 THEN {now_sql} + interval '1 minute' * (1 + (i * 7919) % 238)
               WHEN i <= {open_count}
                 THEN {now_sql} + interval '4 hours' + interval '1 minute' * ((i * 7919) % 1195)
               ELSE {now_sql} - interval '1 day'
                    - interval '5 years' * ((i - {open_count})::float / {history})
          END AS due
        FROM generate_series(1, {total}) AS i
    """  # noqa: S608 - our own SQL
    names = ", ".join(columns)
    values = ", ".join(columns.values())
    with connection.cursor() as cursor:
        # The database refuses a decided referral without its decision, and marks each
        # referral decided as its decision is written (triage/triggers.py), a row at a
        # time. For millions of rows: load both with those triggers off, check the rule
        # once over the whole table, and turn them back on.
        triggered = (table["referral"], table["decision"])
        for name in triggered:
            cursor.execute(f"ALTER TABLE {name} DISABLE TRIGGER USER")
        try:
            cursor.execute(
                f"INSERT INTO {table['referral']} ({names}) SELECT {values} FROM ({rows}) AS r",  # noqa: S608
            )
            # Each decided referral's decision, an hour before it was due.
            cursor.execute(
                f"""
                INSERT INTO {table["decision"]}
                    (referral_id, outcome, threshold_level_id, rationale,
                     lived_experience_impact, onward_referrals, late_reason, feedback,
                     decided_by_id, decided_at, proceed_reason, threshold_reason,
                     known_at_decision)
                SELECT id, 'early_help', 2, 'Synthetic.', '', '', '', 'Synthetic.',
                       %(manager)s, decision_due_at - interval '1 hour', '', '', '{{}}'
                  FROM {table["referral"]} WHERE status = 'decided'
                """,  # noqa: S608 - our own SQL
                {"manager": managers[0].pk},
            )
            cursor.execute(
                f"""
                SELECT count(*) FROM {table["referral"]} AS r
                 WHERE (r.status = 'decided') <> EXISTS (
                       SELECT 1 FROM {table["decision"]} AS d WHERE d.referral_id = r.id)
                """  # noqa: S608 - our own SQL
            )
            disagreeing = cursor.fetchone()[0]
            if disagreeing:
                raise SystemExit(f"{disagreeing} referrals disagree with their decisions")
        finally:
            for name in triggered:
                cursor.execute(f"ALTER TABLE {name} ENABLE TRIGGER USER")
        inserted = time.perf_counter()
        # The history's notice events: each referral acknowledged; each decided one given
        # feedback; three in five decided in their last four hours, so told "due soon";
        # one in ten decided late, so told "overdue"; one in fifty escalated.
        cursor.execute(
            f"""
            INSERT INTO {table["notice_event"]} (key, kind, referral_id, created_at)
            SELECT 'acknowledgement:' || id, 'acknowledgement', id, received_at
              FROM {table["referral"]}
            UNION ALL
            SELECT 'feedback:' || id, 'feedback', id, decision_due_at
              FROM {table["referral"]} WHERE status = 'decided'
            UNION ALL
            SELECT 'due_soon:' || id, 'due_soon', id, decision_due_at - interval '4 hours'
              FROM {table["referral"]} WHERE status = 'decided' AND id % 5 < 3
            UNION ALL
            SELECT 'overdue:' || id, 'overdue', id, decision_due_at
              FROM {table["referral"]} WHERE status = 'decided' AND id % 10 = 0
            UNION ALL
            SELECT 'escalation:' || id, 'escalation', id, decision_due_at + interval '4 hours'
              FROM {table["referral"]} WHERE status = 'decided' AND id % 50 = 0
            """  # noqa: S608 - our own SQL
        )
        # Information requests to a health visiting service: a hundred open, ten overdue.
        cursor.execute(
            f"""
            INSERT INTO {table["information_request"]}
                (referral_id, agency_id, question, requested_by_id, requested_at, due_at,
                 answer, answered_by_id, answered_at)
            SELECT i, %(agency)s, 'What do you know about the household?', %(screener)s,
                   %(now)s - interval '5 hours',
                   %(now)s + interval '1 minute' * (i * 13 - 130), '', NULL, NULL
              FROM generate_series(1, 100) AS i
            """,  # noqa: S608 - our own SQL
            {"agency": partner.agency_id, "screener": screener.pk, "now": now},
        )
        cursor.execute(f"VACUUM ANALYZE {table['referral']}")
        cursor.execute(f"VACUUM ANALYZE {table['decision']}")
        cursor.execute(f"VACUUM ANALYZE {table['notice_event']}")
        cursor.execute(f"ANALYZE {table['information_request']}")
    print(
        f"Loaded {total:,} referrals ({open_count:,} open: {overdue:,} overdue, "
        f"{due_soon:,} due within 4 hours) in {inserted - started:.0f} s; notice history "
        f"and vacuum {time.perf_counter() - inserted:.0f} s"
    )


# --- The scans ----------------------------------------------------------------------------


def run_scans(args, people) -> None:
    # The clock stands still at one instant for the first scan and the steady ones: a
    # first scan takes tens of seconds, in which more referrals would come due, and a
    # "steady" scan that raised them would time something else.
    import time_machine
    from django.utils import timezone

    from triage.services.notices import scan_clocks

    with time_machine.travel(timezone.now(), tick=False):
        scan_at_one_instant(args, scan_clocks)


def scan_at_one_instant(args, scan_clocks) -> None:
    from notices.models import NoticeEvent, Notification

    events, rows = NoticeEvent.objects.count(), Notification.objects.count()
    started = time.perf_counter()
    first = scan_clocks()
    first_seconds = time.perf_counter() - started
    raised = NoticeEvent.objects.count() - events
    written = Notification.objects.count() - rows
    emails = Notification.objects.filter(channel="email").count()
    print(
        f"\n(a) first scan: {first_seconds:.2f} s; raised {first} = {raised:,} notices, "
        f"{written:,} notification rows, {emails:,} emails "
        + ("not handed out (--no-broker)" if args.no_broker else f"handed to {args.broker}")
    )

    # The first scan wrote its notices in one burst into a table whose statistics did not
    # know them; in service they accumulate a few a minute and autovacuum keeps the
    # statistics current. Bring them up to date as it would.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables()['notice_event']}")

    timings = []
    for _ in range(args.steady_runs):
        started = time.perf_counter()
        counts = scan_clocks()
        timings.append((time.perf_counter() - started) * 1000)
        assert not any(counts.values()), counts
    print(
        f"(b) steady-state scan, nothing new to tell ({args.steady_runs} runs): "
        f"median {statistics.median(timings):.1f} ms, min {min(timings):.1f} ms, "
        f"max {max(timings):.1f} ms"
    )
    explain_steady_state()


def steady_state_queries(now):
    """The scan's queries, as scan_clocks makes them."""
    from django.conf import settings

    from notices.models import NoticeKind
    from triage.models import InformationRequest
    from triage.services.notices import _not_yet, _open_referrals

    fields = ("pk", "reference", "decision_due_at")
    return {
        "overdue": _open_referrals()
        .filter(decision_due_at__lte=now)
        .filter(_not_yet(NoticeKind.OVERDUE))
        .only(*fields),
        "due soon": _open_referrals()
        .filter(decision_due_at__gt=now, decision_due_at__lte=now + settings.DUE_SOON)
        .filter(_not_yet(NoticeKind.DUE_SOON))
        .only(*fields),
        "escalation": _open_referrals()
        .filter(decision_due_at__lte=now - settings.ESCALATE_AFTER)
        .filter(_not_yet(NoticeKind.ESCALATION))
        .only(*fields),
        "information request overdue": InformationRequest.objects.filter(
            answered_at__isnull=True, due_at__lte=now
        ).filter(_not_yet(NoticeKind.INFORMATION_REQUEST_OVERDUE)),
    }


def explain_steady_state() -> None:
    from django.utils import timezone

    plans = {
        name: query.explain(analyze=True, buffers=True)
        for name, query in steady_state_queries(timezone.now()).items()
    }
    print("\nEXPLAIN ANALYZE, steady state: the overdue query")
    print("  " + plans["overdue"].replace("\n", "\n  "))
    for name, plan in plans.items():
        seq = "Seq Scan on referrals_referral" in plan
        total = plan.strip().splitlines()[-1].strip()
        print(f"{name:30} {'SEQ SCAN over referrals' if seq else 'index-backed':24} {total}")


if __name__ == "__main__":
    main()
