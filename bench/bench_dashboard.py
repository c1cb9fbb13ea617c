"""Dashboard benchmark: the live view, its API and the 12-week performance page at
national scale, whole responses through Django's test client signed in as a manager.

    .venv/bin/python bench/national.py --total 5000000     # once: the data (see README)
    .venv/bin/python bench/bench_dashboard.py               # summary refreshed, then timed
    .venv/bin/python bench/bench_dashboard.py --live-only   # the performance page, no summary

Uses the database bench/national.py made (default
postgres://postgres@127.0.0.1:5432/frontdoor_bench_dashboard; it refuses a name without
"bench"). Times --warm-up requests and then --runs requests of each page and prints
p50/p95/p99 in milliseconds; the target is under 500 ms at the 95th percentile.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_scan import set_up  # noqa: E402
from bench.national import DEFAULT_DATABASE  # noqa: E402

PAGES = {
    "live dashboard /dashboard/": "/dashboard/",
    "live API /api/v1/dashboard/": "/api/v1/dashboard/",
    "performance /dashboard/performance/ (12 weeks)": "/dashboard/performance/",
}


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument("--runs", type=int, default=50, help="timed requests a page (50)")
    parser.add_argument("--warm-up", type=int, default=5, help="untimed requests first (5)")
    parser.add_argument(
        "--live-only",
        action="store_true",
        help="empty the summary first: the performance page counted live (the 'before')",
    )
    parser.add_argument("--explain", action="store_true", help="print the live queries' plans")
    args = parser.parse_args()
    set_up(args.database, broker=None)

    from django.conf import settings
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from agencies.models import Agency, User
    from referrals.models import Referral
    from reporting import summary
    from reporting.models import SummaryWeek, WeeklyFigures, WeeklyTotals

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    print(f"{Referral.objects.count():,} referrals; {os.cpu_count()} CPUs")
    if args.live_only:
        WeeklyFigures.objects.all().delete()
        WeeklyTotals.objects.all().delete()
        SummaryWeek.objects.all().delete()
        print("summary emptied: the performance page counts every week live")
    else:
        now = timezone.now()
        started = time.perf_counter()
        weeks = summary.refresh(weeks=summary.recent_weeks(now=now), now=now)
        print(
            f"summary refresh of the last {weeks - 1} complete weeks and this one (what beat "
            f"does every few minutes): {time.perf_counter() - started:.1f} s; "
            f"{WeeklyFigures.objects.count():,} agency rows, "
            f"{WeeklyTotals.objects.count():,} total rows"
        )
    # The page filtered, as managers use it: by an agency type, and by the agency that
    # refers most (the most rows behind its figures).
    busiest = (
        Referral.objects.filter(agency__isnull=False)
        .values("agency_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()["agency_id"]
    )
    agency_type = Agency.objects.get(pk=busiest).type
    pages = {
        **PAGES,
        f"performance ?agency_type={agency_type}": (
            f"/dashboard/performance/?agency_type={agency_type}"
        ),
        "performance ?agency=<the busiest>": f"/dashboard/performance/?agency={busiest}",
    }
    manager = User.objects.get(username="bench-manager-00")
    client = Client()
    client.force_login(manager)
    print(f"\n{'page':50} {'p50':>8} {'p95':>8} {'p99':>8}  (ms, {args.runs} warm runs)")
    for name, url in pages.items():
        for _ in range(args.warm_up):
            assert client.get(url).status_code == 200, url
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, url
        p50, p95, p99 = (quantile(timings, q) for q in (0.5, 0.95, 0.99))
        verdict = "meets" if p95 < 500 else "MISSES"
        print(f"{name:50} {p50:8.0f} {p95:8.0f} {p99:8.0f}  {verdict} the 500 ms p95 target")
    if args.explain:
        explain()


def explain() -> None:
    """EXPLAIN ANALYZE of the live dashboard's queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from reporting.live import live_figures

    with CaptureQueriesContext(connection) as captured:
        live_figures(now=timezone.now())
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plan = "\n  ".join(row[0] for row in cursor.fetchall())
            print(f"\n{query['sql'][:160]}...\n  {plan}")


if __name__ == "__main__":
    main()
