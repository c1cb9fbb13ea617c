# ruff: noqa: S608 - our own SQL over synthetic rows (no input reaches it)
"""A national-scale front door on PostgreSQL: eight years of England's referrals.

    .venv/bin/python bench/national.py --database postgres://.../frontdoor_bench_data
    .venv/bin/python bench/national.py --total 5000000     # about 8 years of England
    .venv/bin/python bench/national.py --total 200000 --open 2000 --check

Replaces every agency, user, referral (and everything hanging from one) in a database
whose name contains "bench" with synthetic rows made on the server by ``INSERT ...
SELECT`` from working tables (no row crosses the wire, so it is as fast as COPY), the
secondary indexes dropped during the load and rebuilt after, and the foreign-key and
user triggers off (``session_replication_role = replica``) while it loads. The rules
those triggers keep are checked over the whole database afterwards (national_check.py:
a decided referral has its decision and no other has one; no foreign key points at
nothing); the CHECK and unique constraints hold throughout.

The shape (bench/README.md says more; national_shape.py has the numbers):

- ``--total`` referrals (5,000,000 by default) over ``--years`` (8), evenly in time,
  from 600 agencies and callers in the census's mix of sources (police 29%, schools
  21%, health 15%, ...; the biggest police force a tenth of all referrals), by the web
  form, the API (police systems) or recorded by a screener from a call or email;
- about one child per five referrals, in families: siblings referred together in one
  submission (about 37% of referrals), families referred again in episodes more than a
  year apart and, about 22% of referrals, again within 12 months;
- ``--open`` open referrals (10,000 at 5,000,000, in proportion otherwise), the most
  recent mostly, received, being screened or awaiting a decision; the rest decided (one
  in 13 late) with the outcomes of the demo's stories, blended with a front door's usual
  mix; amendments; notes, quality ratings, coaching prompts, information requests;
  strategy discussions (attendees, what agencies shared, decisions, actions, minutes,
  the child seen); challenges through the escalation stages;
- the notices the app raises (acknowledgement, feedback, due soon, overdue, escalation,
  information requests, challenges, minutes, actions, children to be seen) as notice
  events over the whole span, and their inbox and email rows for the last
  ``--kept-days`` (90);
- the access log (screeners' and managers' views of referrals and chronologies, lists);
- the audit events and django-simple-history versions the services write, for the last
  ``--kept-days``, the open referrals and the hot children (older history is not
  generated: no page but the history pages and the child export reads it; see
  bench/README.md);
- five hot children with a referral every few weeks for the whole span: chronologies
  of hundreds of events.

Every value is synthetic. ``--check`` then runs national_check.py's checks and pages.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_scan import set_up  # noqa: E402

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/frontdoor_bench_dashboard"
KEPT_DAYS = 90


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--total", type=int, default=5_000_000, help="referrals (5,000,000)")
    parser.add_argument("--years", type=float, default=8.0, help="years they span (8)")
    parser.add_argument(
        "--open", type=int, default=None, help="open referrals (10,000 at 5,000,000; in proportion)"
    )
    parser.add_argument(
        "--kept-days",
        type=int,
        default=KEPT_DAYS,
        help=f"days of notification rows, audit events and history versions ({KEPT_DAYS})",
    )
    parser.add_argument(
        "--jobs", type=int, default=2, help="connections loading at once (2; 1 for one)"
    )
    parser.add_argument("--check", action="store_true", help="check the data and load pages after")
    parser.add_argument(
        "--check-sample",
        type=int,
        default=200,
        help="with --check: rows of each kind put through the models' validation (200)",
    )
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE))
    args = parser.parse_args()
    if args.total < 1000:
        parser.error("--total must be at least 1,000")
    if args.open is not None and not 0 < args.open <= args.total // 2:
        parser.error("--open must be between 1 and half of --total")
    set_up(args.database, broker=None)
    generate(
        total=args.total,
        years=args.years,
        open_count=args.open,
        kept_days=args.kept_days,
        jobs=args.jobs,
    )
    if args.check:
        from bench.national_check import run_checks

        run_checks(sample=args.check_sample)


# Every table the load writes, by model; their history tables too.
def _models():
    from agencies.models import Agency, ApiToken, User
    from audit.models import AccessLog, AuditEvent
    from notices.models import NoticeEvent, Notification
    from referrals.models import (
        Child,
        CoachingPrompt,
        HouseholdMember,
        IdempotencyRecord,
        ReferenceSequence,
        Referral,
        ReferralConcern,
        ReferralDraft,
        Submission,
    )
    from reporting.models import SummaryWeek, WeeklyFigures, WeeklyTotals
    from triage.models import (
        AgencyContribution,
        Attendee,
        Challenge,
        ChallengeResponse,
        ChildLinkRemoval,
        Decision,
        DecisionAmendment,
        DiscussionAction,
        DiscussionDecision,
        InformationRequest,
        QualityRating,
        ScreeningNote,
        StrategyDiscussion,
    )

    return [
        Agency,
        User,
        ApiToken,
        Submission,
        Child,
        Referral,
        ReferralConcern,
        HouseholdMember,
        ReferralDraft,
        IdempotencyRecord,
        ReferenceSequence,
        CoachingPrompt,
        ScreeningNote,
        QualityRating,
        ChildLinkRemoval,
        InformationRequest,
        Decision,
        DecisionAmendment,
        StrategyDiscussion,
        Attendee,
        AgencyContribution,
        DiscussionDecision,
        DiscussionAction,
        Challenge,
        ChallengeResponse,
        NoticeEvent,
        Notification,
        AccessLog,
        AuditEvent,
        SummaryWeek,
        WeeklyFigures,
        WeeklyTotals,
    ]


def loaded_tables() -> tuple[list[str], list[str]]:
    """(live tables, history tables) the load replaces."""
    live, history = [], []
    for model in _models():
        live.append(model._meta.db_table)
        if hasattr(model, "history"):
            history.append(model.history.model._meta.db_table)
    return live, history


def default_open(total: int) -> int:
    from bench.national_shape import open_for

    return open_for(total)


def generate(
    *,
    total: int,
    years: float = 8.0,
    open_count: int | None = None,
    kept_days: int = KEPT_DAYS,
    jobs: int = 2,
) -> None:
    """Replace the database's front door with a synthetic one of ``total`` referrals."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from bench import (
        national_families,
        national_kept,
        national_notices,
        national_records,
        national_screening,
        national_sql,
        national_strategy,
        national_submissions,
        national_words,
    )
    from bench.national_people import make_people
    from bench.national_shape import HOT_REFERRALS, working_days
    from core.clock import ClockPolicy, default_calendar

    if settings.DECISION_CLOCK_POLICY != ClockPolicy.HOURS_24:
        raise SystemExit(
            "bench/national.py writes due times 24 hours after receipt: unset "
            "FRONTDOOR_DECISION_CLOCK (the default policy, 24h) to generate."
        )
    started = time.perf_counter()
    open_count = open_count or default_open(total)
    now = timezone.now().replace(microsecond=0)
    span = timedelta(days=years * 365.25)
    now_sql = f"'{now.isoformat()}'::timestamptz"
    scale = min(1.0, total / 200_000)
    hot = tuple(max(4, round(n * scale)) for n in HOT_REFERRALS)
    live, history = loaded_tables()
    print(
        f"Generating {total:,} referrals over {years:g} years, {open_count:,} open, as of "
        f"{now:%Y-%m-%d %H:%M} UTC",
        flush=True,
    )
    with connection.cursor() as cursor:
        _session(cursor)
        _drop_work_tables(cursor)
        cursor.execute(f"TRUNCATE {', '.join(live + history)} RESTART IDENTITY CASCADE")
        indexes = national_sql.secondary_indexes(cursor, live + history)
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        try:
            national_sql.create_functions(cursor)
            calendar = default_calendar()
            first_day = (now - span).date() - timedelta(days=10)
            national_sql.create_calendar(
                cursor,
                working_days(first_day, now.date() + timedelta(days=60), calendar.is_working_day),
            )
            national_words.load(cursor)
            t = time.perf_counter()
            people = make_people(cursor, total=total, joined=now - span - timedelta(days=30))
            print(
                f"agencies: {len(people.agencies)}, users: {people.users:,} "
                f"({time.perf_counter() - t:.0f} s)",
                flush=True,
            )
            national_families.make_families(
                cursor, total=total, span_days=span.total_seconds() / 86400, hot=hot
            )
            national_submissions.make_submissions(
                cursor, people=people, span_seconds=span.total_seconds(), now_sql=now_sql
            )
            national_families.make_people_of_families(cursor, now_sql=now_sql)
            national_families.make_referrals(
                cursor, people=people, open_count=open_count, now_sql=now_sql
            )
            # From here the working tables are made; each phase's two lists of steps
            # share nothing they write, so they run at once on two connections.
            ns, nst, nn, nk = national_screening, national_strategy, national_notices, national_kept
            steps = [
                (
                    [
                        national_records.insert_submissions,
                        national_records.insert_children,
                        lambda c: national_records.insert_referrals(c, now_sql=now_sql),
                        national_records.set_reference_sequences,
                    ],
                    [
                        national_records.insert_concerns,
                        national_records.insert_households,
                        lambda c: ns.notes(c, now_sql=now_sql),
                        ns.ratings,
                        lambda c: ns.requests(c, people=people, now_sql=now_sql),
                        ns.flags,
                    ],
                ),
                (
                    [
                        ns.decisions,
                        lambda c: ns.amendments(c, people=people, now_sql=now_sql),
                    ],
                    [
                        ns.coaching,
                        lambda c: nst.discussions(c, people=people, now_sql=now_sql),
                    ],
                ),
                (
                    [
                        lambda c: nst.challenges(c, people=people, now_sql=now_sql),
                        lambda c: nn.events(c, people=people, now_sql=now_sql),
                        lambda c: nn.notifications(
                            c, people=people, now_sql=now_sql, kept_days=kept_days
                        ),
                    ],
                    [
                        lambda c: nk.access_log(c, people=people, now_sql=now_sql),
                        lambda c: nk.window(c, now_sql=now_sql, kept_days=kept_days),
                    ],
                ),
                (
                    [lambda c: nk.audit_events(c, now_sql=now_sql, kept_days=kept_days)],
                    [nk.history],
                ),
            ]
            for first, second in steps:
                run_parallel([first, second], jobs=jobs)
            cursor.execute("SET session_replication_role = origin")
            for table in live + history:
                column = "history_id" if table in history else "id"
                if table == "referrals_referencesequence":
                    continue
                national_sql.reset_sequence(cursor, table, column)
        finally:  # a failed load still leaves the indexes the migrations made
            cursor.execute("SET session_replication_role = origin")
            t = time.perf_counter()
            run_parallel(
                _share_out([[definition] for _name, definition in indexes], jobs, _index_size),
                jobs=jobs,
                statements=True,
            )
            print(f"indexes rebuilt: {len(indexes)} ({time.perf_counter() - t:.0f} s)", flush=True)
        if not os.environ.get("BENCH_KEEP_WORK_TABLES"):  # for looking into a load
            _drop_work_tables(cursor)
            national_sql.drop_functions(cursor)
    t = time.perf_counter()
    run_parallel(
        _share_out([[f"VACUUM ANALYZE {table}"] for table in live + history], jobs, _table_size),
        jobs=jobs,
        statements=True,
    )
    print(f"vacuum analyze: {time.perf_counter() - t:.0f} s", flush=True)
    print(f"Generated {total:,} referrals in {time.perf_counter() - started:.0f} s", flush=True)


def _session(cursor, *, loading: bool = True) -> None:
    cursor.execute("SET work_mem = '256MB'")
    cursor.execute("SET maintenance_work_mem = '1GB'")
    cursor.execute("SET synchronous_commit = off")
    cursor.execute("SET jit = off")  # compiling these long expressions costs seconds each
    if loading:
        cursor.execute("SET session_replication_role = replica")  # no FK or user triggers


def run_parallel(groups: list[list], *, jobs: int, statements: bool = False) -> None:
    """Run each group of steps (callables taking a cursor, or SQL statements) in order,
    the groups at once on ``jobs`` connections of their own (in turn on this one when
    ``jobs`` is 1). The first failure is raised once all have stopped."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def run(group, *, own: bool) -> None:
        try:
            with connection.cursor() as cursor:
                if own:
                    _session(cursor, loading=not statements)
                for step in group:
                    if statements:
                        cursor.execute(step)
                    else:
                        step(cursor)
        finally:
            if own:
                connection.close()

    groups = [g for g in groups if g]
    if jobs <= 1 or len(groups) <= 1:
        for group in groups:
            run(group, own=False)
        return
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run, group, own=True) for group in groups]
        errors = [f.exception() for f in futures if f.exception()]
    if errors:
        raise errors[0]


def _share_out(items: list[list[str]], jobs: int, size) -> list[list[str]]:
    """Deal statements out to ``jobs`` groups, biggest first, each to the lightest."""
    groups: list[list[str]] = [[] for _ in range(max(jobs, 1))]
    loads = [0] * len(groups)
    for item in sorted(items, key=lambda i: -size(i[0])):
        n = loads.index(min(loads))
        groups[n].extend(item)
        loads[n] += size(item[0])
    return groups


def _table_size(statement: str) -> int:
    from django.db import connection

    table = statement.split()[-1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size(%s::regclass)", [table])
        return cursor.fetchone()[0]


def _index_size(statement: str) -> int:
    """The size of the table an index is on (CREATE INDEX ... ON public.table USING ...)."""
    return _table_size("x " + statement.split(" ON ", 1)[1].split()[0])


def _drop_work_tables(cursor) -> None:
    # Not the baselines' table (bench/baseline, a migrated app of bench_pages.py's): its
    # migration stays recorded, so a later run would find it gone.
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'bench\\_%'"
        " AND tablename NOT LIKE 'bench\\_baseline\\_%'"
    )
    tables = [row[0] for row in cursor.fetchall()]
    if tables:
        cursor.execute(f"DROP TABLE {', '.join(tables)} CASCADE")


if __name__ == "__main__":
    main()
