from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver

from agencies import browser_sessions
from agencies.models import User
from agencies.tokens import end_all_tokens


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
