"""frontdoor.broker: kombu's Redis transport with one redis-py client object a channel,
not one built for every message published (docs/PERFORMANCE.md, "The referral POST, a
third cut")."""

from __future__ import annotations

import os
import uuid

import pytest
import redis
from kombu import Connection, Exchange, Producer, Queue
from kombu.transport import redis as kombu_redis

from frontdoor import broker
from frontdoor.celery import app as celery_app
from tests.pinned import assert_source_is

BROKER = os.environ.get("CELERY_BROKER_URL", "")


@pytest.fixture
def counted_clients(monkeypatch):
    """How many redis.Redis client objects (and connection pools) are made."""
    made = {"clients": 0, "pools": 0}
    client_init, pool_init = redis.Redis.__init__, redis.ConnectionPool.__init__

    def counting_client(self, *args, **kwargs):
        made["clients"] += 1
        client_init(self, *args, **kwargs)

    def counting_pool(self, *args, **kwargs):
        made["pools"] += 1
        pool_init(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counting_client)
    monkeypatch.setattr(redis.ConnectionPool, "__init__", counting_pool)
    return made


@pytest.fixture
def queue():
    if not BROKER.startswith("redis://"):
        pytest.skip("needs the Redis that CELERY_BROKER_URL names (make test gives it)")
    name = f"frontdoor-test-broker-{uuid.uuid4().hex}"
    yield Queue(name, Exchange(name, type="direct"), routing_key=name)
    redis.Redis.from_url(BROKER).delete(name)


def test_a_redis_broker_is_served_by_the_transport_that_keeps_its_client():
    for url in ("redis://127.0.0.1:6379/3", "rediss://broker.example:6380/3"):
        connection = celery_app.connection_for_write(url)
        assert connection.transport_cls in ("redis", "rediss")
        assert isinstance(connection.transport, broker.Transport)
        assert connection.transport.Channel is broker.Channel
        assert connection.as_uri(include_password=True) == url  # the URL as it was given


def test_many_messages_published_make_one_client_and_reach_the_queue(queue, counted_clients):
    with Connection(BROKER, transport=broker.Transport) as connection:
        channel = connection.channel()
        producer = Producer(channel)
        producer.declare()
        queue(channel).declare()
        producer.publish({"n": 0}, exchange=queue.exchange, routing_key=queue.routing_key)
        made_for_the_first = dict(counted_clients)
        for n in range(1, 12):
            producer.publish({"n": n}, exchange=queue.exchange, routing_key=queue.routing_key)

        # The channel's clients and pools are made by its first use (the declaring and
        # the first message); eleven messages more make none.
        assert counted_clients == made_for_the_first
        assert made_for_the_first["clients"] <= 2
        received = [queue(channel).get(no_ack=True).payload["n"] for _ in range(12)]
        assert received == list(range(12))


def test_kombus_own_transport_makes_a_client_for_each_message(queue, counted_clients):
    """What the transport above saves: the same publishing through kombu's own."""
    with Connection(BROKER, transport=kombu_redis.Transport) as connection:
        channel = connection.channel()
        producer = Producer(channel)
        queue(channel).declare()
        for n in range(6):
            producer.publish({"n": n}, exchange=queue.exchange, routing_key=queue.routing_key)

        assert counted_clients["clients"] >= 6


def test_a_replaced_pool_gets_a_new_client(queue):
    with Connection(BROKER, transport=broker.Transport) as connection:
        channel = connection.channel()
        with channel.conn_or_acquire() as first, channel.conn_or_acquire() as again:
            assert again is first
        channel._pool = None  # as a closed channel leaves it
        with channel.conn_or_acquire() as after:
            assert after is not first
            assert after.connection_pool is channel.pool
            assert after.ping()


def test_the_replaced_kombu_method_is_the_one_installed():
    # kombu 5.7.0's, which frontdoor.broker.Channel replaces.
    assert_source_is(
        kombu_redis.Channel.conn_or_acquire,
        "25883caca6c4121e73463ac71db4a7037981634eb84b715c2280edaa609c080a",
        "frontdoor/broker.py's replacement",
    )
