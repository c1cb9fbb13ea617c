"""What the tests of the triage side's date bounds share (test_date_bounds.py,
test_date_bounds_requests.py): the moments they run at, and a date as the form's three
boxes. The agencies they ask are a fixture in conftest.py."""

from datetime import UTC, datetime

import time_machine

# Tuesday 24 November 2026, 10:00 in London (GMT, so the same in UTC).
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
# The referral was received on Monday 2 November 2026 at 09:30.
RECEIVED = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
# The discussion was held on Monday 23 November 2026 at 14:00.
HELD = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)

now = time_machine.travel(NOW, tick=False)


def day(prefix: str, moment: datetime) -> dict:
    return {
        f"{prefix}_day": str(moment.day),
        f"{prefix}_month": str(moment.month),
        f"{prefix}_year": f"{moment.year:04d}",
    }


YEAR_ONE = datetime(1, 1, 1, 10, 0, tzinfo=UTC)
YEAR_9999 = datetime(9999, 12, 31, 10, 0, tzinfo=UTC)
