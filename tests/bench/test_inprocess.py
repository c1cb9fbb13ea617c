"""The environment the in-process benchmarks (bench_post.py, bench_queue.py,
bench_match_api.py) set Django up under: production's, on the database and broker they
are given. bench_post.py once called production_env with the wrong arguments and nothing
noticed until it was run."""

from __future__ import annotations

import pytest

from bench import inprocess


def test_the_environment_is_productions_on_the_given_database_and_broker(tmp_path):
    env = inprocess.environment(
        database="postgres://postgres@127.0.0.1:5432/frontdoor_bench_x",
        broker="redis://127.0.0.1:6379/14",
        workdir=tmp_path,
    )
    assert env["DATABASE_URL"] == "postgres://postgres@127.0.0.1:5432/frontdoor_bench_x"
    assert env["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/14"
    assert env["DJANGO_DEBUG"] == "false"
    assert env["DJANGO_SETTINGS_MODULE"] == "bench.baseline.settings"
    assert env["DJANGO_ALLOWED_HOSTS"].split(",")[-1] == "testserver"
    # Production refuses to start without these; each run makes its own.
    assert env["FRONTDOOR_PASSWORD_PEPPER"] and env["FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS"]
    assert env["FRONTDOOR_VAR_DIR"] == str(tmp_path / "var")


def test_a_database_not_named_for_benchmarks_is_refused(monkeypatch):
    from types import SimpleNamespace

    args = SimpleNamespace(database="postgres://postgres@127.0.0.1:5432/frontdoor", broker="")
    with pytest.raises(SystemExit, match="contains 'bench'"):
        inprocess.set_up(args, name="bench-test", migrate=False, static=False)
