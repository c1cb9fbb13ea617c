"""The security log forwarded to a collector over TLS (core.log_forwarding; ASVS 1.7.2).

Each collector here is a real TLS server on the loopback address, in a thread of the test,
with a certificate authority and a server certificate made for the test; it reads RFC 5425
frames (octet-counted RFC 5424 messages) off every connection.
"""

from __future__ import annotations

import logging
import multiprocessing
import re
import socket
import ssl
import threading
import time
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings

from core.log_format import UtcFormatter
from core.log_forwarding import ForwardingHandler
from tests.factories import UserFactory
from tests.frontdoor.test_settings import PRODUCTION_LIKE, run_django

LOGIN = "/accounts/login/"
FRAME = re.compile(rb"(\d+) ")


# --- Certificates, made here --------------------------------------------------------------


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def make_authority(name: str = "Front Door test log CA"):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(_name(name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def make_server_files(tmp_path, authority, *, names=("localhost",), ips=("127.0.0.1",)):
    """A server certificate signed by ``authority`` for ``names`` and ``ips``: the paths
    of its chain and key."""
    ca_key, ca_certificate = authority
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    alternative = [x509.DNSName(n) for n in names] + [x509.IPAddress(IPv4Address(i)) for i in ips]
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(names[0]))
        .issuer_name(ca_certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(alternative), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    chain, key_file = tmp_path / f"{names[0]}.pem", tmp_path / f"{names[0]}.key"
    chain.write_text(_pem(certificate))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return chain, key_file


# --- A collector --------------------------------------------------------------------------


class Collector:
    """A TLS syslog collector on 127.0.0.1 (``port`` 0: any free one): keeps the messages
    of every frame it reads, and the TLS versions and errors of its connections."""

    def __init__(self, chain, key, *, port: int = 0):
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(chain, key)
        self.listener = socket.create_server(("127.0.0.1", port))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.messages: list[bytes] = []
        self.raw = b""
        self.versions: list[str] = []
        self.errors: list[str] = []
        self.closing = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.closing.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._read, args=(connection,), daemon=True).start()

    def _read(self, connection):
        connection.settimeout(10)
        try:
            with self.context.wrap_socket(connection, server_side=True) as tls:
                self.versions.append(tls.version())
                buffer = b""
                while chunk := tls.recv(65536):
                    self.raw += chunk
                    buffer += chunk
                    while match := FRAME.match(buffer):
                        end = match.end() + int(match.group(1))
                        if len(buffer) < end:
                            break
                        self.messages.append(buffer[match.end() : end])
                        buffer = buffer[end:]
        except (OSError, ssl.SSLError) as error:
            self.errors.append(str(error))

    def wait_for(self, count: int = 1, timeout: float = 15) -> list[bytes]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.messages) >= count, f"the collector got {self.messages}"
        return self.messages

    def close(self):
        self.closing.set()
        self.thread.join(2)
        self.listener.close()


def split_message(message: bytes) -> tuple[list[str], str]:
    """An RFC 5424 message: its seven header fields (PRI and VERSION, TIMESTAMP,
    HOSTNAME, APP-NAME, PROCID, MSGID, STRUCTURED-DATA) and its MSG, after the BOM."""
    header, _, body = message.partition(b" \xef\xbb\xbf")
    return header.decode("ascii").split(" "), body.decode("utf-8")


def wait_until(condition, timeout: float = 15, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


@pytest.fixture
def authority():
    return make_authority()


@pytest.fixture
def collector(tmp_path, authority):
    chain, key = make_server_files(tmp_path, authority)
    collector = Collector(chain, key)
    yield collector
    collector.close()


def plain_formatter() -> logging.Formatter:
    """The formatter standard output uses (settings.LOGGING's "plain")."""
    plain = settings.LOGGING["formatters"]["plain"]
    assert plain["()"] == "core.log_format.UtcFormatter"
    return UtcFormatter(plain["format"])


@pytest.fixture
def forward_security_log():
    """Attach a ForwardingHandler, as production's settings make it, to the security
    logger; closed and detached afterwards."""
    attached: list[ForwardingHandler] = []
    security = logging.getLogger("frontdoor.security")

    def attach(**options) -> ForwardingHandler:
        handler = ForwardingHandler(**{"host": "127.0.0.1", **options})
        handler.setFormatter(plain_formatter())
        security.addHandler(handler)
        attached.append(handler)
        return handler

    yield attach
    for handler in attached:
        security.removeHandler(handler)
        handler.close()


# --- Forwarding ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_failed_sign_in_reaches_the_collector_over_tls_as_the_line_standard_output_has(
    client, collector, authority, forward_security_log, caplog
):
    pat = UserFactory(username="pat.example")
    forward_security_log(port=collector.port, ca_certificates=_pem(authority[1]))

    with caplog.at_level(logging.INFO, logger="frontdoor.security"):
        response = client.post(LOGIN, {"username": "pat.example", "password": "hunter2-wrong"})

    assert response.status_code == 200
    [message] = collector.wait_for(1)
    header, line = split_message(message)
    pri_version, timestamp, _host, app, procid, msgid, structured = header
    assert pri_version == "<84>1"  # facility authpriv (10), severity warning (4)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", timestamp)
    assert (app, msgid, structured) == ("frontdoor", "frontdoor.security", "-")
    assert procid.isdigit()
    [record] = [r for r in caplog.records if r.name == "frontdoor.security"]
    assert line == plain_formatter().format(record)
    assert f"sign-in failed: user={pat.pk} " in line
    assert b"pat.example" not in collector.raw
    assert b"hunter2" not in collector.raw
    assert collector.versions[0] in {"TLSv1.2", "TLSv1.3"}


@pytest.mark.django_db
def test_a_collector_that_never_answers_holds_up_no_request(
    client, authority, forward_security_log, caplog
):
    # It takes the connection and then says nothing: the TLS handshake would wait out its
    # whole timeout, were the request to wait for it.
    silent = socket.create_server(("127.0.0.1", 0))
    handler = forward_security_log(
        port=silent.getsockname()[1], ca_certificates=_pem(authority[1]), timeout=3
    )
    UserFactory(username="pat.example")
    try:
        with caplog.at_level(logging.INFO):
            started = time.monotonic()
            response = client.post(LOGIN, {"username": "pat.example", "password": "wrong"})
            took = time.monotonic() - started

            assert response.status_code == 200
            assert "Enter a correct username and password" in response.content.decode()
            assert took < 2, f"the sign-in page waited {took:.1f} s for the collector"
            wait_until(
                lambda: any(r.name == "frontdoor.logforward" for r in caplog.records),
                what="the forwarder to say the collector failed",
            )
    finally:
        silent.close()
    [failure] = [r for r in caplog.records if r.name == "frontdoor.logforward"]
    assert failure.levelno == logging.ERROR
    assert f"log forwarding to syslog+tls://127.0.0.1:{handler.destination.port} failed" in (
        failure.getMessage()
    )
    assert "records wait in memory (up to 10000)" in failure.getMessage()


def test_records_wait_while_the_collector_is_down_and_the_queue_full_are_counted(
    tmp_path, authority, forward_security_log, caplog
):
    port = free_port()  # nothing listens there yet: each connection is refused
    handler = forward_security_log(port=port, ca_certificates=_pem(authority[1]), queue_size=3)
    security = logging.getLogger("frontdoor.security")

    with caplog.at_level(logging.INFO):
        security.warning("while down: first")
        wait_until(
            lambda: any(r.name == "frontdoor.logforward" for r in caplog.records),
            what="the first attempt to fail",
        )
        for n in range(2, 9):
            security.warning("while down: %s", n)  # never raises, never waits
        chain, key = make_server_files(tmp_path, authority)
        collector = Collector(chain, key, port=port)
        try:
            # The first record was being tried; the queue held three more; four went.
            messages = collector.wait_for(4)
            wait_until(
                lambda: len([r for r in caplog.records if r.name == "frontdoor.logforward"]) == 2,
                what="the forwarder to say it resumed",
            )
            time.sleep(0.2)
            lines = [split_message(m)[1] for m in collector.messages]
        finally:
            collector.close()

    assert len(messages) == 4
    assert [line.rsplit(": ", 1)[1] for line in lines] == ["first", "2", "3", "4"]
    assert handler.dropped == 4
    failed, resumed = [r.getMessage() for r in caplog.records if r.name == "frontdoor.logforward"]
    assert "failed" in failed
    assert resumed == (
        f"log forwarding to syslog+tls://127.0.0.1:{port} resumed; 4 records were not "
        "forwarded (the queue was full)"
    )


def _log_in_a_forked_child(handler: ForwardingHandler) -> None:
    logging.getLogger("frontdoor.security").warning("from the child")
    handler.close()  # as logging.shutdown does at exit: what is queued gets its time to go


def test_a_forked_worker_forwards_through_a_thread_of_its_own(
    collector, authority, forward_security_log
):
    # gunicorn and Celery fork their workers from a parent that has set logging up, and
    # a thread does not survive a fork: the child must start its own.
    handler = forward_security_log(port=collector.port, ca_certificates=_pem(authority[1]))
    logging.getLogger("frontdoor.security").warning("from the parent")
    collector.wait_for(1)

    child = multiprocessing.get_context("fork").Process(
        target=_log_in_a_forked_child, args=(handler,)
    )
    child.start()
    child.join(20)

    assert child.exitcode == 0
    messages = collector.wait_for(2)
    (parent_header, parent_line), (child_header, child_line) = map(split_message, messages)
    assert parent_line.endswith("from the parent") and child_line.endswith("from the child")
    assert parent_header[4] != child_header[4]  # PROCID: each process its own


@pytest.mark.parametrize("mismatch", ["another authority", "another name"])
def test_a_collector_whose_certificate_does_not_verify_is_sent_nothing(
    tmp_path, authority, forward_security_log, caplog, mismatch
):
    if mismatch == "another authority":
        chain, key = make_server_files(tmp_path, make_authority("Someone else's CA"))
    else:
        chain, key = make_server_files(tmp_path, authority, names=("collector.example",), ips=())
    collector = Collector(chain, key)
    forward_security_log(port=collector.port, ca_certificates=_pem(authority[1]))

    try:
        with caplog.at_level(logging.INFO):
            logging.getLogger("frontdoor.security").warning("sign-in failed: user=7")
            wait_until(
                lambda: any(r.name == "frontdoor.logforward" for r in caplog.records),
                what="the forwarder to refuse the certificate",
            )
            wait_until(lambda: collector.errors, what="the collector to see the handshake fail")
    finally:
        collector.close()

    [failure] = [r.getMessage() for r in caplog.records if r.name == "frontdoor.logforward"]
    assert "CERTIFICATE_VERIFY_FAILED" in failure
    assert collector.messages == []
    assert b"user=7" not in collector.raw


# --- Production's settings ----------------------------------------------------------------


def test_production_forwards_the_security_logs_and_nothing_else(tmp_path, collector, authority):
    ca_file = tmp_path / "collector-ca.pem"
    ca_file.write_text(_pem(authority[1]))

    result = run_django(
        "import logging; from core import security_log; "
        "security_log.sign_in_failed("
        "user_id=7, account='k3y', via='web', path='/accounts/login/'); "
        "logging.getLogger('django.security.csrf').warning('Forbidden (CSRF token missing.): /x'); "
        "logging.getLogger('frontdoor.notices').warning('not a security event')",
        tmp_path,
        **PRODUCTION_LIKE,
        FRONTDOOR_LOG_FORWARD_URL=f"syslog+tls://localhost:{collector.port}",
        FRONTDOOR_LOG_FORWARD_CA_FILE=str(ca_file),
    )

    assert result.returncode == 0, result.stderr
    # Standard output (stderr, as Python's logging writes it) still has every line.
    assert "sign-in failed: user=7 account=k3y" in result.stderr
    assert "not a security event" in result.stderr
    messages = collector.wait_for(2)
    time.sleep(0.2)
    lines = [split_message(m)[1] for m in collector.messages]
    assert len(lines) == 2
    assert lines[0].endswith(
        "WARNING frontdoor.security sign-in failed: user=7 account=k3y via=web "
        "path=/accounts/login/"
    )
    assert lines[1].endswith("WARNING django.security.csrf Forbidden (CSRF token missing.): /x")
    assert [split_message(m)[0][5] for m in messages] == [
        "frontdoor.security",
        "django.security.csrf",
    ]


@pytest.mark.parametrize(
    ("variables", "said"),
    [
        (
            {"FRONTDOOR_LOG_FORWARD_URL": "https://logs.example.gov.uk"},
            "FRONTDOOR_LOG_FORWARD_URL must be syslog+tls://host:port",
        ),
        (
            {"FRONTDOOR_LOG_FORWARD_URL": "syslog+tls://logs.example.gov.uk:log"},
            "FRONTDOOR_LOG_FORWARD_URL has a port that is not one",
        ),
        (
            {"FRONTDOOR_LOG_FORWARD_URL": "syslog+tls://:6514"},
            "FRONTDOOR_LOG_FORWARD_URL names no host",
        ),
        (
            {"FRONTDOOR_LOG_FORWARD_URL": "syslog+tcp://logs.example.gov.uk:514"},
            "FRONTDOOR_LOG_FORWARD_URL is syslog+tcp://, which sends the security log in "
            "plain text",
        ),
        (
            {
                "FRONTDOOR_LOG_FORWARD_URL": "syslog+tls://logs.example.gov.uk",
                "FRONTDOOR_LOG_FORWARD_CA": "not a certificate",
            },
            "FRONTDOOR_LOG_FORWARD_CA (or the file FRONTDOOR_LOG_FORWARD_CA_FILE names) must "
            "hold the collector's certificate authority in PEM",
        ),
        (
            {
                "FRONTDOOR_LOG_FORWARD_URL": "syslog+tls://logs.example.gov.uk",
                "FRONTDOOR_LOG_FORWARD_CA_FILE": "/nonexistent/collector-ca.pem",
            },
            "FRONTDOOR_LOG_FORWARD_CA_FILE names /nonexistent/collector-ca.pem, which cannot "
            "be read",
        ),
    ],
)
def test_a_bad_forwarding_setting_refuses_to_start_naming_it(tmp_path, variables, said):
    result = run_django("", tmp_path, **PRODUCTION_LIKE, **variables)

    assert result.returncode != 0
    assert f"ImproperlyConfigured: {said}" in result.stderr


def test_plain_text_forwarding_starts_only_when_allowed(tmp_path):
    allowed = run_django(
        "import logging; print([type(h).__name__ for h in "
        "logging.getLogger('frontdoor.security').handlers])",
        tmp_path,
        **PRODUCTION_LIKE,
        FRONTDOOR_LOG_FORWARD_URL=f"syslog+tcp://127.0.0.1:{free_port()}",
        FRONTDOOR_ALLOW_PLAINTEXT_SERVICES="loopback",
    )
    unset = run_django(
        "import logging; print(logging.getLogger('frontdoor.security').handlers)",
        tmp_path,
        **PRODUCTION_LIKE,
    )

    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stdout.strip() == "['ForwardingHandler']"
    assert unset.returncode == 0, unset.stderr
    assert unset.stdout.strip() == "[]"
