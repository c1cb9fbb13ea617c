from __future__ import annotations

import gzip
import secrets
import time
import zlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware import gzip as django_gzip
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from rest_framework.throttling import UserRateThrottle

from agencies import recovery, refusals
from agencies.browser_sessions import AUTH_AT, CLEAR_SITE_DATA, LAST_SEEN
from agencies.lockout import client_address
from agencies.policy import needs_second_factor
from agencies.rates import AlertingThrottle, RefusedVia
from core import security_log
from core.exceptions import DomainError
from core.http import is_api_request


class GZipMiddleware(django_gzip.GZipMiddleware):
    """Django's GZipMiddleware, compressing a page at zlib's level 1 instead of 6.

    Level 6 cost the queue page (84 KB of HTML) 5.5 million instructions, an eighth of the
    page; level 1 costs 2.7 million for 12 KB sent instead of 10.7 (issue 14: the queue
    must be served at a twentieth of a bare view's throughput, and the server's CPU is
    scarcer than the council network's bandwidth). Everything else is Django's: only
    clients that ask, not answers under 200 bytes or already encoded, Vary, a weak ETag,
    and the random file name in the gzip header that pads each answer's length against
    BREACH. Streamed answers (none of Front Door's pages) are Django's own, level 6."""

    LEVEL = 1

    def process_response(self, request, response):
        if response.streaming:
            return super().process_response(request, response)
        if len(response.content) < 200 or response.has_header("Content-Encoding"):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if not django_gzip.re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return response
        compressed = compress(response.content, max_random_bytes=self.max_random_bytes)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "gzip"
        return response


def compress(data: bytes, *, max_random_bytes: int) -> bytes:
    """django.utils.text.compress_string at GZipMiddleware.LEVEL: a gzip member with no
    time in it and a random file name (up to ``max_random_bytes``) in its header."""
    compressed = memoryview(zlib.compress(data, level=GZipMiddleware.LEVEL, wbits=31))
    header = bytearray(compressed[:10])
    header[3] = gzip.FNAME
    filename = b"a" * secrets.randbelow(max_random_bytes) + b"\x00"  # as Django pads
    return bytes(header) + filename + compressed[10:]


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


class ErrorTitleMiddleware:
    """A page shown again with an error summary starts its title with "Error: " (GOV.UK's
    error summary pattern): the title is the first thing a screen reader says, and the
    tab a person comes back to shows it. Done here, for every page, because the title is
    written before the form that failed (base.html cannot know), and error pages are
    shown by many views with many forms. Only a whole page: an htmx piece has no title.
    """

    SUMMARY = b'class="govuk-error-summary"'
    TITLE = b"<title>"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.streaming
            or not response.get("Content-Type", "").startswith("text/html")
            or self.SUMMARY not in response.content
        ):
            return response
        content = response.content
        start = content.find(self.TITLE)
        if start == -1 or content.startswith(b"Error: ", start + len(self.TITLE)):
            return response
        at = start + len(self.TITLE)
        response.content = content[:at] + b"Error: " + content[at:]
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response


class ClientAddressMiddleware:
    """Every security log event written while a request is answered carries its client
    address (ASVS 7.1.4), resolved as django-axes resolves it for sign-in lockouts
    (agencies.lockout.client_address: REMOTE_ADDR, or X-Forwarded-For only as far as
    FRONTDOOR_PROXY_COUNT trusts it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with security_log.client_address(client_address(request)):
            return self.get_response(request)


class ApiAttachmentMiddleware:
    """Every JSON answer of the API says ``Content-Disposition: attachment`` (ASVS
    14.4.2): a browser sent straight to an API address saves the answer as a file instead
    of rendering it, so a reflected value can never run as a page. Answers that name
    their own file (the census CSV and XML) keep theirs; the API's HTML documentation page
    is a page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            is_api_request(request)
            and "Content-Disposition" not in response
            and "json" in response.get("Content-Type", "")
        ):
            response["Content-Disposition"] = 'attachment; filename="api.json"'
        return response


class HtmxRedirectMiddleware:
    """A redirect answered to htmx becomes a visit of the whole page.

    htmx fetches a piece of a page (the chronology's earlier events, the strategy form's
    warnings) and puts the answer in place. The browser follows a redirect inside such a
    fetch by itself, so without this a session that ran out while the page was open put
    the sign-in page inside the timeline, and a screener would type their password into
    a list of events. Answered instead with ``HX-Redirect`` (and no body), htmx sends the
    whole window where the redirect pointed: the sign-in page, with its message, and after
    signing in back to the piece as a page of its own. Whatever the redirect carried
    besides (its cookies: the signed-out message, the new session) is kept.
    """

    REDIRECTS = frozenset({301, 302, 303, 307, 308})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.headers.get("HX-Request") == "true" and response.status_code in self.REDIRECTS:
            visit = HttpResponse(status=204)
            visit["HX-Redirect"] = response["Location"]
            visit.cookies = response.cookies
            if "Clear-Site-Data" in response:
                visit["Clear-Site-Data"] = response["Clear-Site-Data"]
            if "Vary" in response:
                visit["Vary"] = response["Vary"]
            return visit
        return response


class SessionTimeoutMiddleware:
    """Ends a signed-in session after a period idle and after a period in all.

    The last-seen time is written to the session only when the one kept is at least
    ``SESSION_LAST_SEEN_RESOLUTION`` old (a minute), not on every request: otherwise every
    page view would UPDATE the session row and commit. The kept time is then up to that
    much earlier than the true last request, so a session may end up to a minute before
    the idle limit, never after it.
    """

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
            if LAST_SEEN not in session or (
                now - last_seen >= settings.SESSION_LAST_SEEN_RESOLUTION.total_seconds()
            ):
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
            response = redirect_to_login(request.get_full_path())
        else:
            response = redirect_to_login(back_to or "/")
        response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response


class SecondFactorMiddleware:
    """Until a manager, auditor or administrator has given the code from their
    authenticator app or used their security key (FRONTDOOR_MFA_REQUIRED), the only
    places open to them are the verification and set-up steps and signing out: a page
    sends them to the step, the API answers 401. Tokens are only issued with a code, so a
    token's user needs no step."""

    OPEN = frozenset(
        {"two-step-verify", "two-step-key", "two-step-setup", "logout", "health", "api-token"}
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and needs_second_factor(user)
            and not user.is_verified()
            and self._url_name(request) not in self.OPEN
        ):
            if is_api_request(request):
                return JsonResponse(
                    {"detail": "Enter the code from your authenticator app on the website first."},
                    status=401,
                )
            target = request.get_full_path() if request.method == "GET" else "/"
            return redirect(f"{reverse('two-step-verify')}?{urlencode({'next': target})}")
        return self.get_response(request)

    @staticmethod
    def _url_name(request: HttpRequest) -> str | None:
        try:
            return resolve(request.path_info).url_name
        except Resolver404:
            return None


class NewPasswordMiddleware:
    """Someone whose password an administrator set (``must_change_password``, agencies.
    recovery) reaches only the password page (and its strength meter), the second step
    that comes before it, and signing out, until they choose their own: a page sends
    them to the password page, which says why; the API answers 403 naming the reason.
    Before any view runs, so nothing else is decided or shown first. (A token's user is
    known only inside Django REST framework: agencies.api_auth refuses them there.)"""

    # What the second step leaves open (which comes first), and the password page.
    OPEN = SecondFactorMiddleware.OPEN | {"password-change", "password-strength"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.must_change_password
            and SecondFactorMiddleware._url_name(request) not in self.OPEN
        ):
            if is_api_request(request):
                recovery.refused(user_id=user.pk, via="api")
                return JsonResponse(
                    {"detail": recovery.API_MESSAGE, "code": recovery.API_CODE}, status=403
                )
            return redirect("password-change")
        return self.get_response(request)


class PageRateThrottle(AlertingThrottle, UserRateThrottle):
    """Each signed-in person's web pages counted in the cache as Django REST framework
    counts their API requests (DEFAULT_THROTTLE_RATES["page"], FRONTDOOR_PAGE_RATE); a
    refusal alerts the administrators and auditors (agencies.rates)."""

    scope = "page"
    refused_via = RefusedVia.PAGES


class PageRateMiddleware:
    """A signed-in person's pages over FRONTDOOR_PAGE_RATE are refused with 429 and
    Retry-After, as the API's requests are: no one reads a queue, a chronology or a
    child's export faster than that by hand, and a script copying the records out
    through the website would. Only reading is counted (GET and HEAD): a form sent is
    never refused for its rate, so what someone typed is never lost to it. The API has
    its own rate (DRF's throttles); signing in has django-axes. RefusalLogMiddleware,
    outside this one, writes each refusal to the security log with the user's id; the
    administrators and auditors are alerted (PageRateThrottle). Off when the rate is
    "off"."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].get("page")
            and user is not None
            and user.is_authenticated
            and request.method in ("GET", "HEAD")
            and not is_api_request(request)
        ):
            throttle = PageRateThrottle()
            if not throttle.allow_request(request, None):
                wait = max(1, int(throttle.wait() or 1))
                response = TemplateResponse(
                    request, "errors/429.html", {"wait_seconds": wait}, status=429
                )
                response["Retry-After"] = str(wait)
                return response.render()
        return self.get_response(request)


class RefusalLogMiddleware:
    """Every refused request, 401, 403 or 404 (the policy answers 404 for a record outside
    someone's scope, so as not to say it exists), goes to the security log with the user's
    id, the method and the path (never the query string, which may hold search terms);
    so does every rejected one (400 input that failed validation, 405, 413, 415, 429).
    Each 403 and 404 of a signed-in account is counted against it (agencies.refusals):
    more than FRONTDOOR_REFUSAL_ALERT_COUNT in FRONTDOOR_REFUSAL_ALERT_MINUTES alert the
    administrators and auditors. Not counted, though logged: a failed CSRF check (a stale
    form) and a 404 for an address no route matches (a mistyped one); see
    ``refusals.counts``."""

    REFUSED = frozenset({401, 403, 404})
    REJECTED = frozenset({400, 405, 413, 415, 429})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        status = response.status_code
        if status in self.REFUSED or status in self.REJECTED:
            # An API view's token user is set on the request by Django REST framework.
            user = getattr(request, "user", None)
            user_id = user.pk if user is not None and user.is_authenticated else None
            write = security_log.refused if status in self.REFUSED else security_log.rejected
            write(user_id=user_id, status=status, method=request.method, path=request.path[:300])
            # Many refused to one account alert the administrators and auditors.
            if refusals.counts(request, status=status):
                refusals.counted(user_id=user_id, status=status)
        return response
