# ruff: noqa: S608, E501 - our own SQL over the bench database; long messages kept whole
"""Part 4 of bench/national_check.py: the pages and APIs of a database bench/national.py
made, through Django's test client, signed in as a screener, a manager, an agency lead,
a referrer, a partner and an auditor: every one must answer 200, and the counts they are
built on must match the data (each one's time printed: one cold request). Then the clock
scan and a decision, each rolled back."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.national_check import Failures


def hot_children(n: int):
    """The children with the most referrals among those with one open: the hot ones
    (their latest is always open), when the total is large enough for them to lead."""
    from django.db.models import Count, Exists, OuterRef

    from referrals.models import Child, Referral

    open_referral = Referral.objects.filter(child=OuterRef("pk")).exclude(status="decided")
    return list(
        Child.objects.filter(Exists(open_referral))
        .annotate(n=Count("referrals"))
        .order_by("-n", "pk")[:n]
    )


def pages(failures: Failures) -> None:  # noqa: PLR0915 - one page after another
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from agencies.models import User
    from referrals.mine_views import MY_REFERRALS_PAGE_SIZE
    from referrals.models import Referral
    from triage.child_views import PIECE_SIZE
    from triage.chronology import timeline
    from triage.selectors import queue_for

    setup_test_environment()  # so that responses carry the context the pages rendered
    screener = User.objects.get(username="bench-screener-00")
    manager = User.objects.get(username="bench-manager-00")
    auditor = User.objects.get(username="bench-auditor")
    busiest = (
        Referral.objects.filter(agency__isnull=False)
        .values("agency_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    # The loader's own lead (bench_pages.py adds "bench-pages-lead" beside it).
    lead = (
        User.objects.filter(role="agency_lead", agency_id=busiest["agency_id"])
        .exclude(username__startswith="bench-pages-")
        .get()
    )
    referrer = (
        User.objects.filter(role="referrer", agency_id=busiest["agency_id"])
        .annotate(n=Count("referrals"))
        .order_by("-n")
        .first()
    )
    partner = User.objects.filter(
        role="partner", agency__information_requests__isnull=False
    ).first()
    open_referral = Referral.objects.exclude(status="decided").order_by("-received_at").first()
    recent = Referral.objects.filter(status="decided").order_by("-received_at").first()
    hot = hot_children(5)
    open_count = Referral.objects.exclude(status="decided").count()
    failures.check(
        queue_for(screener).count() == open_count,
        f"the queue holds every open referral ({open_count:,})",
    )

    def visit(user, url: str, *, method: str = "get", data=None, expect: int = 200, note: str = ""):
        client = Client()
        client.force_login(user)
        started = time.perf_counter()
        if method == "post":
            response = client.post(url, data=data, content_type="application/json")
        else:
            response = client.get(url)
        ms = (time.perf_counter() - started) * 1000
        failures.check(
            response.status_code == expect,
            f"{user.role:11} {method.upper()} {url} -> {response.status_code} ({ms:.0f} ms){note}",
        )
        return response

    def paginated(response) -> int | None:
        """The count a page numbered by Django's paginator shows (the queue)."""
        context = getattr(response, "context", None)
        page = context.get("page") if context else None
        return page.paginator.count if page is not None else None

    def keyset(user, url: str, *, total: int, note: str = "") -> None:
        """My referrals, paged by position and never counted: the first page is full
        (or holds them all) and links to older ones exactly when there are more; the
        second, through that link, goes on with other referrals."""
        response = visit(user, url, note=note)
        context = getattr(response, "context", None) or {}
        page = context.get("page")
        rows = [row["id"] for row in page.rows] if page is not None else []
        failures.check(
            page is not None
            and len(rows) == min(total, MY_REFERRALS_PAGE_SIZE)
            and bool(page.older) == (total > MY_REFERRALS_PAGE_SIZE),
            f"{url} shows {len(rows)} of {total:,} referrals, an older page: "
            f"{bool(page and page.older)}",
        )
        if page is not None and page.older:
            response = visit(user, f"{url}?cursor={page.older}", note=" (the next page)")
            context = getattr(response, "context", None) or {}
            onward = [row["id"] for row in context["page"].rows] if context.get("page") else []
            failures.check(
                bool(onward) and not set(onward) & set(rows),
                f"{url}'s next page shows {len(onward)} other referrals",
            )

    deep = max(1, -(-open_count // 50))
    response = visit(screener, "/triage/")
    failures.check(
        paginated(response) == open_count, f"the queue page counts {paginated(response)} open"
    )
    visit(screener, "/triage/?concern=neglect")
    visit(screener, "/triage/?overdue=on&unallocated=on")
    visit(screener, f"/triage/?page={deep}", note=f" (the last page of {deep})")
    visit(screener, f"/triage/referrals/{open_referral.pk}/")
    for child in hot:
        # The page shows the newest events and earlier ones a piece at a time; "all" shows
        # every one. Both count the whole timeline, which holds every referral.
        entries = timeline(child.pk)
        referrals = sum(1 for e in entries if e.kind == "referral")
        failures.check(
            referrals == child.n,
            f"child {child.pk}'s timeline holds all {child.n} referrals ({referrals})",
        )
        for query, whole in (("", len(entries) <= PIECE_SIZE), ("?all=on", True)):
            response = visit(
                screener, f"/children/{child.pk}/{query}", note=f" ({child.n} referrals)"
            )
            context = getattr(response, "context", None) or {}
            shown = (context.get("first"), context.get("last"), context.get("total"))
            failures.check(
                context.get("total") == len(entries)
                and context.get("first") == 1
                and (context.get("last") == len(entries)) == whole,
                f"child {child.pk}'s chronology{query or ''} shows events {shown[0]}-{shown[1]} "
                f"of {shown[2]} ({len(entries)} in the timeline; not the break-the-glass page)",
            )
    response = visit(screener, "/api/v1/referrals/")
    if response.status_code == 200:
        body = response.json()
        results = body.get("results") if isinstance(body, dict) else None
        print(
            f"        the referral list API's first page: {len(results or [])} referrals "
            f"(never counted; closed records left out), next: {bool(body.get('next'))}"
        )
    child = hot[0]
    response = visit(
        screener,
        "/api/v1/children/matches/",
        method="post",
        data={
            "first_name": child.first_name,
            "last_name": child.last_name,
            "date_of_birth": child.date_of_birth.isoformat(),
        },
    )
    if response.status_code == 200:
        found = [m["id"] for m in response.json()]
        failures.check(
            bool(found) and found[0] == child.pk,
            f"matching finds child {child.pk} first: {found[:5]}",
        )
    visit(manager, "/triage/")
    visit(manager, "/dashboard/")
    visit(manager, "/api/v1/dashboard/")
    visit(manager, "/dashboard/performance/")
    visit(manager, "/inbox/")
    visit(manager, "/api/v1/notifications/")
    visit(manager, "/strategy/")
    visit(manager, "/challenges/")
    visit(manager, f"/triage/referrals/{recent.pk}/")
    keyset(
        lead, "/referrals/mine/", total=busiest["n"], note=f" ({busiest['n']:,} agency referrals)"
    )
    visit(lead, "/api/v1/referrals/")
    keyset(referrer, "/referrals/mine/", total=referrer.n, note=f" ({referrer.n:,} of their own)")
    visit(
        referrer,
        f"/referrals/{Referral.objects.filter(referrer=referrer).latest('received_at').pk}/",
    )
    if partner:
        visit(partner, "/requests/")
    visit(auditor, "/audit/access-log/")
    visit(auditor, f"/history/referrals/{recent.pk}/")
    visit(auditor, f"/audit/children/{hot[0].pk}/export/")
    from referrals.models import Child

    with_nhs = Child.objects.exclude(nhs_number="").order_by("pk").first()
    writes(failures, visit, referrer=referrer, manager=manager, child=with_nhs)
    scan(failures)
    print(f"        as of {timezone.now():%Y-%m-%d %H:%M} UTC")


def scan(failures: Failures) -> None:
    """The clock scan, as of the newest notice the load raised (rolled back): everything
    that fell due before then has been told, so it finds (almost) nothing to raise."""
    from django.db import transaction
    from django.db.models import Max

    from notices.models import NoticeEvent
    from triage.services.notices import scan_clocks

    class RolledBack(Exception):
        pass

    as_of = NoticeEvent.objects.aggregate(at=Max("created_at"))["at"]
    try:
        with transaction.atomic():
            started = time.perf_counter()
            counts = scan_clocks(now=as_of)
            ms = (time.perf_counter() - started) * 1000
            raise RolledBack
    except RolledBack:
        pass
    # A scan each minute: what fell due in the last minute before as_of may not be told.
    failures.check(
        sum(counts.values()) <= 10,
        f"the clock scan finds nothing left to tell: {counts} ({ms:.0f} ms)",
    )


def writes(failures: Failures, visit, *, referrer, manager, child) -> None:
    """A referral made through the API and an open one decided, as the app does them,
    then rolled back: the sequences, the reference numbers, the NHS number link and the
    triggers all take the generated rows as they are."""
    from django.db import transaction
    from django.utils import timezone

    from referrals.models import Referral
    from referrals.references import format_reference, stored_last_numbers
    from triage.services.decisions import decide

    class RolledBack(Exception):
        pass

    loaded_before = stored_last_numbers()
    try:
        with transaction.atomic():
            response = visit(
                referrer,
                "/api/v1/referrals/",
                method="post",
                expect=201,
                data={
                    "child_first_name": child.first_name,
                    "child_last_name": child.last_name,
                    "child_date_of_birth": child.date_of_birth.isoformat(),
                    "child_nhs_number": child.nhs_number,
                    "concerns": ["neglect"],
                    "worry": "Came to school hungry four days this week with a bruise on the arm.",
                    "lived_experience": "Gets ready alone; no breakfast; often late to school.",
                    "child_voice": "Said 'there is no food in the house'.",
                    "parental_consent": "consented",
                },
            )
            if response.status_code == 201:
                made = Referral.objects.get(pk=response.json()["id"])
                failures.check(
                    made.child_id == child.pk,
                    f"a new referral {made.reference} (id {made.pk}), linked by NHS number "
                    f"to child {made.child_id} as submitted",
                )
                year = timezone.localtime(made.received_at).year
                loaded = loaded_before.get(year, 0)
                failures.check(
                    made.reference == format_reference(year, loaded + 1),
                    f"its reference {made.reference} follows the last loaded for {year} "
                    f"({loaded:,})",
                )
            waiting = Referral.objects.filter(status="awaiting_decision").order_by("pk").first()
            decision = decide(
                referral_id=waiting.pk,
                by=manager,
                outcome="early_help",
                threshold_level=2,
                rationale="The family want help and there is no sign of significant harm; "
                "early help will bring the professionals together.",
                feedback="Early help will contact the family this week.",
                late_reason="Waiting for the health visitor's answer.",
                proceed_reason="The family need an answer today, whatever is outstanding.",
            )
            waiting.refresh_from_db()
            failures.check(
                waiting.status == "decided" and decision.pk > 0,
                f"{waiting.reference} decided through the service (decision {decision.pk})",
            )
            raise RolledBack
    except RolledBack:
        pass
