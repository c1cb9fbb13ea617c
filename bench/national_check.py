# ruff: noqa: S608, E501 - our own SQL over the bench database; long messages kept whole
"""Checks a database bench/national.py made, and loads its pages.

    .venv/bin/python bench/national_check.py --database postgres://.../frontdoor_bench_data
    .venv/bin/python bench/national.py --total 200000 --check      # generate, then this

1. The rules the load turned off while it ran: a referral is decided when, and only
   when, it has a decision; no foreign key of any table points at nothing.
2. A sample of every kind of row through the models' own validation (``full_clean``:
   field validators, choices, lengths and every CheckConstraint and UniqueConstraint),
   referrals' dates of birth as submit_referrals checks them, and the working-day due
   times (minutes, challenge stages) against core.clock.
3. The shape: counts, the source mix, siblings, re-referrals within 12 months, the
   open queue, the biggest agency, the hot children's chronologies (counted by
   triage.chronology itself).
4. Pages and APIs through Django's test client, signed in as a screener, a manager, an
   agency lead, a referrer, a partner and an auditor: every one must answer 200, and
   the counts they are built on must match the data. Prints each one's time (one cold
   request: for what they cost, use bench_dashboard.py or the page benchmark); then the
   clock scan and a decision, rolled back. This part is bench/national_pages.py.

Exits non-zero when anything fails. Every value is synthetic.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_scan import set_up  # noqa: E402
from bench.national_pages import hot_children, pages  # noqa: E402

SAMPLE = 200


class Failures(list):
    def check(self, ok: bool, message: str) -> None:
        print(("  ok    " if ok else "  FAIL  ") + message, flush=True)
        if not ok:
            self.append(message)


def main() -> None:
    from bench.national import DEFAULT_DATABASE

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument(
        "--sample", type=int, default=SAMPLE, help=f"rows of each kind validated ({SAMPLE})"
    )
    args = parser.parse_args()
    set_up(args.database, broker=None)
    run_checks(sample=args.sample)


def run_checks(*, sample: int = SAMPLE) -> None:
    import logging

    logging.getLogger("frontdoor.security").setLevel(logging.WARNING)  # a sign-in a page
    failures = Failures()
    started = time.perf_counter()
    print("\n1. Rules the load held itself", flush=True)
    rules(failures)
    print("\n2. Samples through the models' validation", flush=True)
    samples(failures, sample)
    print("\n3. Shape", flush=True)
    shape(failures)
    print("\n4. Pages", flush=True)
    pages(failures)
    print(f"\nChecked in {time.perf_counter() - started:.0f} s: ", end="")
    if failures:
        print(f"{len(failures)} FAILED")
        for message in failures:
            print(f"  {message}")
        raise SystemExit(1)
    print("all passed")


def rules(failures: Failures) -> None:
    from django.db import connection

    from bench.national import loaded_tables
    from referrals.references import last_issued, stored_last_numbers

    live, history = loaded_tables()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM referrals_referral AS r
             WHERE (r.status = 'decided') <> EXISTS (
                   SELECT 1 FROM triage_decision AS d WHERE d.referral_id = r.id)
            """
        )
        failures.check(cursor.fetchone()[0] == 0, "decided when, and only when, decided on")
        cursor.execute(
            """
            SELECT c.conname, c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, fa.attname
              FROM pg_constraint AS c
              JOIN pg_attribute AS a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
              JOIN pg_attribute AS fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
             WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)
            """,
            [live + history],
        )
        orphans = []
        for _name, table, column, target, target_column in cursor.fetchall():
            cursor.execute(
                f"SELECT count(*) FROM {table} AS t WHERE t.{column} IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {target} AS x WHERE x.{target_column} = t.{column})"
            )
            count = cursor.fetchone()[0]
            if count:
                orphans.append(f"{table}.{column}: {count:,}")
        failures.check(not orphans, "no foreign key points at nothing " + "; ".join(orphans))
        # Nothing has happened yet that is still to come: every time but a due time or
        # an expiry is in the past.
        cursor.execute(
            """
            SELECT table_name, column_name FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name = ANY(%s)
               AND data_type = 'timestamp with time zone'
               AND column_name NOT LIKE '%%due%%' AND column_name NOT IN ('see_child_by', 'expiry')
            """,
            [live + history],
        )
        future = []
        for table, column in cursor.fetchall():
            cursor.execute(f"SELECT count(*) FROM {table} WHERE {column} > now()")
            count = cursor.fetchone()[0]
            if count:
                future.append(f"{table}.{column}: {count:,}")
        failures.check(not future, "nothing happened after now " + "; ".join(future))
    behind = [
        f"{year}: last issued {last_issued(year):,}, loaded up to {loaded:,}"
        for year, loaded in sorted(stored_last_numbers().items())
        if last_issued(year) < loaded
    ]
    failures.check(
        not behind, "each year's references continue after the loaded ones " + "; ".join(behind)
    )


def _sample(model, n: int = SAMPLE):
    ids = list(model.objects.order_by("?").values_list("pk", flat=True)[:n])
    return list(model.objects.filter(pk__in=ids))


def samples(failures: Failures, sample: int = SAMPLE) -> None:
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from agencies.models import Agency, User
    from core.clock import add_working_days, working_days_after
    from notices.models import NoticeEvent, Notification
    from referrals.models import Child, HouseholdMember, Referral, ReferralConcern, Submission
    from referrals.validation import birth_date_errors
    from triage.models import (
        AgencyContribution,
        Attendee,
        Challenge,
        ChallengeResponse,
        Decision,
        DecisionAmendment,
        DiscussionAction,
        DiscussionDecision,
        InformationRequest,
        QualityRating,
        ScreeningNote,
        StrategyDiscussion,
    )

    models = [
        Agency, User, Submission, Child, Referral, ReferralConcern, HouseholdMember,
        ScreeningNote, QualityRating, InformationRequest, Decision, DecisionAmendment,
        StrategyDiscussion, Attendee, AgencyContribution, DiscussionDecision,
        DiscussionAction, Challenge, ChallengeResponse, NoticeEvent, Notification,
    ]  # fmt: skip
    for model in models:
        bad = []
        for row in _sample(model, sample):
            try:
                # Passwords are hashes, not what a person would type.
                row.full_clean(exclude=["password"] if model is User else None)
            except ValidationError as error:
                bad.append(f"{row.pk}: {error.message_dict}")
        failures.check(not bad, f"{model.__name__}: {sample} rows valid " + "; ".join(bad[:3]))
    bad = []
    for referral in _sample(Referral, 5 * sample):
        errors = birth_date_errors(
            date_of_birth=referral.child_date_of_birth,
            expected_date_of_birth=referral.child_expected_date_of_birth,
            today=timezone.localdate(referral.received_at),
        )
        if errors:
            bad.append(f"{referral.reference}: {errors}")
    failures.check(not bad, "children's dates of birth as submitted " + "; ".join(bad[:3]))
    from django.conf import settings

    bad = [
        d.pk
        for d in _sample(StrategyDiscussion, 5 * sample // 2)
        if d.minutes_due_at != working_days_after(d.held_at, settings.MINUTES_DUE_WORKING_DAYS)
    ]
    failures.check(not bad, f"minutes due one working day after the discussion {bad[:5]}")
    bad = [
        c.pk
        for c in _sample(Challenge, 5 * sample // 2)
        if c.stage_due_at != add_working_days(c.stage_started_at, c.stage.timescale_working_days)
    ]
    failures.check(not bad, f"challenge stages due in their working days {bad[:5]}")
    referrals = Referral.objects.filter(decision__isnull=False).order_by("?")[:300]
    late = [
        r.reference
        for r in referrals
        if (r.decision.decided_at >= r.decision_due_at) != bool(r.decision.late_reason)
    ]
    failures.check(not late, f"late decisions, and only they, say why {late[:5]}")


def shape(failures: Failures) -> None:  # noqa: PLR0915 - one figure after another
    from django.db import connection
    from django.db.models import Count

    from bench.national_shape import HOT_REFERRALS
    from referrals.models import Child, Referral

    with connection.cursor() as cursor:

        def one(sql: str):
            cursor.execute(sql)
            return cursor.fetchone()

        total, open_n = one(
            "SELECT count(*), count(*) FILTER (WHERE status <> 'decided') FROM referrals_referral"
        )
        children = one("SELECT count(*) FROM referrals_child")[0]
        print(f"  {total:,} referrals, {open_n:,} open, {children:,} children's records")
        failures.check(
            0.15 <= children / total <= 0.22,
            f"about a child per five referrals ({children / total:.3f})",
        )
        (re_referred,) = one(
            """
            SELECT avg((n > 1)::int) FROM (
              SELECT count(*) OVER (PARTITION BY child_id ORDER BY received_at
                     RANGE BETWEEN interval '365 days' PRECEDING AND CURRENT ROW) AS n
                FROM referrals_referral WHERE child_id IS NOT NULL) AS x
            """
        )
        failures.check(
            0.19 <= re_referred <= 0.25,
            f"re-referred within 12 months: {100 * re_referred:.1f}% of linked referrals (England 22%)",
        )
        (siblings,) = one(
            """
            SELECT avg((n > 1)::int) FROM (
              SELECT count(*) OVER (PARTITION BY submission_id) AS n FROM referrals_referral) AS x
            """
        )
        failures.check(
            0.3 <= siblings <= 0.45,
            f"referrals naming siblings in one submission: {100 * siblings:.1f}%",
        )
        cursor.execute(
            "SELECT source_of_referral, count(*) FROM referrals_referral GROUP BY 1 ORDER BY 2 DESC"
        )
        mix = ", ".join(f"{code} {100 * n / total:.1f}%" for code, n in cursor.fetchall())
        print(f"  census source of referral: {mix}")
        cursor.execute("SELECT outcome, count(*) FROM triage_decision GROUP BY 1 ORDER BY 2 DESC")
        decided = total - open_n
        print(
            "  outcomes: "
            + ", ".join(f"{o} {100 * n / decided:.1f}%" for o, n in cursor.fetchall())
        )
        (late,) = one(
            "SELECT avg((d.decided_at >= r.decision_due_at)::int) FROM triage_decision AS d "
            "JOIN referrals_referral AS r ON r.id = d.referral_id"
        )
        print(f"  decided late: {100 * late:.1f}%")
        cursor.execute(
            "SELECT status, count(*) FROM referrals_referral WHERE status <> 'decided' GROUP BY 1"
        )
        print("  open: " + ", ".join(f"{s} {n:,}" for s, n in cursor.fetchall()))
        (overdue,) = one(
            "SELECT count(*) FROM referrals_referral WHERE status <> 'decided' AND decision_due_at <= now()"
        )
        print(f"  open and overdue: {overdue:,}")
    biggest = (
        Referral.objects.filter(agency__isnull=False)
        .values("agency_id", "agency__name")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    print(
        f"  biggest agency: {biggest['agency__name']} with {biggest['n']:,} referrals ({100 * biggest['n'] / total:.1f}%)"
    )
    from triage.chronology import chronology

    hot = hot_children(len(HOT_REFERRALS))
    for child in hot:
        events = chronology(child)
        referrals = sum(1 for e in events if e.kind == "referral")
        print(f"  hot child {child.pk}: {referrals} referrals, {len(events)} chronology events")
    if total >= 200_000:
        counts = [len(chronology(c)) for c in hot]
        failures.check(
            len(counts) == len(HOT_REFERRALS) and min(counts) >= 250 and max(counts) <= 700,
            f"hot children's chronologies of hundreds of events: {counts}",
        )
    del Child


if __name__ == "__main__":
    main()
