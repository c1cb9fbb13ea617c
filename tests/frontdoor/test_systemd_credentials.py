"""deploy/systemd/: every secret a unit needs is an encrypted credential read through
NAME_FILE, never in the unit or its environment file; the settings load from exactly what
a unit gives them; and the README encrypts every credential the units load, under the
name each unit gives it."""

import os
import re
import shutil
import subprocess

import pytest

from tests.frontdoor.systemd_support import AS_OWNER, ROOT, SECRETS, SERVICES, credentials, values
from tests.frontdoor.test_settings import PRODUCTION_LIKE, run_django


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
