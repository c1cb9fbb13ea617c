"""Security logging. No personal data goes to logs: the account tried is written as a
keyed hash, enough to see repeated attempts on one account without naming it."""

import hashlib
import hmac
import logging

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

logger = logging.getLogger("frontdoor.security")


def account_key(username: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), username.strip().lower().encode(), hashlib.sha256
    )
    return digest.hexdigest()[:12]


@receiver(user_login_failed)
def log_failed_sign_in(sender, credentials, request=None, **kwargs):
    username = credentials.get("username") or ""
    path = getattr(request, "path", "-") if request is not None else "-"
    logger.warning("sign-in failed: account=%s path=%s", account_key(username), path)
