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
   request: for what they cost, use bench_dashboard.py or the page benchmark).

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
    args = parser.parse_args()
    set_up(args.database, broker=None)
    run_checks()


def run_checks() -> None:
    import logging

    logging.getLogger("frontdoor.security").setLevel(logging.WARNING)  # a sign-in a page
    failures = Failures()
    started = time.perf_counter()
    print("\n1. Rules the load held itself", flush=True)
    rules(failures)
    print("\n2. Samples through the models' validation", flush=True)
    samples(failures)
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


def samples(failures: Failures) -> None:
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
        for row in _sample(model):
            try:
                # Passwords are hashes, not what a person would type.
                row.full_clean(exclude=["password"] if model is User else None)
            except ValidationError as error:
                bad.append(f"{row.pk}: {error.message_dict}")
        failures.check(not bad, f"{model.__name__}: {SAMPLE} rows valid " + "; ".join(bad[:3]))
    bad = []
    for referral in _sample(Referral, 1000):
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
        for d in _sample(StrategyDiscussion, 500)
        if d.minutes_due_at != working_days_after(d.held_at, settings.MINUTES_DUE_WORKING_DAYS)
    ]
    failures.check(not bad, f"minutes due one working day after the discussion {bad[:5]}")
    bad = [
        c.pk
        for c in _sample(Challenge, 500)
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


def hot_children(n: int):
    """The children with the most referrals among those with one open: the hot ones
    (their latest is always open), when the total is large enough for them to lead."""
    from django.db.models import Count, Exists, OuterRef

    from referrals.models import Child, Referral

    open_referral = Referral.objects.filter(child=OuterRef("pk")).exclude(status="decided")
    return list(
        Child.objects.filter(Exists(open_referral))
        .annotate(n=Count("referrals"))
        .order_by("-n", "pk")[:n]
    )


def pages(failures: Failures) -> None:  # noqa: PLR0915 - one page after another
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from agencies.models import User
    from referrals.models import Referral
    from referrals.views import MY_REFERRALS_PAGE_SIZE
    from triage.child_views import PIECE_SIZE
    from triage.chronology import timeline
    from triage.selectors import queue_for

    setup_test_environment()  # so that responses carry the context the pages rendered
    screener = User.objects.get(username="bench-screener-00")
    manager = User.objects.get(username="bench-manager-00")
    auditor = User.objects.get(username="bench-auditor")
    busiest = (
        Referral.objects.filter(agency__isnull=False)
        .values("agency_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    lead = User.objects.get(role="agency_lead", agency_id=busiest["agency_id"])
    referrer = (
        User.objects.filter(role="referrer", agency_id=busiest["agency_id"])
        .annotate(n=Count("referrals"))
        .order_by("-n")
        .first()
    )
    partner = User.objects.filter(
        role="partner", agency__information_requests__isnull=False
    ).first()
    open_referral = Referral.objects.exclude(status="decided").order_by("-received_at").first()
    recent = Referral.objects.filter(status="decided").order_by("-received_at").first()
    hot = hot_children(5)
    open_count = Referral.objects.exclude(status="decided").count()
    failures.check(
        queue_for(screener).count() == open_count,
        f"the queue holds every open referral ({open_count:,})",
    )

    def visit(user, url: str, *, method: str = "get", data=None, expect: int = 200, note: str = ""):
        client = Client()
        client.force_login(user)
        started = time.perf_counter()
        if method == "post":
            response = client.post(url, data=data, content_type="application/json")
        else:
            response = client.get(url)
        ms = (time.perf_counter() - started) * 1000
        failures.check(
            response.status_code == expect,
            f"{user.role:11} {method.upper()} {url} -> {response.status_code} ({ms:.0f} ms){note}",
        )
        return response

    def paginated(response) -> int | None:
        """The count a page numbered by Django's paginator shows (the queue)."""
        context = getattr(response, "context", None)
        page = context.get("page") if context else None
        return page.paginator.count if page is not None else None

    def keyset(user, url: str, *, total: int, note: str = "") -> None:
        """My referrals, paged by position and never counted: the first page is full
        (or holds them all) and links to older ones exactly when there are more; the
        second, through that link, goes on with other referrals."""
        response = visit(user, url, note=note)
        context = getattr(response, "context", None) or {}
        page = context.get("page")
        rows = [row["id"] for row in page.rows] if page is not None else []
        failures.check(
            page is not None
            and len(rows) == min(total, MY_REFERRALS_PAGE_SIZE)
            and bool(page.older) == (total > MY_REFERRALS_PAGE_SIZE),
            f"{url} shows {len(rows)} of {total:,} referrals, an older page: "
            f"{bool(page and page.older)}",
        )
        if page is not None and page.older:
            response = visit(user, f"{url}?cursor={page.older}", note=" (the next page)")
            context = getattr(response, "context", None) or {}
            onward = [row["id"] for row in context["page"].rows] if context.get("page") else []
            failures.check(
                bool(onward) and not set(onward) & set(rows),
                f"{url}'s next page shows {len(onward)} other referrals",
            )

    deep = max(1, -(-open_count // 50))
    response = visit(screener, "/triage/")
    failures.check(
        paginated(response) == open_count, f"the queue page counts {paginated(response)} open"
    )
    visit(screener, "/triage/?concern=neglect")
    visit(screener, "/triage/?overdue=on&unallocated=on")
    visit(screener, f"/triage/?page={deep}", note=f" (the last page of {deep})")
    visit(screener, f"/triage/referrals/{open_referral.pk}/")
    for child in hot:
        # The page shows the newest events and earlier ones a piece at a time; "all" shows
        # every one. Both count the whole timeline, which holds every referral.
        entries = timeline(child.pk)
        referrals = sum(1 for e in entries if e.kind == "referral")
        failures.check(
            referrals == child.n,
            f"child {child.pk}'s timeline holds all {child.n} referrals ({referrals})",
        )
        for query, whole in (("", len(entries) <= PIECE_SIZE), ("?all=on", True)):
            response = visit(
                screener, f"/children/{child.pk}/{query}", note=f" ({child.n} referrals)"
            )
            context = getattr(response, "context", None) or {}
            shown = (context.get("first"), context.get("last"), context.get("total"))
            failures.check(
                context.get("total") == len(entries)
                and context.get("first") == 1
                and (context.get("last") == len(entries)) == whole,
                f"child {child.pk}'s chronology{query or ''} shows events {shown[0]}-{shown[1]} "
                f"of {shown[2]} ({len(entries)} in the timeline; not the break-the-glass page)",
            )
    response = visit(screener, "/api/v1/referrals/")
    if response.status_code == 200:
        body = response.json()
        results = body.get("results") if isinstance(body, dict) else None
        print(
            f"        the referral list API's first page: {len(results or [])} referrals "
            f"(never counted; closed records left out), next: {bool(body.get('next'))}"
        )
    child = hot[0]
    response = visit(
        screener,
        "/api/v1/children/matches/",
        method="post",
        data={
            "first_name": child.first_name,
            "last_name": child.last_name,
            "date_of_birth": child.date_of_birth.isoformat(),
        },
    )
    if response.status_code == 200:
        found = [m["id"] for m in response.json()]
        failures.check(
            bool(found) and found[0] == child.pk,
            f"matching finds child {child.pk} first: {found[:5]}",
        )
    visit(manager, "/triage/")
    visit(manager, "/dashboard/")
    visit(manager, "/api/v1/dashboard/")
    visit(manager, "/dashboard/performance/")
    visit(manager, "/inbox/")
    visit(manager, "/api/v1/notifications/")
    visit(manager, "/strategy/")
    visit(manager, "/challenges/")
    visit(manager, f"/triage/referrals/{recent.pk}/")
    keyset(
        lead, "/referrals/mine/", total=busiest["n"], note=f" ({busiest['n']:,} agency referrals)"
    )
    visit(lead, "/api/v1/referrals/")
    keyset(referrer, "/referrals/mine/", total=referrer.n, note=f" ({referrer.n:,} of their own)")
    visit(
        referrer,
        f"/referrals/{Referral.objects.filter(referrer=referrer).latest('received_at').pk}/",
    )
    if partner:
        visit(partner, "/requests/")
    visit(auditor, "/audit/access-log/")
    visit(auditor, f"/history/referrals/{recent.pk}/")
    visit(auditor, f"/audit/children/{hot[0].pk}/export/")
    from referrals.models import Child

    with_nhs = Child.objects.exclude(nhs_number="").order_by("pk").first()
    writes(failures, visit, referrer=referrer, manager=manager, child=with_nhs)
    scan(failures)
    print(f"        as of {timezone.now():%Y-%m-%d %H:%M} UTC")


def scan(failures: Failures) -> None:
    """The clock scan, as of the newest notice the load raised (rolled back): everything
    that fell due before then has been told, so it finds (almost) nothing to raise."""
    from django.db import transaction
    from django.db.models import Max

    from notices.models import NoticeEvent
    from triage.services.notices import scan_clocks

    class RolledBack(Exception):
        pass

    as_of = NoticeEvent.objects.aggregate(at=Max("created_at"))["at"]
    try:
        with transaction.atomic():
            started = time.perf_counter()
            counts = scan_clocks(now=as_of)
            ms = (time.perf_counter() - started) * 1000
            raise RolledBack
    except RolledBack:
        pass
    # A scan each minute: what fell due in the last minute before as_of may not be told.
    failures.check(
        sum(counts.values()) <= 10,
        f"the clock scan finds nothing left to tell: {counts} ({ms:.0f} ms)",
    )


def writes(failures: Failures, visit, *, referrer, manager, child) -> None:
    """A referral made through the API and an open one decided, as the app does them,
    then rolled back: the sequences, the reference numbers, the NHS number link and the
    triggers all take the generated rows as they are."""
    from django.db import transaction
    from django.utils import timezone

    from referrals.models import Referral
    from referrals.references import format_reference, stored_last_numbers
    from triage.services.decisions import decide

    class RolledBack(Exception):
        pass

    loaded_before = stored_last_numbers()
    try:
        with transaction.atomic():
            response = visit(
                referrer,
                "/api/v1/referrals/",
                method="post",
                expect=201,
                data={
                    "child_first_name": child.first_name,
                    "child_last_name": child.last_name,
                    "child_date_of_birth": child.date_of_birth.isoformat(),
                    "child_nhs_number": child.nhs_number,
                    "concerns": ["neglect"],
                    "worry": "Came to school hungry four days this week with a bruise on the arm.",
                    "lived_experience": "Gets ready alone; no breakfast; often late to school.",
                    "child_voice": "Said 'there is no food in the house'.",
                    "parental_consent": "consented",
                },
            )
            if response.status_code == 201:
                made = Referral.objects.get(pk=response.json()["id"])
                failures.check(
                    made.child_id == child.pk,
                    f"a new referral {made.reference} (id {made.pk}), linked by NHS number "
                    f"to child {made.child_id} as submitted",
                )
                year = timezone.localtime(made.received_at).year
                loaded = loaded_before.get(year, 0)
                failures.check(
                    made.reference == format_reference(year, loaded + 1),
                    f"its reference {made.reference} follows the last loaded for {year} "
                    f"({loaded:,})",
                )
            waiting = Referral.objects.filter(status="awaiting_decision").order_by("pk").first()
            decision = decide(
                referral_id=waiting.pk,
                by=manager,
                outcome="early_help",
                threshold_level=2,
                rationale="The family want help and there is no sign of significant harm; "
                "early help will bring the professionals together.",
                feedback="Early help will contact the family this week.",
                late_reason="Waiting for the health visitor's answer.",
                proceed_reason="The family need an answer today, whatever is outstanding.",
            )
            waiting.refresh_from_db()
            failures.check(
                waiting.status == "decided" and decision.pk > 0,
                f"{waiting.reference} decided through the service (decision {decision.pk})",
            )
            raise RolledBack
    except RolledBack:
        pass


if __name__ == "__main__":
    main()
