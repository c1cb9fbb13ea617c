"""Telling people when their sign-in details change (ASVS 2.2.3, 2.5.5): a new password
(their own, or set by an administrator), an authenticator app set up or reset, a
security key added or removed, an API token issued. The account's owner is sent an
email (and an inbox notice) saying what changed, when, and to tell their administrator
if it was not them.

agencies sits below notices (import-linter's layers), so it cannot raise the notice
itself: ``tell_owner`` sends ``sign_in_details_changed`` and notices.receivers writes the
notice through the outbox. Each caller sends it inside the change's transaction, so a
change that is rolled back tells nobody, and the email leaves only once it commits.
Telling must never undo the change: the receiver writes in a savepoint of its own, and
``send_robust`` turns its failure into a line in the security log.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from django.dispatch import Signal
from django.utils import timezone

from core import security_log


class SignInChange(StrEnum):
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_CHANGED_BY_ADMINISTRATOR = "password_changed_by_admin"
    TWO_STEP_SET_UP = "two_step_set_up"
    TWO_STEP_RESET = "two_step_reset"
    API_TOKEN_ISSUED = "api_token_issued"
    # A security key (WebAuthn) added on the account page, or removed there or by an
    # administrator.
    SECURITY_KEY_ADDED = "security_key_added"
    SECURITY_KEY_REMOVED = "security_key_removed"
    # Not a change but a warning of the same kind (ASVS 2.8.5): a code from their app that
    # had already been used was given again, so someone else may have seen it.
    TWO_STEP_CODE_REUSED = "two_step_code_reused"


# Sent with ``user`` (the account's owner), ``change`` (a SignInChange), ``key`` (unique
# to this change, so that telling twice tells once) and ``at`` (when it happened).
sign_in_details_changed = Signal()


def tell_owner(*, user, change: SignInChange, key: str, at: datetime | None = None) -> None:
    """Tell ``user`` that ``change`` happened to their account. Never raises."""
    results = sign_in_details_changed.send_robust(
        sender=SignInChange, user=user, change=change, key=key, at=at or timezone.now()
    )
    for _receiver, result in results:
        if isinstance(result, Exception):
            security_log.owner_not_told(
                user_id=user.pk, change=change.value, error=type(result).__name__
            )
