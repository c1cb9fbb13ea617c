"""A "replica" alias for the tests that read from one (import ``replica_alias`` into the
test module: it is autouse there, and its tests say databases=[PRIMARY, REPLICA])."""

import pytest
from django.db import connections

from core.db import PRIMARY, REPLICA


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup, django_db_blocker):
    """A "replica" alias, as DATABASE_REPLICA_URL gives one, mirroring the test database:
    its own connection to the same database."""
    primary = connections[PRIMARY].settings_dict
    connections.settings[REPLICA] = {
        **primary,
        "TEST": {**primary["TEST"], "MIRROR": PRIMARY},
    }
    yield
    with django_db_blocker.unblock():
        connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]
