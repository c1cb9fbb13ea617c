"""Child matching through the API in-process: CPU a request, and where it goes (issue 14).

    .venv/bin/python bench/bench_match_api.py --database postgres://postgres@127.0.0.1:5432/frontdoor_bench_match
    .venv/bin/python bench/bench_match_api.py ... --read-only     # a database shared with others
    .venv/bin/python bench/bench_match_api.py ... --profile 200   # where the CPU goes (cProfile)

No server: Django's test client POSTs the matching scenario's bodies
(``pages_subjects.match_bodies``: children spread over the ids, each with a typo in the last
name and the date of birth) to /api/v1/children/matches/ with a screener's token, under
``bench.baseline.settings`` and the environment ``pages_serve.production_env`` gives
gunicorn (DEBUG off, the proxy's headers). Each sitting times ``--requests`` POSTs
(cycling through the bodies, as the benchmark's wrk script does) and then the same
bodies through ``find_matches`` alone, with ``time.process_time()`` (this process only:
PostgreSQL's CPU is not in it). It also prints the statements of one request and the
Python function calls a request (cProfile), which do not move with the machine's load.

To compare two versions of the code, run this script from each checkout in turn, a
sitting at a time (``--sittings 1``), alternating, on the same database.

It writes a token for the screener and an access-log row a request. ``--read-only``
does both inside one transaction that is rolled back at the end, so that nothing is
left in the database (for the national dataset, which others measure); the access
log's INSERT then commits nothing, so the request costs a commit less than in service.
The database's name must contain "bench".
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import inprocess  # noqa: E402
from bench.pages_subjects import MATCH_BODIES, match_bodies  # noqa: E402

MATCHES = "/api/v1/children/matches/"


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="PostgreSQL URL; its name has 'bench'")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--requests", type=int, default=200, help="POSTs a sitting")
    parser.add_argument("--sittings", type=int, default=3)
    parser.add_argument("--bodies", type=int, default=MATCH_BODIES, help="distinct bodies")
    parser.add_argument("--warm", type=int, default=40, help="POSTs before measuring")
    parser.add_argument("--read-only", action="store_true", help="roll every write back")
    parser.add_argument("--profile", type=int, metavar="N", help="cProfile N POSTs instead")
    parser.add_argument("--json", metavar="FILE", help="append the figures to FILE")
    parser.add_argument(
        "--posts-only",
        action="store_true",
        help="the warm-up and --requests POSTs, nothing else: for counting instructions "
        "(valgrind --tool=callgrind) with two values of --requests, the difference",
    )
    return parser.parse_args()


def set_up(args) -> None:
    inprocess.set_up(args, name="bench-match-api", migrate=not args.read_only, static=False)


class Searcher:
    def __init__(self, bodies: list[str]):
        from django.test import Client

        from agencies.models import ApiToken, Role, User

        user = User.objects.filter(role=Role.SCREENER, is_active=True).order_by("pk").first()
        if user is None:
            sys.exit("no screener in the database: load it with bench/national.py first")
        # knox reads the holder's live tokens by prefix; one, as in bench_pages.
        _, raw = ApiToken.objects.create(user=user)
        self.headers = {
            "HTTP_AUTHORIZATION": f"Token {raw}",
            "HTTP_X_FORWARDED_PROTO": "https",
            "HTTP_X_FORWARDED_FOR": "192.0.2.10",
        }
        self.client, self.bodies, self.n = Client(), bodies, 0
        self.queries = [_as_query(json.loads(body)) for body in bodies]

    def post(self) -> None:
        body = self.bodies[self.n % len(self.bodies)]
        self.n += 1
        answer = self.client.post(
            MATCHES, body, content_type="application/json", secure=True, **self.headers
        )
        assert answer.status_code == 200, (answer.status_code, answer.content[:300])

    def find(self) -> None:
        from referrals.matching import find_matches

        query = self.queries[self.n % len(self.queries)]
        self.n += 1
        find_matches(**query, limit=10)


def _as_query(body: dict) -> dict:
    from datetime import date

    if "date_of_birth" in body:
        body = {**body, "date_of_birth": date.fromisoformat(body["date_of_birth"])}
    return body


def cpu_ms(action, n: int) -> float:
    started = time.process_time()
    for _ in range(n):
        action()
    return (time.process_time() - started) * 1000 / n


def calls_a_request(action, n: int = 20) -> float:
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(n):
        action()
    profile.disable()
    return pstats.Stats(profile).total_calls / n


def main() -> None:
    args = arguments()
    set_up(args)
    from django.db import connection, reset_queries, transaction
    from django.test.utils import CaptureQueriesContext

    block = transaction.atomic()
    if args.read_only:
        block.__enter__()
    try:
        searcher = Searcher(match_bodies(args.bodies))
        for _ in range(args.warm):  # imports, caches, the connection
            searcher.post()
        if args.posts_only:
            for _ in range(args.requests):
                searcher.post()
            return
        if args.profile:
            profile = cProfile.Profile(time.process_time)
            profile.enable()
            for _ in range(args.profile):
                searcher.post()
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(70)
            pstats.Stats(profile).sort_stats("tottime").print_stats(40)
            return
        requests, finds = [], []
        for _ in range(args.sittings):
            requests.append(cpu_ms(searcher.post, args.requests))
            finds.append(cpu_ms(searcher.find, args.requests))
        reset_queries()  # as each request starts: the capture must start from none
        with CaptureQueriesContext(connection) as captured:
            searcher.post()
        statements = [query["sql"] for query in captured.captured_queries]
        figures = {
            "code": str(ROOT),
            "database": args.database.rsplit("/", 1)[-1],
            "bodies": len(searcher.bodies),
            "requests a sitting": args.requests,
            "request cpu ms": requests,
            "find_matches cpu ms": finds,
            "calls a request": calls_a_request(searcher.post),
            "calls a find_matches": calls_a_request(searcher.find),
            "statements": len(statements),
        }
    finally:
        if args.read_only:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)
    print(
        f"{ROOT}: {args.sittings} sittings of {args.requests} POSTs, {len(searcher.bodies)} bodies"
    )
    print("CPU ms a request:      " + " ".join(f"{v:.2f}" for v in requests))
    print("CPU ms a find_matches: " + " ".join(f"{v:.2f}" for v in finds))
    print(
        f"median: request {statistics.median(requests):.2f} ms, find_matches "
        f"{statistics.median(finds):.2f} ms"
    )
    print(
        f"Python function calls: a request {figures['calls a request']:,.0f}, a "
        f"find_matches {figures['calls a find_matches']:,.0f}"
    )
    print(f"SQL statements of one request: {figures['statements']}")
    for sql in statements:
        print("  " + (sql if os.environ.get("FULL_SQL") else sql[:150]))
    if args.json:
        with open(args.json, "a") as out:
            out.write(json.dumps(figures) + "\n")


if __name__ == "__main__":
    main()
