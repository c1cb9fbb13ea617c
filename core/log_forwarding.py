"""Forwarding the security log to a remote collector: each record as an RFC 5424 syslog
message over TLS (RFC 5425), so that sign-ins, refusals, lockouts, tokens and break the
glass reach a system where they are kept, searched and alerted on (ASVS 1.7.2).

The line sent is the one written to standard output (the same formatter, ids and fixed
words only: see core.security_log), inside a syslog header: ``<PRI>1 TIMESTAMP HOSTNAME
frontdoor PID LOGGER - MSG``, framed by octet counting as RFC 5425 asks.

Sending never holds up a request. ``ForwardingHandler.emit`` formats the line and puts it
on a bounded queue in memory; one thread per process (started by the first record, and
again in a forked child) connects and sends. While the collector cannot be reached, the
records wait in that queue and the thread tries again after 1, 2, 4... up to 60 seconds;
once the queue is full, newer records are not forwarded, and are counted. The thread says
on the ``frontdoor.logforward`` logger (standard output only) when forwarding fails and
when it resumes, with how many records were not forwarded. Every record is still written
to standard output, whatever happens here. Records still queued when the process ends
have ``flush_seconds`` to go, and none at all while the collector is down. Syslog over
TCP has no acknowledgement: a record sent just as the collector drops the connection can
be lost without an error.

Pure standard library (ssl, socket, logging, threading); no Django.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import socket
import ssl
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from core.log_format import UtcFormatter

TLS_SCHEME = "syslog+tls"
PLAIN_SCHEME = "syslog+tcp"
TLS_PORT = 6514  # RFC 5425's port for syslog over TLS
FACILITY_AUTHPRIV = 10  # security and authorisation messages (private)
APP_NAME = "frontdoor"
BOM = b"\xef\xbb\xbf"  # RFC 5424 6.4: a UTF-8 MSG starts with the byte order mark
RETRY_MAX_SECONDS = 60.0

status = logging.getLogger("frontdoor.logforward")


@dataclass(frozen=True)
class Destination:
    host: str
    port: int
    tls: bool

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{TLS_SCHEME if self.tls else PLAIN_SCHEME}://{host}:{self.port}"


def parse_destination(url: str) -> Destination:
    """``syslog+tls://host[:port]`` (port 6514 by default) or ``syslog+tcp://host:port``
    (plain text: the caller decides whether that is allowed). Raises ValueError saying
    what is wrong."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in {TLS_SCHEME, PLAIN_SCHEME}:
        raise ValueError(
            f"must be {TLS_SCHEME}://host:port (RFC 5425 syslog over TLS), not {url!r}"
        )
    if parts.username or parts.password or parts.path not in {"", "/"} or parts.query:
        raise ValueError("takes a host and a port only (no user, password, path or query)")
    if not parts.hostname:
        raise ValueError(f"names no host: {url!r}")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"has a port that is not one: {url!r}") from None
    if port is None:
        if scheme == PLAIN_SCHEME:
            raise ValueError(f"must give the collector's port: {url!r}")
        port = TLS_PORT
    if port == 0:
        raise ValueError(f"has a port that is not one: {url!r}")
    return Destination(host=parts.hostname, port=port, tls=scheme == TLS_SCHEME)


def tls_context(*, ca_certificates: str = "") -> ssl.SSLContext:
    """The client's TLS: TLS 1.2 at least, the collector's certificate checked against
    ``ca_certificates`` (PEM text; the system's certificate authorities when empty) and
    its name against the host named. Raises ssl.SSLError when the PEM holds no
    certificate. There is no way to turn verification off."""
    # Given authorities, only they are trusted (a private collector's CA, not every public
    # one); the system's are loaded only when none is given.
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cadata=ca_certificates or None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.verify_mode = ssl.CERT_REQUIRED
    context.check_hostname = True
    return context


_SEVERITIES = ((logging.CRITICAL, 2), (logging.ERROR, 3), (logging.WARNING, 4), (logging.INFO, 6))


def _severity(levelno: int) -> int:
    return next((code for level, code in _SEVERITIES if levelno >= level), 7)


def _printable(value: str, limit: int) -> str:
    """RFC 5424's header fields are printable US-ASCII without spaces, or ``-``."""
    return "".join(c for c in value if 33 <= ord(c) <= 126)[:limit] or "-"


_STAMP = UtcFormatter()


def syslog_frame(
    record: logging.LogRecord, line: str, *, hostname: str, facility: int = FACILITY_AUTHPRIV
) -> bytes:
    """One record as RFC 5424 syslog, framed by octet counting (RFC 5425 4.3)."""
    header = " ".join(
        (
            f"<{facility * 8 + _severity(record.levelno)}>1",
            _STAMP.formatTime(record),
            _printable(hostname, 255),
            APP_NAME,
            _printable(str(record.process or "-"), 128),
            _printable(record.name, 32),
            "-",  # no structured data
        )
    )
    message = header.encode("ascii") + b" " + BOM + line.encode("utf-8", "replace")
    return str(len(message)).encode("ascii") + b" " + message


_STOP = object()


class _Sender:
    """The queue and the thread of one process."""

    def __init__(self, handler: ForwardingHandler) -> None:
        self.handler = handler
        self.queue: queue.Queue = queue.Queue(maxsize=handler.queue_size)
        self.stopping = threading.Event()
        self.down = False
        self.dropped_before = 0
        self.socket: socket.socket | None = None
        self.thread = threading.Thread(target=self.run, name="frontdoor-log-forward", daemon=True)
        self.thread.start()

    def connect(self) -> socket.socket:
        handler = self.handler
        destination = handler.destination
        connection = socket.create_connection(
            (destination.host, destination.port), timeout=handler.timeout
        )
        if handler.context is None:
            return connection
        try:
            return handler.context.wrap_socket(connection, server_hostname=destination.host)
        except BaseException:
            connection.close()
            raise

    def send(self, frame: bytes) -> None:
        if self.socket is None:
            self.socket = self.connect()
        self.socket.sendall(frame)

    def disconnect(self) -> None:
        if self.socket is not None:
            with contextlib.suppress(OSError):
                self.socket.close()
            self.socket = None

    def run(self) -> None:
        pending: bytes | None = None
        delay = 1.0
        while True:
            frame = pending if pending is not None else self.queue.get()
            if frame is _STOP:
                break
            try:
                self.send(frame)
            except (OSError, ValueError) as error:  # ssl.SSLError is an OSError
                self.disconnect()
                pending = frame
                if not self.down:
                    self.down = True
                    self.dropped_before = self.handler.dropped
                    status.error(
                        "log forwarding to %s failed: %s; records wait in memory (up to %s) "
                        "and sending is tried again",
                        self.handler.destination,
                        str(error).replace("\n", " "),
                        self.handler.queue_size,
                    )
                if self.stopping.wait(delay):
                    break
                delay = min(delay * 2, RETRY_MAX_SECONDS)
                continue
            pending = None
            delay = 1.0
            if self.down:
                self.down = False
                status.warning(
                    "log forwarding to %s resumed; %s records were not forwarded "
                    "(the queue was full)",
                    self.handler.destination,
                    self.handler.dropped - self.dropped_before,
                )
        self.disconnect()

    def stop(self, flush_seconds: float) -> None:
        if self.down:
            self.stopping.set()  # nothing will get through: do not wait for it
        try:
            self.queue.put_nowait(_STOP)
        except queue.Full:
            self.stopping.set()
        self.thread.join(flush_seconds)
        self.stopping.set()


class ForwardingHandler(logging.Handler):
    """A logging handler that forwards each record it is given to ``host:port`` over TLS
    (``tls=False``: plain TCP), through a queue of at most ``queue_size`` records.
    ``emit`` never blocks on the network and never raises."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        tls: bool = True,
        ca_certificates: str = "",
        queue_size: int = 10_000,
        timeout: float = 5.0,
        flush_seconds: float = 2.0,
        level: int = logging.NOTSET,
    ) -> None:
        super().__init__(level)
        self.destination = Destination(host=host, port=port, tls=tls)
        self.context = tls_context(ca_certificates=ca_certificates) if tls else None
        self.queue_size = queue_size
        self.timeout = timeout
        self.flush_seconds = flush_seconds
        self.hostname = socket.gethostname()
        self.dropped = 0
        self._sender: _Sender | None = None
        self._pid: int | None = None

    def _started(self) -> _Sender:
        # emit runs under the handler's lock (logging.Handler.handle), which logging
        # renews in a forked child: a child (a gunicorn or Celery worker) starts its own
        # thread and queue, since the parent's thread does not exist there.
        if self._sender is None or self._pid != os.getpid():
            self._pid = os.getpid()
            self._sender = _Sender(self)
        return self._sender

    def emit(self, record: logging.LogRecord) -> None:
        try:
            frame = syslog_frame(record, self.format(record), hostname=self.hostname)
            self._started().queue.put_nowait(frame)
        except queue.Full:
            self.dropped += 1
        except Exception:
            self.handleError(record)

    def close(self) -> None:
        sender, self._sender = self._sender, None
        if sender is not None and self._pid == os.getpid():
            sender.stop(self.flush_seconds)
        super().close()
