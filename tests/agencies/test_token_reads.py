"""agencies.token_reads: the token's rows read with their holder and the holder's agency
by a statement compiled once, the same objects knox's queryset makes (issue 14: the
referral POST's CPU)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.agency_reads import agency_of
from agencies.api_auth import TokenAuthentication
from agencies.models import ApiToken, Role, User
from agencies.token_reads import tokens_for_key
from tests.factories import ApiTokenFactory, UserFactory
from tests.pinned import assert_source_is

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_the_tokens_are_knoxs_with_the_holder_and_agency_read_too():
    holder = UserFactory()
    older = ApiTokenFactory(user=holder)
    newer = ApiTokenFactory(user=holder)
    ApiToken.objects.filter(pk=newer.pk).update(token_key=older.token_key)
    knoxs = list(ApiToken.objects.filter(token_key=older.token_key).select_related("user"))

    with CaptureQueriesContext(connection) as queries:
        ours = tokens_for_key(older.token_key)
        agencies = [agency_of(token.user) for token in ours]

    assert len(queries) == 1
    assert [_fields(t) for t in ours] == [_fields(t) for t in knoxs]  # newest first, as knox
    assert [_fields(t.user) for t in ours] == [_fields(t.user) for t in knoxs]
    assert [_fields(a) for a in agencies] == [_fields(holder.agency)] * 2
    assert all(not t._state.adding and t._state.db == "default" for t in ours)


def test_a_holder_without_an_agency_has_none_cached():
    token = ApiTokenFactory(user=UserFactory(role=Role.SCREENER, agency=None))

    [read] = tokens_for_key(token.token_key)

    with CaptureQueriesContext(connection) as queries:
        assert read.user.agency is None
    assert len(queries) == 0


def test_no_token_with_the_key_is_an_empty_list():
    assert tokens_for_key("nothing!") == []


def test_a_request_is_authenticated_with_the_holder_and_agency_in_one_statement(rf):
    token = ApiTokenFactory(user=UserFactory())
    request = rf.get("/api/v1/referrals/", HTTP_AUTHORIZATION=f"Token {token.raw}")

    with CaptureQueriesContext(connection) as queries:
        user, auth = TokenAuthentication().authenticate(request)
        agency = user.agency

    assert isinstance(user, User) and user.pk == token.user_id and auth.pk == token.pk
    assert agency.pk == token.user.agency_id
    # The token with its holder and agency; knox's read of the holder's other tokens.
    assert len(queries) == 2


def test_the_copied_knox_method_is_the_one_installed():
    # django-rest-knox 5.1.0's, which agencies/api_auth.py copies line for line.
    from knox.auth import TokenAuthentication as KnoxTokenAuthentication

    assert_source_is(
        KnoxTokenAuthentication.authenticate_credentials,
        "9ee8f829395d3547ed79b01b2b58126add48cec33557a5828fa496ca7cf576e0",
        "agencies/api_auth.py's copy",
    )
