"""Which reads may be served by the read replica: pure, no Django.

A read replica (DATABASE_REPLICA_URL, frontdoor/settings.py) is behind its primary by
however long replication takes, seconds at worst in normal running. Only reads that
change nothing and can stand being that far behind go to it: the managers' dashboard
(its figures, page and API), the performance pages and their CSVs, and the exports (the
CIN census, a child's subject-access export). Everything else, and every write, uses the
primary.

A read path says so by doing its reading inside ``lag_tolerant_reads()``; the database
router (frontdoor.db_router) then sends the block's queries to the replica when one is
configured, and to the primary otherwise. Writes never follow the flag, and reads inside
a transaction on the primary stay on the primary (they must see what it has written).
Write what the block reads to the primary outside it (the access log of an export).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

PRIMARY = "default"
REPLICA = "replica"

_lag_tolerant: ContextVar[bool] = ContextVar("frontdoor_lag_tolerant_reads", default=False)


@contextmanager
def lag_tolerant_reads() -> Iterator[None]:
    """Reads inside the block may come from the read replica, seconds behind."""
    token = _lag_tolerant.set(True)
    try:
        yield
    finally:
        _lag_tolerant.reset(token)


def reads_may_lag() -> bool:
    """Whether the code running now is inside ``lag_tolerant_reads()``."""
    return _lag_tolerant.get()
