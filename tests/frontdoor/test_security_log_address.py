"""The security log names the client address of each event written in a request (ASVS
7.1.4): the connection's own address, and X-Forwarded-For only as far as
FRONTDOOR_PROXY_COUNT trusts it, exactly as django-axes resolves it for sign-in lockouts
(agencies.lockout.client_address)."""

import logging

import pytest
from django.test import Client
from django.utils.module_loading import import_string

from core import security_log
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PROXY = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9, 198.51.100.4"}


def sign_in_lines(caplog, **extra) -> list[str]:
    UserFactory(username="pat")
    with caplog.at_level(logging.INFO, logger="frontdoor.security"):
        Client().post("/accounts/login/", {"username": "pat", "password": PASSWORD}, **extra)
        Client().post("/accounts/login/", {"username": "pat", "password": "wrong"}, **extra)
    return [r.getMessage() for r in caplog.records if r.name == "frontdoor.security"]


def test_without_a_trusted_proxy_the_address_is_the_connections_own(caplog, settings):
    settings.TRUSTED_PROXY_COUNT = 0

    lines = sign_in_lines(caplog, **PROXY)

    # The sign-in, its browser learnt as the account's first, the failed sign-in.
    assert len(lines) == 3
    assert all(line.endswith(" address=10.0.0.1") for line in lines), lines
    assert not any("203.0.113.9" in line or "198.51.100.4" in line for line in lines)


def test_behind_a_trusted_proxy_the_address_is_the_one_it_forwarded(caplog, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    lines = sign_in_lines(caplog, **PROXY)

    # One proxy of our own: the last address in the header is the one it was reached
    # from; the first was written by the client and could be anything.
    assert all(line.endswith(" address=198.51.100.4") for line in lines), lines


def test_the_address_is_resolved_by_django_axes_own_callable(settings):
    from frontdoor import middleware

    assert middleware.client_address is import_string(settings.AXES_CLIENT_IP_CALLABLE)


def test_two_trusted_proxies_give_the_address_the_outer_one_saw(caplog, settings):
    settings.TRUSTED_PROXY_COUNT = 2

    lines = sign_in_lines(caplog, **PROXY)

    assert all(line.endswith(" address=203.0.113.9") for line in lines), lines


def test_a_forwarded_entry_that_is_not_an_address_gives_the_connections_own(caplog, settings):
    # Two proxies declared, one in front: the header's first entry is the client's own
    # writing. It could otherwise forge a field, and failed the sign-in on PostgreSQL
    # (django-axes keeps the address in an inet column).
    settings.TRUSTED_PROXY_COUNT = 2

    lines = sign_in_lines(caplog, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="x user=1")

    assert len(lines) == 3  # as above: the sign-in, its browser, the failed sign-in
    assert all(line.endswith(" address=10.0.0.1") for line in lines), lines


def test_an_event_outside_a_request_has_no_address(caplog):
    with caplog.at_level(logging.INFO, logger="frontdoor.security"):
        security_log.token(user_id=7, event="issued", token_id=3)

    [line] = [r.getMessage() for r in caplog.records if r.name == "frontdoor.security"]
    assert line == "api token issued: user=7 token=3 by=-"
