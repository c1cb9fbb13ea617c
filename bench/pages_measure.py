"""Measuring for bench/bench_pages.py: the scenarios' shape, the signed-in sessions and
tokens (``Signer``), one checked request before each scenario, wrk's closed loop and
maximum throughput, ``openloop.py``'s offered rate, the CPU the workers and backends spent
a request (``measure``), and in-process the statements a request makes and the main
queries' plans (``analyse``)."""

from __future__ import annotations

import math
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bench import loadgen, procstat
from bench.pages_http import BROWSER_HEADERS, PROXY_HEADERS, Client, api_token, sign_in
from bench.pages_serve import WORKERS, Server

if TYPE_CHECKING:
    from bench.bench_pages import Scale
    from bench.pages_subjects import Subjects

ROOT = Path(__file__).resolve().parent.parent


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
        after = procstat.take(server.workers, backends(), before.postmaster)
        app = procstat.spent(before.workers, after.workers)
        db = procstat.database_spent(before, after)
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
