"""Test-only helpers for the outbox tests: email backends that fail or are slow, and real
Celery worker processes for tests/notices/test_outbox_reliability.py.

Worker processes import this module (their PYTHONPATH includes the project), so it
must import without Django being set up. It is also a small command line, used to run
a scan in a separate process at a given moment:

    python -m tests.notices.outbox_harness scan --at <unix time>
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import smtplib
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

from notices.mail import NOTICE_HEADER, NoticeFileBackend

ROOT = Path(__file__).resolve().parents[2]
SLOW_SEND_SECONDS = "FRONTDOOR_TEST_SLOW_SEND_SECONDS"
MAIL_LEDGER = "FRONTDOOR_TEST_MAIL_LEDGER"


class FailingBackend(BaseEmailBackend):
    """An SMTP server that has gone away."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("test mail server went away")


class SlowFileBackend(NoticeFileBackend):
    """NoticeFileBackend after a pause, so that a test can kill a worker mid-delivery,
    and with a ledger: one line per message sent, appended by every worker process.

    Files alone cannot show a notice sent twice (NoticeFileBackend rewrites the same file
    by design); the ledger can. The pause and the ledger's path are read from the
    environment of the worker process."""

    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get(SLOW_SEND_SECONDS, "0")))
        sent = super().send_messages(email_messages)
        ledger = os.environ.get(MAIL_LEDGER)
        if ledger:
            lines = "".join(f"{m.extra_headers.get(NOTICE_HEADER)}\n" for m in email_messages)
            # One write to a file opened for appending: whole lines, even from several
            # processes at once.
            descriptor = os.open(ledger, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(descriptor, lines.encode())
            finally:
                os.close(descriptor)
        return sent


def ledger_counts(path: Path) -> dict[str, int]:
    """How many times each notice was handed to the mail backend."""
    counts: dict[str, int] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            counts[line] = counts.get(line, 0) + 1
    return counts


# --- Waiting --------------------------------------------------------------------------


def wait_until(predicate: Callable[[], object], *, timeout: float, what: str, every=0.2):
    """Poll until ``predicate()`` is truthy and return its value; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


# --- Real worker processes ------------------------------------------------------------


@dataclass
class Worker:
    name: str
    log: Path
    process: subprocess.Popen
    extra_env: dict = field(default_factory=dict)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_ready(self, timeout: float = 30) -> None:
        def ready():
            if self.process.poll() is not None:
                raise AssertionError(f"worker {self.name} exited:\n{self.output()[-3000:]}")
            return f"{self.name}@" in self.output() and " ready." in self.output()

        wait_until(ready, timeout=timeout, what=f"worker {self.name} to be ready")

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once: no clean shutdown."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Warm shutdown of the main process; then nothing of its group may be left."""
        if self.process.poll() is None:
            try:
                self.process.send_signal(signal.SIGCONT)  # in case a test froze it
                self.process.terminate()
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def succeeded(self, result: str) -> int:
        """How many delivery tasks this worker finished with ``result`` (True/False)."""
        return sum(
            1
            for line in self.output().splitlines()
            if "notices.deliver_notification[" in line and line.endswith(f": {result}")
        )


def start_worker(name: str, env: dict, log_dir: Path, *, concurrency: int = 2) -> Worker:
    log = log_dir / f"worker-{name}-{time.monotonic_ns()}.log"
    handle = log.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "frontdoor",
            "worker",
            "--loglevel=INFO",
            f"--concurrency={concurrency}",
            "--without-mingle",
            "--without-gossip",
            "-n",
            f"{name}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so kill() reaches the pool too
    )
    handle.close()
    return Worker(name=name, log=log, process=process)


def run_in_process(command: str, env: dict, *, at: float | None = None) -> subprocess.Popen:
    """Start ``python -m tests.notices.outbox_harness <command>`` in its own process."""
    arguments = [sys.executable, "-m", "tests.notices.outbox_harness", command]
    if at is not None:
        arguments += ["--at", str(at)]
    return subprocess.Popen(
        arguments,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["scan", "sweep"])
    parser.add_argument("--at", type=float, help="start at this Unix time (to race another)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontdoor.settings")
    import django

    django.setup()
    from notices.tasks import sweep
    from triage.services.notices import scan_clocks

    if args.at:
        time.sleep(max(0.0, args.at - time.time()))
    result = scan_clocks() if args.command == "scan" else sweep(older_than_seconds=0)
    print(json.dumps(result))


if __name__ == "__main__":
    _main()
