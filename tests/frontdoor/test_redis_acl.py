"""Redis's ACL for the app (ASVS 1.2.2): deploy/redis/users.conf, the one place its rules
are written, is what docker-compose.yml and scripts/production-smoke give redis-server;
the app's user may do what kombu's transport and the cache do, and nothing else: no
FLUSHALL, CONFIG, KEYS, DEBUG, a script of its own, nor a key or channel outside its
patterns. The production smoke check runs the worker's round trip under it over TLS."""

import hashlib
import re
import shutil
import socket
import subprocess
import time

import pytest
import redis
import yaml

from tests.frontdoor.test_settings import ROOT, run_django

USERS = ROOT / "deploy" / "redis" / "users.conf"
PASSWORD = "app-password-for-this-test"
ADMIN_PASSWORD = "admin-password-for-this-test"
# How compose's entrypoint and the smoke check add the password's hash to the app's user.
ADD_HASH = re.compile(r'sed "/\^user frontdoor /s/\.\*/& #\$\$?(\w+)/"')


def user_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("user ")]


def with_password_hash(password: str) -> str:
    """users.conf as compose and the smoke check make it: the hash at the app's line's end."""
    digest = hashlib.sha256(password.encode()).hexdigest()
    return "".join(
        f"{line} #{digest}\n" if line.startswith("user frontdoor ") else f"{line}\n"
        for line in USERS.read_text().splitlines()
    )


def test_users_conf_turns_the_default_user_off_and_names_no_password():
    lines = user_lines(USERS.read_text())
    (app,) = [line for line in lines if line.startswith("user frontdoor ")]
    rules = app.split()[2:]

    assert lines == ["user default off", app]
    # A fresh user whatever ran before: no password, keys or channels but these.
    assert rules[:5] == ["on", "resetpass", "resetkeys", "resetchannels", "-@all"]
    assert not [rule for rule in rules if rule[0] in "><#" or rule == "nopass"]
    assert not [rule for rule in rules if rule in ("+@all", "allcommands", "~*", "allkeys", "&*")]
    assert not [rule for rule in rules if rule.startswith("+@")], "categories grow with Redis"


def test_compose_and_the_smoke_check_serve_users_conf_and_no_other_rules():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    redis_service = compose["services"]["redis"]
    start = redis_service["entrypoint"][2]
    smoke = (ROOT / "scripts" / "production-smoke").read_text()

    assert (
        "./deploy/redis/users.conf:/etc/frontdoor/redis-users.conf:ro" in redis_service["volumes"]
    )
    assert ADD_HASH.search(start).group(1) == "hash"
    assert "/etc/frontdoor/redis-users.conf" in start.split(ADD_HASH.search(start).group(0))[1]
    assert "sha256sum" in start and "requirepass" not in start
    assert ADD_HASH.search(smoke).group(1) == "REDIS_PASSWORD_HASH"
    assert ' deploy/redis/users.conf\n} >"$WORK/redis/redis.conf"' in smoke
    assert "requirepass" not in smoke
    # The smoke check's own administrator (for ACL LOG) is its one other user.
    assert re.findall(r"^user (\S+)", smoke, re.MULTILINE) == ["smoke-admin"]
    # The app connects as that user, to database 0 (kombu names its channels after it).
    broker = compose["x-app-environment"]["CELERY_BROKER_URL"]
    assert broker.startswith("rediss://frontdoor:${FRONTDOOR_REDIS_PASSWORD:?")
    assert "@redis:6379/0?" in broker
    assert "--user frontdoor" in redis_service["healthcheck"]["test"][1]
    assert re.search(r'CELERY_BROKER_URL="rediss://frontdoor:\$REDIS_PASSWORD@[^/]+/0\?', smoke)
    assert re.search(r'FRONTDOOR_CACHE_URL="rediss://frontdoor:\$REDIS_PASSWORD@', smoke)


def test_compose_builds_the_configuration_with_the_passwords_hash(tmp_path):
    """compose's redis entrypoint, run by sh with the container's paths moved here and
    install, chown and the image's entrypoint stood in for, writes users.conf's users with
    the hash of FRONTDOOR_REDIS_PASSWORD, and the password nowhere."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    script = compose["services"]["redis"]["entrypoint"][2].replace("$$", "$")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in {
        "install": 'eval "last=\\${$#}"; : >"$last"',
        "chown": ":",
        "docker-entrypoint.sh": 'cat "$2"',
    }.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    script = (
        script.replace("/etc/frontdoor/redis-users.conf", str(USERS))
        .replace("/tmp/", f"{tmp_path}/")
        .replace("exec docker-entrypoint.sh", f"exec {bin_dir}/docker-entrypoint.sh")
    )
    result = subprocess.run(
        ["sh", "-c", script],
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "FRONTDOOR_REDIS_PASSWORD": PASSWORD},
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert result.returncode == 0, result.stderr
    assert user_lines(result.stdout) == user_lines(with_password_hash(PASSWORD))
    assert PASSWORD not in result.stdout
    assert "port 0" in result.stdout.splitlines() and "tls-port 6379" in result.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def acl_redis(tmp_path_factory):
    """A redis-server of this module's own with users.conf's users (and an administrator,
    to read ACL LOG), DEBUG enabled so that it is the ACL that refuses it."""
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server")
    directory = tmp_path_factory.mktemp("redis")
    port = _free_port()
    config = directory / "redis.conf"
    config.write_text(
        f'port {port}\nbind 127.0.0.1\nsave ""\nappendonly no\ndir {directory}\n'
        "enable-debug-command yes\n"
        f"user admin on >{ADMIN_PASSWORD} ~* &* +@all\n" + with_password_hash(PASSWORD)
    )
    server = subprocess.Popen(
        ["redis-server", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    admin = redis.Redis(port=port, username="admin", password=ADMIN_PASSWORD)
    for _ in range(100):
        try:
            admin.ping()
            break
        except redis.ConnectionError:
            if server.poll() is not None:
                pytest.fail(f"redis-server refused users.conf: {server.stdout.read()!r}")
            time.sleep(0.1)
    yield port, admin
    server.kill()
    server.wait(timeout=10)


def test_the_app_user_sends_and_takes_tasks_broadcasts_and_uses_the_cache(acl_redis, tmp_path):
    """The app's own code: a task sent as the web server sends it, taken from the queue and
    acknowledged as kombu's worker side does, given back, a broadcast with its reply queue
    (what a worker's mingle and the control commands do), and the cache, with the counts
    of refused accesses; Redis refuses none of it (ACL LOG stays empty)."""
    port, admin = acl_redis
    admin.acl_log_reset()
    url = f"redis://frontdoor:{PASSWORD}@127.0.0.1:{port}"
    code = """
from django.core.cache import cache
from frontdoor.celery import app
from frontdoor.health import check_broker
app.send_task("notices.heartbeat")
with app.connection_for_read() as conn:
    queue = conn.SimpleQueue("celery")
    message = queue.get(timeout=5)
    print(message.headers["task"])
    message.requeue()
    queue.get(timeout=5).ack()
    queue.close()
print(app.control.ping(timeout=0.5))
print(check_broker()["ok"])
cache.set("acl", "kept", 30)
print(cache.get("acl"))
from agencies import refusals
for _ in range(3):
    refusals.counted(user_id=7, status=404)
from django.utils import timezone
moment = int(timezone.now().timestamp() // 60)  # the default window, 10 minutes, in tenths
slices = [f"refusals:user:7:slice:10:{n}" for n in range(moment - 9, moment + 1)]
print(sum(cache.get_many(slices).values()))
"""
    result = run_django(
        f"exec({code!r})",
        tmp_path,
        DJANGO_DEBUG="true",
        CELERY_BROKER_URL=f"{url}/0",
        FRONTDOOR_CACHE_URL=f"{url}/1",
    )

    assert result.returncode == 0, result.stderr
    # Three refusals counted against account 7 (agencies.refusals: add, incr, get_many).
    assert result.stdout.split("\n")[:5] == ["notices.heartbeat", "[]", "True", "kept", "3"]
    assert admin.acl_log() == []
    # The cache's keys carry the prefix its pattern allows.
    assert redis.Redis(port=port, db=1, username="admin", password=ADMIN_PASSWORD).get(
        "frontdoor:1:acl"
    )


@pytest.mark.parametrize(
    "command",
    [
        ("FLUSHALL",),
        ("FLUSHDB",),
        ("CONFIG", "GET", "dir"),
        ("CONFIG", "SET", "dir", "/tmp"),
        ("KEYS", "*"),
        ("SCAN", "0"),
        ("DEBUG", "SLEEP", "0"),
        ("EVAL", "return 1", "0"),
        ("SCRIPT", "FLUSH"),
        ("FUNCTION", "LIST"),
        ("ACL", "LIST"),
        ("SHUTDOWN", "NOSAVE"),
        ("SET", "elsewhere", "1"),
        ("GET", "elsewhere"),
        ("DEL", "elsewhere"),
        ("LPUSH", "other-queue", "x"),
        ("PUBLISH", "elsewhere", "x"),
        ("PUBLISH", "/1.celery.pidbox", "x"),
    ],
    ids=lambda command: " ".join(command),
)
def test_the_app_user_is_refused_anything_else(acl_redis, command):
    port, _ = acl_redis
    client = redis.Redis(port=port, username="frontdoor", password=PASSWORD)

    with pytest.raises(redis.exceptions.NoPermissionError):
        client.execute_command(*command)


def test_a_key_in_the_patterns_is_allowed_and_the_default_user_is_off(acl_redis):
    port, _ = acl_redis
    client = redis.Redis(port=port, username="frontdoor", password=PASSWORD)

    assert client.set("frontdoor:1:throttle_user_1", "1", ex=5)
    assert client.lpush("celery", "x") == 1 and client.delete("celery") == 1
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis(port=port).ping()
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis(port=port, username="frontdoor", password="wrong").ping()
