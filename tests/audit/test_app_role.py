"""The application's database role (``manage.py grant_app_role``, audit/db_roles.py) can
read and append to the audit trail but not change it, nor take away the triggers that
guard it: PostgreSQL refuses by privilege, before any trigger runs. A throwaway role,
named after the test database and dropped at the end, connects as the application would.
The suite itself still runs as the user DATABASE_URL names (a superuser in CI)."""

from __future__ import annotations

import secrets

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg2 import errors

from audit import triggers
from audit.db_roles import append_only_tables
from referrals.references import sequence_name, years_to_prepare

POSTGRES_ONLY = pytest.mark.postgres(reason="database roles are PostgreSQL's")
HISTORY_TABLE = "agencies_historicalagency"
# One of each kind of kept table, and the trigger that guards it.
KEPT = {
    "audit_auditevent": "audit_event_append_only",
    triggers.ACCESS_LOG_TABLE: triggers.KEPT_TRIGGER,
    HISTORY_TABLE: triggers.KEPT_TRIGGER,
}


@pytest.mark.django_db
def test_the_append_only_tables_are_the_ones_the_triggers_keep():
    """Found from the models (the audit models and every simple_history model), so a new
    history table is covered by the grant as it is by the triggers."""
    tables = set(append_only_tables())

    assert tables == triggers.kept_tables(connection) | {triggers.TABLE}
    assert {"audit_auditevent", "audit_accesslog", HISTORY_TABLE} <= tables
    assert {"referrals_historicalreferral", "triage_historicaldecision"} <= tables


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="what the embedded mode says")
def test_the_command_refuses_sqlite_clearly():
    with pytest.raises(CommandError, match="Database roles are PostgreSQL's"):
        call_command("grant_app_role", "frontdoor_app")


# --- PostgreSQL: a role of our own ---------------------------------------------------


def _drop_role(cursor, role: str) -> None:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    if cursor.fetchone():
        cursor.execute(f"DROP OWNED BY {role}")  # its grants in this database
        cursor.execute(f"DROP ROLE {role}")


@pytest.fixture(scope="module")
def app_role(django_db_setup, django_db_blocker):
    """A role granted as an operator would (committed), and a connection as it."""
    settings = connection.settings_dict
    role = settings["NAME"].removeprefix("test_") + "_app_test"
    password = secrets.token_urlsafe(16)
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = user")
            if not cursor.fetchone()[0]:
                pytest.skip("the suite's database user may not create roles")
            _drop_role(cursor, role)  # left by an interrupted run
            cursor.execute(f"CREATE ROLE {role} LOGIN PASSWORD %s", [password])
        try:
            call_command("grant_app_role", role, verbosity=0)
            app = psycopg2.connect(
                dbname=settings["NAME"],
                host=settings["HOST"] or None,
                port=settings["PORT"] or None,
                user=role,
                password=password,
            )
            try:
                yield role, app
            finally:
                app.close()
        finally:
            with connection.cursor() as cursor:
                _drop_role(cursor, role)


@pytest.fixture
def as_app(app_role):
    """A cursor as the application's role, in a transaction rolled back afterwards."""
    _, app = app_role
    with app.cursor() as cursor:
        yield cursor
    app.rollback()


def _refused(cursor, sql: str, params=None) -> bool:
    """True when PostgreSQL refuses ``sql`` for want of a privilege (not a trigger's
    refusal, which is another error)."""
    cursor.execute("SAVEPOINT probe")
    try:
        cursor.execute(sql, params)
    except errors.InsufficientPrivilege:
        cursor.execute("ROLLBACK TO SAVEPOINT probe")
        return True
    cursor.execute("RELEASE SAVEPOINT probe")
    return False


def _insert_audit_event(cursor) -> int:
    cursor.execute(
        "INSERT INTO audit_auditevent "
        "(at, kind, actor_username, actor_role, reference, object_type, detail) "
        "VALUES (now(), 'note_added', '', '', '', '', '{}') RETURNING id"
    )
    return cursor.fetchone()[0]


@POSTGRES_ONLY
def test_the_app_role_appends_to_the_audit_trail(as_app):
    event_id = _insert_audit_event(as_app)

    as_app.execute("SELECT kind FROM audit_auditevent WHERE id = %s", [event_id])
    assert as_app.fetchone() == ("note_added",)


@POSTGRES_ONLY
@pytest.mark.parametrize("table", KEPT)
def test_the_app_role_cannot_update_delete_or_truncate_a_kept_table(as_app, table):
    assert _refused(as_app, f"UPDATE {table} SET id = id")  # noqa: S608 - our table names
    assert _refused(as_app, f"DELETE FROM {table}")  # noqa: S608
    assert _refused(as_app, f"TRUNCATE {table}")


@POSTGRES_ONLY
@pytest.mark.parametrize("table", KEPT)
def test_the_app_role_cannot_delete_even_with_the_erasure_setting(as_app, table):
    """The setting opens the triggers to the tables' owner only (audit 0015); the app
    role owns nothing and has no DELETE on these tables, so it is refused first by
    privilege (and the trigger would refuse it too: tests/audit/test_erasure_triggers.py)."""
    as_app.execute(f"SET LOCAL {triggers.ERASE_SETTING} = 'on'")

    assert _refused(as_app, f"DELETE FROM {table}")  # noqa: S608 - our table names


@POSTGRES_ONLY
def test_the_app_role_cannot_run_the_erasure(as_app, app_role):
    """``retention_erase`` checks whom it is connected as before anything else."""
    from oversight.erasure import ErasureRefused, check_owner

    role, app = app_role

    class AsApp:  # the app role's connection, as the check reads it
        vendor = "postgresql"

        @staticmethod
        def cursor():
            return app.cursor()

    with pytest.raises(ErasureRefused, match=f'Connected as "{role}", which does not own'):
        check_owner(AsApp)


@POSTGRES_ONLY
@pytest.mark.parametrize("table", KEPT)
def test_the_app_role_cannot_disable_or_drop_the_triggers(as_app, table):
    trigger = KEPT[table]

    assert _refused(as_app, f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    assert _refused(as_app, f"ALTER TABLE {table} DISABLE TRIGGER ALL")
    assert _refused(as_app, f"DROP TRIGGER {trigger} ON {table}")
    assert _refused(as_app, f"ALTER TABLE {table} OWNER TO CURRENT_USER")


@POSTGRES_ONLY
def test_the_app_role_cannot_create_tables_or_functions(as_app):
    assert _refused(as_app, "CREATE TABLE audit_shadow (id int)")
    assert _refused(as_app, "CREATE FUNCTION audit_noop() RETURNS int AS 'SELECT 1' LANGUAGE sql")


@POSTGRES_ONLY
def test_the_app_role_takes_references_from_the_sequences_migrate_made_but_makes_none(as_app):
    """Every migrate makes the coming years' reference sequences as the owner
    (referrals/references.py), and the grant lets the application's role use them."""
    for year in years_to_prepare():
        as_app.execute("SELECT nextval(%s)", [sequence_name(year)])
        assert as_app.fetchone()[0] >= 1
    assert _refused(as_app, "CREATE SEQUENCE referrals_reference_shadow")


@POSTGRES_ONLY
def test_the_app_role_reads_and_writes_ordinary_tables_and_adds_history(as_app):
    as_app.execute(
        "INSERT INTO agencies_agency (name, type, is_active) "
        "VALUES ('Granted school', 'school', true) RETURNING id"
    )
    agency_id = as_app.fetchone()[0]
    as_app.execute("UPDATE agencies_agency SET is_active = false WHERE id = %s", [agency_id])
    assert as_app.rowcount == 1
    as_app.execute(
        f"INSERT INTO {HISTORY_TABLE} "  # noqa: S608 - our table name
        "(id, name, type, is_active, history_date, history_type) "
        "VALUES (%s, 'Granted school', 'school', false, now(), '~')",
        [agency_id],
    )
    as_app.execute("DELETE FROM agencies_agency WHERE id = %s", [agency_id])
    assert as_app.rowcount == 1
    assert not _refused(as_app, "SELECT count(*) FROM django_migrations")
    assert _refused(as_app, "DELETE FROM django_migrations")


def _acl(cursor) -> list:
    cursor.execute(
        "SELECT c.relname, c.relacl::text FROM pg_class c "
        "WHERE c.relnamespace = current_schema()::regnamespace ORDER BY c.relname"
    )
    return cursor.fetchall()


def _can(cursor, role: str, table: str, privilege: str) -> bool:
    """By a table grant or, for UPDATE, a grant on any of its columns."""
    cursor.execute(
        "SELECT has_table_privilege(%s, %s, %s) "
        "OR (%s = 'UPDATE' AND has_any_column_privilege(%s, %s, 'UPDATE'))",
        [role, table, privilege, privilege, role, table],
    )
    return cursor.fetchone()[0]


@POSTGRES_ONLY
@pytest.mark.django_db
def test_running_it_again_takes_away_what_was_added(app_role):
    role, _ = app_role
    with connection.cursor() as cursor:
        before = _acl(cursor)
        cursor.execute(f"GRANT UPDATE, DELETE, TRUNCATE ON audit_auditevent TO {role}")
        cursor.execute(f"GRANT UPDATE (username) ON audit_accesslog TO {role}")
        cursor.execute(f"GRANT CREATE ON SCHEMA public TO {role}")
        assert _can(cursor, role, "audit_auditevent", "UPDATE")

        call_command("grant_app_role", role, verbosity=0)

        assert not _can(cursor, role, "audit_auditevent", "UPDATE")
        assert not _can(cursor, role, "audit_auditevent", "TRUNCATE")
        assert not _can(cursor, role, "audit_accesslog", "UPDATE")
        cursor.execute("SELECT has_schema_privilege(%s, 'public', 'CREATE')", [role])
        assert cursor.fetchone()[0] is False
        assert _acl(cursor) == before


@POSTGRES_ONLY
@pytest.mark.django_db
def test_the_command_refuses_an_unknown_role_a_superuser_and_an_owner(app_role):
    role, _ = app_role
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = user")
        me, superuser = cursor.fetchone()

    with pytest.raises(CommandError, match='no database role "frontdoor_no_such_role"'):
        call_command("grant_app_role", "frontdoor_no_such_role")
    if superuser:
        with pytest.raises(CommandError, match="is a superuser"):
            call_command("grant_app_role", me)

    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE django_session OWNER TO {role}")  # rolled back after
    with pytest.raises(CommandError, match="owns django_session"):
        call_command("grant_app_role", role)
