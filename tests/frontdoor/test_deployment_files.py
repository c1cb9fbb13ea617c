"""docker-compose.yml cannot be run here (no Docker engine); these checks keep it honest."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_starts_postgres_redis_migrate_web_worker_and_beat():
    services = compose()["services"]

    assert set(services) == {"db", "redis", "migrate", "web", "worker", "beat", "retention"}
    # `docker compose up` starts all but the retention schedule's, which is run on demand.
    assert {name: s["profiles"] for name, s in services.items() if "profiles" in s} == {
        "retention": ["retention"]
    }
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")


def test_app_services_use_postgres_and_redis_and_wait_for_migrations():
    services = compose()["services"]

    for name in ("web", "worker", "beat"):
        service = services[name]
        assert service["environment"]["DATABASE_URL"].startswith("postgres://")
        assert service["environment"]["CELERY_BROKER_URL"].startswith("rediss://")
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "gunicorn" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "frontdoor", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "frontdoor", "beat"]


def test_compose_migrates_as_the_owner_and_runs_the_app_as_the_app_role():
    """The migrate service connects as the tables' owner, migrates and then grants; web,
    worker and beat connect as the role it grants to, and never see the owner's password."""
    services = compose()["services"]
    shell, flag, script = services["migrate"]["command"]
    owner_url = re.search(r'export DATABASE_URL="(postgres://[^"]+)"', script).group(1)
    steps = [step.strip() for step in script.split("&&")]

    assert (shell, flag) == ("sh", "-c")
    assert owner_url.startswith("postgres://frontdoor_owner:$$(cat /run/secrets/")
    assert steps[1:] == [
        "python manage.py migrate --noinput",
        "python manage.py grant_app_role frontdoor_app",
    ]
    assert services["migrate"]["secrets"] == ["db_owner_password", "tls_ca"]
    for name in ("web", "worker", "beat"):
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://frontdoor_app:")
        # The certificate authority only: no password of the owner's or PostgreSQL's.
        assert services[name]["secrets"] == ["tls_ca"]
    db = services["db"]
    assert "/docker-entrypoint-initdb.d/" in " ".join(db["volumes"])
    assert db["environment"]["FRONTDOOR_DB_OWNER_PASSWORD_FILE"].startswith("/run/secrets/")
    assert set(compose()["secrets"]) == {
        "postgres_password",
        "db_owner_password",
        "tls_ca",
        "tls_server_cert",
        "tls_server_key",
    }


def test_compose_runs_the_retention_schedule_on_demand_as_the_owner():
    """The retention service erases what is due as the tables' owner, with migrate's URL
    and secrets, the database alone (no Redis, no way out), once (no restart), and
    only when run: the command DEPLOYMENT.md gives the host's scheduler."""
    services = compose()["services"]
    retention, migrate = services["retention"], services["migrate"]
    shell, flag, script = retention["command"]
    steps = [step.strip() for step in script.split("&&")]
    owner = re.compile(r'export DATABASE_URL="(postgres://frontdoor_owner:[^"]+)"')
    deployment = (ROOT / "docs" / "DEPLOYMENT.md").read_text()
    section = deployment.split("\n## Applying the retention schedule\n", 1)[1].split("\n## ")[0]

    assert (shell, flag) == ("sh", "-c")
    assert owner.search(script).group(1) == owner.search(migrate["command"][2]).group(1)
    assert steps[1:] == ["exec python manage.py retention_erase --yes"]
    assert retention["secrets"] == migrate["secrets"] == ["db_owner_password", "tls_ca"]
    assert retention["restart"] == "no"
    assert retention["networks"] == ["backend"]
    assert retention["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert "docker compose --profile retention run --rm -T retention" in section


def test_compose_reaches_postgres_and_redis_over_verified_tls_with_passwords():
    """Production refuses less (frontdoor.service_tls), and the loopback opt-out does not
    cover a compose network: every service URL is TLS with the certificate verified, the
    database takes TLS connections only and Redis has no plain port and a password."""
    services = compose()["services"]
    owner_url = re.search(
        r'export DATABASE_URL="([^"]+)"', services["migrate"]["command"][2]
    ).group(1)
    retention_url = re.search(
        r'export DATABASE_URL="([^"]+)"', services["retention"]["command"][2]
    ).group(1)
    for url in (owner_url, retention_url, services["web"]["environment"]["DATABASE_URL"]):
        assert url.endswith(
            "@db:5432/frontdoor?sslmode=verify-full&sslrootcert=/run/secrets/tls_ca"
        )
    broker = services["web"]["environment"]["CELERY_BROKER_URL"]
    assert re.fullmatch(
        r"rediss://frontdoor:\$\{FRONTDOOR_REDIS_PASSWORD:\?[^}]+\}@redis:6379/0"
        r"\?ssl_cert_reqs=required&ssl_ca_certs=/run/secrets/tls_ca",
        broker,
    )
    assert not any(
        "FRONTDOOR_ALLOW_PLAINTEXT_SERVICES" in service.get("environment", {})
        for service in services.values()
    )

    db = services["db"]
    command = " ".join(db["command"])
    assert "ssl=on" in command and "hba_file=/etc/frontdoor/pg_hba.conf" in command
    assert "./deploy/postgres/pg_hba.conf:/etc/frontdoor/pg_hba.conf:ro" in db["volumes"]
    hba = [
        line.split()
        for line in (ROOT / "deploy" / "postgres" / "pg_hba.conf").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert {line[0] for line in hba} == {"local", "hostssl"}
    assert all(line[-1] == "scram-sha-256" for line in hba if line[0] == "hostssl")

    redis_start = services["redis"]["entrypoint"][2]
    assert "'port 0'" in redis_start and "'tls-port 6379'" in redis_start
    # The password, as its SHA-256, for the ACL user of deploy/redis/users.conf
    # (tests/frontdoor/test_redis_acl.py).
    assert '"$$FRONTDOOR_REDIS_PASSWORD" | sha256sum' in redis_start
    assert services["redis"]["environment"]["FRONTDOOR_REDIS_PASSWORD"].startswith(
        "${FRONTDOOR_REDIS_PASSWORD:?"
    )
    assert "--tls" in services["redis"]["healthcheck"]["test"][1]


def test_compose_and_env_example_ship_no_service_passwords():
    """Every password compose passes is required (${VAR:?...}), and .env.example leaves
    them and the application's secrets empty (ASVS 2.10.2)."""
    text = (ROOT / "docker-compose.yml").read_text()
    example = dict(
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )

    for variable in ("FRONTDOOR_DB_APP_PASSWORD", "FRONTDOOR_REDIS_PASSWORD"):
        uses = re.findall(rf"\$\{{{variable}(:?[?-]?)", text)
        assert uses and set(uses) == {":?"}, variable
        assert example[variable] == ""
    for variable in (
        "DJANGO_SECRET_KEY",
        "FRONTDOOR_PASSWORD_PEPPER",
        "FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
    ):
        assert example[variable] == "", variable


def test_env_example_names_every_variable_the_compose_file_expects():
    example = (ROOT / ".env.example").read_text()

    for variable in (
        "DJANGO_SECRET_KEY",
        "DJANGO_SECRET_KEY_FALLBACKS",
        "FRONTDOOR_PASSWORD_PEPPER",
        "FRONTDOOR_PASSWORD_PEPPER_FALLBACKS",
        "FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS",
        "DJANGO_ALLOWED_HOSTS",
        "DJANGO_DEBUG",
        "EMAIL_HOST",
        "FRONTDOOR_DB_APP_PASSWORD",
        "FRONTDOOR_REDIS_PASSWORD",
    ):
        assert f"\n{variable}=" in example


@pytest.mark.django_db
def test_every_model_change_has_a_migration():
    from django.core.management import call_command

    # Exits non-zero (SystemExit) when a model changed without a migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_make_run_serves_the_embedded_mode_with_gunicorn_and_debug_off():
    makefile = (ROOT / "Makefile").read_text()
    run_recipe = makefile.split("\nrun: setup\n", 1)[1].split("\n\n", 1)[0]
    procfile = dict(
        line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line
    )

    assert "FRONTDOOR_EMBEDDED=true" in makefile and "$(EMBEDDED)" in run_recipe
    assert "DJANGO_DEBUG" not in run_recipe
    assert "-f Procfile\n" in run_recipe + "\n"
    assert procfile["web"].startswith("gunicorn frontdoor.wsgi:application")
    assert "${FRONTDOOR_PORT}" in procfile["web"]
    assert procfile["worker"].startswith("celery -A frontdoor worker")
    assert procfile["beat"].startswith("celery -A frontdoor beat")


# The owner's steps carry the owner's database URL, in the README and the smoke check alike.
AS_OWNER = "DATABASE_URL=$OWNER_URL "


def deployment_commands() -> list[str]:
    """The commands in the README's "Deploying" section, but for the first administrator."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Deploying\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    lines = [line.strip() for block in blocks for line in block.splitlines()]
    spans = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", section, flags=re.DOTALL))
    return [
        command
        for command in lines + spans
        if command.removeprefix(AS_OWNER).startswith(
            ("python manage.py", "gunicorn ", "celery -A ")
        )
        and "createsuperuser" not in command
    ]


def test_the_readme_deployment_steps_are_the_ones_the_smoke_check_runs():
    script = (ROOT / "scripts" / "production-smoke").read_text()
    wsgi_app = re.search(r'^WSGI_APP="([^"]+)"$', script, re.MULTILINE).group(1)
    celery_app = re.search(r'^CELERY_APP="([^"]+)"$', script, re.MULTILINE).group(1)
    # The smoke check binds to a local port of its own and names the application's role
    # after its database; everything else is the same.
    script = (
        script.replace('"$WSGI_APP"', wsgi_app)
        .replace('"$CELERY_APP"', celery_app)
        .replace('--bind "127.0.0.1:$PORT"', "--bind 0.0.0.0:8000")
        .replace('grant_app_role "$APP_ROLE"', "grant_app_role frontdoor_app")
    )
    commands = deployment_commands()

    assert len(commands) == 7, commands
    for command in commands:
        assert re.search(rf"^{re.escape(command)}( |$)", script, re.MULTILINE), (
            f"the README's `{command}` is not what scripts/production-smoke runs"
        )


def test_the_owner_migrates_and_grants_and_the_app_runs_as_its_own_role():
    commands = deployment_commands()
    script = (ROOT / "scripts" / "production-smoke").read_text()

    assert [c for c in commands if c.startswith(AS_OWNER)] == [
        f"{AS_OWNER}python manage.py migrate --noinput",
        f"{AS_OWNER}python manage.py grant_app_role frontdoor_app",
    ]
    assert not any("migrate" in c or "grant_app_role" in c for c in commands if AS_OWNER not in c)
    # Both roles sign in by their client certificates, without a password.
    assert re.search(
        r'^OWNER_URL="postgres://\$OWNER_ROLE@.*&\$OWNER_CLIENT_CERT"$', script, re.MULTILINE
    )
    assert re.search(r'^export DATABASE_URL="postgres://\$APP_ROLE@', script, re.MULTILINE)
    assert re.search(r"^hostssl all \$APP_ROLE,\$OWNER_ROLE .* cert$", script, re.MULTILINE)
    assert f'{AS_OWNER}python manage.py grant_app_role "$APP_ROLE"' in script


def test_the_image_and_compose_serve_the_wsgi_app_the_readme_names():
    (gunicorn,) = [command for command in deployment_commands() if command.startswith("gunicorn")]
    wsgi_app = gunicorn.split()[1]
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert f'CMD ["gunicorn", "{wsgi_app}"' in dockerfile
    assert compose()["services"]["web"]["command"][:2] == ["gunicorn", wsgi_app]


def test_the_image_takes_no_local_build_output_secrets_or_data():
    """The Dockerfile copies node_modules and static_build from its assets stage, then
    `COPY . .`: a local stale stylesheet, a .env or the SQLite database must not follow."""
    ignored = set((ROOT / ".dockerignore").read_text().split())

    assert {".venv", "node_modules", "static_build", "var", ".env", ".git", "secrets"} <= ignored


@pytest.mark.parametrize(
    "variable",
    [
        "FRONTDOOR_MFA_REQUIRED",
        "FRONTDOOR_MFA_ALSO_FOR",
        "FRONTDOOR_MFA_ISSUER",
        "FRONTDOOR_PASSWORD_LOCAL_WORDS",
        "FRONTDOOR_API_TOKEN_HOURS",
        "FRONTDOOR_API_TOKEN_IDLE_MINUTES",
        "FRONTDOOR_API_RATE",
        "FRONTDOOR_TOKEN_RATE",
        "FRONTDOOR_RATE_ALERT_MINUTES",
        "FRONTDOOR_REFUSAL_ALERT_COUNT",
        "FRONTDOOR_REFUSAL_ALERT_MINUTES",
        "FRONTDOOR_CACHE_URL",
        "FRONTDOOR_HEALTH_TOKEN",
        "FRONTDOOR_PROXY_COUNT",
        "DJANGO_BEHIND_TLS_PROXY",
        "EMAIL_USE_TLS",
        "EMAIL_USE_SSL",
        "DATABASE_REPLICA_URL",
        "DJANGO_SECRET_KEY_FALLBACKS",
        "FRONTDOOR_PASSWORD_PEPPER",
        "FRONTDOOR_PASSWORD_PEPPER_FALLBACKS",
        "FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS",
        "FRONTDOOR_PKCS11_MODULE",
        "FRONTDOOR_PKCS11_TOKEN_LABEL",
        "FRONTDOOR_PKCS11_PIN",
        "FRONTDOOR_PKCS11_OTP_KEY_LABEL",
        "FRONTDOOR_PKCS11_PEPPER_KEY_LABEL",
        "FRONTDOOR_WEBAUTHN_RP_ID",
        "FRONTDOOR_WEBAUTHN_ORIGINS",
        "FRONTDOOR_WEBAUTHN_RP_NAME",
        "FRONTDOOR_LOG_FORWARD_URL",
        "FRONTDOOR_LOG_FORWARD_CA",
        "FRONTDOOR_LOG_FORWARD_QUEUE",
        "FRONTDOOR_ALLOW_PLAINTEXT_SERVICES",
    ],
)
def test_the_security_settings_are_in_the_readme_and_env_example(variable):
    # frontdoor/settings.py reads its parts from frontdoor/settings_parts/.
    settings_py = "".join(
        path.read_text()
        for path in [
            ROOT / "frontdoor" / "settings.py",
            *sorted((ROOT / "frontdoor" / "settings_parts").glob("*.py")),
        ]
    )
    readme = (ROOT / "README.md").read_text()
    configuration = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]

    assert f'"{variable}"' in settings_py
    assert f"`{variable}`" in configuration
    assert f"\n{variable}=" in (ROOT / ".env.example").read_text()


def test_the_nginx_file_the_readme_names_is_the_one_the_smoke_check_serves():
    readme = (ROOT / "README.md").read_text()
    script = (ROOT / "scripts" / "production-smoke").read_text()
    site = (ROOT / "deploy" / "nginx" / "frontdoor.conf").read_text()

    assert "`deploy/nginx/frontdoor.conf`" in readme
    assert "deploy/nginx/frontdoor.conf >" in script
    assert re.search(r"^\s*ssl_protocols TLSv1\.2 TLSv1\.3;$", site, re.MULTILINE)
    assert re.search(r"^\s*ssl_stapling on;$", site, re.MULTILINE)
    assert re.search(r"^\s*ssl_stapling_verify on;$", site, re.MULTILINE)
    # Without it nginx finds no issuer, or cannot verify the response, and staples nothing.
    assert re.search(r"^\s*ssl_trusted_certificate @TRUSTED_CERTIFICATE@;$", site, re.MULTILINE)
    placeholders = set(re.findall(r"@[A-Z_]+@", site))
    assert placeholders == {
        "@SERVER_NAME@",
        "@HTTPS_PORT@",
        "@HTTP_PORT@",
        "@CERTIFICATE@",
        "@CERTIFICATE_KEY@",
        "@TRUSTED_CERTIFICATE@",
        "@UPSTREAM@",
    }
    assert all(f"s|{name}|" in script for name in placeholders)


# --- The operating-system account the processes run under (ASVS V1.2.1) ---------------


def dockerfile_final_stage() -> list[str]:
    """The last stage's instructions, each on one line (continuations joined), without
    comments."""
    text = (ROOT / "Dockerfile").read_text()
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    instructions = [line.strip() for line in text.replace("\\\n", " ").splitlines()]
    instructions = [line for line in instructions if line]
    last_from = max(i for i, line in enumerate(instructions) if line.upper().startswith("FROM "))
    return instructions[last_from:]


def test_the_image_runs_as_a_numeric_non_root_user_owning_only_var():
    """The final stage switches to a numeric uid and gid (which an orchestrator's
    runAsNonRoot can check; a name it cannot), neither 0, before the command, and
    nothing switches back; that account is the one the stage makes, and it is given
    /app/var alone, not the code or the collected static files inside /app/var."""
    stage = dockerfile_final_stage()
    keyword = [line.split()[0].upper() for line in stage]
    (start,) = [i for i, word in enumerate(keyword) if word in ("CMD", "ENTRYPOINT")]
    users = [i for i, word in enumerate(keyword) if word == "USER"]

    assert users and users[-1] < start, "no USER before the command"
    user = re.fullmatch(r"USER (\d+):(\d+)", stage[users[-1]])
    assert user, f"not a numeric uid:gid: {stage[users[-1]]}"
    uid, gid = user.groups()
    assert uid != "0" and gid != "0"
    assert not any(stage[i] != stage[users[-1]] for i in users), "the stage switches users"

    runs = " && ".join(line.removeprefix("RUN ") for line in stage if line.startswith("RUN "))
    assert re.search(rf"groupadd --gid {gid} frontdoor( |$)", runs)
    assert re.search(rf"useradd [^&]*--uid {uid} --gid {gid} frontdoor( |$)", runs)
    chowns = re.findall(r"\bchown\b[^&|;]*", runs)
    assert [chown.strip() for chown in chowns] == [f"chown {uid}:{gid} /app/var"]
    assert not any("--chown" in line for line in stage if line.startswith(("COPY", "ADD")))


def test_compose_runs_the_app_services_as_the_images_user():
    """A `user:` in compose would override the image's (root, as like as not)."""
    services = compose()["services"]

    for name in ("migrate", "web", "worker", "beat", "retention"):
        assert "user" not in services[name], name


def deploying_section() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme.split("\n## Deploying\n", 1)[1].split("\n## ", 1)[0]


def test_the_readme_runs_the_processes_as_an_unprivileged_account_owning_only_var():
    """The manual deployment makes a system account with no login shell for gunicorn,
    the worker and beat, gives it the var directory alone (not recursively: the collected
    static files stay the deployer's), and runs the three as it."""
    section = deploying_section()
    lines = [
        line.strip()
        for block in re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
        for line in block.splitlines()
    ]
    (useradd,) = [line for line in lines if line.startswith("useradd ")]
    account = useradd.split()[-1]
    chowns = [line.split("#")[0].strip() for line in lines if line.startswith("chown")]

    assert "--system" in useradd and "--shell /usr/sbin/nologin" in useradd
    assert "--create-home" not in useradd
    assert chowns == [f'chown {account}:{account} "$FRONTDOOR_VAR_DIR"']
    assert f"User={account}" in section and f"Group={account}" in section
    assert "never root" in section
    # The account is the image's, by name.
    assert re.search(rf"useradd [^\n]* {account}$", (ROOT / "Dockerfile").read_text(), re.M)


def test_compose_keeps_postgres_and_redis_on_a_network_with_no_route_out():
    """PostgreSQL and Redis are on an internal network alone (ASVS 1.14.1, 1.14.5): no
    port published, no way out; only the web server (its published port) and the worker
    (the mail relay) are on the network that has one."""
    document = compose()
    services = document["services"]

    assert document["networks"]["backend"] == {"internal": True}
    assert "internal" not in (document["networks"]["edge"] or {})
    networks = {name: set(service["networks"]) for name, service in services.items()}
    assert networks == {
        "db": {"backend"},
        "redis": {"backend"},
        "migrate": {"backend"},
        "retention": {"backend"},
        "beat": {"backend"},
        "web": {"backend", "edge"},
        "worker": {"backend", "edge"},
    }
    assert [name for name, service in services.items() if "ports" in service] == ["web"]
