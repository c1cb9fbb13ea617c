"""The log line's time: UTC in ISO 8601 with milliseconds and a Z (2026-10-25T01:30:00.123Z),
so that no two moments read the same when the clocks go back and lines from several
machines sort together (ASVS 7.1.4)."""

from __future__ import annotations

import logging
import time


class UtcFormatter(logging.Formatter):
    converter = time.gmtime

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 - logging's name
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", self.converter(record.created))
        return f"{stamp}.{int(record.msecs):03d}Z"
