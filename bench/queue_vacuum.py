# ruff: noqa: S311, S608 - random picks for a synthetic workload; fixed SQL
"""The queue's index-only reads under screening's updates, and what autovacuum does.

    .venv/bin/python bench/queue_vacuum.py --database postgres://postgres@127.0.0.1:5432/frontdoor_bench_x
    .venv/bin/python bench/queue_vacuum.py ... --updates 3000 --rate 10 --sample 20 --vacuum-first

Writes: a database whose name contains "bench" (loaded by ``national.py``). One
connection updates open referrals as screening does, one transaction a step
(``SELECT ... FOR UPDATE``, then the step's UPDATE): a received referral is allocated
(status screening), a referral being screened is recommended on (awaiting decision), one
awaiting a decision is re-allocated; every step changes indexed columns, so none is a
HOT update, as in the services (triage.services.screening). ``--rate`` steps a second,
``--updates`` in all. No referral is decided and none arrives, so the queue keeps its
size. Every ``--sample`` seconds another connection runs the queue's index-only
statements (the open referrals' count, the concern filter's count, the first page's and
the last page's ids) under ``EXPLAIN (ANALYZE, BUFFERS)`` for their heap fetches, then
each five times for its median time, and reads ``pg_stat_user_tables`` for the
referrals: dead rows, autovacuum runs. The table's storage parameters (``ALTER TABLE
... SET/RESET``) are whatever the database has; they are printed first.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import threading
import time

import psycopg2

OPEN = "NOT (status = 'decided')"
NEGLECT = (
    "CASE WHEN concern_mask IS NULL THEN (SELECT 1 FROM referrals_referralconcern fd_hc "
    "WHERE fd_hc.referral_id = referrals_referral.id AND fd_hc.category = 'neglect' LIMIT 1) "
    "IS NOT NULL ELSE (concern_mask & 1) <> 0 END"
)
# The queue's statements that read referral_queue_idx (and the open referrals' other
# partial indexes) alone, as the app sends them (docs/PERFORMANCE.md's plans).
STATEMENTS = {
    "count": f"SELECT COUNT(*) FROM referrals_referral WHERE {OPEN}",
    "concern count": f"SELECT COUNT(*) FROM referrals_referral WHERE {OPEN} AND {NEGLECT}",
    "page 1 ids": f"SELECT id FROM referrals_referral WHERE {OPEN} "
    "ORDER BY immediate_risk DESC, decision_due_at ASC, id ASC LIMIT 50",
    "last page ids": f"SELECT id FROM referrals_referral WHERE {OPEN} "
    "ORDER BY immediate_risk ASC, decision_due_at DESC, id DESC LIMIT 50",
}
STATS = (
    "SELECT n_live_tup, n_dead_tup, n_tup_upd, n_tup_hot_upd, autovacuum_count, "
    "last_autovacuum, autoanalyze_count FROM pg_stat_user_tables "
    "WHERE relname = 'referrals_referral'"
)


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="PostgreSQL URL (written to)")
    parser.add_argument("--updates", type=int, default=3000, help="screening steps (3,000)")
    parser.add_argument("--rate", type=float, default=10.0, help="steps a second (10)")
    parser.add_argument("--sample", type=float, default=20.0, help="seconds between samples")
    parser.add_argument("--after", type=float, default=90.0, help="seconds sampled after (90)")
    parser.add_argument(
        "--vacuum-first",
        action="store_true",
        help="VACUUM (INDEX_CLEANUP ON) ANALYZE the referrals before: every page all-visible",
    )
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    if "bench" not in args.database.rsplit("/", 1)[-1]:
        parser.error("use a database whose name contains 'bench': this writes into it")
    return args


def heap_fetches(plan: dict) -> int:
    return plan.get("Heap Fetches", 0) + sum(heap_fetches(p) for p in plan.get("Plans", []))


def sample(cursor, started: float, done: int) -> dict:
    row = {"s": round(time.monotonic() - started), "updates": done}
    for name, sql in STATEMENTS.items():
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0][0]
        times = []
        for _ in range(5):
            began = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            times.append((time.perf_counter() - began) * 1000)
        row[name] = {
            "heap": heap_fetches(plan["Plan"]),
            "buffers": plan["Plan"].get("Shared Hit Blocks", 0)
            + plan["Plan"].get("Shared Read Blocks", 0),
            "ms": round(statistics.median(times), 2),
        }
    cursor.execute("SELECT pg_stat_clear_snapshot()")
    cursor.execute(STATS)
    live, dead, upd, hot, autovacuums, last, autoanalyzes = cursor.fetchone()
    row.update(dead=dead, autovacuums=autovacuums, autoanalyzes=autoanalyzes, last=str(last))
    return row


def show(row: dict) -> None:
    parts = [f"{row['s']:>5} s {row['updates']:>6} upd"]
    for name in STATEMENTS:
        figures = row[name]
        parts.append(f"{name}: {figures['heap']:>5} heap {figures['ms']:>6.2f} ms")
    parts.append(f"dead {row['dead']:>6}  autovacuums {row['autovacuums']}")
    print(" | ".join(parts), flush=True)


def screen(connection, ids: list[int], screeners: list[int], args, progress: list[int]) -> None:
    """One screening step a transaction at ``--rate`` a second, on a random open
    referral."""
    rng = random.Random(args.seed)
    started = time.monotonic()
    with connection.cursor() as cursor:
        for step in range(args.updates):
            delay = started + step / args.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            referral = rng.choice(ids)
            cursor.execute(
                "SELECT status FROM referrals_referral WHERE id = %s FOR UPDATE", [referral]
            )
            status = cursor.fetchone()[0]
            screener = rng.choice(screeners)
            if status == "received":
                cursor.execute(
                    "UPDATE referrals_referral SET assigned_to_id = %s, assigned_at = now(), "
                    "status = 'screening' WHERE id = %s",
                    [screener, referral],
                )
            elif status == "screening":
                cursor.execute(
                    "UPDATE referrals_referral SET recommended_outcome = 'early_help', "
                    "recommendation = 'Early help would meet these needs: the family agrees.', "
                    "recommended_by_id = assigned_to_id, recommended_at = now(), "
                    "status = 'awaiting_decision' WHERE id = %s",
                    [referral],
                )
            else:
                cursor.execute(
                    "UPDATE referrals_referral SET assigned_to_id = %s, assigned_at = now() "
                    "WHERE id = %s",
                    [screener, referral],
                )
            connection.commit()
            progress[0] = step + 1


def main() -> None:
    args = arguments()
    reader = psycopg2.connect(args.database)
    reader.autocommit = True
    writer = psycopg2.connect(args.database)
    with reader.cursor() as cursor:
        cursor.execute("SET jit = off")  # as the app's connections have it
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'referrals_referral'")
        print("referrals_referral reloptions:", cursor.fetchone()[0], flush=True)
        if args.vacuum_first:
            cursor.execute("VACUUM (INDEX_CLEANUP ON, ANALYZE) referrals_referral")
        cursor.execute(f"SELECT id FROM referrals_referral WHERE {OPEN} ORDER BY id")
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT id FROM agencies_user WHERE role = 'screener' AND is_active ORDER BY id"
        )
        screeners = [row[0] for row in cursor.fetchall()]
        print(f"{len(ids):,} open referrals, {len(screeners)} screeners", flush=True)
        progress = [0]
        worker = threading.Thread(target=screen, args=(writer, ids, screeners, args, progress))
        started = time.monotonic()
        rows = [sample(cursor, started, 0)]
        show(rows[-1])
        worker.start()
        ends = None
        while ends is None or time.monotonic() < ends:
            time.sleep(args.sample)
            rows.append(sample(cursor, started, progress[0]))
            show(rows[-1])
            if ends is None and not worker.is_alive():
                ends = time.monotonic() + args.after
        worker.join()
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
