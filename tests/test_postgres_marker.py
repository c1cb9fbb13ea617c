"""The ``postgres`` marker skips by itself: a test marked so is skipped, with a reason,
when the database is not PostgreSQL (tests/conftest.py, ``skip_postgres_marked``), so no
test has to skip itself by hand, and none fails on SQLite for want of PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import skip_postgres_marked

ROOT = Path(__file__).resolve().parents[1]
OWN = "test_a_postgres_marked_test_runs_on_postgresql_only"


@pytest.mark.postgres(reason="this test's own")
def test_a_postgres_marked_test_runs_on_postgresql_only():
    """Fails on any other database unless the marker skipped it."""
    assert connection.vendor == "postgresql"


def test_on_sqlite_a_postgres_marked_test_is_skipped_with_its_reason(tmp_path):
    """The test above, run by pytest on SQLite (the embedded mode's database)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'frontdoor.sqlite3'}"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", f"{__file__}::{OWN}", "-p", "no:randomly", "-rs"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 skipped" in run.stdout, run.stdout
    assert "needs PostgreSQL: this test's own (the database is sqlite)" in run.stdout


class Item:
    def __init__(self, *markers):
        self.markers = list(markers)

    def get_closest_marker(self, name):
        return next((m for m in self.markers if m.name == name), None)

    def add_marker(self, marker):
        self.markers.append(marker.mark)

    @property
    def skips(self):
        return [m.kwargs["reason"] for m in self.markers if m.name == "skip"]


def test_the_hook_skips_only_marked_tests_and_only_off_postgresql():
    bare = pytest.mark.postgres.mark
    reasoned = pytest.mark.postgres(reason="pg_trgm").mark
    positional = pytest.mark.postgres("query plans").mark
    items = [Item(bare), Item(reasoned), Item(positional), Item(pytest.mark.browser.mark)]

    skip_postgres_marked(items, "postgresql")
    assert [item.skips for item in items] == [[], [], [], []]

    skip_postgres_marked(items, "sqlite")
    assert [item.skips for item in items] == [
        ["needs PostgreSQL (the database is sqlite)"],
        ["needs PostgreSQL: pg_trgm (the database is sqlite)"],
        ["needs PostgreSQL: query plans (the database is sqlite)"],
        [],
    ]
