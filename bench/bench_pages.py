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
import platform
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import loadgen, pages_report, procstat  # noqa: E402
from bench.pages_http import (  # noqa: E402
    BROWSER_HEADERS,
    PROXY_HEADERS,
    Client,
    api_token,
    sign_in,
    wait_until_up,
)

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/frontdoor_bench_pages"
DEFAULT_BROKER = "redis://127.0.0.1:6379/9"
DEFAULT_PORT = 8790
REPORT = ROOT / "docs" / "PERFORMANCE.md"
WORKERS = 2
QUEUE_PAGE_SIZE = 50  # triage.screening_views.QUEUE_PAGE_SIZE (read from it at run time)
MATCH_BODIES = 20
# What the API throttle allows a user in the benchmark (FRONTDOOR_API_RATE, an operator's
# setting): production's 120 a minute would answer 429 to a load test. A per-second window
# keeps the throttle's own work (a list of recent request times a user) as small as
# production's.
BENCH_API_RATE = "100000/second"
# The same for the web pages a person reads (FRONTDOOR_PAGE_RATE, 240 a minute by
# default): the throttle still counts every page, as in production.
BENCH_PAGE_RATE = "100000/second"
REFERRING_TYPES = ("school", "gp", "police", "health_visiting", "hospital")


def run_secrets() -> dict[str, str]:
    """The secrets production keeps out of the database, made afresh for each run. The
    preparation in this process (the users' passwords, bench/national.py's too, and the
    manager's authenticator key) and the server in production mode must use the same
    ones, or nobody could sign in."""
    return {
        "FRONTDOOR_PASSWORD_PEPPER": secrets.token_urlsafe(32),
        "FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS": secrets.token_urlsafe(32),
    }


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


@dataclass(frozen=True)
class Target:
    """The issue's target at national scale (issue 14, part 3)."""

    text: str
    closed_p95: float | None = None  # ms, one client
    open_p95: float | None = None  # ms, at the offered rate
    min_ratio: float | None = None  # of the baseline's throughput
    ratio_to: str = "json"  # "json" or "drf"


@dataclass
class Scenario:
    key: str
    label: str
    method: str
    paths: list[str]
    auth: str | None  # a key of the credentials: a signed-in session or a token
    bodies: list[str] | None = None
    expect: int = 200
    marker: str | None = None  # text the answer must hold
    modes: tuple[str, ...] = ("closed", "open", "max")
    rate: float = 20.0  # offered rate of the open loop, a second
    target: Target | None = None
    explain: bool = False  # EXPLAIN its main queries in the report
    # Reads the performance summary: recount the current weeks first, as beat does every
    # few minutes in production (the run has no beat, and a current week counted more
    # than 15 minutes before is counted live from the records instead).
    fresh_summary: bool = False
    results: dict = field(default_factory=dict)
    size_bytes: int | None = None
    statements: int | None = None
    sql_ms: float | None = None
    inprocess_ms: float | None = None
    first_ms: float = 0.0  # the check's one request
    skipped: dict = field(default_factory=dict)  # mode -> why it was not run
    plans: list = field(default_factory=list)


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


def flush_broker(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


@dataclass
class Subjects:
    users: dict  # role key -> User
    device_key: bytes  # the manager's authenticator key
    busiest_agency: object
    concern: str
    queue_count: int
    child_id: int
    child_referrals: int
    child_events: int
    match_bodies: list[str]
    referral_body: str
    history_cursor: str  # the API list's cursor halfway back through the referrals
    used_steps: set = field(default_factory=set)

    def describe(self) -> dict:
        return {
            "busiest agency referrals": self.busiest_agency.n,
            "open referrals on the screener's queue": self.queue_count,
            "chronology: the child's referrals": self.child_referrals,
            "chronology: events on the page": self.child_events,
            "concern filtered on": self.concern,
        }


def prepare(password: str) -> Subjects:  # noqa: PLR0915 - one walk through the data
    from django.db.models import Count
    from django.utils import timezone

    from agencies.census import AgencyType
    from agencies.models import Agency, Authenticator, Role, User
    from bench.baseline.models import BaselineRow
    from referrals.models import Child, Referral, ReferralConcern, Status
    from reporting import summary
    from triage import selectors
    from triage.chronology import chronology

    global QUEUE_PAGE_SIZE  # noqa: PLW0603 - read from the view, so it stays true
    from triage.screening_views import QUEUE_PAGE_SIZE as page_size

    QUEUE_PAGE_SIZE = page_size
    BaselineRow.objects.all().delete()
    busiest = (
        Referral.objects.filter(agency__isnull=False)
        .values("agency_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if busiest is None:
        sys.exit("no referral from an agency in the database: load the data first")
    agency = Agency.objects.get(pk=busiest["agency_id"])
    agency.n = busiest["n"]
    # The benchmark's referrals come from another agency's referrer, so that what they
    # add never changes the lead's pages (nor, with --reuse, a later run's).
    other = (
        Agency.objects.filter(is_active=True, type__in=REFERRING_TYPES)
        .exclude(pk=agency.pk)
        .order_by("pk")
        .first()
    )
    social_care = Agency.objects.filter(type=AgencyType.CHILDRENS_SOCIAL_CARE).first()

    def user(username, role, agency=None):
        person, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "role": role,
                "agency": agency,
                "email": f"{username}@example.invalid",
                "is_active": True,
                "first_name": "Bench",
                "last_name": username.rsplit("-", 1)[-1].title(),
            },
        )
        person.set_password(password)
        person.save()
        return person

    # The screener with the most open referrals allocated, so that "Allocated to me" has
    # rows; one of the benchmark's own when none is.
    busiest_screener = (
        Referral.objects.exclude(status=Status.DECIDED)
        .filter(assigned_to__role=Role.SCREENER, assigned_to__is_active=True)
        .values("assigned_to")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if busiest_screener:
        screener = User.objects.get(pk=busiest_screener["assigned_to"])
        screener.set_password(password)
        screener.save()
    else:
        screener = user("bench-pages-screener", Role.SCREENER, social_care)
    users = {
        "screener": screener,
        "manager": user("bench-pages-manager", Role.MANAGER, social_care),
        "lead": user("bench-pages-lead", Role.AGENCY_LEAD, agency),
        "referrer": user("bench-pages-referrer", Role.REFERRER, other or agency),
    }
    device_key = secrets.token_bytes(20)
    Authenticator.objects.filter(user=users["manager"]).delete()
    # Encrypted under this run's FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS (run_secrets), which the
    # server is given too.
    Authenticator.objects.create(
        user=users["manager"], name="bench", key=device_key.hex(), confirmed=True
    )

    # The performance page reads the summary that beat keeps (reporting.tasks).
    now = timezone.now()
    summary.refresh(weeks=summary.recent_weeks(now=now), now=now)

    concern = (
        ReferralConcern.objects.exclude(referral__status=Status.DECIDED)
        .values("category")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    queue_count = selectors.queue_for(screener).count()
    top_child = (
        Referral.objects.filter(child__isnull=False)
        .values("child_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "child_id")
        .first()
    )
    child = Child.objects.get(pk=top_child["child_id"])
    events = len(chronology(child))
    # A deep page of the API's list (keyset pages: there is no last page number): the
    # page after the referral halfway back by received_at, where a screener's rows are
    # sparse (most of the history is closed, left out of their list).
    from referrals import pagination

    by_time = Referral.objects.order_by("received_at", "id")
    middle = by_time[by_time.count() // 2 :].values_list("received_at", "pk").first()
    history_cursor = pagination.encode(list(middle))
    return Subjects(
        users=users,
        device_key=device_key,
        busiest_agency=agency,
        concern=concern["category"] if concern else "neglect",
        queue_count=queue_count,
        child_id=child.pk,
        child_referrals=top_child["n"],
        child_events=events,
        match_bodies=match_bodies(),
        referral_body=json.dumps(REFERRAL_BODY),
        history_cursor=history_cursor,
    )


def match_bodies(count: int = MATCH_BODIES) -> list[str]:
    """The matching scenario's bodies: ``count`` children spread over the ids, each
    described by first name, last name with its second and third letters swapped (a
    typo), and date of birth (bench/bench_match_api.py posts the same)."""
    from referrals.models import Child

    step = max(1, Child.objects.count() // count)
    ids = list(Child.objects.order_by("pk").values_list("pk", flat=True)[::step][:count])
    bodies = []
    for kid in Child.objects.filter(pk__in=ids).order_by("pk"):
        last = kid.last_name
        typo = last[0] + last[2] + last[1] + last[3:] if len(last) > 3 else last + "e"
        body = {"first_name": kid.first_name, "last_name": typo}
        if kid.date_of_birth:
            body["date_of_birth"] = kid.date_of_birth.isoformat()
        bodies.append(json.dumps(body))
    return bodies


# A complete referral about one synthetic child (tests/referrals/test_api.py's), its last
# name different in every request ({{n}}: letters).
REFERRAL_BODY = {
    "child_first_name": "Benchpost",
    "child_last_name": "Child" + loadgen.PLACEHOLDER,
    "child_date_of_birth": "2017-03-04",
    "child_gender": "2",
    "child_ethnicity": "WBRI",
    "child_religion": "not_known",
    "child_disabilities": ["NONE"],
    "child_postcode": "ls1 4ap",
    "child_interpreter_needed": False,
    "concerns": ["neglect", "domestic_abuse"],
    "worry": "Came to school hungry four days this week with a bruise on the arm.",
    "lived_experience": "Gets herself and her brother ready; no breakfast; often late.",
    "child_voice": "Said 'mum sleeps a lot and there is no food in the house'.",
    "parental_consent": "consented",
    "household": [{"name": "Parent One", "relationship": "mother", "lives_with_child": True}],
}


def data_facts() -> dict:
    from django.db import connection

    tables = {
        "referrals": "referrals_referral",
        "children": "referrals_child",
        "submissions": "referrals_submission",
        "concerns": "referrals_referralconcern",
        "decisions": "triage_decision",
        "strategy discussions": "triage_strategydiscussion",
        "information requests": "triage_informationrequest",
        "challenges": "triage_challenge",
        "notice events": "notices_noticeevent",
        "notifications": "notices_notification",
        "access log": "audit_accesslog",
        "users": "agencies_user",
        "agencies": "agencies_agency",
    }
    facts = {"rows": {}}
    with connection.cursor() as cursor:
        for label, table in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - our names
            facts["rows"][label] = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM referrals_referral WHERE status <> 'decided'")
        facts["rows"]["open referrals"] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database())), "
            "pg_size_pretty(pg_total_relation_size('referrals_referral')), "
            "current_setting('server_version'), current_setting('shared_buffers'), "
            "current_setting('work_mem'), current_setting('effective_cache_size')"
        )
        size, referrals, version, buffers, work_mem, cache = cursor.fetchone()
    facts |= {
        "database size": size,
        "referrals table with indexes": referrals,
        "PostgreSQL": version,
        "shared_buffers": buffers,
        "work_mem": work_mem,
        "effective_cache_size": cache,
    }
    return facts


def machine_load(seconds: float = 3.0) -> str:
    """How many cores the machine's other work kept busy over a few seconds."""
    before = procstat.take([], [])
    time.sleep(seconds)
    after = procstat.take([], [])
    return f"{procstat.machine_cores_busy(before, after, os.cpu_count() or 1):.2f}"


def machine_facts() -> dict:
    import django
    import gunicorn

    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        line.split(":", 1)[1].strip()
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)  # noqa: S607
    return {
        "CPUs (nproc)": os.cpu_count(),
        "CPU model": model,
        "memory": f"{int(memory.split()[0]) / 1024 / 1024:.1f} GB",
        "kernel": platform.release(),
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "wrk": (wrk.stdout or wrk.stderr).splitlines()[0].split(" [")[0],
        "load average at the end": " ".join(f"{v:.2f}" for v in os.getloadavg()),
    }


def commit() -> str:
    def git(*args):
        command = ["git", *args]
        return subprocess.run(  # noqa: S603 - our own arguments
            command, capture_output=True, text=True, cwd=ROOT, check=False
        ).stdout.strip()

    head = git("rev-parse", "--short=12", "HEAD")
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return head + (" (with uncommitted changes)" if dirty else "")


# --- Serving ----------------------------------------------------------------------------


def production_env(args, workdir: Path, made: dict[str, str]) -> dict:
    """What an operator sets (README, "Deploying"), for a server behind their TLS proxy,
    plus the benchmark's settings module and API rate; ``made``: this run's secrets
    (run_secrets)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "FRONTDOOR_", "CELERY_", "EMAIL_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="bench.baseline.settings",
        DJANGO_DEBUG="false",
        FRONTDOOR_EMBEDDED="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        # Production refuses to start without the security keys' domain; none is used here.
        FRONTDOOR_WEBAUTHN_RP_ID="localhost",
        DATABASE_URL=args.database,
        CELERY_BROKER_URL=args.broker,
        # The throttles' counts, shared by the two workers as production requires: the
        # broker's Redis database (flushed at the start; the cache's keys are prefixed).
        FRONTDOOR_CACHE_URL=args.broker,
        # The benchmark's PostgreSQL and Redis are on this machine, reached without TLS;
        # production refuses that anywhere else (frontdoor.service_tls).
        FRONTDOOR_ALLOW_PLAINTEXT_SERVICES="loopback",
        FRONTDOOR_VAR_DIR=str(workdir / "var"),
        FRONTDOOR_BASE_URL=f"https://127.0.0.1:{args.port}",
        DJANGO_BEHIND_TLS_PROXY="true",
        FRONTDOOR_PROXY_COUNT="1",
        FRONTDOOR_API_RATE=BENCH_API_RATE,
        FRONTDOOR_PAGE_RATE=BENCH_PAGE_RATE,
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        **made,
    )
    return env


def prepare_static(env: dict, workdir: Path) -> None:
    manage = [sys.executable, str(ROOT / "manage.py")]
    with (workdir / "setup.log").open("w") as log:
        for command in (["collectstatic", "--noinput", "-v0"], ["check", "--deploy"]):
            subprocess.run(  # noqa: S603
                manage + command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                check=True,
            )  # fmt: skip


class Server:
    """gunicorn as the Procfile runs it (two sync workers), its access log to a file."""

    def __init__(self, env: dict, port: int, workdir: Path):
        self.env, self.port, self.workdir = env, port, workdir
        self.process = None
        self.workers: list[int] = []
        self.url = f"http://127.0.0.1:{port}"

    def __enter__(self) -> Server:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                sys.exit(f"something already answers on port {self.port} (--port)")
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.log = (self.workdir / "gunicorn.log").open("w")
        self.process = subprocess.Popen(  # noqa: S603
            [str(gunicorn), "frontdoor.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(WORKERS), "--access-logfile", str(self.workdir / "access.log")],
            env=self.env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_until_up(
            Client("127.0.0.1", self.port), seconds=60, alive=lambda: self.process.poll() is None
        )
        for _ in range(100):
            self.workers = procstat.children(self.process.pid)
            if len(self.workers) == WORKERS:
                break
            time.sleep(0.1)
        return self

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def check_workers(self) -> None:
        now = procstat.children(self.process.pid)
        if now != self.workers:
            print(f"  note: gunicorn's workers changed ({self.workers} -> {now})", flush=True)
            self.workers = now


class Signer:
    """Signed-in sessions and API tokens, renewed when one has run out."""

    SESSIONS = {"screener": "screener", "manager": "manager", "lead": "lead"}  # key -> user
    TOKENS = {"screener-token": "screener", "lead-token": "lead", "referrer-token": "referrer"}

    def __init__(self, server, subjects, password, credentials, record):
        self.server, self.subjects, self.password = server, subjects, password
        self.credentials, self.record = credentials, record
        self.last_step = -1

    def totp_code(self) -> str:
        """The manager's current code, waiting for a new 30-second step if this one's
        code has been used (django-otp refuses a code twice)."""
        from django_otp.oath import totp

        while int(time.time()) // 30 <= self.last_step:
            time.sleep(0.5)
        self.last_step = int(time.time()) // 30
        return f"{totp(self.subjects.device_key):06d}"

    def sign_in(self, key: str) -> None:
        user = self.subjects.users[self.SESSIONS[key]]
        client = Client("127.0.0.1", self.server.port)
        steps = sign_in(
            client, username=user.username, password=self.password, totp_code=self.totp_code
        )
        self.credentials[key] = "Cookie: " + client.cookie_header()
        self.record[f"{key} ({user.get_role_display().lower()})"] = steps

    def issue_token(self, key: str) -> None:
        user = self.subjects.users[self.TOKENS[key]]
        token = api_token(
            Client("127.0.0.1", self.server.port), username=user.username, password=self.password
        )
        self.credentials[key] = "Authorization: Token " + token
        self.record[f"{key} ({user.get_role_display().lower()})"] = ["password, API"]

    def sign_in_all(self) -> None:
        for key in self.SESSIONS:
            self.sign_in(key)
        for key in self.TOKENS:
            self.issue_token(key)

    def headers(self, scenario: Scenario) -> dict[str, str]:
        headers = {**PROXY_HEADERS, **BROWSER_HEADERS}
        if scenario.auth:
            name, value = self.credentials[scenario.auth].split(": ", 1)
            headers[name] = value
        if scenario.method == "POST":
            headers["Content-Type"] = "application/json"
        return headers


# --- Scenarios --------------------------------------------------------------------------


def build_scenarios(subjects: Subjects) -> list[Scenario]:
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


def check(scenario: Scenario, server: Server, signer: Signer) -> None:
    """One request before measuring: the answer expected, signed in afresh if the session
    has run out, and the last page of the API list found."""
    client = Client("127.0.0.1", server.port)
    for attempt in range(3):
        headers = signer.headers(scenario)
        path = scenario.paths[0]
        body = loadgen.fill(scenario.bodies[0], 10**9) if scenario.bodies else None
        started = time.monotonic()
        status, answer, content = client.request(
            scenario.method, path, body=body.encode() if body else None, headers=headers
        )
        scenario.first_ms = (time.monotonic() - started) * 1000
        if status == 302 and "/accounts/login/" in answer.get("location", "") and attempt == 0:
            print(f"  the {scenario.auth} session ran out: signing in again", flush=True)
            signer.sign_in(scenario.auth)
            # What the refused request set (the ended session's cookie) would otherwise
            # be sent instead of the new session's.
            client.cookies = {}
            continue
        if status == 401 and scenario.auth in signer.TOKENS and attempt == 0:
            # A token unused for FRONTDOOR_API_TOKEN_IDLE_MINUTES has run out (another
            # scenario ran meanwhile): a new one, as a partner system would ask.
            print(f"  the {scenario.auth} ran out: a new one", flush=True)
            signer.issue_token(scenario.auth)
            continue
        if status == 200 and b"/break-glass/" in content and b'name="reason"' in content:
            break_glass(client, signer, scenario, content)
            continue
        break
    text = content.decode(errors="replace")
    if status != scenario.expect or (scenario.marker and scenario.marker not in text):
        raise SystemExit(
            f"{scenario.label}: {scenario.method} {path} answered {status} "
            f"(expected {scenario.expect}) {answer.get('location', '')}: {text[:300]}"
        )
    scenario.size_bytes = len(content)


def break_glass(client: Client, signer: Signer, scenario: Scenario, page: bytes) -> None:
    """A closed record asks a screener why: give the reason once, as a person would; it
    holds for the session (FRONTDOOR_BREAK_GLASS_MINUTES)."""
    import re

    from bench.pages_http import csrf_token

    action = (
        re.search(rb'<form method="post" action="([^"]*/break-glass/)"', page).group(1).decode()
    )
    client.cookies = dict(
        item.split("=", 1) for item in signer.credentials[scenario.auth][8:].split("; ")
    )
    status, _, _ = client.post_form(
        action,
        {
            "csrfmiddlewaretoken": csrf_token(page),
            "reason": "Benchmark of the chronology page at national scale",
            "then": "chronology",
        },
        referer=scenario.paths[0],
    )
    if status != 302:
        raise SystemExit(f"{scenario.label}: the reason to open the closed record was refused")
    print("  a closed record: gave the reason to open it, as a person would", flush=True)
    signer.credentials[scenario.auth] = "Cookie: " + client.cookie_header()


def durations(scale: Scale, first_s: float) -> dict[str, float]:
    """Seconds for each run: the scale's, longer for a slow page so that each run
    completes some requests (at most four times the scale's)."""

    def clamp(value: float, low: float) -> float:
        return min(max(value, low), 4 * low)

    return {
        "warm": clamp(2 * first_s + 1, scale.warm_s),
        "closed": clamp(25 * first_s, scale.closed_s),
        "open": scale.open_s,
        "max": clamp(10 * first_s * scale.max_connections / WORKERS, scale.max_s),
    }


def open_loop_skip(rate: float, closed: loadgen.Result | None) -> str | None:
    """Why an offered rate is not worth running, or None: when one client's mean
    latency says the two workers cannot serve that many a second, the queue would only
    grow for the whole run and take minutes to drain."""
    if closed is None or closed.requests == 0 or math.isnan(closed.mean):
        return "no request completed with one client"
    capacity = WORKERS * 1000 / closed.mean
    if rate > 0.9 * capacity:
        return (
            f"not run: {closed.mean:,.0f} ms a request with one client means two workers "
            f"serve at most {capacity:.1f} a second, under the {rate:g} offered"
        )
    return None


def drain(server: Server) -> float:
    """Wait until requests a run gave up on have been served (gunicorn serves every
    connection it accepted, whoever is still listening): the seconds it took."""
    started = time.monotonic()
    client = Client("127.0.0.1", server.port)
    client.timeout = 1800
    client.get("/bench-baseline/json/")
    return time.monotonic() - started


def measure(scenario: Scenario, server: Server, signer: Signer, scale: Scale, workdir) -> None:
    from django.db import connection

    headers = signer.headers(scenario)
    base = int(time.time() * 1000) % 10**9 * 100
    script = loadgen.wrk_script(
        method=scenario.method,
        paths=scenario.paths,
        headers=headers,
        bodies=scenario.bodies,
        number_base=base,
    )
    seconds = durations(scale, scenario.first_ms / 1000)

    def backends() -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
            )
            return [row[0] for row in cursor.fetchall()]

    loadgen.run_wrk(
        url=server.url, script=script, workdir=workdir, connections=1, seconds=seconds["warm"],
        mode="warm",
    )  # fmt: skip
    drain(server)
    for mode in scenario.modes:
        if mode == "open":
            reason = open_loop_skip(scenario.rate, scenario.results.get("closed"))
            if reason:
                scenario.skipped["open"] = reason
                continue
        server.check_workers()
        before = procstat.take(server.workers, backends())
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        if mode == "open":
            result = openloop(scenario, server, headers, seconds["open"], base + 50_000_000)
        else:
            result = loadgen.run_wrk(
                url=server.url,
                script=script,
                workdir=workdir,
                connections=1 if mode == "closed" else scale.max_connections,
                seconds=seconds[mode],
                mode=mode,
            )
        wall = time.monotonic() - started
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        after = procstat.take(server.workers, backends())
        app = procstat.spent(before.workers, after.workers)
        db = procstat.spent(before.backends, after.backends)
        generator = (children_after.ru_utime + children_after.ru_stime) - (
            children_before.ru_utime + children_before.ru_stime
        )
        cores = procstat.machine_cores_busy(before, after, os.cpu_count() or 1)
        if result.extra.get("generator_self_cpu_ms") is not None:
            # Its own figure leaves out the Python start-up that the process's total holds.
            generator = result.extra["generator_self_cpu_ms"] * result.extra["scheduled"] / 1000
        result.extra.update(
            app_cpu_ms=loadgen.per_request_ms(app, result.requests),
            db_cpu_ms=loadgen.per_request_ms(db, result.requests),
            generator_cpu_ms=loadgen.per_request_ms(generator, result.requests),
            cores_busy=cores,
            other_cores=max(0.0, cores - (app + db + generator) / wall),
            wall_s=wall,
            drain_s=drain(server),
        )
        scenario.results[mode] = result
        if result.unexpected(scenario.expect):
            print(
                f"  {mode}: {result.unexpected(scenario.expect)} answers other than "
                f"{scenario.expect}: {result.statuses}, errors {result.errors}",
                flush=True,
            )


def openloop(scenario, server, headers, seconds, number_base) -> loadgen.Result:
    command = [
        sys.executable, str(ROOT / "bench" / "openloop.py"), "--url", server.url,
        "--rate", str(scenario.rate), "--duration", str(seconds), "--method", scenario.method,
        "--number-base", str(number_base),
    ]  # fmt: skip
    for path in scenario.paths:
        command += ["--path", path]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    for body in scenario.bodies or []:
        command += ["--body", body]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"openloop failed: {done.stderr[-800:]}")
    return loadgen.parse_openloop_output(done.stdout)


# --- Serving for an independent measurement ----------------------------------------------

# What bench/crosscheck measures: the one-client table's main pages and APIs, the
# referral POST and the two baselines.
CROSSCHECK_KEYS = (
    "baseline-json",
    "baseline-drf",
    "queue",
    "queue-deep",
    "queue-concern",
    "api-screener",
    "mine-lead",
    "chronology",
    "dashboard",
    "performance",
    "submit",
)
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


def crosscheck_conf(scenarios: list[Scenario], subjects: Subjects, password: str, url: str) -> str:
    """bench/crosscheck's input: where the server is, who signs in with what, and each
    scenario of CROSSCHECK_KEYS as this run's would send it (one line each: key, method,
    credential, expected status, path, label; then the text its answer must hold, and a
    POST's body, its placeholder filled once)."""
    users = subjects.users
    lines = [
        "# bench/bench_pages.py --serve: synthetic users of a bench database",
        f"base_url={url}",
        f"password={password}",
        f"screener={users['screener'].username}",
        f"manager={users['manager'].username}",
        f"manager_totp_key={subjects.device_key.hex()}",
        f"lead={users['lead'].username}",
        f"referrer={users['referrer'].username}",
    ]
    by_key = {s.key: s for s in scenarios}
    for key in CROSSCHECK_KEYS:
        s = by_key[key]
        fields = (s.key, s.method, s.auth or "-", str(s.expect), s.paths[0], s.label)
        lines.append("scenario=" + " ".join(fields))
        if s.marker:
            lines.append("marker=" + s.marker)
        if s.bodies:
            lines.append("body=" + loadgen.fill(s.bodies[0], 10**9 + 7))
    return "\n".join(lines) + "\n"


# --- In-process: statements and plans ---------------------------------------------------


def analyse(scenarios: list[Scenario], subjects: Subjects) -> None:
    """Each scenario's request in this process with Django's test client (development
    settings on the same database: no two-step check), counting its SQL statements; and
    for the main lists, EXPLAIN (ANALYZE, BUFFERS) of its SELECTs, the slowest kept.
    Sessions are made with force_login and tokens issued here as the API issues them."""
    from django.db import connection
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext

    from agencies import tokens

    raw_tokens = {}
    for scenario in scenarios:
        if scenario.key.endswith("-end"):
            continue
        print(f"counting statements: {scenario.label}", flush=True)
        client = TestClient()
        extra = {}
        if scenario.auth in Signer.SESSIONS:
            client.force_login(subjects.users[Signer.SESSIONS[scenario.auth]])
        elif scenario.auth:
            if scenario.auth not in raw_tokens:
                user = subjects.users[Signer.TOKENS[scenario.auth]]
                raw_tokens[scenario.auth] = tokens.issue_token(user=user)[1]
            extra["HTTP_AUTHORIZATION"] = "Token " + raw_tokens[scenario.auth]
        path = scenario.paths[0]
        body = loadgen.fill(scenario.bodies[0], 2 * 10**9) if scenario.bodies else None
        if scenario.key == "chronology":
            # A closed record asks why first, as on the served app; the reason holds.
            page = client.get(path)
            if b'name="reason"' in page.content:
                client.post(
                    f"{path}break-glass/",
                    {"reason": "Benchmark of the chronology page", "then": "chronology"},
                )
        for _ in range(2):  # the first warms this process up; the second is counted
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                if scenario.method == "GET":
                    response = client.get(path, **extra)
                else:
                    response = client.post(path, body, content_type="application/json", **extra)
                elapsed = time.perf_counter() - started
        if response.status_code != scenario.expect:
            print(f"  in-process {scenario.key}: {response.status_code}", flush=True)
        scenario.statements = len(captured.captured_queries)
        scenario.sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
        scenario.inprocess_ms = elapsed * 1000
        if scenario.explain:
            scenario.plans = explain(captured.captured_queries)


def explain(queries: list[dict], keep: int = 2) -> list[dict]:
    from django.db import connection

    plans = []
    with connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            lines = [row[0] for row in cursor.fetchall()]
            took = next(
                (float(line.split(":")[1].split()[0]) for line in lines
                 if line.startswith("Execution Time")),
                0.0,
            )  # fmt: skip
            plans.append({"sql": sql, "plan": lines, "ms": took})
    plans.sort(key=lambda p: -p["ms"])
    return plans[:keep]


if __name__ == "__main__":
    main()
