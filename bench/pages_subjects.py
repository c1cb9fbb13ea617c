"""The data a run of bench/bench_pages.py measures: its users and subjects (``prepare``:
the busiest agency, the screener with the most open referrals, the chronology's child,
the matching bodies, the API list's cursor halfway back), the referral POST's body, and
the facts the report states about the data and the machine."""

from __future__ import annotations

import json
import os
import platform
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import loadgen, procstat

ROOT = Path(__file__).resolve().parent.parent
MATCH_BODIES = 20
REFERRING_TYPES = ("school", "gp", "police", "health_visiting", "hospital")
# The benchmark's referrer: every referral a run POSTs is theirs (bench/pages_cleanup.py
# removes them by this name). bench/national.py makes no user of this name.
REFERRER_USERNAME = "bench-pages-referrer"


@dataclass
class Subjects:
    users: dict  # role key -> User
    device_key: bytes  # the manager's authenticator key
    busiest_agency: object
    concern: str
    queue_count: int
    child_id: int
    child_referrals: int
    child_events: int
    match_bodies: list[str]
    referral_body: str
    history_cursor: str  # the API list's cursor halfway back through the referrals
    used_steps: set = field(default_factory=set)

    def describe(self) -> dict:
        return {
            "busiest agency referrals": self.busiest_agency.n,
            "open referrals on the screener's queue": self.queue_count,
            "chronology: the child's referrals": self.child_referrals,
            "chronology: events on the page": self.child_events,
            "concern filtered on": self.concern,
        }


def prepare(password: str) -> Subjects:  # noqa: PLR0915 - one walk through the data
    from django.db.models import Count
    from django.utils import timezone

    from agencies.census import AgencyType
    from agencies.models import Agency, Authenticator, Role, User
    from bench.baseline.models import BaselineRow
    from referrals.models import Child, Referral, ReferralConcern, Status
    from reporting import summary
    from triage import selectors
    from triage.chronology import chronology

    BaselineRow.objects.all().delete()
    busiest = (
        Referral.objects.filter(agency__isnull=False)
        .values("agency_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if busiest is None:
        sys.exit("no referral from an agency in the database: load the data first")
    agency = Agency.objects.get(pk=busiest["agency_id"])
    agency.n = busiest["n"]
    # The benchmark's referrals come from another agency's referrer, so that what they
    # add never changes the lead's pages (nor, with --reuse, a later run's).
    other = (
        Agency.objects.filter(is_active=True, type__in=REFERRING_TYPES)
        .exclude(pk=agency.pk)
        .order_by("pk")
        .first()
    )
    social_care = Agency.objects.filter(type=AgencyType.CHILDRENS_SOCIAL_CARE).first()

    def user(username, role, agency=None):
        person, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "role": role,
                "agency": agency,
                "email": f"{username}@example.invalid",
                "is_active": True,
                "first_name": "Bench",
                "last_name": username.rsplit("-", 1)[-1].title(),
            },
        )
        person.set_password(password)
        person.save()
        return person

    # The screener with the most open referrals allocated, so that "Allocated to me" has
    # rows; one of the benchmark's own when none is.
    busiest_screener = (
        Referral.objects.exclude(status=Status.DECIDED)
        .filter(assigned_to__role=Role.SCREENER, assigned_to__is_active=True)
        .values("assigned_to")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if busiest_screener:
        screener = User.objects.get(pk=busiest_screener["assigned_to"])
        screener.set_password(password)
        screener.save()
    else:
        screener = user("bench-pages-screener", Role.SCREENER, social_care)
    users = {
        "screener": screener,
        "manager": user("bench-pages-manager", Role.MANAGER, social_care),
        "lead": user("bench-pages-lead", Role.AGENCY_LEAD, agency),
        "referrer": user(REFERRER_USERNAME, Role.REFERRER, other or agency),
    }
    device_key = secrets.token_bytes(20)
    Authenticator.objects.filter(user=users["manager"]).delete()
    # Encrypted under this run's FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS (run_secrets), which the
    # server is given too.
    Authenticator.objects.create(
        user=users["manager"], name="bench", key=device_key.hex(), confirmed=True
    )

    # The performance page reads the summary that beat keeps (reporting.tasks).
    now = timezone.now()
    summary.refresh(weeks=summary.recent_weeks(now=now), now=now)

    concern = (
        ReferralConcern.objects.exclude(referral__status=Status.DECIDED)
        .values("category")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    queue_count = selectors.queue_for(screener).count()
    top_child = (
        Referral.objects.filter(child__isnull=False)
        .values("child_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "child_id")
        .first()
    )
    child = Child.objects.get(pk=top_child["child_id"])
    events = len(chronology(child))
    # A deep page of the API's list (keyset pages: there is no last page number): the
    # page after the referral halfway back by received_at, where a screener's rows are
    # sparse (most of the history is closed, left out of their list).
    from referrals import pagination

    by_time = Referral.objects.order_by("received_at", "id")
    middle = by_time[by_time.count() // 2 :].values_list("received_at", "pk").first()
    history_cursor = pagination.encode(list(middle))
    return Subjects(
        users=users,
        device_key=device_key,
        busiest_agency=agency,
        concern=concern["category"] if concern else "neglect",
        queue_count=queue_count,
        child_id=child.pk,
        child_referrals=top_child["n"],
        child_events=events,
        match_bodies=match_bodies(),
        referral_body=json.dumps(REFERRAL_BODY),
        history_cursor=history_cursor,
    )


def match_bodies(count: int = MATCH_BODIES) -> list[str]:
    """The matching scenario's bodies: ``count`` children spread over the ids, each
    described by first name, last name with its second and third letters swapped (a
    typo), and date of birth (bench/bench_match_api.py posts the same)."""
    from referrals.models import Child

    step = max(1, Child.objects.count() // count)
    ids = list(Child.objects.order_by("pk").values_list("pk", flat=True)[::step][:count])
    bodies = []
    for kid in Child.objects.filter(pk__in=ids).order_by("pk"):
        last = kid.last_name
        typo = last[0] + last[2] + last[1] + last[3:] if len(last) > 3 else last + "e"
        body = {"first_name": kid.first_name, "last_name": typo}
        if kid.date_of_birth:
            body["date_of_birth"] = kid.date_of_birth.isoformat()
        bodies.append(json.dumps(body))
    return bodies


# A complete referral about one synthetic child (tests/referrals/api_helpers.py's), its last
# name different in every request ({{n}}: letters).
REFERRAL_BODY = {
    "child_first_name": "Benchpost",
    "child_last_name": "Child" + loadgen.PLACEHOLDER,
    "child_date_of_birth": "2017-03-04",
    "child_gender": "2",
    "child_ethnicity": "WBRI",
    "child_religion": "not_known",
    "child_disabilities": ["NONE"],
    "child_postcode": "ls1 4ap",
    "child_interpreter_needed": False,
    "concerns": ["neglect", "domestic_abuse"],
    "worry": "Came to school hungry four days this week with a bruise on the arm.",
    "lived_experience": "Gets herself and her brother ready; no breakfast; often late.",
    "child_voice": "Said 'mum sleeps a lot and there is no food in the house'.",
    "parental_consent": "consented",
    "household": [{"name": "Parent One", "relationship": "mother", "lives_with_child": True}],
}


def data_facts() -> dict:
    from django.db import connection

    tables = {
        "referrals": "referrals_referral",
        "children": "referrals_child",
        "submissions": "referrals_submission",
        "concerns": "referrals_referralconcern",
        "decisions": "triage_decision",
        "strategy discussions": "triage_strategydiscussion",
        "information requests": "triage_informationrequest",
        "challenges": "triage_challenge",
        "notice events": "notices_noticeevent",
        "notifications": "notices_notification",
        "access log": "audit_accesslog",
        "users": "agencies_user",
        "agencies": "agencies_agency",
    }
    facts = {"rows": {}}
    with connection.cursor() as cursor:
        for label, table in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - our names
            facts["rows"][label] = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM referrals_referral WHERE status <> 'decided'")
        facts["rows"]["open referrals"] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database())), "
            "pg_size_pretty(pg_total_relation_size('referrals_referral')), "
            "current_setting('server_version'), current_setting('shared_buffers'), "
            "current_setting('work_mem'), current_setting('effective_cache_size')"
        )
        size, referrals, version, buffers, work_mem, cache = cursor.fetchone()
    facts |= {
        "database size": size,
        "referrals table with indexes": referrals,
        "PostgreSQL": version,
        "shared_buffers": buffers,
        "work_mem": work_mem,
        "effective_cache_size": cache,
    }
    return facts


def machine_load(seconds: float = 3.0) -> str:
    """How many cores the machine's other work kept busy over a few seconds."""
    before = procstat.take([], [])
    time.sleep(seconds)
    after = procstat.take([], [])
    return f"{procstat.machine_cores_busy(before, after, os.cpu_count() or 1):.2f}"


def machine_facts() -> dict:
    import django
    import gunicorn

    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        line.split(":", 1)[1].strip()
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)  # noqa: S607
    return {
        "CPUs (nproc)": os.cpu_count(),
        "CPU model": model,
        "memory": f"{int(memory.split()[0]) / 1024 / 1024:.1f} GB",
        "kernel": platform.release(),
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "wrk": (wrk.stdout or wrk.stderr).splitlines()[0].split(" [")[0],
        "load average at the end": " ".join(f"{v:.2f}" for v in os.getloadavg()),
    }


def commit() -> str:
    def git(*args):
        command = ["git", *args]
        return subprocess.run(  # noqa: S603 - our own arguments
            command, capture_output=True, text=True, cwd=ROOT, check=False
        ).stdout.strip()

    head = git("rev-parse", "--short=12", "HEAD")
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return head + (" (with uncommitted changes)" if dirty else "")
