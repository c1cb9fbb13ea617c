"""A departed member of staff's account, anonymised (ASVS 8.3.2): the administrator's
action in the admin (agencies.admin). The user row stays, because case records, their
history and the audit trail name it by id; what identifies the person goes:

- the name, email address, phone, job title and username (``departed-<id>``);
- the password (unusable), browser sessions and API tokens (ended by the account being
  inactive: agencies.signals), authenticators, security keys, known browsers, and
  failed sign-ins under the old username.

Nobody is told: the email-change notice, which would keep the old address, is not sent.
What other apps hold about the person (the notices sent to them, their unsent referral
drafts, the audit event) is theirs to handle: ``account_anonymised`` is sent inside the
transaction (frontdoor.signals). The versions of the account in its history table still
hold the old details until ``manage.py retention_erase``, run by the tables' owner,
erases them (oversight.erasure); the access log and audit events keep the username they
were written with for their own retention period.
"""

from __future__ import annotations

from axes.models import AccessAttempt
from django.db import transaction
from django.dispatch import Signal
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import KnownBrowser, SecurityKey, User

PREFIX = "departed-"
# Sent with user= (anonymised, saved) and by= (the administrator), inside the
# transaction; a receiver that fails undoes the anonymising.
account_anonymised = Signal()
# Read by agencies.signals: an anonymising save tells no old address of the change.
ANONYMISING = "_fd_anonymising"


class NotAnonymised(ValueError):
    """Why this account was not anonymised: ``str(error)`` says."""


def anonymous_username(pk: int) -> str:
    return f"{PREFIX}{pk}"


def is_anonymised(user) -> bool:
    return user.get_username() == anonymous_username(user.pk)


def anonymised_users():
    """The accounts anonymised (by their username, which nobody else can be given: it
    names the account's own id)."""
    candidates = User.objects.filter(is_active=False, username__startswith=PREFIX)
    return [user for user in candidates if is_anonymised(user)]


def refusal(*, user: User, by: User) -> str | None:
    """Why ``by`` may not anonymise ``user`` now, or None if they may."""
    if user.pk == by.pk:
        return "You cannot anonymise your own account."
    if user.is_active:
        return (
            f"Account {user.pk} is active: make it inactive first (they have left), then "
            "anonymise it."
        )
    if is_anonymised(user):
        return f"Account {user.pk} is already anonymised."
    return None


def anonymise(*, user: User, by: User) -> None:
    refused = refusal(user=user, by=by)
    if refused:
        raise NotAnonymised(refused)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        SecurityKey.objects.filter(user=user).delete()
        KnownBrowser.objects.filter(user=user).delete()
        AccessAttempt.objects.filter(username=user.get_username()).delete()
        user.username = anonymous_username(user.pk)
        user.first_name = user.last_name = user.email = ""
        user.phone = user.job_title = ""
        user.set_unusable_password()
        user.must_change_password = False
        setattr(user, ANONYMISING, True)
        user._change_reason = "Anonymised: the member of staff has left"
        try:
            user.save()
        finally:
            delattr(user, ANONYMISING)
        account_anonymised.send(sender=User, user=user, by=by)
