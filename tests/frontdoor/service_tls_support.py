"""What the tests of production's service connections share (test_service_tls.py,
test_service_client_certs.py, test_service_tls_mail_and_logs.py): the verified-TLS query
strings, the loopback opt-out, and starting Django as production would."""

from tests.frontdoor.test_settings import PRODUCTION_LIKE, run_django

TLS_REDIS = "?ssl_cert_reqs=required"
LOOPBACK = {"FRONTDOOR_ALLOW_PLAINTEXT_SERVICES": "loopback"}


def start(tmp_path, **variables):
    return run_django("", tmp_path, **{**PRODUCTION_LIKE, **variables})
