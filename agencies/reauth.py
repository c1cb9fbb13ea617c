"""Re-authentication before sensitive actions (ASVS 3.7.1): "Confirm it is you".

The person gives their password again, and their second factor when their account has
one (the code from their authenticator app, or else their security key); the session
then keeps the time of that confirmation, and for FRONTDOOR_REAUTH_MINUTES after it they
may revoke API tokens, download their own account data (frontdoor.account_export) and,
as an administrator, change a person's account (role, groups, permissions, whether
active, password), reset an authenticator or remove a security key, or lift a lockout.
Completing a sign-in counts as a confirmation: it asked the same.

A write asked for without a recent confirmation is never applied: the person is sent to
the confirmation page, with ``next`` leading back to the page they came from (a form to
fill in again, never a replay of what they sent), and repeats the action once confirmed.

A wrong password is checked by authenticate(), so it counts towards the sign-in lockout
(django-axes) and is logged as a failed sign-in; a refused confirmation is logged too
(the user's id only), and a wrong code counts towards the code's growing wait, as at
sign-in."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from core import security_log

SESSION_KEY = "fd_reauth_at"
# The password step of a confirmation whose second step is a security key: the key's
# answer must follow within this many seconds.
PASSWORD_STEP_KEY = "fd_reauth_password_at"
PASSWORD_STEP_SECONDS = 300
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _now() -> float:
    return timezone.now().timestamp()


def mark(request: HttpRequest) -> None:
    """The person has just confirmed it is them (or completed a sign-in)."""
    request.session[SESSION_KEY] = _now()
    request.session.pop(PASSWORD_STEP_KEY, None)


def is_recent(request: HttpRequest) -> bool:
    at = request.session.get(SESSION_KEY)
    if not isinstance(at, int | float):
        return False
    return 0 <= _now() - at <= settings.REAUTH_MINUTES * 60


def mark_password_step(request: HttpRequest) -> None:
    request.session[PASSWORD_STEP_KEY] = _now()


def password_step_recent(request: HttpRequest) -> bool:
    at = request.session.get(PASSWORD_STEP_KEY)
    return isinstance(at, int | float) and 0 <= _now() - at <= PASSWORD_STEP_SECONDS


def local_path(request: HttpRequest, target: str | None) -> str | None:
    """``target`` when it is a path on this site; None otherwise (another site, a
    scheme-relative address, or nothing). Every ``next`` the app follows is read by it."""
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return None


def safe_next(request: HttpRequest, target: str | None) -> str:
    """``target`` when it is a path on this site; the account page otherwise."""
    return local_path(request, target) or reverse("account")


def confirm_url(target: str) -> str:
    return f"{reverse('reauth')}?{urlencode({'next': target})}"


def refused(request: HttpRequest, *, reason: str) -> None:
    security_log.reauth(user_id=request.user.pk, outcome=f"refused-{reason}")


def to_confirm(request: HttpRequest, back_to: str | None = None) -> HttpResponse:
    """Send the person to confirm it is them, and then back to ``back_to`` (by default
    the page they are on, as a GET: what they sent is not kept)."""
    security_log.reauth(user_id=request.user.pk, outcome="asked")
    return redirect(confirm_url(back_to or request.get_full_path()))


class ConfirmBeforeChanges:
    """A ModelAdmin mixin: every write through its pages (the change and add forms, the
    delete page, the list's actions, the password form) needs a recent confirmation. A
    GET shows the page as usual; a POST without one is not applied, and the administrator
    is sent to confirm and back to the same page, to submit it again."""

    # Access is decided first: a write the administrator may not make at all is left to
    # the admin's own refusal (403), not turned into a request to confirm.

    def _unconfirmed(self, request, *, allowed: bool) -> bool:
        return allowed and request.method in UNSAFE_METHODS and not is_recent(request)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        allowed = (
            self.has_change_permission(request) if object_id else self.has_add_permission(request)
        )
        if self._unconfirmed(request, allowed=allowed):
            return to_confirm(request)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        if self._unconfirmed(request, allowed=self.has_delete_permission(request)):
            return to_confirm(request)
        return super().delete_view(request, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        if self._unconfirmed(request, allowed=self.has_view_or_change_permission(request)):
            return to_confirm(request)
        return super().changelist_view(request, extra_context)
