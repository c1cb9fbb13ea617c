# ruff: noqa: S608 - EXPLAIN of the statements the app itself just ran
"""The queue page's SQL and what each statement costs PostgreSQL, read-only.

    .venv/bin/python bench/queue_sql.py --database postgres://postgres@127.0.0.1:5432/frontdoor_bench_pages
    .venv/bin/python bench/queue_sql.py ... --variants page200 concern --explain
    .venv/bin/python bench/queue_sql.py ... --repeat 300      # more runs: finer CPU figures
    .venv/bin/python bench/queue_sql.py ... --statement "SELECT ..."   # one statement's

For the screener ``bench_pages`` measures (the one with the most open referrals
allocated), each variant of the queue (the first page, page 200, ``?concern=neglect``;
``--variants``) is served by the queue's own view in-process (RequestFactory, no session,
no middleware) and its statements captured; ``--explain`` prints ``EXPLAIN (ANALYZE,
BUFFERS)`` of each SELECT. Then it reads the CPU that this connection's PostgreSQL
backend spent (user + system time from /proc/<pid>/stat, which needs PostgreSQL on this
machine and the rights to read its processes) over ``--repeat`` runs of the whole page
and of each statement alone, and the app's own CPU (``time.process_time()``) over the
same page runs: CPU, not wall time, as the machine may be busy with other work.

Nothing is written: every transaction of its connection is read-only
(``default_transaction_read_only``), and the page's access-log row (``log_list``, the one
INSERT a queue page makes) is left out, so it may run on a database others are measuring.
The session, the user and that INSERT are not among the statements shown (no session
middleware runs); the rest are the page's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import inprocess, procstat  # noqa: E402

VARIANTS = {
    "page1": {},
    "page200": {"page": "200"},
    "concern": {"concern": "neglect"},
    "concern_page2": {"concern": "neglect", "page": "2"},
    "agency": {"agency": "{agency}"},
    "assigned": {"assigned_to": "{screener}"},
}


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="PostgreSQL URL (only read)")
    parser.add_argument(
        "--variants", nargs="*", default=["page1", "page200", "concern"], choices=list(VARIANTS)
    )
    parser.add_argument("--repeat", type=int, default=200, help="runs for each CPU figure")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN (ANALYZE, BUFFERS) each")
    parser.add_argument(
        "--statement",
        action="append",
        default=[],
        metavar="SQL",
        help="instead of the pages: one SELECT's backend CPU and plan (repeatable)",
    )
    return parser.parse_args()


def set_up(args) -> None:
    args.broker = "redis://127.0.0.1:6379/15"  # nothing is queued
    inprocess.set_up(args, name="queue-sql", migrate=False, static=True)
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only")
    # Before the first connection: every transaction of it read-only.
    options = connection.settings_dict.setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c default_transaction_read_only=on".strip()
    connection.force_debug_cursor = True  # capture statements with DEBUG off


class Page:
    """The queue's view for one screener, with no session and no access-log row."""

    def __init__(self):
        from django.test import RequestFactory

        from triage import screening_views

        screening_views.log_list = lambda **kwargs: None  # its one write
        self.view = screening_views.queue
        self.screener, self.agency = inprocess.busiest_screener_and_agency()
        self.factory = RequestFactory()

    def query(self, variant: str) -> dict:
        return {
            key: value.format(screener=self.screener.pk, agency=self.agency)
            for key, value in VARIANTS[variant].items()
        }

    def get(self, variant: str) -> bytes:
        request = self.factory.get("/triage/", self.query(variant), secure=True)
        request.user = self.screener
        response = self.view(request)
        assert response.status_code == 200, response.status_code
        return response.content


def backend_seconds(pid: int) -> float:
    seconds = procstat.cpu_seconds(pid)
    if seconds is None:
        sys.exit(f"cannot read /proc/{pid}/stat: run this on PostgreSQL's machine")
    return seconds


def cpu_ms(action, n: int, backend: int) -> tuple[float, float]:
    """(app, backend) ms of CPU a call of ``action``, over ``n`` calls."""
    app, db = time.process_time(), backend_seconds(backend)
    for _ in range(n):
        action()
    return (
        (time.process_time() - app) * 1000 / n,
        (backend_seconds(backend) - db) * 1000 / n,
    )


def main() -> None:
    args = arguments()
    set_up(args)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    if args.statement:
        for sql in args.statement:
            measure(connection, sql, backend, args)
        return
    page = Page()
    database = args.database.rsplit("/", 1)[-1]
    print(f"{database}: screener {page.screener.pk}, agency {page.agency}, backend {backend}")
    for variant in args.variants:
        for _ in range(5):  # warm: imports, caches, the rows' statement compiled
            page.get(variant)
        connection.queries_log.clear()  # the log keeps 9,000: the capture needs room
        with CaptureQueriesContext(connection) as captured:
            page.get(variant)
        statements = [q["sql"] for q in captured.captured_queries]
        print(f"\n## {variant}: /triage/?{page.query(variant)}: {len(statements)} statements")
        runs = [cpu_ms(lambda v=variant: page.get(v), args.repeat, backend) for _ in range(3)]
        app = statistics.median(r[0] for r in runs)
        db = statistics.median(r[1] for r in runs)
        print(
            f"page: app CPU {app:.2f} ms, PostgreSQL backend CPU {db:.2f} ms "
            f"(median of 3 x {args.repeat})"
        )
        for i, sql in enumerate(statements, 1):
            measure(connection, sql, backend, args, label=f"{i}.")


def measure(connection, sql: str, backend: int, args, label: str = "-") -> None:
    """One statement's backend CPU over ``--repeat`` runs (the median of three), its
    EXPLAIN figures, and its whole plan with ``--explain``."""
    with connection.cursor() as cursor:

        def run():
            cursor.execute(sql)
            cursor.fetchall()

        for _ in range(5):
            run()
        alone = statistics.median(cpu_ms(run, args.repeat, backend)[1] for _ in range(3))
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0][0]
        top = plan["Plan"]
        print(
            f"  {label} backend CPU {alone:.3f} ms, EXPLAIN: execution "
            f"{plan['Execution Time']:.3f} ms, planning {plan['Planning Time']:.3f} ms, shared "
            f"hits {top.get('Shared Hit Blocks', 0)}, reads {top.get('Shared Read Blocks', 0)}"
        )
        print(f"     {sql[:300]}{'...' if len(sql) > 300 else ''}")
        if args.explain:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            for (text,) in cursor.fetchall():
                print("     | " + text)


if __name__ == "__main__":
    main()
