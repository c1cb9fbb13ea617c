"""deploy/systemd/: the units the manual deployment runs (README "Deploying", step 6).

There is no systemd as PID 1 here or in CI, so nothing starts them; these checks keep them
honest: systemd's own parser (`systemd-analyze verify`) and scorer (`systemd-analyze
security --offline`) read the very files with their @...@ names filled in, the egress
allow list of each is what the process reaches, every secret is a credential read through
NAME_FILE, and the settings load from exactly what a unit gives them."""

import datetime
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.frontdoor.test_settings import CONFIG_VARIABLES, PRODUCTION_LIKE, run_django

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
SERVICES = [
    "frontdoor-web",
    "frontdoor-worker",
    "frontdoor-beat",
    "frontdoor-migrate",
    "frontdoor-retention",
]
# The one-shot services that connect as the tables' owner, each under a user made for
# the run: the migrations, and the retention schedule's erasure (its timer starts it).
AS_OWNER = ["frontdoor-migrate", "frontdoor-retention"]
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
ANALYZE = shutil.which("systemd-analyze")
needs_analyze = pytest.mark.skipif(
    ANALYZE is None,
    reason="systemd-analyze is not installed (Debian's systemd package has it: CI's machine "
    "does, so this runs there)",
)
# Variables whose values are secrets: never in a unit or its environment file.
SECRETS = {
    "DJANGO_SECRET_KEY",
    "FRONTDOOR_PASSWORD_PEPPER",
    "FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "FRONTDOOR_CACHE_URL",
    "EMAIL_HOST_PASSWORD",
}


def unit_files() -> list[Path]:
    return sorted(UNITS.iterdir())


def settings(name: str) -> list[tuple[str, str]]:
    """(key, value) of every setting in a unit, in order, comments left out."""
    lines = (UNITS / f"{name}.service").read_text().splitlines()
    return [
        tuple(part.strip() for part in line.split("=", 1))
        for line in lines
        if "=" in line and not line.startswith(("#", ";"))
    ]


def values(name: str, key: str) -> list[str]:
    return [value for k, value in settings(name) if k == key]


def one(name: str, key: str) -> str:
    (value,) = values(name, key)
    return value


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


def analyze(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [ANALYZE, *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


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


# --- The retention schedule on a timer ------------------------------------------------------

TIMER = "frontdoor-retention.timer"
ERASE = "python manage.py retention_erase --yes"


def timer_settings() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in (UNITS / TIMER).read_text().splitlines():
        if "=" in line and not line.startswith(("#", ";")):
            key, value = (part.strip() for part in line.split("=", 1))
            found.setdefault(key, []).append(value)
    return found


def retention_section_commands() -> list[str]:
    """The commands of docs/DEPLOYMENT.md's "Applying the retention schedule", comments
    left out."""
    text = (ROOT / "docs" / "DEPLOYMENT.md").read_text()
    section = text.split("\n## Applying the retention schedule\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    lines = [line.split("#", 1)[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line]


def test_the_retention_service_runs_the_documented_erasure_as_the_owner():
    """The command DEPLOYMENT.md gives the owner to run by hand is the one the unit runs,
    with --yes (without it the command erases nothing), as the owner, once; the timer
    starts it, nothing else does (no [Install])."""
    text = (UNITS / "frontdoor-retention.service").read_text()

    assert values("frontdoor-retention", "ExecStart") == [f"@CHECKOUT@/.venv/bin/{ERASE}"]
    assert f"DATABASE_URL=$OWNER_URL {ERASE}" in retention_section_commands()
    assert values("frontdoor-retention", "Type") == ["oneshot"]
    assert credentials("frontdoor-retention")["DATABASE_URL"] == "owner_database_url"
    assert "\n[Install]" not in text
    assert values("frontdoor-retention", "TimeoutStartSec") == ["6h"]


def test_the_retention_timer_starts_the_service_nightly_and_catches_up_a_missed_night():
    timer = timer_settings()

    # systemd-analyze verify says nothing of a timer whose service is missing: looked at here.
    assert timer["Unit"] == ["frontdoor-retention.service"]
    assert (UNITS / timer["Unit"][0]).is_file()
    (on_calendar,) = timer["OnCalendar"]
    assert on_calendar.endswith(" UTC")
    # A run missed while the machine was off is run at the next boot.
    assert timer["Persistent"] == ["true"]
    # Spread, but well inside the night: the run starts by 03:00 UTC.
    assert timer["RandomizedDelaySec"] == ["30min"]
    assert timer["WantedBy"] == ["timers.target"]
    assert f"systemctl enable --now {TIMER}" in retention_section_commands()


@needs_analyze
def test_systemd_analyze_calendar_reads_the_timers_schedule_as_once_a_night():
    """systemd's own parser: the timer's OnCalendar= is valid and elapses at 02:30 UTC on
    each of the next days, once a day."""
    (on_calendar,) = timer_settings()["OnCalendar"]
    result = subprocess.run(
        [ANALYZE, "calendar", "--iterations=4", on_calendar],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "TZ": "UTC"},
    )
    elapses = re.findall(
        r"(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC",
        result.stdout,
    )
    days = [datetime.date.fromisoformat(day) for day, _ in elapses]

    assert result.returncode == 0, result.stderr
    assert "Normalized form: *-*-* 02:30:00 UTC" in result.stdout
    assert len(elapses) == 4 and {clock for _, clock in elapses} == {"02:30:00"}
    assert [later - earlier for earlier, later in zip(days[:-1], days[1:], strict=True)] == [
        datetime.timedelta(days=1)
    ] * 3


@needs_analyze
def test_an_unparseable_schedule_is_refused_by_systemd_analyze_calendar():
    """The check above has teeth."""
    result = analyze("calendar", "*-*-* 25:30:00 UTC", cwd=UNITS)

    assert result.returncode != 0


# --- Secrets as credentials ------------------------------------------------------------------


def credentials(name: str) -> dict[str, str]:
    """Each variable read from a file, and the credential that file is."""
    loaded = {}
    for value in values(name, "LoadCredentialEncrypted"):
        credential, path = value.split(":", 1)
        assert path == f"/etc/frontdoor/credentials/{credential}"
        loaded[credential] = path
    files = {}
    for value in values(name, "Environment"):
        variable, _, path = value.partition("=")
        if variable.endswith("_FILE"):
            assert path.startswith("%d/"), value
            assert path.removeprefix("%d/") in loaded, value
            files[variable.removesuffix("_FILE")] = path.removeprefix("%d/")
    assert set(files.values()) == set(loaded), name
    return files


@pytest.mark.parametrize("name", SERVICES)
def test_every_secret_is_an_encrypted_credential_read_through_name_file(name):
    files = credentials(name)
    directly = {value.partition("=")[0] for value in values(name, "Environment")}

    assert not directly & SECRETS
    assert values(name, "LoadCredential") == []  # the encrypted form only
    expected = SECRETS - {"EMAIL_HOST_PASSWORD"} | (
        {"EMAIL_HOST_PASSWORD"} if name == "frontdoor-worker" else set()
    )
    assert set(files) == expected
    # The owner's database URL is the migration's and the erasure's alone.
    owner = name in AS_OWNER
    assert (files["DATABASE_URL"] == "owner_database_url") is owner


@pytest.mark.parametrize("name", SERVICES)
def test_production_settings_load_from_what_the_unit_gives(tmp_path, name):
    """The unit's credentials, as systemd would lay them out in $CREDENTIALS_DIRECTORY
    (%d), with the environment file's settings that are not secret: the settings load,
    and the secrets are the credentials' values."""
    directory = tmp_path / "credentials"
    directory.mkdir()
    env = {k: v for k, v in PRODUCTION_LIKE.items() if k not in SECRETS}
    given = {**PRODUCTION_LIKE, "EMAIL_HOST_PASSWORD": "smtp-password-from-a-credential"}
    for variable, credential in credentials(name).items():
        (directory / credential).write_text(given[variable] + "\n")
    for value in values(name, "Environment"):
        variable, _, setting = value.partition("=")
        env[variable] = setting.replace("%d", str(directory))

    result = run_django(
        "from django.conf import settings as s; print(s.SECRET_KEY); "
        "print(s.DATABASES['default']['PASSWORD']); print(s.CELERY_BROKER_URL)",
        tmp_path,
        **env,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        PRODUCTION_LIKE["DJANGO_SECRET_KEY"],
        "secret",
        PRODUCTION_LIKE["CELERY_BROKER_URL"],
    ]


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


def readme_credential_names() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    (names,) = re.findall(r"^\s*for name in ([a-z_ ]+); do$", readme, re.MULTILINE)
    return names.split()


def test_the_readme_encrypts_every_credential_the_units_load_and_no_other():
    loaded = {
        value.split(":", 1)[0]
        for name in SERVICES
        for value in values(name, "LoadCredentialEncrypted")
    }

    assert sorted(readme_credential_names()) == sorted(loaded)


@pytest.mark.skipif(
    shutil.which("systemd-creds") is None,
    reason="systemd-creds is not installed (Debian's systemd package has it: CI's machine "
    "does, so this runs there)",
)
def test_a_credential_encrypted_as_the_readme_says_decrypts_under_the_units_name(tmp_path):
    """The README's `systemd-creds encrypt --name=NAME - FILE`, here with a host key of the
    test's own (SYSTEMD_CREDENTIAL_SECRET, not the machine's; no TPM), decrypts under the
    name the unit gives LoadCredentialEncrypted= (systemd refuses another), to the value
    itself."""
    env = {**os.environ, "SYSTEMD_CREDENTIAL_SECRET": str(tmp_path / "host.secret")}
    value = PRODUCTION_LIKE["DATABASE_URL"]
    encrypted = tmp_path / "database_url"

    def creds(*args, **kwargs):
        return subprocess.run(
            ["systemd-creds", *args], env=env, capture_output=True, text=True, check=False, **kwargs
        )

    made = creds(
        "encrypt", "--with-key=host", "--name=database_url", "-", str(encrypted), input=value
    )
    assert made.returncode == 0, made.stderr
    assert value not in encrypted.read_bytes().decode("latin-1")
    assert "database_url:/etc/frontdoor/credentials/database_url" in values(
        "frontdoor-web", "LoadCredentialEncrypted"
    )

    read = creds("decrypt", "--name=database_url", str(encrypted), "-")
    other = creds("decrypt", "--name=broker_url", str(encrypted), "-")

    assert read.returncode == 0, read.stderr
    assert read.stdout == value
    assert other.returncode != 0
