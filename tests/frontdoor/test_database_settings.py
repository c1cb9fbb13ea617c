"""The app's PostgreSQL connections do not JIT-compile query plans (issue 14)."""

import pytest
from django.db import connection

from tests.frontdoor.test_settings import PRODUCTION_LIKE, run_django

PRIMARY = PRODUCTION_LIKE["DATABASE_URL"]
REPLICA = "postgres://reader@10.0.0.2:5432/frontdoor"


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's JIT")
def test_the_apps_connections_have_jit_off():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.parametrize(
    ("alias", "environment", "options"),
    [
        # Production's own.
        ("default", {}, "-c jit=off"),
        # An operator's own connection options are kept.
        ("default", {"DATABASE_URL": PRIMARY + "&options=-c%20search_path%3Dfd"},
         "-c search_path=fd -c jit=off"),
        # A replica with options of its own keeps jit off too.
        ("replica", {"DATABASE_REPLICA_URL": REPLICA + "?options=-c%20statement_timeout%3D30000"},
         "-c statement_timeout=30000 -c jit=off"),
    ],
)  # fmt: skip
def test_the_connection_options_ask_postgresql_for_jit_off(tmp_path, alias, environment, options):
    result = run_django(
        "from django.conf import settings; "
        f"print(settings.DATABASES[{alias!r}]['OPTIONS']['options'])",
        tmp_path,
        **{**PRODUCTION_LIKE, **environment},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == options
