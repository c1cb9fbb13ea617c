"""The application's database role on PostgreSQL: what the web server, the Celery worker
and beat connect as. It may read and write the ordinary tables, but only read and append
to the audit trail (audit events, the access log, every history table), and it owns
nothing, so it cannot drop or disable the triggers that refuse changes to those rows
(audit/triggers.py, oversight/triggers.py) nor create tables of its own.

The tables belong to another role, the owner, which runs ``migrate`` and then
``manage.py grant_app_role ROLE`` (``grant`` below). The grant is worked out from the
models each time (the audit models and every django-simple-history model), so a history
table a migration adds is covered the next time it runs, and it must run after every
``migrate``: a table a migration creates belongs to the owner alone until then.

No ``ALTER DEFAULT PRIVILEGES``: default privileges are the creating role's and cannot
tell a new history table (append only) from an ordinary one when a migration creates it.
Without them a new table is out of the application's reach until the grant runs, which
fails loudly at the first request that needs it rather than quietly granting too much.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import DatabaseError, transaction
from simple_history.models import HistoricalChanges

from audit.models import AccessLog, AuditEvent

# Read and append only; TRUNCATE, REFERENCES and TRIGGER are never the application's.
APPEND_ONLY = ("SELECT", "INSERT")
READ_WRITE = ("SELECT", "INSERT", "UPDATE", "DELETE")
# Django's record of applied migrations: the owner's to write, the app's to read.
READ_ONLY_TABLES = ("django_migrations",)
# What the role must not hold on an append-only table, whatever route it has to it (its
# own grants, a role it is a member of, PUBLIC): checked after granting.
FORBIDDEN_ON_APPEND_ONLY = ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES")


class RoleRefused(Exception):
    """The role cannot be made the application's role; the message says why and what
    to do."""


def history_models() -> list:
    """Every django-simple-history model: each keeps versions as written."""
    return [model for model in apps.get_models() if issubclass(model, HistoricalChanges)]


def append_only_models() -> list:
    return [AuditEvent, AccessLog, *history_models()]


def append_only_tables() -> list[str]:
    return sorted({model._meta.db_table for model in append_only_models()})


@dataclass(frozen=True)
class Granted:
    role: str
    schema: str
    read_write: list[str]
    append_only: list[str]
    read_only: list[str]
    sequences: int


def grant(*, connection, role: str) -> Granted:
    """Make ``role`` the application's role in the connection's schema: idempotent (each
    run revokes what the role held on the tables and sequences and grants afresh, in one
    transaction), run by the tables' owner after every ``migrate``."""
    if connection.vendor != "postgresql":
        raise RoleRefused(
            f"Database roles are PostgreSQL's; this database is {connection.display_name}. "
            "The embedded mode (SQLite) has one file and no roles: nothing to grant."
        )
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            return _grant(connection, cursor, role)
    except DatabaseError as exc:
        raise RoleRefused(
            f"PostgreSQL refused: {str(exc).strip()}. Run this as the role that owns the "
            "tables (the one that runs migrate)."
        ) from None


def _grant(connection, cursor, role: str) -> Granted:
    cursor.execute(
        "SELECT rolsuper, quote_ident(rolname), current_schema(), "
        "quote_ident(current_schema()) FROM pg_roles WHERE rolname = %s",
        [role],
    )
    row = cursor.fetchone()
    if row is None:
        raise RoleRefused(
            f'There is no database role "{role}". Create it first (as a user that may '
            f"create roles), e.g. CREATE ROLE {role} LOGIN PASSWORD '...'; then run this "
            "again."
        )
    superuser, quoted_role, schema, quoted_schema = row
    if superuser:
        raise RoleRefused(
            f'"{role}" is a superuser: it could change or drop anything, triggers included. '
            "The application's role must be an ordinary role."
        )
    _refuse_ownership(cursor, role, schema)
    _ensure_owner_runs_it(cursor, schema)

    existing = set(_relations(cursor, schema, TABLE_KINDS))
    append_only = append_only_tables()
    missing = [table for table in append_only if table not in existing]
    if missing:
        raise RoleRefused(
            f"The table {missing[0]} does not exist in schema {schema}: run migrate (as the "
            "owner) first."
        )
    read_only = [table for table in READ_ONLY_TABLES if table in existing]
    granted = Granted(
        role=role,
        schema=schema,
        read_write=sorted(existing - set(append_only) - set(read_only)),
        append_only=append_only,
        read_only=read_only,
        sequences=len(_relations(cursor, schema, "S")),
    )

    def on(tables) -> list[str]:
        return [f"{quoted_schema}.{connection.ops.quote_name(table)}" for table in tables]

    def grant_on(privileges, tables) -> list[str]:
        if not tables:
            return []
        return [f"GRANT {', '.join(privileges)} ON {', '.join(on(tables))} TO {quoted_role}"]

    # Start from nothing, so that running it again takes away whatever was added since.
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {quoted_schema} FROM {quoted_role}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {quoted_schema} FROM {quoted_role}",
        *_column_revokes(cursor, schema, quoted_schema, quoted_role),
        f"REVOKE CREATE ON SCHEMA {quoted_schema} FROM {quoted_role}",
        f"GRANT USAGE ON SCHEMA {quoted_schema} TO {quoted_role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {quoted_schema} TO {quoted_role}",
        *grant_on(READ_WRITE, granted.read_write),
        *grant_on(APPEND_ONLY, append_only),
        *grant_on(["SELECT"], read_only),
    ]
    for statement in statements:
        cursor.execute(statement)

    # What the role can do in the end, by any route (its own grants, a role it is a
    # member of, PUBLIC); a refusal rolls the whole grant back.
    cursor.execute("SELECT has_schema_privilege(%s, %s, 'CREATE')", [role, schema])
    if cursor.fetchone()[0]:
        raise RoleRefused(
            f'"{role}" may create objects in schema {schema} (through PUBLIC or a role it '
            f"is a member of). Take that away, e.g. REVOKE CREATE ON SCHEMA {schema} FROM "
            "PUBLIC (PostgreSQL 15 and later do so by default), then run this again."
        )
    held = _held(cursor, role, on(append_only), FORBIDDEN_ON_APPEND_ONLY)
    if held:
        raise RoleRefused(
            f'"{role}" still has {held[1]} on {held[0]} through PUBLIC or a role it is a '
            "member of: revoke it there, then run this again."
        )
    for tables, privileges, kind in [
        (granted.read_write, READ_WRITE, "table"),
        (append_only, APPEND_ONLY, "table"),
        (read_only, ["SELECT"], "table"),
        (_relations(cursor, schema, "S"), ["USAGE", "SELECT"], "sequence"),
    ]:
        lacking = _lacking(cursor, role, on(tables), privileges, kind)
        if lacking:
            # A GRANT by a role that holds the privilege without the grant option only
            # warns; _ensure_owner_runs_it should have stopped that already.
            raise RoleRefused(f'"{role}" did not get {lacking[1]} on {lacking[0]}.')
    return granted


def _column_revokes(cursor, schema: str, quoted_schema: str, quoted_role: str) -> list[str]:
    """Column grants outlive REVOKE ALL on their table: take them away too."""
    cursor.execute(
        "SELECT quote_ident(c.relname), string_agg(quote_ident(a.attname), ', ') "
        "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND a.attacl IS NOT NULL AND a.attnum > 0 "
        "GROUP BY c.relname",
        [schema],
    )
    return [
        f"REVOKE ALL ({columns}) ON {quoted_schema}.{table} FROM {quoted_role}"
        for table, columns in cursor.fetchall()
    ]


TABLE_KINDS = "rpvmf"  # tables, partitioned tables, views, materialized and foreign tables


def _relations(cursor, schema: str, kinds: str) -> list[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind = ANY(%s) ORDER BY c.relname",
        [schema, list(kinds)],
    )
    return [name for (name,) in cursor.fetchall()]


_PAIRS = "SELECT r, p FROM unnest(%s::text[]) r, unnest(%s::text[]) p WHERE "
# A column grant counts as held: it lets the role write that column.
_HELD = _PAIRS + (
    "has_table_privilege(%s, r, p) OR (p IN ('UPDATE', 'REFERENCES') "
    "AND has_any_column_privilege(%s, r, p)) ORDER BY r, p LIMIT 1"
)
_LACKING = {
    "table": _PAIRS + "NOT has_table_privilege(%s, r, p) ORDER BY r, p LIMIT 1",
    "sequence": _PAIRS + "NOT has_sequence_privilege(%s, r, p) ORDER BY r, p LIMIT 1",
}


def _held(cursor, role: str, relations: list[str], privileges):
    """The first (relation, privilege) the role holds, by any route."""
    cursor.execute(_HELD, [relations, list(privileges), role, role])
    return cursor.fetchone()


def _lacking(cursor, role: str, relations: list[str], privileges, kind: str):
    """The first (relation, privilege) the role does not hold."""
    if not relations:
        return None
    cursor.execute(_LACKING[kind], [relations, list(privileges), role])
    return cursor.fetchone()


def _refuse_ownership(cursor, role: str, schema: str) -> None:
    """The owner of a table (or a member of the owner's role) may alter it, triggers
    included, whatever it has been granted."""
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind = ANY(%s) "
        "AND pg_has_role(%s, c.relowner, 'MEMBER') ORDER BY c.relname LIMIT 1",
        [schema, list(TABLE_KINDS + "S"), role],
    )
    owned = cursor.fetchone()
    if owned:
        raise RoleRefused(
            f'"{role}" owns {owned[0]} (or is a member of the role that does), so it could '
            "drop or disable the triggers that keep the audit trail. Run migrate as "
            "another role (the owner) and give the application's role only what this "
            "command grants."
        )
    cursor.execute(
        "SELECT pg_has_role(%s, nspowner, 'MEMBER') FROM pg_namespace WHERE nspname = %s",
        [role, schema],
    )
    if cursor.fetchone()[0]:
        raise RoleRefused(
            f'"{role}" owns the schema {schema} (or the database, which owns it on '
            "PostgreSQL 15 and later): make another role the owner of both."
        )


def _ensure_owner_runs_it(cursor, schema: str) -> None:
    """Only a table's owner (or a superuser) can grant on it; anyone else's GRANT is a
    warning that grants nothing."""
    cursor.execute(
        "SELECT current_user, c.relname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind = ANY(%s) "
        "AND NOT pg_has_role(current_user, c.relowner, 'USAGE') ORDER BY c.relname LIMIT 1",
        [schema, list(TABLE_KINDS + "S")],
    )
    row = cursor.fetchone()
    if row:
        raise RoleRefused(
            f'Connected as "{row[0]}", which does not own {row[1]}: run this as the role '
            "that owns the tables (the one that runs migrate)."
        )
