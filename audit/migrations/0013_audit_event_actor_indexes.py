"""Indexes on the audit events by actor, in order ((actor_id, at, id)), and by the
account an event is about (object_id where object_type is "user"): a person's download of
their own data (frontdoor.account_export) reads their events and those about their
account; without them it read the whole table, which grows with every case.

Built by audit.migration_indexes, as audit 0010 builds the access log's: on PostgreSQL
with CREATE INDEX CONCURRENTLY
(so the migration is not atomic; events are appended while they build) and IF NOT
EXISTS (an index built by hand beforehand is kept; a build that fails half way leaves an
invalid index of that name: DROP it and migrate again). SQLite builds them as usual. The
append-only triggers (0003) refuse UPDATE and DELETE only; building an index is neither.
"""

from django.db import migrations, models

from audit.migration_indexes import add_indexes_concurrently

INDEXES = [
    models.Index(fields=["actor_id", "at", "id"], name="auditevent_actor_at_idx"),
    models.Index(
        fields=["object_id"],
        condition=models.Q(object_type="user"),
        name="auditevent_about_user_idx",
    ),
]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("audit", "0012_account_data_exported_event")]

    operations = add_indexes_concurrently("audit.AuditEvent", INDEXES)
