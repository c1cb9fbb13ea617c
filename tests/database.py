"""For tests of what the database itself refuses, whatever code writes to it."""

from django.db import IntegrityError, connection, transaction


def refused(write) -> bool:
    """True when the database refuses ``write``: at once (check constraints, triggers)
    or when its constraints are checked (foreign keys wait for the commit on SQLite and
    PostgreSQL alike; ``check_constraints`` checks them now). The write is rolled back
    either way."""
    try:
        with transaction.atomic():
            write()
            connection.check_constraints()
            raise _Accepted
    except IntegrityError:
        return True
    except _Accepted:
        return False


class _Accepted(Exception):
    """Rolls an accepted write back, so that each probe starts from the same rows."""
