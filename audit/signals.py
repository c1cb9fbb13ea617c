"""Security logging of sign-ins (core.security_log). No personal data goes to logs: the
user is named by id, and the account a failed attempt tried by a keyed hash, enough to
see repeated attempts on one account without naming it."""

import hashlib
import hmac

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from core import security_log
from core.http import is_api_request


def account_key(username: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), username.strip().lower().encode(), hashlib.sha256
    )
    return digest.hexdigest()[:12]


def _via(request) -> str:
    if request is None:
        return "other"
    return "api" if is_api_request(request) else "web"


def _path(request) -> str:
    return getattr(request, "path", "-") if request is not None else "-"


@receiver(user_logged_in)
def log_sign_in(sender, request, user, **kwargs):
    security_log.sign_in(user_id=user.pk, via=_via(request), path=_path(request))


@receiver(user_login_failed)
def log_failed_sign_in(sender, credentials, request=None, **kwargs):
    username = credentials.get("username") or ""
    user_id = (
        get_user_model()
        .objects.filter(**{get_user_model().USERNAME_FIELD: username})
        .values_list("pk", flat=True)
        .first()
        if username
        else None
    )
    security_log.sign_in_failed(
        user_id=user_id, account=account_key(username), via=_via(request), path=_path(request)
    )


@receiver(user_logged_out)
def log_sign_out(sender, request, user, **kwargs):
    security_log.sign_out(user_id=getattr(user, "pk", None), path=_path(request))


@receiver(user_locked_out)
def log_lockout(sender, request, username, ip_address, **kwargs):
    security_log.sign_in_locked(account=account_key(username or ""), path=_path(request))
