from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from frontdoor import health


@require_GET
@never_cache
def health_check(request: HttpRequest) -> JsonResponse:
    database = health.check_database()
    broker = health.check_broker()
    ok = database["ok"] and broker["ok"]
    body = {"status": "ok", "database": database, "broker": broker}
    if database["ok"]:
        body["worker"] = health.worker_heartbeat()
        body["notices"] = health.check_notices(timezone.now())
        ok = ok and body["notices"]["ok"]
    body["status"] = "ok" if ok else "unavailable"
    return JsonResponse(body, status=200 if ok else 503)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on a page about what it does here."""
    return render(request, [f"home/{request.user.role}.html", "home/default.html"])
