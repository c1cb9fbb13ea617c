from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from agencies.policy import Capability, can, second_factor_satisfied
from frontdoor import health


def _may_see_health_details(request: HttpRequest) -> bool:
    """A signed-in administrator (past two-step verification where it applies), or a
    monitor sending the configured health token."""
    expected = settings.HEALTH_TOKEN
    given = request.headers.get("X-Health-Token", "")
    if expected and given and constant_time_compare(given, expected):
        return True
    user = request.user
    return can(user, Capability.MANAGE_SYSTEM) and second_factor_satisfied(user)


@require_GET
@never_cache
def health_check(request: HttpRequest) -> JsonResponse:
    """200 and {"status": "ok"} when the database and the broker answer and the outbox is
    moving, 503 and {"status": "unavailable"} otherwise. Anyone may ask; only an
    administrator or a monitor with the health token is told the details (which database
    and broker, the worker's heartbeat, the outbox, the emails that failed lately), which
    would help an attacker."""
    database = health.check_database()
    broker = health.check_broker()
    ok = database["ok"] and broker["ok"]
    details = {"database": database, "broker": broker}
    if database["ok"]:
        details["worker"] = health.worker_heartbeat()
        now = timezone.now()
        details["notices"] = health.check_notices(now)
        ok = ok and details["notices"]["ok"]
        # Told, never counted in the status: see health.check_failed_emails.
        details["failed_emails"] = health.check_failed_emails(now)
    body = {"status": "ok" if ok else "unavailable"}
    if _may_see_health_details(request):
        body |= details
    return JsonResponse(body, status=200 if ok else 503)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on a page about what it does here."""
    return render(request, [f"home/{request.user.role}.html", "home/default.html"])
