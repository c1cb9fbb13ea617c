"""The referrals API's Idempotency-Key: a POST retried with the same key returns the first
referral and makes no second, from one user, at once, or with its body gone stale."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connections

from agencies.models import Role
from audit.models import AuditEvent, EventKind
from notices.models import NoticeEvent
from referrals import api, services
from referrals.models import IdempotencyRecord, Referral
from tests.clients import api_as
from tests.referrals.api_helpers import post, referral_body

pytestmark = pytest.mark.django_db


def test_a_retry_with_the_same_key_returns_the_first_referral_not_a_second(referrer):
    client = api_as(referrer)

    first = post(client, referral_body(), **{"Idempotency-Key": "retry-1"})
    second = post(client, referral_body(), **{"Idempotency-Key": "retry-1"})

    assert first.status_code == 201
    assert second.status_code in (200, 201)
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["reference"] == first.json()["reference"]
    # The replay reads the referral back: the same answer, field for field (its concerns
    # in the order the database gives them).
    replayed, answered = second.json(), first.json()
    assert sorted(replayed.pop("concerns")) == sorted(answered.pop("concerns"))
    assert replayed == answered
    assert second.headers["Idempotent-Replayed"] == "true"
    assert Referral.objects.count() == 1
    assert IdempotencyRecord.objects.get().referral_id == first.json()["id"]


def test_the_same_key_with_a_different_body_is_refused_with_422(referrer):
    client = api_as(referrer)
    post(client, referral_body(), **{"Idempotency-Key": "retry-1"})

    response = post(client, referral_body(child_first_name="Bea"), **{"Idempotency-Key": "retry-1"})

    assert response.status_code == 422
    assert "different request body" in response.json()["detail"]
    assert Referral.objects.count() == 1


def test_the_same_key_from_two_users_makes_two_referrals(make_user):
    for user in (make_user(Role.REFERRER), make_user(Role.REFERRER)):
        assert post(api_as(user), referral_body(), **{"Idempotency-Key": "k"}).status_code == 201

    assert Referral.objects.count() == 2


def test_an_idempotency_key_over_255_characters_gets_400(referrer):
    response = post(api_as(referrer), referral_body(), **{"Idempotency-Key": "k" * 256})

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert Referral.objects.count() == 0


@pytest.mark.parametrize("key", ["k\x00", "k\x1b[0m", "k\x7f", "k\x85"])
def test_an_idempotency_key_with_a_control_character_gets_400_not_a_server_error(referrer, key):
    response = post(api_as(referrer), referral_body(), **{"Idempotency-Key": key})

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert Referral.objects.count() == 0


def test_a_failed_attempt_does_not_use_up_its_key(referrer):
    client = api_as(referrer)
    assert post(client, referral_body(worry=""), **{"Idempotency-Key": "k"}).status_code == 400

    assert post(client, referral_body(), **{"Idempotency-Key": "k"}).status_code == 201
    assert Referral.objects.count() == 1


def test_a_request_whose_key_is_taken_returns_the_first_referral_and_keeps_nothing_of_its_own(
    referrer, monkeypatch
):
    client = api_as(referrer)
    first = post(client, referral_body(), **{"Idempotency-Key": "taken"}).json()
    real_lookup, lookups = services.referral_for_key, []

    def lookup(**kwargs):
        lookups.append(kwargs)
        return real_lookup(**kwargs)

    monkeypatch.setattr(api, "referral_for_key", lookup)
    monkeypatch.setattr(services, "referral_for_key", lookup)

    again = post(client, referral_body(), **{"Idempotency-Key": "taken"})

    assert again.status_code in (200, 201)
    assert again.json()["id"] == first["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    # The key is looked up once, after its insert found it taken; what the request wrote
    # before that was rolled back: no second referral, event or notice.
    assert len(lookups) == 1
    assert Referral.objects.count() == 1
    assert AuditEvent.objects.filter(kind=EventKind.SUBMITTED).count() == 1
    assert NoticeEvent.objects.count() == 1


def test_a_retry_of_a_body_gone_stale_since_returns_the_first_referral(make_user):
    screener = make_user(Role.SCREENER)
    called = datetime(2026, 5, 6, 8, 15, tzinfo=UTC)
    body = referral_body(received_at=called.isoformat(), channel="phone", caller_type="family")
    with time_machine.travel(called + timedelta(hours=2), tick=False):
        first = post(api_as(screener), body, **{"Idempotency-Key": "call-1"})
    # Weeks later the received time is too old to be accepted as new, but this is a
    # retry of the referral already made.
    with time_machine.travel(called + timedelta(days=30), tick=False):
        retry = post(api_as(screener), body, **{"Idempotency-Key": "call-1"})
        fresh = post(api_as(screener), body, **{"Idempotency-Key": "call-2"})

    assert first.status_code == 201
    assert retry.status_code in (200, 201)
    assert retry.json()["id"] == first.json()["id"]
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert fresh.status_code == 400 and "received_at" in fresh.json()
    assert Referral.objects.count() == 1


def test_a_taken_key_with_a_different_invalid_body_is_refused_with_422(referrer):
    client = api_as(referrer)
    post(client, referral_body(), **{"Idempotency-Key": "retry-1"})

    response = post(client, referral_body(worry=""), **{"Idempotency-Key": "retry-1"})

    assert response.status_code == 422
    assert "different request body" in response.json()["detail"]


@pytest.mark.postgres(reason="needs concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_posts_with_one_key_make_one_referral(referrer):
    start, results = threading.Barrier(2), []

    def send():
        try:
            start.wait()
            results.append(post(api_as(referrer), referral_body(), **{"Idempotency-Key": "k"}))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert [r.status_code in (200, 201) for r in results] == [True, True]
    assert results[0].json()["id"] == results[1].json()["id"]
    assert Referral.objects.count() == 1
