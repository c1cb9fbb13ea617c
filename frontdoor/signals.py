import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from agencies.departure import account_anonymised
from agencies.recovery import password_set_by_administrator
from audit.models import AuditEvent
from audit.services import record_event
from frontdoor.middleware import AUTH_AT, LAST_SEEN
from notices.models import Notification
from referrals.models import ReferralDraft


@receiver(user_logged_in)
def start_session_clock(sender, request, user, **kwargs):
    """The 12-hour limit counts from sign-in; the idle limit from the last request."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[AUTH_AT] = now
        request.session[LAST_SEEN] = now


@receiver(password_set_by_administrator, dispatch_uid="frontdoor.audit_a_password_set")
def audit_password_set_by_administrator(sender, *, user, by, new_account, **kwargs):
    """An administrator set someone's password (agencies.recovery) goes in the audit
    trail: agencies sits beside audit and cannot write it. Sent inside the save's
    transaction and not caught: a password whose audit event fails is not set."""
    record_event(
        kind=AuditEvent.Kind.PASSWORD_SET_BY_ADMIN,
        by=by,
        object_type="user",
        object_id=user.pk,
        detail={"user_id": user.pk, "new_account": new_account},
    )


@receiver(account_anonymised, dispatch_uid="frontdoor.forget_a_departed_account")
def forget_a_departed_account(sender, *, user, by, **kwargs):
    """A departed member of staff's account anonymised (agencies.departure): the notices
    addressed to them (which may hold their email address, an old one too) and their
    unsent referral drafts go, and the audit trail records it by the account's id only.
    Inside the anonymising transaction."""
    notices = Notification.objects.filter(recipient=user).delete()[0]
    drafts = ReferralDraft.objects.filter(owner=user).delete()[0]
    record_event(
        kind=AuditEvent.Kind.ACCOUNT_ANONYMISED,
        by=by,
        object_type="user",
        object_id=user.pk,
        detail={"user_id": user.pk, "notifications": notices, "drafts": drafts},
    )
