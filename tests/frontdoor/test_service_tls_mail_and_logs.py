"""Production sends email over verified TLS (STARTTLS or implicit) and forwards its logs
over TLS, or to a relay on this machine with the opt-out only, or refuses to start naming
the variable (ASVS 9.2.2)."""

import pytest

from tests.frontdoor.service_tls_support import LOOPBACK, start
from tests.frontdoor.test_settings import PRODUCTION_LIKE, run_django

SMTP = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"}
READ_EMAIL = (
    "from django.conf import settings as s; print(s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.EMAIL_PORT)"
)


@pytest.mark.parametrize(
    "variables",
    [
        {"EMAIL_HOST": "smtp.example.gov.uk", "EMAIL_USE_TLS": "false"},
        # The opt-out covers this machine only: not a relay elsewhere, not a compose service.
        {"EMAIL_HOST": "smtp.example.gov.uk", "EMAIL_USE_TLS": "false", **LOOPBACK},
        {"EMAIL_HOST": "mailrelay", "EMAIL_USE_TLS": "false", **LOOPBACK},
        {"EMAIL_HOST": "10.0.0.25", "EMAIL_USE_TLS": "false", **LOOPBACK},
        # This machine, but no opt-out.
        {"EMAIL_HOST": "127.0.0.1", "EMAIL_USE_TLS": "false"},
    ],
)
def test_production_refuses_plain_smtp_naming_the_variable(tmp_path, variables):
    result = start(tmp_path, **SMTP, **variables)

    assert result.returncode != 0
    assert "ImproperlyConfigured: EMAIL_USE_TLS must be true (STARTTLS, port 587)" in (
        result.stderr
    )
    assert f"EMAIL_HOST={variables['EMAIL_HOST']} in plain text" in result.stderr
    assert "FRONTDOOR_ALLOW_PLAINTEXT_SERVICES=loopback allows plain connections only" in (
        result.stderr
    )


@pytest.mark.parametrize(
    ("variables", "said"),
    [
        # STARTTLS, production's default.
        ({"EMAIL_HOST": "smtp.example.gov.uk"}, "True False 587"),
        # Implicit TLS.
        ({"EMAIL_HOST": "smtp.example.gov.uk", "EMAIL_USE_SSL": "true"}, "False True 465"),
        # Plain SMTP to a relay on this machine, under the opt-out.
        ({"EMAIL_HOST": "localhost", "EMAIL_USE_TLS": "false", **LOOPBACK}, "False False 25"),
        ({"EMAIL_HOST": "::1", "EMAIL_USE_TLS": "false", **LOOPBACK}, "False False 25"),
        # Another backend connects to nothing.
        (
            {
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_HOST": "smtp.example.gov.uk",
                "EMAIL_USE_TLS": "false",
            },
            "False False 25",
        ),
    ],
)
def test_production_sends_email_over_tls_or_to_this_machine_only(tmp_path, variables, said):
    result = run_django(READ_EMAIL, tmp_path, **{**PRODUCTION_LIKE, **SMTP, **variables})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == said


def test_starttls_and_implicit_tls_together_are_refused(tmp_path):
    result = start(tmp_path, **SMTP, EMAIL_USE_TLS="true", EMAIL_USE_SSL="true")

    assert result.returncode != 0
    assert "EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true" in result.stderr


def test_the_smtp_servers_certificate_and_name_are_verified(tmp_path):
    """Django's SMTP backend, as production configures it, checks the certificate against
    the system's authorities and the host name, for STARTTLS and implicit TLS alike."""
    code = (
        "import ssl; from django.core.mail import get_connection; c = get_connection(); "
        "x = c.ssl_context; "
        "print(type(c).__module__, x.verify_mode == ssl.CERT_REQUIRED, x.check_hostname)"
    )
    for variables in ({}, {"EMAIL_USE_SSL": "true"}):
        result = run_django(code, tmp_path, **{**PRODUCTION_LIKE, **SMTP, **variables})

        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["django.core.mail.backends.smtp", "True", "True"]


@pytest.mark.parametrize(
    "variables",
    [
        {"FRONTDOOR_LOG_FORWARD_URL": "syslog+tcp://logs.example.gov.uk:514"},
        {"FRONTDOOR_LOG_FORWARD_URL": "syslog+tcp://logs.example.gov.uk:514", **LOOPBACK},
        {"FRONTDOOR_LOG_FORWARD_URL": "syslog+tcp://10.0.0.9:514", **LOOPBACK},
        # This machine, but no opt-out.
        {"FRONTDOOR_LOG_FORWARD_URL": "syslog+tcp://127.0.0.1:514"},
    ],
)
def test_plain_log_forwarding_is_refused_beyond_this_machine_naming_the_variable(
    tmp_path, variables
):
    result = start(tmp_path, **variables)

    assert result.returncode != 0
    assert "ImproperlyConfigured: FRONTDOOR_LOG_FORWARD_URL is syslog+tcp://" in result.stderr
    assert "FRONTDOOR_ALLOW_PLAINTEXT_SERVICES=loopback allows plain connections only" in (
        result.stderr
    )


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_plain_log_forwarding_to_a_relay_on_this_machine_needs_the_opt_out(tmp_path, host):
    code = (
        "import logging; print([type(h).__name__ for h in "
        "logging.getLogger('frontdoor.security').handlers])"
    )
    result = run_django(
        code,
        tmp_path,
        **PRODUCTION_LIKE,
        **LOOPBACK,
        FRONTDOOR_LOG_FORWARD_URL=f"syslog+tcp://{host}:5514",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['ForwardingHandler']"


def test_the_old_log_forwarding_opt_out_is_refused_rather_than_ignored(tmp_path):
    result = start(
        tmp_path,
        FRONTDOOR_LOG_FORWARD_URL="syslog+tcp://127.0.0.1:5514",
        FRONTDOOR_LOG_FORWARD_ALLOW_PLAINTEXT="true",
    )

    assert result.returncode != 0
    assert "FRONTDOOR_LOG_FORWARD_ALLOW_PLAINTEXT is no longer read" in result.stderr
