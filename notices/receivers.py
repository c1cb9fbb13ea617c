"""What the apps below notices announce, and notices turns into notices: they cannot
import notices (import-linter's layers), so they send a signal and this answers it."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver

from agencies.changes import SignInChange, sign_in_details_changed
from notices.models import NoticeKind
from notices.services import tell_account_owner

KIND_FOR_CHANGE = {
    SignInChange.PASSWORD_CHANGED: NoticeKind.PASSWORD_CHANGED,
    SignInChange.PASSWORD_CHANGED_BY_ADMINISTRATOR: NoticeKind.PASSWORD_CHANGED_BY_ADMIN,
    SignInChange.TWO_STEP_SET_UP: NoticeKind.TWO_STEP_SET_UP,
    SignInChange.TWO_STEP_RESET: NoticeKind.TWO_STEP_RESET,
    SignInChange.API_TOKEN_ISSUED: NoticeKind.API_TOKEN_ISSUED,
    SignInChange.TWO_STEP_CODE_REUSED: NoticeKind.TWO_STEP_CODE_REUSED,
}


@receiver(sign_in_details_changed, dispatch_uid="notices.tell_the_owner_of_a_sign_in_change")
def tell_the_owner(sender, *, user, change: SignInChange, key: str, at, **kwargs) -> None:
    # A savepoint of its own: if writing the notice fails, only the notice is undone and
    # the change it reports still commits (agencies.changes logs the failure).
    with transaction.atomic():
        tell_account_owner(user=user, kind=KIND_FOR_CHANGE[change], key=key, at=at)
