from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import Resolver404, resolve

from core.exceptions import DomainError
from core.http import is_api_request

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
                kept = self._keep_what_was_typed(request, user)
                logout(request)
                return self._signed_out(request, idle=idle, back_to=kept)
            session[LAST_SEEN] = now
        return self.get_response(request)

    def _keep_what_was_typed(self, request: HttpRequest, user) -> str | None:
        """A form posted just after the session ran out is not thrown away: a view that
        offers ``save_on_timeout`` keeps the input (a referral draft keeps each section),
        and the user comes back to the same page after signing in again.

        This runs before the view, and so before CsrfViewMiddleware.process_view: the
        CSRF check is made here first, and a request that fails it keeps nothing (a
        forged cross-site post must not write into a draft)."""
        if request.method != "POST":
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        saver = getattr(match.func, "save_on_timeout", None)
        if saver is None:
            return None
        refused = CsrfViewMiddleware(self.get_response).process_view(
            request, match.func, match.args, match.kwargs
        )
        if refused is not None:
            return None
        try:
            saver(request, user, *match.args, **match.kwargs)
        except (Http404, DomainError):
            # Not theirs, or refused (a draft over its bounds): nothing was kept.
            return None
        return request.path

    def _signed_out(self, request: HttpRequest, *, idle: bool, back_to: str | None) -> HttpResponse:
        if idle:
            minutes = int(settings.SESSION_IDLE_TIMEOUT.total_seconds() // 60)
            text = f"You were signed out because you were inactive for {minutes} minutes."
        else:
            hours = int(settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds() // 3600)
            text = f"You were signed out because you had been signed in for {hours} hours."
        if is_api_request(request):
            return JsonResponse({"detail": text}, status=401)
        if back_to:
            text += " What you had typed has been saved."
        messages.info(request, text + " Sign in again to carry on.")
        if request.method == "GET":
            return redirect_to_login(request.get_full_path())
        return redirect_to_login(back_to or "/")
