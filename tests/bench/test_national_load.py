"""bench/national.py loads into the schema as migrated today, and its checks pass.

The loader writes with raw SQL, so a migration that adds a NOT NULL column without a
database default (notices 0008's ``Notification.address``) breaks it without any other
test noticing; the fifth national run's data was made just before that migration, and
the next load stopped after half an hour. This loads a small front door into a database
of its own and runs the loader's checks (national_check.py: the domain's rules over the
whole database and the pages read through the test client)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.postgres(reason="bench/national.py loads PostgreSQL only"),
    pytest.mark.xdist_group("national-load"),
]


@pytest.fixture
def bench_database():
    own = settings.DATABASES["default"]
    name = f"frontdoor_bench_load_{uuid.uuid4().hex[:8]}"
    params = {
        "host": own["HOST"] or "127.0.0.1",
        "port": own["PORT"] or 5432,
        "user": own["USER"],
        "password": own["PASSWORD"] or None,
        "dbname": "postgres",
    }
    admin = psycopg2.connect(**params)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        auth = own["USER"] + (f":{own['PASSWORD']}" if own["PASSWORD"] else "")
        yield f"postgres://{auth}@{params['host']}:{params['port']}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_a_small_national_load_migrates_loads_and_passes_its_checks(bench_database, tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "PYTEST_"))
    }
    env.update({"DJANGO_DEBUG": "true", "DATABASE_URL": bench_database})
    result = subprocess.run(  # noqa: S603 - our own script, our own arguments
        # 40 rows of each kind through full_clean, not 200: every row of a kind is
        # written by the same statement, and the schema drift this guards against shows
        # in any of them.
        [sys.executable, "bench/national.py", "--total", "2000", "--check", "--check-sample", "40"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "Generating 2,000 referrals" in output
