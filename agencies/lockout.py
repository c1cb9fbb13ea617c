"""What someone locked out of signing in sees: a page for people, JSON for the API."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from core.http import is_api_request

LOCKED_STATUS = 429


def locked_out(request, original_response=None, credentials=None):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    if is_api_request(request):
        return JsonResponse(
            {"detail": f"Too many failed sign-in attempts. Try again in {minutes} minutes."},
            status=LOCKED_STATUS,
        )
    return render(
        request, "accounts/locked_out.html", {"cooloff_minutes": minutes}, status=LOCKED_STATUS
    )
