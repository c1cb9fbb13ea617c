"""An email's attempts must be spent before it is given up as stuck: a start-up check
(frontdoor.E001) refuses FRONTDOOR_NOTICE_MAX_ATTEMPTS (with the claim's lease,
FRONTDOOR_NOTICE_LEASE_SECONDS) so high that the retries outlast
FRONTDOOR_EMAIL_GIVE_UP_HOURS, naming both."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from frontdoor.checks import email_retries_end_before_give_up
from notices import delivery
from tests.frontdoor.test_settings import PRODUCTION_LIKE, manage

# Each attempt within the back-off's 10 minutes (the default lease, 5, is shorter) and the
# sweeper's 2: 12 minutes, five an hour.
PER_ATTEMPT = timedelta(minutes=12)


def test_the_longest_schedule_is_each_attempts_longest_wait_and_the_sweepers_slack():
    five_minutes = timedelta(minutes=5)
    assert delivery.longest_retry_schedule(max_attempts=8, lease=five_minutes) == 8 * PER_ATTEMPT
    # A lease longer than the back-off: a worker that died holds the email that long.
    assert delivery.longest_retry_schedule(
        max_attempts=3, lease=timedelta(hours=1)
    ) == 3 * timedelta(minutes=62)


def test_the_default_settings_pass(settings):
    assert settings.NOTICE_MAX_ATTEMPTS == 8
    assert email_retries_end_before_give_up() == []


@pytest.mark.parametrize(
    ("attempts", "lease_seconds", "hours", "refused"),
    [
        (360, 300, 72, False),  # 360 x 12 minutes: 72 hours exactly
        (361, 300, 72, True),
        (120, 300, 24, False),
        (121, 300, 24, True),
        (30, 3600, 24, True),  # a lease of an hour: 62 minutes an attempt
        (23, 3600, 24, False),
    ],
)
def test_retries_that_outlast_the_give_up_time_are_refused_naming_both_settings(
    settings, attempts, lease_seconds, hours, refused
):
    settings.NOTICE_MAX_ATTEMPTS = attempts
    settings.NOTICE_CLAIM_LEASE = timedelta(seconds=lease_seconds)
    settings.EMAIL_GIVE_UP_AFTER = timedelta(hours=hours)

    errors = email_retries_end_before_give_up()

    assert bool(errors) is refused
    if refused:
        (error,) = errors
        assert error.id == "frontdoor.E001"
        assert "FRONTDOOR_NOTICE_MAX_ATTEMPTS" in error.msg
        assert "FRONTDOOR_EMAIL_GIVE_UP_HOURS" in error.msg
        assert f"({attempts})" in error.msg and f"({hours})" in error.msg
        # The hint names the most that would do, which passes.
        most = int(error.hint.split("at most ")[1].split()[0])
        settings.NOTICE_MAX_ATTEMPTS = most
        assert email_retries_end_before_give_up() == []
        settings.NOTICE_MAX_ATTEMPTS = most + 1
        assert email_retries_end_before_give_up()


def test_manage_check_fails_on_it(settings):
    settings.NOTICE_MAX_ATTEMPTS = 1000

    with pytest.raises(SystemCheckError, match="frontdoor.E001"):
        call_command("check")


def test_the_setting_from_the_environment_fails_the_deploy_check(tmp_path):
    too_many = {**PRODUCTION_LIKE, "FRONTDOOR_NOTICE_MAX_ATTEMPTS": "400"}

    result = manage(["check", "--deploy"], tmp_path, **too_many)

    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "frontdoor.E001" in output
    assert "FRONTDOOR_NOTICE_MAX_ATTEMPTS (400)" in output
    assert "FRONTDOOR_EMAIL_GIVE_UP_HOURS (72)" in output
