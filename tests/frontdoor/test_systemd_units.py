"""deploy/systemd/: the units the manual deployment runs (README "Deploying", step 6).

There is no systemd as PID 1 here or in CI, so nothing starts them; these checks keep them
honest: systemd's own parser (`systemd-analyze verify`) and scorer (`systemd-analyze
security --offline`) read the very files with their @...@ names filled in, the egress
allow list of each is what the process reaches, each is sandboxed, and the application's
code runs with MemoryDenyWriteExecute=. The retention timer is checked in
test_systemd_retention_timer.py; the secrets, each a credential read through NAME_FILE,
and the settings loading from exactly what a unit gives them, in
test_systemd_credentials.py."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.frontdoor.systemd_support import (
    AS_OWNER,
    ROOT,
    SERVICES,
    UNITS,
    analyze,
    needs_analyze,
    one,
    values,
)
from tests.frontdoor.test_settings import CONFIG_VARIABLES, PRODUCTION_LIKE

# What the operator puts in, here made-up addresses; @CHECKOUT@ is a directory whose .venv
# is this interpreter's, so that ExecStart's binaries exist.
ADDRESSES = {
    "@DATABASE_ADDRESS@": "10.0.2.10 10.0.2.12",
    "@REDIS_ADDRESS@": "10.0.2.11",
    "@SMTP_ADDRESS@": "10.0.3.25",
    "@DNS_ADDRESS@": "127.0.0.53",
    "@PROXY_ADDRESS@": "127.0.0.1",
    "@LOG_COLLECTOR_ADDRESS@": "10.0.4.14",
    "@VAR_DIR@": "/srv/frontdoor/var",
}
# The exposure score systemd-analyze gives each service (0 to 10, lower is better) was 1.0
# when measured (systemd 252); --threshold is in tenths. A setting taken out fails this.
EXPOSURE_THRESHOLD = 10


def unit_files() -> list[Path]:
    return sorted(UNITS.iterdir())


def fill(text: str, checkout: Path) -> str:
    for placeholder, value in {**ADDRESSES, "@CHECKOUT@": str(checkout)}.items():
        text = text.replace(placeholder, value)
    return text


@pytest.fixture
def filled(tmp_path) -> Path:
    """A copy of deploy/systemd/ with every name filled in, the log collector's line
    uncommented, and a checkout whose .venv/bin is this interpreter's."""
    checkout = tmp_path / "checkout"
    (checkout / ".venv").mkdir(parents=True)
    (checkout / ".venv" / "bin").symlink_to(Path(sys.executable).parent)
    units = tmp_path / "units"
    units.mkdir()
    for path in unit_files():
        text = fill(path.read_text(), checkout).replace("#IPAddressAllow=", "IPAddressAllow=")
        (units / path.name).write_text(text)
    return units


# --- systemd's own checks ------------------------------------------------------------------


@needs_analyze
def test_systemd_analyze_verify_finds_nothing_to_say_about_any_unit(filled):
    """Warnings count: an unknown or misspelt key is only a warning to systemd, and a
    hardening setting it ignores would protect nothing."""
    names = [path.name for path in sorted(filled.iterdir())]
    result = analyze("verify", "--man=no", *[f"./{name}" for name in names], cwd=filled)

    assert result.returncode == 0, result.stderr
    assert result.stdout + result.stderr == ""
    assert not re.findall(r"@[A-Z_]+@", "".join(p.read_text() for p in filled.iterdir()))


@needs_analyze
def test_a_name_left_unfilled_is_reported_by_verify(filled):
    """The check above has teeth: the shipped file, names unfilled, is refused."""
    (filled / "frontdoor-web.service").write_text((UNITS / "frontdoor-web.service").read_text())

    result = analyze("verify", "--man=no", "./frontdoor-web.service", cwd=filled)

    assert result.returncode != 0
    assert "@CHECKOUT@" in result.stderr


@needs_analyze
@pytest.mark.parametrize("name", SERVICES)
def test_systemd_analyze_security_scores_each_service_within_the_threshold(filled, name):
    result = analyze(
        "security",
        "--offline=true",
        "--no-pager",
        f"--threshold={EXPOSURE_THRESHOLD}",
        f"./{name}.service",
        cwd=filled,
    )
    score = re.search(r"Overall exposure level for \S+: ([\d.]+)", result.stdout)

    assert score, result.stdout + result.stderr
    assert result.returncode == 0, f"{name}: exposure {score.group(1)}\n{result.stdout}"


# --- What the files say --------------------------------------------------------------------


def test_every_name_to_fill_in_is_explained_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Deploying\n", 1)[1].split("\n## ", 1)[0]
    names = set(re.findall(r"@[A-Z_]+@", "".join(p.read_text() for p in unit_files())))

    assert names == {*ADDRESSES, "@CHECKOUT@"}
    assert [name for name in sorted(names) if f"`{name}`" not in section] == []
    assert "systemctl enable --now frontdoor.target" in section


# Which addresses each process may reach (and be reached from): nothing else, in or out.
ALLOWED = {
    "frontdoor-web": {"@DATABASE_ADDRESS@", "@REDIS_ADDRESS@", "@DNS_ADDRESS@", "@PROXY_ADDRESS@"},
    "frontdoor-worker": {
        "@DATABASE_ADDRESS@",
        "@REDIS_ADDRESS@",
        "@DNS_ADDRESS@",
        "@SMTP_ADDRESS@",
    },
    # Beat sends to Redis and never connects to the database.
    "frontdoor-beat": {"@REDIS_ADDRESS@", "@DNS_ADDRESS@"},
    "frontdoor-migrate": {"@DATABASE_ADDRESS@", "@DNS_ADDRESS@"},
    # Erasure reaches the database alone: no broker, no mail relay.
    "frontdoor-retention": {"@DATABASE_ADDRESS@", "@DNS_ADDRESS@"},
}


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_denies_every_address_but_the_ones_it_needs(name):
    text = (UNITS / f"{name}.service").read_text()
    allowed = {address for value in values(name, "IPAddressAllow") for address in value.split()}

    assert values(name, "IPAddressDeny") == ["any"]
    assert allowed == ALLOWED[name]
    # The log collector's line, for FRONTDOOR_LOG_FORWARD_URL, is there to uncomment.
    assert "\n#IPAddressAllow=@LOG_COLLECTOR_ADDRESS@\n" in text
    assert one(name, "RestrictAddressFamilies") == "AF_INET AF_INET6 AF_UNIX"


HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "PrivateTmp": "yes",
    "ProtectHome": "yes",
    "PrivateDevices": "yes",
    "ProtectKernelTunables": "yes",
    "ProtectKernelModules": "yes",
    "ProtectKernelLogs": "yes",
    "ProtectControlGroups": "yes",
    "RestrictNamespaces": "yes",
    "RestrictRealtime": "yes",
    "LockPersonality": "yes",
    "MemoryDenyWriteExecute": "yes",
    "CapabilityBoundingSet": "",
    "SystemCallArchitectures": "native",
    "UMask": "0077",
}


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_is_sandboxed_and_runs_unprivileged(name):
    for key, value in HARDENING.items():
        assert values(name, key) == [value], f"{name}: {key}"
    assert values(name, "SystemCallFilter")[0] == "@system-service"
    assert values(name, "WorkingDirectory") == ["@CHECKOUT@"]
    assert values(name, "EnvironmentFile") == ["/etc/frontdoor/frontdoor.env"]
    if name in AS_OWNER:
        # A user made for the run, so the owner's credentials are nobody else's to read.
        assert values(name, "DynamicUser") == ["yes"] and values(name, "User") == []
    else:
        assert values(name, "User") == ["frontdoor"] and values(name, "Group") == ["frontdoor"]
    # Only beat writes, and only where its schedule is.
    expected = ["@VAR_DIR@"] if name == "frontdoor-beat" else []
    assert values(name, "ReadWritePaths") == expected


def readme_commands() -> list[str]:
    from tests.frontdoor.test_deployment_files import deployment_commands

    return deployment_commands()


def test_the_units_run_the_readmes_commands_from_the_checkout_and_its_venv():
    commands = readme_commands()
    venv = "@CHECKOUT@/.venv/bin/"
    started = {name: [c.removeprefix(venv) for c in values(name, "ExecStart")] for name in SERVICES}

    assert started["frontdoor-web"] == [c for c in commands if c.startswith("gunicorn ")]
    assert started["frontdoor-worker"] == [
        c for c in commands if c.startswith("celery -A frontdoor worker")
    ]
    assert started["frontdoor-beat"] == [
        c for c in commands if c.startswith("celery -A frontdoor beat")
    ]
    owner = "DATABASE_URL=$OWNER_URL "
    assert started["frontdoor-migrate"] == [
        c.removeprefix(owner) for c in commands if c.startswith(owner)
    ]
    assert all(c.startswith(venv) for name in SERVICES for c in values(name, "ExecStart"))
    assert values("frontdoor-migrate", "Type") == ["oneshot"]


def test_the_target_starts_web_worker_and_exactly_one_beat():
    target = (UNITS / "frontdoor.target").read_text()
    (wants,) = re.findall(r"^Wants=(.*)$", target, re.MULTILINE)

    assert wants.split() == [
        "frontdoor-web.service",
        "frontdoor-worker.service",
        "frontdoor-beat.service",
    ]
    assert "WantedBy=multi-user.target" in target
    for name in ("frontdoor-web", "frontdoor-worker", "frontdoor-beat"):
        assert values(name, "PartOf") == ["frontdoor.target"]
    # Migrating is a step of its own, never part of a restart; erasure is its timer's.
    for name in AS_OWNER:
        assert name not in re.sub(r"^#.*$", "", target, flags=re.MULTILINE)
        assert values(name, "PartOf") == []


# --- MemoryDenyWriteExecute= -----------------------------------------------------------------

MDWE_PROBE = """
import ctypes, mmap, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(65, 1, 0, 0, 0) != 0:  # PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN
    print("unsupported"); sys.exit(0)
try:
    mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    print("write+execute memory was allowed"); sys.exit(1)
except PermissionError:
    pass
import django; django.setup()
from frontdoor.wsgi import application
from frontdoor.celery import app
import psycopg2, pkcs11, webauthn, zxcvbn, gunicorn.app.wsgiapp, billiard, kombu
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
key = AESGCM.generate_key(256)
assert AESGCM(key).decrypt(b"0" * 12, AESGCM(key).encrypt(b"0" * 12, b"x", None), None) == b"x"
from django.contrib.auth.hashers import make_password, check_password
assert check_password("a long passphrase", make_password("a long passphrase"))
callback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(lambda x: x + 1)
assert callback(41) == 42
print("ok")
"""


def test_the_applications_code_runs_with_write_and_execute_memory_refused(tmp_path):
    """The units set MemoryDenyWriteExecute=yes, which breaks code that makes machine code
    at run time (cffi's ffi.callback(); nothing in the virtualenv calls it). Checked with
    the kernel's own form of the same rule (prctl PR_SET_MDWE, Linux 6.3 and later): the
    settings, the WSGI application, Celery's app and the libraries with native code load
    and work, while a write-and-execute mapping is refused."""
    environment = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    environment.update(
        PRODUCTION_LIKE,
        DJANGO_SETTINGS_MODULE="frontdoor.settings",
        FRONTDOOR_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-c", MDWE_PROBE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.stdout.strip() == "unsupported":
        pytest.skip("this kernel has no PR_SET_MDWE (Linux 6.3 and later)")

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("ok")
