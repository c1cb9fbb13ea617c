"""A user's agency read by a statement compiled once a process: for every referral a
referrer submits (issue 14: the POST's CPU). ``user.agency`` builds and compiles a
queryset for each request (a twentieth of a POST's CPU); this runs the SQL that queryset
compiles to, with the same converters on the values, and leaves the agency cached on
the user as the descriptor would."""

from __future__ import annotations

from django.db import connections, router

from agencies.models import Agency, User

# For each database alias: the SQL (the agency's id its one parameter), the column
# names in order, and the converters Django's compiler would apply to them.
_STATEMENTS: dict[str, tuple[str, list[str], dict]] = {}


def _statement(alias: str) -> tuple[str, list[str], dict]:
    statement = _STATEMENTS.get(alias)
    if statement is None:
        query = Agency._base_manager.filter(pk=0).query
        compiler = query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        if list(params) != [0]:
            raise RuntimeError(f"the agency's look-up has parameters {params}")
        columns = [col.target.attname for col, _, _ in compiler.select]
        converters = compiler.get_converters([col for col, _, _ in compiler.select])
        statement = _STATEMENTS[alias] = (sql, columns, converters)
    return statement


def agency_of(user: User) -> Agency | None:
    """``user.agency``: the same row, the same values, cached on ``user`` in the same
    place (a second ``user.agency`` asks nothing); None for a user without one."""
    field = User._meta.get_field("agency")
    if field.is_cached(user):
        return field.get_cached_value(user)
    agency = None
    if user.agency_id is not None:
        alias = router.db_for_read(Agency, instance=user)
        sql, columns, converters = _statement(alias)
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(sql, [user.agency_id])
            row = cursor.fetchone()
        if row is None:
            raise User.agency.RelatedObjectDoesNotExist(f"User has no agency {user.agency_id}.")
        values = list(row)
        for index, (functions, expression) in converters.items():
            for function in functions:
                values[index] = function(values[index], expression, connection)
        agency = Agency.from_db(alias, columns, values)
    field.set_cached_value(user, agency)
    return agency
