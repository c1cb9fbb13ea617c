"""What a run of bench/bench_pages.py adds, taken out again, so that the next run with
``--reuse`` measures the data as it was loaded.

Every referral the benchmark POSTs (the "submit" scenario, its in-process count and its
checked request; ``--serve``'s for bench/crosscheck; bench_post_ab.py's) is made by one
user, the benchmark's referrer (``pages_subjects.REFERRER_USERNAME``), whom prepare()
makes after bench/national.py has loaded the data: national.py makes no user of that name
and no referral of the loaded data is theirs. So the run's rows are found by that
referrer, and a run stopped midway leaves nothing the next run's cleanup cannot find.

What one API POST writes (counted on a small database, row counts of every table before
and after): a submission, the referral, its concerns and household members, an
Idempotency-Key record when one is sent, the acknowledgement's notice event and its inbox
and email notifications, the SUBMITTED audit event, and the history versions of the
referral, its concerns and its household members. The bare DRF baseline's rows
(bench.baseline's table, benchmark-only) are removed whole.

The audit events, the access log and the history tables are kept as written: a trigger
refuses DELETE on PostgreSQL (audit/triggers.py, oversight.triggers). Their rows here
are removed with ``session_replication_role = replica`` set for this one transaction, which
fires no ordinary trigger: acceptable because the benchmark connects as the postgres
superuser to a database of its own (the name holds "bench"), and only these synthetic
rows are touched. The tables with foreign keys are emptied first, with the triggers on,
so that a row left pointing at a removed one stops the transaction instead.

Then VACUUM (ANALYZE) of every table a row was removed from: this PostgreSQL runs with
autovacuum off, and the queue's counts are index-only scans that need the pages marked
all-visible again (docs/PERFORMANCE.md, "Keeping the queue's index-only reads").
"""

from __future__ import annotations

from bench.pages_subjects import REFERRER_USERNAME

# (table, condition): %(referrals)s is the run's referral ids, %(submissions)s their
# submissions'. In this order: what points at a referral before the referral.
# The ids go as bigint[] (psycopg2 sends a list of ints as an int[]): against a bigint
# column an int[] is searched element by element for every row of a sequential scan, a
# hashed look-up only when both sides are one type; 6,300 ids against the 11 million
# notice events took over five minutes that way, and a second cast.
WITH_KEYS = (
    ("referrals_idempotencyrecord", "referral_id = ANY(%(referrals)s::bigint[])"),
    ("referrals_referralconcern", "referral_id = ANY(%(referrals)s::bigint[])"),
    ("referrals_householdmember", "referral_id = ANY(%(referrals)s::bigint[])"),
    ("referrals_coachingprompt", "referral_id = ANY(%(referrals)s::bigint[])"),
    (
        "notices_notification",
        "event_id IN (SELECT id FROM notices_noticeevent "
        "WHERE referral_id = ANY(%(referrals)s::bigint[]))",
    ),
    ("notices_noticeevent", "referral_id = ANY(%(referrals)s::bigint[])"),
    ("referrals_referral", "id = ANY(%(referrals)s::bigint[])"),
    (
        "referrals_submission",
        "id = ANY(%(submissions)s::bigint[]) AND NOT EXISTS (SELECT 1 FROM referrals_referral AS r "
        "WHERE r.submission_id = referrals_submission.id) AND NOT EXISTS (SELECT 1 FROM "
        "referrals_referraldraft AS d WHERE d.submission_id = referrals_submission.id)",
    ),
)
# Kept as written: removed with the triggers off (above).
KEPT_AS_WRITTEN = (
    ("audit_auditevent", "referral_id = ANY(%(referrals)s::bigint[])"),
    ("audit_accesslog", "kind = 'referral' AND object_id = ANY(%(referrals)s::bigint[])"),
    ("referrals_historicalreferral", "id = ANY(%(referrals)s::bigint[])"),
    ("referrals_historicalreferralconcern", "referral_id = ANY(%(referrals)s::bigint[])"),
    ("referrals_historicalhouseholdmember", "referral_id = ANY(%(referrals)s::bigint[])"),
)


def remove_posted(*, vacuum: bool = True) -> dict[str, int]:
    """Remove what the benchmark's POSTs added (the module's docstring): the rows
    removed, by table (none: {}). ``vacuum``: VACUUM (ANALYZE) the tables touched after
    (not possible inside a transaction, as a test's)."""
    from django.apps import apps
    from django.db import connection, transaction

    removed: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.id, r.submission_id FROM referrals_referral AS r "
            "JOIN agencies_user AS u ON u.id = r.referrer_id WHERE u.username = %s "
            "UNION SELECT NULL, s.id FROM referrals_submission AS s "
            "JOIN agencies_user AS u ON u.id = s.submitted_by_id WHERE u.username = %s",
            [REFERRER_USERNAME, REFERRER_USERNAME],
        )
        rows = cursor.fetchall()
        ids = {
            "referrals": sorted({r for r, _ in rows if r is not None}),
            "submissions": sorted({s for _, s in rows}),
        }
        if ids["referrals"] or ids["submissions"]:
            for table, condition in WITH_KEYS:
                cursor.execute(f"DELETE FROM {table} WHERE {condition}", ids)  # noqa: S608 - ours
                removed[table] = cursor.rowcount
            # Bench data only, as the superuser on the benchmark's own database: the
            # triggers that keep these tables as written stay off until this transaction
            # ends (SET LOCAL), and fire again for everything else.
            cursor.execute("SET LOCAL session_replication_role = replica")
            for table, condition in KEPT_AS_WRITTEN:
                cursor.execute(f"DELETE FROM {table} WHERE {condition}", ids)  # noqa: S608 - ours
                removed[table] = cursor.rowcount
            cursor.execute("SET LOCAL session_replication_role = origin")
        if apps.is_installed("bench.baseline"):
            from bench.baseline.models import BaselineRow

            table = BaselineRow._meta.db_table
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - the model's own table
            removed[table] = cursor.rowcount
    removed = {table: n for table, n in removed.items() if n}
    if vacuum and removed:
        with connection.cursor() as cursor:
            for table in removed:
                cursor.execute(f"VACUUM (ANALYZE) {table}")
    return removed


def describe(removed: dict[str, int]) -> str:
    """One line for stdout and the report."""
    if not removed:
        return "nothing to remove"
    referrals = removed.get("referrals_referral", 0)
    rest = sum(removed.values()) - referrals
    tables = ", ".join(f"{table} {n:,}" for table, n in removed.items())
    return f"{referrals:,} referrals and {rest:,} other rows removed ({tables})"
