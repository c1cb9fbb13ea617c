"""API tokens: issued at the token endpoint (and their owner told: agencies.changes),
listed and revoked by their owner (account page and API) and by an administrator (the
Django admin), ended at sign-out and at a password change. The token itself is shown
once, when issued; only its digest is kept (django-rest-knox)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from agencies.changes import SignInChange, tell_owner
from agencies.models import ApiToken, User
from core import security_log


def live_tokens_of(user: User) -> QuerySet[ApiToken]:
    """The user's tokens that still work, newest first."""
    return ApiToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")


@transaction.atomic
def issue_token(*, user: User) -> tuple[ApiToken, str]:
    """A new token for the user, expiring after FRONTDOOR_API_TOKEN_IDLE_MINUTES unused and
    FRONTDOOR_API_TOKEN_HOURS in all; the raw token is returned once and never kept. The
    user's expired tokens go at the same time."""
    ApiToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    token, raw = ApiToken.objects.create(user=user)
    security_log.token(user_id=user.pk, event="issued", token_id=token.pk)
    tell_owner(user=user, change=SignInChange.API_TOKEN_ISSUED, key=f"api-token:{token.pk}")
    return token, raw


@transaction.atomic
def end_token(*, token: ApiToken) -> None:
    """Its owner signs out with it (POST /api/v1/auth/logout/)."""
    security_log.token(user_id=token.user_id, event="ended", token_id=token.pk)
    token.delete()


@transaction.atomic
def revoke_token(*, token_id: int, owner: User, by: User) -> None:
    """Revoke one of ``owner``'s tokens. ApiToken.DoesNotExist for a token that is not
    theirs (or not live), so that another's token id reads as one that does not exist."""
    token = live_tokens_of(owner).select_for_update().get(pk=token_id)
    security_log.token(user_id=owner.pk, event="revoked", token_id=token.pk, by=by.pk)
    token.delete()


def end_all_tokens(*, user: User, reason: str) -> int:
    """Every token of the user ends (sign-out, a password change). Returns how many."""
    count, _ = ApiToken.objects.filter(user=user).delete()
    if count:
        security_log.token(user_id=user.pk, event=f"ended-all ({reason})", by=user.pk)
    return count
