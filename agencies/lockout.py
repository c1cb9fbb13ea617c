"""Sign-in lockout (django-axes): where a request comes from, and what someone locked out
sees (a page for people, JSON for the API), both with Retry-After."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from core.http import client_address as address_from
from core.http import is_api_request

LOCKED_STATUS = 429


def client_address(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the client's address, trusting X-Forwarded-For only as
    far as FRONTDOOR_PROXY_COUNT says (core.http.client_address)."""
    return address_from(request.META, trusted_proxies=settings.TRUSTED_PROXY_COUNT)


def locked_out(request, original_response=None, credentials=None):
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    minutes = seconds // 60
    if is_api_request(request):
        response = JsonResponse(
            {"detail": f"Too many failed sign-in attempts. Try again in {minutes} minutes."},
            status=LOCKED_STATUS,
        )
    else:
        response = render(
            request,
            "accounts/locked_out.html",
            {"cooloff_minutes": minutes},
            status=LOCKED_STATUS,
        )
    response["Retry-After"] = str(seconds)
    return response
