"""The secrets production needs, and what the embedded mode makes of its own: each case
starts a fresh interpreter with its own environment (tests/frontdoor/test_settings.py)."""

import pytest

from tests.frontdoor.test_settings import PRODUCTION_LIKE, run_django

EMBEDDED = {"FRONTDOOR_EMBEDDED": "true"}


# --- The password pepper ---------------------------------------------------------------


def test_production_refuses_to_start_without_a_password_pepper(tmp_path):
    env = {k: v for k, v in PRODUCTION_LIKE.items() if k != "FRONTDOOR_PASSWORD_PEPPER"}

    result = run_django("", tmp_path, **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured: FRONTDOOR_PASSWORD_PEPPER must be set" in result.stderr
    assert not (tmp_path / "password_pepper").exists()


@pytest.mark.parametrize(
    "variables",
    [
        {"FRONTDOOR_PASSWORD_PEPPER": "short-pepper"},
        {"FRONTDOOR_PASSWORD_PEPPER": "a" * 40},
        {"FRONTDOOR_PASSWORD_PEPPER_FALLBACKS": "too-short"},
    ],
)
def test_production_refuses_a_weak_pepper(tmp_path, variables):
    result = run_django("", tmp_path, **{**PRODUCTION_LIKE, **variables})

    assert result.returncode != 0
    assert "FRONTDOOR_PASSWORD_PEPPER must be set to a random value" in result.stderr


def test_production_reads_the_pepper_and_its_fallbacks(tmp_path):
    result = run_django(
        "from django.conf import settings as s; "
        "print(s.PASSWORD_PEPPER); print(','.join(s.PASSWORD_PEPPER_FALLBACKS))",
        tmp_path,
        **PRODUCTION_LIKE,
        FRONTDOOR_PASSWORD_PEPPER_FALLBACKS="old-pepper-one-0123456789abcdefghij, "
        "old-pepper-two-0123456789abcdefghij",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        PRODUCTION_LIKE["FRONTDOOR_PASSWORD_PEPPER"],
        "old-pepper-one-0123456789abcdefghij,old-pepper-two-0123456789abcdefghij",
    ]


def test_the_embedded_mode_generates_its_pepper_once_and_keeps_it(tmp_path):
    code = "from django.conf import settings as s; print(s.PASSWORD_PEPPER)"

    first = run_django(code, tmp_path, **EMBEDDED)
    second = run_django(code, tmp_path, **EMBEDDED)
    development = run_django(code, tmp_path, DJANGO_DEBUG="true")
    other_install = run_django(code, tmp_path / "other", **EMBEDDED)

    assert first.returncode == 0, first.stderr
    pepper = first.stdout.strip()
    assert len(pepper) >= 32
    # make dev shares make run's var/ (and its database): the same pepper.
    assert second.stdout.strip() == development.stdout.strip() == pepper
    assert other_install.stdout.strip() != pepper
    assert (tmp_path / "password_pepper").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.glob(".password_pepper.*")] == []
