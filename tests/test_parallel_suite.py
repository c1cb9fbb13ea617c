"""`make test` runs the suite in two pytest-xdist workers; what would collide between
workers is kept apart (README, "Running the tests")."""

import asyncio
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, connections

from tests.notices import test_outbox_reliability

ROOT = Path(__file__).resolve().parents[1]


def test_make_test_runs_two_workers_that_keep_each_group_together():
    makefile = (ROOT / "Makefile").read_text()

    assert re.search(r"^PYTEST_WORKERS \?= 2$", makefile, re.MULTILINE)
    recipe = makefile.split("\ntest: ", 1)[1].split("\n\n", 1)[0]
    assert "pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)" in recipe
    # The whole suite: the reliability tests in a run of their own, after the rest.
    assert re.search(r"^ALONE_TESTS = tests/notices/test_outbox_reliability.py$", makefile, re.M)
    whole = recipe.split("ifeq ($(strip $(PYTEST_ARGS)),)\n", 1)[1].split("else\n", 1)[0]
    assert whole.splitlines() == [
        "\t$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup --ignore=$(ALONE_TESTS)",
        "\t$(BIN)/python -m pytest $(ALONE_TESTS)",
    ]


def test_the_tests_sharing_the_workers_redis_database_run_in_one_worker():
    groups = [
        mark.args
        for mark in test_outbox_reliability.pytestmark
        if isinstance(mark, pytest.MarkDecorator) and mark.name == "xdist_group"
    ]
    assert groups == [("redis-worker-broker",)]


def test_no_worker_empties_the_browser_tests_output_folder(request):
    """pytest-playwright's own fixture would delete other workers' screenshots."""
    definitions = request._fixturemanager.getfixturedefs("delete_output_dir", request.node)
    assert definitions[-1].func.__module__ == "tests.conftest"
    assert definitions[-1].func() is None


def test_a_running_event_loop_gives_the_thread_other_database_connections():
    """Why tests/conftest.py closes the connections as Playwright starts and stops: while
    an event loop runs in a thread (Playwright's sync API leaves one running), Django
    keeps that thread's connections apart from those it had, which would stay open and
    keep the test database from being dropped at the end of the session."""
    seen = {}

    def in_a_thread_of_its_own():
        loop = asyncio.new_event_loop()
        try:
            seen["before"] = connections[DEFAULT_DB_ALIAS]
            asyncio.events._set_running_loop(loop)
            try:
                seen["while running"] = connections[DEFAULT_DB_ALIAS]
            finally:
                asyncio.events._set_running_loop(None)
            seen["after"] = connections[DEFAULT_DB_ALIAS]
        finally:
            loop.close()

    thread = threading.Thread(target=in_a_thread_of_its_own)
    thread.start()
    thread.join(timeout=30)

    assert seen["while running"] is not seen["before"]
    assert seen["after"] is seen["before"]


def test_playwright_starts_and_stops_with_the_threads_connections_closed(request):
    definitions = request._fixturemanager.getfixturedefs("playwright", request.node)
    ours = definitions[-1]

    assert ours.func.__module__ == "tests.conftest"
    # Closed before pytest-playwright's fixture starts the loop; the override's own
    # teardown closes those opened while it ran, before the plugin's stops it.
    assert ours.argnames == ("_connections_closed_before_playwright_starts", "playwright")
    assert definitions[-2].func.__module__ == "pytest_playwright.pytest_playwright"


GROUPED = """
import os
from pathlib import Path

import pytest


@pytest.mark.xdist_group("GROUP")
@pytest.mark.parametrize("n", range(6))
def test_grouped(n):
    with Path(os.environ["SEEN"]).open("a") as seen:
        seen.write("GROUP " + os.environ["PYTEST_XDIST_WORKER"] + "\\n")
"""


def test_tests_of_one_xdist_group_run_in_one_worker(tmp_path):
    """What the xdist_group marks here rely on (the SoftHSM2 token, the SQLite file
    migrated once, the demo seeded once a module): with pytest 9.2, pytest-xdist 3.8's
    loadgroup parted them without a word (pyproject.toml)."""
    for group in ("one", "two"):
        (tmp_path / f"test_{group}.py").write_text(GROUPED.replace("GROUP", group))
    seen = tmp_path / "seen.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    run = subprocess.run(  # noqa: S603 - pytest on two files of our own
        [
            sys.executable,
            "-m",
            "pytest",
            "-n",
            "2",
            "--dist",
            "loadgroup",
            "-q",
            "-p",
            "no:django",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:playwright",
            "--rootdir",
            str(tmp_path),
            "-c",
            os.devnull,
            str(tmp_path),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**env, "SEEN": str(seen)},
    )

    assert run.returncode == 0, run.stdout + run.stderr
    lines = [line.split() for line in seen.read_text().splitlines()]
    assert len(lines) == 12
    for group in ("one", "two"):
        assert len({worker for name, worker in lines if name == group}) == 1, lines
