"""What the tests of deploy/systemd/ share (test_systemd_units.py,
test_systemd_retention_timer.py, test_systemd_credentials.py): where the units are, the
services, the secrets, reading a unit's settings and the credentials it loads, and
systemd-analyze."""

import shutil
import subprocess
from pathlib import Path

import pytest

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


def analyze(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [ANALYZE, *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


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
