"""Log lines are stamped in UTC with a Z, unambiguous when the clocks go back."""

import logging
from datetime import UTC, datetime

from django.conf import settings

from core.log_format import UtcFormatter


def record_at(moment: datetime) -> logging.LogRecord:
    record = logging.LogRecord("frontdoor.security", logging.INFO, __file__, 1, "x", (), None)
    record.created = moment.timestamp()
    record.msecs = moment.microsecond // 1000
    return record


def test_the_hour_the_clocks_go_back_is_told_apart():
    # 01:30 in London happens twice on 25 October 2026: at 00:30 and at 01:30 UTC.
    formatter = UtcFormatter("%(asctime)s %(message)s")

    first = formatter.format(record_at(datetime(2026, 10, 25, 0, 30, 0, 123000, tzinfo=UTC)))
    second = formatter.format(record_at(datetime(2026, 10, 25, 1, 30, 0, tzinfo=UTC)))

    assert first == "2026-10-25T00:30:00.123Z x"
    assert second == "2026-10-25T01:30:00.000Z x"


def test_the_projects_log_lines_use_it():
    plain = settings.LOGGING["formatters"]["plain"]

    assert plain["()"] == "core.log_format.UtcFormatter"
    assert plain["format"].startswith("%(asctime)s ")
