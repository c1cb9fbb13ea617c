"""``agencies.agency_reads.agency_of``: a user's agency as ``user.agency`` reads it, by a
statement compiled once a process."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies import agency_reads
from agencies.models import Role, User
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_agency_is_the_one_the_descriptor_reads_with_the_same_values():
    agency = AgencyFactory(name="Leeds Primary School", is_active=False)
    user = User.objects.get(pk=UserFactory(agency=agency).pk)

    with CaptureQueriesContext(connection) as queries:
        read = agency_reads.agency_of(user)
        again = user.agency  # cached where the descriptor caches it: no second query

    assert len(queries.captured_queries) == 1
    assert again is read
    by_orm = User.objects.get(pk=user.pk).agency
    assert read == by_orm
    assert {f.attname: getattr(read, f.attname) for f in read._meta.concrete_fields} == {
        f.attname: getattr(by_orm, f.attname) for f in by_orm._meta.concrete_fields
    }
    assert read.is_active is False  # converted as the ORM converts it (SQLite: 0)
    assert not read._state.adding and read._state.db == "default"


def test_an_agency_read_already_is_not_read_again_and_none_is_none():
    user = UserFactory()
    user.agency  # noqa: B018 - read by the descriptor, cached
    with CaptureQueriesContext(connection) as queries:
        assert agency_reads.agency_of(user) is user.agency
    assert not queries.captured_queries

    without = User.objects.get(pk=UserFactory(role=Role.AUDITOR).pk)
    with CaptureQueriesContext(connection) as queries:
        assert agency_reads.agency_of(without) is None
    assert not queries.captured_queries


def test_the_statement_is_compiled_once():
    first = User.objects.get(pk=UserFactory().pk)
    agency_reads.agency_of(first)
    made = agency_reads._STATEMENTS["default"]
    agency_reads.agency_of(User.objects.get(pk=UserFactory().pk))
    assert agency_reads._STATEMENTS["default"] is made
