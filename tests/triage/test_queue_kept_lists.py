"""The queue's filter lists (agencies, "Allocated to") kept by each web process while
nothing in them changes (agencies.list_version, triage.forms.CompiledChoices), and its
rows' statement prepared once a connection on PostgreSQL (triage.selectors)."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies import list_version
from agencies.models import Role
from tests.factories import AgencyFactory, ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(settings):
    """As production: every process shares the cache (CACHE_SHARED)."""
    settings.CACHE_SHARED = True


def list_statements(client) -> tuple[str, list[str]]:
    """A queue page, and the statements it ran that read the agencies or the users' list."""
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/triage/").content.decode()
    lists = [
        q["sql"]
        for q in captured.captured_queries
        if re.match(r'SELECT "agencies_(agency|user)"\."id" AS "pk"', q["sql"])
    ]
    return page, lists


def option(value, text) -> str:
    return f'<option value="{value}">{text}</option>'


def test_the_lists_are_read_once_while_nothing_changes(shared, screener_client):
    AgencyFactory(name="Northshire Police")
    _, first = list_statements(screener_client)
    page, second = list_statements(screener_client)

    assert len(first) == 2
    assert second == []
    assert "Northshire Police</option>" in page


def test_without_a_shared_cache_every_page_reads_them(settings, screener_client):
    settings.CACHE_SHARED = False
    list_statements(screener_client)

    assert len(list_statements(screener_client)[1]) == 2


def test_a_new_screener_shows_at_the_next_page(shared, screener_client, make_user):
    list_statements(screener_client)

    new = make_user(Role.SCREENER, first_name="Noor", last_name="Newstart")
    page, lists = list_statements(screener_client)

    assert option(new.pk, "Noor Newstart (screener)") in page
    assert len(lists) == 2


def test_a_screener_made_inactive_leaves_the_list_at_the_next_page(
    shared, screener_client, make_user
):
    leaving = make_user(Role.SCREENER, first_name="Lee", last_name="Leaving")
    assert option(leaving.pk, "Lee Leaving (screener)") in list_statements(screener_client)[0]

    leaving.is_active = False
    leaving.save(update_fields=["is_active"])

    assert "Lee Leaving" not in list_statements(screener_client)[0]


def test_an_agency_added_or_renamed_shows_at_the_next_page(shared, screener_client):
    agency = AgencyFactory(name="Northshire Police")
    list_statements(screener_client)

    agency.name = "Northshire Constabulary"
    agency.save()
    added = AgencyFactory(name="Eastvale School")
    page = list_statements(screener_client)[0]

    assert option(agency.pk, "Northshire Constabulary") in page
    assert option(added.pk, "Eastvale School") in page
    assert "Northshire Police" not in page


def test_a_sign_in_does_not_make_the_lists_read_again(shared, screener_client, make_user):
    """Signing in saves the user's last sign-in time only, which no list shows."""
    someone = make_user(Role.SCREENER)
    list_statements(screener_client)

    someone.save(update_fields=["last_login"])

    assert list_statements(screener_client)[1] == []


def test_a_lost_version_makes_the_lists_read_again(shared, screener_client):
    list_statements(screener_client)

    cache.clear()  # Redis restarted, or the key evicted

    assert len(list_statements(screener_client)[1]) == 2


def test_a_list_read_before_a_change_commits_is_read_again_after(
    shared, screener_client, make_user, django_capture_on_commit_callbacks
):
    """Another process may read the list between the change and its commit (it reads
    what was committed: the list as before) under a version it makes then: the commit
    drops that version too, so the next page reads the list again."""
    with django_capture_on_commit_callbacks(execute=False) as at_commit:
        new = make_user(Role.SCREENER, first_name="Noor", last_name="Newstart")
        # As if another process read the list now, before the commit, without Noor.
        list_version.current()
        list_statements(screener_client)
        assert list_statements(screener_client)[1] == []
    for callback in at_commit:
        callback()

    page, lists = list_statements(screener_client)

    assert len(lists) == 2
    assert option(new.pk, "Noor Newstart (screener)") in page


@pytest.mark.postgres(reason="SQL's PREPARE is PostgreSQL's")
def test_the_rows_statement_is_prepared_once_a_connection(screener_client):
    from triage import selectors

    ReferralFactory.create_batch(3)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    selectors._prepared_on.clear()  # as a new connection

    with CaptureQueriesContext(connection) as first:
        one = screener_client.get("/triage/").content.decode()
    with CaptureQueriesContext(connection) as second:
        two = screener_client.get("/triage/").content.decode()

    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        prepared = [name for (name,) in cursor.fetchall()]
    assert prepared == ["fd_queue_rows"]  # prepared once, though two pages ran it
    for captured in (first, second):
        executed = [q["sql"] for q in captured.captured_queries if "fd_queue_rows" in q["sql"]]
        assert len(executed) == 1 and executed[0].startswith("EXECUTE fd_queue_rows(ARRAY[")
    assert one.count('data-reference="') == two.count('data-reference="') == 3


@pytest.mark.postgres(reason="SQL's PREPARE is PostgreSQL's")
@pytest.mark.django_db(transaction=True)  # as a page runs: not inside a transaction
def test_a_prepared_statement_gone_from_the_connection_is_prepared_again(screener_client):
    """A DISCARD (or a pooler handing over another connection) drops what was prepared
    without this process knowing: the page prepares it again rather than failing."""
    ReferralFactory.create_batch(2)
    screener_client.get("/triage/")
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")

    page = screener_client.get("/triage/")

    assert page.status_code == 200
    assert page.content.decode().count('data-reference="') == 2
