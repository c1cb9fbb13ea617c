import pytest

# The systemd units' shared helpers (systemd_support.py) assert too: pytest explains their
# failures as it does a test's own.
pytest.register_assert_rewrite("tests.frontdoor.systemd_support")
