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
