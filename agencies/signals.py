from django.db.models.signals import post_save
from django.dispatch import receiver

from agencies.models import User
from agencies.tokens import end_all_tokens


@receiver(post_save, sender=User)
def end_tokens_on_password_change(sender, instance: User, created: bool, **kwargs):
    """A new password ends every API token of the user, however it was set (the password
    page, the admin, ``changepassword``). ``_password`` is Django's own mark of a password
    just set with set_password(), which AbstractBaseUser.save() reads the same way right
    after this signal (to tell the password validators); a hash upgraded at sign-in does
    not set it, so signing in ends nothing. Sessions end by Django's own session hash."""
    if not created and instance._password is not None:
        end_all_tokens(user=instance, reason="password changed")
