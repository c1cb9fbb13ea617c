"""An API token's rows with their holder and the holder's agency, by a statement
compiled once a process: for every API request (issue 14: the POST's CPU).

knox reads the tokens with the token's first characters as
``ApiToken.objects.filter(token_key=...).select_related("user")``, a queryset built and
compiled for each request; the referral POST then read the holder's agency by a statement
of its own (agencies.agency_reads). ``tokens_for_key`` runs the SQL of the same queryset
with the agency joined as well (``select_related("user__agency")``: one LEFT JOIN on the
agency's key), compiled once, and makes the objects as Django's ``ModelIterable`` makes
them from its rows: the tokens, each holder cached on its token and the agency (or None)
cached on the holder, where ``token.user`` and ``user.agency`` look for them."""

from __future__ import annotations

from django.db import connections, router
from django.db.models.query import get_related_populators

from agencies.models import ApiToken

# For each database alias: the SQL (the token key its one parameter), and how a row
# becomes objects: the converters, the token's columns and the related populators.
_STATEMENTS: dict[str, tuple] = {}
_MARK = "\x00token-key\x00"


def _statement(alias: str) -> tuple:
    statement = _STATEMENTS.get(alias)
    if statement is None:
        query = ApiToken.objects.filter(token_key=_MARK).select_related("user__agency").query
        compiler = query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        if list(params) != [_MARK]:
            raise RuntimeError(f"the token's look-up has parameters {params}")
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        columns = [col.target.attname for col, _, _ in select[start:end]]
        converters = compiler.get_converters([col for col, _, _ in select])
        populators = get_related_populators(klass_info, select, alias)
        statement = _STATEMENTS[alias] = (sql, converters, start, end, columns, populators)
    return statement


def tokens_for_key(token_key: str) -> list[ApiToken]:
    """The tokens whose key is ``token_key`` (newest first), each with its holder and
    the holder's agency: what knox's queryset gives, with the agency read too."""
    alias = router.db_for_read(ApiToken)
    sql, converters, start, end, columns, populators = _statement(alias)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, [token_key])
        rows = cursor.fetchall()
    tokens = []
    for row in rows:
        values = list(row)
        for index, (functions, expression) in converters.items():
            for function in functions:
                values[index] = function(values[index], expression, connection)
        token = ApiToken.from_db(alias, columns, values[start:end])
        for populator in populators:
            populator.populate(values, token)
        tokens.append(token)
    return tokens
