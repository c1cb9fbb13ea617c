"""docker-compose.yml cannot be run here (no Docker engine); these checks keep it honest."""

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_starts_postgres_redis_migrate_web_worker_and_beat():
    services = compose()["services"]

    assert set(services) == {"db", "redis", "migrate", "web", "worker", "beat"}
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")


def test_app_services_use_postgres_and_redis_and_wait_for_migrations():
    services = compose()["services"]

    for name in ("web", "worker", "beat"):
        service = services[name]
        assert service["environment"]["DATABASE_URL"].startswith("postgres://")
        assert service["environment"]["CELERY_BROKER_URL"].startswith("redis://")
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"][-2:] == ["migrate", "--noinput"]
    assert "gunicorn" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "frontdoor", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "frontdoor", "beat"]


def test_env_example_names_every_variable_the_compose_file_expects():
    example = (ROOT / ".env.example").read_text()

    for variable in ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DJANGO_DEBUG", "EMAIL_HOST"):
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
