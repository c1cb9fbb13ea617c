from django.apps import AppConfig
from django.db.models.signals import post_migrate

# The migrations that bring in the append-only triggers (audit/triggers.py): the audit
# events', and the access log's.
TRIGGERS_MIGRATION = ("audit", "0003_audit_events_append_only")
ACCESS_LOG_TRIGGER_MIGRATION = ("audit", "0008_access_log_kept_as_written")


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        from audit import signals  # noqa: F401

        post_migrate.connect(reinstall_triggers, sender=self)


def reinstall_triggers(sender, using, **kwargs) -> None:
    """After every migrate, create the append-only triggers if a migration that rebuilt
    the table (SQLite does that for most field changes) took them away."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from audit import triggers

    connection = connections[using]
    applied = MigrationRecorder(connection).applied_migrations()
    if TRIGGERS_MIGRATION in applied:
        triggers.install(connection)
    if ACCESS_LOG_TRIGGER_MIGRATION in applied:
        triggers.keep_as_written(connection, [triggers.ACCESS_LOG_TABLE])
