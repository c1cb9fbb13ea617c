from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse

AUTH_AT = "fd_auth_at"
LAST_SEEN = "fd_last_seen"


class NoStoreMiddleware:
    """Cache-Control: no-store on every page the app renders.

    Any page may show case data, so no browser or proxy keeps a copy. Static files are
    served by WhiteNoise above this middleware and keep their long cache lifetimes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"
        return response


class SessionTimeoutMiddleware:
    """Ends a signed-in session after a period idle and after a period in all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            session = request.session
            auth_at = session.setdefault(AUTH_AT, now)
            last_seen = session.get(LAST_SEEN, now)
            idle = now - last_seen > settings.SESSION_IDLE_TIMEOUT.total_seconds()
            too_long = now - auth_at > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
            if idle or too_long:
                logout(request)
                return self._signed_out(request, idle=idle)
            session[LAST_SEEN] = now
        return self.get_response(request)

    def _signed_out(self, request: HttpRequest, *, idle: bool) -> HttpResponse:
        if idle:
            minutes = int(settings.SESSION_IDLE_TIMEOUT.total_seconds() // 60)
            text = f"You were signed out because you were inactive for {minutes} minutes."
        else:
            hours = int(settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds() // 3600)
            text = f"You were signed out because you had been signed in for {hours} hours."
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": text}, status=401)
        messages.info(request, text + " Sign in again to carry on.")
        if request.method == "GET":
            return redirect_to_login(request.get_full_path())
        return redirect_to_login("/")
