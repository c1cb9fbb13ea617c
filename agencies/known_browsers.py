"""Browsers an account has signed in from before, so that a sign-in from any other tells
the account's owner (ASVS 2.2.3): an email and an inbox notice saying when, which
browser in plain words ("Chrome on Windows", the same words as the account page's list
of sessions) and what to do if it was not them.

A browser is known by a random id (256 bits) in a cookie of its own: signed, HttpOnly,
SameSite=Lax, Secure and __Host- in production, kept for ``MAX_AGE`` and set again at each
sign-in. It outlives sign-out and the session; clearing cookies, or a private window,
makes a browser new again. One id per browser, whoever signs in with it; each account
keeps a digest of its own id with the browser's (models.KnownBrowser).

A sign-in is complete when the password, and the second step where one is required, are
both done (agencies.views calls ``signed_in`` there). The account's first known browser
is learnt without a notice: there is nothing to compare it with, and every account
would otherwise be told once when this arrived, teaching people to ignore the notice.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from agencies.browser_sessions import device_description
from agencies.changes import SignInChange, tell_owner
from agencies.models import KnownBrowser, User
from core import security_log

SALT = "agencies.known_browsers"
# Browsers keep a cookie at most 400 days whatever it asks (RFC 6265bis).
MAX_AGE = timedelta(days=400)
# The browsers kept per account: one more forgets the least recently seen.
PER_USER = 20

_BROWSER_ID = re.compile(r"^[A-Za-z0-9_-]{43}$")


def _digest(user: User, browser_id: str) -> str:
    return hashlib.sha256(f"{user.pk}:{browser_id}".encode()).hexdigest()


def browser_id_of(request) -> str | None:
    """The id in the request's cookie, if the cookie is there, ours and in date."""
    value = request.get_signed_cookie(
        settings.KNOWN_BROWSER_COOKIE_NAME,
        default=None,
        salt=SALT,
        max_age=MAX_AGE,
    )
    return value if value and _BROWSER_ID.match(value) else None


def signed_in(request, response, user: User) -> None:
    """A sign-in has just completed in this browser: remember it for ``user``, tell them
    if it is new (and not their first), and give the browser its cookie, again."""
    browser_id = browser_id_of(request) or secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        # One sign-in at a time per account: two at once from new browsers must not both
        # take themselves for its first.
        User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
        first = not KnownBrowser.objects.filter(user=user).exists()
        known, created = KnownBrowser.objects.get_or_create(
            user=user,
            digest=_digest(user, browser_id),
            defaults={"first_seen_at": now, "last_seen_at": now},
        )
        if not created:
            KnownBrowser.objects.filter(pk=known.pk).update(last_seen_at=now)
        else:
            _forget_beyond_limit(user)
            security_log.new_browser(
                user_id=user.pk, browser_id=known.pk, outcome="first" if first else "told"
            )
            if not first:
                tell_owner(
                    user=user,
                    change=SignInChange.NEW_BROWSER_SIGN_IN,
                    key=f"new-browser:{known.pk}",
                    at=now,
                    browser=device_description(request.META.get("HTTP_USER_AGENT", "")),
                )
    response.set_signed_cookie(
        settings.KNOWN_BROWSER_COOKIE_NAME,
        browser_id,
        salt=SALT,
        max_age=int(MAX_AGE.total_seconds()),
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _forget_beyond_limit(user: User) -> None:
    keep = KnownBrowser.objects.filter(user=user).order_by("-last_seen_at", "-pk")
    beyond = list(keep.values_list("pk", flat=True)[PER_USER:])
    if beyond:
        KnownBrowser.objects.filter(pk__in=beyond).delete()


def forget_stale(*, now=None) -> int:
    """The browsers not seen for longer than their cookie lasts (the browser has dropped
    it): run with the session cleanup. Returns how many."""
    cutoff = (now or timezone.now()) - MAX_AGE
    count, _ = KnownBrowser.objects.filter(last_seen_at__lt=cutoff).delete()
    return count
