import pytest

# The shared helpers (outbox_support.py, sign_in_change_support.py) assert too: pytest
# explains their failures as it does a test's own. Before they are imported.
pytest.register_assert_rewrite(
    "tests.notices.outbox_support", "tests.notices.sign_in_change_support"
)

import time_machine  # noqa: E402

from agencies.models import Role  # noqa: E402
from tests.factories import UserFactory  # noqa: E402
from tests.notices.sign_in_change_support import AT  # noqa: E402


@pytest.fixture
def managers():
    """Two managers, told of every referral's clocks (test_outbox_reliability.py has a
    `managers` of its own, which it keeps)."""
    return [UserFactory(role=Role.MANAGER), UserFactory(role=Role.MANAGER)]


@pytest.fixture
def told(django_capture_on_commit_callbacks, mailoutbox):
    """Run a change at AT (sign_in_change_support.py) with the emails it commits
    delivered (tasks run in process)."""

    def run(change):
        with (
            time_machine.travel(AT, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return change()

    return run
