"""The outbox against real Celery workers, a real Redis and PostgreSQL: workers killed
mid-delivery, the broker restarted, scans racing each other, workers competing for the
same notices. Each scenario ends with every email notice sent exactly once.

These start worker processes, so they run only where CELERY_BROKER_URL is a redis:// URL
and DATABASE_URL names PostgreSQL (as .ci/run sets); elsewhere they are skipped. The
workers use their own Redis database (15, or FRONTDOOR_TEST_WORKER_BROKER's, flushed before
each test) and see the test database through committed rows (``transaction=True``). Under
pytest-xdist they all run in one worker (the xdist_group below, with `--dist loadgroup` as
`make test` passes it), one at a time, as they share that Redis database.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import kombu.pools
import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from agencies.models import Role
from frontdoor.celery import app as celery_app
from notices import services as notifications
from notices.models import NoticeEvent, NoticeKind, Notification
from notices.tasks import dispatch, sweep
from tests.factories import AgencyFactory, InformationRequestFactory, ReferralFactory, UserFactory
from tests.notices import outbox_harness as harness
from triage.services.notices import scan_clocks

BROKER_IS_REDIS = django_settings.CELERY_BROKER_URL.startswith("redis://")
DATABASE_IS_POSTGRES = (
    django_settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
)
TEST_BROKER = os.environ.get("FRONTDOOR_TEST_WORKER_BROKER") or "redis://127.0.0.1:6379/15"
LEASE_SECONDS = 30  # the shortest lease the setting allows
EMAIL = Notification.Channel.EMAIL
SENT = Notification.Status.SENT

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.skipif(
        not (BROKER_IS_REDIS and DATABASE_IS_POSTGRES),
        reason="starts real Celery workers: needs CELERY_BROKER_URL=redis://... and "
        "DATABASE_URL naming PostgreSQL (as .ci/run sets)",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("redis-worker-broker"),
]


# --- Fixtures -------------------------------------------------------------------------


def _reset_producer_pools() -> None:
    """Forget every broker connection this process holds, so that the next task sent
    connects afresh to the broker configured now (kombu keeps its pools globally)."""
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def tasks_sent_to(url: str):
    """Send this process's tasks to ``url`` for real, not run them in process. Celery
    reads CELERY_BROKER_URL from the environment before its configuration, so both."""
    saved = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    saved_env = os.environ.get("CELERY_BROKER_URL")
    _reset_producer_pools()
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = os.environ["CELERY_BROKER_URL"] = url
    try:
        assert celery_app.connection_for_write().as_uri(include_password=True) == url
        yield
    finally:
        _reset_producer_pools()
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = saved
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env


@pytest.fixture
def worker_broker():
    client = redis.Redis.from_url(TEST_BROKER)
    client.flushdb()
    with tasks_sent_to(TEST_BROKER):
        yield TEST_BROKER
    client.flushdb()
    client.close()


@pytest.fixture
def mail_dir(tmp_path) -> Path:
    return tmp_path / "mail"


@pytest.fixture
def ledger(tmp_path) -> Path:
    return tmp_path / "sent.ledger"


@pytest.fixture
def base_env(tmp_path, ledger) -> dict:
    """What a worker (or a scan process) needs to work on the test database."""
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "COV_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="frontdoor.settings",
        DJANGO_DEBUG="true",
        DATABASE_URL=(
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        CELERY_BROKER_URL=TEST_BROKER,
        FRONTDOOR_VAR_DIR=str(tmp_path),
        EMAIL_BACKEND="tests.notices.outbox_harness.SlowFileBackend",
        FRONTDOOR_NOTICE_LEASE_SECONDS=str(LEASE_SECONDS),
        PYTHONPATH=str(harness.ROOT),
        PYTHONUNBUFFERED="1",
        **{harness.MAIL_LEDGER: str(ledger), harness.SLOW_SEND_SECONDS: "0"},
    )
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


@pytest.fixture
def start_worker(base_env, tmp_path):
    """Start real workers; every one is stopped at the end of the test, whatever happens."""
    started: list[harness.Worker] = []
    logs = tmp_path / "logs"
    logs.mkdir()

    def start(name: str, **env) -> harness.Worker:
        worker = harness.start_worker(name, {**base_env, **env}, logs)
        started.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in started:
        worker.stop()
        # Shown by pytest only when the test failed.
        print(f"--- worker {worker.name} ---\n{worker.output()[-4000:]}")


@pytest.fixture
def managers():
    return [UserFactory(role=Role.MANAGER) for _ in range(3)]


# --- Helpers --------------------------------------------------------------------------


def overdue_referrals(count: int, *, by: timedelta = timedelta(minutes=5)):
    now = timezone.now()
    return [
        ReferralFactory(received_at=now - by - timedelta(hours=24), decision_due_at=now - by)
        for _ in range(count)
    ]


def emails():
    return Notification.objects.filter(channel=EMAIL)


def all_emails_sent() -> bool:
    return emails().exists() and not emails().exclude(status=SENT).exists()


def file_name(notice: Notification) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", f"{notice.event.key}-{notice.recipient_id}") + ".eml"


def assert_each_email_sent_exactly_once(mail_dir: Path, ledger: Path) -> None:
    notices = list(emails().select_related("event"))
    assert notices
    for notice in notices:
        assert notice.status == SENT, notice.pk
        assert notice.attempts >= 1 and notice.sent_at is not None
    # One file per email notice and nothing else (no second copy, no half-written file).
    assert sorted(p.name for p in mail_dir.iterdir()) == sorted(file_name(n) for n in notices)
    # And each handed to the mail backend once: the file backend would hide a second send.
    assert harness.ledger_counts(ledger) == {f"{n.event.key}-{n.recipient_id}": 1 for n in notices}


def wait_for_all_sent(timeout: float = 30) -> None:
    harness.wait_until(all_emails_sent, timeout=timeout, what="every email notice to be sent")


class Warnings(logging.Handler):
    """The outbox's own log ('frontdoor' does not propagate to the root logger)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@contextmanager
def outbox_warnings():
    handler, logger = Warnings(), logging.getLogger("frontdoor.notices")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


# --- 1. A worker killed mid-delivery --------------------------------------------------


def test_a_worker_killed_mid_delivery_is_taken_over_and_each_notice_sent_once(
    worker_broker, start_worker, managers, mail_dir, ledger
):
    slow = start_worker("w1", **{harness.SLOW_SEND_SECONDS: "20"})
    overdue_referrals(1)
    scan_clocks()  # three emails, dispatched on commit

    harness.wait_until(
        lambda: emails().filter(status=Notification.Status.SENDING).count() == 2,
        timeout=15,
        what="the worker to claim two emails",
    )
    time.sleep(0.5)  # well inside the 20-second send
    slow.kill()  # SIGKILL: no clean shutdown, the claims are left held
    claimed = dict(
        emails().filter(status=Notification.Status.SENDING).values_list("pk", "claimed_at")
    )
    assert len(claimed) == 2
    assert not mail_dir.exists() or not any(mail_dir.iterdir())
    assert harness.ledger_counts(ledger) == {}

    start_worker("w2")
    # The third email's message was still in the queue: the new worker sends it at once.
    # The two claimed ones wait for their lease to run out, then the sweeper (run in the
    # new worker, as beat would every minute) hands them out again.
    deadline = time.monotonic() + LEASE_SECONDS + 25
    while not all_emails_sent():
        assert time.monotonic() < deadline, "claimed emails were never taken over"
        celery_app.send_task("notices.sweep_outbox")
        time.sleep(2)

    assert_each_email_sent_exactly_once(mail_dir, ledger)
    for notice in emails().filter(pk__in=claimed):
        assert notice.attempts == 2  # the dead worker's attempt, and the one that sent it
        # Taken over only once the dead worker's lease had run out.
        assert notice.claimed_at - claimed[notice.pk] >= timedelta(seconds=LEASE_SECONDS)


# --- 2. The broker restarted ----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_redis(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)

    def answers():
        try:
            return client.ping()
        except redis.ConnectionError:
            return False

    harness.wait_until(answers, timeout=10, what="the private Redis to answer")
    client.close()
    return server


@pytest.fixture
def private_redis():
    """A Redis of this test's own, which it may kill and restart: the shared one on 6379
    is used by others."""
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server to start a private broker")
    port = _free_port()
    servers = [_start_redis(port)]

    def restart():
        servers.append(_start_redis(port))

    yield port, servers, restart
    for server in servers:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=10)


def test_notices_raised_while_the_broker_is_down_are_sent_once_when_it_is_back(
    start_worker, managers, mail_dir, ledger, private_redis
):
    port, servers, restart = private_redis
    url = f"redis://127.0.0.1:{port}/0"
    with tasks_sent_to(url):
        worker = start_worker("w1", CELERY_BROKER_URL=url)

        # A: delivered normally.
        overdue_referrals(1)
        scan_clocks()
        wait_for_all_sent()

        # B: queued in the broker while the worker is frozen, then lost with the broker.
        os.killpg(worker.process.pid, signal.SIGSTOP)
        overdue_referrals(1)
        scan_clocks()
        servers[0].kill()
        servers[0].wait(timeout=10)
        os.killpg(worker.process.pid, signal.SIGCONT)

        # C: raised while the broker is down. Dispatch fails and says so; the rows wait.
        with outbox_warnings() as warnings:
            (late,) = overdue_referrals(1)
            scan_clocks()
        waiting = emails().filter(event__referral_id=late.pk)
        assert waiting.count() == len(managers)
        assert set(waiting.values_list("status", flat=True)) == {Notification.Status.PENDING}
        assert len([m for m in warnings if "not dispatched" in m]) == len(managers)

        restart()
        # The sweeper, as if a minute on: every email still pending goes out again. The
        # worker reconnects by itself; until it has, sweeps only queue duplicates, which
        # the claim turns away.
        deadline = time.monotonic() + 45
        while not all_emails_sent():
            assert time.monotonic() < deadline, "emails not sent after the broker came back"
            sweep(now=timezone.now() + timedelta(seconds=61))
            time.sleep(2)

    assert emails().count() == 3 * len(managers)
    assert_each_email_sent_exactly_once(mail_dir, ledger)


# --- 3. Scans run twice, and at once ----------------------------------------------------


def test_scans_run_twice_and_at_once_raise_each_notice_once(
    worker_broker, start_worker, base_env, managers, mail_dir, ledger, settings
):
    head = UserFactory(role=Role.AUDITOR)
    env = {**base_env, "FRONTDOOR_HEAD_OF_SERVICE": head.username}
    now = timezone.now()
    for due in [now + timedelta(hours=1)] * 3 + [now - timedelta(minutes=5)] * 3:
        ReferralFactory(received_at=due - timedelta(hours=24), decision_due_at=due)
    overdue_referrals(2, by=timedelta(hours=5))  # overdue and escalated
    asked = AgencyFactory(name="Test Health Visiting")
    partners = [UserFactory(role=Role.PARTNER, agency=asked) for _ in range(2)]
    for _ in range(2):
        InformationRequestFactory(
            agency=asked, requested_at=now - timedelta(hours=5), due_at=now - timedelta(hours=1)
        )
    start_worker("w1", FRONTDOOR_HEAD_OF_SERVICE=head.username)

    at = time.time() + 4  # both processes are set up by then, and start together
    racers = [harness.run_in_process("scan", env, at=at) for _ in range(2)]
    outputs = [racer.communicate(timeout=60) for racer in racers]
    for racer, (_, err) in zip(racers, outputs, strict=True):
        assert racer.returncode == 0, err
    raised = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    totals = {kind: sum(r[kind] for r in raised) for kind in raised[0]}
    # Each notice once across both scans; the scan's other kinds (discussions,
    # challenges) have nothing due here.
    assert totals == {
        **dict.fromkeys(totals, 0),
        "due_soon": 3,
        "overdue": 5,
        "escalation": 2,
        "information_request_overdue": 2,
    }

    settings.HEAD_OF_SERVICE_USERNAMES = [head.username]
    assert scan_clocks() == dict.fromkeys(totals, 0)  # and a third time: nothing new

    assert NoticeEvent.objects.count() == 12
    expected = {
        NoticeKind.DUE_SOON: {m.pk for m in managers},
        NoticeKind.OVERDUE: {m.pk for m in managers},
        NoticeKind.ESCALATION: {head.pk},
        NoticeKind.INFORMATION_REQUEST_OVERDUE: {p.pk for p in partners},
    }
    for event in NoticeEvent.objects.all():
        for channel in Notification.Channel.values:
            people = list(
                event.notifications.filter(channel=channel).values_list("recipient", flat=True)
            )
            assert sorted(people) == sorted(expected[event.kind]), (event.key, channel)
    wait_for_all_sent()
    assert_each_email_sent_exactly_once(mail_dir, ledger)


# --- 4. Two workers competing for the same notices --------------------------------------


def test_two_workers_given_the_same_notices_send_each_once(
    worker_broker, start_worker, managers, mail_dir, ledger, monkeypatch
):
    first = start_worker("w1", **{harness.SLOW_SEND_SECONDS: "0.2"})
    second = start_worker("w2", **{harness.SLOW_SEND_SECONDS: "0.2"})
    overdue_referrals(4)
    with monkeypatch.context() as patch:
        patch.setattr(notifications, "dispatch", lambda ids: None)  # dispatched below
        scan_clocks()
    ids = list(emails().order_by("pk").values_list("pk", flat=True))
    assert len(ids) == 12

    dispatch([i for i in ids for _ in range(2)])  # each one twice, back to back

    wait_for_all_sent()
    harness.wait_until(
        lambda: first.succeeded("False") + second.succeeded("False") == len(ids),
        timeout=15,
        what="every duplicate to be turned away",
    )
    assert_each_email_sent_exactly_once(mail_dir, ledger)
    assert first.succeeded("True") + second.succeeded("True") == len(ids)
    assert first.succeeded("True") + first.succeeded("False") > 0
    assert second.succeeded("True") + second.succeeded("False") > 0
    assert set(emails().values_list("attempts", flat=True)) == {1}
