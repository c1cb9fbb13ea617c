"""Signed-in browser sessions (ASVS 3.3.4): each person sees theirs on the account page
and ends any other one, or all the others, after giving their password again; an
administrator ends all of a person's in the admin.

The session is Django's (its table holds the data: when it signed in, when it was last
seen, kept by frontdoor.middleware); a BrowserSession row names its user and describes
its browser coarsely. Nothing else is kept: not the user agent string, not the address.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import import_module

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from agencies.models import BrowserSession, User
from core import security_log

# Kept in the session by frontdoor.middleware and frontdoor.signals: when it signed in
# and when it was last seen (seconds since the epoch).
AUTH_AT = "fd_auth_at"
LAST_SEEN = "fd_last_seen"

# Sent with the answer that signs someone out (ASVS 8.2.3): the browser drops what it
# kept of Front Door's pages (its cache, the back-forward cache) and any storage a page
# used. Not "cookies": the session cookie is already deleted by the same answer, and
# clearing every cookie would also drop the messages cookie that says why the person
# was signed out (and the CSRF cookie, which the sign-in page sets again anyway).
CLEAR_SITE_DATA = '"cache", "storage"'

# The browser, then the system: the first pattern that matches names it. Order matters
# (Edge and Opera say "Chrome" too, Chrome says "Safari", Android says "Linux").
_BROWSERS = (
    (re.compile(r"\bEdgA?/|\bEdgiOS/"), "Edge"),
    (re.compile(r"\bOPR/|\bOpera\b"), "Opera"),
    (re.compile(r"\bSamsungBrowser/"), "Samsung Internet"),
    (re.compile(r"\bFirefox/|\bFxiOS/"), "Firefox"),
    (re.compile(r"(?:\b|Headless)Chrome/|\bCriOS/|\bChromium/"), "Chrome"),
    (re.compile(r"\bSafari/"), "Safari"),
)
_SYSTEMS = (
    (re.compile(r"\biPhone\b"), "iPhone"),
    (re.compile(r"\biPad\b"), "iPad"),
    (re.compile(r"\bAndroid\b"), "Android"),
    (re.compile(r"\bCrOS\b"), "ChromeOS"),
    (re.compile(r"\bWindows\b"), "Windows"),
    (re.compile(r"\bMac OS X\b|\bMacintosh\b"), "macOS"),
    (re.compile(r"\bLinux\b"), "Linux"),
)


def device_description(user_agent: str) -> str:
    """A coarse description of a browser, "Chrome on Windows", from its user agent: no
    version, no more detail than a person needs to recognise their own."""
    agent = (user_agent or "")[:512]
    browser = next((name for pattern, name in _BROWSERS if pattern.search(agent)), None)
    system = next((name for pattern, name in _SYSTEMS if pattern.search(agent)), None)
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return browser or f"A browser on {system}"
    return "An unknown browser"


def _store_class():
    return import_module(settings.SESSION_ENGINE).SessionStore


def record_sign_in(request, user: User) -> None:
    """At sign-in (user_logged_in): the new session, under the key Django just gave it.
    A browser signed in as someone else was flushed instead, and has no key until it is
    saved: it is saved now (with what login() put in it), to name it."""
    session = getattr(request, "session", None)
    if session is None:
        return
    if session.session_key is None:
        session.save()
    BrowserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "started_at": timezone.now(),
            "device": device_description(request.META.get("HTTP_USER_AGENT", "")),
        },
    )


@dataclass(frozen=True)
class SessionShown:
    id: int
    device: str
    started_at: datetime
    last_seen_at: datetime
    current: bool


def _moment(seconds, default: datetime) -> datetime:
    try:
        return datetime.fromtimestamp(float(seconds), tz=UTC)
    except (TypeError, ValueError, OverflowError):
        return default


def sessions_of(user: User, *, current_key: str | None) -> list[SessionShown]:
    """The user's browser sessions that still work, this one first, then the most
    recently seen. A session is left out once it has run out (its idle or overall limit,
    or its expiry) or no longer signs this user in (their password changed since: Django's
    session hash), though its row waits for the cleanup."""
    rows = list(BrowserSession.objects.filter(user=user))
    if not rows:
        return []
    stored = {
        session.session_key: session
        for session in Session.objects.filter(
            session_key__in=[row.session_key for row in rows], expire_date__gt=timezone.now()
        )
    }
    store = _store_class()()
    auth_hash = user.get_session_auth_hash()
    now = time.time()
    idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
    overall = settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
    shown = []
    for row in rows:
        session = stored.get(row.session_key)
        if session is None:
            continue
        data = store.decode(session.session_data)
        if str(data.get(SESSION_KEY)) != str(user.pk) or not constant_time_compare(
            data.get(HASH_SESSION_KEY, ""), auth_hash
        ):
            continue
        auth_at = data.get(AUTH_AT, now)
        last_seen = data.get(LAST_SEEN, auth_at)
        try:
            if now - float(last_seen) > idle or now - float(auth_at) > overall:
                continue
        except (TypeError, ValueError):
            continue
        shown.append(
            SessionShown(
                id=row.pk,
                device=row.device,
                started_at=row.started_at,
                last_seen_at=_moment(last_seen, row.started_at),
                current=row.session_key == current_key,
            )
        )
    shown.sort(key=lambda s: (not s.current, -s.last_seen_at.timestamp()))
    return shown


def _end(rows) -> int:
    """End each session: its row in Django's table goes (the browser is signed out at its
    next request) and with it the BrowserSession (agencies.session_store)."""
    store = _store_class()()
    keys = [row.session_key for row in rows]
    for key in keys:
        store.delete(key)
    BrowserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


@transaction.atomic
def end_session(*, owner: User, session_id: int, current_key: str | None) -> None:
    """End one of ``owner``'s other sessions. BrowserSession.DoesNotExist for one that is
    not theirs, or is the session asking (signing out ends that one), so that another's
    session reads as one that does not exist."""
    row = (
        BrowserSession.objects.select_for_update()
        .exclude(session_key=current_key or "")
        .get(pk=session_id, user=owner)
    )
    _end([row])
    security_log.browser_session(user_id=owner.pk, event="ended", session_id=row.pk, by=owner.pk)


@transaction.atomic
def end_other_sessions(*, user: User, current_key: str | None) -> int:
    """End every session of ``user`` but the one asking. Returns how many."""
    rows = list(
        BrowserSession.objects.select_for_update()
        .filter(user=user)
        .exclude(session_key=current_key or "")
    )
    count = _end(rows)
    if count:
        security_log.browser_session(user_id=user.pk, event="ended-others", by=user.pk)
    return count


@transaction.atomic
def end_all_sessions(*, user: User, by: User | None) -> int:
    """End every browser session of ``user`` (an administrator, or the account made
    inactive). Returns how many."""
    rows = list(BrowserSession.objects.select_for_update().filter(user=user))
    count = _end(rows)
    if count:
        security_log.browser_session(
            user_id=user.pk, event="ended-all", by=by.pk if by is not None else None
        )
    return count


def clear_ended() -> int:
    """The rows of sessions no longer in Django's table (run with its cleanup, after the
    expired sessions are deleted). Returns how many."""
    count, _ = BrowserSession.objects.exclude(
        session_key__in=Session.objects.values("session_key")
    ).delete()
    return count
