from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate

# The migration that brings in the triggers in triage/triggers.py.
TRIGGERS_MIGRATION = ("triage", "0003_decided_status_follows_the_decision")


class TriageConfig(AppConfig):
    name = "triage"
    verbose_name = "Triage"

    def ready(self) -> None:
        pre_migrate.connect(drop_triggers_on_sqlite, sender=self)
        post_migrate.connect(reinstall_triggers, sender=self)


def drop_triggers_on_sqlite(sender, using, **kwargs) -> None:
    """SQLite rebuilds a table for most field changes (new table, copy, drop, rename), and
    cannot rename the new table into place while a trigger on another table names it: a
    later migration of referrals_referral or triage_decision would fail. So on SQLite the
    decided-status triggers are off while migrations run, and put back after."""
    from django.db import connections

    from triage import triggers

    connection = connections[using]
    if connection.vendor == "sqlite":
        triggers.uninstall(connection)


def reinstall_triggers(sender, using, **kwargs) -> None:
    """After every migrate (and flush), create whichever decided-status triggers are
    missing: all of them on SQLite, where they are off while migrations run; any that a
    migration dropped on PostgreSQL. Once their migration has run, not after it is
    unapplied."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from triage import triggers

    connection = connections[using]
    if TRIGGERS_MIGRATION in MigrationRecorder(connection).applied_migrations():
        triggers.install(connection)
