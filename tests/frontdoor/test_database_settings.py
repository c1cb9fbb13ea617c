"""The app's PostgreSQL connections do not JIT-compile query plans (issue 14)."""

import pytest
from django.db import connection


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's JIT")
def test_the_apps_connections_have_jit_off():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_production_settings_ask_postgresql_for_jit_off(tmp_path):
    from tests.frontdoor.test_settings import PRODUCTION_LIKE, run_django

    result = run_django(
        "from django.conf import settings; "
        "print(settings.DATABASES['default']['OPTIONS']['options'])",
        tmp_path,
        **PRODUCTION_LIKE,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "-c jit=off"


def test_an_operators_own_connection_options_are_kept(tmp_path):
    from tests.frontdoor.test_settings import PRODUCTION_LIKE, run_django

    environment = {
        **PRODUCTION_LIKE,
        "DATABASE_URL": PRODUCTION_LIKE["DATABASE_URL"] + "?options=-c%20search_path%3Dfd",
    }
    result = run_django(
        "from django.conf import settings; "
        "print(settings.DATABASES['default']['OPTIONS']['options'])",
        tmp_path,
        **environment,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "-c search_path=fd -c jit=off"


def test_a_replica_with_connection_options_of_its_own_keeps_jit_off(tmp_path):
    from tests.frontdoor.test_settings import PRODUCTION_LIKE, run_django

    environment = {
        **PRODUCTION_LIKE,
        "DATABASE_REPLICA_URL": "postgres://reader@10.0.0.2:5432/frontdoor"
        "?options=-c%20statement_timeout%3D30000",
    }
    result = run_django(
        "from django.conf import settings; "
        "print(settings.DATABASES['replica']['OPTIONS']['options'])",
        tmp_path,
        **environment,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "-c statement_timeout=30000 -c jit=off"
