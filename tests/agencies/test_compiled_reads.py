"""agencies.compiled_reads: a queryset's SQL compiled once for each database, run with
the real values, its rows made into the objects Django's own queryset makes."""

from __future__ import annotations

import pytest
from django.db import connection, connections
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from agencies.compiled_reads import compiled
from agencies.models import ApiToken, Role, User
from core.db import PRIMARY, REPLICA
from tests.factories import AgencyFactory, ApiTokenFactory, UserFactory
from tests.replica import replica_alias  # noqa: F401 - the fixture (autouse)

pytestmark = pytest.mark.django_db

MARK = "\x00marker\x00"


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _users_named():
    return User.objects.filter(username=MARK).select_related("agency").order_by("pk")


def test_parameters_other_than_the_markers_are_refused():
    with pytest.raises(RuntimeError, match="not the markers"):
        compiled({}, "default", lambda: User.objects.filter(username="ada"), [MARK])
    with pytest.raises(RuntimeError, match="not the markers"):  # a value fixed in as well
        compiled({}, "default", lambda: _users_named().filter(first_name="Ada"), [MARK])


def test_the_objects_are_djangos_own():
    agency = AgencyFactory()
    token = ApiTokenFactory(user=UserFactory(agency=agency))
    ApiTokenFactory(user=UserFactory(role=Role.SCREENER, agency=None))
    queryset = ApiToken.objects.filter(user__agency=agency).select_related("user__agency")
    read = compiled(
        {},
        "default",
        lambda: ApiToken.objects.filter(user__agency=0).select_related("user__agency"),
        [0],
    )

    ours = read.objects([agency.pk])

    [djangos] = list(queryset)
    assert [_fields(t) for t in ours] == [_fields(djangos)] and ours[0].pk == token.pk
    assert _fields(ours[0].user) == _fields(djangos.user)
    assert _fields(ours[0].user.agency) == _fields(djangos.user.agency)
    assert not ours[0]._state.adding and ours[0]._state.db == "default"


def test_the_values_are_converted_as_djangos():
    user = UserFactory(username="ada", agency=AgencyFactory())
    read = compiled({}, "default", _users_named, [MARK])

    [ours] = read.objects(["ada"])

    djangos = User.objects.select_related("agency").get(pk=user.pk)
    assert ours.date_joined == djangos.date_joined and ours.date_joined.tzinfo is not None
    assert ours.is_active is True and ours.agency.is_active is True  # not SQLite's 1


def test_the_related_objects_are_cached():
    with_agency = UserFactory(username="ada", agency=AgencyFactory(name="Northshire Police"))
    without = UserFactory(username="bea", role=Role.SCREENER, agency=None)
    read = compiled({}, "default", _users_named, [MARK])

    [ada] = read.objects(["ada"])
    [bea] = read.objects(["bea"])

    with CaptureQueriesContext(connection) as queries:
        assert ada.agency.name == "Northshire Police" and ada.agency.pk == with_agency.agency_id
        assert bea.agency is None and bea.pk == without.pk
    assert not queries.captured_queries


def test_compiled_once_for_each_alias(monkeypatch):
    statements = {}
    first = compiled(statements, "default", _users_named, [MARK])
    compiles = []
    as_sql = SQLCompiler.as_sql
    monkeypatch.setattr(
        SQLCompiler, "as_sql", lambda self, *a, **k: compiles.append(1) or as_sql(self, *a, **k)
    )

    assert compiled(statements, "default", _users_named, [MARK]) is first
    assert compiles == [] and list(statements) == ["default"]


@pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])
def test_each_alias_has_its_own_read():
    UserFactory(username="ada")
    statements = {}

    primary = compiled(statements, PRIMARY, _users_named, [MARK])
    replica = compiled(statements, REPLICA, _users_named, [MARK])

    assert primary is not replica and statements == {PRIMARY: primary, REPLICA: replica}
    with CaptureQueriesContext(connections[REPLICA]) as queries:
        [ada] = replica.objects(["ada"])
    assert len(queries) == 1 and ada._state.db == REPLICA and ada.username == "ada"
