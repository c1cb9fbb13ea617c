"""Django's model backend (sign-in by username and password), with the signed-in user
read together with their agency, by a statement compiled once a process.

Every signed-in page reads the user from the session (``get_user``) and the header
names their agency (templates/base.html): two statements, one after the other, on every
page, each compiled afresh by the ORM (compiling them cost more than running them).
Here they are one, a join on the agency's primary key, compiled once for each database
and read into the same models the ORM would make. Everything else is Django's: how a
password is checked, who may sign in (active accounts only), the permissions."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db import connections, router

from agencies.models import Agency, User


@dataclass(frozen=True)
class _Statement:
    sql: str
    compiler: object  # the ORM's compiler, for the database's converters
    converters: dict
    user_fields: tuple[str, ...]
    agency_fields: tuple[str, ...]


_statements: dict[str, _Statement] = {}


def _statement(alias: str) -> _Statement:
    statement = _statements.get(alias)
    if statement is None:
        query = User._default_manager.select_related("agency").filter(pk=0).query
        compiler = query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        user_fields = tuple(f.attname for f in User._meta.concrete_fields)
        agency_fields = tuple(f.attname for f in Agency._meta.concrete_fields)
        columns = [column for column, _, _ in compiler.select]
        # The user's columns, then the agency's, as select_related reads them; the user's
        # id the one parameter.
        if list(params) != [0] or [c.target.attname for c in columns] != [
            *user_fields,
            *agency_fields,
        ]:
            raise AssertionError("the signed-in user's statement is not as expected")
        converters = compiler.get_converters(columns)
        statement = _Statement(sql, compiler, converters, user_fields, agency_fields)
        _statements[alias] = statement
    return statement


def user_with_agency(user_id) -> User | None:
    """The user with this id, their ``agency`` read with them (None if there is none)."""
    alias = router.db_for_read(User)
    statement = _statement(alias)
    with connections[alias].cursor() as cursor:
        cursor.execute(statement.sql, (user_id,))
        row = cursor.fetchone()
    if row is None:
        return None
    if statement.converters:
        row = next(statement.compiler.apply_converters([row], statement.converters))
    width = len(statement.user_fields)
    user = User.from_db(alias, statement.user_fields, row[:width])
    agency = None
    if row[width] is not None:  # the agency's id: none when the LEFT JOIN found none
        agency = Agency.from_db(alias, statement.agency_fields, row[width:])
    User.agency.field.set_cached_value(user, agency)
    return user


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        user = user_with_agency(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    async def aget_user(self, user_id):
        try:
            user = await User._default_manager.select_related("agency").aget(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
