"""Django set up in this process as production runs it, for the benchmarks that call
the app through its test client rather than a server (bench_post.py, bench_queue.py,
bench_match_api.py): ``bench.baseline.settings`` with the environment
``pages_serve.production_env`` gives gunicorn (DEBUG off, the proxy's headers, the
broker), this run's secrets, and the test client's host allowed."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import SimpleNamespace

from bench.pages_serve import production_env, run_secrets

ROOT = Path(__file__).resolve().parent.parent


def environment(*, database: str, broker: str, workdir: Path) -> dict[str, str]:
    """The environment a benchmark's process runs Django under."""
    # The port is only for the base URL in links: nothing is served.
    place = SimpleNamespace(database=database, broker=broker, port=8000)
    env = production_env(place, workdir, run_secrets())
    env["DJANGO_ALLOWED_HOSTS"] += ",testserver"
    return env


def set_up(args, *, name: str, migrate: bool, static: bool) -> None:
    """Django on ``args.database`` (whose name must contain "bench") and ``args.broker``,
    its files under var/``name``; ``migrate`` the database first, and collect the static
    files (the pages and error pages need their manifest) when ``static`` and they are
    not collected yet."""
    if "bench" not in args.database.rsplit("/", 1)[-1]:
        sys.exit("Use a database whose name contains 'bench': a benchmark may write into it.")
    workdir = ROOT / "var" / name
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ.update(environment(database=args.database, broker=args.broker, workdir=workdir))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if migrate:
        call_command("migrate", verbosity=0)
    if static and not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", "--noinput", verbosity=0)


def busiest_screener_and_agency():
    """The queue benchmarks' screener and agency: the active screener with the most open
    referrals allocated to them, and the agency with the most open referrals."""
    from django.db.models import Count

    from agencies.models import Role, User
    from referrals.models import Referral, Status

    open_referrals = Referral.objects.exclude(status=Status.DECIDED)
    busiest = (
        open_referrals.filter(assigned_to__role=Role.SCREENER, assigned_to__is_active=True)
        .values("assigned_to")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if busiest is None:
        sys.exit("no screener with open referrals: load the data with bench/national.py")
    agency = (
        open_referrals.filter(agency__isnull=False)
        .values("agency")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()["agency"]
    )
    return User.objects.get(pk=busiest["assigned_to"]), agency
