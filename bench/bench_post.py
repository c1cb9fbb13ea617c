"""The referral POST's CPU in-process, beside the bare DRF insert (issue 14's 0.8 target).

    .venv/bin/python bench/national.py --total 200000 --database postgres://postgres@127.0.0.1:5432/frontdoor_bench_post
    .venv/bin/python bench/bench_post.py --database postgres://postgres@127.0.0.1:5432/frontdoor_bench_post
    .venv/bin/python bench/bench_post.py ... --key          # each POST with a fresh Idempotency-Key
    .venv/bin/python bench/bench_post.py ... --profile 100  # where a POST's CPU goes (cProfile)
    BENCH_POST_GATE=/tmp/gate valgrind --tool=callgrind --instr-atstart=no \\
        .venv/bin/python bench/bench_post.py ... --calls 40 [--bare | --floor]
    .venv/bin/python bench/bench_post.py ... --floor        # the bare insert, the floor and
                                                            # the POST, app and PostgreSQL CPU
    (then, once /tmp/gate.ready exists: callgrind_control -i on; touch /tmp/gate; a POST's
    instructions are a run of 40 less a run of 0, after the same warm-up)

No server: Django's test client posts ``pages_subjects.REFERRAL_BODY`` (a new child's name
each time) to /api/v1/referrals/ with a referrer's token, and the same token to the bare
DRF insert (/bench-baseline/insert/), under ``bench.baseline.settings`` and the
environment ``pages_serve.production_env`` gives gunicorn (DEBUG off, the proxy's
headers, the Redis broker). Runs of each alternate, so that a busy machine slows both;
CPU is ``time.process_time()`` (this process only: PostgreSQL's is not in it). It also
prints the SQL statements of one POST and the Python function calls a request (cProfile),
which do not move with the machine's load as CPU does.

``--floor`` adds the POST's floor (``bench/baseline/floor.py``: the POST's statements and
Celery message, nothing else) and measures the three in turn, each run's CPU in this
process and in its PostgreSQL backend (``pg_backend_pid()``'s /proc CPU, so no other
session's queries are in it); a run whose backend was replaced (``CONN_MAX_AGE``) is run
again.

It writes referrals (and a token for the referrer) into the database it is given, whose
name must contain "bench", and flushes nothing: the acknowledgement emails wait in the
broker's Redis database (``--broker``).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import inprocess, loadgen  # noqa: E402
from bench.pages_subjects import REFERRAL_BODY  # noqa: E402

SUBMIT = "/api/v1/referrals/"
BASELINE = "/bench-baseline/insert/"
FLOOR = "/bench-baseline/floor/"


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="PostgreSQL URL; its name has 'bench'")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--requests", type=int, default=20, help="requests a run")
    parser.add_argument("--runs", type=int, default=7, help="runs of each, alternating")
    parser.add_argument("--key", action="store_true", help="send a fresh Idempotency-Key")
    parser.add_argument("--profile", type=int, metavar="N", help="cProfile N POSTs instead")
    parser.add_argument(
        "--calls",
        type=int,
        metavar="N",
        help="N POSTs after the warm-up and nothing else (for callgrind; BENCH_POST_GATE)",
    )
    parser.add_argument("--bare", action="store_true", help="with --calls: the bare insert")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="the POST's floor: with --calls, its calls; else bare, floor and POST, app and "
        "PostgreSQL CPU",
    )
    return parser.parse_args()


def set_up(args) -> None:
    inprocess.set_up(args, name="bench-post", migrate=True, static=True)


class Poster:
    def __init__(self, *, key: bool):
        from django.test import Client

        from agencies import tokens
        from agencies.models import ApiToken, Role, User

        user = (
            User.objects.filter(role=Role.REFERRER, is_active=True, agency__isnull=False)
            .order_by("pk")
            .first()
        )
        if user is None:
            sys.exit("no referrer in the database: load it with bench/national.py first")
        # knox reads all the holder's tokens on every request: one, as in bench_pages.
        ApiToken.objects.filter(user=user).delete()
        _, raw = tokens.issue_token(user=user)
        self.headers = {
            "HTTP_AUTHORIZATION": f"Token {raw}",
            "HTTP_X_FORWARDED_PROTO": "https",
            "HTTP_X_FORWARDED_FOR": "192.0.2.10",
        }
        self.client, self.key, self.template = Client(), key, json.dumps(REFERRAL_BODY)
        self.n = int(time.time() * 1000)

    def referral(self) -> None:
        self.n += 1
        extra = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())} if self.key else {}
        body = loadgen.fill(self.template, self.n)
        answer = self._post(SUBMIT, body, extra)
        assert answer.status_code == 201, (answer.status_code, answer.content[:300])

    def floor(self) -> None:
        self.n += 1
        answer = self._post(FLOOR, loadgen.fill(self.template, self.n), {})
        assert answer.status_code == 201, (answer.status_code, answer.content[:300])

    def baseline(self) -> None:
        self.n += 1
        answer = self._post(BASELINE, json.dumps({"note": loadgen.letters(self.n)}), {})
        assert answer.status_code == 201, answer.status_code

    def _post(self, path, body, extra):
        return self.client.post(
            path, body, content_type="application/json", secure=True, **self.headers, **extra
        )


def cpu_ms(request, n: int) -> float:
    started = time.process_time()
    for _ in range(n):
        request()
    return (time.process_time() - started) * 1000 / n


def calls_a_request(request, n: int = 20) -> float:
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(n):
        request()
    profile.disable()
    return pstats.Stats(profile).total_calls / n


def main() -> None:
    args = arguments()
    set_up(args)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    poster = Poster(key=args.key)
    for _ in range(10):  # warm up: imports, caches, the first connection
        poster.referral()
        poster.baseline()
        if args.floor:
            poster.floor()
    if args.calls is not None:
        gate = os.environ.get("BENCH_POST_GATE")
        if gate:  # for `valgrind --instr-atstart=no`: wait for `callgrind_control -i on`
            Path(gate + ".ready").touch()
            while not Path(gate).exists():
                time.sleep(0.05)
        request = poster.baseline if args.bare else poster.floor if args.floor else poster.referral
        for _ in range(args.calls):
            request()
        os._exit(0)  # no interpreter shutdown: callgrind would count its collections too
    if args.profile:
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for _ in range(args.profile):
            poster.referral()
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(60)
        return

    if args.floor:
        three_ways(poster, args)
        return
    baseline, referral = [], []
    for _ in range(args.runs):
        baseline.append(cpu_ms(poster.baseline, args.requests))
        referral.append(cpu_ms(poster.referral, args.requests))
    ratios = [b / r for b, r in zip(baseline, referral, strict=True)]
    print(f"{args.runs} runs of {args.requests} requests each, key={'yes' if args.key else 'no'}")
    print("bare DRF insert, ms CPU a request: " + " ".join(f"{v:.2f}" for v in baseline))
    print("referral POST, ms CPU a request:   " + " ".join(f"{v:.2f}" for v in referral))
    print(
        f"median: bare insert {statistics.median(baseline):.2f} ms, POST "
        f"{statistics.median(referral):.2f} ms, ratio {statistics.median(ratios):.3f}"
    )
    print(
        f"Python function calls a request: POST {calls_a_request(poster.referral):,.0f}, "
        f"bare insert {calls_a_request(poster.baseline):,.0f}"
    )
    with CaptureQueriesContext(connection) as captured:
        poster.referral()
    print(f"SQL statements of one POST: {len(captured.captured_queries)}")
    for query in captured.captured_queries:
        print("  " + query["sql"][:110])


def app_and_database_ms(request, n: int) -> tuple[float, float]:
    """This process's CPU and its PostgreSQL backend's, in ms a request, over ``n``
    requests; run again if the backend was replaced meanwhile."""
    from django.db import connection

    from bench import procstat

    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            [backend] = cursor.fetchone()
        database, started = procstat.cpu_seconds(backend), time.process_time()
        for _ in range(n):
            request()
        app = time.process_time() - started
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            [after] = cursor.fetchone()
        if after == backend:
            spent = procstat.cpu_seconds(backend) - database
            return app * 1000 / n, spent * 1000 / n


def three_ways(poster, args) -> None:
    """The bare insert, the floor and the POST in turn, ``args.runs`` times: CPU a
    request (app, PostgreSQL) and the ratios within each run."""
    kinds = {"bare insert": poster.baseline, "floor": poster.floor, "POST": poster.referral}
    figures = {kind: [] for kind in kinds}
    for _ in range(args.runs):
        for kind, request in kinds.items():
            figures[kind].append(app_and_database_ms(request, args.requests))
    print(f"{args.runs} runs of {args.requests} requests each; ms CPU a request, app + PostgreSQL")
    for kind, runs in figures.items():
        print(f"{kind:12} " + "  ".join(f"{a:.2f}+{d:.2f}" for a, d in runs))
    bare = [a + d for a, d in figures["bare insert"]]
    for kind in ("floor", "POST"):
        runs = figures[kind]
        ratios = [b / (a + d) for b, (a, d) in zip(bare, runs, strict=True)]
        app = [b[0] / r[0] for b, r in zip(figures["bare insert"], runs, strict=True)]
        print(
            f"{kind}: median app {statistics.median(a for a, _ in runs):.2f} ms, PostgreSQL "
            f"{statistics.median(d for _, d in runs):.2f} ms; ratio to the bare insert by CPU "
            f"(app + PostgreSQL) {statistics.median(ratios):.3f}, by app CPU alone "
            f"{statistics.median(app):.3f}"
        )
    bare_runs = figures["bare insert"]
    print(
        f"bare insert: median app {statistics.median(a for a, _ in bare_runs):.2f} ms, "
        f"PostgreSQL {statistics.median(d for _, d in bare_runs):.2f} ms"
    )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for kind in ("floor", "POST"):
        with CaptureQueriesContext(connection) as captured:
            kinds[kind]()
        print(f"SQL statements of one {kind}: {len(captured.captured_queries)}")
        print(f"Python function calls a {kind}: {calls_a_request(kinds[kind]):,.0f}")


if __name__ == "__main__":
    main()
