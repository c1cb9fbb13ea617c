"""Pages and APIs under load, served as in production, beside two bare baselines.

    .venv/bin/python bench/bench_pages.py                    # demo scale: 200,000 referrals
    .venv/bin/python bench/bench_pages.py --scale national   # 5,000,000 (takes long)
    .venv/bin/python bench/bench_pages.py --reuse            # the data already loaded

(``make bench`` and ``make bench SCALE=national`` run it.) In one run it

1. loads the data with bench/national.py into a PostgreSQL database whose name contains
   "bench" (default frontdoor_bench_pages; --reuse keeps what is there), adds the
   benchmark's users (a manager with an authenticator, an agency lead and a referrer of
   the agency that refers most; the screener with the most open referrals) and
   refreshes the performance summary as beat would;
2. serves the app with gunicorn, two sync workers, in production mode (DJANGO_DEBUG off,
   a generated secret key, the run's pepper and authenticator-key encryption key as
   the preparation used them, collectstatic, as behind the operator's TLS proxy) with
   bench.baseline.settings: production's settings plus two baselines, a bare Django JSON
   view and a bare DRF view that inserts one row with a knox token, that production's
   URLconf does not have;
3. signs the users in over HTTP as a person does (the sign-in form, then the two-step
   code from the manager's authenticator key) and gets API tokens from the API;
4. measures every page and API with one client in a closed loop (p50/p95/p99), at a
   fixed offered rate in an open loop, and at its maximum throughput, with the CPU the
   gunicorn workers and the PostgreSQL backends spent a request;
5. counts each request's SQL statements in-process and EXPLAINs (ANALYZE, BUFFERS) the
   main queries, and writes the figures into docs/PERFORMANCE.md, in the section of the
   scale it ran (the other scale's section and the hand-written text are kept).

Needs PostgreSQL and Redis (127.0.0.1) as `make bench` says, and wrk (Debian's package;
installed here with apt-get when missing and run as root). Every value is synthetic.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import loadgen, pages_report  # noqa: E402
from bench.pages_measure import (  # noqa: E402
    Scenario,
    Signer,
    Target,
    analyse,
    check,
    measure,
)
from bench.pages_serve import (  # noqa: E402
    BENCH_API_RATE,
    BENCH_PAGE_RATE,
    WORKERS,
    Server,
    crosscheck_conf,
    prepare_static,
    production_env,
    run_secrets,
)
from bench.pages_subjects import (  # noqa: E402
    Subjects,
    commit,
    data_facts,
    machine_facts,
    machine_load,
    prepare,
)

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/frontdoor_bench_pages"
DEFAULT_BROKER = "redis://127.0.0.1:6379/9"
DEFAULT_PORT = 8790
REPORT = ROOT / "docs" / "PERFORMANCE.md"


@dataclass(frozen=True)
class Scale:
    name: str
    total: int  # referrals bench/national.py loads
    warm_s: float
    closed_s: float
    open_s: float
    max_s: float
    max_connections: int = 4


SCALES = {
    "demo": Scale("demo", total=200_000, warm_s=2, closed_s=6, open_s=6, max_s=6),
    "national": Scale("national", total=5_000_000, warm_s=5, closed_s=30, open_s=30, max_s=30),
}

QUEUE_TARGET = Target(
    "p95 < 50 ms (1 client), < 100 ms at 20/s; >= 0.05 of bare JSON",
    closed_p95=50,
    open_p95=100,
    min_ratio=0.05,
)
LIST_TARGET = Target("p95 < 100 ms", closed_p95=100)
SUBMIT_TARGET = Target("throughput >= 0.8 of bare DRF", min_ratio=0.8, ratio_to="drf")


def main() -> None:
    args = arguments()
    if args.serve:
        serve(args)
        return
    scale = SCALES[args.scale]
    total = args.total or scale.total
    started = time.monotonic()
    phases: dict[str, float] = {}
    ensure_wrk()
    made = run_secrets()
    os.environ.update(made)
    if not args.reuse:
        t = time.monotonic()
        generate(args.database, total)
        phases["load the data (bench/national.py)"] = time.monotonic() - t
    others_before = machine_load()
    t = time.monotonic()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.baseline.settings"
    from bench.bench_scan import set_up

    set_up(args.database, broker=args.broker)
    flush_broker(args.broker)
    # What an earlier run's POSTs added, if it was stopped before removing them.
    cleanup = {"before": remove_posted("before the run")}
    password = secrets.token_urlsafe(24)
    subjects = prepare(password)
    facts = data_facts()
    phases["prepare users, summary and facts"] = time.monotonic() - t
    workdir = ROOT / "var" / "bench-pages"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    env = production_env(args, workdir, made)
    credentials: dict[str, str] = {}
    sign_ins: dict[str, list[str]] = {}
    scenarios = build_scenarios(subjects)
    if args.only:
        scenarios = [s for s in scenarios if s.key in args.only or "baseline" in s.key]
    try:
        # Before the load, so that what the submissions add cannot change what is counted.
        t = time.monotonic()
        analyse(scenarios, subjects)
        phases["count statements and EXPLAIN (in-process)"] = time.monotonic() - t
        t = time.monotonic()
        prepare_static(env, workdir)
        with Server(env, args.port, workdir) as server:
            phases["collectstatic and start gunicorn"] = time.monotonic() - t
            t = time.monotonic()
            signer = Signer(server, subjects, password, credentials, sign_ins)
            signer.sign_in_all()
            for scenario in scenarios:
                if scenario.fresh_summary:
                    refresh_current_weeks()
                check(scenario, server, signer)
                print(f"measuring {scenario.label}", flush=True)
                measure(scenario, server, signer, scale, workdir)
                print("  " + pages_report.one_line(scenario), flush=True)
            phases["measure under load"] = time.monotonic() - t
            access_log_lines = sum(1 for _ in (workdir / "access.log").open())
        t = time.monotonic()
        cleanup["after"] = remove_posted("after the run")
        phases["remove the run's POSTs and VACUUM (ANALYZE)"] = time.monotonic() - t
    finally:
        flush_broker(args.broker)
    phases["whole run"] = time.monotonic() - started
    run = {
        "scale": scale,
        "total": total,
        "reused": args.reuse,
        "facts": facts,
        "machine": machine_facts() | {"cores busy before the run (other work)": others_before},
        "subjects": subjects.describe(),
        "sign_ins": sign_ins,
        "scenarios": scenarios,
        "phases": phases,
        "access_log_lines": access_log_lines,
        "cleanup": cleanup,
        "finished": datetime.now(UTC),
        "commit": commit(),
        "api_rate": BENCH_API_RATE,
        "page_rate": BENCH_PAGE_RATE,
    }
    section = pages_report.render(run)
    report = Path(args.report)
    report.write_text(
        pages_report.replace_section(
            report.read_text() if report.exists() else "", scale.name, section
        )
    )
    (workdir / f"results-{scale.name}.json").write_text(
        json.dumps(pages_report.as_json(run), indent=1, default=str)
    )
    print(f"\nWrote the {scale.name} section of {report} ({phases['whole run']:.0f} s in all)")


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
    parser.add_argument("--total", type=int, help="referrals to load (the scale's own)")
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--broker", default=DEFAULT_BROKER, help="a Redis db, flushed")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--reuse", action="store_true", help="keep the data in the database")
    parser.add_argument("--report", default=str(REPORT))
    parser.add_argument("--only", nargs="*", help="scenario keys (and the baselines)")
    parser.add_argument(
        "--serve",
        action="store_true",
        help="prepare the users and serve the app as a run does, until interrupted, for an "
        "independent measurement (bench/crosscheck); measures nothing (see --reuse)",
    )
    return parser.parse_args()


# --- Setting up -------------------------------------------------------------------------


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (Debian's package)", flush=True)
        subprocess.run(  # noqa: S603
            ["apt-get", "install", "-y", "-qq", "wrk"],  # noqa: S607
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
        if shutil.which("wrk"):
            return
    sys.exit("bench_pages needs wrk: apt-get install wrk")


def generate(database: str, total: int) -> None:
    print(f"loading {total:,} referrals with bench/national.py", flush=True)
    subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "bench" / "national.py"), "--total", str(total),
         "--database", database],
        check=True,
        cwd=ROOT,
    )  # fmt: skip


def refresh_current_weeks() -> None:
    """What beat's reporting.refresh_current_weeks does every few minutes."""
    from reporting.tasks import refresh_current_weeks as task

    print(f"  summary: {task()} current weeks recounted, as beat does", flush=True)


def remove_posted(when: str) -> str:
    """Take out what the benchmark's POSTs added (bench/pages_cleanup.py), so that a run
    with --reuse measures the data as loaded: what was removed, in words. A failure is
    said, not raised: the run's figures are kept and written (its transaction rolled
    back, the data is as the POSTs left it, as before there was a cleanup)."""
    from bench import pages_cleanup

    print(f"removing the benchmark's POSTs {when}", flush=True)
    try:
        said = pages_cleanup.describe(pages_cleanup.remove_posted())
    except Exception as error:  # noqa: BLE001 - said in the report; the run goes on
        said = f"NOT removed, the cleanup failed ({type(error).__name__}: {error})"
    print(f"  {said}", flush=True)
    return said


def flush_broker(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


# --- Scenarios --------------------------------------------------------------------------


def build_scenarios(subjects: Subjects) -> list[Scenario]:
    from triage.screening_views import QUEUE_PAGE_SIZE  # the view's own, so it stays true

    pages = max(1, math.ceil(subjects.queue_count / QUEUE_PAGE_SIZE))
    agency = subjects.busiest_agency.pk
    screener = subjects.users["screener"].pk
    queue = 'data-testid="queue"'
    baselines = [
        Scenario("baseline-json", "bare Django JSON view", "GET", ["/bench-baseline/json/"], None,
                 marker='"ok"'),
        Scenario("baseline-drf", "bare DRF view, knox token, inserts one row", "POST",
                 ["/bench-baseline/insert/"], "referrer-token",
                 bodies=['{"note": "' + loadgen.PLACEHOLDER + '"}'], expect=201),
    ]  # fmt: skip
    filters = {
        "status": "status=screening",
        "agency": f"agency={agency}",
        "unallocated": "unallocated=on",
        "overdue": "overdue=on",
        "due soon": "due_soon=on",
        "unallocated past the flag time": "unallocated_flagged=on",
        "allocated to me": "mine=on",
        "allocated to": f"assigned_to={screener}",
    }
    scenarios = [
        *baselines,
        Scenario("queue", "queue /triage/ (screener)", "GET", ["/triage/"], "screener",
                 marker=queue, target=QUEUE_TARGET, explain=True),
        Scenario("queue-deep", f"queue, last page (page {pages})", "GET",
                 [f"/triage/?page={pages}"], "screener", marker=queue, target=QUEUE_TARGET,
                 explain=True),
        Scenario("queue-concern", f"queue ?concern={subjects.concern}", "GET",
                 [f"/triage/?concern={subjects.concern}"], "screener", marker=queue,
                 target=QUEUE_TARGET, explain=True),
        *(
            Scenario(f"queue-filter-{name}", f"queue ?{query} ({name})", "GET",
                     [f"/triage/?{query}"], "screener", marker=queue, modes=("closed",),
                     target=QUEUE_TARGET)
            for name, query in filters.items()
        ),
        Scenario("api-screener", "GET /api/v1/referrals/ (screener, token)", "GET",
                 ["/api/v1/referrals/"], "screener-token", marker='"results"',
                 target=LIST_TARGET, explain=True),
        Scenario("api-screener-deep",
                 "GET /api/v1/referrals/?cursor=<halfway back> (screener)", "GET",
                 [f"/api/v1/referrals/?cursor={subjects.history_cursor}"], "screener-token",
                 marker='"results"',
                 modes=("closed",), target=LIST_TARGET),
        Scenario("mine-lead", "My referrals /referrals/mine/ (agency lead)", "GET",
                 ["/referrals/mine/"], "lead", marker='data-testid="my-referrals"', rate=10,
                 target=LIST_TARGET, explain=True),
        Scenario("api-lead", "GET /api/v1/referrals/ (agency lead, token)", "GET",
                 ["/api/v1/referrals/"], "lead-token", marker='"results"', rate=10,
                 target=LIST_TARGET, explain=True),
        Scenario("chronology", f"chronology /children/<id>/ ({subjects.child_events} events)",
                 "GET", [f"/children/{subjects.child_id}/"], "screener",
                 marker='data-testid="chronology"', rate=5,
                 target=Target("p95 < 150 ms (500 events)", closed_p95=150), explain=True),
        Scenario("matching", "POST /api/v1/children/matches/ (screener, token)", "POST",
                 ["/api/v1/children/matches/"], "screener-token", bodies=subjects.match_bodies,
                 target=Target("p95 < 30 ms (1 million children)", closed_p95=30), explain=True),
        Scenario("dashboard", "dashboard live view /dashboard/ (manager)", "GET",
                 ["/dashboard/"], "manager", marker='data-testid="live-figures"', rate=2,
                 target=Target("p95 < 500 ms", closed_p95=500)),
        Scenario("performance", "12-week performance /dashboard/performance/ (manager)", "GET",
                 ["/dashboard/performance/"], "manager", marker='data-testid="period"', rate=2,
                 target=Target("p95 < 500 ms", closed_p95=500), fresh_summary=True),
        Scenario("submit", "POST /api/v1/referrals/ (referrer, token)", "POST",
                 ["/api/v1/referrals/"], "referrer-token", bodies=[subjects.referral_body],
                 expect=201, rate=10, target=SUBMIT_TARGET),
        Scenario("baseline-json-end", "bare Django JSON view, again at the end", "GET",
                 ["/bench-baseline/json/"], None, marker='"ok"', modes=("closed", "max")),
        Scenario("baseline-drf-end", "bare DRF view, again at the end", "POST",
                 ["/bench-baseline/insert/"], "referrer-token",
                 bodies=['{"note": "' + loadgen.PLACEHOLDER + '"}'], expect=201,
                 modes=("closed", "max")),
    ]  # fmt: skip
    return scenarios


# --- Serving for an independent measurement ----------------------------------------------
SERVE_REFRESH_S = 300  # beat's reporting.refresh_current_weeks runs every few minutes


def serve(args) -> None:
    """Prepare as a run does (the users, their password and the manager's authenticator
    key made afresh, the summary), serve the app with gunicorn the same way, and write
    what bench/crosscheck needs to measure the same pages with tools of its own
    (var/bench-serve/crosscheck.conf); then serve until interrupted, recounting the
    current weeks every few minutes as beat does. Nothing is measured here."""
    if not args.reuse:
        sys.exit("--serve serves the data already loaded: add --reuse")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # gunicorn stopped too (Server)
    made = run_secrets()
    os.environ.update(made)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.baseline.settings"
    from bench.bench_scan import set_up

    set_up(args.database, broker=args.broker)
    flush_broker(args.broker)
    remove_posted("before serving")
    password = secrets.token_urlsafe(24)
    subjects = prepare(password)
    workdir = ROOT / "var" / "bench-serve"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    env = production_env(args, workdir, made)
    prepare_static(env, workdir)
    try:
        with Server(env, args.port, workdir) as server:
            refresh_current_weeks()
            conf = workdir / "crosscheck.conf"
            conf.touch(mode=0o600)
            scenarios = build_scenarios(subjects)
            conf.write_text(crosscheck_conf(scenarios, subjects, password, server.url))
            print(f"serving {server.url} (gunicorn, {WORKERS} workers, production mode)")
            print(f"  bench/crosscheck {conf}")
            print("  Ctrl-C (or SIGTERM) stops it", flush=True)
            while server.process.poll() is None:
                time.sleep(SERVE_REFRESH_S)
                refresh_current_weeks()
    except KeyboardInterrupt:
        pass
    finally:
        flush_broker(args.broker)
        remove_posted("after serving")  # crosscheck's POSTs


if __name__ == "__main__":
    main()
