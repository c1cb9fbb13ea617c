"""A signed-in request writes its session row at most once a minute (issue 14): the
idle-timeout middleware keeps the last-seen time to the minute, not to the request."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import PASSWORD, UserFactory

# Each as production reads sessions (from the shared cache) and as the tests do.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("either_cache")]

START = "2026-11-27 16:00:00+00:00"


def _session_writes(client, path="/") -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return sum(
        1
        for query in queries.captured_queries
        if "django_session" in query["sql"]
        and not query["sql"].lstrip().upper().startswith("SELECT")
    )


def _signed_in(client):
    UserFactory(username="pat")
    response = client.post("/accounts/login/", {"username": "pat", "password": PASSWORD})
    assert response.status_code == 302


def test_requests_within_a_minute_of_the_kept_time_do_not_write_the_session(client):
    with time_machine.travel(START, tick=False) as traveller:
        _signed_in(client)
        traveller.shift(10)
        assert _session_writes(client) == 0
        traveller.shift(40)
        assert _session_writes(client) == 0


def test_a_request_a_minute_or_more_after_the_kept_time_writes_it(client):
    with time_machine.travel(START, tick=False) as traveller:
        _signed_in(client)
        traveller.shift(61)
        assert _session_writes(client) == 1
        traveller.shift(30)
        assert _session_writes(client) == 0


def test_requests_within_the_minute_still_count_toward_staying_signed_in(client, settings):
    """Activity every 50 seconds for an hour keeps a 15-minute session alive: each write
    moves the kept time on, at most a minute behind the true last request."""
    from datetime import timedelta

    settings.SESSION_IDLE_TIMEOUT = timedelta(minutes=15)
    with time_machine.travel(START, tick=False) as traveller:
        _signed_in(client)
        for _ in range(72):
            traveller.shift(50)
            assert client.get("/").status_code == 200


def test_the_idle_limit_is_never_exceeded_by_the_coarser_kept_time(client, settings):
    """The kept time is at most a minute stale, so a session idle for the whole limit
    after its last request has ended, even when that request wrote nothing."""
    from datetime import timedelta

    settings.SESSION_IDLE_TIMEOUT = timedelta(minutes=15)
    with time_machine.travel(START, tick=False) as traveller:
        _signed_in(client)
        traveller.shift(59)
        assert _session_writes(client) == 0  # the kept time stays at sign-in
        traveller.shift(15 * 60 - 58)  # 15 minutes and a second after sign-in
        response = client.get("/")

    assert response.status_code == 302
