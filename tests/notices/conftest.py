import pytest

from agencies.models import Role
from tests.factories import UserFactory

# The outbox tests' shared helpers (outbox_support.py) assert too: pytest explains their
# failures as it does a test's own.
pytest.register_assert_rewrite("tests.notices.outbox_support")


@pytest.fixture
def managers():
    """Two managers, told of every referral's clocks (test_outbox_reliability.py has a
    `managers` of its own, which it keeps)."""
    return [UserFactory(role=Role.MANAGER), UserFactory(role=Role.MANAGER)]
