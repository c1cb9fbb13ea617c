"""The database router: the read replica for lag-tolerant reads only (core.db).

Without DATABASE_REPLICA_URL there is no "replica" alias and everything uses "default",
as it would with no router. With it:

- a read inside ``core.db.lag_tolerant_reads()`` goes to "replica", unless the primary
  connection is inside a transaction (``atomic``): a transaction reads what it wrote;
- every other read, and every write, goes to "default" (an object read from the replica
  is saved to the primary, never to the replica);
- objects from either may be related to each other (they are the same database);
- migrations run on "default" only; the replica follows by replication.
"""

from __future__ import annotations

from django.db import connections

from core.db import PRIMARY, REPLICA, reads_may_lag


def replica_configured() -> bool:
    return REPLICA in connections.settings


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str:
        if reads_may_lag() and replica_configured() and not connections[PRIMARY].in_atomic_block:
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints) -> str:
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == PRIMARY
