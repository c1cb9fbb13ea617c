"""What the apps below notices announce, and notices turns into notices: they cannot
import notices (import-linter's layers), so they send a signal and this answers it."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from agencies.changes import SignInChange, sign_in_details_changed
from agencies.models import User
from agencies.policy import Capability, users_with
from agencies.rates import RefusedVia, rate_refused
from agencies.refusals import refusals_exceeded
from core import security_log
from notices import services
from notices.delivery import email_failed
from notices.models import EMAIL_ONLY_KINDS, NoticeKind, Notification
from notices.services import raise_notice, tell_account_owner

KIND_FOR_CHANGE = {
    SignInChange.PASSWORD_CHANGED: NoticeKind.PASSWORD_CHANGED,
    SignInChange.PASSWORD_CHANGED_BY_ADMINISTRATOR: NoticeKind.PASSWORD_CHANGED_BY_ADMIN,
    SignInChange.TWO_STEP_SET_UP: NoticeKind.TWO_STEP_SET_UP,
    SignInChange.TWO_STEP_RESET: NoticeKind.TWO_STEP_RESET,
    SignInChange.API_TOKEN_ISSUED: NoticeKind.API_TOKEN_ISSUED,
    SignInChange.TWO_STEP_CODE_REUSED: NoticeKind.TWO_STEP_CODE_REUSED,
    SignInChange.NEW_BROWSER_SIGN_IN: NoticeKind.NEW_BROWSER_SIGN_IN,
    SignInChange.EMAIL_CHANGED: NoticeKind.EMAIL_CHANGED,
    SignInChange.EMAIL_NOW_USED: NoticeKind.EMAIL_NOW_USED,
    SignInChange.SECURITY_KEY_ADDED: NoticeKind.SECURITY_KEY_ADDED,
    SignInChange.SECURITY_KEY_REMOVED: NoticeKind.SECURITY_KEY_REMOVED,
}


@receiver(sign_in_details_changed, dispatch_uid="notices.tell_the_owner_of_a_sign_in_change")
def tell_the_owner(
    sender,
    *,
    user,
    change: SignInChange,
    key: str,
    at,
    browser: str = "",
    previous_email: str = "",
    **kwargs,
) -> None:
    # A changed email address is told at the old address (with the inbox notice) and at
    # the new one (by email alone: the inbox has it already).
    kind = KIND_FOR_CHANGE[change]
    # A savepoint of its own: if writing the notice fails, only the notice is undone and
    # the change it reports still commits (agencies.changes logs the failure).
    with transaction.atomic():
        tell_account_owner(
            user=user,
            kind=kind,
            key=key,
            at=at,
            reference=browser,
            email_to=previous_email if change is SignInChange.EMAIL_CHANGED else "",
            inbox=kind not in EMAIL_ONLY_KINDS,
        )


@receiver(user_locked_out, dispatch_uid="notices.alert_administrators_of_a_lockout")
def alert_administrators(sender, *, request, username, ip_address, **kwargs) -> None:
    """A sign-in locked after too many wrong passwords (django-axes, for a username and an
    address) alerts every administrator, at most once in ``LOCKOUT_ALERT_MINUTES`` in all
    (axes says so again for each failure during the lockout, and guessing may go on
    against many accounts). The account by its id, never the name typed: a username that
    matches no account may be a password typed in the wrong box. Never stops the lockout:
    a failure to alert is a line in the security log."""
    minutes = settings.LOCKOUT_ALERT_MINUTES
    if not minutes:
        return
    now = timezone.now()
    account = User.objects.filter(username=username).values_list("pk", flat=True).first()
    who = f"account {account}" if account else "a username that matches no account"
    try:
        with transaction.atomic():
            raise_notice(
                key=f"sign-in-locked:window:{int(now.timestamp()) // (minutes * 60)}",
                kind=NoticeKind.SIGN_IN_LOCKED,
                recipients=users_with(Capability.MANAGE_SYSTEM),
                reference=f"{who}, from address {ip_address or 'unknown'}",
                due=now,
                link=settings.BASE_URL + reverse("admin:axes_accessattempt_changelist"),
            )
    except Exception as error:  # noqa: BLE001 - the lockout stands whatever happens here
        security_log.lockout_not_alerted(error=type(error).__name__)


# What was refused, as the notice says it.
REFUSED_WORDS = {
    RefusedVia.PAGES: "web pages",
    RefusedVia.API: "the API",
    RefusedVia.TOKEN: "requests for an API token",
}


@receiver(rate_refused, dispatch_uid="notices.alert_a_rate_refusal")
def alert_rate_refused(sender, *, user_id, via, address, at, window, **kwargs) -> None:
    """Requests refused for their rate (agencies.rates) alert every administrator and
    every auditor (who watch for unusual access), once for each account, or each address
    when no one is signed in, in a window of ``RATE_ALERT_MINUTES``. The account by its
    id, never its name; what was refused; the address. Administrators are linked to the
    account's page in the administration pages (or, for an address, the access
    attempts), auditors to that day's access log, of that account when there is one.
    Never stops the refusal: a failure to alert is a line in the security log."""
    via = RefusedVia(via)
    what = REFUSED_WORDS[via]
    who = f"account {user_id}, {what}" if user_id is not None else what
    reference = f"{who}, from address {address or 'unknown'}"
    about = f"user:{user_id}" if user_id is not None else f"address:{address or 'unknown'}"
    if user_id is not None:
        to_act = reverse("admin:agencies_user_change", args=[user_id])
    else:
        to_act = reverse("admin:axes_accessattempt_changelist")
    day = timezone.localdate(at).isoformat()
    # The auditors' access log on that day, of that account when there is one (by its
    # number, as the notice names it); an address alone has no filter of its own.
    looking = {"account": user_id} if user_id is not None else {}
    to_review = (
        reverse("oversight:access-log") + "?" + urlencode({**looking, "from": day, "to": day})
    )
    _alert_administrators_and_auditors(
        kinds=(NoticeKind.RATE_LIMITED, NoticeKind.RATE_LIMITED_AUDIT),
        keys=(
            f"rate-limited:{about}:window:{window}",
            f"rate-limited-audit:{about}:window:{window}",
        ),
        reference=reference,
        at=at,
        links=(to_act, to_review),
        failed=lambda error: security_log.rate_not_alerted(
            user_id=user_id, via=via, error=type(error).__name__
        ),
    )


@receiver(refusals_exceeded, dispatch_uid="notices.alert_refused_often")
def alert_refused_often(sender, *, user_id, count, minutes, at, moment, **kwargs) -> None:
    """One account refused more than ``count`` accesses in a window of ``minutes``
    (agencies.refusals) alerts every administrator (linked to the account in the
    administration pages) and every auditor (linked to the access log of that account on
    that day); agencies.refusals holds the next for a window. The account by its id and the
    number, never its name or what it asked for (a path may say whose record). Never
    stops the refusal: a failure to alert is a line in the security log."""
    reference = f"account {user_id}, more than {count} in {minutes} minutes"
    day = timezone.localdate(at).isoformat()
    to_review = (
        reverse("oversight:access-log")
        + "?"
        + urlencode({"account": user_id, "from": day, "to": day})
    )
    _alert_administrators_and_auditors(
        kinds=(NoticeKind.REFUSED_OFTEN, NoticeKind.REFUSED_OFTEN_AUDIT),
        keys=(
            f"refused-often:user:{user_id}:at:{minutes}:{moment}",
            f"refused-often-audit:user:{user_id}:at:{minutes}:{moment}",
        ),
        reference=reference,
        at=at,
        links=(reverse("admin:agencies_user_change", args=[user_id]), to_review),
        failed=lambda error: security_log.refusals_not_alerted(
            user_id=user_id, error=type(error).__name__
        ),
    )


def _alert_administrators_and_auditors(*, kinds, keys, reference, at, links, failed) -> None:
    """The administrators' notice and the auditors' (``kinds``, ``keys`` and ``links``
    in that order: the administration pages, the access log), in one transaction, each
    raised once for its key. A failure to alert never stops what it alerts on: it is
    passed to ``failed``, which writes it to the security log."""
    try:
        with transaction.atomic():
            for kind, key, capability, link in zip(
                kinds,
                keys,
                (Capability.MANAGE_SYSTEM, Capability.VIEW_ACCESS_LOG),
                links,
                strict=True,
            ):
                raise_notice(
                    key=key,
                    kind=kind,
                    recipients=users_with(capability),
                    reference=reference,
                    due=at,
                    link=settings.BASE_URL + link,
                )
    except Exception as error:  # noqa: BLE001 - the refusal stands whatever happens here
        failed(error)


@receiver(
    email_failed, sender=Notification, dispatch_uid="notices.tell_administrators_email_failed"
)
def tell_administrators_email_failed(sender, *, notification, at, **kwargs) -> None:
    """An email failed for good (notices.delivery): the administrators are told in their
    inbox, in a savepoint of its own, so that a failure to tell (logged by delivery)
    leaves the failed mark as it is."""
    with transaction.atomic():
        services.tell_administrators_email_failed(notification=notification, at=at)
