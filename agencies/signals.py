from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from agencies import browser_sessions, list_version
from agencies.changes import SignInChange, password_change_of, tell_owner
from agencies.departure import ANONYMISING
from agencies.models import Agency, User
from agencies.tokens import end_all_tokens
from core import security_log


@receiver(post_save, sender=User)
def end_tokens_on_password_change(sender, instance: User, created: bool, **kwargs):
    """A new password ends every API token of the user, however it was set (the password
    page, the admin, ``changepassword``). ``_password`` is Django's own mark of a password
    just set with set_password(), which AbstractBaseUser.save() reads the same way right
    after this signal (to tell the password validators); a hash upgraded at sign-in does
    not set it, so signing in ends nothing. Browser sessions end by Django's own session
    hash (the one the password was changed in is given the new hash), and are no longer
    listed on the account page."""
    if not created and instance._password is not None:
        end_all_tokens(user=instance, reason="password changed")


@receiver(post_save, sender=User)
def end_sessions_when_made_inactive(sender, instance: User, created: bool, **kwargs):
    """An account made inactive is signed out everywhere at once: its browser sessions
    are deleted (Django would refuse them at their next request anyway) and its API
    tokens end."""
    if not created and not instance.is_active:
        browser_sessions.end_all_sessions(user=instance, by=None)
        end_all_tokens(user=instance, reason="made inactive")


@receiver(user_logged_in)
def record_browser_session(sender, request, user, **kwargs):
    """Each sign-in's session, to be listed on the account page."""
    if request is not None:
        browser_sessions.record_sign_in(request, user)


@receiver(post_save, sender=User)
def tell_owner_of_new_password(sender, instance: User, created: bool, **kwargs):
    """A new password is told to its owner however it was set (ASVS 2.2.3): the password
    page and the admin's form say which change it was (agencies.forms), and a password
    set any other way, ``manage.py changepassword`` on the server or a shell, is told as
    set by an administrator. A new account is not told (it has no password of its own
    yet), nor is the demo's seeding. Inside the save's transaction where it has one: a
    save that rolls back tells nobody."""
    change = password_change_of(instance)
    if created or change is None:
        return
    now = timezone.now()
    tell_owner(
        user=instance, change=change, key=f"password:{instance.pk}:{now.isoformat()}", at=now
    )


_EMAIL_BEFORE = "_fd_email_before"


@receiver(pre_save, sender=User)
def note_the_email_before_saving(sender, instance: User, update_fields=None, **kwargs):
    """The address saved until now, to see whether this save changes it. One query, and
    only when the save may write the email (a sign-in's save of last_login does not).
    Not when a departed member of staff's account is anonymised (agencies.departure):
    telling the old address would keep it in the notice."""
    if instance._state.adding or instance.pk is None or getattr(instance, ANONYMISING, False):
        return
    if update_fields is not None and "email" not in update_fields:
        return
    before = User.objects.filter(pk=instance.pk).values_list("email", flat=True).first()
    if before is not None:
        instance.__dict__[_EMAIL_BEFORE] = before


def _same_address(one: str, other: str) -> bool:
    return one.strip().casefold() == other.strip().casefold()


@receiver(post_save, sender=User)
def tell_both_addresses_of_a_new_email(sender, instance: User, created: bool, **kwargs):
    """The account's email address changed (the admin's user page, or anywhere else it
    is saved): the old address is told that it no longer receives the account's emails,
    and the new one that it now does (ASVS 2.2.3), so that a change the owner did not
    expect reaches them where they still read."""
    before = instance.__dict__.pop(_EMAIL_BEFORE, None)
    if created or before is None or _same_address(before, instance.email):
        return
    now = timezone.now()
    security_log.email_changed(user_id=instance.pk)
    key = f"email:{instance.pk}:{now.isoformat()}"
    if before:
        tell_owner(
            user=instance,
            change=SignInChange.EMAIL_CHANGED,
            key=key,
            at=now,
            previous_email=before,
        )
    if instance.email:
        tell_owner(user=instance, change=SignInChange.EMAIL_NOW_USED, key=f"{key}:new", at=now)


@receiver(post_save, sender=Agency)
@receiver(post_delete, sender=Agency)
def agency_lists_changed(sender, **kwargs):
    """Every list of agencies is read again (agencies.list_version)."""
    list_version.changed()


@receiver(post_save, sender=User)
@receiver(post_delete, sender=User)
def staff_lists_changed(sender, update_fields=None, **kwargs):
    """Every list of staff is read again (agencies.list_version), unless the save wrote
    only fields no list shows (the time of the last sign-in)."""
    if list_version.user_change_is_listed(update_fields):
        list_version.changed()
