"""An embedded-mode var/ folder (its SQLite file, secret key and broker folder) migrated
once a session and copied for each test that runs processes against it.

Migrating a new SQLite file takes about 20 seconds of CPU: the tests that start
``manage.py`` or Django in other processes against the embedded mode's file take a copy
of one migrated here instead. They share the ``sqlite-file`` xdist group, so that one
worker migrates it once."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GROUP = pytest.mark.xdist_group("sqlite-file")


def embedded_environment(var_dir: Path) -> dict[str, str]:
    """The environment of a process of the embedded mode (development settings) whose
    var/ is ``var_dir``: none of the suite's PostgreSQL or Redis."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update(
        DJANGO_DEBUG="true",
        FRONTDOOR_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="frontdoor.settings",
    )
    return env


@pytest.fixture(scope="session")
def _migrated_sqlite_var(tmp_path_factory) -> Path:
    var_dir = tmp_path_factory.mktemp("migrated-sqlite") / "var"
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=embedded_environment(var_dir),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr
    return var_dir


@pytest.fixture
def migrated_sqlite_var(_migrated_sqlite_var, tmp_path) -> Path:
    """A var/ of this test's own, holding a copy of a freshly migrated SQLite file."""
    own = tmp_path / "var"
    shutil.copytree(_migrated_sqlite_var, own)
    return own
