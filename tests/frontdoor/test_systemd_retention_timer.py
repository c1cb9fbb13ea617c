"""deploy/systemd/frontdoor-retention.timer and its service: the retention schedule's
erasure, as docs/DEPLOYMENT.md ("Applying the retention schedule") gives it, run as the
owner once a night, a missed night caught up, read by systemd's own calendar parser."""

import datetime
import os
import re
import subprocess

from tests.frontdoor.systemd_support import (
    ANALYZE,
    ROOT,
    UNITS,
    analyze,
    credentials,
    needs_analyze,
    values,
)

TIMER = "frontdoor-retention.timer"
ERASE = "python manage.py retention_erase --yes"


def timer_settings() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in (UNITS / TIMER).read_text().splitlines():
        if "=" in line and not line.startswith(("#", ";")):
            key, value = (part.strip() for part in line.split("=", 1))
            found.setdefault(key, []).append(value)
    return found


def retention_section_commands() -> list[str]:
    """The commands of docs/DEPLOYMENT.md's "Applying the retention schedule", comments
    left out."""
    text = (ROOT / "docs" / "DEPLOYMENT.md").read_text()
    section = text.split("\n## Applying the retention schedule\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    lines = [line.split("#", 1)[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line]


def test_the_retention_service_runs_the_documented_erasure_as_the_owner():
    """The command DEPLOYMENT.md gives the owner to run by hand is the one the unit runs,
    with --yes (without it the command erases nothing), as the owner, once; the timer
    starts it, nothing else does (no [Install])."""
    text = (UNITS / "frontdoor-retention.service").read_text()

    assert values("frontdoor-retention", "ExecStart") == [f"@CHECKOUT@/.venv/bin/{ERASE}"]
    assert f"DATABASE_URL=$OWNER_URL {ERASE}" in retention_section_commands()
    assert values("frontdoor-retention", "Type") == ["oneshot"]
    assert credentials("frontdoor-retention")["DATABASE_URL"] == "owner_database_url"
    assert "\n[Install]" not in text
    assert values("frontdoor-retention", "TimeoutStartSec") == ["6h"]


def test_the_retention_timer_starts_the_service_nightly_and_catches_up_a_missed_night():
    timer = timer_settings()

    # systemd-analyze verify says nothing of a timer whose service is missing: looked at here.
    assert timer["Unit"] == ["frontdoor-retention.service"]
    assert (UNITS / timer["Unit"][0]).is_file()
    (on_calendar,) = timer["OnCalendar"]
    assert on_calendar.endswith(" UTC")
    # A run missed while the machine was off is run at the next boot.
    assert timer["Persistent"] == ["true"]
    # Spread, but well inside the night: the run starts by 03:00 UTC.
    assert timer["RandomizedDelaySec"] == ["30min"]
    assert timer["WantedBy"] == ["timers.target"]
    assert f"systemctl enable --now {TIMER}" in retention_section_commands()


@needs_analyze
def test_systemd_analyze_calendar_reads_the_timers_schedule_as_once_a_night():
    """systemd's own parser: the timer's OnCalendar= is valid and elapses at 02:30 UTC on
    each of the next days, once a day."""
    (on_calendar,) = timer_settings()["OnCalendar"]
    result = subprocess.run(
        [ANALYZE, "calendar", "--iterations=4", on_calendar],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "TZ": "UTC"},
    )
    elapses = re.findall(
        r"(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC",
        result.stdout,
    )
    days = [datetime.date.fromisoformat(day) for day, _ in elapses]

    assert result.returncode == 0, result.stderr
    assert "Normalized form: *-*-* 02:30:00 UTC" in result.stdout
    assert len(elapses) == 4 and {clock for _, clock in elapses} == {"02:30:00"}
    assert [later - earlier for earlier, later in zip(days[:-1], days[1:], strict=True)] == [
        datetime.timedelta(days=1)
    ] * 3


@needs_analyze
def test_an_unparseable_schedule_is_refused_by_systemd_analyze_calendar():
    """The check above has teeth."""
    result = analyze("calendar", "*-*-* 25:30:00 UTC", cwd=UNITS)

    assert result.returncode != 0
