"""The referral POST's throughput, two checkouts side by side, through gunicorn.

    .venv/bin/python bench/bench_post_ab.py --before ../wt-main --database postgres://.../frontdoor_x_bench

For a change to the submission (issue 14): serves this checkout and another (``--before``,
e.g. a worktree of main) at once, each with gunicorn, two sync workers, in production mode
(bench_pages.py's environment: bench.baseline.settings, DEBUG off, behind the TLS proxy),
each on its own copy of one prepared database (the data already loaded by
bench/national.py; the copy is made from it), and alternates runs of wrk with 4
connections between them: the POST of bench_pages.py's REFERRAL_BODY with the
referrer's token, then the bare DRF insert, ``--rounds`` times, so that both checkouts
meet the same moments of a shared machine. Each run reports the requests a second, the
CPU a request of the two workers and of the database's backends, the cores those used
(of the machine's), the machine's busy cores, and how many backends were waiting on a
lock on average (sampled every 20 ms from pg_stat_activity): the sign of submissions
queueing behind each other.

Without ``--before`` it serves this checkout alone (no copy of the database); ``--floor``
adds the POST's floor (bench/baseline/floor.py) to the scenarios, with the same body:

    .venv/bin/python bench/bench_post_ab.py --floor --database postgres://.../frontdoor_x_bench
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import loadgen, procstat  # noqa: E402
from bench.pages_http import (  # noqa: E402
    BROWSER_HEADERS,
    PROXY_HEADERS,
    Client,
    api_token,
    wait_until_up,
)
from bench.pages_serve import WORKERS, production_env, run_secrets  # noqa: E402
from bench.pages_subjects import REFERRAL_BODY, prepare  # noqa: E402

SCENARIOS = {
    "POST /api/v1/referrals/": ("/api/v1/referrals/", json.dumps(REFERRAL_BODY)),
    "bare DRF insert": ("/bench-baseline/insert/", '{"note": "' + loadgen.PLACEHOLDER + '"}'),
}
FLOOR = {"POST's floor": ("/bench-baseline/floor/", json.dumps(REFERRAL_BODY))}


def servers_and_scenarios(args) -> tuple[list[str], dict]:
    """The checkouts served ("before" only with ``--before``) and what each run sends."""
    labels = ["before", "after"] if args.before else ["after"]
    return labels, {**SCENARIOS, **(FLOOR if args.floor else {})}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", help="the other checkout (a worktree); none: this alone")
    parser.add_argument("--floor", action="store_true", help="the POST's floor as well")
    parser.add_argument("--database", required=True, help="a prepared bench database")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/9", help="flushed")
    parser.add_argument("--ports", type=int, nargs=2, default=[8791, 8792])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="the servers' scheduling priority (negative: ahead of other work on a shared "
        "machine; root only); PostgreSQL's backends keep theirs",
    )
    args = parser.parse_args()
    labels, scenarios = servers_and_scenarios(args)

    made = run_secrets()
    os.environ.update(made)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.baseline.settings"
    from bench.bench_scan import set_up

    set_up(args.database, broker=args.broker)  # migrates with this checkout's code
    password = secrets.token_urlsafe(24)
    users = prepare(password).users
    # Earlier runs' referrals were numbered by this checkout's sequences, which the other
    # checkout's counter rows know nothing of: both from the references stored, then copy.
    from referrals.references import renumber_from_stored

    renumber_from_stored()
    checkouts = {"after": (ROOT, args.database, args.ports[1])}
    if "before" in labels:
        copy = _copy_database(args.database)
        checkouts = {"before": (Path(args.before).resolve(), copy, args.ports[0]), **checkouts}
    servers = {}
    try:
        for label, (root, database, port) in checkouts.items():
            servers[label] = _serve(label, root, database, port, args, made)
        tokens = {
            label: api_token(
                Client("127.0.0.1", s.port),
                username=users["referrer"].username,
                password=password,
            )
            for label, s in servers.items()
        }
        rows = []
        for n in range(args.rounds):
            order = list(servers) if n % 2 == 0 else list(servers)[::-1]
            for label in order:
                for scenario, sent in scenarios.items():
                    row = _run(servers[label], tokens[label], scenario, sent, args, n)
                    rows.append(row)
                    print(json.dumps(row), flush=True)
        _summary(rows, scenarios)
    finally:
        for server in servers.values():
            server.stop()


def _copy_database(url: str) -> str:
    """The copy the other checkout writes to (its references come from its own
    counter, which must not meet this checkout's)."""
    import psycopg2
    from django.db import connections

    connections.close_all()
    name = url.rsplit("/", 1)[1]
    copy = name + "_b"
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        cursor.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
    admin.close()
    return url.rsplit("/", 1)[0] + "/" + copy


class _Server:
    def __init__(self, label, root, database, port, process, workdir):
        self.label, self.root, self.database, self.port = label, root, database, port
        self.process, self.workdir = process, workdir
        self.workers = []

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def _serve(label, root: Path, database: str, port: int, args, made) -> _Server:
    workdir = ROOT / "var" / "bench-post-ab" / label
    workdir.mkdir(parents=True, exist_ok=True)
    env = production_env(
        SimpleNamespace(database=database, broker=args.broker, port=port), workdir, made
    )
    python = Path(sys.executable)
    subprocess.run(  # noqa: S603
        [str(python), "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env, cwd=root, check=True,
    )  # fmt: skip
    log = (workdir / "gunicorn.log").open("w")
    process = subprocess.Popen(  # noqa: S603
        [str(python.parent / "gunicorn"), "frontdoor.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", str(WORKERS), "--access-logfile", "/dev/null"],
        env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT,
        preexec_fn=(lambda: os.nice(args.nice)) if args.nice else None,
    )  # fmt: skip
    server = _Server(label, root, database, port, process, workdir)
    wait_until_up(Client("127.0.0.1", port), seconds=60, alive=lambda: process.poll() is None)
    for _ in range(100):
        server.workers = procstat.children(process.pid)
        if len(server.workers) == WORKERS:
            break
        time.sleep(0.1)
    return server


def _connect(database: str):
    import psycopg2

    db = psycopg2.connect(database)
    db.autocommit = True
    return db


def _run(server: _Server, token: str, scenario: str, sent, args, n: int) -> dict:
    path, body = sent
    headers = {
        **PROXY_HEADERS,
        **BROWSER_HEADERS,
        "Authorization": "Token " + token,
        "Content-Type": "application/json",
    }
    base = (int(time.time() * 1000) % 10**8) * 10 + n
    script = loadgen.wrk_script(
        method="POST", paths=[path], headers=headers, bodies=[body], number_base=base * 1000
    )
    url = f"http://127.0.0.1:{server.port}"
    if n == 0:  # warm the workers' caches once
        loadgen.run_wrk(
            url=url, script=script, workdir=server.workdir, connections=1, seconds=3, mode="warm"
        )
    db = _connect(server.database)
    stop, samples = threading.Event(), []

    def sample():
        with db.cursor() as cursor:
            while not stop.is_set():
                cursor.execute(
                    "SELECT count(*) FILTER (WHERE wait_event_type = 'Lock') "
                    "FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()"
                )
                samples.append(cursor.fetchone()[0])
                time.sleep(0.02)

    def backends() -> list[int]:
        with db.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
            )
            return [pid for (pid,) in cursor.fetchall()]

    sampler = threading.Thread(target=sample)
    before = procstat.take(server.workers, backends())
    started = time.monotonic()
    sampler.start()
    result = loadgen.run_wrk(
        url=url,
        script=script,
        workdir=server.workdir,
        connections=args.connections,
        seconds=args.seconds,
        mode="max",
    )
    wall = time.monotonic() - started
    stop.set()
    sampler.join()
    # A worker's connection is replaced after CONN_MAX_AGE (60 s): the new one counts
    # from zero, and one that ended within the run is counted through what the
    # postmaster reaped (procstat.database_spent).
    after = procstat.take(server.workers, backends(), before.postmaster)
    db.close()
    app = procstat.spent(before.workers, after.workers)
    database = procstat.database_spent(before, after)
    cores = os.cpu_count() or 1
    return {
        "round": n,
        "checkout": server.label,
        "scenario": scenario,
        "requests": result.requests,
        "per_second": round(result.requests / wall, 1),
        "unexpected": result.unexpected(201),
        "p50_ms": round(result.p50, 1),
        "p95_ms": round(result.p95, 1),
        "app_cpu_ms": round(1000 * app / max(result.requests, 1), 2),
        "db_cpu_ms": round(1000 * database / max(result.requests, 1), 2),
        "server_cores": round((app + database) / wall, 2),
        "machine_cores": round(procstat.machine_cores_busy(before, after, cores), 2),
        "waiting_on_a_lock": round(statistics.fmean(samples), 2) if samples else None,
    }


def _summary(rows: list[dict], scenarios: dict) -> None:
    print("\n| checkout | scenario | runs | requests /s (each) | app + PostgreSQL CPU ms/req "
          "| cores used by server and PostgreSQL | machine's busy cores | backends waiting on "
          "a lock |")  # fmt: skip
    print("| --- | --- | ---: | --- | ---: | ---: | ---: | ---: |")
    for label in ("before", "after"):
        for scenario in scenarios:
            mine = [r for r in rows if r["checkout"] == label and r["scenario"] == scenario]
            if not mine:
                continue
            rates = ", ".join(f"{r['per_second']:.1f}" for r in mine)
            cpu = statistics.median(r["app_cpu_ms"] + r["db_cpu_ms"] for r in mine)
            server = statistics.median(r["server_cores"] for r in mine)
            machine = statistics.median(r["machine_cores"] for r in mine)
            waits = statistics.median(r["waiting_on_a_lock"] or 0 for r in mine)
            print(
                f"| {label} | {scenario} | {len(mine)} | {rates} | {cpu:.1f} | {server:.2f} "
                f"| {machine:.2f} | {waits:.2f} |"
            )


if __name__ == "__main__":
    main()
