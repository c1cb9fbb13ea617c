"""kombu's Redis transport, with one Redis client object a channel instead of one a message.

Celery already reuses its broker connections: ``Task.delay`` publishes through
``app.producer_pool`` (one producer and channel kept per process), whose channel keeps
one ``redis.ConnectionPool`` and its sockets. But kombu's Redis channel makes a new
``redis.Redis`` client object over that pool for every message it puts
(``Channel.conn_or_acquire`` calls ``_create_client()`` each time): no new connection,
but about a fifth of what a message costs the app (the client's set-up of its
callbacks and retry settings; docs/PERFORMANCE.md, "The referral POST, a third cut").
Here the channel makes that client once and lends it to every ``conn_or_acquire``.

A ``redis.Redis`` over a connection pool is shared safely: each command takes a
connection from the pool for its own length, and a pipeline is an object of its own. The
client is made again if the channel's pool is replaced (a closed channel drops its
pools). Everything else is kombu's transport as it is: the TLS settings, the visibility
timeout and the workers' polling are unchanged.

``install`` makes it the transport of redis:// and rediss:// URLs (kombu's table of
transports by scheme), for the web processes and the workers alike (frontdoor.celery
calls it): named by ``broker_transport`` instead, the broker's URL would be shown with
the class's path for its scheme.
"""

from __future__ import annotations

from contextlib import contextmanager

import kombu.transport
from kombu.transport import redis as kombu_redis


class Channel(kombu_redis.Channel):
    _kept_client = None

    @contextmanager
    def conn_or_acquire(self, client=None):
        if client:
            yield client
            return
        kept = self._kept_client
        if kept is None or kept.connection_pool is not self.pool:
            kept = self._kept_client = self._create_client()
        yield kept


class Transport(kombu_redis.Transport):
    Channel = Channel


def install() -> None:
    """Serve redis:// and rediss:// brokers with ``Transport``."""
    for scheme in ("redis", "rediss"):
        kombu.transport.TRANSPORT_ALIASES[scheme] = f"{__name__}:Transport"
        kombu.transport._transport_cache.pop(scheme, None)
