"""The one DELETE the append-only tables' triggers let through on PostgreSQL (audit 0015):
erasure under the retention schedule, by the tables' owner, with ``SET LOCAL
frontdoor.retention_erase = 'on'`` in the same transaction. Without the setting the
owner is refused; with it, a role that does not own the tables is refused by the trigger
even when it has been granted DELETE; an UPDATE is refused to all. The application's
own role, which has no DELETE at all, is in tests/audit/test_app_role.py."""

from __future__ import annotations

import secrets

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit import triggers
from audit.models import AccessLog, AuditEvent
from tests.database import refused

pytestmark = [
    pytest.mark.postgres(reason="the triggers are PostgreSQL's"),
    pytest.mark.django_db,
]

# One table of each kind the triggers keep: audit events, the access log, a history table.
TABLES = ["audit_auditevent", triggers.ACCESS_LOG_TABLE, "agencies_historicalagency"]


@pytest.fixture
def rows():
    from tests import factories as f

    f.AgencyFactory()  # a version in agencies_historicalagency
    AuditEvent.objects.create(kind="decided")
    AccessLog.objects.create(username="u", role="auditor", kind="child", path="/")


def _run(*statements):
    def write():
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    return write


ERASING = f"SET LOCAL {triggers.ERASE_SETTING} = 'on'"


@pytest.fixture
def stranger():
    """A role that owns nothing (made and dropped inside the test's transaction)."""
    role = f"retention_stranger_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute(f"GRANT USAGE ON SCHEMA {connection.ops.quote_name('public')} TO {role}")
    return role


@pytest.mark.parametrize("table", TABLES)
def test_the_owner_deletes_only_with_the_setting(rows, table):
    assert refused(_run(f"DELETE FROM {table}"))  # noqa: S608 - our table names
    assert not refused(_run(ERASING, f"DELETE FROM {table}"))  # noqa: S608


@pytest.mark.parametrize("table", TABLES)
def test_an_update_is_refused_even_to_the_owner_erasing(rows, table):
    assert refused(_run(ERASING, f"UPDATE {table} SET id = id"))  # noqa: S608


def test_the_setting_lasts_only_its_transaction(rows):
    assert not refused(_run(ERASING, "DELETE FROM audit_auditevent"))
    AuditEvent.objects.create(kind="decided")

    assert refused(_run("DELETE FROM audit_auditevent"))


@pytest.mark.parametrize("table", TABLES)
def test_a_role_granted_delete_that_does_not_own_the_table_is_refused_by_the_trigger(
    rows, stranger, table
):
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT SELECT, DELETE ON {table} TO {stranger}")

    assert refused(_run(f"SET LOCAL ROLE {stranger}", ERASING, f"DELETE FROM {table}"))  # noqa: S608


def test_erasure_refuses_a_connection_that_does_not_own_the_tables(stranger):
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {stranger}")
    try:
        with pytest.raises(CommandError, match=rf'Connected as "{stranger}", which does not own'):
            call_command("retention_erase")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
