"""The managers' live dashboard (what is late now) and the overdue information requests
behind one of its counts. Thin: read the figures as of one moment, render. The figures
are read where lag-tolerant reads go (core.db: the read replica, when one is
configured); the list, which people work from, from the primary."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from agencies.policy import Capability, capability_required
from core.db import lag_tolerant_reads
from reporting.live import live_figures, overdue_information_requests

# How often the page asks for fresh figures when JavaScript runs (htmx).
REFRESH_SECONDS = 60
PAGE_SIZE = 50


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"


@capability_required(Capability.VIEW_DASHBOARD)
@require_GET
@vary_on_headers("HX-Request")
def live(request: HttpRequest) -> HttpResponse:
    """The whole page; to htmx's refresh (``HX-Request``), only the figures."""
    with lag_tolerant_reads():
        figures = live_figures(now=timezone.now())
    context = {
        "figures": figures,
        "refresh_seconds": REFRESH_SECONDS,
        "due_soon_label": f"due within {_plural(settings.DUE_SOON_HOURS, 'hour')}",
        "unallocated_label": "unallocated for over "
        + _plural(settings.UNALLOCATED_FLAG_MINUTES, "minute"),
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "reporting/_live_figures.html", context)
    return render(request, "reporting/live.html", context)


@capability_required(Capability.VIEW_DASHBOARD)
@require_GET
def information_requests_overdue(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    page = Paginator(overdue_information_requests(now=now), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "reporting/information_requests_overdue.html", {"page": page, "now": now}
    )
