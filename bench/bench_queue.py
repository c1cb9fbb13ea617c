"""The queue page's CPU in-process, beside the bare JSON view (issue 14's 0.05 target).

    .venv/bin/python bench/national.py --total 200000 --open 10000 --database postgres://postgres@127.0.0.1:5432/frontdoor_bench_queue
    .venv/bin/python bench/bench_queue.py --database postgres://postgres@127.0.0.1:5432/frontdoor_bench_queue
    .venv/bin/python bench/bench_queue.py ... --profile 200 --path /triage/   # where the CPU goes
    BENCH_QUEUE_GATE=/tmp/gate valgrind --tool=callgrind --instr-atstart=no \\
        .venv/bin/python bench/bench_queue.py ... --calls 100 --path /triage/
    (then, once /tmp/gate.ready exists: callgrind_control -i on; touch /tmp/gate)

No server: Django's test client gets each page, gzip asked for as a browser does, for the
screener ``bench_pages`` would measure (the one with the most open referrals allocated),
signed in through the sign-in form, under ``bench.baseline.settings`` and the environment
``pages_serve.production_env`` gives gunicorn (DEBUG off, the proxy's headers, the Redis
broker). Runs of each page alternate, so that a busy machine slows each alike; CPU is
``time.process_time()`` (this process only), and beside it the CPU of the PostgreSQL
backend serving its connection, read from /proc/<pid>/schedstat when the server runs on
this machine (a run whose connection was replaced, CONN_MAX_AGE, has none). ``--calls N``
gets a page N times after the same warm-up and prints nothing else, for callgrind's
instruction count (instrumented from after the warm-up: BENCH_QUEUE_GATE; it does not
move with the machine's load as CPU does).

It writes sessions and access-log rows into the database it is given (whose name must
contain "bench") and the screener's password.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import gzip
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import inprocess  # noqa: E402

BASELINE = "/bench-baseline/json/"
# The queue's pages as bench_pages measures them (the screener's id is filled in).
PAGES = {
    "queue": "/triage/",
    "concern": "/triage/?concern=neglect",
    "agency": "/triage/?agency={agency}",
    "flagged": "/triage/?unallocated_flagged=on",
    "assigned": "/triage/?assigned_to={screener}",
    "account": "/accounts/",
    "bare": BASELINE,
}


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="PostgreSQL URL; its name has 'bench'")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--requests", type=int, default=20, help="requests a run")
    parser.add_argument("--runs", type=int, default=5, help="runs of each page, alternating")
    parser.add_argument("--pages", nargs="*", default=list(PAGES), choices=list(PAGES))
    parser.add_argument("--path", help="one page's path, for --profile and --calls")
    parser.add_argument("--profile", type=int, metavar="N", help="cProfile N requests instead")
    parser.add_argument("--calls", type=int, metavar="N", help="only get --path N times")
    parser.add_argument("--plain", action="store_true", help="do not ask for gzip")
    return parser.parse_args()


def set_up(args) -> None:
    inprocess.set_up(args, name="bench-queue", migrate=False, static=True)


class Getter:
    def __init__(self, *, plain: bool):
        from django.test import Client

        self.screener, self.agency = inprocess.busiest_screener_and_agency()
        password = "bench-queue-pass-2026"  # noqa: S105 - a synthetic user's, this run's
        self.screener.set_password(password)
        self.screener.save()
        self.headers = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_FOR": "192.0.2.10"}
        if not plain:
            self.headers["HTTP_ACCEPT_ENCODING"] = "gzip"
        self.client, self.anonymous = Client(), Client()
        answer = self.client.post(
            "/accounts/login/",
            {"username": self.screener.username, "password": password},
            secure=True,
            **self.headers,
        )
        assert answer.status_code == 302, answer.status_code

    def path(self, key_or_path: str) -> str:
        path = PAGES.get(key_or_path, key_or_path)
        return path.format(screener=self.screener.pk, agency=self.agency)

    def get(self, path: str):
        # The bare view as the benchmark sends it: with no session cookie.
        client = self.anonymous if path == BASELINE else self.client
        answer = client.get(path, secure=True, **self.headers)
        assert answer.status_code == 200, (path, answer.status_code)
        return answer


def backend_cpu_ns() -> tuple[int, int] | None:
    """(pid, nanoseconds of CPU) of the PostgreSQL backend serving this process's
    connection, from /proc/<pid>/schedstat (the server on this machine); None when there
    is no connection open or the backend is not readable here."""
    from django.db import connection

    if connection.connection is None:
        return None
    pid = connection.connection.info.backend_pid  # psycopg2 and 3 alike; no statement
    try:
        return pid, int((Path("/proc") / str(pid) / "schedstat").read_text().split()[0])
    except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
        return None


def cpu_ms(getter: Getter, path: str, n: int) -> tuple[float, float | None]:
    """The app's CPU a request and its PostgreSQL backend's (None when the connection was
    replaced during the run, CONN_MAX_AGE: the old backend's CPU went with it)."""
    database_before = backend_cpu_ns()
    started = time.process_time()
    for _ in range(n):
        getter.get(path)
    app = (time.process_time() - started) * 1000 / n
    database_after = backend_cpu_ns()
    if database_before is None or database_after is None or database_before[0] != database_after[0]:
        return app, None
    return app, (database_after[1] - database_before[1]) / 1e6 / n


def main() -> None:
    args = arguments()
    set_up(args)
    getter = Getter(plain=args.plain)
    paths = [getter.path(args.path)] if args.path else [getter.path(k) for k in args.pages]
    for path in paths:
        for _ in range(10):  # warm up: imports, caches, the first connection
            getter.get(path)
    # As gunicorn.conf.py does once a worker has loaded: a full collection then walks only
    # what the requests made, not the framework (and varies less from run to run).
    gc.collect()
    gc.freeze()
    if args.calls is not None:
        gate = os.environ.get("BENCH_QUEUE_GATE")
        if gate:  # for `valgrind --instr-atstart=no`: wait for `callgrind_control -i on`
            Path(gate + ".ready").touch()
            while not Path(gate).exists():
                time.sleep(0.05)
        for _ in range(args.calls):
            getter.get(paths[0])
        os._exit(0)  # no interpreter shutdown: callgrind would count its collections too
    if args.profile:
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for _ in range(args.profile):
            getter.get(paths[0])
        profile.disable()
        stats = pstats.Stats(profile)
        print(f"Python function calls a request: {stats.total_calls / args.profile:,.0f}")
        stats.sort_stats("cumulative").print_stats(80)
        stats.sort_stats("tottime").print_stats(40)
        return

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cpu = {path: [] for path in paths}
    database = {path: [] for path in paths}
    for _ in range(args.runs):
        for path in paths:
            app, backend = cpu_ms(getter, path, args.requests)
            cpu[path].append(app)
            database[path].append(backend)
    print(f"{args.runs} runs of {args.requests} requests each, interleaved; ms of CPU a request")
    for path in paths:
        answer = getter.get(path)
        body = answer.content
        plain = gzip.decompress(body) if answer.get("Content-Encoding") == "gzip" else body
        with CaptureQueriesContext(connection) as captured:
            getter.get(path)
        print(
            f"{path:40} median {statistics.median(cpu[path]):6.2f}  min {min(cpu[path]):6.2f}  "
            f"runs {' '.join(f'{v:.2f}' for v in cpu[path])}  "
            f"{len(plain) / 1000:.1f} KB ({len(body) / 1000:.1f} KB sent), "
            f"{len(captured.captured_queries)} statements"
        )
        read = [v for v in database[path] if v is not None]
        if read:
            both = [a + b for a, b in zip(cpu[path], database[path], strict=True) if b is not None]
            print(
                f"{'':40} PostgreSQL median {statistics.median(read):6.2f}  "
                f"runs {' '.join(f'{v:.2f}' for v in read)}; "
                f"app + PostgreSQL median {statistics.median(both):6.2f}"
            )


if __name__ == "__main__":
    main()
