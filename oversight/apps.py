from django.apps import AppConfig
from django.db.models.signals import post_migrate

# The migration that has the database refuse changes to the history tables.
TRIGGERS_MIGRATION = ("oversight", "0001_history_kept_as_written")


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = "Oversight"

    def ready(self) -> None:
        # Not ``sender=self``: the history tables are other apps', and a migrate of one
        # of them alone (SQLite rebuilding triage's decision history tables took their
        # triggers away) must put the triggers back. (Django sends post_migrate only for
        # apps with a models module; this app had none when this was written.) It runs
        # once for each app migrated; each run after the first finds nothing missing.
        post_migrate.connect(reinstall_triggers, dispatch_uid="oversight.reinstall_triggers")


def reinstall_triggers(sender, using, **kwargs) -> None:
    """After every migrate, refuse changes to every history table again: a table a later
    migration made, or one SQLite rebuilt (taking its triggers away), is covered too."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from oversight import triggers

    connection = connections[using]
    if TRIGGERS_MIGRATION in MigrationRecorder(connection).applied_migrations():
        triggers.install(connection)
