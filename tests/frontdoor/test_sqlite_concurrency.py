"""The embedded mode's web process and worker write to one SQLite file at once."""

import subprocess
import sys

from tests.sqlite_file import GROUP, ROOT, embedded_environment

pytestmark = GROUP

WRITER = """
import django, sys
django.setup()
from django.db import transaction
from django.utils import timezone
from notices.models import Heartbeat
name = sys.argv[1]
for i in range(150):
    with transaction.atomic():
        # A read then a write in one transaction: the pattern that fails with
        # "database is locked" under SQLite's default deferred transactions.
        Heartbeat.objects.filter(name__startswith=name).count()
        Heartbeat.objects.create(name=f"{name}-{i}", last_run_at=timezone.now())
print("ok")
"""


def test_two_processes_writing_at_once_never_see_database_is_locked(migrated_sqlite_var):
    env = embedded_environment(migrated_sqlite_var)

    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, name],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("web", "worker")
    ]
    results = [writer.communicate(timeout=120) for writer in writers]

    for writer, (out, err) in zip(writers, results, strict=True):
        assert writer.returncode == 0, err
        assert "database is locked" not in err
        assert out.strip() == "ok"
