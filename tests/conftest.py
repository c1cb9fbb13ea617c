import shutil

import pytest
from django.test import Client

from agencies.models import Role
from tests.factories import UserFactory
from tests.softhsm import softhsm  # noqa: F401 - the SoftHSM2 token fixture
from tests.sqlite_file import (  # noqa: F401 - an embedded-mode var/ migrated once a session
    _migrated_sqlite_var,
    migrated_sqlite_var,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True, scope="session")
def celery_runs_tasks_in_process():
    """Tasks run where they are sent, so no test leaves messages on a real broker. The
    reliability tests (tests/notices/test_outbox_reliability.py) start real workers."""
    from frontdoor.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def reference_data_after_flush(request):
    """Transactional tests (browser, concurrency, real workers) empty every table when
    they finish, including the threshold levels, support services and escalation stages
    that migrations put there. Put them back for each transactional test, as the
    migrations do."""
    marker = request.node.get_closest_marker("django_db")
    marked = marker is not None and bool(
        marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    )
    if marked:
        request.getfixturevalue("_django_db_helper")
    elif {"transactional_db", "live_server"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db")
    else:
        return
    import importlib

    from django.apps import apps

    migration = importlib.import_module("triage.migrations.0002_default_thresholds_and_support")
    migration.add_defaults(apps, None)
    stages = importlib.import_module("triage.migrations.0005_default_escalation_stages")
    stages.add_stages(apps, None)


@pytest.fixture
def fresh_reference_numbering(db):
    """Each year's references start again after those stored (none: from 1). On
    PostgreSQL a year's sequence keeps the numbers earlier tests took from it, as it
    keeps those of any rolled-back transaction (referrals/references.py)."""
    from referrals.references import renumber_from_stored

    renumber_from_stored()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Fast by default: MD5 hashing in tests only (never in settings.py)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """API throttling counts requests in the cache: each test starts with none counted."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(params=[False, True], ids=["own-cache", "shared-cache"])
def either_cache(request, settings):
    """A test run twice: as where each process has a cache of its own (the embedded mode,
    the tests), and as production, where every process shares it (CACHE_SHARED: the
    session is read from the cache, agencies.session_store)."""
    settings.CACHE_SHARED = request.param
    return request.param


@pytest.fixture
def make_user(db):
    def make(role: Role = Role.REFERRER, **kwargs):
        return UserFactory(role=role, **kwargs)

    return make


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def referrer(make_user):
    return make_user(Role.REFERRER)


@pytest.fixture
def referrer_client(referrer):
    return _client_for(referrer)


@pytest.fixture
def agency_lead_client(make_user):
    return _client_for(make_user(Role.AGENCY_LEAD))


@pytest.fixture
def screener_client(make_user):
    return _client_for(make_user(Role.SCREENER))


@pytest.fixture
def manager_client(make_user):
    return _client_for(make_user(Role.MANAGER))


@pytest.fixture
def partner_client(make_user):
    return _client_for(make_user(Role.PARTNER))


@pytest.fixture
def auditor_client(make_user):
    return _client_for(make_user(Role.AUDITOR))


@pytest.fixture
def sysadmin_client(make_user):
    return _client_for(make_user(Role.ADMIN))


# --- Browser tests: the system Chromium, never a browser Playwright downloads ----------


def pytest_sessionstart(session):
    """pytest-playwright empties its output folder (test-results/) when a session starts:
    emptied here once, by the process that starts the run (see delete_output_dir)."""
    if not hasattr(session.config, "workerinput"):
        shutil.rmtree(session.config.getoption("--output"), ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def delete_output_dir():
    """Replaces pytest-playwright's own, which empties test-results/ as each session
    starts: under pytest-xdist each worker's session would delete the screenshots another
    worker has just saved there. pytest_sessionstart above empties it instead."""


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


# Playwright's sync API leaves its asyncio event loop marked running in this thread from
# when it starts until it stops, and while a loop runs Django keeps the thread's database
# connections apart from those it kept before (asgiref's thread-critical Local: plain
# thread-local storage without a running loop, a context variable with one). A connection
# opened before the browser tests (making the test database, the tests before them) was
# then never closed, nor one opened while they run, and at the end of the session the
# test database could not be dropped: "is being accessed by other users". So each side's
# connections are closed as the loop starts and before it stops.
@pytest.fixture(scope="session")
def _connections_closed_before_playwright_starts():
    from django.db import connections

    connections.close_all()


@pytest.fixture(scope="session")
def playwright(_connections_closed_before_playwright_starts, playwright):
    from django.db import connections

    yield playwright
    connections.close_all()  # before pytest-playwright's own teardown stops the loop


def skip_postgres_marked(items, vendor: str) -> None:
    """A test marked ``postgres`` needs PostgreSQL: on any other database it is skipped,
    with the marker's reason if it gives one (``@pytest.mark.postgres(reason="...")``),
    rather than each test skipping itself or failing."""
    if vendor == "postgresql":
        return
    for item in items:
        marker = item.get_closest_marker("postgres")
        if marker is not None:
            why = marker.kwargs.get("reason") or (marker.args[0] if marker.args else None)
            reason = f"needs PostgreSQL: {why}" if why else "needs PostgreSQL"
            item.add_marker(pytest.mark.skip(reason=f"{reason} (the database is {vendor})"))


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    skip_postgres_marked(items, connection.vendor)
    _refuse_stray_playwright_fixtures(items)


def _refuse_stray_playwright_fixtures(items):
    """Only browser tests may use Playwright's fixtures. A test that asks for `page` by
    accident (a parameter of that name) is parametrised by browser and run among the
    browser tests, after transactional tests have emptied the tables the migrations
    seed, and every test after it fails for want of them."""
    strays = [
        item.nodeid
        for item in items
        if (
            "browser_name" in getattr(item, "fixturenames", ())
            or "browser_name" in getattr(getattr(item, "callspec", None), "params", {})
        )
        and item.get_closest_marker("browser") is None
    ]
    if strays:
        raise pytest.UsageError(
            "These tests use Playwright's fixtures but are not marked `browser` (a "
            "parameter named `page`?): " + ", ".join(strays[:5])
        )
