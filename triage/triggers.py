"""The database keeps a referral's "decided" status and its Decision row in step.

A referral is decided when, and only when, a decision has been recorded for it. The
status stays a column of its own because the queue, the clock scan and their indexes
filter on it (``referral_open_due_idx`` is a partial index on ``status <> 'decided'``),
and a check constraint cannot look at another table, so triggers hold the rule, on
SQLite and PostgreSQL alike:

- recording a decision marks its referral decided, in the same statement;
- a write that would make a referral decided without a decision, or undecided with one,
  is refused (an IntegrityError naming ``referral_decided_iff_decision``);
- a decision cannot be moved to another referral (``decision_stays_with_its_referral``);
- deleting a decision (nothing in Front Door does: a decision is corrected by an
  amendment) reopens its referral, at the status that screening had reached. It is not
  refused because SQLite empties tables with DELETE, in no set order, when a test or
  ``manage.py flush`` clears the database.

The triggers run immediately, not at commit: SQLite has no deferred triggers, and the
same rule should hold the same way on both. The decide service records the decision and
then saves the status itself, so that the referral's history shows the change.

SQLite rebuilds a table for most field changes, dropping its triggers, and cannot put a
rebuilt table in place while another table's trigger names it. So on SQLite the triggers
are dropped before every ``migrate`` and created again after it (triage.apps); on
PostgreSQL their migration creates them, and ``install`` after every ``migrate`` puts
back any that are missing.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

# What a referral reopens at when its decision is deleted: the furthest point screening
# had reached (the status check constraint requires the same).
_REOPENED_STATUS = """
    CASE WHEN recommended_at IS NOT NULL THEN 'awaiting_decision'
         WHEN assigned_to_id IS NOT NULL THEN 'screening'
         ELSE 'received' END
"""

_DECIDED_DISAGREES = """
    (NEW.status = 'decided') <> EXISTS (
        SELECT 1 FROM triage_decision WHERE triage_decision.referral_id = NEW.id
    )
"""

_DISAGREES_MESSAGE = (
    "referral_decided_iff_decision: a referral is decided when, and only when, it has a decision"
)
_MOVED_MESSAGE = "decision_stays_with_its_referral: a decision cannot move to another referral"

SQLITE = {
    "referral_decided_iff_decision_on_insert": f"""
        CREATE TRIGGER IF NOT EXISTS referral_decided_iff_decision_on_insert
        AFTER INSERT ON referrals_referral
        WHEN {_DECIDED_DISAGREES}
        BEGIN SELECT RAISE(ABORT, '{_DISAGREES_MESSAGE}'); END
    """,
    "referral_decided_iff_decision_on_update": f"""
        CREATE TRIGGER IF NOT EXISTS referral_decided_iff_decision_on_update
        AFTER UPDATE OF status ON referrals_referral
        WHEN {_DECIDED_DISAGREES}
        BEGIN SELECT RAISE(ABORT, '{_DISAGREES_MESSAGE}'); END
    """,
    "decision_marks_referral_decided": """
        CREATE TRIGGER IF NOT EXISTS decision_marks_referral_decided
        AFTER INSERT ON triage_decision
        BEGIN
            UPDATE referrals_referral SET status = 'decided'
             WHERE id = NEW.referral_id AND status <> 'decided';
        END
    """,
    "decision_stays_with_its_referral": f"""
        CREATE TRIGGER IF NOT EXISTS decision_stays_with_its_referral
        BEFORE UPDATE OF referral_id ON triage_decision
        WHEN NEW.referral_id <> OLD.referral_id
        BEGIN SELECT RAISE(ABORT, '{_MOVED_MESSAGE}'); END
    """,
    "decision_deleted_reopens_referral": f"""
        CREATE TRIGGER IF NOT EXISTS decision_deleted_reopens_referral
        AFTER DELETE ON triage_decision
        BEGIN
            UPDATE referrals_referral SET status = {_REOPENED_STATUS}
             WHERE id = OLD.referral_id AND status = 'decided';
        END
    """,  # noqa: S608 - constant SQL, nothing from outside
}

# PostgreSQL: one function and trigger a table. Raised with SQLSTATE 23000, which the
# driver reports as an IntegrityError, as it does a check constraint's.
POSTGRESQL = {
    "referral_decided_iff_decision": f"""
        CREATE OR REPLACE FUNCTION referral_decided_iff_decision() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF {_DECIDED_DISAGREES} THEN
                RAISE EXCEPTION '{_DISAGREES_MESSAGE} (referral %, status %)',
                    NEW.id, NEW.status
                    USING ERRCODE = 'integrity_constraint_violation',
                          CONSTRAINT = 'referral_decided_iff_decision';
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER referral_decided_iff_decision
        AFTER INSERT OR UPDATE OF status ON referrals_referral
        FOR EACH ROW EXECUTE FUNCTION referral_decided_iff_decision();
    """,
    "decision_keeps_referral_status": f"""
        CREATE OR REPLACE FUNCTION decision_keeps_referral_status() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                UPDATE referrals_referral SET status = 'decided'
                 WHERE id = NEW.referral_id AND status <> 'decided';
            ELSIF TG_OP = 'UPDATE' THEN
                IF NEW.referral_id <> OLD.referral_id THEN
                    RAISE EXCEPTION '{_MOVED_MESSAGE} (decision %)', OLD.id
                        USING ERRCODE = 'integrity_constraint_violation',
                              CONSTRAINT = 'decision_stays_with_its_referral';
                END IF;
            ELSE
                UPDATE referrals_referral SET status = {_REOPENED_STATUS}
                 WHERE id = OLD.referral_id AND status = 'decided';
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER decision_keeps_referral_status
        AFTER INSERT OR DELETE OR UPDATE OF referral_id ON triage_decision
        FOR EACH ROW EXECUTE FUNCTION decision_keeps_referral_status();
    """,  # noqa: S608 - constant SQL, nothing from outside
}

TRIGGERS = {"sqlite": SQLITE, "postgresql": POSTGRESQL}


def installed(connection: BaseDatabaseWrapper) -> set[str]:
    """The names of this module's triggers that the database has."""
    names = set(TRIGGERS.get(connection.vendor, {}))
    if not names:
        return set()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN "
                "('referrals_referral'::regclass, 'triage_decision'::regclass)"
            )
        return names & {row[0] for row in cursor.fetchall()}


def install(connection: BaseDatabaseWrapper) -> list[str]:
    """Create whichever of the triggers the database lacks; return their names."""
    wanted = TRIGGERS.get(connection.vendor, {})
    missing = [name for name in wanted if name not in installed(connection)]
    with connection.cursor() as cursor:
        for name in missing:
            if connection.vendor == "postgresql":
                # A trigger without its function, or the reverse, is replaced whole.
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {_PG_TABLE[name]}")
            cursor.execute(wanted[name])
    return missing


def uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for name in TRIGGERS.get(connection.vendor, {}):
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {_PG_TABLE[name]}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


_PG_TABLE = {
    "referral_decided_iff_decision": "referrals_referral",
    "decision_keeps_referral_status": "triage_decision",
}
