"""`make test` runs the suite in two pytest-xdist workers; what would collide between
workers is kept apart (README, "Running the tests")."""

import re
from pathlib import Path

import pytest

from tests.notices import test_outbox_reliability

ROOT = Path(__file__).resolve().parents[1]


def test_make_test_runs_two_workers_that_keep_each_group_together():
    makefile = (ROOT / "Makefile").read_text()

    assert re.search(r"^PYTEST_WORKERS \?= 2$", makefile, re.MULTILINE)
    recipe = makefile.split("\ntest: ", 1)[1].split("\n\n", 1)[0]
    assert "pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)" in recipe


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
