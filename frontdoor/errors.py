"""Error pages in the service's own style. The 500 page renders without a request
context: it must not depend on anything that may be what failed."""

from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.csrf import csrf_failure as django_csrf_failure

from agencies import refusals
from core.http import is_api_request


def permission_denied(request, exception=None):
    if is_api_request(request):
        return JsonResponse({"detail": "You do not have permission to do this."}, status=403)
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    if is_api_request(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return HttpResponseServerError(loader.get_template("errors/500.html").render())


def csrf_failure(request, reason=""):
    """Django's own CSRF failure page, the refusal marked as not counting towards the
    many-refusals alert (agencies.refusals): a form sent with a stale token (the back
    button after the session was renewed) is no attempt at what the account may not
    reach. It is still in the security log as a 403."""
    refusals.mark_not_counted(request)
    return django_csrf_failure(request, reason=reason)
