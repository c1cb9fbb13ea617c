"""Serving the app for bench/bench_pages.py as in production: the run's secrets, the
environment an operator sets (``production_env``), collectstatic and ``check --deploy``,
gunicorn with two sync workers (``Server``), and what bench/crosscheck reads to measure
the same pages (``crosscheck_conf``)."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bench import loadgen, procstat
from bench.pages_http import Client, wait_until_up

if TYPE_CHECKING:
    from bench.pages_measure import Scenario
    from bench.pages_subjects import Subjects

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
# What the API throttle allows a user in the benchmark (FRONTDOOR_API_RATE, an operator's
# setting): production's 120 a minute would answer 429 to a load test. A per-second window
# keeps the throttle's own work (a list of recent request times a user) as small as
# production's.
BENCH_API_RATE = "100000/second"
# The same for the web pages a person reads (FRONTDOOR_PAGE_RATE, 240 a minute by
# default): the throttle still counts every page, as in production.
BENCH_PAGE_RATE = "100000/second"


def run_secrets() -> dict[str, str]:
    """The secrets production keeps out of the database, made afresh for each run. The
    preparation in this process (the users' passwords, bench/national.py's too, and the
    manager's authenticator key) and the server in production mode must use the same
    ones, or nobody could sign in."""
    return {
        "FRONTDOOR_PASSWORD_PEPPER": secrets.token_urlsafe(32),
        "FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS": secrets.token_urlsafe(32),
    }


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


def crosscheck_conf(scenarios: list[Scenario], subjects: Subjects, password: str, url: str) -> str:
    """bench/crosscheck's input: where the server is, who signs in with what, and each
    scenario of CROSSCHECK_KEYS as this run's would send it (one line each: key, method,
    credential, expected status, path, label; then the text its answer must hold, and a
    POST's body, its placeholder filled once; and, for a scenario with a throughput target,
    the baseline it is a share of and the share: `ratio=json 0.05`)."""
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
        if s.target is not None and s.target.min_ratio is not None:
            lines.append(f"ratio={s.target.ratio_to} {s.target.min_ratio}")
    return "\n".join(lines) + "\n"
