"""Telling people when their sign-in details change (ASVS 2.2.3, 2.5.5): a new password
(their own, set by an administrator, or set on the server with ``changepassword``), an
authenticator app set up or reset, a security key added or removed, an API token issued,
the account's email address changed, and a sign-in from a browser that has not signed in
to the account before. The account's owner is sent an email (and an inbox notice) saying
what changed, when, and to tell their administrator if it was not them; a changed email
address is told at the old address as well as the new.

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
    # A sign-in, password and second step, from a browser that had not signed in to the
    # account before (agencies.known_browsers): ``browser`` says which, in plain words.
    NEW_BROWSER_SIGN_IN = "new_browser_sign_in"
    # The account's email address changed: told at the old address (``previous_email``)
    # with an inbox notice, and, as a change of its own, at the new address by email only.
    EMAIL_CHANGED = "email_changed"
    EMAIL_NOW_USED = "email_now_used"


# Sent with ``user`` (the account's owner), ``change`` (a SignInChange), ``key`` (unique
# to this change, so that telling twice tells once), ``at`` (when it happened),
# ``browser`` (a new browser's plain description, else "") and ``previous_email`` (the
# address an email change replaced, else "").
sign_in_details_changed = Signal()


def tell_owner(
    *,
    user,
    change: SignInChange,
    key: str,
    at: datetime | None = None,
    browser: str = "",
    previous_email: str = "",
) -> None:
    """Tell ``user`` that ``change`` happened to their account. Never raises."""
    results = sign_in_details_changed.send_robust(
        sender=SignInChange,
        user=user,
        change=change,
        key=key,
        at=at or timezone.now(),
        browser=browser,
        previous_email=previous_email,
    )
    for _receiver, result in results:
        if isinstance(result, Exception):
            security_log.owner_not_told(
                user_id=user.pk, change=change.value, error=type(result).__name__
            )


# A new password is told by agencies.signals whichever way it was set: the password page
# and the admin's form mark the user with their kind of change before saving; a password
# set any other way (``manage.py changepassword``, a shell on the server) is told as set
# by an administrator. Marked None, it is told to nobody (the demo's seeding).
_PASSWORD_MARK = "_fd_password_change"
_UNMARKED = object()


def mark_password_change(user, change: SignInChange | None) -> None:
    """Say how the password about to be saved on ``user`` was set (None: tell nobody)."""
    setattr(user, _PASSWORD_MARK, change)


def password_change_of(user) -> SignInChange | None:
    """The change to tell for ``user``'s save just made, once (the mark is taken off):
    its mark, or PASSWORD_CHANGED_BY_ADMINISTRATOR for a password set with set_password()
    and unmarked, or None."""
    marked = user.__dict__.pop(_PASSWORD_MARK, _UNMARKED)
    if marked is _UNMARKED:
        # Django's own mark of a password just set with set_password(); a hash upgraded
        # at sign-in clears it before saving, so signing in tells nobody.
        return SignInChange.PASSWORD_CHANGED_BY_ADMINISTRATOR if user._password else None
    return marked
